"""Sheet models and the two writers (xlsx via XlsxWriter, CSV in GB18030).

Writers are deterministic: fixed document properties, no timestamps, rows in order
(XlsxWriter's ``constant_memory`` mode keeps big files fast and small in memory).
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter

from .messy import Formula

CREATED = dt.datetime(2026, 11, 28, 9, 30, 0)
EXCEL_EPOCH = dt.date(1899, 12, 30).toordinal()


@dataclass
class SheetModel:
    name: str
    rows: list[tuple[str, list[Any]]] = field(default_factory=list)   # (style, cells)
    merges: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # row0 -> [(col0, col1)]
    widths: list[float] = field(default_factory=list)
    col_formats: dict[int, str] = field(default_factory=dict)   # number format per column
    freeze: tuple[int, int] | None = None

    def add(self, style: str, cells: list[Any], merge_to: int | None = None) -> int:
        """Append a row; returns the Excel row number (1-based) a person sees."""
        self.rows.append((style, cells))
        if merge_to is not None:
            self.merges.setdefault(len(self.rows) - 1, []).append((0, merge_to))
        return len(self.rows)


@dataclass
class FileModel:
    name: str
    sheets: list[SheetModel]
    author: str = ""
    title: str = ""


def col_letter(index: int) -> str:
    """0-based column index -> Excel letters."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


STYLES = {
    "title": {"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"},
    "note": {"italic": True, "font_color": "#7F7F7F"},
    "header": {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"},
    "section": {"bold": True, "bg_color": "#FCE4D6"},
    "total": {"bold": True, "top": 1},
    "sign": {"italic": True},
}
NUMBER_FORMATS = {"date": "yyyy-mm-dd", "percent": "0%", "money": "#,##0.00", "wan": "0.00", "score": "0.0"}


def write_xlsx(path: Path, model: FileModel) -> None:
    big = sum(len(s.rows) for s in model.sheets) > 2000
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": big, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": model.title, "author": model.author, "company": "示例销售有限公司",
                       "created": CREATED})
    row_fmt = {k: wb.add_format(v) for k, v in STYLES.items()}
    num_fmt = {k: wb.add_format({"num_format": v}) for k, v in NUMBER_FORMATS.items()}
    for sheet in model.sheets:
        ws = wb.add_worksheet(sheet.name)
        for i, w in enumerate(sheet.widths):
            ws.set_column(i, i, w)
        if sheet.freeze:
            ws.freeze_panes(*sheet.freeze)
        for r, (style, cells) in enumerate(sheet.rows):
            fmt = row_fmt.get(style)
            merged = sheet.merges.get(r, ())
            for c0, c1 in merged:
                value = cells[c0] if c0 < len(cells) else ""
                ws.merge_range(r, c0, r, c1, "" if value is None else str(value), fmt)
            skip = {c for c0, c1 in merged for c in range(c0, c1 + 1)}
            for c, value in enumerate(cells):
                if value is None or c in skip:
                    continue
                _write_cell(ws, r, c, value, fmt, num_fmt, sheet.col_formats.get(c))
    wb.close()


def _write_cell(ws, r: int, c: int, value: Any, fmt, num_fmt, col_format: str | None) -> None:
    if isinstance(value, Formula):
        ws.write_formula(r, c, value.expr, fmt or num_fmt.get(col_format or "money"), value.value)
    elif isinstance(value, str):
        ws.write_string(r, c, value, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value, fmt or (num_fmt[col_format] if col_format else None))
    elif isinstance(value, dt.date):        # a date cell: Excel serial number + date format
        ws.write_number(r, c, value.toordinal() - EXCEL_EPOCH, num_fmt["date"])
    else:
        ws.write_string(r, c, str(value), fmt)


def write_csv(path: Path, model: FileModel) -> None:
    """One sheet as a GB18030 CSV (what Excel on a Chinese Windows saves)."""
    with path.open("w", encoding="gb18030", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        for _, cells in model.sheets[0].rows:
            writer.writerow(["" if v is None else _csv_text(v) for v in cells])


def _csv_text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    return str(value)
