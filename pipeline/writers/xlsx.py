"""Shared cell helpers for every workbook the pipeline writes.

Nothing from a submission may become a formula (docs/security.md, “Nothing executes”): xlsxwriter workbooks are opened
with ``strings_to_formulas/urls/numbers`` off and every ``str`` goes through
``write_string``; openpyxl cells get ``data_type = "s"`` when their text starts with ``=``
(openpyxl would otherwise store it as a formula). Every text goes through :func:`clean_text`
(no XML-illegal control characters, at most 32 767 characters). CSV values are neutralised with a leading
apostrophe (the OWASP recommendation for CSV injection).
"""
from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from pathlib import Path
from typing import Any, Iterable, Sequence

import xlsxwriter
import xlsxwriter.workbook

from ..values import is_empty
from . import sheetrows

#: a cell text starting with one of these is a formula to Excel or LibreOffice
RISKY_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Excel refuses to open a file holding a longer cell text
EXCEL_MAX_CHARS = 32767
#: characters XML 1.0 cannot hold (openpyxl raises IllegalCharacterError on them)
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

DATE_FORMAT = "yyyy-mm-dd"
AMOUNT_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.0%"
SCORE_FORMAT = "0.0"

#: field type (schemas/fields.yaml) -> value kind used by the writers
KIND_BY_TYPE = {"date": "date", "amount": "amount", "rate": "percent", "score": "score",
                "years": "number"}


is_blank = is_empty   # a workbook keeps text of spaces: only a missing value or "" is blank here


def is_risky(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(RISKY_PREFIXES)


def clean_text(text: str) -> str:
    """Text any workbook can hold: XML-illegal control characters removed, cut at Excel's
    32 767-character cell limit (intake already flags longer cells with text-too-long)."""
    if _ILLEGAL_XML.search(text):
        text = _ILLEGAL_XML.sub("", text)
    return text[:EXCEL_MAX_CHARS] if len(text) > EXCEL_MAX_CHARS else text


def neutralise_csv(value: Any) -> Any:
    """CSV cell: prefix ``'`` to a text Excel would read as a formula."""
    return "'" + value if is_risky(value) else value


def as_date(value: Any) -> dt.date | None:
    """A real date from a date, datetime or pandas Timestamp; ``None`` otherwise."""
    if value.__class__ is str:          # the common case, first
        return None
    if is_blank(value):
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return value
    return None


def as_number(value: Any) -> float | None:
    if isinstance(value, bool) or is_blank(value):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:  # numpy scalars
        return float(value) if hasattr(value, "dtype") else None
    except (TypeError, ValueError):
        return None


def text_of(value: Any) -> str:
    """Display text of any value (lists and tuples joined with ；)."""
    if value.__class__ is str:          # the common case, first
        return value
    if is_blank(value):
        return ""
    if isinstance(value, (list, tuple, set, frozenset)):
        return "；".join(text_of(v) for v in value if not is_blank(v))
    d = as_date(value)
    if d is not None:
        return d.strftime("%Y-%m-%d")
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.10g}"
    return str(value)


def display_width(text: str) -> int:
    """Width in Excel character units, an estimate: Chinese characters and full-width forms
    count twice — their GB 18030 length, computed in C (a per-character Python loop cost
    a second per 10 000 comments). Only the first 1 000 characters count (every caller caps
    the width far below that)."""
    text = text[:1000]
    if text.isascii():
        return len(text)
    return len(text.encode("gb18030", errors="replace"))


def column_widths(headers: Sequence[str], rows: Iterable[Sequence[Any]], sample: int = 300,
                  minimum: int = 6, maximum: int = 50) -> list[int]:
    widths = [display_width(str(h)) + 2 for h in headers]
    seen: dict = {}                      # width per distinct value (a column repeats its values)
    for i, row in enumerate(rows):
        if i >= sample:
            break
        for j, v in enumerate(row[: len(widths)]):
            try:
                w = seen.get((v.__class__, v))
            except TypeError:            # a list
                w = None
            if w is None:
                w = 12 if as_date(v) is not None else display_width(text_of(v)) + 2
                try:
                    seen[(v.__class__, v)] = w
                except TypeError:
                    pass
            if w > widths[j]:
                widths[j] = w
    return [min(max(w, minimum), maximum) for w in widths]


# --- xlsxwriter -----------------------------------------------------------------------

#: zlib level of every workbook the pipeline writes. Level 1 deflates a sheet 2.6 times as
#: fast as zipfile's default (6) for a file about 23 % larger (an 88 MB 客户主档 sheet: 0.33 s
#: and 13.2 MB against 0.86 s and 10.7 MB); compressing was a sixth of the write stage.
ZIP_LEVEL = 1


class _ZipFile(zipfile.ZipFile):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("compresslevel", ZIP_LEVEL)
        super().__init__(*args, **kwargs)


class _Workbook(xlsxwriter.Workbook):
    """xlsxwriter's workbook, packaged at :data:`ZIP_LEVEL` (xlsxwriter has no option for it:
    its ``ZipFile`` is swapped for the call; xlsxwriter is pinned exactly in pyproject.toml)."""

    def _store_workbook(self) -> None:
        module = xlsxwriter.workbook
        saved, module.ZipFile = module.ZipFile, _ZipFile
        try:
            super()._store_workbook()
        finally:
            module.ZipFile = saved


def open_workbook(path: Path, constant_memory: bool = True) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook that never turns submitted text into formulas, links or numbers."""
    wb = _Workbook(str(path), {
        "constant_memory": constant_memory, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "default_date_format": DATE_FORMAT,
    })
    # fixed document dates keep the output deterministic (golden comparisons)
    wb.set_properties({"created": dt.datetime(2000, 1, 1), "author": "crm-pipeline"})
    return wb


class Formats:
    """The few cell formats every writer shares (created once per workbook)."""

    def __init__(self, wb: xlsxwriter.Workbook):
        self.header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                     "valign": "vcenter"})
        self.date = wb.add_format({"num_format": DATE_FORMAT})
        self.amount = wb.add_format({"num_format": AMOUNT_FORMAT})
        self.percent = wb.add_format({"num_format": PERCENT_FORMAT})
        self.score = wb.add_format({"num_format": SCORE_FORMAT})
        self.text = wb.add_format({"num_format": "@"})

    def for_kind(self, kind: str):
        return {"date": self.date, "amount": self.amount, "percent": self.percent, "score": self.score}.get(kind)


def write_value(ws, row: int, col: int, value: Any, kind: str, fmt: Formats) -> None:
    """Write one typed value: dates as dates, numbers as numbers, every text as text."""
    if is_blank(value):
        return
    if kind == "date":
        d = as_date(value)
        if d is not None:
            ws.write_datetime(row, col, d if isinstance(d, dt.datetime) else dt.datetime.combine(d, dt.time()),
                              fmt.date)
            return
    if kind in ("amount", "percent", "score", "number"):
        n = as_number(value)
        if n is not None and math.isfinite(n):
            ws.write_number(row, col, n, fmt.for_kind(kind))
            return
    if kind == "auto":
        d = as_date(value)
        if d is not None:
            ws.write_datetime(row, col, d if isinstance(d, dt.datetime) else dt.datetime.combine(d, dt.time()),
                              fmt.date)
            return
        n = as_number(value)
        if n is not None and math.isfinite(n) and not isinstance(value, bool):
            ws.write_number(row, col, n)
            return
    ws.write_string(row, col, clean_text(text_of(value)))


def _clean_cell(text: str) -> str:
    return clean_text(text) if _ILLEGAL_XML.search(text) or len(text) > EXCEL_MAX_CHARS else text


def write_rows_cellwise(ws, rows: Iterable[Sequence[Any]], kinds: Sequence[str], fmt: Formats) -> None:
    """The data rows one cell at a time (worksheets :mod:`.sheetrows` does not handle)."""
    write_string = ws.write_string
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row):
            # a text is written as text whatever the column kind (write_value would do the
            # same, only slower); blanks are skipped
            if v.__class__ is str:
                if v:
                    write_string(i, j, _clean_cell(v))
            elif v is not None:
                write_value(ws, i, j, v, kinds[j], fmt)


def write_table(wb: xlsxwriter.Workbook, fmt: Formats, name: str, headers: Sequence[str],
                rows: Iterable[Sequence[Any]] | None, kinds: Sequence[str] | None = None,
                columns: Any = None) -> None:
    """One sheet: styled frozen header, autofilter, widths, typed rows (in row order, so it
    works with constant_memory). Writes the header even when there are no rows. The data come
    as ``rows`` or as ``columns``: ``len(columns)`` rows, ``columns.chunk(lo, hi)`` their
    values column by column (:class:`pipeline.writers.master.FrameColumns`)."""
    kinds = list(kinds or ["auto"] * len(headers))
    ws = wb.add_worksheet(name)
    if columns is not None:
        n_rows, chunk = len(columns), columns.chunk
        sample = list(zip(*chunk(0, min(n_rows, 300)))) if n_rows else []
    else:
        rows = list(rows or ())
        n_rows, sample, chunk = len(rows), rows, sheetrows.row_columns(rows)
    for j, w in enumerate(column_widths(headers, sample)):
        ws.set_column(j, j, w, fmt.text if kinds[j] == "text" else None)
    ws.set_row(0, 30)
    for j, h in enumerate(headers):
        ws.write_string(0, j, clean_text(str(h)), fmt.header)
    if sheetrows.supported(ws):        # each distinct value rendered once (pipeline/writers/sheetrows.py)
        sheetrows.write_rows(ws, n_rows, chunk, kinds, fmt, write_value, _clean_cell)
    else:
        write_rows_cellwise(ws, rows if columns is None else zip(*chunk(0, n_rows)), kinds, fmt)
    ws.freeze_panes(1, 0)
    # printing: A4 landscape with the header row on every page; narrow tables fit one page
    # wide, wide ones (客户主档) keep a readable font size
    ws.set_paper(9)
    ws.set_landscape()
    ws.repeat_rows(0)
    if len(headers) <= 12:
        ws.fit_to_pages(1, 0)
    if headers:
        ws.autofilter(0, 0, max(n_rows, 1), len(headers) - 1)
    return ws


# --- openpyxl -------------------------------------------------------------------------

def set_cell(cell, value: Any) -> None:
    """Set an openpyxl cell so that submitted text can never become a formula."""
    if isinstance(value, str):
        cell.value = clean_text(value)
        cell.data_type = "s"
        return
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    cell.value = None if is_blank(value) else value
    if isinstance(value, (dt.date, dt.datetime)):
        cell.number_format = DATE_FORMAT
