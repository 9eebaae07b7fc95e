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
from typing import Any

_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.DOTALL)
_F = re.compile(rb'<f([^>]*?)(?:/>|>([^<]*)</f>)')
_V_ZERO = re.compile(rb'<v>\s*0\s*</v>')
_SI = re.compile(rb'\bsi="(\d+)"')
_TYPE = re.compile(rb'\bt="([^"]*)"')
_REF = re.compile(r"^=?(?:(?:'((?:[^']|'')+)'|([^\s!'()=+\-*/&^,;:<>]+))!)?(\$?)([A-Z]{1,3})(\$?)(\d+)$")


def _col0(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _letters(col0: int) -> str:
    out = ""
    col0 += 1
    while col0:
        col0, rem = divmod(col0 - 1, 26)
        out = chr(65 + rem) + out
    return out


def _target(text: str, dr: int, dc: int, own: str) -> tuple[str, int, int] | None:
    m = _REF.match(text.strip())
    if not m:
        return None
    quoted, plain, col_abs, col, row_abs, row = m.groups()
    sheet = quoted.replace("''", "'") if quoted else (plain or own)
    c0 = _col0(col) + (0 if col_abs else dc)
    r0 = int(row) - 1 + (0 if row_abs else dr)
    return (sheet, r0, c0) if r0 >= 0 and c0 >= 0 else None


def zero_references(data: bytes, parts: dict[str, str]) -> dict[str, dict[tuple[int, int], tuple[str, int, int]]]:
    """Per sheet name, (row0, col0) of each cell caching 0 from a plain reference -> the cell it
    points at (sheet, row0, col0). ``parts``: sheet name -> worksheet part (readers._sheet_parts)."""
    out: dict[str, dict[tuple[int, int], tuple[str, int, int]]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for name, part in parts.items():
                try:
                    xml = zf.read(part)
                except KeyError:
                    continue
                if b"<f" not in xml or not _V_ZERO.search(xml):
                    continue
                shared: dict[bytes, tuple[int, int, str]] = {}
                found = {}
                for m in _CELL.finditer(xml):
                    inner = m.group(4) or b""
                    f = _F.search(inner)
                    if f is None:
                        continue
                    r0, c0 = int(m.group(2)) - 1, _col0(m.group(1).decode())
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
                if found:
                    out[name] = found
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError, RuntimeError, NotImplementedError):
        return {}   # a damaged part: calamine read what it could; this scan is only a hint
    return out


def blank_zero_references(sheets: list[Any], refs: dict[str, dict[tuple[int, int], tuple[str, int, int]]]) -> None:
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
