"""Cells that only say "nothing here" (-, /, 无, N/A …) are read as empty, not as bad values."""
from pipeline.api import validate_paths
from tests.factories import make_workbook, uscc


def test_placeholder_cells_are_empty_not_invalid(tmp_path, as_of):
    path = make_workbook(tmp_path, "华北销售部.xlsx", sheets={"企业客户": [
        ["客户名称", "统一社会信用代码", "所属行业", "联系人", "手机号码", "办公电话", "成立时间", "年合作金额"],
        ["天津海河机械有限公司", uscc("91120116MA05ABCD1"), "通用设备制造业", "孙磊", "-", "/", "无", "N/A"],
    ]})
    result = validate_paths([path], as_of)
    rules = set(result.issues["rule"])
    assert "phone-missing" in rules                       # both phones empty → one clear error
    assert not rules & {"mobile-invalid", "phone-invalid", "date-invalid", "amount-invalid"}


def test_empty_markers_are_rules_data(tmp_path, as_of, rules):
    import dataclasses
    from types import MappingProxyType

    intake = dict(rules.settings["intake"], empty_markers=())
    strict = dataclasses.replace(rules, settings=MappingProxyType({**rules.settings, "intake": MappingProxyType(intake)}))
    path = make_workbook(tmp_path, "华北销售部.xlsx", sheets={"企业客户": [
        ["客户名称", "统一社会信用代码", "所属行业", "联系人", "手机号码"],
        ["天津海河机械有限公司", uscc("91120116MA05ABCD1"), "通用设备制造业", "孙磊", "-"],
    ]})
    assert "mobile-invalid" in set(validate_paths([path], as_of, strict).issues["rule"])
