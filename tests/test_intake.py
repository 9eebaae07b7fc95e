"""Intake: list layouts, csv encodings, header mapping, skipped rows, type and team guesses."""
import datetime as dt

import pytest

from factories import make_csv, make_workbook, uscc
from pipeline.intake import list_inputs, read_inputs, skipped_inputs

HEADER = ["序号", "* 客户名称", "统一社会信用代码", "所属\n行业", "地区", "联系人", "手机", "年合作金额（万元）", "续约率(%)"]
CODE = uscc("91320594MA1W3XXR5")


def read(folder, rules):
    return read_inputs(list_inputs(folder), folder, rules)


def issues_of(result, rule):
    return [i for i in result.issues if i.rule == rule]


def test_list_with_title_rows_merged_title_and_skipped_rows(tmp_path, rules):
    rows = [
        ["华东销售部 2026年11月客户信息"], ["填报说明：带*为必填"], HEADER,
        [1, "苏州某某科技有限公司", CODE, "软件", "江苏苏州", "张三", 13812345678, 120, 92],  # row 4
        [2, None, None, None, None, None, None, None, None],                               # row 5: only 序号
        [],                                                                                  # row 6
        ["合计", None, None, None, None, None, None, 120, None],                            # row 7
        HEADER,                                                                              # row 8
        [3, None, None, None, "广东深圳", None, "13900001111", None, None],                 # row 9: no name
        ["填表人：李四", None, None, None, None, None, None, None, None],                   # row 10
    ]
    make_workbook(tmp_path, "华东销售部_2026年11月客户.xlsx", {"企业客户": rows, "填写说明": [["说明", "内容"]]},
                  merged={"企业客户": ["A1:I1"]})
    res = read(tmp_path, rules)
    rec = res.data["records"]
    assert list(rec["src_row"]) == [4, 9]
    assert list(rec["row_id"]) == [0, 1]
    first = rec.iloc[0]
    assert (first["src_file"], first["src_sheet"], first["src_team"], first["src_layout"]) == \
        ("华东销售部_2026年11月客户.xlsx", "企业客户", "华东销售部", "list")
    assert first["name"] == "苏州某某科技有限公司" and first["uscc"] == CODE
    assert first["mobile"] == 13812345678 and first["annual_amount"] == 120   # raw, not scaled
    assert first["address"] == "江苏苏州" and first["customer_type"] == "企业"
    assert first["extras"] == {"序号": 1}
    assert rec.iloc[1]["name"] is None and rec.iloc[1]["mobile"] == "13900001111"

    src = res.data["source_rows"]
    skipped = dict(zip(src["src_row"], src["reason"]))
    assert skipped[5] == "空行" and skipped[6] == "空行" and skipped[7] == "合计行"
    assert skipped[8] == "重复表头" and skipped[10] == "签字行"
    assert sorted(src["src_row"]) == list(range(4, 11))          # every row below the header once
    assert set(src.loc[src["outcome"] == "data", "row_id"]) == {0, 1}

    cols = res.data["columns"].set_index("field")
    assert cols.loc["annual_amount", "unit"] == 10000.0 and cols.loc["annual_amount", "column"] == "H"
    assert cols.loc["renewal_rate", "unit"] == 1.0
    assert cols.loc["industry", "header"] == "所属\n行业"
    files = res.data["files"]
    assert list(files["status"]) == ["已处理"] and files.loc[0, "sheets"] == 2
    assert not issues_of(res, "column-unknown")                    # 序号 is ignored quietly
    assert {i.field for i in issues_of(res, "column-missing")} == set()


def test_unknown_and_duplicate_columns(tmp_path, rules):
    make_workbook(tmp_path, "大客户部.xlsx", {"客户": [
        ["客户名称", "电子油箱", "微信号", "手机", "电话", "联系人", "统一社会信用代码", "所属行业"],
        ["甲公司", "13800000000", "wx1", "13911112222", "0512-1", "张", CODE, "软件"],
    ]})
    res = read(tmp_path, rules)
    unknown = {i.params["header"]: i for i in issues_of(res, "column-unknown")}
    assert set(unknown) == {"电子油箱", "微信号"}
    assert unknown["电子油箱"].params["hint"] == "你是不是想填“电子邮箱”"
    assert unknown["电子油箱"].column == "B" and unknown["电子油箱"].row == 1
    dup = issues_of(res, "column-duplicate")
    assert [(i.column, i.field, i.params["first"]) for i in dup] == [("E", "mobile", "手机")]
    rec = res.data["records"].iloc[0]
    assert rec["mobile"] == "13911112222"
    assert rec["extras"] == {"电子油箱": "13800000000", "微信号": "wx1", "电话": "0512-1"}


def test_column_missing_is_one_issue_per_sheet(tmp_path, rules):
    rows = [["客户名称", "手机号码", "所属行业", "联系人"]] + [[f"客户{i}有限公司", "13800000000", "软件", "张"] for i in range(5)]
    make_workbook(tmp_path, "a.xlsx", {"企业客户": rows})
    res = read(tmp_path, rules)
    missing = issues_of(res, "column-missing")
    assert [(i.sheet, i.field, i.params["count"], i.row) for i in missing] == [("企业客户", "uscc", 5, None)]


def test_customer_type_from_column_sheet_and_name(tmp_path, rules):
    make_csv(tmp_path, "混合.csv", [["客户名称", "客户类型", "手机号码"],
                                   ["甲公司", "B端", "1"], ["李雷", "C端客户", "2"], ["韩梅", "", "3"],
                                   ["乙贸易有限公司", "", "4"], ["丙", "老客户", "5"]])
    make_workbook(tmp_path, "b.xlsx", {"个人客户": [["客户名称", "手机号码"], ["某某装饰有限公司", "1"]],
                                       "Sheet1": [["客户名称", "手机号码"], ["王五", "1"], ["某某五金店", "2"]]})
    rec = read(tmp_path, rules).data["records"]
    types = dict(zip(rec["name"], rec["customer_type"]))
    assert types["甲公司"] == "企业" and types["李雷"] == "个人"
    assert types["韩梅"] == "个人" and types["乙贸易有限公司"] == "企业"
    assert types["丙"] == "老客户"                     # unknown kept raw for normalize to flag
    assert types["某某装饰有限公司"] == "个人"          # the sheet name wins over the name shape
    assert types["王五"] == "个人" and types["某某五金店"] == "企业"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk", "gb18030"])
def test_csv_encodings(tmp_path, rules, encoding):
    make_csv(tmp_path, "华南销售部客户.csv", [["客户名称", "手机号码", "详细地址"],
                                         ["深圳市腾飞电子科技有限公司", "13800000000", "广东省深圳市南山区科技园"]],
             encoding=encoding)
    res = read(tmp_path, rules)
    rec = res.data["records"].iloc[0]
    assert rec["name"] == "深圳市腾飞电子科技有限公司" and rec["address"] == "广东省深圳市南山区科技园"
    assert (rec["src_sheet"], rec["src_row"], rec["src_team"]) == ("", 2, "华南销售部")


def test_values_stay_raw_and_dates_are_dates(tmp_path, rules):
    make_workbook(tmp_path, "a.xlsx", {"客户": [["客户名称", "成立时间", "满意度", "手机号码"],
                                               ["甲公司", dt.datetime(2020, 5, 1), 4.6, " 138 0000 0000 "]]})
    rec = read(tmp_path, rules).data["records"].iloc[0]
    assert rec["founded"] == dt.date(2020, 5, 1)
    assert rec["satisfaction"] == 4.6 and rec["mobile"] == " 138 0000 0000 "


def test_vertically_merged_cells_fill_down(tmp_path, rules):
    make_workbook(tmp_path, "a.xlsx", {"客户": [["所属行业", "客户名称", "手机号码"],
                                               ["软件", "甲公司", "1"], [None, "乙公司", "2"]]},
                  merged={"客户": ["A2:A3"]})
    rec = read(tmp_path, rules).data["records"]
    assert list(rec["industry"]) == ["软件", "软件"]


def test_the_templates_example_row_and_a_共计_row_are_skipped(tmp_path, rules):
    make_workbook(tmp_path, "华东销售部_客户.xlsx", {"企业客户": [
        ["客户名称", "统一社会信用代码", "联系人", "手机号码", "年合作金额"],
        ["示例：苏州XX精密机械有限公司", CODE, "张三", "13800000000", 100000],     # left in from the template
        ["例：南京某某科技有限公司", None, "李四", "13900000000", None],
        ["无锡华光机电有限公司", None, "王磊", "13612345678", 200000],
        ["共计", None, None, None, 200000],
    ]})
    res = read(tmp_path, rules)
    assert list(res.data["records"]["name"]) == ["无锡华光机电有限公司"]
    src = res.data["source_rows"]
    assert dict(zip(src["src_row"], src["reason"])) == {2: "示例行", 3: "示例行", 4: "", 5: "合计行"}


def test_listing_skips_lock_and_hidden_files_and_names_them(tmp_path, rules):
    for name in ["b.xlsx", "a.csv", "~$b.xlsx", ".hidden.xlsx", "notes.txt", "sub/c.xlsm", ".git/x.csv", "Thumbs.db"]:
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
    listed = [p.relative_to(tmp_path).as_posix() for p in list_inputs(tmp_path, rules)]
    assert listed == ["a.csv", "b.xlsx", "notes.txt", "sub/c.xlsm"]      # notes.txt: refused by check_file
    assert skipped_inputs(tmp_path, rules) == [
        (".git/x.csv", "隐藏文件"), (".hidden.xlsx", "隐藏文件"), ("Thumbs.db", "系统文件"), ("~$b.xlsx", "Excel 临时锁文件")]


def test_team_from_name_or_folder(tmp_path, rules):
    make_csv(tmp_path, "大客户部2026年11月.csv", [["客户名称", "手机号码"], ["甲", "1"]])
    make_csv(tmp_path, "华北区/11月名单.csv", [["客户名称", "手机号码"], ["乙", "1"]])
    make_csv(tmp_path, "零售一组/11月名单.csv", [["客户名称", "手机号码"], ["丙", "1"]])
    rec = read(tmp_path, rules).data["records"]
    assert dict(zip(rec["name"], rec["src_team"])) == {"甲": "大客户部", "乙": "华北销售部", "丙": "零售一组"}
    assert set(rec["src_file"]) == {"大客户部2026年11月.csv", "华北区/11月名单.csv", "零售一组/11月名单.csv"}
