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

import re
from fractions import Fraction
from itertools import zip_longest
from typing import Any, Callable, Sequence

from xlsxwriter.utility import _preserve_whitespace, _utf16_len, _utf16_truncate, xl_col_to_name

from ..parallel import between_chunks

#: rows rendered at a time (the fragments of one chunk are held in memory)
CHUNK_ROWS = 20_000
#: distinct values remembered per column (a column of unique names gains nothing from more)
CACHE_VALUES = 50_000
#: a column whose first chunk (of at least UNIQUE_FROM_ROWS rows) is more distinct values
#: than this share of its rows (names, phones, addresses) remembers none of them: they do
#: not come back in later chunks, and holding them cost memory in every writing process
UNIQUE_SHARE = 0.8
UNIQUE_FROM_ROWS = 1000

_STRING, _NUMBER, _DATETIME, _PLAIN = 0, 1, 2, 3

#: a text xlsxwriter writes as it is (no control character, nothing to escape, no leading or
#: trailing whitespace, no ``_xHHHH_``-like part, not long enough to be cut): most texts
_PLAIN_TEXT = re.compile(r"(?!\s)[^\x00-\x1f&<>\ufffe\uffff]*(?<!\s)")
_PLAIN_MAX = 8_000


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
    if kind == _PLAIN:
        style = col_format
        return (f'" s="{style._get_xf_index()}" t="inlineStr"><is><t>' if style is not None
                else '" t="inlineStr"><is><t>') + payload + "</t></is></c>"
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


#: stands for the row number inside a rendered cell or row (no cell text holds a NUL:
#: ``clean`` removes XML-illegal control characters before a text is rendered)
_ROW = "\x00"
_NONE = type(None)


def _keys(values: Sequence[Any], exact: bool) -> Sequence[Any]:
    """Cache keys of a column's values: the values themselves, or (class, value) where the
    column holds several non-text classes (1, 1.0 and True are equal keys of a dict)."""
    if not exact:
        return values
    return [v if v.__class__ is str else (v.__class__, v) for v in values]


def _hashable(key: Any) -> bool:
    try:
        hash(key)
    except TypeError:
        return False
    return True


_PLAIN_TAIL = "</t></is></c>"


def _plain_head(prefix: str, col_format) -> str | None:
    """A plain text's cell up to the text (see :func:`_fragment`), once the column's style has
    its index; None before (the index is handed out in row order by the general path)."""
    if col_format is not None and col_format.xf_index is None:
        return None
    style = f' s="{col_format.xf_index}"' if col_format is not None else ""
    return f'{prefix}"{style} t="inlineStr"><is><t>'


def _unique_cells(values: Sequence[Any], head: str | None) -> list[str] | None:
    """The rendered cells of a chunk of a column that keeps no cache (nearly a value per row),
    when every value is a plain text (:data:`_PLAIN_TEXT`) or blank; else None (the general
    path renders them). The same cells the general path renders, without its per-value steps.
    ``head``: :func:`_plain_head` of the column."""
    if head is None:
        return None
    tail = _PLAIN_TAIL
    plain = _PLAIN_TEXT.fullmatch
    cells = [head + v + tail if v.__class__ is str and v and len(v) <= _PLAIN_MAX and "_x" not in v and plain(v)
             else ("" if v is None or (v.__class__ is str and not v) else None) for v in values]
    return None if None in cells else cells


def write_rows(ws, n_rows: int, columns: Callable[[int, int], Sequence[Sequence[Any]]], kinds: Sequence[str],
               fmt, write_value: Callable, clean: Callable[[str], str], start: int = 1) -> None:
    """Write ``n_rows`` rows from worksheet row ``start`` on (the header row above is already
    written); ``columns(lo, hi)``: the values of rows lo…hi-1, column by column.
    ``write_value``/``clean``: the cell-by-cell writer's own functions.

    Each column's cache maps a value to its whole rendered cell, with :data:`_ROW` where the
    row number goes; the cells of a chunk are looked up a column at a time (``map``), joined a
    row at a time and the row number put in once per row, so no Python code runs per cell
    except for values first met (and NaN, which equals nothing)."""
    ws._write_single_row(start)          # the header row goes out first, as the next write would do
    width = len(kinds)
    col_formats = [ws.col_info[j].column_format if j in ws.col_info else None for j in range(width)]
    prefixes = [f'<c r="{xl_col_to_name(j)}{_ROW}' for j in range(width)]
    caches: list[dict] = [{None: "", "": ""} for _ in range(width)]
    classes: list[set] = [set() for _ in range(width)]       # non-text classes met per column
    remember = [True] * width                                  # False: the column keeps no cache
    capture = _Capture()
    write = ws.fh.write
    last = None
    for lo in range(0, n_rows, CHUNK_ROWS):
        between_chunks()
        chunk = columns(lo, min(lo + CHUNK_ROWS, n_rows))
        keys_by_col, extras = [], []
        fresh: list[tuple[int, Any, tuple, Any]] = []     # (column, key, call, column format), first met here
        unstyled: list[tuple[int, int, Any]] = []          # (row, col, style) of styles without an index yet
        for j, values in enumerate(chunk):
            head = _plain_head(prefixes[j], col_formats[j])
            if not remember[j]:
                cells = _unique_cells(values, head)
                if cells is not None:       # plain texts and blanks only: rendered here, no cache
                    keys_by_col.append(None)         # marks the column's cells as ready in extras
                    extras.append(cells)
                    continue
            met = classes[j]
            met.update(map(type, values))
            met.discard(str)
            met.discard(_NONE)
            keys = _keys(values, len(met) > 1)
            cache, extra = caches[j], {}
            try:
                found = list(map(cache.get, keys))
            except TypeError:                             # a list or a set among the values
                keys = [k if _hashable(k) else object() for k in keys]
                found = list(map(cache.get, keys))
            if None in found:
                for i, e in enumerate(found):
                    if e is not None:
                        continue
                    k = keys[i]
                    if k in extra:
                        continue
                    v = values[i]
                    if v.__class__ is float and v != v:   # NaN: write_value leaves a blank
                        continue
                    if v.__class__ is str and len(v) <= _PLAIN_MAX and "_x" not in v and _PLAIN_TEXT.fullmatch(v):
                        if head is not None:              # the whole cell at once
                            extra[k] = head + v + _PLAIN_TAIL
                            continue
                        call = (_PLAIN, v, None)
                    else:
                        call = _call(v, kinds[j], fmt, write_value, clean, capture)
                    if call is None:
                        extra[k] = ""
                        continue
                    style = call[2] or (ws.default_date_format if call[0] == _DATETIME else None) or col_formats[j]
                    if style is not None and style.xf_index is None:
                        unstyled.append((i, j, style))
                    extra[k] = None
                    fresh.append((j, k, call, col_formats[j]))
            keys_by_col.append(keys)
            extras.append(extra)
        # style indices in xlsxwriter's order: the first cell using a style, row by row
        for _, _, style in sorted(unstyled, key=lambda t: (t[0], t[1])):
            style._get_xf_index()
        for j, k, call, col_format in fresh:
            extras[j][k] = prefixes[j] + _fragment(ws, call, col_format)
        cells_by_col = []
        for j, keys in enumerate(keys_by_col):
            if keys is None:
                cells_by_col.append(extras[j])
                continue
            cache, extra = caches[j], extras[j]
            if lo == 0 and len(keys) >= UNIQUE_FROM_ROWS and len(extra) > UNIQUE_SHARE * len(keys):
                remember[j] = False          # (nearly) a value per row: later chunks would not meet them again
            room = CACHE_VALUES + 2 - len(cache)
            if extra and room > 0 and remember[j]:
                for k in list(extra)[:room]:
                    if k.__class__ is not object:        # not a stand-in for an unhashable value
                        cache[k] = extra.pop(k)
            cells = list(map(cache.get, keys))
            if None in cells:
                for i, e in enumerate(cells):
                    if e is None:
                        cells[i] = extra.get(keys[i], "")
            cells_by_col.append(cells)
        base = start + lo + 1
        for i, cells in enumerate(zip(*cells_by_col)):
            body = "".join(cells)
            if body:
                r = str(base + i)
                write(('<row r="' + _ROW + '">' + body + "</row>").replace(_ROW, r))
                last = base + i - 1
    if last is not None:
        ws._check_dimensions(last, ws.dim_colmin)
        ws.previous_row = last
