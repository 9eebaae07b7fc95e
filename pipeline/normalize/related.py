"""The related tables (联系人, 互动记录, 需求与反馈, 维护计划) normalized and checked by the same
parsers as the master fields, column by column as schemas/related.yaml types them:
``2026年10月12日`` → a date, ``139 0571 6789`` → ``13905716789``, ``4分`` → 4, ``☑拜访`` → 拜访.

Every finding points at its cell (file, sheet, row, column from intake's ``src_cells``) and
names the column as ``表名·列名`` (``互动记录·互动日期``). Numbers and dates with an error are
left empty; text keeps the cleaned value. A certain change of what the cell shows becomes a
row of ``fixes`` with its ``cell``, so the returned workbook corrects it like a master field
(choice columns excepted: a form's ticked-box list would be lost; a cell a master field
already fixed is fixed once). The input frames are never modified.
"""
from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any, Callable, Mapping, Sequence

import pandas as pd

from ..issues import Issue, form_cell
from ..model import FIX_COLUMNS, StageResult
from ..related import RelatedColumn, related_schema
from ..rules import Rules
from .amounts import parse_score
from .base import Parsed, failed, is_blank, shown
from .columns import BLANK_ON_ERROR
from .compiled import Normalizers, compiled
from .dates import parse_date
from .emails import parse_email
from .enums import compile_enum
from .phones import LANDLINE, MOBILE, parse_phone
from .text import parse_name, parse_text
from ..values import to_int as _int

__all__ = ["normalize_related", "column_label"]


def column_label(table: str, column: str) -> str:
    """How an issue names a related-table column (its ``field``)."""
    return f"{table}·{column}"


def _phone(kind: str, rule: str, value: Any) -> Parsed:
    p = parse_phone(value)
    if p.kind in (MOBILE, LANDLINE):          # a landline in 手机号码 is still a number to call
        return Parsed(p.value)
    if p.masked:
        return failed(p.value, rule, detail="masked")
    return failed(p.value, rule, detail=p.detail or "unknown", **dict(p.detail_params))


def _parser(col: RelatedColumn, rules: Rules, n: Normalizers) -> Callable[[Any], Parsed]:
    low, high = n.score_range
    if col.type == "date":
        return partial(parse_date, settings=n.dates)
    if col.type == "score":
        return partial(parse_score, low=low, high=high)
    if col.type == "email":
        return parse_email
    if col.type == "mobile":
        return partial(_phone, MOBILE, "mobile-invalid")
    if col.type == "landline":
        return partial(_phone, LANDLINE, "phone-invalid")
    if col.type == "name":
        return parse_name
    if col.type == "enum" and col.enum in rules.enums:
        s = rules.config.normalize.enums
        return compile_enum(col.enum, rules.enums[col.enum], rules.enum_values[col.enum], None,
                            s.hint, s.no_hint, float(s.suggest_min_score))
    return partial(parse_text, max_length=n.text_max_length)


#: related column types whose certain fixes are not written back (a form's choice list)
_NOT_REWRITTEN = ("enum",)


class _Where:
    """Where a related cell is: file, sheet, row and column (the form cell when intake kept it)."""

    def __init__(self, frame: pd.DataFrame, table: str):
        self.table = table
        self.cells = frame["src_cells"].tolist() if "src_cells" in frame.columns else [None] * len(frame)
        self.prov = {c: frame[c].tolist() if c in frame.columns else [None] * len(frame)
                     for c in ("src_file", "src_sheet", "src_row", "row_id")}

    def cell(self, i: int, column: str) -> tuple[int, str] | None:
        return form_cell(self.cells[i], column) if isinstance(self.cells[i], Mapping) else None

    def issue(self, i: int, column: str, rule: str, value: Any, params: Mapping[str, Any]) -> Issue:
        at, p = self.cell(i, column), self.prov
        return Issue(rule=rule, file=p["src_file"][i] or "", sheet=p["src_sheet"][i] or "",
                     row=at[0] if at else _int(p["src_row"][i]), column=at[1] if at else "",
                     field=column_label(self.table, column), value=value, params=params, row_id=_int(p["row_id"][i]))


def _normalize_table(frame: pd.DataFrame, table: str, columns: tuple[RelatedColumn, ...], rules: Rules,
                     n: Normalizers, issues: list[Issue], fixes: list[dict]) -> pd.DataFrame:
    out = frame.copy()
    where = _Where(frame, table)
    prov = where.prov
    for col in columns:
        if col.name not in frame.columns:
            continue
        parse = _parser(col, rules, n)
        cache: dict[Any, Parsed] = {}
        values = []
        for i, raw in enumerate(frame[col.name].tolist()):
            if is_blank(raw):
                values.append(None)
                continue
            try:
                p = cache[raw] if raw in cache else cache.setdefault(raw, parse(raw))
            except TypeError:                      # unhashable cell value
                p = parse(raw)
            error = any(n.severity(f.rule) == "error" for f in p.findings)
            values.append(None if error and col.type in BLANK_ON_ERROR else p.value)
            at = where.cell(i, col.name)
            if at and p.certain and col.type not in _NOT_REWRITTEN and shown(raw) != shown(p.value):
                fixes.append({"row_id": _int(prov["row_id"][i]), "src_file": prov["src_file"][i] or "",
                              "src_sheet": prov["src_sheet"][i] or "", "src_row": at[0],
                              "field": column_label(table, col.name), "original": raw, "fixed": p.value,
                              "cell": f"{at[1]}{at[0]}"})
            issues.extend(where.issue(i, col.name, f.rule, raw, f.params) for f in p.findings)
        out[col.name] = pd.Series(values, index=frame.index, dtype=object)
    return out


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _check_dates(out: pd.DataFrame, frame: pd.DataFrame, table: str, columns: tuple[RelatedColumn, ...],
                 record_dates: Mapping[str, Mapping[int, Any]], rules: Rules, as_of: dt.date,
                 issues: list[Issue]) -> None:
    """The date checks of the master fields on the date columns schemas/related.yaml marks:
    ``past`` (a date after the as-of date is ``date-future``) and ``not_before`` (earlier than the
    customer's field or the row's own column is ``date-order``)."""
    where = _Where(frame, table)
    row_ids = where.prov["row_id"]
    for col in columns:
        if col.name not in out.columns or not (col.past or col.not_before):
            continue
        for i, value in enumerate(map(_day, out[col.name].tolist())):
            if value is None:
                continue
            if col.past and value > as_of:
                issues.append(where.issue(i, col.name, "date-future", value, {"as_of": as_of}))
            for other in col.not_before:
                if other in out.columns:
                    before, name = out[other].iat[i], column_label(table, other)
                else:
                    before, name = record_dates.get(other, {}).get(_int(row_ids[i])), rules.field_names.get(other, other)
                before = _day(before)
                if before is not None and value < before:
                    issues.append(where.issue(i, col.name, "date-order", value,
                                              {"other": name, "other_value": before}))


def normalize_related(related: Mapping[str, pd.DataFrame] | None, rules: Rules, as_of: dt.date,
                      contacts: pd.DataFrame | None = None, fixes: pd.DataFrame | None = None,
                      records: pd.DataFrame | None = None, issues: Sequence[Issue] = ()) -> StageResult:
    """Every related table with canonical values, the issues of its cells, and ``fixes``: the
    master's (from normalize) followed by the related cells' certain fixes (column ``cell``).
    ``contacts`` (from normalize: further names written in one 联系人 cell of a list) join the
    联系人 table; ``records`` (``src_cells``) tell which cells the master's fixes already hold, and
    the run's ``issues`` which cell already has a finding (a form cell that fills both the master
    field and the table gets it once)."""
    n = compiled(rules)
    held = {(i.file, i.sheet, i.row, i.column, i.rule) for i in issues if i.column}
    issues = []
    found: list[dict] = []
    out: dict[str, pd.DataFrame] = {}
    schema = related_schema(rules)
    related = dict(related or {})
    table = schema.table(schema.record_fields().get(n.values.contact_field, ("", ""))[0])
    if contacts is not None and not contacts.empty and table is not None:
        base = related.get(table.name)
        related[table.name] = contacts if base is None or base.empty else pd.concat([base, contacts], ignore_index=True)
    wanted = {k for t in schema.tables for c in t.columns for k in c.not_before}
    dates = {k: dict(zip(map(_int, records["row_id"]), records[k])) for k in wanted
             if records is not None and k in records.columns and "row_id" in records.columns}
    for name, frame in (related or {}).items():
        table = schema.table(name)
        if table is None or frame is None or frame.empty:
            out[name] = frame
            continue
        out[name] = _normalize_table(frame, name, table.columns, rules, n, issues, found)
        _check_dates(out[name], frame, name, table.columns, dates, rules, as_of, issues)
    issues = [i for i in issues if (i.file, i.sheet, i.row, i.column, i.rule) not in held]
    return StageResult(data={"related": out, "fixes": _with_related_fixes(fixes, found, records)},
                       issues=tuple(issues))


def _with_related_fixes(fixes: pd.DataFrame | None, found: list[dict], records: pd.DataFrame | None) -> pd.DataFrame:
    """The master's fixes, then the related cells' ones whose cell no master fix holds."""
    base = fixes if fixes is not None else pd.DataFrame(columns=FIX_COLUMNS)
    if not found:
        return base
    held: set[tuple[str, str, str]] = set()
    if len(base) and records is not None and "src_cells" in records.columns:
        cells = {int(r): c for r, c in zip(records["row_id"], records["src_cells"]) if isinstance(c, Mapping)}
        for rid, f, s, key in zip(base["row_id"], base["src_file"], base["src_sheet"], base["field"]):
            at = form_cell(cells.get(_int(rid)), key) if _int(rid) is not None else None
            if at:
                held.add((f, s, f"{at[1]}{at[0]}"))
    extra = pd.DataFrame([f for f in found if (f["src_file"], f["src_sheet"], f["cell"]) not in held],
                         columns=[*FIX_COLUMNS, "cell"])
    return pd.concat([base, extra], ignore_index=True) if len(base) else extra
