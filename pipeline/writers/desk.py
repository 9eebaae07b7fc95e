"""The steward's documents: 季度客户评审.xlsx and 客户信息确认单 (xlsx or print-ready HTML).

Built from :mod:`pipeline.review`; see docs/使用指南.md (“季度评审与客户确认”).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import jinja2

from ..review import DOWN, UP, Confirmation, Review, level_order, strategies
from ..rules import Rules
from .returns import safe_relative
from .xlsx import Formats, clean_text, open_workbook, write_table

REVIEW_HEADERS = {"customer_id": "客户编号", "name": "客户名称", "customer_type": "客户类型", "team": "所属团队",
                  "owner": "负责销售", "proposed": "建议最终等级", "change": "本季度变化", "label": "级别定义",
                  "strategy": "管理策略", "basis": "最近分级依据", "note": "说明"}
#: columns the review meeting fills in (the level column gets a dropdown of the levels)
MEETING = ["评审确认等级", "评审意见"]
FILLS = {"changed": "#FFEB9C", UP: "#E2EFDA", DOWN: "#FFC7CE"}


def _month_label(month: str) -> str:
    year, mon = month.split("-")
    return f"{int(mon)}月等级"


def write_review(path: Path, review: Review, rules: Rules) -> Path:
    """The review workbook: sheet 季度评审 (one row per customer; a month whose level differs
    from the month before is yellow, the proposed level green when it rose and red when it
    fell; two columns for the meeting), sheet 管理策略 (the levels' definitions and strategies)
    and sheet 说明."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    table = review.table
    headers = [REVIEW_HEADERS.get(c) or _month_label(c.split(" ", 1)[1]) for c in table.columns] + MEETING
    rows = [list(r) + ["", ""] for r in table.itertuples(index=False, name=None)]
    wb = open_workbook(path, constant_memory=False)
    fmt = Formats(wb)
    ws = write_table(wb, fmt, "季度评审", headers, rows, ["text"] * len(headers))
    fills = {k: wb.add_format({"bg_color": v, "bold": k != "changed"}) for k, v in FILLS.items()}
    col = {c: j for j, c in enumerate(table.columns)}
    for i, month in review.changed:
        j = col[f"level {month}"]
        ws.write_string(i + 1, j, clean_text(str(table.iat[i, j])), fills["changed"])
    for i, change in enumerate(table["change"]):
        if change in (UP, DOWN):
            ws.write_string(i + 1, col["proposed"], clean_text(str(table.iat[i, col["proposed"]])), fills[change])
            ws.write_string(i + 1, col["change"], change, fills[change])
    levels = level_order(rules)
    if rows and levels:
        ws.data_validation(1, len(headers) - 2, len(rows), len(headers) - 2,
                           {"validate": "list", "source": levels, "error_title": "等级无效",
                            "error_message": f"请从 {'、'.join(levels)} 中选择"})
    wide = {"strategy": 46, "basis": 40, "note": 30, "name": 28}
    for key, width in wide.items():
        if key in col:
            ws.set_column(col[key], col[key], width, wb.add_format({"num_format": "@", "text_wrap": True,
                                                                    "valign": "top"}))
    strat = strategies(rules)
    write_table(wb, fmt, "管理策略", ["客户等级", "级别定义", "管理策略", "建议客户数"],
                [[g, strat.get(g, {}).get("label", ""), strat.get(g, {}).get("strategy", ""),
                  int((table["proposed"] == g).sum())] for g in levels])
    months = "、".join(review.months)
    notes = [
        [f"{review.quarter} 季度客户评审（月份：{months}）"],
        ["每月的客户等级是初评；季度评审会结合销售和服务数据确认最终级别，并按级别制定下阶段管理策略。"],
        ["“建议最终等级”取本季度最近一个有等级的月份；黄色表示该月等级与上月不同，绿色为本季度上升，红色为下降。"],
        ["请在“评审确认等级”列选择最终等级（可与建议不同），在“评审意见”列写明理由。"],
        ["未评定的客户在“说明”列写明缺少哪些字段，请让负责销售补填。"],
    ]
    write_table(wb, fmt, "说明", ["说明"], notes).set_column(0, 0, 110)
    wb.close()
    return path


# ----------------------------------------------------------------------------- confirmation

def confirmation_name(conf: Confirmation, suffix: str) -> str:
    return safe_relative(f"{conf.customer_id}_{conf.name or '未命名'}_客户信息确认单{suffix}").name


def _texts(rules: Rules) -> Mapping[str, Any]:
    spec = rules.confirm
    return {"title": spec.title, "intro": spec.intro, "footer": spec.footer, "signature": list(spec.signature)}


def write_confirmation_xlsx(path: Path, conf: Confirmation, rules: Rules, month: str) -> Path:
    """One sheet laid out as the field-list form (信息类别 | 字段名称 | 填写内容 | 客户确认/更正),
    printable on one A4 page."""
    texts = _texts(rules)
    wb = open_workbook(path, constant_memory=False)
    ws = wb.add_worksheet("客户信息确认单")
    title = wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top", "num_format": "@"})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center"})
    cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "vcenter", "num_format": "@"})
    group = wb.add_format({"border": 1, "bold": True, "valign": "vcenter", "align": "center", "bg_color": "#F2F2F2"})
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 18)
    ws.set_column(2, 2, 40)
    ws.set_column(3, 3, 24)
    ws.merge_range(0, 0, 0, 3, clean_text(texts["title"]), title)
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, 3, clean_text(f"客户编号：{conf.customer_id}　客户名称：{conf.name}　"
                                          f"所属团队：{conf.team or '—'}　资料月份：{month}"), wrap)
    r = 2
    if texts["intro"]:
        ws.merge_range(r, 0, r, 3, clean_text(texts["intro"]), wrap)
        ws.set_row(r, 32)
        r += 1
    for j, h in enumerate(["信息类别", "字段名称", "填写内容", "客户确认 / 更正"]):
        ws.write_string(r, j, h, head)
    r += 1
    for label, items in conf.sections:
        start = r
        for name, value in items:
            ws.write_string(r, 1, clean_text(name), cell)
            ws.write_string(r, 2, clean_text(value), cell)
            ws.write_blank(r, 3, None, cell)
            r += 1
        if r - 1 > start:
            ws.merge_range(start, 0, r - 1, 0, clean_text(label), group)
        else:
            ws.write_string(start, 0, clean_text(label), group)
    r += 1
    for line in texts["signature"]:
        ws.merge_range(r, 0, r, 3, clean_text(str(line)), wrap)
        ws.set_row(r, 24)
        r += 1
    if texts["footer"]:
        ws.merge_range(r, 0, r, 3, clean_text(texts["footer"]), wrap)
    ws.set_paper(9)
    ws.fit_to_pages(1, 1)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.center_horizontally()
    wb.close()
    return path


_ENV: jinja2.Environment | None = None


def _env() -> jinja2.Environment:
    global _ENV
    if _ENV is None:
        _ENV = jinja2.Environment(loader=jinja2.PackageLoader("pipeline", "templates"), autoescape=True,
                                  trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    return _ENV


def write_confirmation_html(path: Path, conf: Confirmation, rules: Rules, month: str) -> Path:
    """The same sheet as a self-contained HTML page that prints on one A4 page."""
    html = _env().get_template("confirm.html.j2").render(c=conf, month=month, **_texts(rules))
    Path(path).write_text(html, encoding="utf-8")
    return path


def write_confirmations(folder: Path, items: Sequence[Confirmation], rules: Rules, month: str,
                        kind: str = "xlsx") -> list[Path]:
    """One file per customer under ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    writer = write_confirmation_html if kind == "html" else write_confirmation_xlsx
    return [writer(folder / confirmation_name(c, f".{kind}"), c, rules, month) for c in items]
