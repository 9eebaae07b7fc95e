"""Resubmissions (docs/monthly.md, “Resubmissions”): a team sends a corrected file again.

A pure stage, run after ``monthly``. :func:`compare_submissions` describes every submitted
file of this run as a *submission* (its team, sha256, data sheets, the issues of each record
and each record's canonical values), finds the previous submission of the same file among
``previous_submissions`` (read from the history store by :func:`pipeline.history.load_history`)
and lists, per record and field, what changed:

``已修正``      an issue of the previous submission is gone;
``仍存在``      an issue of the previous submission is still there (same record, field, rule);
``未要求的变更``  a value changed where the previous submission had no issue, a record was
                added, or a record of the previous submission is missing.

A previous submission is the most recent one, in this month or up to
``resubmit.window_months`` months before (rules/settings.yaml), from the same file name or
from the same team (``src_team``) with the same data sheet names, with a different sha256
(an unchanged file re-run is not a resubmission). Records are matched by identity, not by
row: a valid 统一社会信用代码, else 客户名称, else 手机号码 (rows may shift between versions).
An issue is keyed by (record, field, rule).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Iterator, Mapping, Sequence

import pandas as pd

from .history import pack_submission
from .issues import Issue, display_value, render
from .model import StageResult
from .rules import Rules
from .values import is_missing, months_before as _months_before, to_int as _int

# --- output vocabulary (contract values: writers and tests match on them) ---
STATUS_FIXED = "已修正"
STATUS_OPEN = "仍存在"
STATUS_UNASKED = "未要求的变更"
STATUS_ORDER = (STATUS_FIXED, STATUS_OPEN, STATUS_UNASKED)

RESUBMISSION_COLUMNS = ["src_file", "src_sheet", "src_row", "column", "previous_file", "previous_month",
                        "record_key", "name", "field", "rule", "status", "before", "after", "note"]
SUBMISSION_COLUMNS = ["src_file", "src_team", "sha256", "sheets", "fields", "issues", "records",
                      "previous_file", "previous_month", "previous_sha256"]
#: the columns of ``submissions`` held packed (pipeline.history.pack_submission; its
#: submission_json gives the text back)
ENCODED = ("sheets", "fields", "issues", "records")

#: identities a record is matched by, strongest first (``uscc`` only when valid)
ID_ORDER = ("uscc", "name", "mobile", "uscc_raw", "position")



def compare_submissions(records: pd.DataFrame | None, issues: Iterable[Issue] | pd.DataFrame | None,
                        previous_submissions: pd.DataFrame | None, files: pd.DataFrame | None,
                        columns: pd.DataFrame | None, rules: Rules, month: str) -> StageResult:
    """This run's ``submissions`` (to be saved in the history store) and the ``resubmission``
    frame (RESUBMISSION_COLUMNS) comparing each resubmitted file with its previous submission.

    ``issues`` is the run's issue list (``Issue`` values) or the issue table
    (:func:`pipeline.issues.issues_frame`, field as Chinese name). Nothing is mutated.
    """
    window = rules.config.resubmit.window_months
    previous = _candidates(previous_submissions, month, window)
    names = rules.field_names
    rows: list[dict] = []
    packed: list[dict] = []
    submitted = _submitted(files)
    current_names = {name for name, _ in submitted}
    current_shas = {sha for _, sha in submitted if sha}
    letters: dict[str, dict[tuple[str, str], str]] = {}
    if columns is not None and len(columns):
        for f, s, k, c in zip(columns["src_file"], columns["src_sheet"], columns["field"], columns["column"]):
            letters.setdefault(str(f), {})[(_text(s), str(k))] = _text(c)
    for sub in build_submissions(records, issues, files, columns, rules):
        prev = _previous_for(sub, previous, current_names, current_shas)
        if prev is not None:
            rows.extend(_compare(sub, prev, rules, names, letters.get(sub["src_file"], {})))
        # held until the run is saved: as the store's JSON, deflated, not as a dict per record
        packed.append({**{k: pack_submission(v) if k in ENCODED else v for k, v in sub.items()},
                       "previous_file": prev["src_file"] if prev else "",
                       "previous_month": prev["month"] if prev else "",
                       "previous_sha256": prev["sha256"] if prev else ""})
    subs = pd.DataFrame(packed, columns=SUBMISSION_COLUMNS)
    frame = pd.DataFrame(rows, columns=RESUBMISSION_COLUMNS)
    if len(frame):
        frame = _sorted(frame)
    return StageResult(data={"resubmission": frame, "submissions": subs})


# --------------------------------------------------------------------------- submissions

def _text(value: Any) -> str:
    """A cell as the comparison shows it: dates as ISO dates, lists joined with 、."""
    if type(value) is str:
        return value.strip()
    if is_missing(value):
        return ""
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (tuple, list, set, frozenset)):
        return "、".join(_text(v) for v in value)
    return display_value(value).strip()


def _typed_fields(records: pd.DataFrame, columns: pd.DataFrame | None, rules: Rules) -> dict[str, set[str]]:
    """File -> field keys the team typed (a column of a list, a cell of a form)."""
    keys = {f.key for f in rules.fields if not f.computed}
    out: dict[str, set[str]] = {}
    if columns is not None and len(columns):
        for f, k in zip(columns["src_file"], columns["field"]):
            if k in keys:
                out.setdefault(str(f), set()).add(str(k))
    if "src_cells" in records.columns:
        for f, cells in zip(records["src_file"], records["src_cells"]):
            if isinstance(cells, Mapping):
                out.setdefault(str(f), set()).update(k for k in cells if k in keys)
    return out


def _identities(rec: Mapping[str, Any]) -> dict[str, str]:
    """What a stored record is matched by: its canonical values (a credit code holding an
    error counts only as ``uscc_raw``) and, last, its position."""
    values = rec.get("values") or {}
    ids = {}
    code = values.get("uscc", "")
    if code:
        ids["uscc_raw"] = code
        if "uscc" not in (rec.get("bad") or ()):
            ids["uscc"] = code
    for key in ("name", "mobile"):
        if values.get(key):
            ids[key] = values[key]
    ids["position"] = f"{rec.get('sheet', '')}!{rec.get('row', '')}"
    return ids


def _record_key(ids: Mapping[str, str]) -> str:
    for kind in ("uscc", "name", "mobile"):
        if ids.get(kind):
            return f"{kind}:{ids[kind]}"
    return f"row:{ids['position']}"


def _issue_rows(issues: Iterable[Issue] | pd.DataFrame | None, rules: Rules) -> list[dict]:
    """file, sheet, row, row_id, field (key), rule, value, message of every issue."""
    if issues is None:
        return []
    if isinstance(issues, pd.DataFrame):
        keys = {f.name: f.key for f in rules.fields}
        out = []
        for r in issues.to_dict("records"):
            rid = r.get("row_id")
            out.append({"file": _text(r.get("file")), "sheet": _text(r.get("sheet")), "row": _int(r.get("row")),
                        "row_id": _int(rid), "field": keys.get(_text(r.get("field")), _text(r.get("field"))),
                        "rule": _text(r.get("rule")), "value": _text(r.get("value")),
                        "message": _text(r.get("message"))})
        return out
    out = []
    for i in issues:
        shown = render(i, rules)
        out.append({"file": i.file, "sheet": i.sheet, "row": _int(i.row), "row_id": _int(i.row_id),
                    "field": i.field, "rule": i.rule, "value": _text(shown["value"]), "message": shown["message"]})
    return out


def _submitted(files: pd.DataFrame | None) -> list[tuple[str, str]]:
    """(name, sha256) of each submitted file, in order, each name once (files intake ignored
    are left out)."""
    files = files if files is not None else pd.DataFrame(columns=["src_file", "sha256", "status"])
    by_name: dict[str, str] = {}             # a name listed twice is one submission (the later sha256)
    for f in files.to_dict("records"):
        if f.get("status") != "已忽略":
            by_name[_text(f.get("src_file"))] = _text(f.get("sha256"))
    return list(by_name.items())


def build_submissions(records: pd.DataFrame | None, issues: Iterable[Issue] | pd.DataFrame | None,
                      files: pd.DataFrame | None, columns: pd.DataFrame | None, rules: Rules) -> Iterator[dict]:
    """One dict per submitted file (files intake ignored are left out), one file at a time (a
    million records as dicts would hold gigabytes at once): src_file, src_team, sha256, sheets
    (data sheet names), fields (typed field keys), issues ([{record_key, field, rule, value,
    message, sheet, row}]) and records ([{record_key, sheet, row, values (field key -> canonical
    text, blanks left out), bad (fields with an error, when any), cells (forms)}])."""
    records = records if records is not None else pd.DataFrame()
    value_keys = [f.key for f in rules.fields if not f.computed and f.key in records.columns]
    typed = _typed_fields(records, columns, rules) if len(records) else {}
    sheets: dict[str, set[str]] = {}
    if columns is not None and len(columns):
        for f, s in zip(columns["src_file"], columns["src_sheet"]):
            sheets.setdefault(str(f), set()).add(_text(s))
    n_rows = len(records)
    column = {c: records[c].tolist() if c in records.columns else [None] * n_rows
              for c in ("src_file", "src_team", "src_sheet", "src_row", "row_id", "bad_fields", "src_cells")}
    rows_of: dict[str, list[int]] = {}
    for i, f in enumerate(column["src_file"]):
        rows_of.setdefault(_text(f), []).append(i)
    # in row order (row ids follow the reading order; a row's issues keep the order the stages
    # found them in, issues of no row come last), whatever order the run's list has: a big
    # month's normalize halves add theirs one after the other
    issues_of: dict[str, list[dict]] = {}
    for issue in sorted(_issue_rows(issues, rules), key=lambda i: (i["row_id"] is None, i["row_id"] or 0)):
        issues_of.setdefault(issue["file"], []).append(issue)
    value_columns = {k: records[k] for k in value_keys}
    for name, sha in _submitted(files):
        sub = {"src_file": name, "src_team": "", "sha256": sha, "sheets": set(sheets.get(name, ())),
               "fields": set(typed.get(name, ())), "issues": [], "records": []}
        at = rows_of.get(name, [])
        # _text per cell, its commonest cases inline (a text, a blank): a call per cell was most of the stage
        texts = {k: [v.strip() if v.__class__ is str else "" if v is None else _text(v)
                     for v in value_columns[k].iloc[at].tolist()] for k in value_keys} if at else {}
        row_key: dict[int, str] = {}
        cell_key: dict[tuple, str] = {}
        seen: dict[str, int] = {}
        for j, i in enumerate(at):
            if not sub["src_team"]:
                sub["src_team"] = _text(column["src_team"][i])
            sheet, src_row = _text(column["src_sheet"][i]), _int(column["src_row"][i])
            sub["sheets"].add(sheet)
            values = {k: texts[k][j] for k in value_keys if texts[k][j]}
            flagged = column["bad_fields"][i]
            bad = sorted(k for k in flagged if k in values) if isinstance(flagged, (set, frozenset, list, tuple)) else []
            rec = {"sheet": sheet, "row": src_row, "values": values}
            if bad:
                rec["bad"] = bad
            cells = column["src_cells"][i]
            if isinstance(cells, Mapping) and cells:
                rec["cells"] = dict(cells)
            key = _record_key(_identities(rec))
            n = seen[key] = seen.get(key, 0) + 1
            rec["record_key"] = f"{key}#{n}" if n > 1 else key
            sub["records"].append(rec)
            rid = _int(column["row_id"][i])
            if rid is not None:
                row_key[rid] = rec["record_key"]
            cell_key[(sheet, src_row)] = rec["record_key"]
        for issue in issues_of.get(name, ()):
            key = row_key.get(issue["row_id"]) if issue["row_id"] is not None else None
            if key is None and issue["row"] is not None:
                key = cell_key.get((issue["sheet"], issue["row"]), f"row:{issue['sheet']}!{issue['row']}")
            sub["issues"].append({"record_key": key or "", "field": issue["field"], "rule": issue["rule"],
                                  "value": issue["value"], "message": issue["message"],
                                  "sheet": issue["sheet"], "row": issue["row"]})
        sub["sheets"] = sorted(s for s in sub["sheets"])
        sub["fields"] = sorted(sub["fields"])
        yield sub


# --------------------------------------------------------------------------- matching

def _candidates(previous: pd.DataFrame | None, month: str, window: int) -> list[dict]:
    """Previous submissions inside the window, most recent first."""
    if previous is None or not len(previous):
        return []
    low = _months_before(month, max(window, 0))
    rows = [r for r in previous.to_dict("records") if low <= str(r.get("month", "")) <= month]
    return sorted(rows, key=lambda r: (str(r.get("month", "")), int(r.get("seq") or 0)), reverse=True)


def _previous_for(sub: Mapping[str, Any], candidates: Sequence[dict], current_names: set[str],
                  current_shas: set[str]) -> dict | None:
    from .writers.returns import returned_name   # the name its return was given (lazy: no import cycle)

    for cand in candidates:
        if cand.get("sha256") and cand.get("sha256") == sub["sha256"]:
            continue                                  # the same bytes: a re-run, not a resubmission
        if cand.get("src_file") == sub["src_file"]:
            return cand
        if returned_name(str(cand.get("src_file") or "")).as_posix() == sub["src_file"]:
            return cand                               # its returned workbook sent back (.csv → .xlsx)
        if cand.get("src_file") in current_names or cand.get("sha256") in current_shas:
            continue                                  # the previous version of another file of this run
        team = sub.get("src_team") or ""
        if team and cand.get("src_team") == team and list(cand.get("sheets") or []) == list(sub["sheets"]) \
                and sub["sheets"]:
            return cand
    return None


def _match_records(prev: Sequence[dict], cur: Sequence[dict]) -> dict[str, str]:
    """previous record_key -> current record_key, strongest identity first; two records with
    different valid credit codes are never the same record (as in merge)."""
    matched: dict[str, str] = {}
    taken: set[str] = set()
    prev_ids = {p["record_key"]: _identities(p) for p in prev}
    cur_ids = {c["record_key"]: _identities(c) for c in cur}
    code_of = {k: ids.get("uscc") for k, ids in prev_ids.items()}
    for kind in ID_ORDER:
        pool: dict[str, list[str]] = {}
        for p in prev:
            v = prev_ids[p["record_key"]].get(kind)
            if v and p["record_key"] not in matched:
                pool.setdefault(v, []).append(p["record_key"])
        for c in cur:
            v = cur_ids[c["record_key"]].get(kind)
            if not v or c["record_key"] in taken or not pool.get(v):
                continue
            code = cur_ids[c["record_key"]].get("uscc")
            fits = [k for k in pool[v] if not (code and code_of[k] and code_of[k] != code)]
            if not fits:
                continue
            pool[v].remove(fits[0])
            matched[fits[0]] = c["record_key"]
            taken.add(c["record_key"])
    return matched


# --------------------------------------------------------------------------- comparing

def _compare(sub: Mapping[str, Any], prev: Mapping[str, Any], rules: Rules, names: Mapping[str, str],
             cols: Mapping[tuple[str, str], str]) -> list[dict]:
    notes = rules.notes["resubmit"]
    cur_records = {r["record_key"]: r for r in sub["records"]}
    prev_records = {r["record_key"]: r for r in prev.get("records") or ()}
    matched = _match_records(list(prev_records.values()), list(cur_records.values()))
    cur_issues: dict[tuple[str, str, str], dict] = {}
    cur_fields_with_issue: dict[tuple[str, str], dict] = {}
    for i in sub["issues"]:
        cur_issues.setdefault((i["record_key"], i["field"], i["rule"]), i)
        cur_fields_with_issue.setdefault((i["record_key"], i["field"]), i)
    prev_rules: dict[tuple[str, str], set[str]] = {}
    for i in prev.get("issues") or ():
        prev_rules.setdefault((i.get("record_key", ""), i.get("field", "")), set()).add(i.get("rule", ""))
    replaced: set[tuple[str, str, str]] = set()    # a new issue already shown in place of a fixed one
    base = {"src_file": sub["src_file"], "previous_file": prev.get("src_file", ""),
            "previous_month": prev.get("month", "")}
    fields = set(sub.get("fields") or ()) | set(prev.get("fields") or ())
    rows: list[dict] = []
    prev_fields_with_issue: set[tuple[str, str]] = set()
    open_by_record: dict[str, int] = {}

    def where(cur_key: str | None, field: str, fallback: Mapping[str, Any] | None = None) -> dict:
        rec = cur_records.get(cur_key) if cur_key else None
        if rec is None:
            src = fallback or {}
            return {"src_sheet": src.get("sheet", ""), "src_row": src.get("row"), "column": ""}
        column = (rec.get("cells") or {}).get(field, "")
        row = rec["row"]
        if column:
            letters = "".join(ch for ch in column if ch.isalpha())
            digits = "".join(ch for ch in column if ch.isdigit())
            column, row = letters, int(digits) if digits else row
        else:
            column = cols.get((rec["sheet"], field), "")
        return {"src_sheet": rec["sheet"], "src_row": row, "column": column}

    for i in prev.get("issues") or ():
        pkey, field, rule = i.get("record_key", ""), i.get("field", ""), i.get("rule", "")
        title = rules.catalog[rule].title if rule in rules.catalog else rule
        if pkey in prev_records and pkey not in matched:
            open_by_record[pkey] = open_by_record.get(pkey, 0) + 1
            continue                                   # the record is gone: one 'removed' row below
        ckey = matched[pkey] if pkey in prev_records else pkey   # file level / a row without a record
        prev_fields_with_issue.add((pkey, field))
        p_rec, c_rec = prev_records.get(pkey), cur_records.get(ckey)
        before = (p_rec["values"].get(field, "") if p_rec and field else "") or _text(i.get("value"))
        now = cur_issues.get((ckey, field, rule))
        after = c_rec["values"].get(field, "") if c_rec and field else ""
        if now is not None:
            after = after or now.get("value", "")
            changed = before != after
            note = notes["open_changed" if changed else "open"].format(message=now.get("message", ""))
            status = STATUS_OPEN
        else:
            status = STATUS_FIXED
            note = notes["fixed" if pkey else "fixed_file"].format(title=title)
            # the cell was changed, but now has another problem (a 17-character code made 18 with a
            # wrong check digit): not fixed — the team must look at it again
            other = next((c for c in sub["issues"] if field and c["record_key"] == ckey and c["field"] == field
                          and c["rule"] not in prev_rules.get((pkey, field), ())
                          and (ckey, field, c["rule"]) not in replaced), None)
            if other is not None:
                replaced.add((ckey, field, other["rule"]))
                rule, status = other["rule"], STATUS_OPEN
                after = after or _text(other.get("value"))
                # the team sent the same text back (24年3月5日 both times; only its reading changed):
                # the note must not say they edited it
                raw_before, raw_after = _text(i.get("value")), _text(other.get("value"))
                unchanged = before == after or bool(raw_before) and raw_before == raw_after
                note = notes["open_other_unchanged" if unchanged else "open_other"].format(
                    title=title, message=other.get("message", ""))
        rows.append({**base, **where(ckey, field, i), "record_key": ckey,
                     "name": _name(c_rec or p_rec), "field": names.get(field, field),
                     "rule": rule, "status": status, "before": before, "after": after, "note": note})

    for pkey, ckey in matched.items():
        p_rec, c_rec = prev_records[pkey], cur_records[ckey]
        for field in sorted(fields, key=_field_order(rules)):
            if (pkey, field) in prev_fields_with_issue:
                continue
            before, after = p_rec["values"].get(field, ""), c_rec["values"].get(field, "")
            if before == after:
                continue
            new = cur_fields_with_issue.get((ckey, field))
            note = notes["changed_issue"].format(message=new["message"]) if new else notes["changed"]
            rows.append({**base, **where(ckey, field), "record_key": ckey, "name": _name(c_rec),
                         "field": names.get(field, field), "rule": new["rule"] if new else "",
                         "status": STATUS_UNASKED, "before": before, "after": after, "note": note})

    taken = set(matched.values())
    for ckey, c_rec in cur_records.items():
        if ckey not in taken:
            rows.append({**base, **where(ckey, ""), "record_key": ckey, "name": _name(c_rec), "field": "",
                         "rule": "", "status": STATUS_UNASKED, "before": "", "after": _name(c_rec) or ckey,
                         "note": notes["added"]})
    for pkey, p_rec in prev_records.items():
        if pkey not in matched:
            n = open_by_record.get(pkey, 0)
            rows.append({**base, "src_sheet": p_rec.get("sheet", ""), "src_row": None, "column": "",
                         "record_key": pkey, "name": _name(p_rec), "field": "", "rule": "",
                         "status": STATUS_UNASKED, "before": _name(p_rec) or pkey, "after": "",
                         "note": notes["removed_open"].format(n=n) if n else notes["removed"]})
    return rows


def _name(rec: Mapping[str, Any] | None) -> str:
    return ((rec or {}).get("values") or {}).get("name", "")


def _field_order(rules: Rules):
    order = {f.key: i for i, f in enumerate(rules.fields)}
    return lambda k: (order.get(k, len(order)), k)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    status = frame["status"].map({s: i for i, s in enumerate(STATUS_ORDER)})
    row = pd.to_numeric(frame["src_row"], errors="coerce")
    out = frame.assign(_s=status, _r=row.fillna(10 ** 9))
    out = out.sort_values(["src_file", "_s", "src_sheet", "_r", "record_key"], kind="stable")
    out = out.drop(columns=["_s", "_r"]).reset_index(drop=True)
    out["src_row"] = pd.array([_int(v) for v in out["src_row"]], dtype="Int64")
    return out
