"""The validate stage: required-ness per customer type, only where the column exists."""
from __future__ import annotations

import pandas as pd

from pipeline.validate import build_schema, validate_records

COLS = ["src_file", "src_sheet", "field", "column", "header", "unit"]


def _records(rows):
    base = [{"row_id": i, "src_file": r.pop("file", "华东.xlsx"), "src_sheet": r.pop("sheet", "企业客户"),
             "src_row": i + 2, **r} for i, r in enumerate(rows)]
    return pd.DataFrame(base)


def _columns(keys, file="华东.xlsx", sheet="企业客户"):
    return pd.DataFrame([{"src_file": file, "src_sheet": sheet, "field": k, "column": chr(65 + i), "header": k,
                          "unit": 1.0} for i, k in enumerate(keys)], columns=COLS)


def _found(result):
    return sorted((i.rule, i.row, i.field, i.params.get("type")) for i in result.issues)


def test_required_fields_depend_on_the_customer_type(rules):
    recs = _records([
        {"customer_type": "企业", "name": "甲公司", "uscc": None, "contact": "王磊", "position": "经理", "mobile": "13812345678"},
        {"customer_type": "个人", "name": "张三", "uscc": None, "contact": None, "position": None, "mobile": "13912345678",
         "address": "苏州", "core_need": "保险"},
        {"customer_type": "企业", "name": "  ", "uscc": "x", "contact": "李娜", "position": "", "mobile": "138"},
    ])
    cols = _columns(["name", "uscc", "contact", "position", "mobile", "address", "core_need"])
    found = _found(validate_records(recs, cols, rules))
    assert ("required-missing", 2, "uscc", "企业") in found
    assert ("required-missing", 4, "name", "企业") in found        # blank text is empty
    assert ("recommended-missing", 4, "position", "企业") in found
    assert not [f for f in found if f[1] == 3]                      # 个人 needs no code, contact or position
    assert not [f for f in found if f[0] == "required-missing" and f[1] == 2 and f[2] != "uscc"]


def test_a_column_missing_from_the_sheet_gives_no_row_issues(rules):
    recs = _records([
        {"customer_type": "企业", "name": "甲公司", "uscc": None, "contact": "王磊", "mobile": "13812345678"},
        {"customer_type": "企业", "name": "乙公司", "uscc": None, "contact": "李娜", "mobile": "13912345678",
         "file": "大客户部.xlsx", "sheet": "重点客户"},
    ])
    cols = pd.concat([_columns(["name", "uscc", "contact", "mobile"]),
                      _columns(["name", "contact", "mobile"], "大客户部.xlsx", "重点客户")])
    found = _found(validate_records(recs, cols, rules))
    assert ("required-missing", 2, "uscc", "企业") in found
    assert not [f for f in found if f[1] == 3 and f[2] == "uscc"]


def test_one_of_the_phones_is_required_for_companies(rules):
    recs = _records([
        {"customer_type": "企业", "name": "甲公司", "contact": "王", "mobile": None, "office_phone": "0512-66881234"},
        {"customer_type": "企业", "name": "乙公司", "contact": "李", "mobile": "", "office_phone": None},
        {"customer_type": "个人", "name": "张三", "mobile": None, "office_phone": None},
    ])
    cols = _columns(["name", "contact", "mobile", "office_phone"])
    found = _found(validate_records(recs, cols, rules))
    assert [f for f in found if f[0] == "phone-missing"] == [("phone-missing", 3, "mobile", "企业")]
    assert ("required-missing", 4, "mobile", "个人") in found


def test_records_come_back_unchanged_and_issues_carry_provenance(rules):
    recs = _records([{"customer_type": "企业", "name": None, "contact": "王", "mobile": "13812345678"}])
    before = recs.copy()
    result = validate_records(recs, _columns(["name", "contact", "mobile"]), rules)
    pd.testing.assert_frame_equal(result.data["records"], before)
    pd.testing.assert_frame_equal(recs, before)
    issue = next(i for i in result.issues if i.rule == "required-missing")
    assert (issue.file, issue.sheet, issue.row, issue.field, issue.row_id) == ("华东.xlsx", "企业客户", 2, "name", 0)


def test_the_schema_is_compiled_from_fields_yaml(rules):
    recs = _records([{"customer_type": "企业", "name": "甲", "uscc": "x", "mobile": "1"}])
    schema = build_schema(recs, _columns(["name", "uscc", "mobile"]), rules)
    names = {c: [ch.name for ch in col.checks] for c, col in schema.columns.items()}
    assert "required-missing" in names["name"] and "required-missing" in names["uscc"]
    assert "phone-missing" in names["mobile"]


def test_a_broken_frame_is_reported_not_fatal(rules):
    recs = _records([{"customer_type": "企业", "name": "甲"}, {"customer_type": "企业", "name": "乙"}])
    recs["row_id"] = [0, 0]                       # duplicated row ids: an upstream bug
    result = validate_records(recs, _columns(["name"]), rules)
    assert any(i.rule == "type-invalid" and i.field == "row_id" for i in result.issues)


def test_the_validated_frame_dies_with_its_last_reference(rules):
    """pandera registers the schema of a frame validated in place and the schema's checks hold
    the frame: a month's intake frame (every cell text read) lived to the end of the run. Once
    the stages after validate drop it, nothing else may keep it (no collector pass needed)."""
    import gc
    import weakref

    cols = _columns(["name", "uscc", "contact", "mobile"])
    for rows in ([{"customer_type": "企业", "name": "甲公司", "uscc": "x", "contact": "王磊", "mobile": "13812345678"}],
                 [{"customer_type": "企业", "name": " ", "uscc": None, "contact": None, "mobile": None}]):
        recs = _records(rows)
        result = validate_records(recs, cols, rules)
        assert result.data["records"] is recs
        alive = weakref.ref(recs)
        gc.disable()
        try:
            del recs, result
            assert alive() is None
        finally:
            gc.enable()
