"""What python-calamine does not report for an OpenDocument spreadsheet, read from its
``content.xml`` in one pass: merged ranges (calamine reports none for .ods) and the formula
cells the .xlsx reader treats specially (:mod:`.formulas`): a formula without a cached result
(``formula-no-value``) and a plain reference caching 0 (``=[.B3]``, ``=['李娜'.H3]``), read as
empty when the cell it points at is empty — LibreOffice caches 0 for it just as Excel does."""
from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from defusedxml import ElementTree

from .formulas import FormulaScan, col_index

_NS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_NS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_CELLS = (f"{_NS_TABLE}table-cell", f"{_NS_TABLE}covered-table-cell")
_FORMULA = f"{_NS_TABLE}formula"
_VALUE_TYPE = f"{_NS_OFFICE}value-type"
#: the attribute holding a cached result of each value type; a string's result may be empty
_VALUE_OF = {"float": "value", "percentage": "value", "currency": "value", "date": "date-value",
             "time": "time-value", "boolean": "boolean-value"}
#: ``of:=[.B3]``, ``of:=[$'李娜'.$H$3]``, ``of:=[李娜.H3]`` (OpenFormula: the sheet before the dot)
_REF = re.compile(r"^(?:of:)?=\s*\[\$?(?:'((?:[^']|'')*)'|([^.'\[\]]*))\.\$?([A-Z]{1,3})\$?(\d+)\]\s*$")

Ranges = list[tuple[tuple[int, int], tuple[int, int]]]


@dataclass
class OdsScan:
    """Per sheet name: merged ranges ((row0, col0), (row1, col1)) and the formula scan."""

    merged: dict[str, Ranges] = field(default_factory=dict)
    formulas: FormulaScan = field(default_factory=FormulaScan)


def _span(elem, name: str) -> int:
    try:
        return max(1, int(elem.get(f"{_NS_TABLE}{name}", "1")))
    except ValueError:
        return 1


def _target(text: str, own: str) -> tuple[str, int, int] | None:
    m = _REF.match(text.strip())
    if not m:
        return None
    quoted, plain, col, row = m.groups()
    sheet = quoted.replace("''", "'") if quoted is not None else (plain or own)
    return sheet, int(row) - 1, col_index(col.encode())


def _formula_cell(elem, sheet: str, rows: range, cols: range, scan: FormulaScan) -> None:
    text = elem.get(_FORMULA)
    kind = elem.get(_VALUE_TYPE)
    if kind is None or (kind in _VALUE_OF and elem.get(f"{_NS_OFFICE}{_VALUE_OF[kind]}") is None):
        scan.no_value.setdefault(sheet, set()).update((r, c) for r in rows for c in cols)
        return
    if kind not in ("float", "currency", "percentage"):
        return
    try:
        zero = float(elem.get(f"{_NS_OFFICE}value", "")) == 0
    except ValueError:
        return
    target = _target(text, sheet) if zero else None
    if target is not None:
        scan.zeros.setdefault(sheet, {}).update(((r, c), target) for r in rows for c in cols)


def scan_ods(data: bytes) -> OdsScan:
    """Merged ranges and formula cells of an .ods file, positions counted over repeated rows and
    cells (``table:number-rows-repeated`` / ``number-columns-repeated``)."""
    out = OdsScan()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            xml = zf.read("content.xml")
        spans, formulas = b"-spanned=" in xml, b"table:formula=" in xml
        if not (spans or formulas):
            return out
        depth, name, row, col = 0, "", 0, 0
        repeat = 1
        for event, elem in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
            tag = elem.tag
            if tag == f"{_NS_TABLE}table":
                depth += 1 if event == "start" else -1
                if event == "start" and depth == 1:
                    name, row = elem.get(f"{_NS_TABLE}name", ""), 0
                continue
            if depth != 1:                        # a table inside a cell's text: not the sheet's grid
                continue
            if tag == f"{_NS_TABLE}table-row":
                if event == "start":
                    col, repeat = 0, _span(elem, "number-rows-repeated")
                else:
                    row += repeat
                    elem.clear()
            elif tag in _CELLS and event == "start":
                width = _span(elem, "number-columns-repeated")
                if spans:
                    rows, cols = _span(elem, "number-rows-spanned"), _span(elem, "number-columns-spanned")
                    if rows > 1 or cols > 1:
                        out.merged.setdefault(name, []).append(((row, col), (row + rows - 1, col + cols - 1)))
                if formulas and elem.get(_FORMULA):
                    _formula_cell(elem, name, range(row, row + repeat), range(col, col + width), out.formulas)
                col += width
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError, RuntimeError,
            NotImplementedError, ElementTree.ParseError):
        return OdsScan()   # a damaged part: calamine read what it could; the scan is only a hint
    return out


def ods_merged_ranges(data: bytes) -> dict[str, Ranges]:
    """Per sheet name, the merged ranges of an .ods file, as calamine gives them for .xlsx/.xls."""
    return scan_ods(data).merged
