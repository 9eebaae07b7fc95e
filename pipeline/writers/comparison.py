"""The ``与上次提交对比`` sheet of a returned workbook (docs/monthly.md, “Resubmissions”).

A file that :mod:`pipeline.resubmit` matched with a previous submission of the same team
gets, right after ``问题清单``, one row per comparison: 已修正 (green), 仍存在 (red),
未要求的变更 (yellow), with a link to the cell in this version, the value before and after
and a Chinese note. A match without any difference still gets the sheet, with one line
saying so. An old comparison sheet (a returned workbook sent back) is always removed first.
"""
from __future__ import annotations

from typing import Any, Mapping

import pandas as pd
from ..resubmit import STATUS_FIXED, STATUS_OPEN, STATUS_UNASKED
from .xlsx import is_blank
from .xlsxpatch import NewSheet, sheet_ref

DEFAULT_TITLE = "与上次提交对比"
HEADERS = ["状态", "工作表", "单元格", "客户名称", "字段", "上次的值", "本次的值", "说明", "规则代码", "上次提交"]
WIDTHS = [12, 14, 10, 28, 14, 24, 24, 60, 20, 28]
STATUS_FILL = {STATUS_FIXED: "fixed", STATUS_OPEN: "error", STATUS_UNASKED: "warning"}
NO_CHANGE = "与上次提交相比没有变化"


def comparison_sheet(rows: pd.DataFrame | None, titles: Mapping[str, str], previous: str,
                     title: str) -> NewSheet | None:
    """The sheet for a resubmission (None when the file is not one). ``titles``: sheet name in
    the comparison -> title in the returned workbook; ``previous``: how the previous
    submission is named (file and month)."""
    if rows is None:
        return None
    out, fills, links = [], {}, {}
    if not len(rows):
        out.append([None] * 7 + [NO_CHANGE, None, previous])
    for i, rec in enumerate(rows.itertuples(index=False)):
        target = titles.get(rec.src_sheet)
        sheet_name = target if target is not None else (rec.src_sheet or "")
        has_row = not is_blank(rec.src_row)
        has_cell = has_row and not is_blank(rec.column) and bool(rec.column)
        where = f"{rec.column}{int(rec.src_row)}" if has_cell else (f"第{int(rec.src_row)}行" if has_row else "")
        out.append([rec.status, sheet_name, where, rec.name, rec.field, rec.before, rec.after, rec.note, rec.rule,
                    f"{rec.previous_file}（{rec.previous_month}）" if rec.previous_file else previous])
        if rec.status in STATUS_FILL:
            fills[(i, 0)] = STATUS_FILL[rec.status]
        if has_row and target is not None:
            links[(i, 2)] = f"{sheet_ref(target)}!{where if has_cell else f'A{int(rec.src_row)}'}"
    return NewSheet(title, HEADERS, out, WIDTHS, fills, links)


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
