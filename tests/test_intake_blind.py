"""Submissions written the way sales teams send them, independently of the test fixtures
(tests/data/workbooks_blind/, built by its build.py; two of them saved by LibreOffice, one as
.xls, one as .ods): what a steward finds in 客户主档, 来源明细, issues.csv and 列映射, and the
proof that every non-empty data cell lands in an output or an issue."""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline.api import run_pipeline
from pipeline.intake import list_inputs, read_inputs
from pipeline.model import RunOptions
from pipeline.rules import DEFAULT_RULES_DIR, DEFAULT_SCHEMAS_DIR, load_rules
from tests.cell_proof import account, load_outputs

BLIND = Path(__file__).parent / "data" / "workbooks_blind"
FILES = sorted(p.name for p in BLIND.iterdir() if p.suffix in (".xlsx", ".xls", ".ods"))
FORMS = ("大客户部_客户维护表.xlsx", "华中销售部_客户维护表.ods", "华北区_客户资料卡.xlsx", "华东一区_客户资料卡.xlsx")
#: the instruction texts the maintenance form prints in its 备注（填写说明） column, as build.py writes them
INSTRUCTIONS = {
    "企业客户需填写全称", "企业客户填写，便于核实资质", "如“零售业-连锁超市”", "根据合作阶段与重要性选择",
    "记录客户首次与企业建立联系的时间", "标识客户获取渠道", "客户对接人姓名，用*代替", "如“市场部经理”",
    "填写时需脱敏，如“010”", "填写时需脱敏，如“1396789”", "保证邮箱格式正确", "如/企业账号", "与营业执照一致",
    "若无则不填", "按公司统一行业分类填写",
}


@pytest.fixture(scope="module")
def blind(tmp_path_factory):
    root = tmp_path_factory.mktemp("blind")
    inp = root / "input"
    inp.mkdir()
    for name in FILES:
        shutil.copy(BLIND / name, inp / name)
    run_pipeline(RunOptions(input_dir=inp, output_dir=root / "output", as_of=dt.date(2026, 11, 30)))
    return {"input": inp, **load_outputs(root / "output" / "2026-11")}


def _rows(blind, file):
    return {r["客户名称"]: r for r in blind["sheets"]["客户主档"]
            if any(s["客户编号"] == r["客户编号"] and s["来源文件"] == file for s in blind["sheets"]["来源明细"])}


def _issues(blind, file, rule=None):
    return [i for i in blind["issues"] if i["file"] == file and (rule is None or i["rule"] == rule)]


def _skipped(blind, file, sheet):
    return {r["行号"]: r["说明"] for r in blind["sheets"]["来源明细"]
            if r["来源文件"] == file and r["工作表"] == sheet and r["处理结果"] == "跳过"}


def _mapping(blind, file):
    wb = load_workbook(blind["month"] / "returns" / Path(file).with_suffix(".xlsx").name, read_only=True)
    return [r for r in wb["列映射"].iter_rows(min_row=2, values_only=True)]


def test_follow_up_list_with_team_columns(blind):
    file = "华东二区_重点客户跟进表.xlsx"
    rows = _rows(blind, file)
    assert len(rows) == 5
    nb = rows["宁波甬舟港航物流有限公司"]
    assert (nb["负责销售"], nb["注册资本"], nb["官网"], nb["微信号"]) == ("周晓", 50000000, "www.yongzhou-log.cn", "chenjg_nb")
    assert (nb["联系人"], nb["职位"], nb["手机号码"]) == ("陈建国", "总经理", "13967812345")     # 电话/邮箱 by value
    assert (nb["客户状态"], nb["需求阶段"], nb["决策链"]) == ("合作中客户", "合作中", "复杂决策")
    assert nb["最近跟进时间"].date() == dt.date(2026, 11, 18) and nb["下次跟进时间"] is None
    assert (nb["预算下限"], nb["预算上限"]) == (200000, 300000) and nb["客户类型"] == "企业"
    assert rows["绍兴柯桥纺织印染有限公司"]["电子邮箱"] == "shenlh@kqfz.com.cn"
    jx = rows["嘉兴禾丰农业科技股份有限公司"]
    assert (jx["办公电话"], jx["战略客户"], jx["手机号码"]) == ("0573-82251166", "是", None)
    assert [(i["column"], i["field"]) for i in _issues(blind, file, "column-split")] == [("I", "电子邮箱")]
    assert [(i["column"], i["field"]) for i in _issues(blind, file, "column-rerouted")] == [("M", "客户状态")]
    assert {i["field"] for i in _issues(blind, file, "column-missing")} == {"统一社会信用代码"}   # 手机号码 is there
    assert not _issues(blind, file, "column-unsure")
    by_col = {m[1]: m for m in _mapping(blind, file)}
    assert by_col["A"][2:5] == ("序号", None, "不导入（序号）")
    assert by_col["I"][2:5] == ("电话/邮箱", "电子邮箱", "按值分流")
    assert by_col["P"][2:5] == ("最近一次跟进", "最近跟进时间", "表头模式")


def test_maintenance_forms_saved_by_libreoffice(blind):
    wh = _rows(blind, "大客户部_客户维护表.xlsx")["武汉江城商贸有限公司"]
    assert (wh["客户分类"], wh["客户来源"], wh["客户类型"]) == ("新客户", "展会", "企业")
    assert (wh["联系人"], wh["手机号码"], wh["其他联系方式"]) == ("郑凯", "18627103456", "企业微信 jc_ops")
    assert wh["首次接触时间"].date() == dt.date(2026, 9, 16)
    assert wh["备注"] == "年底前有扩仓计划；首次接触时间：展会名片上的日期，需与客户核对"
    cs = _rows(blind, "华中销售部_客户维护表.ods")["长沙湘江医药连锁有限公司"]
    assert cs["备注"] == "年底前有扩仓计划；手机号码：仅工作日9点后接听" and cs["客户分类"] == "新客户"
    visits = [r for r in blind["sheets"]["互动记录"] if r["来源文件"] == "华中销售部_客户维护表.ods"]
    assert [(r["互动方式"], r["完成状态"]) for r in visits] == [("拜访", "已完成"), ("线上会议", "待处理")]
    needs = [r for r in blind["sheets"]["需求与反馈"] if r["来源文件"] == "华中销售部_客户维护表.ods"]
    assert (needs[0]["优先级"], needs[0]["需求状态"], needs[0]["满意度"]) == ("中", "待处理", 3)
    for file in ("大客户部_客户维护表.xlsx", "华中销售部_客户维护表.ods"):
        assert not [i for i in _issues(blind, file) if i["column"] == "C"]          # the remark column is quiet
        instructions = [m for m in _mapping(blind, file) if m[4] == "不导入（模板说明）"]
        assert [(m[1], m[2]) for m in instructions] == [("C", "备注（填写说明）")]


def test_field_list_kept_as_a_vertical_card(blind):
    tj = _rows(blind, "华北区_客户资料卡.xlsx")["天津滨海重工装备有限公司"]
    assert (tj["联系人"], tj["职位"], tj["手机号码"], tj["办公电话"]) == ("孟凡", "设备部部长", "13602218877", "022-25321188")
    assert tj["成立时间"].date() == dt.date(2014, 1, 1) and tj["员工规模"] == "500-1000人"
    assert (tj["核心采购品类"], tj["年采购量"]) == ("液压件、密封件", "约300万元")
    assert tj["备注"] == "手机号码：客户称下月换号；年采购量：以年度合同为准"


def test_three_row_headers_merged_and_drawn_with_totals_rows(blind):
    file = "西南大区_客户汇总.xls"
    rows = _rows(blind, file)
    assert len(rows) == 7                                   # 4 + 3 customers; 合计/小计 are no customers
    cd = rows["成都蓉欧供应链管理有限公司"]
    assert (cd["联系人"], cd["手机号码"], cd["电子邮箱"]) == ("邓超", "13880012345", "dengchao@rongou-sc.com")
    assert (cd["年合作金额"], cd["客户状态"], cd["城市"]) == (1200000, "合作中客户", "成都市")
    assert cd["下次跟进时间"].date() == dt.date(2026, 12, 8)
    # 大区 and 销售代表 merged down over their customers (and, on 华中, over the 小计 rows)
    assert [(rows[n]["大区"], rows[n]["负责销售"]) for n in ("绵阳科创电子有限公司", "重庆渝新欧机械有限公司",
                                                       "贵州黔峰茶业有限公司")] == \
        [("西南", "罗静"), ("西南", "彭亮"), ("西南", "彭亮")]
    zz, cs = rows["郑州中原冷链物流有限公司"], rows["长沙岳麓智造科技有限公司"]
    assert (zz["联系人"], zz["年合作金额"], zz["负责销售"]) == ("魏东", 660000, "高翔")
    assert (cs["大区"], cs["负责销售"], cs["年合作金额"]) == ("华中", "陶然", 180000)
    assert _skipped(blind, file, "西南") == {10: "合计行"}
    assert _skipped(blind, file, "华中") == {7: "合计行", 9: "合计行", 10: "合计行"}
    by_col = {(m[0], m[1]): m for m in _mapping(blind, file)}
    for sheet in ("西南", "华中"):
        assert by_col[(sheet, "C")][2:4] == ("基本信息/客户名称", "客户名称")
        assert by_col[(sheet, "F")][2:5] == ("联系人/姓名", "联系人", "多行表头")
        assert by_col[(sheet, "I")][2:4] == ("合作情况/年合作金额（万元）", "年合作金额")


def test_header_below_titles_and_notes_below_the_table(blind):
    file = "华南销售部_客户清单.xlsx"
    rows = _rows(blind, file)
    assert set(rows) == {"佛山顺德美居家电有限公司", "东莞松湖智能装备有限公司", "南宁邕江糖业有限公司",
                         "海口椰城旅游开发有限公司"}
    dg = rows["东莞松湖智能装备有限公司"]
    assert (dg["编号"], dg["客户来源"], dg["年合作金额"], dg["备注"]) == ("HN-2611-01", "转介绍", 1250000, "年底续约")
    assert rows["南宁邕江糖业有限公司"]["省份"] == "广西壮族自治区"
    # a group title and notes merged across the sheet, 注：…, signatures: skipped and listed
    assert _skipped(blind, file, "客户清单") == {7: "说明行", 9: "空行", 10: "说明行", 11: "说明行", 12: "签字行"}
    assert [(i["column"], i["severity"]) for i in _issues(blind, file, "column-numbering")] == [("A", "info")]


def test_a_card_without_header_keeps_its_remarks(blind):
    file = "华东一区_客户资料卡.xlsx"
    hf = _rows(blind, file)["合肥庐州智能家居有限公司"]
    assert (hf["联系人"], hf["手机号码"], hf["客户来源"], hf["年合作金额"]) == ("程亮", "13805512266", "转介绍", 380000)
    assert hf["备注"] == "手机号码：周末不接电话；客户来源：由芜湖经销商推荐"
    by_cell = {m[1]: m for m in _mapping(blind, file)}
    assert by_cell["C7"][2:5] == ("备注（手机号码）", "备注", "表单备注")
    assert by_cell["C"][4:6] == ("不导入（模板说明）", "与营业执照一致、按公司统一行业分类填写")


def test_a_ledger_with_a_units_row_and_a_customer_on_two_rows(blind):
    file = "东北销售部_客户台账.xlsx"
    rows = _rows(blind, file)
    sy = rows["沈阳盛京重型机械有限公司"]
    assert (sy["年合作金额"], sy["累计合作金额"], sy["联系人"]) == (1500000, 4200000, "于海")   # （万元） under the header
    conflicts = [r for r in load_workbook(blind["month"] / "customers.xlsx", read_only=True)["字段冲突"]
                 .iter_rows(min_row=2, values_only=True) if r[1] == "沈阳盛京重型机械有限公司"]
    assert ("联系人", "于海", "唐静") in {r[2:5] for r in conflicts}          # the second contact is shown
    cc = rows["长春净月生物制药有限公司"]
    assert (cc["电子邮箱"], cc["联系人"]) == ("barbara@jingyue-bio.com", None)  # an e-mail typed as 联系人
    assert [(i["column"], i["field"]) for i in _issues(blind, file, "column-split")] == [("E", "联系人")]
    assert "barbara@jingyue-bio.com" in _issues(blind, file, "column-split")[0]["message"]
    assert _skipped(blind, file, "台账") == {7: "合计行"}
    by_col = {m[1]: m for m in _mapping(blind, file)}
    assert by_col["A"][2:5] == ("序号", None, "不导入（序号）")                  # 1, 1 (merged), 2, 3
    assert by_col["G"][2:4] == ("年合作金额（万元）", "年合作金额")
    assert not _issues(blind, file, "column-numbering") and not _issues(blind, file, "column-unknown")


def test_two_tables_on_one_sheet_each_under_its_own_header(blind):
    file = "华东三区_客户名单.xlsx"
    rows = _rows(blind, file)
    assert (rows["温州瓯江阀门制造有限公司"]["客户类型"], rows["温州瓯江阀门制造有限公司"]["联系人"]) == ("企业", "林海")
    jw = rows["蒋文"]                                    # under 姓名 | 手机号码 | 常用地址 | 核心需求 | 客户来源
    assert (jw["客户类型"], jw["手机号码"], jw["核心需求"], jw["客户来源"]) == ("个人", "13605771122", "别墅中央空调", "展会")
    assert jw["详细地址"] == "浙江省温州市鹿城区五马街18号" and jw["统一社会信用代码"] is None and jw["联系人"] is None
    assert _skipped(blind, file, "名单") == {6: "空行", 7: "说明行"}      # 个人客户 is a title, not a customer
    bad = _issues(blind, file, "mobile-invalid")
    assert [(i["row"], i["column"]) for i in bad] == [("10", "B")]     # the second table's own column
    returned = load_workbook(blind["month"] / "returns" / file)
    assert returned["名单"]["B10"].comment is not None and returned["名单"]["D10"].comment is None
    assert returned["名单"]["E10"].value == "转介绍"                     # a fix in the second table's column


@pytest.mark.parametrize("file", FILES)
def test_every_non_empty_data_cell_lands_in_an_output_or_an_issue(blind, file):
    counts: dict = {}
    assert account(blind, blind["input"] / file, file, INSTRUCTIONS, counts) == []
    assert counts.get("output", 0) >= 10, counts
    if file in FORMS:                                   # their remark columns were walked too
        assert counts.get("template text", 0) >= 2, counts


def test_a_steward_pin_applies_to_a_blind_file(tmp_path):
    rules_dir = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules_dir)
    (rules_dir / "column_pins.yaml").write_text(
        "pins:\n  华南销售部:\n    编号: source_id\n  西南大区:\n    合作情况/下次跟进: extension\n", encoding="utf-8")
    inp = tmp_path / "in"
    inp.mkdir()
    for name in ("华南销售部_客户清单.xlsx", "西南大区_客户汇总.xls"):
        shutil.copy(BLIND / name, inp / name)
    res = read_inputs(list_inputs(inp), inp, load_rules(rules_dir, DEFAULT_SCHEMAS_DIR))
    rec = res.data["records"].set_index("name")
    assert rec.loc["东莞松湖智能装备有限公司", "source_id"] == "HN-2611-01"
    assert "next_follow" not in rec.columns                      # the team's plan, kept aside
    assert rec.loc["成都蓉欧供应链管理有限公司", "ext:合作情况/下次跟进"] == dt.date(2026, 12, 8)
    assert not [i for i in res.issues if i.rule == "column-numbering"]
    cmap = res.data["column_map"]
    pinned = cmap[cmap["method"] == "固定映射"]
    assert sorted(zip(pinned["src_sheet"], pinned["header"], pinned["field"])) == [
        ("华中", "合作情况/下次跟进", "合作情况/下次跟进"), ("客户清单", "编号", "原客户编号"),
        ("西南", "合作情况/下次跟进", "合作情况/下次跟进")]


def test_the_suggested_pin_line_pasted_into_column_pins_fixes_the_column(blind, tmp_path):
    file = "华东二区_重点客户跟进表.xlsx"
    notice = _issues(blind, file, "column-rerouted")[0]
    line = re.search(r"加一行“(.+?)”", notice["suggestion"]).group(1)
    assert line == "华东二区: {客户类型: customer_type}"
    rules_dir = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules_dir)
    (rules_dir / "column_pins.yaml").write_text(f"pins:\n  {line}\n", encoding="utf-8")
    inp = tmp_path / "in"
    inp.mkdir()
    shutil.copy(BLIND / file, inp / file)
    res = read_inputs(list_inputs(inp), inp, load_rules(rules_dir, DEFAULT_SCHEMAS_DIR))
    cmap = res.data["column_map"].set_index("column")
    assert (cmap.loc["M", "field"], cmap.loc["M", "method"]) == ("客户类型", "固定映射")
    assert not [i for i in res.issues if i.rule == "column-rerouted"]
