"""Blank templates: what a sales rep sees, and that the pipeline reads them back cleanly."""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from pipeline.template import TemplateError, build_template
from tests.factories import uscc

CODE = uscc("91110105MA01ABCD5")   # GB 11714 org code check digit valid too


def _dv_for(ws, letter):
    return [dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith(f"{letter}3:")]


def test_list_template_enterprise(tmp_path, rules):
    path = build_template("list", "企业", tmp_path / "企业模板.xlsx", rules)
    wb = load_workbook(path)
    assert wb.sheetnames == ["企业客户", "填写说明", "选项"]
    assert wb["选项"].sheet_state == "hidden" and wb.active.title == "企业客户"
    ws = wb["企业客户"]
    assert ws["A1"].value == "企业客户信息登记表" and any(str(r).startswith("A1:") for r in ws.merged_cells.ranges)
    stamp = [c.value for c in ws[1] if isinstance(c.value, str) and c.value.startswith("模板版本")]
    assert stamp == [f"模板版本：crm-pipeline 0.1.0 / 规则 {rules.digest[:8]}"]
    assert rules.digest[:8] in wb.defined_names["crm_template_version"].attr_text
    header = [c.value for c in ws[2]]
    assert header[:3] == ["* 客户名称", "* 统一社会信用代码", "* 所属行业"]
    assert "* 联系人" in header and "职位" in header and "客户编号" not in header and "ABC分类" not in header
    col = {h.lstrip("* "): chr(ord("A") + i) if i < 26 else "A" + chr(ord("A") + i - 26) for i, h in enumerate(header)}
    status = _dv_for(ws, col["客户状态"])[0]
    assert status.type == "list" and "合作中客户" in status.formula1 and status.prompt
    industry = _dv_for(ws, col["所属行业"])[0]
    assert industry.formula1.startswith("'选项'!$A$2:$A$") and industry.errorStyle == "warning"
    assert "软件和信息技术服务业" in [c.value for c in wb["选项"]["A"]]
    assert _dv_for(ws, col["成立时间"])[0].type == "date" and ws[f"{col['成立时间']}3"].number_format == "yyyy-mm-dd"
    amount = _dv_for(ws, col["年合作金额"])[0]
    assert (amount.type, amount.operator, amount.formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert _dv_for(ws, col["手机号码"])[0].prompt.startswith("11 位手机号码")
    assert ws.freeze_panes == "B3"
    assert ws.column_dimensions["A"].width >= 20
    notes = [c.value for c in wb["填写说明"]["A"] if c.value]
    assert any("必填" in n for n in notes) and "客户名称" in notes


def test_list_template_person(tmp_path, rules):
    ws = load_workbook(build_template("list", "个人", tmp_path / "p.xlsx", rules))["个人客户"]
    header = [c.value for c in ws[2]]
    assert header[0] == "* 客户名称" and "* 手机号码" in header and "* 核心需求" in header
    assert "统一社会信用代码" not in header and "续约率" not in header


def test_inline_lists_stay_under_excel_limit(tmp_path, rules):
    ws = load_workbook(build_template("list", "企业", tmp_path / "t.xlsx", rules))["企业客户"]
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list" and dv.formula1.startswith('"'):
            assert len(dv.formula1) <= 255


def test_form_template_layout(tmp_path, rules):
    wb = load_workbook(build_template("form", "企业", tmp_path / "f.xlsx", rules))
    ws = wb.worksheets[0]
    col_a = [c.value for c in ws["A"]]
    for title in ("一、客户基础信息", "二、联系人信息", "三、互动记录（可添加多条）", "四、需求与反馈", "五、维护计划"):
        assert title in col_a
    start = col_a.index("一、客户基础信息")
    assert [c.value for c in ws[start + 2]][:3] == ["项目", "填写内容", "备注（填写说明）"]
    assert col_a[start + 2] == "客户名称" and "统一社会信用代码" in col_a and "联系人" in col_a
    visits = col_a.index("三、互动记录（可添加多条）") + 2
    assert [c.value for c in ws[visits]][:7] == ["互动日期", "互动方式", "沟通主题", "沟通内容摘要", "参与人员",
                                                "下一步行动", "完成状态"]
    assert any(dv.type == "list" and "拜访" in (dv.formula1 or "") for dv in ws.data_validations.dataValidation)


def test_bad_kind_is_refused(tmp_path, rules):
    with pytest.raises(TemplateError, match="模板类型"):
        build_template("poster", "企业", tmp_path / "x.xlsx", rules)


# --- round trip: the pipeline reads its own templates, filled in, with zero issues ------

ENTERPRISE = {
    "客户名称": "北京星河软件有限公司", "统一社会信用代码": CODE, "所属行业": "软件和信息技术服务业",
    "省份": "北京市", "城市": "北京市", "区县": "朝阳区", "详细地址": "北京市朝阳区建国路88号",
    "员工规模": "100-200人", "成立时间": dt.datetime(2015, 6, 18), "联系人": "王磊", "职位": "总经理",
    "手机号码": "13812345678", "办公电话": "010-65881234", "电子邮箱": "wanglei@example.com",
    "客户状态": "合作中客户", "战略客户": "否", "客户来源": "展会", "紧急程度": "中",
    "核心需求": "提升数据分析能力", "需求标签": "技术导向", "预算下限": 100000, "预算上限": 500000,
    "年合作金额": 600000, "累计合作金额": 2000000, "续约率": 0.95, "满意度": 4.8,
    "首次合作时间": dt.datetime(2020, 3, 5), "最近合作时间": dt.datetime(2026, 11, 2),
    "下次跟进时间": dt.datetime(2026, 12, 5), "备注": "重点维护",
}


def _fill_list(path):
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    for j, cell in enumerate(ws[2], start=1):
        name = (cell.value or "").lstrip("* ")
        if name in ENTERPRISE:
            ws.cell(3, j, ENTERPRISE[name])
    wb.save(path)


def _fill_form(path):
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    for row in ws.iter_rows(min_col=1, max_col=2):
        if row[0].value in ENTERPRISE and row[1].value is None:
            row[1].value = ENTERPRISE[row[0].value]
    wb.save(path)


@pytest.mark.parametrize("kind", ["list", "form"])
def test_filled_template_reads_back_without_issues(tmp_path, rules, kind):
    from pipeline.api import run_pipeline
    from pipeline.model import RunOptions

    inp = tmp_path / "input"
    path = build_template(kind, "企业", inp / f"华东销售部_{kind}.xlsx", rules)
    (_fill_list if kind == "list" else _fill_form)(path)
    options = RunOptions(input_dir=inp, output_dir=tmp_path / "output", as_of=dt.date(2026, 11, 30))
    result = run_pipeline(options, rules)
    assert result.issues[["rule", "column", "row", "value", "message"]].to_dict("records") == []
    assert result.summary["customers"] == 1


@pytest.mark.parametrize("kind", ["list", "form"])
def test_filled_template_read_by_intake_without_issues(tmp_path, rules, kind):
    """The first stage of the round trip (runs as soon as intake exists)."""
    from pipeline import intake
    from pipeline.issues import issues_frame

    inp = tmp_path / "input"
    path = build_template(kind, "企业", inp / f"华东销售部_{kind}.xlsx", rules)
    (_fill_list if kind == "list" else _fill_form)(path)
    res = intake.read_inputs(intake.list_inputs(inp), inp, rules)
    assert issues_frame(res.issues, rules, res.data["columns"]).empty
    [record] = res.data["records"].to_dict("records")
    names = rules.field_names
    for key, value in record.items():
        if names.get(key) in ENTERPRISE:
            expected = ENTERPRISE[names[key]]
            assert str(value) == str(expected) or value == expected or str(value) == str(expected.date()), key
