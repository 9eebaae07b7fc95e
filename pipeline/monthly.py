"""Monthly operations (docs/monthly.md): month-over-month changes and reminders.

A pure stage: :func:`compare_months` compares this month's ``customers`` with ``previous``
(the most recent snapshot before this month, from :mod:`pipeline.history`) and lists

``changes`` — one row per change (新增客户 / 流失客户 / 未再提交 / 等级变化 / 状态变化);
``reminders`` — follow-ups due or overdue (下次跟进时间 of the customer or of 维护计划 rows),
    customers not updated for a quarter (季度更新提醒) and grade drops (等级下降).

A status change without a 状态变更原因 is reported as issue ``status-change-no-reason``,
pointing at the source row that carries the new status. Thresholds come from the
``reminders`` section of rules/settings.yaml; grade order from grading.yaml ``level.levels``.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Iterable, Mapping

import pandas as pd

from .issues import Issue
from .model import CHANGE_COLUMNS, EXT_PREFIX, REMINDER_COLUMNS, StageResult
from .related import related_schema
from .rules import Rules
from .values import date_of, text as _text

# --- output vocabulary (contract values: writers and tests match on them) ---
CHANGE_NEW = "新增客户"
CHANGE_LOST = "流失客户"
CHANGE_GRADE = "等级变化"
CHANGE_STATUS = "状态变化"
CHANGE_ABSENT = "未再提交"
CHANGE_ORDER = (CHANGE_NEW, CHANGE_LOST, CHANGE_ABSENT, CHANGE_GRADE, CHANGE_STATUS)

KIND_OVERDUE = "跟进逾期"
KIND_DUE = "跟进到期"
KIND_STALE = "季度更新提醒"
KIND_GRADE_DROP = "等级下降"
KIND_ORDER = (KIND_OVERDUE, KIND_DUE, KIND_GRADE_DROP, KIND_STALE)

STATUS_LOST = "流失客户"
RULE_NO_REASON = "status-change-no-reason"
RULE_EXT_CARRIED = "extension-carried"

#: what names the owning rep of a customer, first found wins: a field of that name (负责销售 is
#: the field ``owner``) or an extension column (a team's own 销售代表 column)
OWNER_NAMES = ("负责销售", "销售代表", "客户经理", "负责人")

#: customer fields that date a contact that happened (the 季度更新提醒 baseline and what
#: settles an overdue follow-up), besides the interaction dates of the related tables
ACTIVITY_FIELDS = ("last_coop", "last_follow")



def compare_months(customers: pd.DataFrame, previous: pd.DataFrame | None, records: pd.DataFrame | None,
                   related: Mapping[str, pd.DataFrame] | None, rules: Rules, as_of: dt.date) -> StageResult:
    """Changes against the previous snapshot and this month's reminders.

    With no previous snapshot (first month, or ``validate``) there is no baseline and
    ``changes`` is empty; reminders are still listed.
    """
    customers = customers if customers is not None else pd.DataFrame()
    previous = previous if previous is not None else pd.DataFrame()
    related = related or {}
    changes, issues = _changes(customers, previous, records, rules)
    reminders = _reminders(customers, previous, related, rules, as_of)
    return StageResult(data={"changes": changes, "reminders": reminders}, issues=tuple(issues))


def carry_extensions(customers: pd.DataFrame, previous: pd.DataFrame | None, records: pd.DataFrame | None,
                     column_map: pd.DataFrame | None) -> StageResult:
    """Extension columns (``ext:<header>``, team-only columns such as 微信号) that a customer
    had in the previous snapshot and this month's submissions did not send: the previous
    value stays in 客户主档 (and so in this month's snapshot) instead of vanishing.

    A column the customer's file or sheet did send with the cell left empty is the team's
    current answer and is not filled. Each (file, column) whose customers kept a value gets one
    info issue ``extension-carried`` naming how many and which customers."""
    if customers is None or customers.empty or previous is None or previous.empty \
            or "customer_id" not in previous.columns:
        return StageResult(data={"customers": customers})
    ext = [c for c in previous.columns if isinstance(c, str) and c.startswith(EXT_PREFIX)]
    if not ext:
        return StageResult(data={"customers": customers})
    sent: set[tuple[str, str, str]] = set()
    if column_map is not None and not column_map.empty:
        sent = {(_text(f), _text(s), EXT_PREFIX + _text(name)) for f, s, name in
                zip(column_map["src_file"], column_map["src_sheet"], column_map["field"])}
    source: dict[int, tuple[str, str]] = {}
    if records is not None and not records.empty and "row_id" in records.columns:
        source = {int(r): (_text(f), _text(s)) for r, f, s in
                  zip(records["row_id"], _column(records, "src_file"), _column(records, "src_sheet"))}
    old = {_text(cid): row for cid, row in zip(previous["customer_id"], _rows(previous, ext))}
    columns = {e: _column(customers, e) for e in ext}
    carried: dict[tuple[str, str], list[str]] = {}
    for i, (cid, ids, name) in enumerate(zip(_column(customers, "customer_id"), _column(customers, "row_ids"),
                                             _column(customers, "name"))):
        before = old.get(_text(cid))
        if before is None:
            continue
        files = [source[int(r)] for r in _row_ids(ids) if int(r) in source]
        for e in ext:
            if _text(before[e]) == "" or _text(columns[e][i]) != "" or any((f, s, e) in sent for f, s in files):
                continue
            columns[e][i] = before[e]
            carried.setdefault((files[0][0] if files else "", e), []).append(_text(name))
    if not carried:
        return StageResult(data={"customers": customers})
    out = customers.copy(deep=False)              # columns replaced whole, never written into
    for e in {e for _, e in carried}:
        out[e] = columns[e]
    month = _text(previous.attrs.get("month", ""))
    issues = [Issue(rule=RULE_EXT_CARRIED, file=f, field=e[len(EXT_PREFIX):], value="、".join(names[:3]),
                    params={"column": e[len(EXT_PREFIX):], "count": len(names), "month": month or "上月"})
              for (f, e), names in sorted(carried.items())]
    return StageResult(data={"customers": out}, issues=tuple(issues))


def owner_column(customers: pd.DataFrame | None, rules: Rules) -> str | None:
    """The ``customers`` column naming the owning rep (OWNER_NAMES), or None."""
    if customers is None:
        return None
    by_name = {f.name: f.key for f in rules.fields}
    for name in OWNER_NAMES:
        for col in (by_name.get(name), EXT_PREFIX + name):
            if col and col in customers.columns:
                return col
    return None


# --------------------------------------------------------------------------- helpers

_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COMPACT_RE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")


def to_date(value: Any) -> dt.date | None:
    """A date from a normalized value or a raw related-table cell; None when not a date."""
    day = date_of(value)
    if day is not None:
        return day
    if isinstance(value, str):
        m = _DATE_RE.match(value) or _COMPACT_RE.match(value)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
    return None


def _column(frame: pd.DataFrame, name: str) -> list:
    return list(frame[name]) if name in frame.columns else [None] * len(frame)


def _rows(frame: pd.DataFrame, keys: Iterable[str]) -> list[dict]:
    """Frame rows as dicts with every key present (absent columns read as None)."""
    cols = {k: _column(frame, k) for k in keys}
    return [{k: cols[k][i] for k in cols} for i in range(len(frame))]


def _grade_rank(rules: Rules) -> dict[str, int]:
    return {grade: i for i, grade in enumerate(rules.grade_orders["level"])}


def _row_ids(value: Any) -> tuple:
    if isinstance(value, (tuple, list, set, frozenset)):
        return tuple(value)
    if value is None or _text(value) == "":
        return ()
    return (value,)


def _owner_of_rows(customers: pd.DataFrame) -> dict[Any, str]:
    """row_id -> customer_id, from customers.row_ids."""
    owner: dict[Any, str] = {}
    for cid, ids in zip(_column(customers, "customer_id"), _column(customers, "row_ids")):
        for rid in _row_ids(ids):
            owner[int(rid)] = _text(cid)
    return owner


# --------------------------------------------------------------------------- changes

def _changes(customers: pd.DataFrame, previous: pd.DataFrame, records: pd.DataFrame | None,
             rules: Rules) -> tuple[pd.DataFrame, list[Issue]]:
    if previous.empty or "customer_id" not in previous.columns:
        return pd.DataFrame(columns=CHANGE_COLUMNS), []
    keys = ("customer_id", "name", "customer_type", "status", "status_reason", "level", "row_ids")
    prev = {_text(r["customer_id"]): r for r in _rows(previous, keys) if _text(r["customer_id"])}
    rank, notes = _grade_rank(rules), rules.notes["monthly"]
    rows: list[dict] = []
    issues: list[Issue] = []
    seen: set[str] = set()
    for cur in _rows(customers, keys):
        cid = _text(cur["customer_id"])
        seen.add(cid)
        name = _text(cur["name"])
        status, level = _text(cur["status"]), _text(cur["level"])
        old = prev.get(cid)
        if old is None:
            note = notes["new_level" if level else "new"].format(type=_text(cur["customer_type"]), level=level)
            rows.append(_change(cid, name, CHANGE_NEW, "", status, note))
            continue
        # status: a change needs both sides, except that becoming 流失客户 always counts
        before = _text(old["status"])
        if status and status != before and (before or status == STATUS_LOST):
            reason = _text(cur["status_reason"])
            note = notes["status" if before else "status_first"].format(before=before, after=status)
            note += notes["reason"].format(reason=reason) if reason else notes["no_reason"]
            kind = CHANGE_LOST if status == STATUS_LOST else CHANGE_STATUS
            rows.append(_change(cid, name, kind, before, status, note))
            if not reason:
                issues.append(_no_reason_issue(cur, before, status, records))
        # grade
        old_level = _text(old["level"])
        if level != old_level:
            rows.append(_change(cid, name, CHANGE_GRADE, old_level, level, _grade_note(old_level, level, rank, notes)))
    for cid, old in prev.items():
        if cid not in seen:
            before = _text(old["status"])
            note = notes["absent" if before else "absent_blank"].format(before=before)
            rows.append(_change(cid, _text(old["name"]), CHANGE_ABSENT, before, "", note))
    frame = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    if not frame.empty:
        frame["_k"] = frame["change"].map(CHANGE_ORDER.index)
        frame = frame.sort_values(["_k", "customer_id"], kind="stable").drop(columns="_k").reset_index(drop=True)
    return frame, issues


def _change(cid: str, name: str, change: str, before: str, after: str, note: str) -> dict:
    return {"customer_id": cid, "name": name, "change": change, "before": before, "after": after, "note": note}


def _grade_note(before: str, after: str, rank: Mapping[str, int], notes: Mapping[str, str]) -> str:
    if not before:
        return notes["grade_first"].format(after=after)
    if not after:
        return notes["grade_lost"].format(before=before)
    if before in rank and after in rank:
        key = "grade_up" if rank[after] < rank[before] else "grade_down"
    else:
        key = "grade_other"
    return notes[key].format(before=before, after=after)


def _no_reason_issue(cur: Mapping[str, Any], before: str, after: str, records: pd.DataFrame | None) -> Issue:
    """Point the issue at the source row carrying the new status (else the first row
    with any status); file/sheet/row stay empty when no such row is known."""
    params = {"name": _text(cur["name"]), "before": before or "（空）", "after": after}
    src = _status_source(_row_ids(cur["row_ids"]), after, records)
    if src is None:
        return Issue(rule=RULE_NO_REASON, field="status", value=after, params=params)
    return Issue(rule=RULE_NO_REASON, file=_text(src["src_file"]), sheet=_text(src["src_sheet"]),
                 row=int(src["src_row"]) if _text(src["src_row"]) else None, field="status",
                 value=after, params=params, row_id=int(src["row_id"]))


def _status_source(row_ids: tuple, status: str, records: pd.DataFrame | None) -> dict | None:
    if records is None or records.empty or not row_ids or "row_id" not in records.columns \
            or "status" not in records.columns:
        return None
    mine = records[records["row_id"].isin([int(r) for r in row_ids])].sort_values("row_id")
    rows = _rows(mine, ("row_id", "src_file", "src_sheet", "src_row", "status"))
    filled = [r for r in rows if _text(r["status"])]
    exact = [r for r in filled if _text(r["status"]) == status]
    return (exact or filled or [None])[0]


# --------------------------------------------------------------------------- reminders

def _reminders(customers: pd.DataFrame, previous: pd.DataFrame, related: Mapping[str, pd.DataFrame],
               rules: Rules, as_of: dt.date) -> pd.DataFrame:
    window = rules.config.reminders.follow_up_window_days
    stale_after = rules.config.reminders.stale_after_days
    notes = rules.notes["monthly"]
    owner = _owner_of_rows(customers)
    names = {_text(c): _text(n) for c, n in zip(_column(customers, "customer_id"), _column(customers, "name"))}
    rep = owner_column(customers, rules)
    reps = {_text(c): _text(o) for c, o in zip(_column(customers, "customer_id"), _column(customers, rep))} \
        if rep else {}
    schema = related_schema(rules)            # which tables and columns: schemas/related.yaml roles
    inter_table, inter_date = schema.role("interaction_date")
    plan_table, plan_date = schema.role("plan_date")
    plan_cols = (plan_date, schema.role("plan_goal")[1], schema.role("plan_owner")[1])
    activity = _last_activity(customers, related.get(inter_table), inter_date, owner, as_of)
    rows: list[dict] = []

    for cid, when, prefix, suffix in _follow_ups(customers, related.get(plan_table), plan_cols, owner, notes):
        days = (when - as_of).days
        if days < 0:
            last = activity.get(cid)
            if last is not None and last >= when:
                continue  # contacted on or after the planned date: done, not overdue
            note = prefix + notes["overdue"].format(date=when.isoformat(), days=-days) + suffix
            rows.append(_reminder(cid, names.get(cid, ""), KIND_OVERDUE, when, note))
        elif days <= window:
            key = "due_today" if days == 0 else "due"
            note = prefix + notes[key].format(date=when.isoformat(), days=days) + suffix
            rows.append(_reminder(cid, names.get(cid, ""), KIND_DUE, when, note))

    statuses = dict(zip(map(_text, _column(customers, "customer_id")), map(_text, _column(customers, "status"))))
    for cid, last in activity.items():
        age = (as_of - last).days
        if age > stale_after and statuses.get(cid) != STATUS_LOST:
            note = notes["stale"].format(date=last.isoformat(), days=age, limit=stale_after)
            rows.append(_reminder(cid, names.get(cid, ""), KIND_STALE, last, note))

    rank = _grade_rank(rules)
    if not previous.empty and "customer_id" in previous.columns and "level" in previous.columns:
        old_levels = {_text(c): _text(lv) for c, lv in zip(previous["customer_id"], previous["level"])}
        for cid, level in zip(_column(customers, "customer_id"), _column(customers, "level")):
            cid, level = _text(cid), _text(level)
            before = old_levels.get(cid, "")
            if before in rank and level in rank and rank[level] > rank[before]:
                note = notes["grade_down"].format(before=before, after=level)
                rows.append(_reminder(cid, names.get(cid, ""), KIND_GRADE_DROP, as_of, note))

    frame = pd.DataFrame(rows, columns=REMINDER_COLUMNS)
    if frame.empty:
        return frame
    frame["owner"] = frame["customer_id"].map(lambda c: reps.get(c, ""))
    frame["_o"] = (frame["kind"] != KIND_OVERDUE).astype(int)
    frame["_k"] = frame["kind"].map(KIND_ORDER.index)
    frame = frame.sort_values(["_o", "date", "_k", "customer_id"], kind="stable")
    return frame.drop(columns=["_o", "_k"]).reset_index(drop=True)


def _reminder(cid: str, name: str, kind: str, when: dt.date, note: str) -> dict:
    return {"customer_id": cid, "name": name, "kind": kind, "date": when, "note": note}


def _follow_ups(customers: pd.DataFrame, plans: pd.DataFrame | None, plan_cols: tuple[str, str, str],
                owner: Mapping[int, str], notes: Mapping[str, str]) -> list[tuple[str, dt.date, str, str]]:
    """(customer_id, date, note prefix, note suffix) for every distinct follow-up date:
    the customer's 下次跟进时间 first, then 维护计划 rows not already covered."""
    out: list[tuple[str, dt.date, str, str]] = []
    seen: set[tuple[str, dt.date]] = set()
    for cid, value in zip(_column(customers, "customer_id"), _column(customers, "next_follow")):
        when = to_date(value)
        if when is not None and (_text(cid), when) not in seen:
            seen.add((_text(cid), when))
            out.append((_text(cid), when, "", ""))
    date_col, goal_col, owner_col = plan_cols
    if plans is not None and not plans.empty and date_col in plans.columns and "row_id" in plans.columns:
        for plan in _rows(plans, ("row_id", date_col, goal_col, owner_col)):
            cid = owner.get(int(plan["row_id"])) if _text(plan["row_id"]) else None
            when = to_date(plan[date_col])
            if cid is None or when is None or (cid, when) in seen:
                continue
            seen.add((cid, when))
            suffix = ""
            if _text(plan[goal_col]):
                suffix += notes["plan_goal"].format(goal=_text(plan[goal_col]))
            if _text(plan[owner_col]):
                suffix += notes["plan_owner"].format(owner=_text(plan[owner_col]))
            out.append((cid, when, notes["from_plan"], suffix))
    return out


def _last_activity(customers: pd.DataFrame, interactions: pd.DataFrame | None, date_col: str,
                   owner: Mapping[int, str], as_of: dt.date) -> dict[str, dt.date]:
    """customer_id -> most recent 最近合作时间, 最近跟进时间 or 互动日期 on or before ``as_of``."""
    latest: dict[str, dt.date] = {}

    def note(cid: str, when: dt.date | None) -> None:
        if cid and when is not None and when <= as_of and (cid not in latest or when > latest[cid]):
            latest[cid] = when

    for key in ACTIVITY_FIELDS:
        for cid, value in zip(_column(customers, "customer_id"), _column(customers, key)):
            note(_text(cid), to_date(value))
    if interactions is not None and not interactions.empty and date_col in interactions.columns \
            and "row_id" in interactions.columns:
        for rid, value in zip(interactions["row_id"], interactions[date_col]):
            if _text(rid):
                note(owner.get(int(rid), ""), to_date(value))
    return latest
