"""Sheets the patcher builds from scratch (``问题清单``, ``与上次提交对比``): bold light-blue
header, frozen, filtered, internal links, printable one page wide (A4 landscape).

What goes into them is decided by their builders (``pipeline/writers/issue_list.py``
``issue_sheet`` and ``pipeline/writers/comparison.py``); this module only renders a
:class:`NewSheet`. The openpyxl path renders the same object (``returns.add_sheet``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from openpyxl.utils import get_column_letter

from ..xlsx import display_width, text_of
from .package import TRANSITIONAL, XML_DECL, Dialect, qattr
from .sheetdata import text_cell
from .styles import Styles


@dataclass
class NewSheet:
    """A sheet built from scratch: header row (bold, light blue), text rows, fills and
    internal links per (row index, column index) of ``rows``, column widths; optional
    ``intro`` lines above the header (bold, merged across the table, wrapped) and ``wrap``
    columns (0-based) whose text wraps, top-aligned, rows tall enough for it."""
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    widths: Sequence[float]
    fills: Mapping[tuple[int, int], str] = field(default_factory=dict)
    links: Mapping[tuple[int, int], str] = field(default_factory=dict)
    selected: bool = False
    intro: Sequence[str] = ()
    wrap: Sequence[int] = ()

    @property
    def header_row(self) -> int:
        """The Excel row of the header (1 without intro lines)."""
        return len(self.intro) + 1


def line_count(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column ``width`` characters wide (an estimate)."""
    chars = max(int(width) - 1, 1)
    return sum(max(1, -(-display_width(part) // chars)) for part in str(text).split("\n"))


def row_height(values: Sequence[Any], widths: Sequence[float], wrap: Sequence[int]) -> float | None:
    """Points for a row whose wrapped cells need more than one line, else None (default)."""
    lines = max((line_count(text_of(values[j]), widths[j]) for j in wrap if j < len(values) and j < len(widths)
                 and text_of(values[j])), default=1)
    return None if lines <= 1 else min(15.0 * lines + 2, 409.0)


def sheet_ref(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def new_sheet_xml(sheet: NewSheet, styles: Styles, dialect: Dialect = TRANSITIONAL) -> str:
    ncols = len(sheet.headers)
    head = sheet.header_row
    last = max(len(sheet.rows) + head, head + 1)
    col = get_column_letter(ncols)
    head_style = styles.xf(0, "header", "bold")
    rows = []
    merges = []
    total_width = sum(sheet.widths) or 60
    for k, line in enumerate(sheet.intro, start=1):
        ht = 15.0 * line_count(line, total_width) + 4
        rows.append(f'<row r="{k}" ht="{ht}" customHeight="1">'
                    + text_cell(f"A{k}", line, styles.xf(0, None, "bold", align="wrap")) + "</row>")
        merges.append(f'<mergeCell ref="A{k}:{col}{k}"/>')
    rows.append(f'<row r="{head}">' + "".join(text_cell(f"{get_column_letter(j)}{head}", h, head_style)
                                             for j, h in enumerate(sheet.headers, start=1)) + "</row>")
    links = []
    letters = [get_column_letter(j + 1) for j in range(max(ncols, max(map(len, sheet.rows), default=0)))]
    fills, hrefs, wrap = sheet.fills, sheet.links, set(sheet.wrap)
    widths = sheet.widths
    lines_of = [{} for _ in widths]             # wrapped lines per distinct text of a column
    tails: dict[tuple[str, Any], str] = {}      # a cell after its reference, per (text, style)
    plain = (None, None)
    by_row: dict[int, dict[int, tuple]] = {}    # row -> column -> (fill, link): most cells have neither
    for (i, j), fill in fills.items():
        by_row.setdefault(i, {})[j] = (fill, None)
    for (i, j), link in hrefs.items():
        marks = by_row.setdefault(i, {})
        marks[j] = (marks.get(j, plain)[0], link)
    for i, values in enumerate(sheet.rows):
        r = i + head + 1
        cells = []
        lines = 1
        marks = by_row.get(i)
        for j, v in enumerate(values):
            text = v if v.__class__ is str else text_of(v)
            if wrap and j in wrap and text and j < len(widths):
                n = lines_of[j].get(text)
                if n is None:
                    n = lines_of[j][text] = line_count(text, widths[j])
                if n > lines:
                    lines = n
            fill, link = marks.get(j, plain) if marks else plain
            align = "wrap" if j in wrap else None
            if not (fill or link or align):
                if not text:
                    continue
                style = None
            else:
                style = styles.xf(0, fill, "link" if link else None, align=align)
            coord = f"{letters[j]}{r}"
            tail = tails.get((text, style))
            if tail is None:
                tail = tails[(text, style)] = text_cell("", text, style)[len('<c r=""'):]   # after r="…"
            cells.append(f'<c r="{coord}"' + tail)
            if link:
                links.append(f'<hyperlink ref="{coord}" location="{qattr(link)}" display="{qattr(text)}"/>')
        ht = (None if lines <= 1 else min(15.0 * lines + 2, 409.0)) if wrap else None
        rows.append(f'<row r="{r}"' + (f' ht="{ht}" customHeight="1"' if ht else "") + ">" + "".join(cells) + "</row>")
    cols = "".join(f'<col min="{j}" max="{j}" width="{w}" customWidth="1"/>'
                   for j, w in enumerate(sheet.widths, start=1))
    selected = ' tabSelected="1"' if sheet.selected else ""
    return (
        XML_DECL + f'<worksheet xmlns="{dialect.main}" xmlns:r="{dialect.rel}">'
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<dimension ref="A1:{col}{last}"/>'
        f'<sheetViews><sheetView{selected} workbookViewId="0"><pane ySplit="{head}" topLeftCell="A{head + 1}" '
        f'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A{head + 1}" '
        f'sqref="A{head + 1}"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{cols}</cols><sheetData>{''.join(rows)}</sheetData>"
        f'<autoFilter ref="A{head}:{col}{last}"/>'
        + (f'<mergeCells count="{len(merges)}">{"".join(merges)}</mergeCells>' if merges else "")
        + (f"<hyperlinks>{''.join(links)}</hyperlinks>" if links else "")
        + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/></worksheet>'
    )
