"""The 列映射 sheet of a returned workbook: how each column (or form label) of the team's
file was read — header, field (or extension column), how it was decided, sample values —
from intake's ``column_map`` (pipeline/model.py). The same table is in report.html."""
from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from .xlsx import text_of
from .xlsxpatch import NewSheet

DEFAULT_TITLE = "列映射"
HEADERS = ["工作表", "列", "表头", "字段", "判定方式", "示例值"]
WIDTHS = [14, 8, 22, 22, 16, 50]


def mapping_for(catalog: Mapping[str, Any], src_file: str) -> pd.DataFrame | None:
    """The ``column_map`` rows of one file, or None when intake mapped no column there."""
    frame = catalog.get("column_map")
    if not isinstance(frame, pd.DataFrame) or not len(frame):
        return None
    mine = frame[frame["src_file"] == src_file]
    return mine if len(mine) else None


def mapping_sheet(frame: pd.DataFrame | None, titles: Mapping[str, str], title: str = DEFAULT_TITLE) -> NewSheet | None:
    """``titles``: sheet name in the map -> title of that sheet in the returned workbook."""
    if frame is None or not len(frame):
        return None
    rows = [[titles.get(r.src_sheet, r.src_sheet), r.column, r.header, r.field, r.method, text_of(r.samples)]
            for r in frame.itertuples(index=False)]
    return NewSheet(title, HEADERS, rows, WIDTHS)
