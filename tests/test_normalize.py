"""The normalize stage as a whole: frames in, canonical frames, fixes and issues out."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from pipeline.normalize import normalize_records
from tests.factories import uscc

COLS = ["src_file", "src_sheet", "field", "column", "header", "unit"]


def _frame(rows, file="华东销售部.xlsx", sheet="企业客户"):
    return pd.DataFrame([{"row_id": i, "src_file": file, "src_sheet": sheet, "src_row": i + 3,
                          "customer_type": "企业", **r} for i, r in enumerate(rows)])


def _columns(units: dict, file="华东销售部.xlsx", sheet="企业客户"):
    return pd.DataFrame([{"src_file": file, "src_sheet": sheet, "field": k, "column": "I", "header": k, "unit": u}
                         for k, u in units.items()], columns=COLS)


def test_the_input_frame_is_never_modified(rules, as_of):
    recs = _frame([{"name": " 甲(苏州)公司 ", "mobile": "+86 138-1234-5678", "province": "江苏", "status": "战略客户"}])
    before = recs.copy()
    result = normalize_records(recs, _columns({}), rules, as_of)
    pd.testing.assert_frame_equal(recs, before)
    out = result.data["records"]
    assert out.loc[0, "name"] == "甲（苏州）公司" and out.loc[0, "strategic"] == "是"


def test_header_units_multiply_and_fixes_keep_the_cell_unit(rules, as_of):
    recs = _frame([{"annual_amount": 120}, {"annual_amount": "12.5万"}, {"annual_amount": "1,000"}])
    result = normalize_records(recs, _columns({"annual_amount": 10000.0}), rules, as_of)
    assert list(result.data["records"]["annual_amount"]) == [1200000.0, 125000.0, 10000000.0]
    fixes = result.data["fixes"]
    assert list(zip(fixes["src_row"], fixes["original"], fixes["fixed"])) == [(4, "12.5万", 12.5), (5, "1,000", 1000.0)]


def test_only_certain_visible_changes_are_fixes(rules, as_of):
    recs = _frame([
        {"founded": dt.datetime(2023, 3, 5), "mobile": 13812345678.0, "contact": " 王磊 ", "province": "北京"},
        {"founded": "2023/3/5", "mobile": "138 1234 5678", "contact": "王磊", "province": "江苏苏州"},
        {"founded": "2023-03", "mobile": "138****5678", "annual_amount": "约120万"},
    ])
    result = normalize_records(recs, _columns({}), rules, as_of)
    fixes = {(r.src_row, r.field): (r.original, r.fixed) for r in result.data["fixes"].itertuples()}
    assert fixes == {
        (3, "province"): ("北京", "北京市"),
        (4, "founded"): ("2023/3/5", dt.date(2023, 3, 5)),
        (4, "mobile"): ("138 1234 5678", "13812345678"),
    }


def test_bad_fields_hold_error_level_issues_only(rules, as_of):
    recs = _frame([{"uscc": "9132059", "founded": "2023-03", "email": "bad@", "industry": "工业"}, {"email": "a@b.cn"}])
    out = normalize_records(recs, _columns({}), rules, as_of).data["records"]
    assert out.loc[0, "bad_fields"] == frozenset({"uscc", "email"})
    assert out.loc[1, "bad_fields"] == frozenset()


def test_issues_name_file_sheet_row_field_and_value(rules, as_of):
    recs = _frame([{"mobile": "13812345678"}, {"mobile": "1385678"}], file="大客户部.xlsx", sheet="重点客户")
    issues = normalize_records(recs, _columns({}), rules, as_of).issues
    assert [(i.rule, i.file, i.sheet, i.row, i.field, i.value, i.row_id) for i in issues] == [
        ("mobile-invalid", "大客户部.xlsx", "重点客户", 4, "mobile", "1385678", 1)]
    assert "11 位" in issues[0].params["detail"]


def test_repeated_values_are_reported_on_every_row(rules, as_of):
    recs = _frame([{"satisfaction": "很好"}] * 3 + [{"satisfaction": "4.5"}])
    issues = normalize_records(recs, _columns({}), rules, as_of).issues
    assert sorted(i.row for i in issues if i.rule == "score-invalid") == [3, 4, 5]


def test_credit_code_checks_use_the_parsed_province(rules, as_of):
    code = uscc("91320594MA1W3XXR5")
    recs = _frame([{"uscc": code, "address": "浙江省杭州市西湖区文三路1号"}, {"uscc": code, "city": "苏州"}])
    issues = normalize_records(recs, _columns({}), rules, as_of).issues
    mismatch = [i for i in issues if i.rule == "uscc-region-mismatch"]
    assert [(i.row, i.params["code_province"], i.params["province"]) for i in mismatch] == [(3, "江苏省", "浙江省")]


def test_an_empty_frame_normalizes(rules, as_of):
    recs = _frame([]).reindex(columns=["row_id", "src_file", "src_sheet", "src_row", "customer_type", "name", "mobile"])
    result = normalize_records(recs, _columns({}), rules, as_of)
    assert result.data["records"].empty and result.data["fixes"].empty and result.issues == ()
