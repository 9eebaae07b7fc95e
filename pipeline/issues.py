"""Issues are data: one record type, one catalog, one tidy table.

Stages create :class:`Issue` values naming a rule code from the catalog
(`rules/issues/*.yaml`) and the parameters its templates need. Messages are rendered
from the templates here, never assembled at call sites. Every output that shows issues
(`issues.csv`, `问题清单` sheets, the HTML report) is a rendering of :func:`issues_frame`.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from dataclasses import field as _field  # `field` is shadowed by Issue.field in the class body
from typing import Any, Iterable, Mapping

import pandas as pd

from .rules import Rules
from .values import display as display_value  # noqa: F401  (writers import it from here)

#: the public column order of issues.csv (README “Output contract”)
ISSUE_COLUMNS = ["file", "sheet", "row", "column", "field", "rule", "severity", "value", "message", "suggestion"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class Issue:
    """One finding. ``field`` is the canonical field *key*; ``column`` (a letter) may be left
    empty and is then resolved from the intake column map by :func:`issues_frame`."""

    rule: str
    file: str = ""
    sheet: str = ""
    row: int | None = None
    field: str = ""
    value: Any = ""
    params: Mapping[str, Any] = _field(default_factory=dict)
    column: str = ""
    row_id: int | None = None


_CELL_REF = re.compile(r"^([A-Z]{1,3})([0-9]+)$")


def form_cell(cells: Any, field: str) -> tuple[int, str] | None:
    """(row, column letter) of ``field`` in a form record's ``src_cells`` ({key: "D2"}), else
    None: an issue about a form value points at the value's cell, not at the record's row."""
    ref = cells.get(field) if isinstance(cells, Mapping) else None
    m = _CELL_REF.match(ref) if isinstance(ref, str) else None
    return (int(m.group(2)), m.group(1)) if m else None


class _Lenient(dict):
    def __missing__(self, key: str) -> str:
        return ""


def render_template(template: str, values: Mapping[str, Any]) -> str:
    return string.Formatter().vformat(template, (), _Lenient(values))


def expand_detail(catalog: Mapping[str, Any], code: str, params: Mapping[str, Any]) -> Mapping[str, Any]:
    """``params`` with the sub-code in ``detail`` replaced by its sentence from the rule's
    catalog ``details`` (the sub-code kept as ``detail_code``). Expanding twice changes nothing.
    A detail that is no sub-code is shown as it is (a run never stops over a message);
    tests/test_rule_files.py keeps sentences out of the code."""
    rule = catalog.get(code)
    detail = params.get("detail")
    if rule is None or not rule.details or detail is None or "detail_code" in params:
        return params
    sentence = rule.details.get(detail)
    if sentence is None:
        return params
    values = {"detail_code": detail, **{k: display_value(v) for k, v in params.items() if k != "detail"}}
    return {**params, "detail": render_template(sentence, values), "detail_code": detail}


def render(issue: Issue, rules: Rules, customer_type: str = "") -> dict[str, Any]:
    """Render one issue into a row of the issue table (field given as its Chinese name)."""
    rule = rules.catalog.get(issue.rule)
    if rule is None:  # a bug, not a data problem: fail loudly in tests
        raise KeyError(f"rule code {issue.rule!r} is not in the issue catalog")
    names = rules.field_names
    fname = names.get(issue.field, issue.field)
    values = {"field": fname, "value": display_value(issue.value), **{k: display_value(v) for k, v in issue.params.items()}}
    values.setdefault("type", customer_type)
    values["detail"] = display_value(expand_detail(rules.catalog, issue.rule, issue.params).get("detail", ""))
    return {
        "file": issue.file, "sheet": issue.sheet, "row": issue.row, "column": issue.column,
        "field": fname, "rule": rule.code, "severity": rule.severity,
        "value": values["value"], "message": render_template(rule.message, values),
        "suggestion": render_template(rule.suggestion, values), "row_id": issue.row_id,
    }


def issues_frame(issues: Iterable[Issue], rules: Rules, columns: pd.DataFrame | None = None) -> pd.DataFrame:
    """The one issue table. ``columns`` (intake's column map: src_file, src_sheet, field, column)
    fills the column letter of issues that name a field but no column. Sorted by file, sheet,
    row, column so every rendering is stable."""
    rows = [render(i, rules) for i in issues]
    frame = pd.DataFrame(rows, columns=ISSUE_COLUMNS + ["row_id"])
    if frame.empty:
        return frame
    if columns is not None and not columns.empty:
        names = rules.field_names
        cmap = {(r.src_file, r.src_sheet, names.get(r.field, r.field)): r.column for r in columns.itertuples()}
        missing = frame["column"].fillna("") == ""
        frame.loc[missing, "column"] = [
            cmap.get((f, s, fl), "") if r is not None and r == r else ""
            for f, s, fl, r in zip(frame.loc[missing, "file"], frame.loc[missing, "sheet"],
                                   frame.loc[missing, "field"], frame.loc[missing, "row"])
        ]
    frame["row"] = frame["row"].astype("Int64")
    frame["_sev"] = frame["severity"].map(SEVERITY_ORDER)
    frame["_col"] = frame["column"].fillna("").map(lambda c: (len(c), c))
    frame = frame.sort_values(["file", "sheet", "row", "_col", "_sev", "rule"], na_position="first", kind="stable")
    return frame.drop(columns=["_sev", "_col"]).reset_index(drop=True)
