"""Cell readers: python-calamine for workbooks, the csv module for text files.

A reader turns file bytes into :class:`RawSheet` values: rows of raw cell values indexed
from Excel row 1 / column A ("" for an empty cell), plus what the layout step needs to know
(merged ranges, visibility, formula cells without a cached value).
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from posixpath import join, normpath
from typing import Any, Collection, Iterator

import charset_normalizer
import python_calamine as pc
from defusedxml import ElementTree

from ..rules import Rules
from .formulas import FormulaScan, blank_zero_references, scan_formulas
from .ods import scan_ods


class ReadError(Exception):
    """The workbook cannot be read; ``reason`` is a sub-code of ``rule`` (its catalog
    `details` in rules/issues/core.yaml), ``detail`` the technical error it names."""

    def __init__(self, reason: str, rule: str = "file-unreadable", detail: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.rule = rule
        self.detail = detail


@dataclass
class RawSheet:
    name: str
    visible: bool = True
    rows: list[list[Any]] = field(default_factory=list)
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    no_value_formulas: set[tuple[int, int]] = field(default_factory=set)  # (row0, col0)
    too_many_rows: int = 0       # > 0: the sheet was not read, it holds this many rows


# --- the sheet parts of an xlsx package (its formulas are scanned by .formulas.scan_formulas) ---

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> worksheet part name inside the xlsx package."""
    try:
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, ValueError):   # ValueError: defusedxml refused a DTD
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    out = {}
    for sheet in book.iter(f"{_NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_NS_REL}id"), "")
        part = target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))
        out[sheet.get("name", "")] = part
    return out


# --- workbooks ---

def read_workbook(data: bytes, kind: str, rules: Rules, only: Collection[str] | None = None) -> list[RawSheet]:
    """Every worksheet of an xlsx/xlsm/xls file, in workbook order. With ``only``, the cells of
    just those sheets are read (the others come back without rows, and no sheet gets its
    formula cells): the 疑似重复 decisions need one sheet of a workbook of a million rows."""
    max_rows = rules.config.intake.max_rows_per_sheet
    try:
        book = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError:
        raise ReadError("encrypted", rule="file-encrypted")
    except Exception as exc:  # calamine raises several error types for damaged files
        raise ReadError("damaged", detail=type(exc).__name__) from exc
    ods = scan_ods(data) if kind == "ods" else None
    if ods is not None:
        scan = ods.formulas if only is None else FormulaScan()
    else:
        scan = scan_formulas(data, _sheet_parts) if kind == "xlsx" and only is None else FormulaScan()
    formulas, zeros = scan.no_value, scan.zeros
    ods_merged = ods.merged if ods is not None else {}
    sheets: list[RawSheet] = []
    try:
        for meta in book.sheets_metadata:
            if meta.typ != pc.SheetTypeEnum.WorkSheet:
                continue
            raw = RawSheet(name=meta.name, visible=meta.visible == pc.SheetVisibleEnum.Visible)
            sheets.append(raw)
            if only is not None and meta.name not in only:
                continue                  # a hidden sheet is read too: intake says it was not imported
            sheet = book.get_sheet_by_name(meta.name)
            if sheet.height > max_rows:
                raw.too_many_rows = sheet.height
                continue
            raw.rows = sheet.to_python(skip_empty_area=False)
            raw.merged = list(sheet.merged_cell_ranges or ods_merged.get(meta.name, []))
            raw.no_value_formulas = formulas.get(meta.name, set())
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError("sheet_damaged", detail=type(exc).__name__) from exc
    finally:
        book.close()
    if zeros:
        blank_zero_references(sheets, zeros)
    return sheets




# --- csv ---

def decode_text(data: bytes, rules: Rules) -> str:
    """UTF-8 (with or without BOM) first; otherwise charset-normalizer among the encodings
    of ``intake.csv_encodings`` (GBK/GB18030 by default)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    candidates = list(rules.config.intake.csv_encodings)
    best = charset_normalizer.from_bytes(data, cp_isolation=candidates).best()
    if best is not None:
        return str(best)
    for enc in candidates:
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    raise ReadError("encoding")


def read_csv(data: bytes, rules: Rules) -> list[RawSheet]:
    """One sheet named "" holding the csv rows as strings ("" for empty)."""
    text = decode_text(data, rules)
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) if len(r) < width else r for r in rows]
    max_rows = rules.config.intake.max_rows_per_sheet
    sheet = RawSheet(name="")
    if len(rows) > max_rows:
        sheet.too_many_rows = len(rows)
    else:
        sheet.rows = rows
    return [sheet]


def read_sheets(data: bytes, kind: str, rules: Rules) -> list[RawSheet]:
    if kind == "csv":
        return read_csv(data, rules)
    return read_workbook(data, kind, rules)


#: Excel's cell limit: a longer text would make every workbook written from it unopenable
EXCEL_MAX_CHARS = 32767


def cut_long_cells(rows: list[list[Any]]) -> list[tuple[int, int, int]]:
    """Cut, in place, every text longer than Excel's cell limit (only a hand-made or damaged
    file holds one); returns (row0, col0, original length) of each cut cell."""
    cut = []
    long_rows = sorted({r for r, row in enumerate(rows) for v in row
                        if v.__class__ is str and len(v) > EXCEL_MAX_CHARS})   # (one flat pass: fastest)
    for r in long_rows:
        row = rows[r]
        for c, v in enumerate(row):
            if v.__class__ is str and len(v) > EXCEL_MAX_CHARS:
                row[c] = v[:EXCEL_MAX_CHARS]
                cut.append((r, c, len(v)))
    return cut


def iter_cells(row: list[Any]) -> Iterator[tuple[int, Any]]:
    for i, v in enumerate(row):
        if v != "" and v is not None and not (isinstance(v, str) and not v.strip()):
            yield i, v
