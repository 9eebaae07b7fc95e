"""A corpus of layouts as teams send them (tests/seed_layouts.py): every column lands where it
means, and every non-empty cell of every data row is in an output (客户主档 field or extension
column, a related sheet) or named by an issue."""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from pipeline.api import run_pipeline
from pipeline.model import RunOptions
from tests import seed_layouts as L
from tests.cell_proof import account, load_outputs

AS_OF = dt.date(2026, 11, 30)
#: remarks a rep typed in the maintenance form's 备注（填写说明） column instead of the instruction
REMARKS = {"首次接触时间": "展会上初次见面，日期需再核实", "手机号码": "客户要求只在工作日联系"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    inp, out = root / "input", root / "output"
    for build in (L.sales_tool_list, L.sales_tool_form, L.maintenance_form, L.field_list_form, L.team_list):
        build(inp)
    L.team_list(inp, "成都分部_客户清单.xlsx", wechat_header="微信 号")
    L.maintenance_form(inp, "华中销售部_客户信息维护表.xlsx", company="武汉光谷新材料有限公司",
                       code=L.uscc("91420100MA4KXXXJ9"), remarks=dict(REMARKS))
    run_pipeline(RunOptions(input_dir=inp, output_dir=out, as_of=AS_OF))
    return {"input": inp, **load_outputs(out / "2026-11")}


def _master(corpus, name):
    return next(r for r in corpus["sheets"]["客户主档"] if r["客户名称"] == name)


def _issues(corpus, file, rule=None):
    return [i for i in corpus["issues"] if i["file"] == file and (rule is None or i["rule"] == rule)]


# --- each situation, asserted in the outputs ------------------------------------------

def test_two_row_header_of_the_sales_tool(corpus):
    row = _master(corpus, "苏州恒信精密机械有限公司")
    assert row["客户类型"] == "企业" and row["统一社会信用代码"] == L.HENGXIN
    hx = [r for r in corpus["sheets"]["客户主档"] if r["原客户编号"] is None and r["负责销售"] == "王磊"]
    assert {r["客户名称"] for r in hx} >= {"杭州西湖数据科技有限公司"}
    xihu = _master(corpus, "杭州西湖数据科技有限公司")
    assert (xihu["联系人"], xihu["职位"], xihu["核心需求"]) == ("李经理", "CEO", "拓展市场")
    assert xihu["客户状态"] == "潜在客户" and xihu["客户类型"] == "企业"          # never 潜在客户 as 客户类型
    assert xihu["预算下限"] == 500000 and xihu["预算上限"] is None
    assert xihu["最近跟进时间"].date() == dt.date(2026, 11, 2) and xihu["下次跟进时间"] is None
    assert xihu["客户反馈"] == "需进一步评估"
    yunfan = _master(corpus, "上海云帆物流有限公司")
    assert yunfan["战略客户"] == "是" and yunfan["客户类型"] == "企业"
    zijin = _master(corpus, "南京紫金电子有限公司")
    assert zijin["客户状态"] == "流失客户" and zijin["预算上限"] == 50000
    notice = _issues(corpus, "华东销售部_客户信息收集表.xlsx", "column-rerouted")
    assert [(i["column"], i["field"]) for i in notice] == [("J", "客户状态")]
    assert "客户类型" in notice[0]["message"] and notice[0]["severity"] == "info"
    # 最近跟进时间 never becomes an overdue planned follow-up
    assert not _issues(corpus, "华东销售部_客户信息收集表.xlsx", "column-unknown")


def test_maintenance_form_with_ticked_boxes(corpus):
    row = _master(corpus, "苏州恒信精密机械有限公司")     # the same company: list row and form merged
    assert row["客户分类"] == "老客户" and row["客户类型"] == "企业"
    assert row["客户来源"] == "转介绍"
    assert row["首次接触时间"].date() == dt.date(2023, 3, 5)
    assert row["其他联系方式"] == "微信 zhangwei_hx"
    file = "大客户部_客户信息维护与收集表.xlsx"
    visits = [r for r in corpus["sheets"]["互动记录"] if r["来源文件"] == file]
    assert [r["互动方式"] for r in visits] == ["拜访", "电话"]
    assert [r["完成状态"] for r in visits] == ["已完成", "待处理"]
    needs = [r for r in corpus["sheets"]["需求与反馈"] if r["来源文件"] == file]
    assert (needs[0]["优先级"], needs[0]["需求状态"]) == ("高", "处理中")
    plan = [r for r in corpus["sheets"]["维护计划"] if r["来源文件"] == file]
    assert plan[0]["维护负责人"] == "王磊" and plan[0]["沟通方式"] == "电话"
    rerouted = _issues(corpus, file, "column-rerouted")
    assert [(i["column"], i["row"], i["field"]) for i in rerouted] == [("B", "7", "客户分类")]


def test_field_list_form_as_laid_out(corpus):
    row = _master(corpus, "北京中科精工机械有限公司")
    assert row["原客户编号"] == "HB-0007" and row["所属行业"]
    assert (row["联系人"], row["职位"], row["手机号码"], row["办公电话"]) == \
        ("刘经理", "采购部经理", "13856781234", "010-56781234")
    assert row["员工规模"] == "100-200人" and row["首次合作时间"].date() == dt.date(2023, 3, 1)
    assert row["核心采购品类"] == "工业原材料（钢材）" and row["期望合作模式"] == "长期框架协议+季度定价"


def test_remarks_typed_in_a_forms_remark_column_reach_the_master(corpus):
    # the field list's 备注: 需客户确认 on the 手机号码 row is a remark; 与营业执照一致 is the template's
    assert _master(corpus, "北京中科精工机械有限公司")["备注"] == "手机号码：需客户确认"
    # the maintenance form as the guide prints it: its 备注（填写说明） column is instructions only
    assert _master(corpus, "苏州恒信精密机械有限公司")["备注"] == "客户为行业头部企业，后续合作潜力大，需重点维护"
    assert _master(corpus, "深圳前海云图科技有限公司")["备注"] is None      # 填写说明 of the sales tool
    # the same form with two remarks typed over the instructions: appended after the form's own 备注
    wuhan = _master(corpus, "武汉光谷新材料有限公司")["备注"]
    assert wuhan == ("客户为行业头部企业，后续合作潜力大，需重点维护；首次接触时间：展会上初次见面，日期需再核实；"
                     "手机号码：客户要求只在工作日联系")
    for file, col in (("华中销售部_客户信息维护表.xlsx", "C"), ("华北销售部_客户资料信息表.xlsx", "F"),
                      ("华南销售部_客户信息表.xlsx", "D")):
        assert [i for i in _issues(corpus, file) if i["column"] == col] == [], file   # no noise on remark cells
    returned = load_workbook(corpus["month"] / "returns" / "华中销售部_客户信息维护表.xlsx", read_only=True)
    assert returned["客户信息"]["C8"].value == REMARKS["首次接触时间"]        # the rep's cell kept as written
    rows = {r[1]: r for r in returned["列映射"].iter_rows(min_row=2, values_only=True)}
    assert rows["C8"][2:5] == ("备注（填写说明）（首次接触时间）", "备注", "表单备注")
    assert rows["C"][3:5] == (None, "不导入（模板说明）") and "等 10 处" in rows["C"][5]


def test_label_form_of_the_sales_tool_routes_its_contact_by_value(corpus):
    row = _master(corpus, "深圳前海云图科技有限公司")
    assert row["电子邮箱"] == "zhou@yuntu.cn" and row["手机号码"] is None
    assert (row["联系人"], row["需求阶段"], row["预算下限"], row["预算上限"]) == ("周总", "明确需求", 100000, 200000)


def test_merged_data_cells_team_columns_and_mixed_contacts(corpus):
    header = corpus["header"]
    assert header.count("微信号") == 1 and "合作产品线" in header and "大区" in header
    assert header.index("微信号") > header.index("数据状态")          # extension columns after the fields
    rows = {r["客户名称"]: r for r in corpus["sheets"]["客户主档"]}
    lj, kd = rows["重庆两江智能科技有限公司"], rows["昆明滇池贸易有限公司"]
    assert (lj["大区"], lj["负责销售"]) == ("西南", "李雷")          # merged down: every row of the range
    assert (kd["大区"], kd["负责销售"]) == ("西南", "韩梅")
    assert lj["电子邮箱"] == "lj@liangjiang.cn" and lj["手机号码"] is None
    assert kd["办公电话"] == "0871-63334444"
    tf = rows["成都天府软件有限公司"]
    assert (tf["手机号码"], tf["办公电话"], tf["微信号"], tf["合作产品线"]) == ("13911112222", "028-85551234", "tf_soft", "ERP")
    # the second team wrote "微信 号": the same folded header, the same column
    notices = {i["rule"] for i in _issues(corpus, "西南销售部_客户清单.xlsx")}
    assert {"column-split", "column-unknown"} <= notices


def test_role_views_show_extension_columns_by_rule(corpus):
    def header(role):
        ws = load_workbook(corpus["month"] / "views" / f"{role}.xlsx", read_only=True).worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
        return list(rows[0]), [dict(zip(rows[0], r)) for r in rows[1:]]
    sales, _ = header("销售部")
    assert {"微信号", "合作产品线", "大区"} <= set(sales)
    finance, _ = header("财务部")
    assert "微信号" not in finance and "合作产品线" not in finance


def test_mapping_table_in_report_and_returns(corpus):
    html = (corpus["month"] / "report.html").read_text(encoding="utf-8")
    assert 'id="columns"' in html and "联系方式/手机" not in html
    assert "按值判定" in html and "扩展列" in html and "多行表头" not in html or "表头同义词" in html
    wb = load_workbook(corpus["month"] / "returns" / "华东销售部_客户信息收集表.xlsx", read_only=True)
    assert "列映射" in wb.sheetnames
    rows = list(wb["列映射"].iter_rows(values_only=True))
    assert rows[0][:5] == ("工作表", "列", "表头", "字段", "判定方式")
    by_col = {r[1]: r for r in rows[1:]}
    assert by_col["A"][2:5] == ("基础信息/客户全称", "客户名称", "表头同义词")
    assert by_col["J"][2:5] == ("客户类型", "客户状态", "按值判定")
    assert "潜在客户" in by_col["J"][5]


# --- the proof: every non-empty cell of every data row lands somewhere (tests/cell_proof.py) ---

@pytest.mark.parametrize("file", ["华东销售部_客户信息收集表.xlsx", "华南销售部_客户信息表.xlsx",
                                  "大客户部_客户信息维护与收集表.xlsx", "华北销售部_客户资料信息表.xlsx",
                                  "西南销售部_客户清单.xlsx", "成都分部_客户清单.xlsx", "华中销售部_客户信息维护表.xlsx"])
def test_every_non_empty_cell_lands_in_an_output_or_an_issue(corpus, file):
    counts: dict = {}
    assert account(corpus, corpus["input"] / file, file, L.INSTRUCTIONS, counts) == []
    if file.startswith(("大客户部", "华中", "华北", "华南")):     # forms: their remark columns were walked
        assert counts.get("template text", 0) >= 2, counts
    if file.startswith(("西南", "成都")):
        assert counts["row number"] == 4, counts
