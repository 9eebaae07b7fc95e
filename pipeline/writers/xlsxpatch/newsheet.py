"""Sheets the patcher builds from scratch (``问题清单``, ``与上次提交对比``): bold light-blue
header, frozen, filtered, internal links, printable one page wide (A4 landscape).

What goes into them is decided by their builders (``pipeline/writers/returns.py``
``issue_sheet`` and ``pipeline/writers/comparison.py``); this module only renders a
:class:`NewSheet`. The openpyxl path renders the same object (``returns.add_sheet``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from openpyxl.utils import get_column_letter

from ..xlsx import text_of
from .package import TRANSITIONAL, XML_DECL, Dialect, qattr
from .sheetdata import text_cell
from .styles import Styles


@dataclass
class NewSheet:
    """A sheet built from scratch: header row (bold, light blue), text rows, fills and
    internal links per (row index, column index) of ``rows``, column widths."""
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    widths: Sequence[float]
    fills: Mapping[tuple[int, int], str] = field(default_factory=dict)
    links: Mapping[tuple[int, int], str] = field(default_factory=dict)
    selected: bool = False


def sheet_ref(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def new_sheet_xml(sheet: NewSheet, styles: Styles, dialect: Dialect = TRANSITIONAL) -> str:
    ncols = len(sheet.headers)
    last = max(len(sheet.rows) + 1, 2)
    col = get_column_letter(ncols)
    head_style = styles.xf(0, "header", "bold")
    rows = ['<row r="1">' + "".join(text_cell(f"{get_column_letter(j)}1", h, head_style)
                                    for j, h in enumerate(sheet.headers, start=1)) + "</row>"]
    links = []
    letters = [get_column_letter(j + 1) for j in range(max(ncols, max(map(len, sheet.rows), default=0)))]
    fills, hrefs = sheet.fills, sheet.links
    for i, values in enumerate(sheet.rows):
        r = i + 2
        cells = []
        for j, v in enumerate(values):
            text = v if v.__class__ is str else text_of(v)
            key = (i, j)
            fill, link = fills.get(key), hrefs.get(key)
            if not (fill or link):
                if text:
                    cells.append(text_cell(f"{letters[j]}{r}", text, None))
                continue
            coord = f"{letters[j]}{r}"
            cells.append(text_cell(coord, text, styles.xf(0, fill, "link" if link else None)))
            if link:
                links.append(f'<hyperlink ref="{coord}" location="{qattr(link)}" display="{qattr(text)}"/>')
        rows.append(f'<row r="{r}">' + "".join(cells) + "</row>")
    cols = "".join(f'<col min="{j}" max="{j}" width="{w}" customWidth="1"/>'
                   for j, w in enumerate(sheet.widths, start=1))
    selected = ' tabSelected="1"' if sheet.selected else ""
    return (
        XML_DECL + f'<worksheet xmlns="{dialect.main}" xmlns:r="{dialect.rel}">'
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<dimension ref="A1:{col}{last}"/>'
        f'<sheetViews><sheetView{selected} workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{cols}</cols><sheetData>{''.join(rows)}</sheetData>"
        f'<autoFilter ref="A1:{col}{last}"/>'
        + (f"<hyperlinks>{''.join(links)}</hyperlinks>" if links else "")
        + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/></worksheet>'
    )
