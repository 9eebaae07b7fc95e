"""Steward decisions on near duplicates, read back from 疑似重复 sheets (the review queue).

A workbook holding the review sheet (rules/merge.yaml ``review.sheet``) with its 决定 column
is a customers.xlsx the pipeline wrote, not a customer list: intake skips it as data
(:func:`is_review_workbook`) and :func:`read_review_decisions` — the stage before merge —
reads its decisions from, in this order (a later one wins on the same pair):

1. the history store (decisions remembered from earlier runs),
2. the previous month's ``output/<YYYY-MM>/customers.xlsx``,
3. this month's ``customers.xlsx`` (the steward filled in the sheet and runs the month again),
4. copies dropped into ``input/``.

The decisions reach the merge stage like the bulk ones of rules/merge.yaml
(:func:`pipeline.merge.review.decisions_from_rows`) and are saved in the history store with
the run.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable, Sequence

from openpyxl.utils import get_column_letter

from ..issues import Issue
from ..merge.review import combine_decisions, decisions_from_rows
from ..rule_types import ReviewSheet
from ..model import StageResult
from ..rules import Rules
from .readers import RawSheet, ReadError, read_workbook

_MONTH = re.compile(r"^\d{4}-\d{2}$")


def _review_sheet(sheets: Sequence[RawSheet], settings: ReviewSheet) -> RawSheet | None:
    for sheet in sheets:
        if sheet.name == settings.sheet and sheet.rows and settings.decision_column in [
                str(v or "").strip() for v in sheet.rows[0]]:
            return sheet
    return None


def is_review_workbook(sheets: Sequence[RawSheet], rules: Rules) -> bool:
    """Does this workbook hold a review sheet with its 决定 column?"""
    return _review_sheet(sheets, rules.merge.review) is not None


def decisions_in_sheets(sheets: Sequence[RawSheet], rules: Rules, note: str,
                        file: str = "") -> tuple[list[dict[str, str]], list[Issue]]:
    """The decisions of the review sheet among ``sheets``, and one warning
    ``merge-review-decision-unknown`` per 决定 cell it cannot read (``file``: the name shown)."""
    settings = rules.merge.review
    sheet = _review_sheet(sheets, settings)
    if sheet is None:
        return [], []
    header = [str(v or "").strip() for v in sheet.rows[0]]
    rows = ({h: v for h, v in zip(header, row) if h} for row in sheet.rows[1:])
    unknown: list[tuple[int, str]] = []
    found = decisions_from_rows(rows, settings, note, unknown)
    column = get_column_letter(header.index(settings.decision_column) + 1)
    issues = [Issue(rule="merge-review-decision-unknown", file=file or note, sheet=settings.sheet, row=n + 2,
                    column=column, value=value, params={"same": settings.same, "not_same": settings.not_same})
              for n, value in unknown]
    return found, issues


def _read(path: Path, rules: Rules) -> list[RawSheet]:
    kind = path.suffix.lower().lstrip(".")
    if kind not in ("xlsx", "xlsm") or not path.is_file():
        return []
    try:
        return read_workbook(path.read_bytes(), kind, rules, only={rules.merge.review.sheet})
    except (ReadError, OSError):
        return []


def _month_workbooks(output_dir: Path, month: str) -> list[tuple[str, Path]]:
    """(label, path) of the previous month's and this month's customers.xlsx, oldest first."""
    months = sorted(p.name for p in output_dir.iterdir() if p.is_dir() and _MONTH.match(p.name)) \
        if output_dir.is_dir() else []
    before = [m for m in months if m < month]
    picked = ([before[-1]] if before else []) + ([month] if month in months else [])
    return [(m, output_dir / m / "customers.xlsx") for m in picked]


def read_review_decisions(paths: Iterable[Path], history_path: Path | None, month: str,
                          decisions_known: Any, rules: Rules) -> StageResult:
    """The steward's 疑似重复 decisions for this run (see the module docstring)."""
    settings = rules.merge.review
    groups: list[list[dict[str, str]]] = [list(decisions_known or [])]
    issues: list[Issue] = []
    if history_path is not None:
        for label, path in _month_workbooks(Path(history_path).parent, month):
            found, unread = decisions_in_sheets(_read(path, rules), rules, f"{label} customers.xlsx",
                                                f"{label}/customers.xlsx")
            groups.append(found)
            issues.extend(unread)
    for path in paths or ():
        path = Path(path)
        sheets = _read(path, rules)
        if sheets and _review_sheet(sheets, settings) is not None:
            found, unread = decisions_in_sheets(sheets, rules, path.name)
            groups.append(found)
            issues.extend(unread)
            issues.append(Issue(rule="merge-review-file", file=path.name,
                                params={"sheet": settings.sheet, "count": len(found)}))
    return StageResult(data={"review_decisions": combine_decisions(*groups)}, issues=tuple(issues))
