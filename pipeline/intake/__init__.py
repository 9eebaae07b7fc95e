"""Intake: the input edge. Lists submission files, reads every sheet, finds the layout and
the header, and returns raw records with provenance plus the tables that account for
every file and every row (see the table contracts in :mod:`pipeline.model`).

Public API (called by the runner): :func:`list_inputs`, :func:`read_inputs`.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import pandas as pd

from ..issues import Issue, render
from ..model import (COLUMN_MAP_COLUMNS, FILE_COLUMNS, FILE_TEAM_COLUMNS, MAPPING_COLUMNS, PROVENANCE,
                     SOURCE_ROW_COLUMNS, StageResult)
from ..parallel import JobPool, default_workers
from ..related import related_schema
from ..rules import Rules, fold_header
from ..teams import fill_date, resolve_team
from .chunk import SheetContext, SheetOut
from .columns import EXT_PREFIX
from .files import check_file, list_inputs, relative_name, skipped_inputs
from .forms import read_field_form, read_label_form
from .grid import detect_grid_form, read_grid_form
from .layout import (LAYOUT_FIELDS, LAYOUT_GRID, LAYOUT_LABEL, LAYOUT_LIST, HeaderMatcher, TypeGuesser,
                     column_letter, detect_form, is_blank)
from .lists import detect_list_header, read_list_sheet
from .decisions import is_review_workbook, read_review_decisions  # noqa: F401 (a stage of the runner)
from .readers import RawSheet, ReadError, cut_long_cells, read_sheets

__all__ = ["list_inputs", "skipped_inputs", "read_inputs"]

STATUS_DONE, STATUS_REJECTED = "已处理", "已拒收"
_CJK_SPACE = re.compile(r"(?<=[\u3400-\u9fff])\s+|\s+(?=[\u3400-\u9fff])")
REVIEW_FILE_NOTE = "合并审核工作簿：只读取其中的疑似重复判定"


class _Run:
    """Accumulates the per-sheet outputs of one run and assigns row ids."""

    def __init__(self, rules: Rules):
        self.rules = rules
        self.n = 0
        self.fields: dict[str, list[Any]] = {}
        self.prov: dict[str, list[Any]] = {k: [] for k in PROVENANCE + ["customer_type", "extras", "src_cells"]}
        self.source_rows: list[tuple] = []
        self.files: list[dict[str, Any]] = []
        self.columns: list[dict[str, Any]] = []
        self.related: dict[str, list[dict[str, Any]]] = {}
        self.issues: list[Issue] = []
        self.mapping: list[dict[str, Any]] = []
        # extension columns: one per folded header across the run (teams share a column)
        self.ext_keys: dict[str, str] = {}
        self.field_headers = {fold_header(f.name) for f in rules.fields}
        self.ext_suffix = rules.columns.extension.computed_suffix

    def ext_key(self, key: str) -> str:
        """The run's record column for an extension column: the first spelling of its folded
        header wins; a header equal to a field name gets the computed-field suffix."""
        name = _CJK_SPACE.sub("", key[len(EXT_PREFIX):].strip())     # "微信 号" is 微信号
        folded = fold_header(name)
        hit = self.ext_keys.get(folded)
        if hit is None:
            shown = name + self.ext_suffix if folded in self.field_headers else name
            hit = self.ext_keys[folded] = EXT_PREFIX + shown
        return hit

    def add(self, out: SheetOut, ctx: SheetContext) -> None:
        base, n = self.n, out.n
        for key, values in out.fields.items():
            if key == "customer_type":
                continue
            if key.startswith(EXT_PREFIX):
                key = self.ext_key(key)
            self.fields.setdefault(key, [None] * base).extend(values)
        for key, values in self.fields.items():
            if len(values) < base + n:
                values.extend([None] * (base + n - len(values)))
        p = self.prov
        p["row_id"].extend(range(base, base + n))
        p["src_file"].extend([ctx.rel] * n)
        p["src_sheet"].extend([ctx.sheet] * n)
        p["src_row"].extend(out.src_row)
        p["src_sha256"].extend([ctx.sha256] * n)
        p["src_team"].extend([ctx.team] * n)
        p["src_layout"].extend([out.layout] * n)
        p["customer_type"].extend(out.customer_type)
        p["extras"].extend(out.extras)
        p["src_cells"].extend(out.src_cells)
        self.source_rows.extend((ctx.rel, ctx.sheet, row, None if i is None else base + i, outcome, reason)
                                for row, i, outcome, reason in out.source_rows)
        self.columns.extend(out.column_rows)
        self.mapping.extend({**m, "field": self.ext_key(EXT_PREFIX + m["field"])[len(EXT_PREFIX):]}
                            if m.get("_ext") else m for m in out.mapping)
        for table, rows in out.related.items():
            self.related.setdefault(table, []).extend({**r, "row_id": base + r["row_id"]} for r in rows)
        self.issues.extend(i if i.row_id is None else dataclasses.replace(i, row_id=base + i.row_id)
                           for i in out.issues)
        self.n += n

    def records(self) -> pd.DataFrame:
        data: dict[str, Any] = {}
        for key in PROVENANCE + ["customer_type"]:
            values = self.prov[key]
            if key in ("row_id", "src_row"):
                data[key] = pd.Series(values, dtype="int64")
            else:
                data[key] = pd.Series(values, dtype=object)
        placeholders = list(self.rules.config.intake.empty_markers)
        for f in self.rules.fields:
            if f.key in self.fields:
                col = pd.Series(self.fields[f.key], dtype=object)
                if placeholders:  # "-", "/", "无", "N/A" written to mean "nothing to fill in"
                    col = col.mask(col.isin(placeholders), None)
                data[f.key] = col
        for key in self.ext_keys.values():
            if key in self.fields:
                col = pd.Series(self.fields[key], dtype=object)
                data[key] = col.mask(col.isin(placeholders), None) if placeholders else col
        data["extras"] = pd.Series(self.prov["extras"], dtype=object)
        data["src_cells"] = pd.Series(self.prov["src_cells"], dtype=object)
        return pd.DataFrame(data)

    def related_frames(self, rules: Rules) -> dict[str, pd.DataFrame]:
        tables = related_schema(rules).columns()       # schemas/related.yaml, in output order
        out = {}
        for name in tables:
            cols = ["row_id", "src_file", "src_sheet", "src_row", *tables[name], "src_cells"]
            rows = self.related.get(name, [])
            frame = pd.DataFrame({c: pd.Series([r.get(c) for r in rows], dtype=object) for c in cols})
            out[name] = frame.astype({"row_id": "int64", "src_row": "int64"})
        return out


def _reject(run: _Run, rel: str, sha: str, issue: Issue, sheets: int = 0) -> None:
    run.issues.append(issue)
    run.files.append({"src_file": rel, "sha256": sha, "layout": "", "sheets": sheets,
                      "status": STATUS_REJECTED, "message": render(issue, run.rules)["message"]})


@dataclass(frozen=True)
class Layout:
    """One intake layout: ``detect(sheet, rules, matcher)`` returns a hint for ``read`` (the
    header row index) or None when the sheet is not of this layout; ``read(sheet, hint, ctx,
    rules, matcher, guesser)`` returns the sheet's records."""

    name: str
    detect: Callable[[RawSheet, Rules, HeaderMatcher], Any]
    read: Callable[..., SheetOut]


def _detect_form(layout: str) -> Callable[[RawSheet, Rules, HeaderMatcher], Any]:
    def detect(sheet: RawSheet, rules: Rules, matcher: HeaderMatcher) -> Any:
        form = detect_form(sheet.rows, rules)
        return form[1] if form is not None and form[0] == layout else None
    return detect


#: The layouts, tried in this order; the first whose ``detect`` answers reads the sheet. Forms
#: come first because their header rows (字段名称 | 填写内容, 项目 | 填写内容) would also pass
#: as list headers; a grid form is tried before the list header because a card of
#: label/value pairs has a "best header row" too (see docs/intake.md, Forms).
LAYOUTS: tuple[Layout, ...] = (
    Layout(LAYOUT_FIELDS, _detect_form(LAYOUT_FIELDS), read_field_form),
    Layout(LAYOUT_LABEL, _detect_form(LAYOUT_LABEL), read_label_form),
    Layout(LAYOUT_GRID, detect_grid_form, read_grid_form),
    Layout(LAYOUT_LIST, detect_list_header, read_list_sheet),
)


def _read_sheet(sheet: RawSheet, ctx: SheetContext, rules: Rules, matcher: HeaderMatcher,
                guesser: TypeGuesser) -> SheetOut | Issue | None:
    """One sheet -> its records, or a sheet-level issue, or None for a blank sheet."""
    rows = sheet.rows
    if sheet.too_many_rows:
        limit = rules.config.intake.max_rows_per_sheet
        return Issue(rule="file-too-large", file=ctx.rel, sheet=ctx.sheet,
                     params={"detail": "sheet_rows", "rows": sheet.too_many_rows, "limit": limit})
    if not any(not is_blank(v) for row in rows for v in row):
        return None
    for layout in LAYOUTS:
        hint = layout.detect(sheet, rules, matcher)
        if hint is not None:
            return layout.read(sheet, hint, ctx, rules, matcher, guesser)
    return Issue(rule="file-no-header", file=ctx.rel, sheet=ctx.sheet,
                 params={"rows": rules.config.intake.header_scan_rows})


_HIDDEN_RULES = ("sheet-hidden-data", "sheet-hidden-large")


def _hidden_sheet(sheet: RawSheet, ctx: SheetContext, rules: Rules, matcher: HeaderMatcher,
                  guesser: TypeGuesser) -> Issue | None:
    """A hidden sheet is not imported (an old copy, a helper list such as the template's own
    dropdown options); one warning says so when it holds customers (read as a visible sheet
    would be: rows with a 客户名称; ``rows`` counts them, not the header). A helper list or a
    blank hidden sheet: nothing. One over the row limit is not looked into: a warning says so."""
    if sheet.too_many_rows:
        return Issue(rule="sheet-hidden-large", file=ctx.rel, sheet=ctx.sheet,
                     params={"sheet": ctx.sheet, "rows": sheet.too_many_rows,
                             "limit": rules.config.intake.max_rows_per_sheet})
    if not any(not is_blank(v) for row in sheet.rows for v in row):
        return None
    out = _read_sheet(sheet, ctx, rules, matcher, guesser)
    rows = sum(1 for v in out.fields.get("name", ()) if not is_blank(v)) if isinstance(out, SheetOut) else 0
    if not rows:
        return None
    return Issue(rule="sheet-hidden-data", file=ctx.rel, sheet=ctx.sheet, params={"sheet": ctx.sheet, "rows": rows})


@dataclass
class _FileRead:
    """What reading one file found, before its rows get their run's row ids (:func:`_add_file`):
    a refusal, a review workbook, or its sheets' outputs (None for a blank sheet, an Issue
    for a sheet-level problem) with the long cells cut on the way."""

    rel: str
    sha256: str
    refused: Issue | None = None
    review: bool = False
    sheets: int = 0
    team: str = ""
    team_source: str = ""
    filled: Any = None
    outs: list[tuple[SheetContext, list[tuple[int, int, int]], SheetOut | Issue | None]] = \
        dataclasses.field(default_factory=list)


def _read_file(path: Path, input_dir: Path, rules: Rules, matcher: HeaderMatcher, guesser: TypeGuesser,
               source_name: str | None) -> _FileRead:
    """One file read on its own: nothing of the run is touched, so files can be read side by side."""
    check = check_file(Path(path), Path(input_dir), rules, source_name)
    if check.issue is not None:
        return _FileRead(check.rel, check.sha256, refused=check.issue)
    try:
        sheets = read_sheets(check.data, check.kind, rules)
    except ReadError as exc:
        params = {"detail": exc.reason, "error": exc.detail} if exc.rule == "file-unreadable" else {}
        return _FileRead(check.rel, check.sha256, refused=Issue(rule=exc.rule, file=check.rel, params=params))
    if is_review_workbook(sheets, rules):   # a customers.xlsx with 疑似重复: decisions, not customers
        return _FileRead(check.rel, check.sha256, review=True, sheets=len(sheets))
    instructions = {fold_header(s) for s in rules.config.intake.instruction_sheets}
    tops = [s.rows[:32] for s in sheets if s.visible]
    found, filled = resolve_team(check.rel, tops, rules), fill_date(tops, rules)
    read = _FileRead(check.rel, check.sha256, sheets=len(sheets), team=found.team, team_source=found.source,
                     filled=filled)
    stem = Path(check.rel).stem
    for sheet in sheets:
        if not sheet.visible:
            ctx = SheetContext(rel=check.rel, sheet=sheet.name, sha256=check.sha256, team=found.team, stem=stem)
            read.outs.append((ctx, [], _hidden_sheet(sheet, ctx, rules, matcher, guesser)))
            sheet.rows = []
            continue
        if fold_header(sheet.name) in instructions:
            continue
        ctx = SheetContext(rel=check.rel, sheet=sheet.name, sha256=check.sha256, team=found.team, stem=stem)
        cut = cut_long_cells(sheet.rows)
        read.outs.append((ctx, cut, _read_sheet(sheet, ctx, rules, matcher, guesser)))
        sheet.rows = []                        # free the cells early
    return read


def _add_file(run: _Run, read: _FileRead) -> None:
    """A file's records into the run (row ids in reading order), and its line of ``files``."""
    if read.refused is not None:
        _reject(run, read.rel, read.sha256, read.refused)
        return
    if read.review:
        run.files.append({"src_file": read.rel, "sha256": read.sha256, "layout": "", "sheets": read.sheets,
                          "status": STATUS_DONE, "message": REVIEW_FILE_NOTE, "team": "", "team_source": "",
                          "fill_date": None})
        return
    layouts, sheet_issues, empties, notes, before = [], [], [], [], run.n
    for ctx, cut, result in read.outs:
        run.issues.extend(Issue(rule="text-too-long", file=ctx.rel, sheet=ctx.sheet, row=r0 + 1,
                                column=column_letter(c0), field=f"{column_letter(c0)}列",
                                params={"length": n}) for r0, c0, n in cut)
        if result is None:
            continue
        if isinstance(result, Issue):
            (notes if result.rule in _HIDDEN_RULES else sheet_issues).append(result)
            continue
        layouts.append(result.layout)
        empties.extend(i for i in result.issues if i.rule == "file-empty")
        run.add(result, ctx)
    if run.n == before and not sheet_issues and not empties:
        sheet_issues.append(Issue(rule="file-empty", file=read.rel))
    run.issues.extend(sheet_issues + notes)
    status = STATUS_DONE if run.n > before else STATUS_REJECTED
    reasons = sheet_issues + empties
    message = render(reasons[0], run.rules)["message"] if reasons and status == STATUS_REJECTED else ""
    run.files.append({"src_file": read.rel, "sha256": read.sha256, "layout": layouts[0] if layouts else "",
                      "sheets": read.sheets, "status": status, "message": message,
                      "team": read.team, "team_source": read.team_source, "fill_date": read.filled})


#: from this many bytes of submissions on, the files after the middle byte are read by a forked
#: child while this process reads the first ones (a fork and the pickled records cost about a
#: second; worth it only for a big month)
SPLIT_FROM_BYTES = 4_000_000


def _split_at(paths: list[Path]) -> int:
    """Index of the first file the child reads (0: no child)."""
    sizes = []
    for path in paths:
        try:
            sizes.append(Path(path).stat().st_size)
        except OSError:
            sizes.append(0)
    total = sum(sizes)
    if len(paths) < 2 or total < SPLIT_FROM_BYTES or default_workers() < 2:
        return 0
    running = 0
    for i, size in enumerate(sizes):
        running += size
        if running * 2 >= total:
            return min(max(i + 1, 1), len(paths) - 1)
    return len(paths) - 1


def _read_files(paths: list[Path], input_dir: Path, rules: Rules, progress: Callable[[int, int, str], None],
                source_names: Mapping[Path, str] | None) -> Iterator[_FileRead]:
    """Every file's :class:`_FileRead`, in the order of ``paths``; a big month's later files are
    read by a child process meanwhile (:data:`SPLIT_FROM_BYTES`)."""
    matcher, guesser = HeaderMatcher(rules), TypeGuesser(rules)
    names = source_names or {}

    def read(group: list[Path]) -> list[_FileRead]:
        return [_read_file(p, input_dir, rules, matcher, guesser, names.get(p)) for p in group]

    cut = _split_at(paths)
    with JobPool(2 if cut else 1) as pool:
        later = pool.submit(read, paths[cut:]) if cut else None
        for n_file, path in enumerate(paths[:cut] if cut else paths, start=1):
            progress(n_file - 1, len(paths), Path(path).name)
            yield _read_file(path, input_dir, rules, matcher, guesser, names.get(path))
        if later is not None:
            for n_file, done in enumerate(pool.wait()[later], start=cut + 1):
                progress(n_file - 1, len(paths), done.rel)
                yield done


def read_inputs(paths: list[Path], input_dir: Path, rules: Rules,
                progress: Callable[[int, int, str], None] | None = None,
                source_names: Mapping[Path, str] | None = None) -> StageResult:
    """Read every file in ``paths`` (from :func:`list_inputs`) into raw records.

    A file that cannot be read yields one file-level issue and ``files`` status 已拒收;
    the run goes on with the others. Returns data keys ``records``, ``source_rows``,
    ``files``, ``columns``, ``related``, ``column_map`` (contracts in :mod:`pipeline.model`). ``progress``
    (from the runner) hears of each file as it is read. ``source_names`` gives the name of a
    file the ledger keeps outside ``input_dir`` (pipeline/ledger.py)."""
    run = _Run(rules)
    progress = progress or (lambda done, total, what="": None)
    for read in _read_files(paths, input_dir, rules, progress, source_names):
        _add_file(run, read)

    data = {
        "records": run.records(),
        "source_rows": pd.DataFrame(run.source_rows, columns=SOURCE_ROW_COLUMNS).astype(
            {"row_id": "Int64", "src_row": "int64"}),
        "files": pd.DataFrame(run.files, columns=FILE_COLUMNS + FILE_TEAM_COLUMNS).astype({"sheets": "int64"}),
        "columns": pd.DataFrame(run.columns, columns=COLUMN_MAP_COLUMNS).astype({"unit": "float64"}),
        "related": run.related_frames(rules),
        "column_map": pd.DataFrame(run.mapping, columns=MAPPING_COLUMNS),
    }
    return StageResult(data=data, issues=tuple(run.issues))
