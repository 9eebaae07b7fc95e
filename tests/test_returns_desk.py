"""Returned workbooks lead with what matters: 问题清单 says what to do, one line per cell, errors
first, wrapped; fixes are marked as rules/template.yaml ``fix_marking`` says; CSV returns get
widths, a frozen header and filters; enumeration columns get the template's dropdowns."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from types import MappingProxyType

import pytest
from openpyxl import load_workbook

from pipeline.api import run_pipeline
from pipeline.model import RunOptions
from tests.factories import make_csv, make_workbook, uscc

HEADER = ["客户名称", "统一社会信用代码", "省份", "城市", "手机号码", "客户状态", "最近合作时间", "所属行业", "满意度"]
GOOD, OTHER = uscc("91320594MA1W3AA1"), uscc("91320594MA1W3BB2")
ROWS = [
    ["苏州华力电子有限公司", GOOD, "江苏", "苏州", "13912345678", "合作中客户", "2026-10-08", "通用设备制造业", "5.0"],
    ["苏州恒瑞精密机械有限公司", OTHER[:-1] + ("0" if OTHER[-1] != "0" else "1"), "江苏省", "苏州市", "1385678",
     "合作中", "2026-05", "科技", "4.5"],
    ["苏州云启网络科技有限公司", "", "浙江", "杭州", "13912345679", "意向客户", "2026/10/10", "软件和信息技术服务业", "4"],
]
LEVELS = ["错误", "警告", "提示", "已更正"]


def _rules(rules, **template):
    extra = dict(rules.extra)
    extra["template"] = {**dict(rules.extra["template"]), **template}
    return replace(rules, extra=MappingProxyType(extra))


def _run(tmp_path, rules, name="华东销售部_客户.xlsx", csv=False):
    inp = tmp_path / "input"
    if csv:
        make_csv(inp, name, [HEADER, *ROWS])
    else:
        make_workbook(inp, name, {"客户": [HEADER, *ROWS]})
    run_pipeline(RunOptions(input_dir=inp, output_dir=tmp_path / "out", as_of=dt.date(2026, 11, 30)), rules)
    returned = name.rsplit(".", 1)[0] + ".xlsx"
    return load_workbook(tmp_path / "out" / "2026-11" / "returns" / returned)


@pytest.fixture(scope="module")
def default(tmp_path_factory, rules):
    return _run(tmp_path_factory.mktemp("ret-default"), rules)


def _issue_rows(wb):
    ws = wb["问题清单"]
    header = [c.value for c in ws[2]]
    return ws, header, [dict(zip(header, [c.value for c in r])) for r in ws.iter_rows(min_row=3)]


def test_issue_list_opens_with_what_to_do_and_a_header(default):
    ws = default["问题清单"]
    assert default.active.title == "问题清单"
    assert "先改“错误”" in ws["A1"].value and ws["A1"].alignment.wrap_text
    assert any(str(r) == "A1:H1" for r in ws.merged_cells.ranges)       # across the 问题清单 columns
    assert [c.value for c in ws[2]] == ["级别", "工作表", "单元格", "字段", "问题", "修改建议", "填写值", "规则代码"]
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref.startswith("A2:H")


def test_issue_list_is_errors_then_warnings_then_hints_one_line_per_cell(default):
    ws, header, rows = _issue_rows(default)
    levels = [r["级别"] for r in rows]
    assert levels == sorted(levels, key=LEVELS.index) and "错误" in levels and "警告" in levels
    cells = [(r["工作表"], r["单元格"]) for r in rows if r["级别"] != "已更正"]
    assert len(cells) == len(set(cells))                                # one line per cell
    errors = [r["单元格"] for r in rows if r["级别"] == "错误"]
    position = lambda c: (int("".join(filter(str.isdigit, c)) or 0), len(c), c)  # noqa: E731 整个文件 first
    assert errors == sorted(errors, key=position)                                       # then position
    e3 = next(r for r in rows if r["单元格"] == "E3")
    assert e3["级别"] == "错误" and e3["问题"].startswith("【错误】") and "1385678" in e3["填写值"]
    row = next(i for i, r in enumerate(ws.iter_rows(min_row=3), start=3) if r[2].value == "E3")
    assert ws.cell(row, 5).alignment.wrap_text and ws.cell(row, 6).alignment.wrap_text
    assert ws.cell(row, 3).hyperlink.location == "'客户'!E3"
    assert ws.column_dimensions["E"].width >= 50


def test_fixes_are_listed_last_and_marked_quietly_by_default(default):
    _, _, rows = _issue_rows(default)
    fixed = [r for r in rows if r["级别"] == "已更正"]
    c2 = next(r for r in fixed if r["单元格"] == "C2")
    assert c2["填写值"] == "江苏" and "江苏省" in c2["问题"]
    ws = default["客户"]
    assert ws["C2"].value == "江苏省" and ws["C2"].fill.fill_type is None     # no green wall
    assert "原值：江苏" in ws["C2"].comment.text


@pytest.mark.parametrize("marking", ["fill", "list"])
def test_fix_marking_setting(tmp_path, rules, marking):
    wb = _run(tmp_path, _rules(rules, fix_marking=marking))
    ws = wb["客户"]
    assert ws["C2"].value == "江苏省"
    if marking == "fill":
        assert str(ws["C2"].fill.fgColor.rgb)[-6:] == "E2EFDA" and "原值：江苏" in ws["C2"].comment.text
    else:
        assert ws["C2"].fill.fill_type is None and ws["C2"].comment is None
    assert any(r["级别"] == "已更正" and r["单元格"] == "C2" for r in _issue_rows(wb)[2])
    assert str(ws["E3"].fill.fgColor.rgb)[-6:] == "FFC7CE"             # problems keep their colour


def _list_validations(ws):
    return {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}


def test_enumeration_columns_get_the_template_dropdowns(default):
    found = _list_validations(default["客户"])
    status = next((f for ref, f in found.items() if ref.startswith("F2:F")), "")
    assert "合作中客户" in status and "潜在客户" in status


def test_csv_returns_get_widths_a_frozen_header_filters_and_dropdowns(tmp_path, rules):
    wb = _run(tmp_path, rules, name="华南区域_客户资料.csv", csv=True)
    ws = next(w for w in wb.worksheets if w["A1"].value == "客户名称")      # the team's own data sheet
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:I")
    assert ws.column_dimensions["A"].width >= 20                       # the company names fit
    assert any(ref.startswith("F2:F") for ref in _list_validations(ws))
    assert [r["级别"] for r in _issue_rows(wb)[2]][0] == "错误"


def test_fixed_counts_in_the_report_equal_the_corrected_lines(tmp_path, rules):
    import json

    _run(tmp_path, rules)
    month = tmp_path / "out" / "2026-11"
    summary = json.loads((month / "summary.json").read_text(encoding="utf-8"))
    for f in summary["file_table"]:
        ws = load_workbook(month / "returns" / f["returned"], read_only=True)["问题清单"]
        lines = sum(1 for r in ws.iter_rows(min_row=3, values_only=True) if r[0] == "已更正")
        assert f["fixed"] == lines > 0
