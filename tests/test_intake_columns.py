"""Intake reads a column by its header and its values: multi-row headers without merges, a
data row never taken for a sub-header, pins, pattern guards and unsure columns."""
from __future__ import annotations

import csv
import datetime as dt
import shutil

import pytest
from openpyxl import load_workbook

from pipeline.api import run_pipeline
from pipeline.intake import read_inputs
from pipeline.model import RunOptions
from pipeline.rules import load_rules, DEFAULT_RULES_DIR, DEFAULT_SCHEMAS_DIR
from tests.factories import make_workbook, uscc


def _read(tmp_path, rows, name="华东销售部.xlsx", merged=None, rules=None):
    path = make_workbook(tmp_path / "in", name, {"客户": rows}, {"客户": merged or []})
    res = read_inputs([path], tmp_path / "in", rules or load_rules())
    return res.data["records"], res.data["column_map"], res.issues


def test_group_header_written_without_merging(tmp_path):
    rec, cmap, _ = _read(tmp_path, [
        ["客户名称", "联系方式", None, None, "备注"],
        [None, "联系人", "手机", "邮箱", None],
        ["苏州恒信精密机械有限公司", "张三", "13812345678", "zs@hengxin.com", "老客户"],
    ])
    r = rec.iloc[0]
    assert (r["name"], r["contact"], r["mobile"], r["email"], r["remark"]) == \
        ("苏州恒信精密机械有限公司", "张三", "13812345678", "zs@hengxin.com", "老客户")
    assert list(rec["src_row"]) == [3]
    assert list(cmap["header"]) == ["客户名称", "联系方式/联系人", "联系方式/手机", "联系方式/邮箱", "备注"]


def test_a_data_row_of_texts_is_not_a_sub_header(tmp_path):
    rec, _, _ = _read(tmp_path, [
        ["客户名称", "联系人", "职位"],
        ["苏州恒信精密机械有限公司", "张三", "经理"],
        ["南京紫金电子有限公司", "李四", "联系人"],
    ])
    assert list(rec["src_row"]) == [2, 3] and list(rec["contact"]) == ["张三", "李四"]


def test_a_title_row_is_never_a_group(tmp_path):
    rec, cmap, _ = _read(tmp_path, [
        ["华东销售部客户清单", None, None],
        ["客户名称", "手机", "邮箱"],
        ["苏州恒信精密机械有限公司", "13812345678", "zs@hengxin.com"],
    ], merged=["A1:C1"])
    assert list(cmap["header"]) == ["客户名称", "手机", "邮箱"] and rec.iloc[0]["mobile"] == "13812345678"


def test_pattern_hit_whose_values_do_not_fit_is_kept_as_an_extension_column(tmp_path):
    rec, cmap, issues = _read(tmp_path, [
        ["客户名称", "计划跟进情况"],
        ["苏州恒信精密机械有限公司", "已电话沟通，下周再约"],
        ["南京紫金电子有限公司", "暂缓"],
    ])
    assert "next_follow" not in rec.columns
    assert list(rec["ext:计划跟进情况"]) == ["已电话沟通，下周再约", "暂缓"]
    unsure = [i for i in issues if i.rule == "column-unsure"]
    assert [(i.column, i.params["guess"]) for i in unsure] == [("B", "下次跟进时间")]
    assert cmap.iloc[1]["method"] == "扩展列（存疑）"


def test_a_past_follow_up_is_never_a_planned_one(tmp_path):
    rec, _, _ = _read(tmp_path, [
        ["客户名称", "手机", "已跟进时间"],
        ["苏州恒信精密机械有限公司", "13812345678", "2026-10-12"],
    ])
    assert "next_follow" not in rec.columns and rec.iloc[0]["ext:已跟进时间"] == "2026-10-12"


def test_a_customer_type_column_of_unknown_words_is_unsure(tmp_path):
    rec, _, issues = _read(tmp_path, [
        ["客户名称", "客户类型"],
        ["苏州恒信精密机械有限公司", "制造业"],
        ["南京紫金电子有限公司", "贸易"],
    ])
    assert set(rec["customer_type"]) == {"企业"}                       # guessed, never 制造业
    assert list(rec["ext:客户类型（原表）"]) == ["制造业", "贸易"]      # never mistaken for the field
    assert [i.rule for i in issues if i.column == "B"] == ["column-unsure"]


@pytest.fixture
def pinned_rules(tmp_path):
    rules_dir, schemas_dir = tmp_path / "rules", tmp_path / "schemas"
    shutil.copytree(DEFAULT_RULES_DIR, rules_dir)
    shutil.copytree(DEFAULT_SCHEMAS_DIR, schemas_dir)
    (rules_dir / "column_pins.yaml").write_text(
        "pins:\n  华东销售部:\n    客户类型: status\n    负责人: extension\n", encoding="utf-8")
    return load_rules(rules_dir, schemas_dir)


def test_a_pin_decides_for_its_team_every_month(tmp_path, pinned_rules):
    rows = [["客户名称", "客户类型", "负责人"], ["苏州恒信精密机械有限公司", "老客户", "王磊"]]
    rec, cmap, _ = _read(tmp_path, rows, rules=pinned_rules)
    assert rec.iloc[0]["status"] == "老客户" and rec.iloc[0]["ext:负责人"] == "王磊"
    assert list(cmap["method"])[1:] == ["固定映射", "固定映射"]
    other, _, _ = _read(tmp_path / "b", rows, name="华南销售部.xlsx", rules=pinned_rules)
    assert other.iloc[0]["category"] == "老客户"                        # other teams: judged by values


def test_a_numbering_column_is_dropped_only_when_it_numbers_the_rows(tmp_path):
    rec, cmap, issues = _read(tmp_path, [
        ["序号", "编号", "客户名称", "手机"],
        [1, "HD-0031", "苏州恒信精密机械有限公司", "13812345678"],
        [2, "HD-0007", "南京紫金电子有限公司", "13912345678"],
        [4, "HD-0112", "杭州西湖数据科技有限公司", "13712345678"],      # row 3 was deleted: still a numbering
    ])
    assert list(rec["ext:编号"]) == ["HD-0031", "HD-0007", "HD-0112"]
    assert "ext:序号" not in rec.columns
    by_header = {r.header: r for r in cmap.itertuples()}
    assert (by_header["序号"].field, by_header["序号"].method) == ("", "不导入（序号）")
    assert (by_header["编号"].field, by_header["编号"].method) == ("编号", "扩展列（非序号）")
    notes = [i for i in issues if i.rule == "column-numbering"]
    assert [i.column for i in notes] == ["B"]
    assert not [i for i in issues if i.rule == "column-unknown" and i.column in ("A", "B")]


def test_a_steward_pin_overrides_the_numbering_rule(tmp_path):
    rules_dir = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules_dir)
    (rules_dir / "column_pins.yaml").write_text("pins:\n  华东销售部:\n    编号: source_id\n", encoding="utf-8")
    rec, cmap, issues = _read(tmp_path, [
        ["编号", "客户名称", "手机"],
        [3, "苏州恒信精密机械有限公司", "13812345678"],
        [1, "南京紫金电子有限公司", "13912345678"],
    ], rules=load_rules(rules_dir, DEFAULT_SCHEMAS_DIR))
    assert list(rec["source_id"]) == [3, 1]
    assert cmap.iloc[0]["method"] == "固定映射" and not [i for i in issues if i.rule == "column-numbering"]


def test_a_group_merged_over_one_sub_header_and_a_blank_leaf(tmp_path):
    rec, cmap, issues = _read(tmp_path, [
        ["客户名称", "联系方式", None, "职位"],
        [None, "手机", None, None],
        ["苏州恒信精密机械有限公司", "13812345678", "zs@hengxin.com", "采购总监"],
        ["南京紫金电子有限公司", "13912345678", "ls@zijin.cn", "经理"],
    ], merged=["B1:C1", "A1:A2", "D1:D2"])
    assert list(rec["src_row"]) == [3, 4]                      # row 2 is header, not a repeated header
    assert list(rec["mobile"]) == ["13812345678", "13912345678"]
    assert list(rec["email"]) == ["zs@hengxin.com", "ls@zijin.cn"] and list(rec["position"]) == ["采购总监", "经理"]
    assert list(cmap["header"]) == ["客户名称", "联系方式/手机", "联系方式", "职位"]
    assert [(i.rule, i.column) for i in issues if i.rule.startswith("column-r")] == [("column-rerouted", "C")]


def test_columns_of_one_field_by_year_keep_the_latest(tmp_path):
    """2022年金额 and 2023年金额 both read as 年合作金额: the latest year fills it (not the first
    column), the other year stays as an extension column; two plain duplicates keep the first."""
    rec, cmap, issues = _read(tmp_path, [
        ["客户名称", "2022年合作金额", "2023年合作金额", "手机", "手机号码"],
        ["北京中关村软件园发展有限公司", 300000, 450000, "13601010001", "13601010009"],
    ])
    r = rec.iloc[0]
    assert (r["annual_amount"], r["ext:2022年合作金额"]) == (450000, 300000)
    assert r["mobile"] == "13601010001"                       # no years: the first column, as before
    kept = [(i.rule, i.column, i.params) for i in issues if i.rule in ("column-year-kept", "column-duplicate")]
    assert kept == [("column-year-kept", "B", {"header": "2022年合作金额", "kept": "2023年合作金额"}),
                    ("column-duplicate", "E", {"header": "手机号码", "first": "手机"})]
    assert dict(zip(cmap["header"], cmap["field"]))["2023年合作金额"] == "年合作金额"


def test_a_blank_latest_year_takes_the_newest_earlier_year_with_a_warning(tmp_path):
    """2024年 blank in a row: 年合作金额 is that row's 2023 value (not lost to the extension column
    alone), warned on the 2023 cell, which stays in the extension column too; a row with neither
    year stays blank; a column of another unit is never taken."""
    rec, cmap, issues = _read(tmp_path, [
        ["客户名称", "2022年合作金额", "2023年合作金额", "2024年合作金额", "2021年合作金额（万元）"],
        ["北京中关村软件园发展有限公司", 100000, 300000, None, 9],
        ["苏州恒信精密机械有限公司", 200000, None, None, 8],
        ["南京紫金电子有限公司", 50000, 60000, 70000, None],
        ["杭州西湖电子有限公司", None, None, None, 7],
    ])
    assert list(rec["annual_amount"]) == [300000, 200000, 70000, None]
    assert list(rec["ext:2023年合作金额"]) == [300000, None, 60000, None]
    back = [(i.rule, i.row, i.column, i.value, i.params) for i in issues if i.rule == "column-year-fallback"]
    assert back == [("column-year-fallback", 2, "C", 300000, {"header": "2023年合作金额", "kept": "2024年合作金额"}),
                    ("column-year-fallback", 3, "B", 200000, {"header": "2022年合作金额", "kept": "2024年合作金额"})]
    assert [c and c["annual_amount"] for c in rec["src_cells"][:3]] == ["C2", "B3", None]   # None: its own columns


def _two_row_years(vertical: bool):
    """华东销售部's list: a title, then 年合作金额（万元） merged over 2023年 | 2024年 (the second
    header row); the other headers merged down over both rows, or left blank below."""
    rows = [["华东销售部 重点客户合作金额"],
            ["客户名称", "统一社会信用代码", "城市", "年合作金额（万元）", None, "联系人", "手机号码"],
            [None, None, None, "2023年", "2024年", None, None],
            ["苏州恒瑞精密机械有限公司", uscc("91320594MA1W3XXR5"), "苏州", 30, 45, "李娜", "13912345678"],
            ["杭州云启网络科技有限公司", uscc("91330106MA2B3CDE1"), "杭州", 8, None, "赵强", "13712345678"],
            ["南京紫金电子有限公司", uscc("91320102MA1NXKL09"), "南京", None, None, "王磊", "13812345678"]]
    merged = ["A1:G1", "D2:E2"] + (["A2:A3", "B2:B3", "C2:C3", "F2:F3", "G2:G3"] if vertical else [])
    return rows, merged


@pytest.mark.parametrize("vertical", [True, False])
def test_a_year_sub_header_row_is_header_not_a_customer(tmp_path, vertical):
    """The second header row 2023年 | 2024年 was read as a customer with 年合作金额 "2023年" and the
    oldest year filled 年合作金额: the row is header, the latest year fills the field."""
    rows, merged = _two_row_years(vertical)
    path = make_workbook(tmp_path / "input", "华东销售部.xlsx", {"客户": rows}, {"客户": merged})
    run_pipeline(RunOptions(input_dir=path.parent, output_dir=tmp_path / "output", as_of=dt.date(2026, 11, 30)))
    month = tmp_path / "output" / "2026-11"
    wb = load_workbook(month / "customers.xlsx")
    ws = wb["客户主档"]
    head = [c.value for c in ws[1]]
    got = {r[head.index("客户名称")]: (r[head.index("年合作金额")], r[head.index("年合作金额（万元）/2023年")])
           for r in ws.iter_rows(min_row=2, values_only=True)}
    assert got == {"苏州恒瑞精密机械有限公司": (450000, 30), "杭州云启网络科技有限公司": (80000, 8),
                   "南京紫金电子有限公司": (None, None)}
    src = wb["来源明细"]
    shead = [c.value for c in src[1]]
    assert sorted(r[shead.index("行号")] for r in src.iter_rows(min_row=2, values_only=True)) == [4, 5, 6]
    with open(month / "issues.csv", encoding="utf-8-sig") as fh:
        issues = [(i["row"], i["column"], i["rule"]) for i in csv.DictReader(fh)]
    assert ("2", "D", "column-year-kept") in issues
    assert ("5", "D", "column-year-fallback") in issues            # 2024年 blank: 2023's 8 万元, warned
    assert not [i for i in issues if i[0] == "3"]                    # nothing about the header's second row


def test_year_sub_headers_typed_as_numbers_or_under_an_unknown_group(tmp_path):
    """2023 | 2024 typed as numbers are header texts too; under a group no field knows (合作情况)
    they stay extension columns, each named by a column-unknown notice."""
    rec, cmap, _ = _read(tmp_path, [
        ["客户名称", "年合作金额", None, "联系人"],
        [None, 2023, 2024, None],
        ["苏州恒瑞精密机械有限公司", 300000, 450000, "李娜"]], merged=["D1:D2", "A1:A2", "B1:C1"])
    assert list(rec["src_row"]) == [3]
    assert list(rec["annual_amount"]) == [450000] and list(rec["ext:年合作金额/2023"]) == [300000]
    rec, cmap, issues = _read(tmp_path, [
        ["客户名称", "合作情况", None, "联系人"],
        [None, "2023年", "2024年", None],
        ["苏州恒瑞精密机械有限公司", 300000, 450000, "李娜"]], merged=["B1:C1"])
    assert list(rec["src_row"]) == [3] and "annual_amount" not in rec
    assert (list(rec["ext:合作情况/2023年"]), list(rec["ext:合作情况/2024年"])) == ([300000], [450000])
    assert [(i.rule, i.column) for i in issues if i.rule == "column-unknown"] == [("column-unknown", "B"),
                                                                              ("column-unknown", "C")]


def test_a_data_row_with_a_year_is_not_a_sub_header(tmp_path):
    """Amounts that look like years (2023, 2024) in a data row under a group header stay data."""
    rec, _, _ = _read(tmp_path, [
        ["客户名称", "年合作金额", None, "联系人"],
        ["苏州恒瑞精密机械有限公司", 2023, 2024, "李娜"]], merged=["B1:C1"])
    assert list(rec["src_row"]) == [2] and list(rec["name"]) == ["苏州恒瑞精密机械有限公司"]
