"""returns/<submitted file>: each submission handed back corrected and annotated (docs/outputs.md, “Returned workbooks”).

Certain fixes are written in place (light green, comment ``已自动更正，原值：…``); cells with
issues are filled by severity and get one combined comment; a ``问题清单`` sheet is inserted
FIRST (and made active) listing every issue of the file with a link to its cell; a
resubmitted file also gets ``与上次提交对比`` (:mod:`.comparison`). The input is only read.

Which way a file comes back (:class:`ReturnResult`, recorded in summary.json and the report):

- ``patched``: an .xlsx/.xlsm edited part by part (:mod:`.xlsxpatch`) — everything else kept;
- ``openpyxl``: what the patcher does not handle, loaded and saved with openpyxl
  (:mod:`.returns_openpyxl`), handed out only when the comparison with the submission
  (:mod:`.xlsxpatch.verify`) finds nothing lost;
- ``separate``: otherwise — and for a file intake refused — the submission comes back
  untouched, with the 问题清单 in ``<name>_问题清单.xlsx`` next to it (links into the file);
- ``rebuilt``: ``.xls`` and ``.csv`` submissions come back as ``.xlsx`` rebuilt from their values.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import PatternFill

from ..issues import SEVERITY_ORDER, SEVERITY_ZH, Issue, issues_frame, render_template
from ..rules import Rules
from .comparison import comparison_for, comparison_sheet
from .dropdowns import add_openpyxl_dropdowns, data_rows, enum_dropdowns, first_data_row, readable
from .issue_list import issue_sheet
from .mapping import mapping_for, mapping_sheet
from ..parallel import JobPool
from .rebuild import rebuild_values
from .returns_openpyxl import AUTHOR, DEFAULT_FILLS, add_sheet, apply_annotations, is_formula, write_with_openpyxl
from .xlsx import DATE_FORMAT, PERCENT_FORMAT, as_date, as_number, clean_text, display_width, is_blank, text_of
from .xlsxpatch import MARK, CellEdit, PatchUnsupported, anchor_of, split_coord
from .xlsxpatch import Workbook as PatchBook
from .xlsxpatch.verify import losses

FIX_MARKINGS = ("fill", "comment", "list")
#: the note of a certain fix that lands on a formula cell (the formula is kept)
FORMULA_KEPT = "公式保留，建议值："
_BAD_CHARS = re.compile(r'[<>:"|?*\x00-\x1f]')
_CELL = re.compile(r"^[A-Z]{1,3}$")
METHODS = ("patched", "openpyxl", "separate", "rebuilt")


@dataclass(frozen=True)
class ReturnResult:
    """How one submission came back: ``method`` (one of :data:`METHODS`), ``reasons``
    (``(code, params)`` why not patched; wording in rules/template.yaml ``returns``), the
    returned file and, for ``separate``, the 问题清单 workbook next to it."""
    src_file: str
    path: Path
    method: str
    reasons: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    issue_list: Path | None = None
    fixed: int = 0                 # cells corrected in the returned file (its 已更正 lines)

    def __str__(self) -> str:
        return str(self.path)


def _reasons(items: Sequence[tuple[str, Mapping[str, Any]]]) -> tuple:
    return tuple((code, tuple(sorted(params.items()))) for code, params in items)


def describe(result: ReturnResult, rules: Rules) -> tuple[str, str]:
    """(method, reasons) in Chinese, from rules/template.yaml ``returns``."""
    texts = rules.template.returns
    method = texts.methods.get(result.method, result.method)
    templates = texts.reasons
    reasons = "；".join(render_template(templates.get(code, code), dict(params)) for code, params in result.reasons)
    return method, reasons


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
    return rel.with_suffix(".xlsx") if suffix in (".xls", ".csv", ".ods", ".et") else rel.with_name(rel.name + ".xlsx")


class Annotator:
    """Collects what changes in a returned workbook: fixed values and notes per cell. It is
    then applied once per cell, by openpyxl (:meth:`apply`) or as XML edits (:meth:`edits`).
    ``anchor(sheet, coord)``: the cell that holds ``coord`` (the top-left of a merged range)."""

    def __init__(self, fills: Mapping[str, str], anchor: Callable[[str, str], str] = lambda s, c: c,
                 fix_marking: str = "comment", formula: Callable[[str, str], bool] = lambda s, c: False):
        #: how a certain fix shows in the cell (``fix_marking`` in rules/template.yaml): ``fill``
        #: green plus a comment with the original value, ``comment`` the comment only,
        #: ``list`` nothing in the cell; every fix is listed in 问题清单 whatever the setting
        self.fix_marking = fix_marking if fix_marking in FIX_MARKINGS else "comment"
        self.fixed: list[tuple[str, str, str, str, str]] = []   # (sheet, coord, field, original, new)
        #: fixes on formula cells, not applied: the team's formula stays (``formula(sheet, coord)``)
        self.suggested: list[tuple[str, str, str, str, str]] = []
        self.formula = formula
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

    def fix(self, sheet: str, coord: str, field: str, original: str, value: Any) -> None:
        """A certain fix at ``coord`` (already ``set``): noted as the setting says, listed always.
        On a formula cell the value is not written: the formula stays and the note suggests it."""
        if self.formula(sheet, coord):
            self.values.pop((sheet, coord), None)
            self.suggested.append((sheet, coord, field, original, text_of(value)))
            if self.fix_marking != "list":
                self.add(sheet, coord, "formula", f"{FORMULA_KEPT}{text_of(value)}（当前值：{original}）")
            return
        self.fixed.append((sheet, coord, field, original, text_of(value)))
        if self.fix_marking != "list":
            self.add(sheet, coord, "fixed", f"已自动更正，原值：{original}")

    def worst(self, notes: list[tuple[str, str]]) -> str | None:
        """The fill of a cell with ``notes``: its most severe issue, else green for a fix when
        fixes are filled, else none."""
        fixed = self.fix_marking == "fill" and any(k == "fixed" for k, _ in notes)
        return min((k for k, _ in notes if k in SEVERITY_ORDER), key=SEVERITY_ORDER.get,
                   default="fixed" if fixed else None)

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


_UNKNOWN = object()


def submitted_value(src: Path, rules: Rules) -> Callable[[str, str], Any]:
    """``(sheet, coord) ->`` the value the submission holds in that cell (read once, on first
    use); ``_UNKNOWN`` when the file or sheet cannot be read."""
    grids: dict[str, list] | None = None

    def value(sheet: str, coord: str) -> Any:
        nonlocal grids
        if grids is None:
            from ..intake.readers import read_sheets
            try:
                kind = "xlsx" if src.suffix.lower() in (".xlsx", ".xlsm") else "xls"
                grids = {s.name: s.rows for s in read_sheets(src.read_bytes(), kind, rules)}
            except Exception:  # noqa: BLE001 — unreadable here: the fix is not held back
                grids = {}
        rows = grids.get(sheet)
        if rows is None:
            return _UNKNOWN
        r, c = split_coord(coord)
        return rows[r - 1][c - 1] if r <= len(rows) and c <= len(rows[r - 1]) else None
    return value


def add_fixes(ann: Annotator, sheets: Mapping[str, Any], fixes: pd.DataFrame | None, columns: pd.DataFrame | None,
              rules: Rules, cells: Mapping[int, Mapping[str, str]] | None = None,
              submitted: Callable[[str, str], Any] | None = None) -> None:
    """Write certain fixes in place: at the field's column on the record's row (lists), or at
    the cell intake recorded for the field (forms: ``src_cells``; related tables: the fix's
    ``cell``). A form cell is only rewritten when it holds the value that was fixed
    (``submitted``): a ticked-box list (``□展会☑老客户介绍``) read as one option is kept."""
    if fixes is None or fixes.empty:
        return
    cells = cells or {}
    # an amount under a header unit (年合作金额（万元）) arrives in that unit (normalize reports it so)
    colmap = {(r.src_sheet, r.field): r.column for r in columns.itertuples()} \
        if columns is not None and not columns.empty else {}
    types = {f.key: f.type for f in rules.fields}
    names = rules.field_names
    for fx in fixes.itertuples(index=False):
        col = colmap.get((fx.src_sheet, fx.field), "")
        own = cells.get(int(fx.row_id)) if not is_blank(fx.row_id) else None
        form = True
        if not is_blank(getattr(fx, "cell", None)):          # a related-table cell (normalize_related)
            coord = str(fx.cell)
        elif own is not None:
            coord = own.get(fx.field, "")
        elif col and not is_blank(fx.src_row):
            coord, form = f"{col}{int(fx.src_row)}", False
        else:
            coord = ""
        if fx.src_sheet not in sheets or not coord:
            continue
        if form and submitted is not None:
            held = submitted(fx.src_sheet, ann.anchor(fx.src_sheet, coord))
            if held is not _UNKNOWN and text_of(held).strip() != text_of(fx.original).strip():
                continue
        value = fx.fixed
        if text_of(value) == text_of(fx.original) or is_blank(value):
            continue
        rate = types.get(fx.field) == "rate" and as_number(value) is not None
        coord = ann.set(fx.src_sheet, coord, value, PERCENT_FORMAT if rate else None)
        ann.fix(fx.src_sheet, coord, names.get(fx.field, fx.field), text_of(fx.original), value)


def add_issues(ann: Annotator, sheets: Mapping[str, Any], issues: pd.DataFrame) -> None:
    for rec in issues.itertuples(index=False):
        if rec.sheet not in sheets or is_blank(rec.row) or is_blank(rec.column) or not _CELL.match(str(rec.column)):
            continue
        text = f"【{SEVERITY_ZH.get(rec.severity, rec.severity)}】{rec.message}"
        if not is_blank(rec.suggestion) and rec.suggestion:
            text += f"\n建议：{rec.suggestion}"
        ann.add(rec.sheet, f"{rec.column}{int(rec.row)}", rec.severity, text)


def return_workbook(src: Path, dest: Path, status: str, issues: pd.DataFrame, fixes: pd.DataFrame | None,
                    columns: pd.DataFrame | None, rules: Rules,
                    cells: Mapping[int, Mapping[str, str]] | None = None,
                    comparison: pd.DataFrame | None = None, previous: str = "", src_file: str = "",
                    copyable: bool = True, mapping: pd.DataFrame | None = None) -> ReturnResult:
    """Annotate one submission and save it to ``dest`` (the input is only read). ``cells``:
    row_id -> {field key: cell} for form records (a form's fields do not share one row).
    ``comparison``: the file's rows of the ``resubmission`` frame when it is a resubmission
    (sheet ``与上次提交对比``, ``previous`` names the earlier submission), else None.
    ``copyable``: a refused file may come back as its own bytes (False for a link out of input/).
    ``mapping``: the file's rows of intake's ``column_map`` (sheet ``列映射``, :mod:`.mapping`)."""
    settings = rules.template
    fills = dict(settings.fills)
    marking = settings.fix_marking
    titles = (settings.issue_sheet, settings.comparison_sheet, settings.mapping_sheet)
    src_file = src_file or src.name
    dest.parent.mkdir(parents=True, exist_ok=True)
    suffix = src.suffix.lower()
    spreadsheet = suffix in (".xlsx", ".xlsm")
    if status == "已拒收":
        return _separate(src if copyable and src.is_file() else None, dest, issues, comparison, previous, rules,
                         fills, titles, src_file, [("refused", {})], mapping)
    why: list[tuple[str, dict]] = []
    if spreadsheet and len(issues) and (issues["rule"] == "text-too-long").any():
        why.append(("long_text", {}))
    elif spreadsheet:
        try:
            fixed = _patch_submission(src, dest, issues, fixes, columns, rules, cells, comparison, previous, fills,
                                      titles, mapping)
            return ReturnResult(src_file, dest, "patched", fixed=fixed)
        except Exception as exc:  # noqa: BLE001 — PatchUnsupported, or a damaged part (zip, zlib, UTF-8 errors)
            dest.unlink(missing_ok=True)
            why.append(("patch", {"detail": _short(exc)}))
    else:
        why.append(("legacy", {"suffix": suffix or "无扩展名"}))
        base = dest.with_name(f".{dest.stem}.crm-base.xlsx")
        try:                                 # the values as an .xlsx, then patched (pipeline/writers/rebuild.py)
            aliases = rebuild_values(src, base, rules, columns, Path(src_file).stem)
            fixed = _patch_submission(base, dest, issues, fixes, columns, rules, cells, comparison, previous, fills,
                                      titles, mapping, aliases)
            return ReturnResult(src_file, dest, "rebuilt", _reasons(why), fixed=fixed)
        except Exception:  # noqa: BLE001 — NotRebuilt, PatchUnsupported…: openpyxl rebuilds it below
            dest.unlink(missing_ok=True)
        finally:
            base.unlink(missing_ok=True)
    work = dest.with_name(f".{dest.stem}.crm-tmp{dest.suffix}")
    noted: dict[str, set[str]] = {}
    renamed: dict[str, str] = {}
    corrected: list[int] = [0]

    def annotate(wb, sheets, anchor) -> None:
        ann = Annotator(fills, anchor, marking, lambda sheet, coord: is_formula(sheets[sheet], coord))
        add_fixes(ann, sheets, fixes, columns, rules, cells, submitted_value(src, rules))
        add_issues(ann, sheets, issues)
        apply_annotations(ann, sheets)
        drops = enum_dropdowns(columns, rules)
        for name, ws in sheets.items():
            add_openpyxl_dropdowns(ws, drops.get(name, []))
            if not spreadsheet:                  # a CSV/.xls rebuilt from its values
                readable(ws, first_data_row(columns, name))
        for sheet, coord in [*ann.values, *ann.notes]:
            noted.setdefault(sheet, set()).add(coord)
        renamed.update({name: ws.title for name, ws in sheets.items()})
        _add_new_sheets(wb, issues, comparison, previous, renamed, titles, ann.fills, mapping=mapping,
                        fixed=ann.fixed, suggested=ann.suggested)
        corrected[0] = len(ann.fixed)
    try:
        rebuilt = write_with_openpyxl(src, work, status, rules, fills, annotate, Path(src_file).stem)
        if not spreadsheet:
            work.replace(dest)
            return ReturnResult(src_file, dest, "rebuilt", _reasons(why), fixed=corrected[0])
        lost = [("rebuilt", {})] if rebuilt else losses(src, work, noted, titles, renamed)
    except Exception as exc:  # noqa: BLE001 — openpyxl could neither load nor rebuild it
        if not spreadsheet:
            raise
        lost = [("unreadable", {"detail": _short(exc)})]
    if lost:
        work.unlink(missing_ok=True)
        return _separate(src, dest, issues, comparison, previous, rules, fills, titles, src_file, why + lost, mapping)
    work.replace(dest)
    return ReturnResult(src_file, dest, "openpyxl", _reasons(why), fixed=corrected[0])


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:120]


def _add_new_sheets(wb, issues: pd.DataFrame, comparison: pd.DataFrame | None, previous: str,
                    names: Mapping[str, str], titles: tuple[str, ...], fills: Mapping[str, PatternFill],
                    link_file: str = "", mapping: pd.DataFrame | None = None,
                    fixed: Sequence[tuple[str, str, str, str, str]] = (), lead: int = 0,
                    suggested: Sequence[tuple[str, str, str, str, str]] = ()) -> None:
    """The 问题清单 first (and active), then 与上次提交对比 for a resubmission; older copies go."""
    add_sheet(wb, issue_sheet(issues, names, titles[0], fixed, lead, suggested), 0, fills, link_file)
    if titles[1] in wb.sheetnames:            # a returned workbook sent back: drop the old one
        del wb[titles[1]]
    extra = comparison_sheet(comparison, names, previous, titles[1])
    if extra is not None:
        add_sheet(wb, extra, 1, fills, link_file)
    if titles[2] in wb.sheetnames:
        del wb[titles[2]]
    columns_sheet = mapping_sheet(mapping, names, titles[2])
    if columns_sheet is not None:             # then 列映射, where the patcher puts it too
        add_sheet(wb, columns_sheet, 1 + (extra is not None), fills, link_file)


def issue_list_path(dest: Path, rules: Rules) -> Path:
    """``<name>_问题清单.xlsx`` next to a submission returned untouched."""
    suffix = rules.template.returns.issue_list_suffix
    return dest.with_name(f"{dest.stem}{suffix}.xlsx")


def _separate(src: Path | None, dest: Path, issues: pd.DataFrame, comparison: pd.DataFrame | None, previous: str,
              rules: Rules, fills: Mapping[str, str], titles: tuple[str, ...], src_file: str,
              reasons: Sequence[tuple[str, Mapping[str, Any]]], mapping: pd.DataFrame | None = None) -> ReturnResult:
    """The submission untouched (when it exists) and its 问题清单 as a workbook of its own,
    whose links open the cells of the returned copy; the list's first line says why."""
    copy = dest.with_suffix(src.suffix) if src is not None and src.suffix else dest
    if src is not None:
        shutil.copyfile(src, copy)
    listing = issue_list_path(dest, rules)
    result = ReturnResult(src_file, copy if src is not None else listing, "separate", _reasons(reasons), listing)
    note = issues_frame([separate_issue(result, rules)], rules)
    names = {n: n for n in set(issues["sheet"].dropna()) if n} if len(issues) else {}
    wb = Workbook()
    wb.remove(wb.active)
    ann = Annotator(fills)
    rows = pd.DataFrame(note.to_dict("records") + issues.to_dict("records"), columns=note.columns)
    _add_new_sheets(wb, rows, comparison, previous,
                    names if src is not None else {}, titles, ann.fills, copy.name if src is not None else "",
                    mapping=mapping, lead=len(note))
    wb.save(listing)
    return result


def separate_issue(result: ReturnResult, rules: Rules) -> Issue:
    """The file-level note that a file came back untouched with a separate 问题清单."""
    _, reasons = describe(result, rules)
    return Issue("return-separate-list", result.src_file,
                 params={"reason": reasons, "list_file": result.issue_list.name if result.issue_list else ""})


def return_issues(results: Sequence[ReturnResult], rules: Rules) -> list[Issue]:
    return [separate_issue(r, rules) for r in results if r.method == "separate"]


def returns_summary(results: Sequence[ReturnResult], rules: Rules, folder: Path) -> dict[str, Any]:
    """summary.json ``returns``: per file the path that ran and why, plus counts per path."""
    files = []
    for r in results:
        method_zh, reasons = describe(r, rules)
        files.append({"file": r.src_file, "returned": _rel(r.path, folder), "method": r.method,
                      "method_zh": method_zh, "reason": reasons,
                      "reason_codes": [code for code, _ in r.reasons],
                      "issue_list": _rel(r.issue_list, folder) if r.issue_list else ""})
    counts = {m: sum(r.method == m for r in results) for m in METHODS}
    return {"files": files, "by_method": counts}


def _inside(path: Path, folder: Path) -> bool:
    """A regular file of ``folder`` itself, reached without a symbolic link."""
    try:
        return path.is_file() and path.resolve().is_relative_to(folder.resolve()) and \
            not any(p.is_symlink() for p in [path, *path.parents] if p != folder and folder in p.parents)
    except OSError:
        return False


def _rel(path: Path, folder: Path) -> str:
    try:
        return Path(path).relative_to(folder).as_posix()
    except ValueError:
        return Path(path).name


def _patch_submission(src: Path, dest: Path, issues: pd.DataFrame, fixes: pd.DataFrame | None,
                      columns: pd.DataFrame | None, rules: Rules, cells: Mapping[int, Mapping[str, str]] | None,
                      comparison: pd.DataFrame | None, previous: str, fills: Mapping[str, str],
                      titles: tuple[str, ...], mapping: pd.DataFrame | None = None,
                      aliases: Mapping[str, str] | None = None) -> int:
    """Patch ``src`` into ``dest``; the number of cells corrected. ``aliases``: sheet name in
    issues -> its title in ``src`` where they differ (a rebuilt CSV)."""
    book = PatchBook(src)
    book.remove_sheets(titles)
    names = {t: t for t in book.sheets}
    names.update(aliases or {})
    wanted = set(issues["sheet"].dropna()) if len(issues) else set()
    if fixes is not None and len(fixes):
        wanted |= set(fixes["src_sheet"].dropna())
    if wanted - set(names) - {""}:               # a sheet the patcher cannot place (chartsheet, strict XML…)
        raise PatchUnsupported(f"sheets {sorted(wanted - set(names))}")
    ann = Annotator(fills, lambda sheet, coord: anchor_of(coord, book.merged(names.get(sheet, sheet))),
                    rules.template.fix_marking, book.has_formula)
    add_fixes(ann, names, fixes, columns, rules, cells, submitted_value(src, rules))
    add_issues(ann, names, issues)
    new = [issue_sheet(issues, names, titles[0], ann.fixed, suggested=ann.suggested)]
    extra = comparison_sheet(comparison, names, previous, titles[1])
    if extra is not None:
        new.append(extra)
    columns_sheet = mapping_sheet(mapping, names, titles[2])
    if columns_sheet is not None:
        new.append(columns_sheet)
    titled = lambda by_sheet: {names.get(k, k): v for k, v in by_sheet.items()}  # noqa: E731
    book.apply(titled(ann.edits()), new, ann.colours, AUTHOR, ann.box, dest, titled(enum_dropdowns(columns, rules)))
    return len(ann.fixed)


def form_cells(records: pd.DataFrame | None) -> dict[int, Mapping[str, str]]:
    """row_id -> {field key: cell coordinate} for records read from forms (intake ``src_cells``)."""
    if records is None or "src_cells" not in getattr(records, "columns", ()):
        return {}
    return {int(r): c for r, c in zip(records["row_id"], records["src_cells"]) if isinstance(c, Mapping)}


def write_returns(folder: Path, catalog: Mapping[str, Any], issue_table: pd.DataFrame,
                  pool: JobPool | None = None) -> list[Path]:
    """One returned workbook per submitted file (files intake ignored are not returned).
    With a ``pool`` the workbooks are submitted there (a parallel pool: biggest first) and the
    paths they will have are returned; they exist once the pool has finished, and each job's
    :class:`ReturnResult` is in ``pool.results``."""
    jobs = return_jobs(folder, catalog, issue_table)
    if pool is None:
        return [func(*args).path for _, func, args in jobs]
    for _, func, args in (sorted(jobs, key=lambda job: -job[0]) if pool.parallel else jobs):
        pool.submit(func, *args)
    return [args[1] for _, _, args in jobs]


def returned_names(files: pd.DataFrame | None) -> dict[str, str]:
    """Submitted file name -> its returned workbook's path under returns/ (files intake ignored
    get none); two submissions that would share a name get `` (2)``, `` (3)``…"""
    used: set[str] = set()
    out: dict[str, str] = {}
    if files is None or not len(files):
        return out
    for f, status in zip(files["src_file"], files["status"] if "status" in files.columns else [""] * len(files)):
        if status == "已忽略":
            continue
        rel = returned_name(f)
        n = 2
        while rel.as_posix().lower() in used:
            rel = rel.with_name(f"{returned_name(f).stem} ({n}){rel.suffix}")
            n += 1
        used.add(rel.as_posix().lower())
        out[f] = rel.as_posix()
    return out


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
    names = returned_names(files)
    jobs = []
    by_file = issue_table.groupby("file", sort=False).indices if len(issue_table) else {}
    fixes_by_file = fixes.groupby("src_file", sort=False).indices if fixes is not None and len(fixes) else {}
    if columns is not None and len(columns):      # the data rows of list sheets, for the dropdowns
        columns = columns.merge(data_rows(catalog.get("records")), on=["src_file", "src_sheet"], how="left")
    columns_by_file = columns.groupby("src_file", sort=False).indices \
        if columns is not None and len(columns) else {}
    for rec in files.itertuples(index=False):
        if rec.status == "已忽略":
            continue
        kept = (catalog.get("source_paths") or {}).get(rec.src_file)   # the ledger's own copy (pipeline/ledger.py)
        own_copy = kept is not None
        src = Path(kept) if own_copy else Path(options.input_dir) / rec.src_file
        dest = Path(folder) / names[rec.src_file]
        mine = issue_table.iloc[by_file.get(rec.src_file, [])] if len(issue_table) else issue_table
        f_fix = fixes.iloc[fixes_by_file.get(rec.src_file, [])] if fixes is not None and len(fixes) else None
        f_cols = columns.iloc[columns_by_file.get(rec.src_file, [])] \
            if columns is not None and len(columns) else None
        status = rec.status if src.is_file() else "已拒收"
        # a refused file comes back as its own bytes unless it is a link out of input/
        copyable = status != "已拒收" or own_copy or _inside(src, Path(options.input_dir))
        compared, previous = comparison_for(catalog, rec.src_file)
        cost = src.stat().st_size if status != "已拒收" else 0
        jobs.append((float(cost), return_workbook,
                     (src, dest, status, mine, f_fix, f_cols, rules, cells, compared, previous, rec.src_file,
                      copyable, mapping_for(catalog, rec.src_file))))
    return jobs
