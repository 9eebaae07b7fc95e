"""Quarterly review (季度客户评审.xlsx) and the customer confirmation sheet (客户信息确认单)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from openpyxl import load_workbook

from pipeline import history
from pipeline.review import ReviewError, confirmations, quarter_months, quarter_review
from pipeline.writers.desk import write_confirmations, write_review


def _snapshots() -> pd.DataFrame:
    rows = []
    levels = {"KH00000001": ["A", "A", "B"],       # fell in December
              "KH00000002": ["C", "B", "B"],       # rose in November
              "KH00000003": [None, "S", "S"],      # first seen in November
              "KH00000004": ["B", None, None],     # not submitted after October
              "KH00000005": [None, None, None]}    # never graded
    for cid, per_month in levels.items():
        for month, level in zip(["2026-10", "2026-11", "2026-12"], per_month):
            if cid == "KH00000003" and month == "2026-10":
                continue
            if cid == "KH00000004" and month != "2026-10":
                continue
            rows.append({"month": month, "customer_id": cid, "name": f"客户{cid[-1]}", "customer_type": "企业",
                         "team": "华东销售部", "owner": "李娜", "level": level,
                         "grade_basis": "缺少年合作金额、满意度，无法评定客户等级；缺少累计合作金额，无法评定ABC分类"
                         if level is None else f"… → {level}"})
    return pd.DataFrame(rows)


def test_quarter_months():
    assert quarter_months("2026Q4") == ["2026-10", "2026-11", "2026-12"]
    assert quarter_months("2027q1") == ["2027-01", "2027-02", "2027-03"]
    with pytest.raises(ReviewError, match="YYYYQn"):
        quarter_months("2026-12")


def test_review_proposes_the_latest_level_with_its_strategy(rules):
    review = quarter_review(_snapshots(), "2026Q4", rules)
    t = review.table.set_index("customer_id")
    assert review.months == ["2026-10", "2026-11", "2026-12"]
    assert t.loc["KH00000001", "proposed"] == "B" and t.loc["KH00000001", "change"] == "下降"
    assert t.loc["KH00000002", "proposed"] == "B" and t.loc["KH00000002", "change"] == "上升"
    assert t.loc["KH00000003", "change"] == "本季度新增" and t.loc["KH00000003", "label"] == "核心客户"
    assert "专人对接" in t.loc["KH00000003", "strategy"]
    assert t.loc["KH00000004", "proposed"] == "B" and "2026-12 未提交" in t.loc["KH00000004", "note"]
    assert t.loc["KH00000005", "change"] == "未评定" and t.loc["KH00000005", "note"].startswith("缺少年合作金额、满意度")
    assert "ABC" not in t.loc["KH00000005", "note"]
    assert t.loc["KH00000001", "level 2026-10"] == "A"


def test_review_workbook_highlights_changes(rules, tmp_path):
    review = quarter_review(_snapshots(), "2026Q4", rules)
    path = write_review(tmp_path / "季度客户评审.xlsx", review, rules)
    wb = load_workbook(path)
    ws = wb["季度评审"]
    header = [c.value for c in ws[1]]
    assert header[:8] == ["客户编号", "客户名称", "客户类型", "所属团队", "负责销售", "10月等级", "11月等级", "12月等级"]
    assert "管理策略" in header and "评审确认等级" in header
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    fill = lambda r, c: (ws.cell(r, c).fill.fgColor.rgb or "")[-6:]  # noqa: E731
    col = {h: j + 1 for j, h in enumerate(header)}
    assert fill(rows["KH00000001"], col["12月等级"]) == "FFEB9C"          # changed that month
    assert fill(rows["KH00000001"], col["11月等级"]) != "FFEB9C"
    assert fill(rows["KH00000002"], col["11月等级"]) == "FFEB9C"
    assert fill(rows["KH00000001"], col["建议最终等级"]) == "FFC7CE"       # fell
    assert fill(rows["KH00000002"], col["建议最终等级"]) == "E2EFDA"       # rose
    assert ws.cell(rows["KH00000003"], col["管理策略"]).value.startswith("客户经理")
    dv = [d for d in ws.data_validations.dataValidation if "S" in (d.formula1 or "")]
    assert dv and ws.cell(2, col["评审确认等级"]).coordinate in dv[0].sqref
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    strategy = wb["管理策略"]
    assert [c.value for c in strategy[1]] == ["客户等级", "级别定义", "管理策略", "建议客户数"]
    assert {r[0]: r[3] for r in strategy.iter_rows(min_row=2, values_only=True)} == {"S": 1, "A": 0, "B": 3, "C": 0}


def test_review_without_history_is_a_clear_error(rules, tmp_path):
    with pytest.raises(ReviewError, match="没有 2026Q4"):
        quarter_review(history.load_snapshots(tmp_path / "none.sqlite", quarter_months("2026Q4")), "2026Q4", rules)


def _customers() -> pd.DataFrame:
    return pd.DataFrame([
        {"customer_id": "KH00000001", "customer_type": "企业", "name": "苏州华力电子有限公司", "team": "华东销售部",
         "uscc": "91320594MA1W3AA1X0", "mobile": "13912345678", "email": "li.na@huali.com", "level": "S",
         "abc": "A", "strategic": "是", "annual_amount": 600000.0, "first_coop": dt.date(2023, 3, 5),
         "owner": "王强", "renewal_rate": 0.95},
        {"customer_id": "KH00000002", "customer_type": "企业", "name": "苏州恒瑞精密机械有限公司", "team": "大客户部"},
    ])


def test_confirmation_lists_the_record_without_internal_grades(rules, tmp_path):
    items = confirmations(_customers(), rules, customer_ids=["kh00000001"])
    assert len(items) == 1
    fields = {name: value for _, rows in items[0].sections for name, value in rows}
    assert fields["客户名称"] == "苏州华力电子有限公司" and fields["手机号码"] == "13912345678"
    assert fields["首次合作时间"] == "2023-03-05" and fields["年合作金额"] == "600,000 元"
    for internal in ("客户等级", "ABC分类", "战略客户", "负责销售", "续约率", "客户编号"):
        assert internal not in fields
    sections = [label for label, _ in items[0].sections]
    assert sections[0] == "基本信息" and "合作历史" in sections
    (xlsx,) = write_confirmations(tmp_path, items, rules, "2026-11", "xlsx")
    ws = load_workbook(xlsx).active
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c]
    assert values[0] == "客户信息确认单" and "苏州华力电子有限公司" in values and "客户确认 / 更正" in values
    assert ws.page_setup.paperSize == 9 and ws.sheet_properties.pageSetUpPr.fitToPage
    (html,) = write_confirmations(tmp_path, items, rules, "2026-11", "html")
    page = html.read_text(encoding="utf-8")
    assert "@page { size:A4" in page and "<script" not in page and 'data-field="统一社会信用代码"' in page


def test_confirmation_masks_where_the_rules_say(rules, tmp_path):
    from dataclasses import replace
    from types import MappingProxyType

    extra = dict(rules.extra)
    extra["confirm"] = {**dict(rules.extra["confirm"]), "mask": ["mobile", "email"]}
    masked = replace(rules, extra=MappingProxyType(extra))
    fields = {n: v for _, rows in confirmations(_customers(), masked, ["KH00000001"])[0].sections for n, v in rows}
    assert fields["手机号码"] == "139****5678" and fields["电子邮箱"].startswith("l") and "***" in fields["电子邮箱"]


def test_confirmation_by_team_and_unknown_ids(rules):
    assert [c.customer_id for c in confirmations(_customers(), rules, team="大客户部")] == ["KH00000002"]
    with pytest.raises(ReviewError, match="KH99999999"):
        confirmations(_customers(), rules, customer_ids=["KH99999999"])
    with pytest.raises(ReviewError, match="没有客户"):
        confirmations(_customers(), rules, team="西北销售部")
