"""What the ``问题清单`` sheet of a returned workbook says (the package mechanics that place it
are :mod:`.returns` and :mod:`.xlsxpatch`).

The rep reads it top down: a short note saying what to do, then one line per cell, errors
first, then warnings, then hints, each group in sheet/row/column order; a file-level problem
(整个文件) leads its group. Cells the product corrected with certainty follow, so nothing is
hidden and nothing drowns the real problems (how they are marked in the sheet itself is
``fix_marking`` in rules/template.yaml).
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from ..issues import SEVERITY_ORDER, SEVERITY_ZH
from .xlsx import is_blank
from .xlsxpatch import NewSheet, sheet_ref
from ..values import text as _text

HEADERS = ["级别", "工作表", "单元格", "字段", "问题", "修改建议", "填写值", "规则代码"]
WIDTHS = [8, 14, 9, 16, 60, 44, 22, 18]
WRAP = (3, 4, 5, 6)            # 字段, 问题, 修改建议, 填写值 wrap inside their width
FIXED = "已更正"
SUGGESTED = "建议"
WHOLE_SHEET, WHOLE_FILE = "整个工作表", "整个文件"     # where a problem of no row is
INTRO = ("请逐行处理下表：先改“错误”（红色，必须修改），再核实“警告”（黄色）；“提示”仅供参考。"
         "点“单元格”可跳到该格，格内批注写明了原因和正确写法。改好后把本文件交回即可。")


def _col_key(column: str) -> tuple[int, str]:
    return (len(column), column)


def issue_rows(issues: pd.DataFrame, sheet_order: Sequence[str] = ()) -> list[dict[str, Any]]:
    """One entry per cell (several issues of a cell joined), per row for row-level issues and
    per issue for file-level ones, most severe first, then by position."""
    order = {s: i for i, s in enumerate(sheet_order)}
    cells: dict[tuple, dict[str, Any]] = {}
    for rec in issues.itertuples(index=False):
        sheet, column = _text(rec.sheet), _text(rec.column)
        row = None if is_blank(rec.row) else int(rec.row)
        key = (sheet, row, column) if row is not None or column else ("", None, "", len(cells))
        entry = cells.setdefault(key, {"sheet": sheet, "row": row, "column": column, "severity": rec.severity,
                                       "fields": [], "messages": [], "suggestions": [], "values": [], "rules": []})
        if SEVERITY_ORDER.get(rec.severity, 9) < SEVERITY_ORDER.get(entry["severity"], 9):
            entry["severity"] = rec.severity
        tag = SEVERITY_ZH.get(rec.severity, rec.severity)
        for name, value in (("fields", _text(rec.field)), ("values", _text(rec.value)), ("rules", _text(rec.rule))):
            if value and value not in entry[name]:
                entry[name].append(value)
        entry["messages"].append((SEVERITY_ORDER.get(rec.severity, 9), f"【{tag}】{_text(rec.message)}"))
        suggestion = _text(rec.suggestion)
        if suggestion and suggestion not in entry["suggestions"]:
            entry["suggestions"].append(suggestion)
    out = list(cells.values())
    out.sort(key=lambda e: (SEVERITY_ORDER.get(e["severity"], 9), e["row"] is not None,
                            order.get(e["sheet"], len(order)), e["sheet"], e["row"] or 0,
                            _col_key(e["column"])))
    return out


def issue_sheet(issues: pd.DataFrame, titles: Mapping[str, str], title: str,
                fixed: Iterable[tuple[str, str, str, str, str]] = (), lead: int = 0,
                suggested: Iterable[tuple[str, str, str, str, str]] = ()) -> NewSheet:
    """The ``问题清单`` sheet: the note, then one line per cell (see :func:`issue_rows`), each
    linked to its cell, then the corrected cells ``fixed`` (sheet, cell, field, original,
    new value), then the fixes ``suggested`` on formula cells (not applied: the formula stays).
    ``titles``: sheet name in issues -> its title in the returned workbook;
    ``lead``: the first issues stay first as they are (a note on how the file came back)."""
    rows, fills, links = [], {}, {}
    entries = issue_rows(issues.iloc[:lead], list(titles)) if lead else []
    for i, e in enumerate(entries + issue_rows(issues.iloc[lead:], list(titles))):
        target = titles.get(e["sheet"])
        sheet_name = target if target is not None else e["sheet"]
        has_cell = e["row"] is not None and bool(e["column"])
        where = f"{e['column']}{e['row']}" if has_cell else (f"第{e['row']}行" if e["row"] is not None
                                                              else WHOLE_SHEET if e["sheet"] else WHOLE_FILE)
        messages = "\n".join(m for _, m in sorted(e["messages"], key=lambda m: m[0]))
        rows.append([SEVERITY_ZH.get(e["severity"], e["severity"]), sheet_name, where, "、".join(e["fields"]),
                     messages, "\n".join(e["suggestions"]), "、".join(e["values"]), "、".join(e["rules"])])
        if e["severity"] in SEVERITY_ORDER:
            fills[(i, 0)] = e["severity"]
        if has_cell and target is not None:
            links[(i, 2)] = f"{sheet_ref(target)}!{where}"
    for sheet, coord, field, original, value in fixed:
        i = len(rows)
        target = titles.get(sheet, sheet)
        rows.append([FIXED, target, coord, field, f"已自动更正：{original} → {value}", "无需处理，如有不对请改回",
                     original, ""])
        fills[(i, 0)] = "fixed"
        links[(i, 2)] = f"{sheet_ref(target)}!{coord}"
    for sheet, coord, field, original, value in suggested:
        i = len(rows)
        target = titles.get(sheet, sheet)
        rows.append([SUGGESTED, target, coord, field, f"公式保留，建议值：{value}（当前值：{original}）",
                     "如需更正，请修改公式或改填建议值", original, ""])
        fills[(i, 0)] = "info"
        links[(i, 2)] = f"{sheet_ref(target)}!{coord}"
    return NewSheet(title, HEADERS, rows, WIDTHS, fills, links, selected=True, intro=(INTRO,), wrap=WRAP)
