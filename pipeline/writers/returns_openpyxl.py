"""The openpyxl path of a returned workbook: what the part-by-part patcher does not handle is
loaded with openpyxl, annotated and saved — and only handed out when nothing was lost
(pipeline/writers/returns.py compares it with the submission first). A workbook openpyxl
cannot load (or write back) is rebuilt from the cell values intake read."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from ..intake.readers import ReadError, read_sheets
from ..rules import Rules
from .xlsx import EXCEL_MAX_CHARS, is_blank, set_cell, text_of
from .xlsxpatch import MARK, NewSheet
from .xlsxpatch.newsheet import line_count, row_height

AUTHOR = "crm-pipeline"
DEFAULT_FILLS = {"fixed": "E2EFDA", "error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7", "header": "DDEBF7"}


def _sheet_title(name: str, fallback: str) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "_", name or fallback)[:31].strip("'") or "Sheet1"
    return title



def _anchor(ws, coord: str):
    cell = ws[coord]
    if isinstance(cell, MergedCell):
        for rng in ws.merged_cells.ranges:
            if coord in rng:
                return ws.cell(rng.min_row, rng.min_col)
    return cell


def is_formula(ws, coord: str) -> bool:
    """Whether the cell at ``coord`` (its merged range's anchor) holds a formula."""
    return _anchor(ws, coord).data_type == "f"


def clear_previous_annotations(wb, fills: Iterable[str]) -> None:
    """A returned workbook submitted again: drop our old comments, fills and issue sheet."""
    ours = {f.upper()[-6:] for f in fills}
    for ws in wb.worksheets:
        for cell in list(getattr(ws, "_cells", {}).values()):
            if cell.comment is not None and cell.comment.author == AUTHOR:
                text = cell.comment.text or ""
                # a team note an earlier return folded into ours comes back as the team's own
                cell.comment = Comment(text.split(MARK, 1)[1], "") if MARK in text else None
                rgb = str(cell.fill.fgColor.rgb or "") if cell.fill is not None else ""
                if rgb.upper()[-6:] in ours:
                    cell.fill = PatternFill()


def cut_long_texts(wb) -> None:
    """Texts over Excel's cell limit (a hand-made file) are cut, so the returned workbook
    opens; intake reported each with text-too-long."""
    for ws in wb.worksheets:
        for cell in getattr(ws, "_cells", {}).values():
            if cell.data_type == "s" and isinstance(cell.value, str) and len(cell.value) > EXCEL_MAX_CHARS:
                set_cell(cell, cell.value)


def open_submission(path: Path, status: str, rules: Rules, rebuild: bool = False,
                    stem: str | None = None) -> tuple[Workbook, dict[str, Any], bool]:
    """The workbook to annotate, a map: sheet name in issues -> worksheet, and whether it was
    rebuilt from the values.

    ``rebuild`` (or an xlsx openpyxl cannot load although intake could read it, e.g. a
    damaged part or a sheet name openpyxl refuses): a new workbook from the cell values."""
    suffix = path.suffix.lower()
    wb = Workbook()
    wb.remove(wb.active)
    if status == "已拒收":
        return wb, {}, True
    if suffix in (".xlsx", ".xlsm") and not rebuild:
        try:
            loaded = load_workbook(path, keep_vba=suffix == ".xlsm", rich_text=False)
        except Exception:  # noqa: BLE001 — openpyxl raises many types on damaged files
            rebuild = True
        else:
            cut_long_texts(loaded)
            return loaded, {ws.title: ws for ws in loaded.worksheets}, False
    kind = "csv" if suffix == ".csv" else ("xlsx" if suffix in (".xlsx", ".xlsm") else "xls")
    try:
        sheets = read_sheets(path.read_bytes(), kind, rules)
    except (ReadError, OSError):
        return wb, {}, True
    by_name = {}
    for raw in sheets:
        ws = wb.create_sheet(_sheet_title(raw.name, stem or path.stem))
        if not raw.visible:
            ws.sheet_state = "hidden"
        for r, row in enumerate(raw.rows or (), start=1):
            for c, value in enumerate(row, start=1):
                if not is_blank(value):
                    set_cell(ws.cell(r, c), value)
        for rng in getattr(raw, "merged", None) or ():
            try:
                (r0, c0), (r1, c1) = rng
                ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
            except (TypeError, ValueError):
                pass
        by_name[raw.name] = ws
    return wb, by_name, True



def add_sheet(wb, spec: NewSheet, index: int, fills: Mapping[str, PatternFill], link_file: str = ""):
    """Render a :class:`NewSheet` with openpyxl at position ``index`` (an older sheet of the
    same title is replaced): bold header, frozen, filtered, printable one page wide.
    ``link_file``: the links point into that file (a separate 问题清单 next to it)."""
    if spec.title in wb.sheetnames:
        del wb[spec.title]
    ws = wb.create_sheet(spec.title, min(index, len(wb.sheetnames)))
    if spec.selected:
        for other in wb.worksheets:
            other.sheet_view.tabSelected = False
        wb.active = wb.worksheets.index(ws)
    ws.sheet_view.tabSelected = spec.selected
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor=DEFAULT_FILLS["header"])
    head = spec.header_row
    wrapped = Alignment(wrap_text=True, vertical="top")
    last_col = get_column_letter(len(spec.headers))
    for k, line in enumerate(spec.intro, start=1):       # what to do, above the header
        c = ws.cell(k, 1)
        set_cell(c, line)
        c.font, c.alignment = bold, wrapped
        ws.merge_cells(f"A{k}:{last_col}{k}")
        ws.row_dimensions[k].height = 15.0 * line_count(line, sum(spec.widths) or 60) + 4
    for j, h in enumerate(spec.headers, start=1):
        c = ws.cell(head, j, h)
        c.font, c.fill = bold, head_fill
    link_font = Font(color="0563C1", underline="single")
    for i, values in enumerate(spec.rows):
        for j, v in enumerate(values):
            if not is_blank(v) and text_of(v) != "":
                set_cell(ws.cell(i + head + 1, j + 1), text_of(v))
        for j in spec.wrap:
            ws.cell(i + head + 1, j + 1).alignment = wrapped
        height = row_height(values, spec.widths, spec.wrap) if spec.wrap else None
        if height:
            ws.row_dimensions[i + head + 1].height = height
    for (i, j), kind in spec.fills.items():
        ws.cell(i + head + 1, j + 1).fill = fills.get(kind, PatternFill())
    for (i, j), location in spec.links.items():
        cell = ws.cell(i + head + 1, j + 1)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, target=f"{link_file}#{location}") if link_file else \
            Hyperlink(ref=cell.coordinate, location=location)
        cell.font = link_font
    for j, w in enumerate(spec.widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.freeze_panes = f"A{head + 1}"
    ws.page_setup.orientation = "landscape"          # printable: one page wide
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{head}:{head}"
    ws.auto_filter.ref = f"A{head}:{last_col}{max(len(spec.rows) + head, head + 1)}"
    return ws


def apply_annotations(ann, sheets: Mapping[str, Any]) -> int:
    """Write an :class:`~pipeline.writers.returns.Annotator`'s values and notes with openpyxl."""
    for (sheet, coord), (value, number_format) in ann.values.items():
        ws = sheets.get(sheet)
        if ws is not None:
            cell = _anchor(ws, coord)
            set_cell(cell, value)
            if number_format:
                cell.number_format = number_format
    done = 0
    for (sheet, coord), notes in ann.notes.items():
        ws = sheets.get(sheet)
        if ws is None:
            continue
        cell = _anchor(ws, coord)
        kind = ann.worst(notes)
        if kind is not None:                      # a fix alone is filled only with fix_marking: fill
            cell.fill = ann.fills[kind]
        old = cell.comment
        text, width, height = ann.comment_box(
            notes, old.text if old is not None and old.author != AUTHOR and old.text else "")
        comment = Comment(text, AUTHOR)
        comment.width, comment.height = width, height
        cell.comment = comment
        done += 1
    return done


def write_with_openpyxl(src: Path, dest: Path, status: str, rules: Rules, fills: Mapping[str, str],
                        annotate: Callable[[Any, Mapping[str, Any], Callable[[str, str], str]], None],
                        stem: str | None = None) -> bool:
    """Load (else rebuild from values), ``annotate(wb, sheets, anchor)`` and save ``src`` to
    ``dest``; True when the workbook had to be rebuilt from its values."""
    for rebuild in (False, True):
        wb, sheets, rebuilt = open_submission(src, status, rules, rebuild, stem)
        try:
            clear_previous_annotations(wb, {**DEFAULT_FILLS, **fills}.values())
            annotate(wb, sheets, lambda sheet, coord: _anchor(sheets[sheet], coord).coordinate)
            wb.save(dest)
            return rebuilt
        except Exception:  # noqa: BLE001 — a loaded workbook openpyxl cannot write back: rebuild it
            if rebuild:
                raise
    return True

