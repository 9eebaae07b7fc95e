"""The related tables of a form are data: normalized by the master's parsers, checked, and
their issues point at their own cells. The form is laid out and filled as the customer
maintenance guide shows it (sections, 项目 | 填写内容 | 备注, then the four tables)."""
import csv
import datetime as dt

from openpyxl import load_workbook

from pipeline.api import run_pipeline
from pipeline.model import RunOptions
from pipeline.related import related_schema
from tests.factories import make_workbook, uscc

CODE = uscc("91320594MA1W3XXR5")
AS_OF = dt.date(2026, 11, 30)

FORM = [
    ["客户信息维护与收集表"],                                                              # 1
    ["一、客户基础信息"],                                                                  # 2
    ["项目", "填写内容", "备注（填写说明）"],                                              # 3
    ["客户名称", "苏州恒信精密机械有限公司", "企业客户需填写全称"],                        # 4
    ["统一社会信用代码", CODE, "企业客户填写，便于核实资质"],                              # 5
    ["所属行业", "通用设备制造业", "如“零售业-连锁超市”"],                                 # 6
    ["客户类型", "□新客户☑老客户□重点客户□其他", "根据合作阶段与重要性选择"],               # 7
    ["首次接触时间", "2025年3月18日", "记录客户首次与企业建立联系的时间"],                 # 8
    ["客户来源", "□展会☑转介绍□线上推广□其他", "标识客户获取渠道"],                        # 9
    ["二、联系人信息"],                                                                    # 10
    ["项目", "填写内容", "备注（填写说明）"],                                              # 11
    ["姓名", "张伟", "客户对接人姓名"],                                                    # 12
    ["职务", "市场部经理", ""],                                                            # 13
    ["办公电话", "0512-66881234", "（选填）"],                                             # 14
    ["手机号码", "139 0571 6789", ""],                                                     # 15
    ["电子邮箱", "ZhangWei@HengXin.com", "保证邮箱格式正确"],                              # 16
    ["其他联系方式", "企业微信 zhangwei", "如微信/企业账号"],                              # 17
    ["三、互动记录（可添加多条）"],                                                        # 18
    ["互动日期", "互动方式", "沟通主题", "沟通内容摘要", "参与人员（内部、客户）", "下一步行动", "完成状态"],  # 19
    ["2026年10月12日", "□电话☑拜访□线上会议□邮件", "Q3产品需求对接", "客户反馈产品交付周期需缩短，希望优化物流流程",
     "王磊、张伟", "3个工作日内反馈物流优化方案", "□待处理☑已完成"],                        # 20
    ["2026年13月5日", "☑电话□拜访□线上会议□邮件", "方案确认", "确认方案细节", "王磊", "报价", "☑待处理□已完成"],  # 21
    ["四、需求与反馈"],                                                                    # 22
    ["需求描述", "优先级", "需求状态", "预计解决时间", "客户满意度评分（1-5分）", "客户建议/投诉内容"],  # 23
    ["定制化数据分析功能", "☑高□中□低", "□待处理☑处理中□已完成□已关闭", "2026/12/31", "4分",
     "希望增加数据导出格式选项，支持Excel与CSV格式"],                                      # 24
    ["五、维护计划"],                                                                      # 25
    ["维护负责人", "下次跟进时间", "跟进目标", "预计沟通方式", "特殊注意事项"],            # 26
    ["王磊", "2026.12.08", "确认需求方案反馈", "□电话☑拜访□线上会议", "客户近期出差，需提前1天预约时间"],  # 27
    ["六、备注（其他需说明事项）"],                                                        # 28
    ["内容", "客户为行业头部企业，后续合作潜力大，需重点维护"],                            # 29
]


def _run(tmp_path):
    inp, out = tmp_path / "input", tmp_path / "output"
    make_workbook(inp, "华东销售部_恒信客户维护表.xlsx", {"客户信息": FORM})
    run_pipeline(RunOptions(input_dir=inp, output_dir=out, as_of=AS_OF))
    return out / "2026-11"


def _sheet(wb, name):
    rows = list(wb[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_related_tables_are_normalized_and_checked(tmp_path):
    month = _run(tmp_path)
    wb = load_workbook(month / "customers.xlsx", read_only=True)
    master = _sheet(wb, "客户主档")
    assert len(master) == 1
    cid = master[0]["客户编号"]
    assert master[0]["首次接触时间"].date() == dt.date(2025, 3, 18)
    assert master[0]["其他联系方式"] == "企业微信 zhangwei"

    people = _sheet(wb, "联系人")
    assert [(p["客户编号"], p["姓名"], p["职位"], p["手机号码"], p["办公电话"], p["电子邮箱"], p["其他联系方式"])
            for p in people] == [(cid, "张伟", "市场部经理", "13905716789", "0512-66881234", "ZhangWei@hengxin.com",
                                  "企业微信 zhangwei")]
    visits = _sheet(wb, "互动记录")
    assert [(v["互动日期"].date() if v["互动日期"] else None, v["互动方式"], v["完成状态"], v["行号"])
            for v in visits] == [(dt.date(2026, 10, 12), "拜访", "已完成", 20), (None, "电话", "待处理", 21)]
    need = _sheet(wb, "需求与反馈")[0]
    assert (need["优先级"], need["需求状态"], need["预计解决时间"].date(), need["满意度"]) == \
        ("高", "处理中", dt.date(2026, 12, 31), 4)
    plan = _sheet(wb, "维护计划")[0]
    assert (plan["下次跟进时间"].date(), plan["沟通方式"], plan["维护负责人"]) == (dt.date(2026, 12, 8), "拜访", "王磊")

    with open(month / "issues.csv", encoding="utf-8-sig") as fh:
        issues = list(csv.DictReader(fh))
    bad = [(i["file"], i["sheet"], i["row"], i["column"], i["field"], i["rule"]) for i in issues
           if i["field"].startswith("互动记录")]
    assert bad == [("华东销售部_恒信客户维护表.xlsx", "客户信息", "21", "A", "互动记录·互动日期", "date-invalid")]
    # the returned workbook marks that cell and lists it
    ret = load_workbook(month / "returns" / "华东销售部_恒信客户维护表.xlsx")
    assert ret["客户信息"]["A21"].comment is not None
    listed = [r for r in ret["问题清单"].iter_rows(values_only=True) if r and "互动记录·互动日期" in map(str, r)]
    assert listed
    # certain fixes of table cells come back too; B15 (联系人 and the master's 手机号码) is fixed once
    sheet = ret["客户信息"]
    assert (sheet["A20"].value, sheet["D24"].value) == (dt.datetime(2026, 10, 12), dt.datetime(2026, 12, 31))
    assert sheet["B15"].value == "13905716789" and sheet["B15"].comment.text.count("已自动更正") == 1
    assert [r[3] for r in ret["问题清单"].iter_rows(values_only=True) if r and r[2] == "B15"] == ["手机号码"]


def test_one_schema_serves_intake_template_and_outputs(tmp_path, rules):
    from pipeline.api import write_template

    schema = related_schema(rules)
    assert schema.names == ["联系人", "互动记录", "需求与反馈", "维护计划"]
    path = tmp_path / "form.xlsx"
    write_template("form", "企业", path)
    ws = load_workbook(path).active
    headers = {tuple(c for c in row if c) for row in ws.iter_rows(values_only=True)}
    for table in ("互动记录", "需求与反馈", "维护计划"):
        assert tuple(schema.columns()[table]) in headers
    # intake reads back what the template writes: fill the first 互动记录 row and the name
    from openpyxl import load_workbook as load

    from pipeline.intake import list_inputs, read_inputs
    wb = load(path)
    ws = wb.active
    col_a = [c.value for c in ws["A"]]
    ws.cell(col_a.index("客户名称") + 1, 2, "苏州恒信精密机械有限公司")
    first = next(i for i, row in enumerate(ws.iter_rows(values_only=True), start=1) if row[0] == "互动日期") + 1
    for j, v in enumerate(["2026年10月12日", "拜访", "续约", "谈续约价格", "王磊", "报价", "已完成"], start=1):
        ws.cell(first, j, v)
    folder = tmp_path / "in"
    folder.mkdir()
    wb.save(folder / "华东销售部_表单.xlsx")
    rel = read_inputs(list_inputs(folder), folder, rules).data["related"]["互动记录"]
    assert rel[schema.columns()["互动记录"]].values.tolist() == \
        [["2026年10月12日", "拜访", "续约", "谈续约价格", "王磊", "报价", "已完成"]]


def test_certain_fixes_of_related_cells_are_written_back(tmp_path):
    """A 联系人 table with two contacts and a 互动记录 table: the second contact's spaced mobile and
    mixed-case e-mail and a written-out date are corrected in the returned workbook at their
    cells; a date produced by a formula keeps its formula and only gets a suggestion."""
    import xlsxwriter

    inp, out = tmp_path / "input", tmp_path / "output"
    inp.mkdir()
    rows = [
        ["客户信息维护与收集表"], ["一、客户基础信息"], ["项目", "填写内容", "备注（填写说明）"],
        ["客户名称", "苏州恒信精密机械有限公司", "企业客户需填写全称"], ["统一社会信用代码", CODE, ""],
        ["所属行业", "通用设备制造业", ""],
        ["二、联系人信息"], ["姓名", "职位", "手机号码", "办公电话", "电子邮箱"],                     # 8
        ["张伟", "采购总监", "13905716788", "0512-66881234", "zw@hengxin.com"],                       # 9
        ["李娜", "财务经理", "139 0571 6789", "", "LiNa@HengXin.com"],                               # 10
        ["三、互动记录（可添加多条）"],
        ["互动日期", "互动方式", "沟通主题", "沟通内容摘要", "参与人员", "下一步行动", "完成状态"],  # 12
        ["2026年10月12日", "拜访", "Q3需求对接", "交付周期需缩短", "王磊、张伟", "报价", "已完成"],  # 13
        [None, "电话", "方案确认", "确认方案细节", "王磊", "跟进审批", "待处理"],                    # 14
    ]
    wb = xlsxwriter.Workbook(str(inp / "华东销售部_恒信客户维护表.xlsx"))
    ws = wb.add_worksheet("客户信息")
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is not None:
                ws.write_string(r, c, v)
    ws.write_formula("A14", '="2026年11月3日"', None, "2026年11月3日")
    wb.close()
    run_pipeline(RunOptions(input_dir=inp, output_dir=out, as_of=AS_OF))
    month = out / "2026-11"

    people = _sheet(load_workbook(month / "customers.xlsx", read_only=True), "联系人")
    assert [(p["姓名"], p["手机号码"], p["电子邮箱"]) for p in people] == [
        ("张伟", "13905716788", "zw@hengxin.com"), ("李娜", "13905716789", "LiNa@hengxin.com")]
    back = load_workbook(month / "returns" / "华东销售部_恒信客户维护表.xlsx")
    sheet = back["客户信息"]
    assert sheet["C10"].value == "13905716789"
    assert sheet["C10"].comment.text.startswith("已自动更正，原值：139 0571 6789")
    assert sheet["E10"].value == "LiNa@hengxin.com"
    assert sheet["A13"].value == dt.datetime(2026, 10, 12) and sheet["A13"].number_format == "yyyy-mm-dd"
    assert sheet["C9"].comment is None                                     # already right: untouched
    assert sheet["A14"].value == '="2026年11月3日"'                         # the team's formula stays
    assert sheet["A14"].comment.text.startswith("公式保留，建议值：2026-11-03")
    listed = {r[2]: r for r in back["问题清单"].iter_rows(values_only=True) if r}
    assert (listed["C10"][0], listed["C10"][3]) == ("已更正", "联系人·手机号码")
    assert (listed["A13"][0], listed["A13"][3]) == ("已更正", "互动记录·互动日期")
    assert (listed["A14"][0], listed["A14"][3]) == ("建议", "互动记录·互动日期")


def test_related_dates_get_the_master_date_checks(tmp_path):
    """A visit after the as-of date, a visit and a plan before the first contact, an unreadable
    date: each an issue at its own cell (issues.csv and the returned workbook)."""
    form = [list(r) for r in FORM]
    form[7][1] = "2026年6月1日"                                            # B8 首次接触时间
    form[19][0] = "2026年5月20日"                                          # A20: before the first contact
    form[20][0] = "2026年12月15日"                                         # A21: after the as-of date
    form[23][3] = "2026年13月40日"                                         # D24: not a date
    form[26][1] = "2026年5月1日"                                           # B27: a plan before the first contact
    inp, out = tmp_path / "input", tmp_path / "output"
    make_workbook(inp, "华东销售部_恒信客户维护表.xlsx", {"客户信息": form})
    run_pipeline(RunOptions(input_dir=inp, output_dir=out, as_of=AS_OF))
    month = out / "2026-11"
    with open(month / "issues.csv", encoding="utf-8-sig") as fh:
        found = [(i["row"], i["column"], i["field"], i["rule"], i["message"]) for i in csv.DictReader(fh)
                 if i["rule"].startswith("date-")]
    assert [f[:4] for f in found] == [
        ("20", "A", "互动记录·互动日期", "date-order"),
        ("21", "A", "互动记录·互动日期", "date-future"),
        ("24", "D", "需求与反馈·预计解决时间", "date-invalid"),
        ("27", "B", "下次跟进时间", "date-order"),          # the cell fills the master field too: one issue
    ]
    assert "早于“首次接触时间”（2026-06-01）" in found[0][4] and "晚于本次处理日期 2026-11-30" in found[1][4]
    sheet = load_workbook(month / "returns" / "华东销售部_恒信客户维护表.xlsx")["客户信息"]
    for coord in ("A20", "A21", "D24", "B27"):
        assert sheet[coord].comment is not None and "【错误】" in sheet[coord].comment.text, coord
    # the dates are kept as read (only the unreadable one is empty) in the related sheets
    visits = _sheet(load_workbook(month / "customers.xlsx", read_only=True), "互动记录")
    assert [v["互动日期"].date() for v in visits] == [dt.date(2026, 5, 20), dt.date(2026, 12, 15)]


def test_a_ticked_box_list_is_never_overwritten_by_a_fix(tmp_path):
    """☑老客户介绍 is read as 客户来源 转介绍 (a synonym); the returned form keeps its box list."""
    form = [list(r) for r in FORM]
    form[8][1] = "□展会☑老客户介绍□线上推广□其他"                            # B9
    inp, out = tmp_path / "input", tmp_path / "output"
    make_workbook(inp, "华东销售部_恒信客户维护表.xlsx", {"客户信息": form})
    run_pipeline(RunOptions(input_dir=inp, output_dir=out, as_of=AS_OF))
    master = _sheet(load_workbook(out / "2026-11" / "customers.xlsx", read_only=True), "客户主档")
    assert master[0]["客户来源"] == "转介绍"
    back = load_workbook(out / "2026-11" / "returns" / "华东销售部_恒信客户维护表.xlsx")
    assert back["客户信息"]["B9"].value == "□展会☑老客户介绍□线上推广□其他"
    assert back["客户信息"]["B15"].value == "13905716789"                  # a typed value is still fixed
    assert "B9" not in [r[2] for r in back["问题清单"].iter_rows(values_only=True) if r]
