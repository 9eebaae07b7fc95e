"""The sales guides' own fields reach 客户主档 and the role views: workbooks laid out and
filled the way the guides show them (a list with the sales-tool field list, the field-list
form with its example values)."""
import csv
import datetime as dt

import pytest
from openpyxl import load_workbook

from pipeline.api import run_pipeline
from pipeline.model import RunOptions
from tests.factories import make_workbook, uscc

CODE = uscc("91320594MA1W3XXR5")
AS_OF = dt.date(2026, 11, 30)

# The sales tool's example form fields, as a list (one customer per row).
SALES_TOOL = [
    ["客户全称", "统一社会信用代码", "所属行业", "决策人姓名", "职位", "手机号码", "核心需求描述", "预算范围",
     "需求阶段", "决策链", "最近跟进时间", "客户反馈", "客户编号", "负责销售", "客户分类", "沟通偏好",
     "官网", "注册地址", "注册资本", "首次接触时间", "其他联系方式"],
    ["苏州恒信精密机械有限公司", CODE, "通用设备制造业", "张总", "采购总监", "13800138000", "降本增效",
     "10-20万", "成交意向", "复杂决策", "2026-11-20", "感兴趣", "HD-0012", "王磊", "老客户", "电话",
     "www.hengxin.com", "江苏省苏州市工业园区星湖街328号", "500万元", "2026年3月5日", "wx_zhang"],
]


def _run(tmp_path, files):
    inp, out = tmp_path / "input", tmp_path / "output"
    for name, sheets in files.items():
        make_workbook(inp, name, sheets)
    res = run_pipeline(RunOptions(input_dir=inp, output_dir=out, as_of=AS_OF))
    return res, out / "2026-11"


def _sheet(path, name):
    ws = load_workbook(path, read_only=True)[name]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]], list(rows[0])


@pytest.fixture
def sales_tool(tmp_path):
    return _run(tmp_path, {"华东销售部_客户信息.xlsx": {"客户": SALES_TOOL}})


def test_seed_fields_reach_the_master(sales_tool):
    res, month = sales_tool
    rows, header = _sheet(month / "customers.xlsx", "客户主档")
    assert header[:8] == ["客户编号", "客户类型", "客户名称", "统一社会信用代码", "省份", "城市", "所属行业", "行业代码"]
    row = rows[0]
    assert row["客户编号"].startswith("KH") and row["原客户编号"] == "HD-0012"
    assert (row["联系人"], row["职位"]) == ("张总", "采购总监")
    assert (row["需求阶段"], row["决策链"], row["客户反馈"]) == ("成交意向", "复杂决策", "感兴趣")
    assert row["最近跟进时间"].date() == dt.date(2026, 11, 20) and row["下次跟进时间"] is None
    assert row["首次接触时间"].date() == dt.date(2026, 3, 5)
    assert (row["负责销售"], row["所属团队"], row["客户分类"], row["沟通偏好"]) == ("王磊", "华东销售部", "老客户", "电话")
    assert row["注册地址"] == "江苏省苏州市工业园区星湖街328号" and row["注册资本"] == 5000000
    assert row["其他联系方式"] == "wx_zhang" and row["客户类型"] == "企业"
    # 最近跟进时间 is a follow-up that happened: never an overdue planned one
    with open(month / "issues.csv", encoding="utf-8-sig") as fh:
        rules_hit = {r["rule"] for r in csv.DictReader(fh)}
    assert "column-unknown" not in rules_hit
    reminders, _ = _sheet(month / "customers.xlsx", "提醒清单")
    assert not [r for r in reminders if r["提醒类型"] == "跟进逾期"]


def test_seed_fields_in_role_views(sales_tool):
    _, month = sales_tool
    wb = load_workbook(month / "views" / "销售部.xlsx", read_only=True)
    header = [c for c in next(wb[wb.sheetnames[0]].iter_rows(values_only=True))]
    assert {"需求阶段", "决策链", "客户反馈", "负责销售", "原客户编号", "最近跟进时间"} <= set(header)
    wb = load_workbook(month / "views" / "财务部.xlsx", read_only=True)
    header = [c for c in next(wb[wb.sheetnames[0]].iter_rows(values_only=True))]
    assert "原客户编号" in header and "需求阶段" not in header and "沟通偏好" not in header


def _issues(month):
    with open(month / "issues.csv", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


# The sales tool's own example values: budgets "10-20万" and "50万以上", the combined tag.
BUDGETS = [
    ["客户全称", "所属行业", "决策人姓名", "职位", "手机号码", "核心需求描述", "预算范围", "需求阶段", "决策链",
     "客户状态", "年合作金额", "最近跟进时间", "客户反馈"],
    ["杭州云启网络科技有限公司", "软件和信息技术服务业", "李经理", "CEO", "13912345678", "拓展市场", "10-20万",
     "成交意向", "复杂", "战略客户", 800000, "2026-11-02", "需进一步评估"],
    ["南京紫金电子科技有限公司", "计算机、通信和其他电子设备制造业", "张总", "采购总监", "13712345678", "降本增效",
     "50万以上", "明确需求", "简单决策", "潜在客户", 150000, "2026-10-28", "感兴趣"],
    ["无锡华光机电有限公司", "通用设备制造业", "王总", "总经理", "13612345678", "提升效率", "5万以内",
     "潜在需求", "单一决策人", "流失客户", 20000, "2026-09-01", "暂无需求"],
    ["常州恒泰塑胶有限公司", "橡胶和塑料制品业", "赵总", "总经理", "13512345678", "降本增效", "约30万",
     "合作中", "多部门协同", "成交客户", None, "2026-11-10", "感兴趣"],
]


def test_budget_ranges_and_combined_tag(tmp_path):
    _, month = _run(tmp_path, {"华南区域_客户.xlsx": {"客户": BUDGETS}})
    rows, _ = _sheet(month / "customers.xlsx", "客户主档")
    by = {r["客户名称"]: r for r in rows}
    yun, zijin, hg, ht = (by[n] for n in ("杭州云启网络科技有限公司", "南京紫金电子科技有限公司",
                                          "无锡华光机电有限公司", "常州恒泰塑胶有限公司"))
    assert (yun["预算下限"], yun["预算上限"], yun["预算范围"]) == (100000, 200000, "10-20万")
    assert (zijin["预算下限"], zijin["预算上限"]) == (500000, None)
    assert (hg["预算下限"], hg["预算上限"]) == (None, 50000)
    assert (ht["预算下限"], ht["预算上限"]) == (300000, 300000)
    assert yun["标签组合"] == "客户价值:高价值+需求阶段:成交意向+决策链:复杂"
    assert zijin["标签组合"] == "客户价值:中价值+需求阶段:明确需求+决策链:简单"
    assert (hg["决策链"], ht["决策链"], yun["客户状态"], hg["客户状态"]) == ("简单决策", "复杂决策", "合作中客户", "流失客户")
    issues = _issues(month)
    budget = [(i["row"], i["column"], i["rule"], i["severity"]) for i in issues if i["field"] == "预算范围"]
    assert budget == [("5", "G", "amount-approx", "warning")]          # only 约30万 is flagged
    assert not [i for i in issues if i["field"] in ("预算下限", "预算上限")]



def test_budget_still_to_be_agreed_is_kept_without_error(tmp_path):
    rows = [BUDGETS[0]] + [[name, *BUDGETS[1][1:6], budget, *BUDGETS[1][7:]] for name, budget in (
        ("杭州云启网络科技有限公司", "面议"), ("南京紫金电子科技有限公司", "预算面议"),
        ("无锡华光机电有限公司", "看心情"))]
    _, month = _run(tmp_path, {"华南区域_客户.xlsx": {"客户": rows}})
    by = {r["客户名称"]: r for r in _sheet(month / "customers.xlsx", "客户主档")[0]}
    for name, written in (("杭州云启网络科技有限公司", "面议"), ("南京紫金电子科技有限公司", "预算面议")):
        assert (by[name]["预算范围"], by[name]["预算下限"], by[name]["预算上限"]) == (written, None, None)
    flagged = [(i["row"], i["rule"]) for i in _issues(month) if i["field"] == "预算范围"]
    assert flagged == [("4", "budget-invalid")]        # only the text that is no budget at all

# The field-list form with the guide's own example values (成立年限 8年, 核心采购品类 …).
FIELD_FORM = [
    ["客户编号", "所属行业", "信息类别", "字段名称", "填写内容", "备注"],
    ["KH-A001", "制造业", "基本信息", "公司名称", "苏州恒信精密机械有限公", "与营业执照一致"],
    [None, None, None, "统一社会信用代码", CODE, ""],
    [None, None, None, "成立年限", "8年", ""],
    [None, None, None, "员工规模", "100-200人", ""],
    [None, None, "联系方式", "对接人姓名", "张经理", ""],
    [None, None, None, "职位", "采购部经理", ""],
    [None, None, None, "手机号码", "13856781234", "需客户确认"],
    [None, None, None, "办公电话", "010-56781234", ""],
    [None, None, "业务需求", "核心采购品类", "工业原材料（钢材）", ""],
    [None, None, None, "年采购量", "约100吨", ""],
    [None, None, None, "期望合作模式", "长期框架协议+季度定价", ""],
    [None, None, "合作历史", "首次合作时间", "2023年3月", ""],
]


def test_field_list_form_business_fields_and_truncated_name(tmp_path):
    east = [["客户名称", "统一社会信用代码", "所属行业", "联系人", "手机号码", "官网"],
            ["苏州恒信精密机械有限公司", CODE, "通用设备制造业", "张经理", "13856781234", "WWW.HengXin.com/"]]
    _, month = _run(tmp_path, {"大客户部_客户资料.xlsx": {"B端客户": FIELD_FORM},
                               "华东销售部_客户.xlsx": {"企业客户": east}})
    rows, _ = _sheet(month / "customers.xlsx", "客户主档")
    assert len(rows) == 1                       # same credit code: one customer
    row = rows[0]
    assert row["客户名称"] == "苏州恒信精密机械有限公司"          # the complete name survives
    assert (row["原客户编号"], row["成立年限"], row["成立时间"].date()) == ("KH-A001", 8, dt.date(2018, 1, 1))
    assert (row["核心采购品类"], row["年采购量"], row["期望合作模式"]) == ("工业原材料（钢材）", "约100吨", "长期框架协议+季度定价")
    assert row["官网"] == "www.hengxin.com" and row["员工规模"] == "100-200人"
    issues = _issues(month)
    cut = [i for i in issues if i["rule"] == "name-truncated"]
    assert [(i["file"], i["row"], i["column"], i["suggestion"]) for i in cut] == \
        [("大客户部_客户资料.xlsx", "2", "E", "你是不是想填“苏州恒信精密机械有限公司”")]
    years = [i for i in issues if i["rule"] == "founded-from-years"]
    assert [(i["row"], i["column"], i["severity"]) for i in years] == [("4", "E", "warning")]
    assert "2018" in years[0]["message"]
    conflicts, _ = _sheet(month / "customers.xlsx", "字段冲突")
    assert [(c["字段"], c["保留值"]) for c in conflicts if c["字段"] == "客户名称"] == [("客户名称", "苏州恒信精密机械有限公司")]


def test_one_cell_several_values(tmp_path):
    rows = [["客户名称", "统一社会信用代码", "所属行业", "联系人", "手机号码", "办公电话"],
            ["苏州恒信精密机械有限公司", CODE, "通用设备制造业", "张伟（采购经理）", "13800138000/13900139000", None],
            ["无锡华光机电有限公司", uscc("91320200MA1W3XXR5"), "通用设备制造业", "王磊/李娜", "13812345678 下午联系",
             "0510-81234567"]]
    _, month = _run(tmp_path, {"华东销售部_客户.xlsx": {"企业客户": rows}})
    wb = load_workbook(month / "customers.xlsx", read_only=True)
    master = {r["客户名称"]: r for r in _rows(wb, "客户主档")}
    hx, hg = master["苏州恒信精密机械有限公司"], master["无锡华光机电有限公司"]
    assert (hx["联系人"], hx["职位"], hx["手机号码"], hx["其他联系方式"]) == ("张伟", "采购经理", "13800138000", "13900139000")
    assert (hg["联系人"], hg["手机号码"], hg["办公电话"], hg["其他联系方式"]) == ("王磊", "13812345678", "0510-81234567", "下午联系")
    people = [(p["客户名称"], p["姓名"], p["行号"]) for p in _rows(wb, "联系人")]
    assert people == [("无锡华光机电有限公司", "李娜", 3)]
    issues = _issues(month)
    assert not [i for i in issues if i["severity"] == "error"]
    several = sorted((i["row"], i["column"], i["rule"], i["severity"]) for i in issues
                     if i["rule"] in ("value-several", "contact-title-split"))
    assert several == [("2", "D", "contact-title-split", "info"), ("2", "E", "value-several", "info"),
                       ("3", "D", "value-several", "info"), ("3", "E", "value-several", "info")]
    # the returned workbook keeps what the team wrote
    ret = load_workbook(month / "returns" / "华东销售部_客户.xlsx")
    assert ret["企业客户"]["E2"].value == "13800138000/13900139000"


def _rows(wb, name):
    rows = list(wb[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_a_written_team_is_matched_through_the_team_registry(tmp_path):
    """所属团队 as a team writes it: an alias becomes the registered team, another team than the
    submitting one is a warning at its cell, a team no registry knows is kept with a hint."""
    header = ["客户名称", "统一社会信用代码", "所属行业", "联系人", "手机号码", "所属团队"]
    codes = [uscc(f"91320594MA1W3TT{i}X") for i in range(1, 6)]
    res, month = _run(tmp_path, {
        "华东销售部_客户.xlsx": {"客户": [header,
                                          ["苏州甲精密机械有限公司", codes[0], "通用设备制造业", "张伟", "13800138001", "华东部"],
                                          ["苏州乙精密机械有限公司", codes[1], "通用设备制造业", "张伟", "13800138002", "华南区"],
                                          ["苏州丙精密机械有限公司", codes[2], "通用设备制造业", "张伟", "13800138003", None]]},
        "客户清单.xlsx": {"客户": [header,
                                   ["苏州丁精密机械有限公司", codes[3], "通用设备制造业", "李娜", "13800138004", "西北组"]]},
        "西南销售部_客户.xlsx": {"客户": [header,
                                          ["成都戊精密机械有限公司", codes[4], "通用设备制造业", "王磊", "13800138005", "西南 销售部"]]},
    })
    rows, _ = _sheet(month / "customers.xlsx", "客户主档")
    teams = {r["客户名称"]: r["所属团队"] for r in rows}
    assert teams == {"苏州甲精密机械有限公司": "华东销售部", "苏州乙精密机械有限公司": "华南区域",
                     "苏州丙精密机械有限公司": "华东销售部", "苏州丁精密机械有限公司": "西北组",
                     "成都戊精密机械有限公司": "西南 销售部"}
    found = [(i["file"], i["row"], i["column"], i["rule"], i["severity"]) for i in _issues(month)
             if i["rule"] in ("team-mismatch", "team-unregistered")]
    assert sorted(found) == [("华东销售部_客户.xlsx", "3", "F", "team-mismatch", "warning"),
                             ("客户清单.xlsx", "2", "F", "team-unregistered", "info")]
    mismatch = next(i for i in _issues(month) if i["rule"] == "team-mismatch")
    assert "“华南区域”" in mismatch["message"] and "“华东销售部”" in mismatch["message"]


def test_reminders_name_the_owning_rep(tmp_path):
    header = ["客户名称", "统一社会信用代码", "所属行业", "联系人", "手机号码", "负责销售", "下次跟进时间"]
    res, month = _run(tmp_path, {"华东销售部_客户.xlsx": {"客户": [
        header, ["苏州恒信精密机械有限公司", CODE, "通用设备制造业", "张总", "13800138000", "王磊", "2026-12-03"]]}})
    reminders, head = _sheet(month / "customers.xlsx", "提醒清单")
    assert head[:4] == ["客户编号", "客户名称", "负责销售", "提醒类型"]
    assert [(r["客户名称"], r["负责销售"], r["提醒类型"]) for r in reminders] == [
        ("苏州恒信精密机械有限公司", "王磊", "跟进到期")]
    assert list(res.catalog["reminders"]["owner"]) == ["王磊"]


def test_several_people_in_one_contact_cell_keep_their_titles_and_phones(tmp_path):
    rows = [["客户名称", "统一社会信用代码", "所属行业", "联系人", "手机号码"],
            ["苏州恒信精密机械有限公司", CODE, "通用设备制造业", "王磊（总经理）/李娜（采购经理）/赵敏",
             "13800138000/13900139000/13700137000"],
            ["无锡华光机电有限公司", uscc("91320200MA1W3XXR5"), "通用设备制造业", "张伟 13812345678、刘洋-财务总监 13712345678",
             "13612345678"]]
    _, month = _run(tmp_path, {"华东销售部_客户.xlsx": {"企业客户": rows}})
    wb = load_workbook(month / "customers.xlsx", read_only=True)
    master = {r["客户名称"]: r for r in _rows(wb, "客户主档")}
    hx, hg = master["苏州恒信精密机械有限公司"], master["无锡华光机电有限公司"]
    assert (hx["联系人"], hx["职位"], hx["手机号码"], hx["其他联系方式"]) == ("王磊", "总经理", "13800138000", None)
    assert (hg["联系人"], hg["手机号码"], hg["其他联系方式"]) == ("张伟", "13612345678", "13812345678")
    people = [(p["客户名称"], p["姓名"], p["职位"], p["手机号码"], p["行号"]) for p in _rows(wb, "联系人")]
    assert people == [("苏州恒信精密机械有限公司", "李娜", "采购经理", "13900139000", 2),
                      ("苏州恒信精密机械有限公司", "赵敏", None, "13700137000", 2),
                      ("无锡华光机电有限公司", "刘洋", "财务总监", "13712345678", 3)]
    issues = _issues(month)
    assert not [i for i in issues if i["severity"] == "error"]
    moved = [i["message"] for i in issues if i["rule"] == "value-several" and i["row"] == "2" and i["column"] == "E"]
    assert moved and "保存在“联系人”" in moved[0]
    ret = load_workbook(month / "returns" / "华东销售部_客户.xlsx")["企业客户"]
    assert (ret["D2"].value, ret["E2"].value) == (rows[1][3], rows[1][4])    # the team's cells as written
