"""A formula that only points at another cell (``='李娜'!H3``, ``=B7``) shows 0 when that cell is
empty: Excel and LibreOffice cache 0, and a 汇总 sheet built from per-rep sheets would turn every
blank amount or date into 0. Such a cell is read as empty when the cell it points at is empty
in the same workbook (xlsx/xlsm only: the formulas are in the sheet XML; shared formulas filled
down are followed by their offset)."""
from __future__ import annotations

import html
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable

_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.DOTALL)
_F = re.compile(rb'<f([^>]*?)(?:/>|>([^<]*)</f>)')
_V_ZERO = re.compile(rb'<v>\s*0\s*</v>')
_SI = re.compile(rb'\bsi="(\d+)"')
_TYPE = re.compile(rb'\bt="([^"]*)"')
_REF = re.compile(r"^=?(?:(?:'((?:[^']|'')+)'|([^\s!'()=+\-*/&^,;:<>]+))!)?(\$?)([A-Z]{1,3})(\$?)(\d+)$")
_NO_VALUE = re.compile(
    rb'<c r="([A-Z]{1,3})(\d+)"([^>]*)>\s*(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)\s*(<v\s*/>|<v>\s*</v>)?\s*</c>')

#: per sheet name, (row0, col0) of a cell caching 0 from a plain reference -> (sheet, row0, col0) it points at
ZeroRefs = dict[str, dict[tuple[int, int], tuple[str, int, int]]]


@dataclass
class FormulaScan:
    """What one pass over an xlsx package's sheets found: per sheet name, the formula cells
    without a cached value (``no_value``) and the plain references caching 0 (``zeros``)."""

    no_value: dict[str, set[tuple[int, int]]] = field(default_factory=dict)
    zeros: ZeroRefs = field(default_factory=dict)


def col_index(letters: bytes) -> int:
    """0-based column of ``b"A"``, ``b"AB"``."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _target(text: str, dr: int, dc: int, own: str) -> tuple[str, int, int] | None:
    m = _REF.match(text.strip())
    if not m:
        return None
    quoted, plain, col_abs, col, row_abs, row = m.groups()
    sheet = quoted.replace("''", "'") if quoted else (plain or own)
    c0 = col_index(col.encode()) + (0 if col_abs else dc)
    r0 = int(row) - 1 + (0 if row_abs else dr)
    return (sheet, r0, c0) if r0 >= 0 and c0 >= 0 else None


def scan_formulas(data: bytes, parts_of: Callable[[zipfile.ZipFile], dict[str, str]]) -> FormulaScan:
    """Each worksheet part read once (``parts_of``: sheet name -> part, readers._sheet_parts).
    A formula whose cached result is an empty string (``t="str"``) is a real value."""
    scan = FormulaScan()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for name, part in parts_of(zf).items():
                try:
                    xml = zf.read(part)
                except KeyError:
                    continue
                if b"<f" not in xml:
                    continue
                cells = {(int(m.group(2)) - 1, col_index(m.group(1))) for m in _NO_VALUE.finditer(xml)
                         if not (b't="str"' in m.group(3) and m.group(4))}
                if cells:
                    scan.no_value[name] = cells
                found = _zero_cells(xml, name) if _V_ZERO.search(xml) else {}
                if found:
                    scan.zeros[name] = found
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError, RuntimeError, NotImplementedError):
        return FormulaScan()   # a damaged part: calamine read what it could; this scan is only a hint
    return scan


def _zero_cells(xml: bytes, name: str) -> dict[tuple[int, int], tuple[str, int, int]]:
    """(row0, col0) of each cell of one sheet caching 0 from a plain reference -> its target."""
    shared: dict[bytes, tuple[int, int, str]] = {}
    found = {}
    for m in _CELL.finditer(xml):
        inner = m.group(4) or b""
        f = _F.search(inner)
        if f is None:
            continue
        r0, c0 = int(m.group(2)) - 1, col_index(m.group(1))
        text = html.unescape((f.group(2) or b"").decode("utf-8", "replace"))
        si = _SI.search(f.group(1))
        dr = dc = 0
        if si and text:
            shared[si.group(1)] = (r0, c0, text)
        elif si and si.group(1) in shared:
            ar, ac, text = shared[si.group(1)]
            dr, dc = r0 - ar, c0 - ac
        kind = _TYPE.search(m.group(3))
        if not text or (kind and kind.group(1) not in (b"n",)) or not _V_ZERO.search(inner):
            continue
        target = _target(text, dr, dc, name)
        if target is not None:
            found[(r0, c0)] = target
    return found


def blank_zero_references(sheets: list[Any], refs: ZeroRefs) -> None:
    """In place: the cells of ``refs`` whose target cell is empty (and was read) become ""."""
    grids = {s.name: s.rows for s in sheets if s.rows}
    for name, cells in refs.items():
        rows = grids.get(name)
        if rows is None:
            continue
        for (r0, c0), (sheet, r2, c2) in cells.items():
            target = grids.get(sheet)
            if target is None or (sheet, r2, c2) == (name, r0, c0):
                continue
            held = target[r2][c2] if r2 < len(target) and c2 < len(target[r2]) else ""
            if (held is None or held == "") and r0 < len(rows) and c0 < len(rows[r0]):
                rows[r0][c0] = ""
