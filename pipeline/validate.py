"""The validate stage: is the records frame shaped right, and are required fields filled?

A pandera schema is compiled from schemas/fields.yaml for the frame at hand (checks named by
their rule code, ``lazy=True``); one adapter turns ``SchemaErrors.failure_cases`` into
catalog issues. Value formats are normalize's business, not this stage's.

Required-ness is judged per row for the row's 客户类型, and only where the submission
has the column: a column missing from a file+sheet yields no per-row issues (intake
reports one ``column-missing``). Sheets without any entry in the column map (forms) are
treated as having every field.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from .issues import Issue, form_cell
from .model import StageResult
from .normalize.base import is_blank
from .rules import FieldDef, Rules, fold
from .values import to_int as _int

#: rule code of a one_of group (fields.yaml ``one_of``) when no member is filled
GROUP_RULE = "{group}-missing"
STRUCTURE_RULE = "type-invalid"


def _blank(series: pd.Series) -> np.ndarray:
    """Empty cells (None, NaN, blank text), judged once per distinct value."""
    codes, uniques = pd.factorize(series.astype(object), use_na_sentinel=True)
    flags = np.array([is_blank(u) for u in uniques] + [True], dtype=bool)
    return flags[codes]


def _present(records: pd.DataFrame, columns: pd.DataFrame | None) -> Callable[[str], np.ndarray]:
    """field key -> rows whose file+sheet has that column."""
    n = len(records)
    if columns is None or columns.empty or "src_file" not in records:
        return lambda key: np.ones(n, dtype=bool)
    sheets = records["src_sheet"] if "src_sheet" in records else pd.Series("", index=records.index)
    pairs = pd.Series(list(zip(records["src_file"], sheets)), index=records.index)
    codes, uniq = pd.factorize(pairs)
    mapped = {(f, s) for f, s in zip(columns["src_file"], columns["src_sheet"])}
    by_field: dict[str, set] = {}
    for f, s, k in zip(columns["src_file"], columns["src_sheet"], columns["field"]):
        by_field.setdefault(k, set()).add((f, s))

    def present(key: str) -> np.ndarray:
        have = by_field.get(key, set())
        flags = np.array([(p in have) or (p not in mapped) for p in uniq], dtype=bool)
        return flags[codes]

    return present


def _types(records: pd.DataFrame, rules: Rules) -> pd.Series:
    """客户类型 per row (canonical when it is a known synonym), judged per distinct value."""
    if "customer_type" not in records:
        return pd.Series("", index=records.index, dtype=object)
    synonyms = rules.enums.get("customer_type", {})
    codes, uniques = pd.factorize(records["customer_type"].astype(object), use_na_sentinel=True)
    canon = np.array([synonyms.get(fold(v), v) if not is_blank(v) else "" for v in uniques] + [""], dtype=object)
    return pd.Series(canon[codes], index=records.index, dtype=object)


def _need(kind: np.ndarray, types: tuple[str, ...]) -> np.ndarray:
    return np.isin(kind, list(types))


def _missing_check(rule: str, applies: np.ndarray, blank_of: Callable[[pd.Series], np.ndarray]) -> pa.Check:
    return pa.Check(lambda s: pd.Series(~(applies & blank_of(s)), index=s.index), name=rule,
                    ignore_na=False, error=rule)


def build_schema(records: pd.DataFrame, columns: pd.DataFrame | None, rules: Rules) -> pa.DataFrameSchema:
    """Compile the frame schema from schemas/fields.yaml for this frame and column map."""
    kind = _types(records, rules).to_numpy(dtype=object)
    present = _present(records, columns)
    checks: dict[str, list[pa.Check]] = {}
    fields: dict[str, FieldDef] = {f.key: f for f in rules.fields if f.key in records.columns and not f.computed}
    blanks: dict[str, np.ndarray] = {}

    def blank_of(key: str) -> Callable[[pd.Series], np.ndarray]:
        def get(s: pd.Series) -> np.ndarray:
            if key not in blanks:
                blanks[key] = _blank(s)
            return blanks[key]
        return get

    for key, f in fields.items():
        own = checks.setdefault(key, [])
        if f.required:
            own.append(_missing_check("required-missing", _need(kind, f.required) & present(key), blank_of(key)))
        if f.recommended:
            own.append(_missing_check("recommended-missing", _need(kind, f.recommended) & present(key),
                                      blank_of(key)))
    groups: dict[str, list[FieldDef]] = {}
    for f in rules.fields:
        if f.one_of and f.key in fields:
            groups.setdefault(f.one_of, []).append(f)
    for group, members in groups.items():
        types = members[0].one_of_types
        keys = [m.key for m in members]
        any_present = np.zeros(len(records), dtype=bool)
        for k in keys:
            any_present |= present(k)
        others = [k for k in keys[1:]]

        def group_blank(s: pd.Series, keys=keys, others=others) -> np.ndarray:
            out = blank_of(keys[0])(s).copy()
            for k in others:
                out &= (_blank(records[k]) | ~present(k))
            return out

        first = keys[0]
        checks[first].append(_missing_check(GROUP_RULE.format(group=group), _need(kind, types) & any_present,
                                             group_blank))
    schema_columns = {
        "row_id": pa.Column(int, pa.Check(lambda s: ~s.duplicated(), name="unique"), required=True),
        "src_file": pa.Column(str, required=True),
        "src_row": pa.Column(int, pa.Check.ge(1), required=True, nullable=True),
    }
    for key in fields:
        schema_columns[key] = pa.Column(nullable=True, required=False, checks=checks.get(key, []))
    return pa.DataFrameSchema(schema_columns, strict=False, ordered=False)


def failures_to_issues(failures: pd.DataFrame, records: pd.DataFrame, rules: Rules) -> list[Issue]:
    """The one adapter: pandera failure cases → catalog issues at file/sheet/row/field."""
    if failures is None or failures.empty:
        return []
    known = failures["check"].astype(str).isin(list(rules.catalog))
    out: list[Issue] = []
    for check, column, case in failures.loc[~known, ["check", "column", "failure_case"]].itertuples(index=False):
        # a contract failure of the frame itself (a bug upstream): reported, never fatal
        out.append(Issue(rule=STRUCTURE_RULE, field=str(column or ""), value=case,
                         params={"detail": f"{column}: {check}"}))
    cases = failures.loc[known]
    pos = records.index.get_indexer(cases["index"])
    cases, pos = cases[pos >= 0], pos[pos >= 0]
    kind = _types(records, rules).to_numpy(dtype=object)[pos]
    prov = {c: (records[c].to_numpy(dtype=object)[pos] if c in records else np.full(len(pos), "", dtype=object))
            for c in ("row_id", "src_file", "src_sheet", "src_row", "src_cells")}
    for rule, column, file, sheet, row, row_id, t, cells in zip(
            cases["check"].astype(str), cases["column"].astype(str), prov["src_file"], prov["src_sheet"],
            prov["src_row"], prov["row_id"], kind, prov["src_cells"]):
        at = form_cell(cells, column)             # a form's blank field: its value cell
        out.append(Issue(rule=rule, file=file, sheet=sheet, row=at[0] if at else _int(row), field=column, value="",
                         params={"type": t}, row_id=_int(row_id), column=at[1] if at else ""))
    return out


def validate_records(records: pd.DataFrame, columns: pd.DataFrame, rules: Rules) -> StageResult:
    """Structure and required-ness of the intake records; records are returned unchanged."""
    schema = build_schema(records, columns, rules)
    try:
        schema.validate(records, lazy=True, inplace=True)
        issues: list[Issue] = []
    except SchemaErrors as err:
        issues = failures_to_issues(err.failure_cases, records, rules)
    finally:
        # pandera keeps the schema of a frame validated in place in a module-level registry
        # until the frame dies, and the checks' closures hold the frame: the intake frame (and
        # every cell text read) lived to the end of the run, ~2 KB a row. An empty schema
        # takes the registry's place, so the frame dies when its last stage is done with it.
        records.pandera.add_schema(pa.DataFrameSchema())
        vars(records).pop("pandera", None)    # pandas caches the accessor on the frame: a cycle
    return StageResult(data={"records": records}, issues=tuple(issues))


