"""The ``与上次提交对比`` sheet of a returned workbook (issue 8, resubmissions).

A file that :mod:`pipeline.resubmit` matched with a previous submission of the same team
gets, right after ``问题清单``, one row per comparison: 已修正 (green), 仍存在 (red),
未要求的变更 (yellow), with a link to the cell in this version, the value before and after
and a Chinese note. A match without any difference still gets the sheet, with one line
saying so. An old comparison sheet (a returned workbook sent back) is always removed first.
"""
from __future__ import annotations

from typing import Any, Mapping

import pandas as pd
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from ..resubmit import STATUS_FIXED, STATUS_OPEN, STATUS_UNASKED
from .xlsx import is_blank, set_cell, text_of

DEFAULT_TITLE = "与上次提交对比"
HEADERS = ["状态", "工作表", "单元格", "客户名称", "字段", "上次的值", "本次的值", "说明", "规则代码", "上次提交"]
WIDTHS = [12, 14, 10, 28, 14, 24, 24, 60, 20, 28]
STATUS_FILL = {STATUS_FIXED: "fixed", STATUS_OPEN: "error", STATUS_UNASKED: "warning"}
NO_CHANGE = "与上次提交相比没有变化"


def add_comparison_sheet(wb, sheets: Mapping[str, Any], rows: pd.DataFrame | None, previous: str,
                         title: str, fills: Mapping[str, PatternFill]) -> None:
    """Replace any old ``title`` sheet; when ``rows`` is not None add it as the second sheet
    (after 问题清单). ``previous``: how the previous submission is named (file and month)."""
    if title in wb.sheetnames:
        del wb[title]
    if rows is None:
        return
    ws = wb.create_sheet(title, min(1, len(wb.sheetnames)))
    ws.sheet_view.tabSelected = False
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    for j, h in enumerate(HEADERS, start=1):
        c = ws.cell(1, j, h)
        c.font, c.fill = bold, head_fill
    link_font = Font(color="0563C1", underline="single")
    if not len(rows):
        set_cell(ws.cell(2, 8), NO_CHANGE)
        set_cell(ws.cell(2, 10), previous)
    for i, rec in enumerate(rows.itertuples(index=False), start=2):
        target = sheets.get(rec.src_sheet)
        sheet_name = target.title if target is not None else (rec.src_sheet or "")
        has_row = not is_blank(rec.src_row)
        has_cell = has_row and not is_blank(rec.column) and bool(rec.column)
        where = f"{rec.column}{int(rec.src_row)}" if has_cell else (f"第{int(rec.src_row)}行" if has_row else "")
        values = [rec.status, sheet_name, where, rec.name, rec.field, rec.before, rec.after, rec.note, rec.rule,
                  f"{rec.previous_file}（{rec.previous_month}）" if rec.previous_file else previous]
        for j, v in enumerate(values, start=1):
            if not is_blank(v) and text_of(v) != "":
                set_cell(ws.cell(i, j), text_of(v))
        fill = fills.get(STATUS_FILL.get(rec.status, ""))
        if fill is not None:
            ws.cell(i, 1).fill = fill
        if has_row and target is not None:
            cell = ws.cell(i, 3)
            quoted = "'" + target.title.replace("'", "''") + "'"
            anchor = where if has_cell else f"A{int(rec.src_row)}"
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"{quoted}!{anchor}")
            cell.font = link_font
    for j, w in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.freeze_panes = "A2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{max(len(rows) + 1, 2)}"


def comparison_for(catalog: Mapping[str, Any], src_file: str) -> tuple[pd.DataFrame | None, str]:
    """The comparison rows of one file and the name of its previous submission; ``(None, "")``
    when the file is not a resubmission."""
    subs = catalog.get("submissions")
    if not isinstance(subs, pd.DataFrame) or not len(subs) or "previous_file" not in subs.columns:
        return None, ""
    mine = subs[(subs["src_file"] == src_file) & (subs["previous_file"].fillna("") != "")]
    if not len(mine):
        return None, ""
    prev = mine.iloc[0]
    frame = catalog.get("resubmission")
    if not isinstance(frame, pd.DataFrame) or not len(frame):
        rows = pd.DataFrame(columns=list(frame.columns) if isinstance(frame, pd.DataFrame) else [])
    else:
        rows = frame[frame["src_file"] == src_file]
    return rows.reset_index(drop=True), f"{prev['previous_file']}（{prev['previous_month']}）"
