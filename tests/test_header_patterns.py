"""Headers no synonym names exactly still map through the ordered patterns in rules/headers.yaml."""
import pytest

from pipeline.intake.layout import HeaderMatcher


@pytest.mark.parametrize("header, key", [
    ("联系手机", "mobile"), ("联系人手机号", "mobile"), ("公司座机", "office_phone"),
    ("联系人邮箱", "email"), ("所在省市", "address"), ("累计成交金额（万元）", "total_amount"),
    ("2026年度合作金额", "annual_amount"), ("最近一次合作", "last_coop"), ("计划跟进日期", "next_follow"),
    ("客户单位名称", "name"), ("对接人职务", "position"), ("对接人姓名", "contact"),
    ("状态变更说明", "status_reason"), ("企业成立日期", "founded"),
    ("最近购买日期", "last_coop"), ("消费金额", "total_amount"), ("首次消费时间", "first_coop"),
])
def test_pattern_fallback(rules, header, key):
    assert HeaderMatcher(rules).match(header).key == key


@pytest.mark.parametrize("text", ["江苏省苏州市工业园区星湖街328号", "苏州恒瑞精密机械有限公司", "合作金额(元)", "序号"])
def test_long_cells_and_ambiguous_headers_do_not_match(rules, text):
    assert HeaderMatcher(rules).match(text).key is None


def test_unit_applies_to_pattern_matches(rules):
    assert HeaderMatcher(rules).match("累计成交金额（万元）").unit == 10000
