"""Intake: per-customer forms without a ``项目 | 填写内容`` header (layout ``form-grid``):
a vertical label/value card and a horizontal label/value grid."""
import dataclasses
import datetime as dt
from types import MappingProxyType

from factories import make_workbook, uscc
from pipeline.api import validate_paths
from pipeline.intake import list_inputs, read_inputs

GOOD = uscc("91320115MA1XYWAB0")
BAD = GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1")       # wrong check digit
NOISE = {"file-no-header", "file-empty", "column-missing", "column-unknown", "column-duplicate"}

CARD = [
    ["客户信息卡", None, None],                                             # 1 (merged A1:C1)
    ["客户名称", "南京紫金电子科技有限公司", "与营业执照一致"],              # 2  remark looks like a label
    ["统一社会信用代码：", BAD, None],                                      # 3
    ["所属行业", "计算机、通信和其他电子设备制造业", None],                 # 4
    ["联系人", "周涛", None],                                               # 5
    ["职位", None, "待补充"],                                                # 6  unfilled
    ["手机号码", 13712345678, None],                                        # 7
    ["所在地区", "江苏省南京市江宁区", None],                                # 8
]

GRID = [
    ["客户信息登记表", None, None, None],                                   # 1 (merged A1:D1)
    ["客户名称", "南京紫金电子科技有限公司", "统一社会信用代码", BAD],       # 2
    ["所属行业", "计算机、通信和其他电子设备制造业", "员工规模", "100-200人"],  # 3
    ["联系人", "周涛", "职位", "采购经理"],                                  # 4
    ["手机号码", "13712345678", "电子邮箱", "zhoutao@zijin.com"],            # 5
    ["所在地区", "江苏省南京市江宁区", "客户状态", "合作中"],                 # 6
    ["年合作金额（万元）", 85, "满意度", 4.5],                              # 7
    ["核心需求", "希望缩短交付周期，提供备货方案", None, None],              # 8 (value merged B8:D8)
]
GRID_MERGED = ["A1:D1", "B8:D8"]


def _read(tmp_path, rules, name, rows, merged=()):
    make_workbook(tmp_path, name, {"客户信息": rows}, merged={"客户信息": list(merged)})
    return read_inputs(list_inputs(tmp_path), tmp_path, rules)


def test_vertical_card_is_one_record(tmp_path, rules):
    res = _read(tmp_path, rules, "华东销售部_紫金.xlsx", CARD, ["A1:C1"])
    rec = res.data["records"]
    assert len(rec) == 1
    r = rec.iloc[0]
    assert (r["src_layout"], r["src_row"], r["customer_type"]) == ("form-grid", 2, "企业")
    assert (r["name"], r["uscc"], r["contact"], r["mobile"], r["address"]) == \
        ("南京紫金电子科技有限公司", BAD, "周涛", 13712345678, "江苏省南京市江宁区")
    assert r["position"] is None                               # labelled but not filled
    assert r["src_cells"] == {"name": "B2", "uscc": "B3", "industry": "B4", "contact": "B5", "position": "B6",
                              "mobile": "B7", "address": "B8"}
    assert r["extras"] is None                                 # remarks in column C are not fields
    assert res.data["source_rows"][["src_row", "row_id", "outcome"]].values.tolist() == [[2, 0, "data"]]
    assert res.data["files"].loc[0, "layout"] == "form-grid"
    assert set(res.data["columns"]["column"]) == {"B"}
    assert not [i for i in res.issues if i.rule in NOISE]


def test_horizontal_grid_with_merged_cells(tmp_path, rules):
    res = _read(tmp_path, rules, "华东销售部_紫金.xlsx", GRID, GRID_MERGED)
    rec = res.data["records"]
    assert len(rec) == 1
    r = rec.iloc[0]
    assert (r["src_layout"], r["src_row"]) == ("form-grid", 2)
    assert (r["name"], r["uscc"], r["employees"], r["position"], r["email"], r["status"]) == \
        ("南京紫金电子科技有限公司", BAD, "100-200人", "采购经理", "zhoutao@zijin.com", "合作中")
    assert (r["annual_amount"], r["satisfaction"], r["core_need"]) == (85, 4.5, "希望缩短交付周期，提供备货方案")
    assert r["src_cells"] == {
        "name": "B2", "uscc": "D2", "industry": "B3", "employees": "D3", "contact": "B4", "position": "D4",
        "mobile": "B5", "email": "D5", "address": "B6", "status": "D6", "annual_amount": "B7",
        "satisfaction": "D7", "core_need": "B8"}
    assert res.data["source_rows"][["src_row", "row_id", "outcome"]].values.tolist() == [[2, 0, "data"]]
    cols = res.data["columns"].set_index("field")
    assert (cols.loc["uscc", "column"], cols.loc["annual_amount", "unit"]) == ("D", 10000.0)
    assert cols.loc["annual_amount", "header"] == "年合作金额（万元）"
    assert not [i for i in res.issues if i.rule in NOISE]


def test_grid_followed_by_related_tables(tmp_path, rules):
    rows = [r if r[0] != "联系人" else ["联系人", "周涛", "职位", None] for r in GRID] + [
        ["开户银行", "招商银行", None, None],                                 # 9: unknown label
        [],                                                                   # 10
        ["联系人信息"],                                                       # 11
        ["姓名", "职位", "手机号码", "电子邮箱"],                             # 12
        ["周涛", "采购经理", "13712345678", "zhoutao@zijin.com"],             # 13
        ["李娜", "财务经理", "13912345678", None],                            # 14
        ["互动记录"],                                                         # 15
        ["互动日期", "互动方式", "沟通主题", "沟通内容摘要"],                 # 16
        [dt.date(2026, 11, 2), "拜访", "续约", "谈续约价格"],                 # 17
        ["填表人：王五"],                                                     # 18
    ]
    res = _read(tmp_path, rules, "华东销售部_紫金.xlsx", rows, GRID_MERGED)
    r = res.data["records"].iloc[0]
    assert len(res.data["records"]) == 1 and r["name"] == "南京紫金电子科技有限公司"
    assert (r["position"], r["src_cells"]["position"]) == ("采购经理", "B13")   # blank label filled from the table
    assert r["extras"] == {"开户银行": "招商银行"}
    rel = res.data["related"]
    assert rel["联系人"][["row_id", "src_row", "姓名", "职位"]].values.tolist() == \
        [[0, 13, "周涛", "采购经理"], [0, 14, "李娜", "财务经理"]]
    assert rel["互动记录"][["src_row", "互动方式", "沟通主题"]].values.tolist() == [[17, "拜访", "续约"]]
    assert [(i.rule, i.row, i.params["header"]) for i in res.issues if i.rule in NOISE] == \
        [("column-unknown", 9, "开户银行")]
    assert res.data["source_rows"]["src_row"].tolist() == [2]


def test_lists_with_label_like_values_stay_lists(tmp_path, rules):
    rows = [["华东销售部客户清单"],
            ["客户名称", "客户来源", "联系人", "手机号码"],
            ["甲公司", "渠道推广", "张三", "13800000001"],
            ["乙公司", "渠道推广", "李四", "13800000002"],
            ["丙公司", "渠道合作", "王五", "13800000003"]]
    res = _read(tmp_path, rules, "华东销售部.xlsx", rows)
    rec = res.data["records"]
    assert list(rec["src_layout"]) == ["list"] * 3 and list(rec["name"]) == ["甲公司", "乙公司", "丙公司"]


def test_pair_threshold_is_a_rule(tmp_path, rules):
    forms = dict(rules.extra["forms"])
    forms["grid_form"] = MappingProxyType({**forms["grid_form"], "min_pair_rows": 10})
    strict = dataclasses.replace(rules, extra=MappingProxyType({**rules.extra, "forms": MappingProxyType(forms)}))
    res = _read(tmp_path, strict, "华东销售部_紫金.xlsx", [r[:2] for r in CARD])
    assert res.data["records"].empty                          # what happened before form-grid existed
    assert [i.rule for i in res.issues] == ["file-no-header"]


def test_validate_paths_card_and_grid(tmp_path, as_of):
    for name, rows, merged, cell in (("卡片.xlsx", CARD, ["A1:C1"], ("B", 3)),
                                     ("网格.xlsx", GRID, GRID_MERGED, ("D", 2))):
        path = make_workbook(tmp_path / name.split(".")[0], f"华东销售部_{name}", {"客户信息": rows},
                             merged={"客户信息": merged})
        result = validate_paths([path], as_of)
        customers = result.catalog["customers"]
        assert len(customers) == 1, name
        c = customers.iloc[0]
        assert (c["name"], c["mobile"]) == ("南京紫金电子科技有限公司", "13712345678"), name
        issues = result.issues
        bad = issues[issues["field"] == "统一社会信用代码"]
        assert list(bad["rule"]) == ["uscc-checksum"], name
        assert (bad.iloc[0]["column"], int(bad.iloc[0]["row"])) == cell, name
        assert not set(issues["rule"]) & NOISE, name
    grid = validate_paths([tmp_path / "网格" / "华东销售部_网格.xlsx"], as_of).catalog["customers"].iloc[0]
    assert grid["annual_amount"] == 850000


def test_label_form_issue_points_at_the_value_cell(tmp_path, as_of):
    """Issues of every form layout sit on the field's own cell (records.src_cells), not the name row."""
    from test_intake_forms import LABEL_FORM

    rows = [list(r) for r in LABEL_FORM]
    rows[4] = ["统一社会信用代码", BAD, ""]
    path = make_workbook(tmp_path, "大客户部_客户表单.xlsx", {"客户信息": rows})
    issues = validate_paths([path], as_of).issues
    bad = issues[issues["rule"] == "uscc-checksum"].iloc[0]
    assert (bad["column"], int(bad["row"])) == ("B", 5)
