"""The cell-accounting proof: every non-empty cell of every data row of a submission is in an
output (客户主档 field or extension column, a related sheet) or named by an issue.

Works on what a steward has after a run: the source workbook (read with python-calamine, so
.xlsx, .xls and .ods alike), ``customers.xlsx`` (客户主档, 来源明细, related sheets),
``issues.csv`` and the returned workbook's 列映射 sheet. :func:`account` returns the cells that
reach nothing and fills ``counts`` with how every other cell was accounted for.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Any, Iterable

import python_calamine as pc
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

RELATED = ("联系人", "互动记录", "需求与反馈", "维护计划")


def load_outputs(month: Path) -> dict[str, Any]:
    """customers.xlsx sheets as lists of dicts, and issues.csv rows."""
    book = load_workbook(month / "customers.xlsx", read_only=True)
    sheets = {}
    for name in ("客户主档", "来源明细", *RELATED):
        rows = list(book[name].iter_rows(values_only=True))
        sheets[name] = [dict(zip(rows[0], r)) for r in rows[1:]]
    with open(month / "issues.csv", encoding="utf-8-sig") as fh:
        issues = list(csv.DictReader(fh))
    return {"month": month, "sheets": sheets, "issues": issues,
            "header": list(next(book["客户主档"].iter_rows(values_only=True)))}


def _key(v) -> str:
    if v is None:
        return ""
    if isinstance(v, (dt.datetime, dt.date)):
        return v.strftime("%Y%m%d")
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    v = re.sub(r"(\d{4})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*日?",
               lambda m: f"{m.group(1)}{int(m.group(2)):02d}{int(m.group(3)):02d}", str(v))   # a written date
    return re.sub(r"[\s\-－/]", "", unicodedata.normalize("NFKC", str(v))).lower()


def found(value, outputs: Iterable[Any], whole: bool = False) -> bool:
    """The value, or its digits, or its ticked option, appears among the output values;
    ``whole``: the whole value must appear inside one output (a remark inside 备注)."""
    outputs = list(outputs)
    ticked = re.findall(r"[☑■√✓]\s*([^□☑■√✓\s]+)", str(value))
    if ticked:                                 # a check box: the ticked options are the value
        return all(any(_key(t) == _key(o) or _key(t) in _key(o).split("、") for o in outputs) for t in ticked)
    k = _key(value)
    digits = re.sub(r"\D", "", k)
    for o in outputs:
        ok = _key(o)
        if not ok:
            continue
        if ok == k or (len(ok) >= 2 and ok in k and not whole) or (len(k) >= 2 and k in ok):
            return True
        if len(digits) >= 6 and digits == re.sub(r"\D", "", ok)[: len(digits)]:
            return True
    return False


class Grid:
    """One source sheet as calamine reads it; ``value("C8")`` is what the cell holds."""

    def __init__(self, rows: list[list[Any]]):
        self.rows = rows

    def value(self, ref: str) -> Any:
        col, row = re.match(r"([A-Z]+)(\d+)", ref).groups()
        c = sum((ord(ch) - 64) * 26 ** i for i, ch in enumerate(reversed(col))) - 1
        r = int(row) - 1
        if r >= len(self.rows) or c >= len(self.rows[r]):
            return None
        v = self.rows[r][c]
        return None if v == "" else v

    def row(self, r: int) -> list[tuple[str, Any]]:
        """(cell reference, value) of the non-empty cells of Excel row ``r``."""
        if r - 1 >= len(self.rows):
            return []
        return [(f"{get_column_letter(c + 1)}{r}", v) for c, v in enumerate(self.rows[r - 1]) if v not in ("", None)]


def source_sheets(path: Path) -> dict[str, Grid]:
    wb = pc.CalamineWorkbook.from_path(str(path))
    return {name: Grid(wb.get_sheet_by_name(name).to_python()) for name in wb.sheet_names}


def _note_cells(grid: Grid, related_rows: set[int], columns: set[str] = frozenset(),
                label_rows: set[int] = frozenset()) -> list[str]:
    """The cells of a form's remark column (备注 / 填写说明 beside 填写内容), label rows only;
    plus, for a form without such a header (a card), the cells of ``columns`` on ``label_rows``
    (the remark columns intake named in 列映射, the rows holding a mapped value)."""
    out = [f"{c}{r}" for c in columns for r in label_rows if grid.value(f"{c}{r}") is not None]
    for r in range(1, len(grid.rows) + 1):
        texts = {re.match(r"[A-Z]+", ref).group(): str(v).strip() for ref, v in grid.row(r) if isinstance(v, str)}
        if "填写内容" not in texts.values():
            continue
        for letter, text in texts.items():
            if text.startswith(("备注", "填写说明")):
                for below in range(r + 1, len(grid.rows) + 1):
                    label_row = len(grid.row(below)) <= len(texts)          # not a table's header
                    v = grid.value(f"{letter}{below}")
                    if below not in related_rows and label_row and v not in (None, text):
                        out.append(f"{letter}{below}")
    return sorted(set(out), key=lambda ref: (int(re.sub(r"^[A-Z]+", "", ref)), ref))


def is_sequence(values) -> bool:
    numbers = [int(v) if isinstance(v, float) and v.is_integer() else v for v in values if v is not None]
    return all(isinstance(v, int) for v in numbers) and all(a < b for a, b in zip(numbers, numbers[1:]))


def _count(counts: dict, what: str) -> None:
    counts[what] = counts.get(what, 0) + 1


def account(out: dict[str, Any], source: Path, file: str, instructions: Iterable[str],
            counts: dict | None = None) -> list[str]:
    """The non-empty data cells of ``file`` (its copy at ``source``) found in no output and no
    issue. ``instructions``: the template instruction texts the remark columns may hold (never
    imported, and never put in 备注). ``counts`` gets: output, issue, row number, template
    text, skipped row (a 来源明细 跳过 row's cells: 合计, notes, signatures)."""
    counts = {} if counts is None else counts
    instructions = {str(t).strip() for t in instructions}
    month, sheets = out["month"], out["sheets"]
    src = source_sheets(source)
    returned_name = Path(file).with_suffix(".xlsx").name
    returned = load_workbook(month / "returns" / returned_name, read_only=True)
    mapping = [r for r in returned["列映射"].iter_rows(min_row=2, values_only=True)]
    issues = {(i["sheet"], i["row"], i["column"]) for i in out["issues"] if i["file"] == file}
    master = {r["客户编号"]: r for r in sheets["客户主档"]}
    lost = []
    for title, grid in src.items():
        mine = [r for r in sheets["来源明细"] if r["来源文件"] == file and r["工作表"] == title]
        if not mine:
            continue
        customer = {r["行号"]: r["客户编号"] for r in mine if r["处理结果"] == "并入主档"}
        for r in mine:
            if r["处理结果"] == "跳过":
                for _ in grid.row(r["行号"]):
                    _count(counts, "skipped row")
        cells = [(m[1], m[3], m[4]) for m in mapping if m[0] == title]
        form = any(re.fullmatch(r"[A-Z]+\d+", str(c)) for c, _, _ in cells)
        related = [r for t in RELATED for r in sheets[t] if r["来源文件"] == file and r["工作表"] == title]
        if form:         # a form: every mapped value cell, every cell of its table rows, its remark cells
            cid = next(iter(customer.values()))
            targets = [(c, f, how) for c, f, how in cells if re.fullmatch(r"[A-Z]+\d+", str(c))]
            label_rows = {int(re.sub(r"^[A-Z]+", "", c)) for c, _, _ in targets}
            table_rows = {r["行号"] for r in related} - label_rows
            wanted = list(targets)
            wanted += [(ref, None, "") for r in sorted(table_rows) for ref, _ in grid.row(r)]
            mapped = {ref for ref, _, _ in wanted}
            named = {re.sub(r"\d+$", "", str(c)) for c, _, how in cells if how in ("表单备注", "不导入（模板说明）")}
            wanted += [(ref, "备注", "note") for ref in _note_cells(grid, {r["行号"] for r in related}, named, label_rows)
                       if ref not in mapped]
        else:
            cid = None
            wanted = [(f"{col}{r}", f, how) for r in customer for col, f, how in cells]
        options: dict[str, list[tuple[Any, str]]] = {}   # a cell under two tables' mappings: either may hold it
        for ref, fieldname, how in wanted:
            options.setdefault(ref, []).append((fieldname, how))
        for ref, choices in options.items():
            value = grid.value(ref)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            col, row = re.match(r"([A-Z]+)(\d+)", ref).groups()
            owner = master.get(cid or customer.get(int(row)))
            outputs = list(owner.values()) if owner else []
            outputs += [v for r in related if r["行号"] == int(row) for v in r.values()]
            how = choices[0][1]
            if any(h in ("note", "表单备注") for _, h in choices) and str(value).strip() in instructions:
                assert not found(value, [owner.get("备注")]), ref     # an instruction is no remark
                _count(counts, "template text")
            elif found(value, outputs, whole=any(h in ("note", "表单备注") for _, h in choices)):
                _count(counts, "output")
            elif (title, row, col) in issues:
                _count(counts, "issue")
            elif str(how).startswith("不导入（序号"):        # dropped only when it is a row numbering
                assert is_sequence([grid.value(f"{col}{r}") for r in sorted(customer)]), ref
                _count(counts, "row number")
            elif owner and any(f and owner.get(f) not in (None, "") and h not in ("note", "表单备注") for f, h in choices):
                _count(counts, "output")  # normalized beyond recognition (10-20万 → 预算下限/上限), but filled
            else:
                lost.append(f"{title}!{ref}={value!r}")
    return lost
