"""Build submissions in code (few committed binaries).

``make_workbook(tmp_path, "华东销售部.xlsx", sheets={"企业客户": rows}, merged={"企业客户": ["A1:F1"]})``
writes an .xlsx whose sheets hold ``rows`` (lists of cell values, first list = Excel row 1).
``make_ods`` writes the same rows as an OpenDocument spreadsheet the way LibreOffice stores it
(``OdsFormula`` for a formula cell and its cached result).
"""
from __future__ import annotations

import csv
import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

from openpyxl import Workbook


def make_workbook(folder: Path, name: str, sheets: Mapping[str, Sequence[Sequence[Any]]],
                  merged: Mapping[str, Iterable[str]] | None = None, freeze: Mapping[str, str] | None = None) -> Path:
    """``freeze``: sheet -> the first cell below and right of the frozen panes ("A4")."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(list(row))
        for rng in (merged or {}).get(title, ()):
            ws.merge_cells(rng)
        if freeze and title in freeze:
            ws.freeze_panes = freeze[title]
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def make_csv(folder: Path, name: str, rows: Sequence[Sequence[Any]], encoding: str = "utf-8-sig") -> Path:
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


#: a valid credit code (check digit correct) for tests: 91320594MA1W3XXR5A is not real;
#: use stdnum to compute check digits instead of hard-coding them.
def uscc(body17: str) -> str:
    from stdnum.cn import uscc as _u

    return body17 + _u.calc_check_digit(body17)


@dataclass(frozen=True)
class OdsFormula:
    """A formula cell of an .ods file as LibreOffice saves it: ``formula`` in OpenFormula
    (``of:=[$李娜.H3]``), ``kind`` the cached result's office:value-type (None: no result saved),
    ``value`` the cached result."""

    formula: str
    kind: str | None = "float"
    value: Any = 0


_ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
           'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" '
           'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"')


def _ods_cell(value: Any, span: tuple[int, int] | None) -> str:
    attrs = f' table:number-rows-spanned="{span[0]}" table:number-columns-spanned="{span[1]}"' if span else ""
    if isinstance(value, OdsFormula):
        attrs += f" table:formula={quoteattr(value.formula)}"
        kind, value = value.kind, value.value
        if kind is None:
            return f"<table:table-cell{attrs}/>"
    elif value is None or value == "":
        return f"<table:table-cell{attrs}/>"
    else:
        kind = ("date" if isinstance(value, (dt.date, dt.datetime)) else "float"
                if isinstance(value, (int, float)) and not isinstance(value, bool) else "string")
    if kind == "string":
        text = escape(str(value))
        return (f'<table:table-cell{attrs} office:value-type="string" calcext:value-type="string">'
                + (f"<text:p>{text}</text:p>" if text else "<text:p/>") + "</table:table-cell>")
    if kind == "date":
        return (f'<table:table-cell{attrs} office:value-type="date" office:date-value="{value.isoformat()}" '
                f'calcext:value-type="date"><text:p>{value.isoformat()}</text:p></table:table-cell>')
    return (f'<table:table-cell{attrs} office:value-type="{kind}" office:value="{value}" '
            f'calcext:value-type="{kind}"><text:p>{value}</text:p></table:table-cell>')


def make_ods(folder: Path, name: str, sheets: Mapping[str, Sequence[Sequence[Any]]],
             merged: Mapping[str, Iterable[str]] | None = None) -> Path:
    """An .ods file: each sheet's rows (first list = row 1), ``merged`` ranges ("A1:F1") as
    LibreOffice writes them (the first cell spans, the others are covered cells)."""
    from openpyxl.utils.cell import range_boundaries

    tables = []
    for title, rows in sheets.items():
        spans, covered = {}, set()
        for rng in (merged or {}).get(title, ()):
            c1, r1, c2, r2 = range_boundaries(rng)
            spans[(r1 - 1, c1 - 1)] = (r2 - r1 + 1, c2 - c1 + 1)
            covered |= {(r, c) for r in range(r1 - 1, r2) for c in range(c1 - 1, c2)} - {(r1 - 1, c1 - 1)}
        body = []
        for r, row in enumerate(rows):
            cells = ["<table:covered-table-cell/>" if (r, c) in covered else _ods_cell(v, spans.get((r, c)))
                     for c, v in enumerate(row)]
            body.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
        tables.append(f"<table:table table:name={quoteattr(title)}>{''.join(body)}</table:table>")
    content = ('<?xml version="1.0" encoding="UTF-8"?>'
               f'<office:document-content {_ODS_NS} office:version="1.3"><office:body><office:spreadsheet>'
               + "".join(tables) + "</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path
