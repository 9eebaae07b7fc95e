"""returns/<submitted file>: each submission handed back corrected and annotated (SPEC §7).

The submitted workbook is opened with openpyxl (the input file is only read) so sheets,
merged cells, data validations, styles, widths and formulas survive. Certain fixes are
written in place (light green, comment ``已自动更正，原值：…``); cells with issues are
filled by severity and get one combined comment; a ``问题清单`` sheet is inserted FIRST
(and made active) listing every issue of the file with a link to its cell; a resubmitted
file also gets ``与上次提交对比`` (:mod:`.comparison`).
``.xls`` and ``.csv`` submissions come back as ``.xlsx`` rebuilt from their values.
A file intake refused (corrupt, encrypted, too large) comes back as a workbook holding
only the ``问题清单``: it is never opened with openpyxl.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from ..intake.readers import ReadError, read_sheets
from ..issues import SEVERITY_ORDER, SEVERITY_ZH
from ..rules import Rules
from .comparison import DEFAULT_TITLE as COMPARISON_SHEET
from .comparison import comparison_for, comparison_sheet
from .parallel import JobPool
from .xlsx import (DATE_FORMAT, EXCEL_MAX_CHARS, PERCENT_FORMAT, as_date, as_number, clean_text, display_width,
                   is_blank, set_cell, text_of)
from .xlsxpatch import MARK, CellEdit, NewSheet, PatchUnsupported, anchor_of, sheet_ref
from .xlsxpatch import Workbook as PatchBook

AUTHOR = "crm-pipeline"
ISSUE_SHEET_HEADERS = ["工作表", "单元格", "级别", "字段", "问题", "修改建议", "填写值", "规则代码"]
ISSUE_SHEET_WIDTHS = [14, 10, 8, 14, 60, 40, 20, 20]
DEFAULT_FILLS = {"fixed": "E2EFDA", "error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7", "header": "DDEBF7"}
_BAD_CHARS = re.compile(r'[<>:"|?*\x00-\x1f]')
_CELL = re.compile(r"^[A-Z]{1,3}$")


def safe_relative(name: str) -> Path:
    """A relative path that cannot leave the returns folder: no ``..``, no absolute parts,
    no characters Windows refuses."""
    parts = []
    for part in re.split(r"[\\/]+", str(name)):
        part = _BAD_CHARS.sub("_", part).strip().rstrip(".")
        if part in ("", ".", ".."):
            continue
        parts.append(part[:150])
    return Path(*parts) if parts else Path("未命名")


def returned_name(src_file: str) -> Path:
    rel = safe_relative(src_file)
    suffix = rel.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return rel
    return rel.with_suffix(".xlsx") if suffix in (".xls", ".csv") else rel.with_name(rel.name + ".xlsx")


def _sheet_title(name: str, fallback: str) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "_", name or fallback)[:31].strip("'") or "Sheet1"
    return title


class Annotator:
    """Collects what changes in a returned workbook: fixed values and notes per cell. It is
    then applied once per cell, by openpyxl (:meth:`apply`) or as XML edits (:meth:`edits`).
    ``anchor(sheet, coord)``: the cell that holds ``coord`` (the top-left of a merged range)."""

    def __init__(self, fills: Mapping[str, str], anchor: Callable[[str, str], str] = lambda s, c: c):
        self.colours = {**DEFAULT_FILLS, **fills}
        self.fills = {k: PatternFill("solid", fgColor=v) for k, v in self.colours.items()}
        self.anchor = anchor
        self.values: dict[tuple[str, str], tuple[Any, str | None]] = {}    # (sheet, coord) -> (value, format)
        self.notes: dict[tuple[str, str], list[tuple[str, str]]] = {}   # (sheet, coord) -> [(kind, text)]

    def set(self, sheet: str, coord: str, value: Any, number_format: str | None = None) -> str:
        coord = self.anchor(sheet, coord)
        if number_format is None and as_date(value) is not None:
            number_format = DATE_FORMAT
        self.values[(sheet, coord)] = (value, number_format)
        return coord

    def add(self, sheet: str, coord: str, kind: str, text: str) -> None:
        self.notes.setdefault((sheet, self.anchor(sheet, coord)), []).append((kind, text))

    @staticmethod
    def worst(notes: list[tuple[str, str]]) -> str:
        return min((k for k, _ in notes if k in SEVERITY_ORDER), key=SEVERITY_ORDER.get, default="fixed")

    @staticmethod
    def comment_box(notes: list[tuple[str, str]], old: str = "") -> tuple[str, int, int]:
        return Annotator.box("\n".join(t for _, t in notes), old)

    @staticmethod
    def box(text: str, old: str = "") -> tuple[str, int, int]:
        """Comment text (control characters removed: messages quote submitted values) and its
        width and height in pixels; ``old``: a team's own note on the cell, kept after ours."""
        if old:
            text += MARK + old
        text = clean_text(text)
        lines = text.split("\n")
        width = min(max(display_width(max(lines, key=display_width)) * 7 + 20, 200), 480)
        height = min(max(sum(display_width(line) // 60 + 1 for line in lines) * 18 + 20, 60), 400)
        return text, width, height

    def apply(self, wb, sheets: Mapping[str, Any]) -> int:
        for (sheet, coord), (value, number_format) in self.values.items():
            ws = sheets.get(sheet)
            if ws is not None:
                cell = _anchor(ws, coord)
                set_cell(cell, value)
                if number_format:
                    cell.number_format = number_format
        done = 0
        for (sheet, coord), notes in self.notes.items():
            ws = sheets.get(sheet)
            if ws is None:
                continue
            cell = _anchor(ws, coord)
            cell.fill = self.fills[self.worst(notes)]
            old = cell.comment
            text, width, height = self.comment_box(
                notes, old.text if old is not None and old.author != AUTHOR and old.text else "")
            comment = Comment(text, AUTHOR)
            comment.width, comment.height = width, height
            cell.comment = comment
            done += 1
        return done

    def edits(self) -> dict[str, dict[str, CellEdit]]:
        """sheet -> coordinate -> :class:`CellEdit` for :mod:`.xlsxpatch`."""
        out: dict[str, dict[str, CellEdit]] = {}
        for (sheet, coord), (value, number_format) in self.values.items():
            out.setdefault(sheet, {})[coord] = CellEdit(value=value, set_value=True, number_format=number_format)
        for (sheet, coord), notes in self.notes.items():
            edit = out.setdefault(sheet, {}).setdefault(coord, CellEdit())
            edit.fill = self.worst(notes)
            edit.comment = "\n".join(t for _, t in notes)
        return out


def _anchor(ws, coord: str):
    cell = ws[coord]
    if isinstance(cell, MergedCell):
        for rng in ws.merged_cells.ranges:
            if coord in rng:
                return ws.cell(rng.min_row, rng.min_col)
    return cell


def _clear_previous_annotations(wb, fills: Iterable[str]) -> None:
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


def _cut_long_texts(wb) -> None:
    """Texts over Excel's cell limit (a hand-made file) are cut, so the returned workbook
    opens; intake reported each with text-too-long."""
    for ws in wb.worksheets:
        for cell in getattr(ws, "_cells", {}).values():
            if cell.data_type == "s" and isinstance(cell.value, str) and len(cell.value) > EXCEL_MAX_CHARS:
                set_cell(cell, cell.value)


def open_submission(path: Path, status: str, rules: Rules, rebuild: bool = False) -> tuple[Workbook, dict[str, Any]]:
    """The workbook to annotate and a map: sheet name in issues -> worksheet.

    ``rebuild`` (or an xlsx openpyxl cannot load although intake could read it, e.g. a
    damaged part or a sheet name openpyxl refuses): a new workbook from the cell values."""
    suffix = path.suffix.lower()
    wb = Workbook()
    wb.remove(wb.active)
    if status == "已拒收":
        return wb, {}
    if suffix in (".xlsx", ".xlsm") and not rebuild:
        try:
            loaded = load_workbook(path, keep_vba=suffix == ".xlsm", rich_text=False)
        except Exception:  # noqa: BLE001 — openpyxl raises many types on damaged files
            rebuild = True
        else:
            _cut_long_texts(loaded)
            return loaded, {ws.title: ws for ws in loaded.worksheets}
    kind = "csv" if suffix == ".csv" else ("xlsx" if suffix in (".xlsx", ".xlsm") else "xls")
    try:
        sheets = read_sheets(path.read_bytes(), kind, rules)
    except (ReadError, OSError):
        return wb, {}
    by_name = {}
    for raw in sheets:
        ws = wb.create_sheet(_sheet_title(raw.name, path.stem))
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
    return wb, by_name


def _fix_value(fixed: Any, unit: float, field_type: str) -> Any:
    n = as_number(fixed)
    if n is not None and unit not in (None, 1, 1.0) and field_type == "amount":
        return n / unit
    return fixed


def add_fixes(ann: Annotator, sheets: Mapping[str, Any], fixes: pd.DataFrame | None, columns: pd.DataFrame | None,
              rules: Rules, cells: Mapping[int, Mapping[str, str]] | None = None) -> None:
    """Write certain fixes in place: at the field's column on the record's row (lists), or at
    the cell intake recorded for the field (forms: ``src_cells``)."""
    if fixes is None or fixes.empty:
        return
    cells = cells or {}
    colmap = {(r.src_sheet, r.field): (r.column, getattr(r, "unit", 1.0)) for r in columns.itertuples()} \
        if columns is not None and not columns.empty else {}
    types = {f.key: f.type for f in rules.fields}
    for fx in fixes.itertuples(index=False):
        col, unit = colmap.get((fx.src_sheet, fx.field), ("", 1.0))
        own = cells.get(int(fx.row_id)) if not is_blank(fx.row_id) else None
        if own is not None:
            coord = own.get(fx.field, "")
        elif col and not is_blank(fx.src_row):
            coord = f"{col}{int(fx.src_row)}"
        else:
            coord = ""
        if fx.src_sheet not in sheets or not coord:
            continue
        value = _fix_value(fx.fixed, unit, types.get(fx.field, ""))
        if text_of(value) == text_of(fx.original) or is_blank(value):
            continue
        rate = types.get(fx.field) == "rate" and as_number(value) is not None
        coord = ann.set(fx.src_sheet, coord, value, PERCENT_FORMAT if rate else None)
        ann.add(fx.src_sheet, coord, "fixed", f"已自动更正，原值：{text_of(fx.original)}")


def add_issues(ann: Annotator, sheets: Mapping[str, Any], issues: pd.DataFrame) -> None:
    for rec in issues.itertuples(index=False):
        if rec.sheet not in sheets or is_blank(rec.row) or is_blank(rec.column) or not _CELL.match(str(rec.column)):
            continue
        text = f"【{SEVERITY_ZH.get(rec.severity, rec.severity)}】{rec.message}"
        if not is_blank(rec.suggestion) and rec.suggestion:
            text += f"\n建议：{rec.suggestion}"
        ann.add(rec.sheet, f"{rec.column}{int(rec.row)}", rec.severity, text)


def issue_sheet(issues: pd.DataFrame, titles: Mapping[str, str], title: str) -> NewSheet:
    """The ``问题清单`` sheet: one row per issue of the file, linked to its cell.
    ``titles``: sheet name in issues -> title of that sheet in the returned workbook."""
    rows, fills, links = [], {}, {}
    for i, rec in enumerate(issues.itertuples(index=False)):
        target = titles.get(rec.sheet)
        sheet_name = target if target is not None else (rec.sheet or "")
        has_cell = not is_blank(rec.row) and not is_blank(rec.column) and rec.column
        where = f"{rec.column}{int(rec.row)}" if has_cell else (f"第{int(rec.row)}行" if not is_blank(rec.row) else "整个文件")
        rows.append([sheet_name, where, SEVERITY_ZH.get(rec.severity, rec.severity), rec.field, rec.message,
                     rec.suggestion, rec.value, rec.rule])
        if rec.severity in SEVERITY_ORDER:
            fills[(i, 2)] = rec.severity
        if has_cell and target is not None:
            links[(i, 1)] = f"{sheet_ref(target)}!{where}"
    return NewSheet(title, ISSUE_SHEET_HEADERS, rows, ISSUE_SHEET_WIDTHS, fills, links, selected=True)


def add_sheet(wb, spec: NewSheet, index: int, fills: Mapping[str, PatternFill]):
    """Render a :class:`NewSheet` with openpyxl at position ``index`` (an older sheet of the
    same title is replaced): bold header, frozen, filtered, printable one page wide."""
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
    for j, h in enumerate(spec.headers, start=1):
        c = ws.cell(1, j, h)
        c.font, c.fill = bold, head_fill
    link_font = Font(color="0563C1", underline="single")
    for i, values in enumerate(spec.rows):
        for j, v in enumerate(values):
            if not is_blank(v) and text_of(v) != "":
                set_cell(ws.cell(i + 2, j + 1), text_of(v))
    for (i, j), kind in spec.fills.items():
        ws.cell(i + 2, j + 1).fill = fills.get(kind, PatternFill())
    for (i, j), location in spec.links.items():
        cell = ws.cell(i + 2, j + 1)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=location)
        cell.font = link_font
    for j, w in enumerate(spec.widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.freeze_panes = "A2"
    ws.page_setup.orientation = "landscape"          # printable: one page wide
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(spec.headers))}{max(len(spec.rows) + 1, 2)}"
    return ws


def return_workbook(src: Path, dest: Path, status: str, issues: pd.DataFrame, fixes: pd.DataFrame | None,
                    columns: pd.DataFrame | None, rules: Rules,
                    cells: Mapping[int, Mapping[str, str]] | None = None,
                    comparison: pd.DataFrame | None = None, previous: str = "") -> Path:
    """Annotate one submission and save it to ``dest`` (the input is only read). ``cells``:
    row_id -> {field key: cell} for form records (a form's fields do not share one row).
    ``comparison``: the file's rows of the ``resubmission`` frame when it is a resubmission
    (sheet ``与上次提交对比``, ``previous`` names the earlier submission), else None.

    An .xlsx/.xlsm is patched part by part (:mod:`.xlsxpatch`: only edited rows are
    rewritten); what the patcher does not handle goes through openpyxl, and what openpyxl
    cannot write back is rebuilt from the values."""
    settings = rules.extra.get("template") or {}
    fills = dict(settings.get("fills") or {})
    titles = (settings.get("issue_sheet", "问题清单"), settings.get("comparison_sheet", COMPARISON_SHEET))
    dest.parent.mkdir(parents=True, exist_ok=True)
    if status != "已拒收" and src.suffix.lower() in (".xlsx", ".xlsm") and \
            not (len(issues) and (issues["rule"] == "text-too-long").any()):
        try:
            _patch_submission(src, dest, issues, fixes, columns, rules, cells, comparison, previous, fills, titles)
            return dest
        except Exception:  # noqa: BLE001 — PatchUnsupported, or a damaged part (zip, zlib, UTF-8 errors)
            dest.unlink(missing_ok=True)            # fall back to openpyxl below
    for rebuild in (False, True):
        wb, sheets = open_submission(src, status, rules, rebuild)
        ann = Annotator(fills, lambda sheet, coord: _anchor(sheets[sheet], coord).coordinate)
        try:
            _clear_previous_annotations(wb, ann.colours.values())
            add_fixes(ann, sheets, fixes, columns, rules, cells)
            add_issues(ann, sheets, issues)
            ann.apply(wb, sheets)
            names = {name: ws.title for name, ws in sheets.items()}
            add_sheet(wb, issue_sheet(issues, names, titles[0]), 0, ann.fills)
            if titles[1] in wb.sheetnames:            # a returned workbook sent back: drop the old one
                del wb[titles[1]]
            extra = comparison_sheet(comparison, names, previous, titles[1])
            if extra is not None:
                add_sheet(wb, extra, 1, ann.fills)
            wb.save(dest)
            return dest
        except Exception:  # noqa: BLE001 — a loaded workbook openpyxl cannot write back: rebuild it
            if rebuild:
                raise
    return dest


def _patch_submission(src: Path, dest: Path, issues: pd.DataFrame, fixes: pd.DataFrame | None,
                      columns: pd.DataFrame | None, rules: Rules, cells: Mapping[int, Mapping[str, str]] | None,
                      comparison: pd.DataFrame | None, previous: str, fills: Mapping[str, str],
                      titles: tuple[str, str]) -> None:
    book = PatchBook(src)
    book.remove_sheets(titles)
    names = {t: t for t in book.sheets}
    wanted = set(issues["sheet"].dropna()) if len(issues) else set()
    if fixes is not None and len(fixes):
        wanted |= set(fixes["src_sheet"].dropna())
    if wanted - set(names) - {""}:               # a sheet the patcher cannot place (chartsheet, strict XML…)
        raise PatchUnsupported(f"sheets {sorted(wanted - set(names))}")
    ann = Annotator(fills, lambda sheet, coord: anchor_of(coord, book.merged(sheet)))
    add_fixes(ann, names, fixes, columns, rules, cells)
    add_issues(ann, names, issues)
    new = [issue_sheet(issues, names, titles[0])]
    extra = comparison_sheet(comparison, names, previous, titles[1])
    if extra is not None:
        new.append(extra)
    book.apply(ann.edits(), new, ann.colours, AUTHOR, ann.box, dest)


def form_cells(records: pd.DataFrame | None) -> dict[int, Mapping[str, str]]:
    """row_id -> {field key: cell coordinate} for records read from forms (intake ``src_cells``)."""
    if records is None or "src_cells" not in getattr(records, "columns", ()):
        return {}
    return {int(r): c for r, c in zip(records["row_id"], records["src_cells"]) if isinstance(c, Mapping)}


def write_returns(folder: Path, catalog: Mapping[str, Any], issue_table: pd.DataFrame,
                  pool: JobPool | None = None) -> list[Path]:
    """One returned workbook per submitted file (files intake ignored are not returned).
    With a ``pool`` the workbooks are submitted there (a parallel pool: biggest first) and the
    paths they will have are returned; they exist once the pool has finished."""
    jobs = return_jobs(folder, catalog, issue_table)
    if pool is None:
        return [func(*args) for _, func, args in jobs]
    for _, func, args in (sorted(jobs, key=lambda job: -job[0]) if pool.parallel else jobs):
        pool.submit(func, *args)
    return [args[1] for _, _, args in jobs]


def return_jobs(folder: Path, catalog: Mapping[str, Any], issue_table: pd.DataFrame) -> list[tuple]:
    """``(estimated cost, return_workbook, args)`` per returned workbook, in file order;
    cost: the submitted file's size."""
    options, rules = catalog["options"], catalog["rules"]
    files = catalog.get("files")
    if files is None or files.empty:
        return []
    fixes = catalog.get("fixes")
    columns = catalog.get("columns")
    cells = form_cells(catalog.get("records"))
    used: set[str] = set()
    jobs = []
    by_file = issue_table.groupby("file", sort=False).indices if len(issue_table) else {}
    fixes_by_file = fixes.groupby("src_file", sort=False).indices if fixes is not None and len(fixes) else {}
    columns_by_file = columns.groupby("src_file", sort=False).indices \
        if columns is not None and len(columns) else {}
    for rec in files.itertuples(index=False):
        if rec.status == "已忽略":
            continue
        src = Path(options.input_dir) / rec.src_file
        rel = returned_name(rec.src_file)
        n = 2
        while rel.as_posix().lower() in used:
            rel = rel.with_name(f"{returned_name(rec.src_file).stem} ({n}){rel.suffix}")
            n += 1
        used.add(rel.as_posix().lower())
        dest = Path(folder) / rel
        mine = issue_table.iloc[by_file.get(rec.src_file, [])] if len(issue_table) else issue_table
        f_fix = fixes.iloc[fixes_by_file.get(rec.src_file, [])] if fixes is not None and len(fixes) else None
        f_cols = columns.iloc[columns_by_file.get(rec.src_file, [])] \
            if columns is not None and len(columns) else None
        status = rec.status if src.is_file() else "已拒收"
        compared, previous = comparison_for(catalog, rec.src_file)
        cost = src.stat().st_size if status != "已拒收" else 0
        jobs.append((float(cost), return_workbook,
                     (src, dest, status, mine, f_fix, f_cols, rules, cells, compared, previous)))
    return jobs
