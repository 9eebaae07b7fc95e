"""A .csv/.xls/.ods/.et submission rebuilt as an .xlsx of its values (docs/outputs.md,
“Returned workbooks”: ``rebuilt``), written with xlsxwriter and then annotated by the part-by-part
patcher like any .xlsx. Sheets without merged ranges or booleans (every CSV) are streamed
(constant_memory), each distinct value rendered once as in the master (:mod:`.sheetrows`); the
others are written cell by cell. Loading the values into openpyxl and saving them cost about
eight times as much (bench/README.md); the openpyxl rebuild (:mod:`.returns_openpyxl`) stays the fallback
for what this does not handle (two sheets with one title, overlapping merges, a hidden first
sheet).

The rebuilt sheets read like the team's: values as intake read them (text stays text, dates
are dates), merged ranges kept, columns as wide as their text, the header row frozen and
filtered (the row above the first data row of a list sheet).
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from ..intake.readers import ReadError, read_sheets
from ..rules import Rules
from . import sheetrows
from .dropdowns import first_data_row
from .returns_openpyxl import _sheet_title as sheet_title
from .xlsx import Formats, as_date, clean_text, column_widths, is_blank, open_workbook, text_of


class NotRebuilt(Exception):
    """The values cannot be rebuilt here; the openpyxl rebuild takes over."""


def _write(ws, r: int, c: int, value: Any, fmt: Formats) -> None:
    if isinstance(value, str):
        ws.write_string(r, c, clean_text(value))
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value)
    elif as_date(value) is not None:
        d = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
        ws.write_datetime(r, c, d, fmt.date)
    elif isinstance(value, (int, float)) and math.isfinite(value):
        ws.write_number(r, c, value)
    else:
        ws.write_string(r, c, clean_text(text_of(value)))


def _typed(ws, r: int, c: int, value: Any, kind: str, fmt: Formats) -> None:
    """:func:`_write` as :func:`pipeline.writers.sheetrows.write_rows` calls a writer (``kind``
    unused: the value's own type decides, as in :func:`_write`)."""
    _write(ws, r, c, value, fmt)


def _streamable(sheets: list) -> bool:
    """Sheets written row by row through the renderer of distinct values (constant_memory): no
    merged range (a merge is written with its first cell) and no boolean (the renderer writes
    texts, numbers and dates)."""
    return not any(getattr(raw, "merged", None) for raw in sheets) and \
        not any(v.__class__ is bool for raw in sheets for row in raw.rows or () for v in row)


def _write_rows(ws, grid: list[list], fmt: Formats) -> None:
    """The first row cell by cell, the others each distinct value rendered once (the cells are
    those :func:`_write` writes)."""
    for c, v in enumerate(grid[0] if grid else ()):
        if v is not None:
            _write(ws, 0, c, v, fmt)
    if len(grid) > 1 and sheetrows.supported(ws):
        width = max(len(g) for g in grid)
        sheetrows.write_rows(ws, len(grid) - 1, sheetrows.row_columns(grid[1:]), ["value"] * width, fmt,
                             _typed, clean_text)
        return
    for r, row in enumerate(grid[1:], start=1):
        for c, v in enumerate(row):
            if v is not None:
                _write(ws, r, c, v, fmt)


def rebuild_values(src: Path, dest: Path, rules: Rules, columns: pd.DataFrame | None,
                   stem: str | None = None) -> Mapping[str, str]:
    """Write the values of ``src`` as an .xlsx at ``dest``; returns sheet name as intake
    knows it -> its title. ``stem``: the submitted file's name without suffix, the title of a
    csv's one sheet (``src`` may be the ledger's copy, named by its hash). Raises :class:`NotRebuilt`."""
    suffix = src.suffix.lower()
    kind = {".csv": "csv", ".ods": "ods"}.get(suffix, "xls")      # .ods: intake reads its merged ranges
    try:
        sheets = read_sheets(src.read_bytes(), kind, rules)
    except (ReadError, OSError) as exc:
        raise NotRebuilt(str(exc)) from exc
    titles = {raw.name: sheet_title(raw.name, stem or src.stem) for raw in sheets}
    if not sheets or len({t.lower() for t in titles.values()}) < len(sheets) or not sheets[0].visible:
        raise NotRebuilt("titles")
    streamed = _streamable(sheets)
    wb = open_workbook(dest, constant_memory=streamed)
    fmt = Formats(wb)
    try:
        for raw in sheets:
            ws = wb.add_worksheet(titles[raw.name])
            if not raw.visible:
                ws.hide()
            if streamed:
                grid = [[None if is_blank(v) else v for v in row] for row in raw.rows or ()]
                _write_rows(ws, grid, fmt)
            else:
                covered = set()
                for (r0, c0), (r1, c1) in getattr(raw, "merged", None) or ():
                    ws.merge_range(r0, c0, r1, c1, "")
                    covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - {(r0, c0)}
                grid = []
                for r, row in enumerate(raw.rows or ()):
                    kept = [None if (r, c) in covered or is_blank(v) else v for c, v in enumerate(row)]
                    for c, v in enumerate(kept):
                        if v is not None:
                            _write(ws, r, c, v, fmt)
                    grid.append(kept)
            width = max([len(g) for g in grid] + [c1 + 1 for _, (_, c1) in (getattr(raw, "merged", None) or ())] + [0])
            height = max([len(grid)] + [r1 + 1 for _, (r1, _) in (getattr(raw, "merged", None) or ())])
            if not width:
                continue
            for j, w in enumerate(column_widths([""] * width, grid)):
                ws.set_column(j, j, w)
            first = first_data_row(columns, raw.name)
            if first and first > 1:
                ws.freeze_panes(first - 1, 0)
                ws.autofilter(first - 2, 0, max(height, first) - 1, width - 1)
    except Exception as exc:  # noqa: BLE001 — overlapping merges, a sheet xlsxwriter refuses
        wb.close()
        dest.unlink(missing_ok=True)
        raise NotRebuilt(f"{type(exc).__name__}: {exc}") from exc
    wb.close()
    return titles
