"""Data quality per file and per team, the steward's to-do list, field completeness, why
customers are 未评定, and the trend across the months in the history store.

Pure functions over the run's frames and the compiled rules (see docs/report.md, 本月待办).
Every figure here is computed once and then shown by the report, written to summary.json and
printed by the CLI, so the three always agree.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from .model import OUTCOME_MERGED, OUTCOME_REJECTED, OUTCOME_SKIPPED, OUTCOME_SUPERSEDED
from .rules import Rules
from .values import text as _text, to_number as _number

UNKNOWN_TEAM = "未标明团队"
FILE_LEVEL = "整个文件"
SEVERITIES = ("error", "warning", "info")
#: the run's headline counts, in the order and words the CLI and the report use
HEADLINE = (("files", "文件", "个"), ("rows_read", "读取", "行"), ("merged_rows", "并入主档", "行"),
            ("duplicates_merged", "重复合并", "行"), ("customers", "客户", "个"), ("rejected_rows", "退回", "行"),
            ("skipped_rows", "跳过", "行"), ("superseded_rows", "已被新版本替代", "行"))


def headline_text(summary: Mapping[str, Any]) -> str:
    """The one-line run summary the CLI prints (same words and numbers as the report's 本月概览).
    读取 = 并入主档 + 退回 + 跳过 + the rows of older versions (named only when there are some)."""
    g = lambda k: int(summary.get(k) or 0)  # noqa: E731
    sev = summary.get("issues_by_severity") or {}
    superseded = f"，已被新版本替代 {g('superseded_rows')} 行" if g("superseded_rows") else ""
    return (f"文件 {g('files')} 个，读取 {g('rows_read')} 行：并入主档 {g('merged_rows')} 行"
            f"（其中重复合并 {g('duplicates_merged')} 行，得到客户 {g('customers')} 个），"
            f"退回 {g('rejected_rows')} 行，跳过 {g('skipped_rows')} 行{superseded}；"
            f"问题：错误 {int(sev.get('error', 0))}，警告 {int(sev.get('warning', 0))}，提示 {int(sev.get('info', 0))}")


# ----------------------------------------------------------------------------- teams

def file_teams(records: pd.DataFrame | None, files: Iterable[str], rules: Rules | None = None) -> dict[str, str]:
    """File name -> team: the records' ``src_team`` (intake's team resolver), else the resolver
    on the file name alone (a file with no rows read), else ``未标明团队（<file>）`` so two
    unknown teams' files never share one to-do entry (rules/teams.yaml registers teams)."""
    from .teams import resolve_team

    teams: dict[str, str] = {}
    if records is not None and len(records) and {"src_file", "src_team"} <= set(records.columns):
        pairs = records[["src_file", "src_team"]].drop_duplicates("src_file")
        teams = {str(f): _text(t) for f, t in zip(pairs["src_file"], pairs["src_team"]) if _text(t)}
    for f in files:
        if f and f not in teams:
            team = resolve_team(str(f), None, rules).team if rules is not None else ""
            teams[f] = team or f"{UNKNOWN_TEAM}（{Path(str(f)).name}）"
    return teams


def _value_counts(series: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in series.value_counts().items()}


def _fix_counts(fixes: pd.DataFrame | None) -> dict[str, int]:
    """Cells the product changed with certainty, per file: the fixes whose visible text changes,
    compared as the returned workbook compares them (so they equal its 已更正 lines)."""
    from .writers.xlsx import is_blank, text_of   # the writers' own comparison (lazy: no import cycle)

    if fixes is None or not len(fixes):
        return {}
    changed = [text_of(f) != text_of(o) and not is_blank(f) for f, o in zip(fixes["fixed"], fixes["original"])]
    return _value_counts(fixes.loc[changed, "src_file"])


def file_rows(files: pd.DataFrame | None, source_rows: pd.DataFrame | None, links: pd.DataFrame | None,
              issue_table: pd.DataFrame | None, fixes: pd.DataFrame | None, records: pd.DataFrame | None,
              returned: Mapping[str, str] | None = None, rules: Rules | None = None,
              written: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """One dict per submitted file: team, status, rows read / merged / rejected / skipped /
    superseded (rows of an older version that a newer one replaced; read = the four plus
    superseded, as in the run line and 来源明细), issues by severity, certain fixes, and the returned file's name. ``written``: the cells each
    returned workbook corrected (its 已更正 lines, after the write stage), which replace the
    count of ``fixes`` (a fix on a formula cell or a ticked-box list is not written)."""
    if files is None or not len(files):
        return []
    read = skipped = superseded = merged = rejected = {}
    src = source_rows if source_rows is not None else pd.DataFrame(columns=["src_file", "outcome", "row_id"])
    if len(src):
        read = _value_counts(src["src_file"])
        skipped = _value_counts(src.loc[src["outcome"] == OUTCOME_SKIPPED, "src_file"])
        superseded = _value_counts(src.loc[src["outcome"] == OUTCOME_SUPERSEDED, "src_file"])
        if links is not None and len(links) and "row_id" in src.columns:
            known = src[src["row_id"].notna()]
            by_row = pd.Series(known["src_file"].to_numpy(), index=known["row_id"].astype("int64").to_numpy())
            by_row = by_row[~by_row.index.duplicated()]
            ids = pd.to_numeric(links["row_id"], errors="coerce")
            file_of = pd.Series(by_row.reindex(ids.fillna(-1).astype("int64")).to_numpy(), index=links.index)
            merged = _value_counts(file_of[links["outcome"] == OUTCOME_MERGED].dropna())
            rejected = _value_counts(file_of[links["outcome"] == OUTCOME_REJECTED].dropna())
    by_sev: dict[tuple[str, str], int] = {}
    if issue_table is not None and len(issue_table):
        by_sev = {(str(f), str(s)): int(n) for (f, s), n in
                  issue_table.groupby(["file", "severity"]).size().items()}
    fixed = {**_fix_counts(fixes), **(written or {})}
    names = [str(f) for f in files["src_file"]]
    teams = file_teams(records, names, rules)
    out = []
    for rec in files.to_dict("records"):
        f = str(rec.get("src_file", ""))
        out.append({
            "file": f, "team": teams.get(f, UNKNOWN_TEAM), "status": _text(rec.get("status")),
            "layout": _text(rec.get("layout")), "sheets": _text(rec.get("sheets")), "message": _text(rec.get("message")),
            "read": int(read.get(f, 0)), "merged": int(merged.get(f, 0)), "rejected": int(rejected.get(f, 0)),
            "skipped": int(skipped.get(f, 0)), "superseded": int(superseded.get(f, 0)),
            **{sev: int(by_sev.get((f, sev), 0)) for sev in SEVERITIES},
            "fixed": int(fixed.get(f, 0)), "returned": (returned or {}).get(f, ""),
        })
    return out


def _by_field(part: pd.DataFrame) -> list[tuple[str, int]]:
    fields = part["field"].map(_text).replace("", FILE_LEVEL)
    return [[k, v] for k, v in sorted(_value_counts(fields).items(), key=lambda kv: (-kv[1], kv[0]))]


def team_rows(files: list[dict[str, Any]], issue_table: pd.DataFrame | None, rules: Rules) -> list[dict[str, Any]]:
    """Per team, worst first: the sums of its files' rows, errors and warnings by field, the
    提示 items and the cells the product fixed (neither counted against the team), errors per
    100 data rows, and what the steward sends back."""
    teams: dict[str, dict[str, Any]] = {}
    for f in files:
        t = teams.setdefault(f["team"], {"team": f["team"], "files": [], "read": 0, "merged": 0, "rejected": 0,
                                         "skipped": 0, "superseded": 0, "error": 0, "warning": 0, "info": 0, "fixed": 0})
        t["files"].append({k: f.get(k, 0) for k in ("file", "returned", "status", "message", "superseded",
                                                      "error", "warning", "info", "fixed")})
        for k in ("read", "merged", "rejected", "skipped", "superseded", *SEVERITIES, "fixed"):
            t[k] += f.get(k, 0)
    table = issue_table if issue_table is not None and len(issue_table) else None
    team_of = {f["file"]: f["team"] for f in files}
    if table is not None:
        table = table.assign(_team=table["file"].map(lambda x: team_of.get(_text(x), UNKNOWN_TEAM)))
    out = []
    for t in teams.values():
        part = table[table["_team"] == t["team"]] if table is not None else None
        for sev in ("error", "warning"):
            t[f"{sev}_fields"] = _by_field(part[part["severity"] == sev]) if part is not None else []
        rules_count = Counter()
        if part is not None:
            rules_count = Counter(_value_counts(part.loc[part["severity"] != "info", "rule"]))
        t["top_rules"] = [[code, rules.catalog[code].title if code in rules.catalog else code, n]
                          for code, n in rules_count.most_common(3)]
        rows = t["merged"] + t["rejected"]
        t["data_rows"] = rows
        t["errors_per100"] = t["error"] / rows * 100 if rows else None
        t["action"] = "退回修正" if t["error"] else ("建议核实" if t["warning"] else "无需处理")
        out.append(t)
    out.sort(key=lambda t: (-(t["errors_per100"] if t["errors_per100"] is not None else
                              (1e9 if t["error"] else 0)), -t["error"], -t["warning"], t["team"]))
    return out


# ----------------------------------------------------------------------------- completeness

def completeness_fields(rules: Rules) -> list[Any]:
    """The fields measured: ``report.completeness_fields`` (Chinese names) when set, else every
    field a customer type requires or recommends, or that is one of a required group."""
    wanted = [str(n) for n in rules.report_config.completeness_fields]
    fields = [f for f in rules.fields if not f.computed]
    if wanted:
        by_name = {f.name: f for f in fields}
        return [by_name[n] for n in wanted if n in by_name]
    return [f for f in fields if f.required or f.recommended or f.one_of]


def completeness(records: pd.DataFrame | None, team_of: Mapping[str, str], rules: Rules) -> dict[str, Any]:
    """Share of submitted rows with each field filled, per team and for the organisation. A
    field is measured only on rows of the customer types it applies to (required, recommended
    or group types; every row when the field names none)."""
    fields = completeness_fields(rules)
    empty = {"fields": [f.name for f in fields], "teams": [], "total": {}}
    if records is None or not len(records) or "src_file" not in records.columns:
        return empty
    teams = records["src_file"].map(lambda f: team_of.get(str(f), UNKNOWN_TEAM))
    ctype = records["customer_type"].map(_text) if "customer_type" in records.columns else pd.Series("", index=records.index)

    # per field, once: the rows it applies to and the rows that fill it
    applies_to = {f.key: ctype.isin(types) if (types := set(f.required) | set(f.recommended) | set(f.one_of_types))
                  else pd.Series(True, index=records.index) for f in fields}
    filled_in = {f.key: records[f.key].map(_text).ne("") for f in fields if f.key in records.columns}

    def measure(mask: pd.Series) -> dict[str, dict[str, Any]]:
        out = {}
        for f in fields:
            applies = mask & applies_to[f.key]
            n = int(applies.sum())
            filled = int((applies & filled_in[f.key]).sum()) if f.key in filled_in and n else 0
            out[f.name] = {"filled": filled, "rows": n, "share": filled / n if n else None}
        return out

    every = pd.Series(True, index=records.index)
    rows = [{"team": t, "rows": int((teams == t).sum()), "fields": measure(teams == t)} for t in sorted(set(teams))]
    return {"fields": [f.name for f in fields], "teams": rows, "total": measure(every)}


# ----------------------------------------------------------------------------- 未评定

def ungraded(customers: pd.DataFrame | None, rules: Rules) -> dict[str, Any]:
    """Why customers have no grade: per grade dimension (rules/grading.yaml), the customers left
    blank and the count by missing input (a customer missing two inputs counts under both)."""
    names = rules.field_names
    if customers is None or not len(customers):
        return {d.field: {"total": 0, "by_field": []} for d in rules.dimensions}
    out: dict[str, Any] = {}
    types = customers["customer_type"].tolist() if "customer_type" in customers.columns else [""] * len(customers)
    values: dict[str, list] = {}                  # column -> its values, read once (not a lookup per cell)
    for dim in rules.dimensions:
        blank = customers[dim.field].map(_text).eq("") if dim.field in customers.columns \
            else pd.Series(True, index=customers.index)
        missing: Counter = Counter()
        needed: dict[Any, Any] = {}               # customer type -> the inputs the dimension needs
        for pos in np.flatnonzero(blank.to_numpy()).tolist():
            kind = types[pos]
            keys = needed[kind] if kind in needed else needed.setdefault(kind, dim.needed(kind))
            for key in keys:
                if key not in customers.columns:
                    missing[names.get(key, key)] += 1
                    continue
                col = values[key] if key in values else values.setdefault(key, customers[key].tolist())
                if _number(col[pos]) is None:
                    missing[names.get(key, key)] += 1
        out[dim.field] = {"total": int(blank.sum()), "by_field": [[k, n] for k, n in missing.most_common()]}
    return out


# ----------------------------------------------------------------------------- trend

def team_counts(teams: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """What a month keeps per team in the history store for the trend."""
    return {t["team"]: {"rows": t["data_rows"], "error": t["error"], "warning": t["warning"], "info": t["info"],
                        "fixed": t["fixed"]} for t in teams}


def teams_missing(runs: pd.DataFrame | None, month: str, teams: Iterable[str]) -> list[dict[str, Any]]:
    """The teams that submitted in the latest earlier month of the history store (``runs``:
    month, counts with ``team_counts``) but sent nothing this month: team, that month, its data
    rows then. Teams without a name (未标明团队) are left out: they cannot be chased."""
    if runs is None or not len(runs):
        return []
    earlier = sorted((str(m), c) for m, c in zip(runs["month"], runs["counts"])
                     if str(m) < month and isinstance(c, Mapping) and c.get("team_counts"))
    if not earlier:
        return []
    last, counts = earlier[-1]
    now = set(teams)
    return [{"team": str(t), "last_month": last, "rows": int((v or {}).get("rows") or 0)}
            for t, v in sorted(counts["team_counts"].items())
            if t not in now and not str(t).startswith(UNKNOWN_TEAM)]


def trend(runs: pd.DataFrame | None, month: str, current: Mapping[str, Any]) -> dict[str, Any]:
    """Errors and warnings by month for the organisation and per team: the months of earlier
    runs (``runs``: month, counts as stored by the history store) and this month."""
    months: dict[str, Mapping[str, Any]] = {}
    if runs is not None and len(runs):
        for m, counts in zip(runs["month"], runs["counts"]):
            if str(m) != month and isinstance(counts, Mapping):
                months[str(m)] = counts
    months[month] = current
    order = sorted(months)
    org = []
    team_names: set[str] = set()
    for m in order:
        c = months[m]
        sev = c.get("issues_by_severity") or {}
        rows = int(c.get("merged_rows") or 0) + int(c.get("rejected_rows") or 0)
        org.append({"month": m, "rows": rows, "customers": int(c.get("customers") or 0),
                    **{s: int(sev.get(s, 0)) for s in SEVERITIES}})
        team_names |= set((c.get("team_counts") or {}).keys())
    teams = []
    for name in sorted(team_names):
        points = []
        for m in order:
            t = (months[m].get("team_counts") or {}).get(name)
            points.append({"month": m, **({k: int(v) for k, v in t.items()} if t else {})})
        teams.append({"team": name, "points": points})
    return {"months": order, "organisation": org, "teams": teams}
