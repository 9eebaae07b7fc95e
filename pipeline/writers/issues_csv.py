"""issues.csv (README “Output contract”): UTF-8 with BOM, the public issue columns, formulas neutralised."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from ..issues import ISSUE_COLUMNS
from .xlsx import is_blank, neutralise_csv, text_of


def _cell(column: str, value) -> str:
    if is_blank(value):
        return ""
    if column == "row":
        return str(int(value))
    return neutralise_csv(text_of(value))


def write_issues_csv(path: Path, issue_table: pd.DataFrame) -> Path:
    """Write the issue table; ``row`` is empty for file-level issues. Returns ``path``."""
    with Path(path).open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(ISSUE_COLUMNS)
        if issue_table is None or issue_table.empty:
            return Path(path)
        frame = issue_table.reindex(columns=ISSUE_COLUMNS)
        for values in frame.itertuples(index=False, name=None):
            writer.writerow([_cell(c, v) for c, v in zip(ISSUE_COLUMNS, values)])
    return Path(path)
