"""The quarterly customer review (季度客户评审) and the customer confirmation sheet (客户信息确认单).

Pure functions over the history store's monthly snapshots and the compiled rules: the write
side is :mod:`pipeline.writers.desk`. The monthly 客户等级 is a first assessment; the quarterly
review meeting confirms the final level and its 管理策略 (``review`` in rules/grading.yaml).
The confirmation sheet lists a customer's own record, field groups and masking as
rules/confirm.yaml says (docs/使用指南.md, “季度评审与客户确认”).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import pandas as pd

from .mask import mask_value
from .rules import Rules
from .values import text

_QUARTER = re.compile(r"^\s*(\d{4})\s*[-_ ]?[Qq]([1-4])\s*$")
#: the change column's words
UP, DOWN, SAME, NEW, NONE, ONE = "上升", "下降", "不变", "本季度新增", "未评定", "仅一个月有等级"


class ReviewError(ValueError):
    """A quarter or a selection the history cannot answer (the message is Chinese)."""


def quarter_months(quarter: str) -> list[str]:
    """``2026Q4`` -> ``["2026-10", "2026-11", "2026-12"]``."""
    m = _QUARTER.match(str(quarter or ""))
    if not m:
        raise ReviewError(f"季度“{quarter}”无效，应为 YYYYQn，例如 2026Q4")
    year, q = int(m.group(1)), int(m.group(2))
    return [f"{year:04d}-{3 * (q - 1) + k:02d}" for k in (1, 2, 3)]


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple, set, frozenset)):
        return "、".join(_text(v) for v in value)
    return text(value)


def level_order(rules: Rules) -> list[str]:
    return list(rules.grade_orders["level"])


def strategies(rules: Rules) -> dict[str, dict[str, str]]:
    """Level -> {label, strategy} from ``review.levels`` in rules/grading.yaml."""
    return {k: {"label": _text(v.label), "strategy": _text(v.strategy)} for k, v in rules.review.levels.items()}


@dataclass(frozen=True)
class Review:
    quarter: str
    months: list[str]           # the quarter's months that have a snapshot
    table: pd.DataFrame         # one row per customer, see REVIEW_COLUMNS
    changed: list[tuple[int, str]]   # (row position, month) whose level differs from the month before


REVIEW_COLUMNS = ["customer_id", "name", "customer_type", "team", "owner", "proposed", "change", "label",
                  "strategy", "basis", "note"]


def quarter_review(snapshots: pd.DataFrame, quarter: str, rules: Rules) -> Review:
    """Per customer seen in the quarter: the 客户等级 of each month (``level <month>`` columns),
    the proposed final level (the latest month's; an earlier month's when the customer was not
    graded or not submitted later, said in ``note``), how it moved over the quarter and the
    管理策略 of the proposed level. ``snapshots``: month, customer_id and the snapshot's fields."""
    months_all = quarter_months(quarter)
    snaps = snapshots[snapshots["month"].isin(months_all)] if len(snapshots) else snapshots
    months = sorted(set(snaps["month"])) if len(snaps) else []
    if not months:
        raise ReviewError(f"历史记录中没有 {quarter}（{months_all[0]} 至 {months_all[-1]}）任何月份的数据，"
                          "请先运行这些月份")
    order = {g: i for i, g in enumerate(level_order(rules))}
    strategy = strategies(rules)
    by_customer: dict[str, dict[str, Mapping[str, Any]]] = {}
    for rec in snaps.sort_values(["customer_id", "month"]).to_dict("records"):
        by_customer.setdefault(str(rec["customer_id"]), {})[rec["month"]] = rec
    rows, changed = [], []
    for i, (cid, seen) in enumerate(sorted(by_customer.items())):
        latest = seen[max(seen)]
        levels = {m: _text(seen[m].get("level")) if m in seen else "" for m in months}
        graded = [(m, levels[m]) for m in months if levels[m]]
        proposed = graded[-1][1] if graded else ""
        note = []
        if graded and graded[-1][0] != months[-1]:
            note.append(f"{months[-1]} {'未提交' if months[-1] not in seen else '未评定'}，按 {graded[-1][0]} 的等级建议")
        if not graded:
            why = [p for p in _text(latest.get("grade_basis")).split("；") if "客户等级" in p]
            note.append(why[0] if why else "本季度各月均未评定")
        first = graded[0][1] if graded else ""
        if not graded:
            change = NONE
        elif min(seen) != months[0] and len(months) > 1:
            change = NEW
        elif first == proposed:
            change = SAME
        else:
            change = UP if order.get(proposed, 99) < order.get(first, 99) else DOWN
        previous = ""
        for m in months:
            if levels[m] and previous and levels[m] != previous:
                changed.append((i, m))
            previous = levels[m] or previous
        row = {"customer_id": cid, "name": _text(latest.get("name")), "customer_type": _text(latest.get("customer_type")),
               "team": _text(latest.get("team")) or _text(latest.get("src_teams")), "owner": _text(latest.get("owner")),
               **{f"level {m}": levels[m] for m in months},
               "proposed": proposed,
               "change": ONE if change == SAME and len(graded) == 1 and len(months) > 1 else change,
               "label": strategy.get(proposed, {}).get("label", ""),
               "strategy": strategy.get(proposed, {}).get("strategy", ""),
               "basis": _text(latest.get("grade_basis")), "note": "；".join(note)}
        rows.append(row)
    columns = REVIEW_COLUMNS[:5] + [f"level {m}" for m in months] + REVIEW_COLUMNS[5:]
    return Review(quarter, months, pd.DataFrame(rows, columns=columns), changed)


# ----------------------------------------------------------------------------- confirmation

@dataclass(frozen=True)
class Confirmation:
    customer_id: str
    name: str
    team: str
    sections: list[tuple[str, list[tuple[str, str]]]]   # (信息类别, [(字段名称, 填写内容)])


def _shown(text: str, field_type: str) -> str:
    """A stored value as a customer reads it: amounts in yuan with separators, rates in %."""
    if not text or field_type not in ("amount", "rate"):
        return text
    try:
        n = float(text)
    except ValueError:
        return text
    return f"{n:.0%}" if field_type == "rate" else f"{n:,.0f} 元" if n == int(n) else f"{n:,.2f} 元"


def confirmations(customers: pd.DataFrame, rules: Rules, customer_ids: Sequence[str] = (),
                  team: str = "") -> list[Confirmation]:
    """One confirmation per selected customer (by 客户编号, or every customer of ``team``):
    the filled fields of the groups rules/confirm.yaml lists, in schemas/fields.yaml order,
    masked where it says."""
    spec = rules.confirm
    groups = list(spec.groups)
    labels = spec.group_labels
    masked = set(spec.mask)
    wanted = [str(c).strip().upper() for c in customer_ids if str(c).strip()]
    frame = customers
    if wanted:
        frame = customers[customers["customer_id"].astype(str).str.upper().isin(wanted)]
        missing = sorted(set(wanted) - set(frame["customer_id"].astype(str).str.upper()))
        if missing:
            raise ReviewError(f"没有找到客户编号：{'、'.join(missing)}")
    elif team:
        teams = frame.get("team", pd.Series("", index=frame.index)).map(_text)
        src = frame.get("src_teams", pd.Series("", index=frame.index)).map(_text)
        frame = frame[(teams == team) | src.str.split("、").map(lambda ts: team in ts)]
        if not len(frame):
            raise ReviewError(f"团队“{team}”没有客户")
    exclude = set(spec.exclude) | {"customer_id"}
    fields = [f for f in rules.fields if f.group in groups and f.key not in exclude and not
              (f.computed and f.group not in ("identity", "region"))]
    out = []
    for rec in frame.sort_values("customer_id").to_dict("records"):
        sections = []
        for g in groups:
            items = []
            for f in fields:
                if f.group != g:
                    continue
                value = rec.get(f.key)
                if hasattr(value, "isoformat"):
                    value = value.isoformat()[:10]
                text = _text(value)
                text = _shown(text, f.type)
                items.append((f.name, mask_value(text, f.type) if text and f.key in masked else text))
            if any(v for _, v in items):
                sections.append((labels.get(g, g), items if spec.show_empty else
                                 [(k, v) for k, v in items if v]))
        out.append(Confirmation(str(rec["customer_id"]), _text(rec.get("name")),
                                _text(rec.get("team")) or _text(rec.get("src_teams")), sections))
    return out
