"""Worksheet cells: only the ``<row>`` elements holding an edited cell are rewritten (value,
style index); every other byte of the sheet is copied. Text is written as inline strings
(``t="inlineStr"``), never as a formula; dates as serials of the workbook's date system."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence
from xml.sax.saxutils import escape

from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import WINDOWS_EPOCH, to_excel

from ..xlsx import as_date, as_number, clean_text, text_of
from .package import PatchUnsupported, raw_attrs, set_attr, start_tag
from .styles import Styles

_ROW_START = re.compile(r"<row\b([^>]*)>")
_R_ATTR = re.compile(r"\sr\s*=\s*[\"']([A-Z]*)(\d+)[\"']")
_CELL = re.compile(r"<c\b[^>]*?(?:/>|>.*?</c>)", re.S)
_COORD = re.compile(r"^([A-Z]{1,3})(\d+)$")
_ILLEGAL_OR_LONG = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\s\S]{32768}").search


@dataclass
class CellEdit:
    """What changes in one cell: a new value (``set_value``), a number format, a fill kind
    (key of the fill colours), a comment ``(text, width px, height px)``; ``clear_fill``:
    drop the fill an earlier return put on it."""
    value: Any = None
    set_value: bool = False
    number_format: str | None = None
    fill: str | None = None
    comment: tuple[str, int, int] | None = None
    clear_fill: bool = False


def split_coord(coord: str) -> tuple[int, int]:
    m = _COORD.match(coord)
    if not m:
        raise PatchUnsupported(f"cell {coord!r}")
    return int(m.group(2)), column_index_from_string(m.group(1))


def coord_of(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


def cell_xml(coord: str, value: Any, style: int | None, epoch: dt.datetime = WINDOWS_EPOCH) -> str:
    """One ``<c>``: numbers and dates as numbers (serials from the workbook's ``epoch``: 1900
    or 1904), every other value as an inline string."""
    s = f' s="{style}"' if style else ""
    d = as_date(value)
    if d is not None:
        d = d if isinstance(d, dt.datetime) else dt.datetime.combine(d, dt.time())
        return f'<c r="{coord}"{s}><v>{to_excel(d, epoch)!r}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{coord}"{s} t="b"><v>{int(value)}</v></c>'
    n = as_number(value)
    if n is not None and n == n and abs(n) != float("inf"):
        return f'<c r="{coord}"{s}><v>{n!r}</v></c>'
    return text_cell(coord, text_of(value), style)


def text_cell(coord: str, text: str, style: int | None) -> str:
    s = f' s="{style}"' if style else ""
    if _ILLEGAL_OR_LONG(text):
        text = clean_text(text)
    if text == "":
        return f'<c r="{coord}"{s}/>'
    return f'<c r="{coord}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def _edit_cell(old: str | None, coord: str, edit: CellEdit, styles: Styles, epoch: dt.datetime) -> str:
    tag = start_tag(old) if old else f'<c r="{coord}">'
    attrs = raw_attrs(tag)
    base = int(attrs.get("s", 0) or 0)
    if edit.clear_fill:
        base = styles.without_fill(base)
    style = styles.xf(base, edit.fill, None, edit.number_format) if (edit.fill or edit.number_format) else base
    if edit.set_value and not (old and re.search(r"<f\b", old)):
        return cell_xml(coord, edit.value, style, epoch)
    # a formula cell keeps its formula and cached result: the team's formula is never replaced
    # by our fixed value; the cell's note says what the value should be
    if old is None:
        return f'<c r="{coord}" s="{style}"/>'
    new_tag = set_attr(tag, "s", str(style) if style else None)
    return new_tag + old[len(tag):]


_COLUMNS: dict[str, int] = {}


def _column(letters: str) -> int:
    col = _COLUMNS.get(letters)
    if col is None:
        col = _COLUMNS[letters] = column_index_from_string(letters)
    return col


def _edit_row(row_xml: str | None, r: int, edits: Mapping[int, tuple[str, CellEdit]], styles: Styles,
              epoch: dt.datetime) -> str:
    """``row_xml`` (None: a new row) with the cells of ``edits`` (column -> (coord, edit)) changed."""
    if row_xml is None:
        head, body, tail = f'<row r="{r}">', "", "</row>"
    elif row_xml.endswith("/>") and row_xml.index(">") == len(row_xml) - 1:
        head, body, tail = row_xml[:-2].rstrip() + ">", "", "</row>"
    else:
        head = start_tag(row_xml)
        body, tail = row_xml[len(head): -len("</row>")], "</row>"
    out, pos, pending = [], 0, sorted(edits.items())
    for m in _CELL.finditer(body):
        if not pending:
            break
        ref = _R_ATTR.search(m.group(0), 0, m.group(0).find(">") + 1)
        if not ref or not ref.group(1):
            raise PatchUnsupported("cell without r")
        col = _column(ref.group(1))
        out.append(body[pos:m.start()])
        while pending and pending[0][0] < col:                  # new cells before this one
            _, (coord, edit) = pending.pop(0)
            out.append(_edit_cell(None, coord, edit, styles, epoch))
        if pending and pending[0][0] == col:
            _, (coord, edit) = pending.pop(0)
            out.append(_edit_cell(m.group(0), coord, edit, styles, epoch))
        else:
            out.append(m.group(0))
        pos = m.end()
    out.extend(_edit_cell(None, coord, edit, styles, epoch) for _, (coord, edit) in pending)
    out.append(body[pos:])
    if "spans" in head:                                    # spans are optional hints; drop a wrong one
        head = set_attr(head, "spans", None)
    return head + "".join(out) + tail


def patch_sheet_xml(xml: str, edits: Mapping[str, CellEdit], styles: Styles,
                    epoch: dt.datetime = WINDOWS_EPOCH) -> str:
    """The worksheet ``xml`` with ``edits`` (coordinate -> CellEdit) applied."""
    by_row: dict[int, dict[int, tuple[str, CellEdit]]] = {}
    for coord, edit in edits.items():
        r, c = split_coord(coord)
        by_row.setdefault(r, {})[c] = (coord, edit)
    m = re.search(r"<sheetData\b[^>]*?(/?)>", xml)
    if not m:
        raise PatchUnsupported("no sheetData")
    if m.group(1):                                              # <sheetData/>
        xml = xml[: m.start()] + "<sheetData>" + "</sheetData>" + xml[m.end():]
        start = end = m.start() + len("<sheetData>")
    else:
        start, end = m.end(), xml.index("</sheetData>", m.end())
    data = xml[start:end]
    out, pos, todo = [], 0, sorted(by_row)
    for rm in _ROW_START.finditer(data):
        if not todo:
            break
        ref = _R_ATTR.search(rm.group(1))
        if not ref or ref.group(1):
            raise PatchUnsupported("row without r")
        r = int(ref.group(2))
        while todo and todo[0] < r:                                 # rows the sheet does not have
            out.append(data[pos:rm.start()])
            pos = rm.start()
            out.append(_edit_row(None, todo[0], by_row[todo.pop(0)], styles, epoch))
        if todo and todo[0] == r:
            row_end = rm.end() if rm.group(1).endswith("/") else data.index("</row>", rm.end()) + len("</row>")
            out.append(data[pos:rm.start()])
            out.append(_edit_row(data[rm.start():row_end], r, by_row[todo.pop(0)], styles, epoch))
            pos = row_end
    out.append(data[pos:])
    out.extend(_edit_row(None, r, by_row[r], styles, epoch) for r in todo)
    return xml[:start] + "".join(out) + xml[end:]


def formula_cells(xml: str) -> set[str]:
    """Coordinates of the cells holding a formula (``<f>``) in a worksheet's XML."""
    out = set()
    for m in re.finditer(r"<f\b", xml):
        start = xml.rfind("<c ", 0, m.start())
        ref = _R_ATTR.search(xml, start, xml.find(">", start) + 1) if start >= 0 else None
        if ref and ref.group(1):
            out.add(ref.group(1) + ref.group(2))
    return out


def merged_ranges(xml: str) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col) of every merged range of a worksheet."""
    out = []
    for ref in re.findall(r"<mergeCell\b[^>]*\bref=\"([A-Z]+\d+):([A-Z]+\d+)\"", xml):
        (r0, c0), (r1, c1) = split_coord(ref[0]), split_coord(ref[1])
        out.append((r0, c0, r1, c1))
    return out


def anchor_of(coord: str, ranges: Sequence[tuple[int, int, int, int]]) -> str:
    """The top-left cell of the merged range holding ``coord`` (``coord`` itself otherwise)."""
    r, c = split_coord(coord)
    for r0, c0, r1, c1 in ranges:
        if r0 <= r <= r1 and c0 <= c <= c1:
            return f"{get_column_letter(c0)}{r0}"
    return coord
