"""The data rows of a table, rendered once per distinct value into xlsxwriter's row stream.

Most cells of a run are written by :func:`pipeline.writers.xlsx.write_table` (客户主档 in
customers.xlsx and in every role view, 来源明细 …). Calling xlsxwriter once per cell costs
about 5 µs a cell, and most of that is the same work for the same value again and again:
escaping the text, finding the cell's style, formatting the number. Here each distinct value
of a column goes through the very code path write_table uses
(:func:`~pipeline.writers.xlsx.write_value`, recorded instead of written), and its ``<c>``
element is rendered once with xlsxwriter's own escaping, date conversion and number
formatting; a cell is then its reference plus that fragment, and whole rows go straight into
the worksheet's ``constant_memory`` row stream. Style indices are handed out in the order
xlsxwriter would hand them out (the first cell using a style, row by row), so the workbook
is byte for byte what cell-by-cell writing produces (tests/test_sheetrows.py compares them).

This leans on xlsxwriter internals (the row stream ``fh``, ``previous_row``,
``_check_dimensions``, ``_get_xf_index``), which is why xlsxwriter is pinned exactly in
pyproject.toml and the test above compares whole packages: an upgrade that changes them fails
there, and :func:`supported` sends any worksheet it does not recognise down the cell-by-cell
path.
"""
from __future__ import annotations

from fractions import Fraction
from itertools import zip_longest
from typing import Any, Callable, Sequence

from xlsxwriter.utility import _preserve_whitespace, _utf16_len, _utf16_truncate, xl_col_to_name

#: rows rendered at a time (the fragments of one chunk are held in memory)
CHUNK_ROWS = 20_000
#: distinct values remembered per column (a column of unique names gains nothing from more)
CACHE_VALUES = 50_000

_STRING, _NUMBER, _DATETIME = 0, 1, 2


class _Capture:
    """Stands in for a worksheet: remembers the one write call :func:`write_value` makes."""

    __slots__ = ("call",)

    def __init__(self) -> None:
        self.call = None

    def write_string(self, row, col, string, cell_format=None):
        self.call = (_STRING, string, cell_format)

    def write_number(self, row, col, number, cell_format=None):
        self.call = (_NUMBER, number, cell_format)

    def write_datetime(self, row, col, date, cell_format=None):
        self.call = (_DATETIME, date, cell_format)


def supported(ws) -> bool:
    """A constant_memory worksheet whose data rows carry no row settings of their own and
    whose header row is written (the only kind write_table makes)."""
    return (getattr(ws, "constant_memory", False) and getattr(ws, "fh", None) is not None
            and getattr(ws, "excel_version", None) == 2007
            and ws.default_row_height == ws.original_row_height
            and ws.dim_colmin is not None and hasattr(ws, "_write_single_row"))


def _call(value: Any, kind: str, fmt, write_value: Callable, clean: Callable, capture: _Capture):
    """What write_table would write for ``value``: (type, payload, cell format) or None."""
    if value.__class__ is str:
        return (_STRING, clean(value), None) if value else None
    if value is None:
        return None
    capture.call = None
    write_value(capture, 0, 0, value, kind, fmt)
    return capture.call


def _fragment(ws, call, col_format) -> str:
    """The ``<c>`` element after its ``r="…"`` reference, as xlsxwriter's ``_write_cell``
    writes it in constant_memory mode."""
    kind, payload, cell_format = call
    if kind == _DATETIME:
        payload = ws._convert_date_time(payload)
        cell_format = cell_format or ws.default_date_format
    style = cell_format or col_format
    attr = f' s="{style._get_xf_index()}"' if style is not None else ""
    if kind != _STRING:
        number = float(payload) if payload.__class__ is Fraction else payload
        return f'"{attr}><v>{number:.16G}</v></c>'
    string = payload
    if len(string) > ws.xls_strmax // 2 and _utf16_len(string) > ws.xls_strmax:
        string = _utf16_truncate(string, ws.xls_strmax)
    string = ws._escape_control_characters(string)
    if string.startswith("<r>") and string.endswith("</r>"):
        return f'"{attr} t="inlineStr"><is>{string}</is></c>'
    preserve = ' xml:space="preserve"' if _preserve_whitespace(string) else ""
    return f'"{attr} t="inlineStr"><is><t{preserve}>{ws._escape_data(string)}</t></is></c>'


def row_columns(rows: Sequence[Sequence[Any]]) -> Callable[[int, int], list]:
    """Columns of ``rows[lo:hi]`` (short rows padded with None), for :func:`write_rows`."""
    return lambda lo, hi: list(zip_longest(*rows[lo:hi]))


def write_rows(ws, n_rows: int, columns: Callable[[int, int], Sequence[Sequence[Any]]], kinds: Sequence[str],
               fmt, write_value: Callable, clean: Callable[[str], str], start: int = 1) -> None:
    """Write ``n_rows`` rows from worksheet row ``start`` on (the header row above is already
    written); ``columns(lo, hi)``: the values of rows lo…hi-1, column by column.
    ``write_value``/``clean``: the cell-by-cell writer's own functions."""
    ws._write_single_row(start)          # the header row goes out first, as the next write would do
    width = len(kinds)
    col_formats = [ws.col_info[j].column_format if j in ws.col_info else None for j in range(width)]
    prefixes = [f'<c r="{xl_col_to_name(j)}' for j in range(width)]
    caches: list[dict] = [{} for _ in range(width)]
    capture = _Capture()
    last = None
    for lo in range(0, n_rows, CHUNK_ROWS):
        chunk = columns(lo, min(lo + CHUNK_ROWS, n_rows))
        fresh: list[tuple[list, Any]] = []                # (entry, column format) rendered in this chunk
        unstyled: list[tuple[int, int, Any]] = []          # (row, col, style) of styles without an index yet
        entries_by_col = []
        for j, values in enumerate(chunk):
            cache, kind, out = caches[j], kinds[j], []
            append = out.append
            for i, v in enumerate(values):
                if v.__class__ is str:
                    if not v:
                        append(None)
                        continue
                    key = v
                elif v is None or (v.__class__ is float and v != v):
                    append(None)                  # write_value leaves a blank (NaN) out
                    continue
                else:
                    key = (v.__class__, v)
                    try:
                        hash(key)
                    except TypeError:
                        key = None
                entry = cache.get(key) if key is not None else None
                if entry is None:
                    call = _call(v, kind, fmt, write_value, clean, capture)
                    entry = [None, call] if call is not None else False
                    if call is not None:
                        style = call[2] or (ws.default_date_format if call[0] == _DATETIME else None) or col_formats[j]
                        fresh.append((entry, col_formats[j]))
                        if style is not None and style.xf_index is None:
                            unstyled.append((i, j, style))
                    if key is not None and len(cache) < CACHE_VALUES:
                        cache[key] = entry
                append(entry or None)
            entries_by_col.append(out)
        # style indices in xlsxwriter's order: the first cell using a style, row by row
        for _, _, style in sorted(unstyled, key=lambda t: (t[0], t[1])):
            style._get_xf_index()
        for entry, col_format in fresh:
            entry[0] = _fragment(ws, entry[1], col_format)
        write = ws.fh.write
        for i, cells in enumerate(zip(*entries_by_col)):
            r = str(start + lo + i + 1)
            parts = [p + r + e[0] for p, e in zip(prefixes, cells) if e is not None]
            if parts:
                write(f'<row r="{r}">{"".join(parts)}</row>')
                last = start + lo + i
    if last is not None:
        ws._check_dimensions(last, ws.dim_colmin)
        ws.previous_row = last
