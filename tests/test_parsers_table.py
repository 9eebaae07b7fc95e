"""Table-driven: realistic inputs → canonical value or issue code, through the normalize stage.

Each case: (inputs, expected values, expected rule codes). ``inputs`` is ``(field, raw)`` or a
dict of field → raw for cross-field cases; expected values is a dict field → canonical value
(or a single value for the ``(field, raw)`` form); rule codes are ``"rule"`` or ``"rule@field"``
and must all be raised (an empty tuple means: no issue at all on the row).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pipeline.normalize import normalize_records
from pipeline.normalize.codes import org_check_char
from tests.factories import uscc

D = dt.date


def code(prefix8: str, org8: str, org_ok: bool = True) -> str:
    org = org_check_char(org8) if org_ok else ("1" if org_check_char(org8) != "1" else "2")
    return uscc(prefix8 + org8 + org)


SZ = code("91320594", "MA1W3XXR")          # 江苏 (32), 企业
BJ = code("91110105", "MA01ABCD")          # 北京 (11), 企业
GT = code("92440300", "L1234567")          # 广东 (44), 个体工商户
COOP = code("93370100", "MA3C4D5E")        # 山东 (37), 农民专业合作社
NGO = code("51100000", "50001234")         # 社会团体
LETTERS = code("N2110105", "MA01ABCD")     # starts with two letters: stdnum's validate rejects it
ORG_BAD = code("91320594", "MA1W3XXR", org_ok=False)
BAD_CHECK = SZ[:-1] + ("0" if SZ[-1] != "0" else "1")

CASES = [
    # --- text and names ---
    (("contact", "  王磊 "), "王磊", ()),
    (("contact", "ＡＢＣ１２３"), "ABC123", ()),
    (("remark", "备注：需要（加急）"), "备注：需要（加急）", ()),
    (("remark", 12345.0), "12345", ()),
    (("position", "\u3000采购经理\u3000"), "采购经理", ()),
    (("name", "北京 星河 软件有限公司"), "北京星河软件有限公司", ()),
    (("name", "星河软件(北京)有限公司"), "星河软件（北京）有限公司", ()),
    (("name", "星河软件（北京）有限公司"), "星河软件（北京）有限公司", ()),
    (("name", "ＡＢＣ科技有限公司"), "ABC科技有限公司", ()),
    (("name", "ABC Trading Co. Ltd"), "ABC Trading Co. Ltd", ()),
    (("name", "张 三"), "张三", ()),
    (("employees", "100～200人"), "100-200人", ()),
    (("employees", "100至200"), "100-200人", ()),
    (("employees", 150), "150人", ()),
    (("employees", "500人以上"), "500人以上", ()),
    (("need_tags", "成本敏感，技术导向/服务优先"), "成本敏感、技术导向、服务优先", ()),
    (("need_tags", "成本敏感、成本敏感"), "成本敏感", ()),
    # --- credit codes ---
    (("uscc", SZ), SZ, ()),
    (("uscc", SZ.lower()), SZ, ()),
    (("uscc", f"{SZ[:6]} {SZ[6:12]}-{SZ[12:]}"), SZ, ()),
    (("uscc", SZ.translate(str.maketrans("0123456789ABCDEFGHJKLMNPQRTUWXY", "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ"))), SZ, ()),
    (("uscc", LETTERS), LETTERS, ()),
    (("uscc", BAD_CHECK), BAD_CHECK, ("uscc-checksum@uscc",)),
    (("uscc", SZ[:17]), SZ[:17], ("uscc-format",)),
    (("uscc", SZ + "1"), SZ + "1", ("uscc-format",)),
    (("uscc", "9132059"), "9132059", ("uscc-format",)),
    (("uscc", SZ[:10] + "O" + SZ[11:]), SZ[:10] + "O" + SZ[11:], ("uscc-format",)),
    (("uscc", "91AB0594MA1W3XXR57"), "91AB0594MA1W3XXR57", ("uscc-format",)),
    (("uscc", ORG_BAD), ORG_BAD, ("uscc-org-checksum",)),
    (("uscc", "无"), "无", ("uscc-format",)),
    ({"uscc": SZ, "province": "浙江"}, {"province": "浙江省"}, ("uscc-region-mismatch@uscc",)),
    ({"uscc": SZ, "province": "江苏"}, {"province": "江苏省"}, ()),
    ({"uscc": GT, "name": "深圳宏达电子有限公司", "province": "广东"}, {"uscc": GT}, ("uscc-entity-mismatch@uscc",)),
    ({"uscc": GT, "name": "宏达五金店", "province": "广东"}, {"uscc": GT}, ()),
    ({"uscc": SZ, "name": "苏州市某某蔬菜专业合作社"}, {}, ("uscc-entity-mismatch",)),
    ({"uscc": COOP, "name": "济南某某蔬菜专业合作社", "province": "山东"}, {}, ()),
    ({"uscc": NGO, "name": "中国某某行业协会"}, {}, ()),
    ({"uscc": SZ, "name": "苏州某某行业协会"}, {}, ("uscc-entity-mismatch",)),
    # --- mobiles ---
    (("annual_amount", "120万元/年"), 1200000.0, ()),
    (("annual_amount", "1.2千万"), 12000000.0, ()),
    (("annual_amount", "12.5w"), 125000.0, ()),
    (("annual_amount", "约50万/年"), 500000.0, ("amount-approx",)),
    (("annual_amount", "50-80万"), None, ("amount-invalid",)),
    (("mobile", "13812345678"), "13812345678", ()),
    (("mobile", "+86 138-1234-5678"), "13812345678", ()),
    (("mobile", "0086 13812345678"), "13812345678", ()),
    (("mobile", "8613812345678"), "13812345678", ()),
    (("mobile", "138 1234 5678"), "13812345678", ()),
    (("mobile", "１３８１２３４５６７８"), "13812345678", ()),
    (("mobile", 13812345678.0), "13812345678", ()),
    (("mobile", 13812345678), "13812345678", ()),
    (("mobile", "(+86)13812345678"), "13812345678", ()),
    (("mobile", "19912345678"), "19912345678", ()),
    (("mobile", "138****5678"), "138****5678", ("mobile-masked",)),
    (("mobile", "138xxxx5678"), "138xxxx5678", ("mobile-masked",)),
    (("mobile", "138XXXX5678"), "138XXXX5678", ("mobile-masked",)),
    (("mobile", "1385678"), "1385678", ("mobile-invalid",)),
    (("mobile", "12812345678"), "12812345678", ("mobile-invalid",)),
    (("mobile", "138123456789"), "138123456789", ("mobile-invalid",)),
    (("mobile", "13812345678/13912345678"), "13812345678", ("value-several",)),   # the second: 其他联系方式
    # a mobile and a landline in one cell: each fills its own field when that one is empty
    ({"mobile": "13612340001 / 0755-26781234"},
     {"mobile": "13612340001", "office_phone": "0755-26781234", "other_contact": None}, ("value-several@mobile",)),
    ({"office_phone": "0512-66881234，13912345678"},
     {"mobile": "13912345678", "office_phone": "0512-66881234", "other_contact": None}, ("value-several@office_phone",)),
    ({"mobile": "13612340001/0755-26781234", "office_phone": "010-12345678"},
     {"mobile": "13612340001", "office_phone": "010-12345678", "other_contact": "0755-26781234"}, ("value-several@mobile",)),
    (("mobile", "见名片"), "见名片", ("mobile-invalid",)),
    (("mobile", "138-1234-5678（微信同号）"), "13812345678", ()),
    (("mobile", "手机：13812345678"), "13812345678", ()),
    (("mobile", "1.3812345678E10"), "13812345678", ()),       # CSV saved by Excel, all digits kept
    (("mobile", "1.38123E+10"), "1.38123E+10", ("mobile-invalid",)),  # digits lost to scientific notation
    (("office_phone", "0512-66881234(总机)"), "0512-66881234", ()),
    # --- landlines ---
    (("office_phone", "0512-66881234"), "0512-66881234", ()),
    (("office_phone", "0512 6688 1234"), "0512-66881234", ()),
    (("office_phone", "(0512)66881234"), "0512-66881234", ()),
    (("office_phone", "051266881234"), "0512-66881234", ()),
    (("office_phone", "010-12345678"), "010-12345678", ()),
    (("office_phone", "010-12345678转801"), "010-12345678-801", ()),
    (("office_phone", "010-12345678 分机 801"), "010-12345678-801", ()),
    (("office_phone", "010-12345678-801"), "010-12345678-801", ()),     # the canonical form read back
    (("office_phone", "(0510)82345678-102"), "0510-82345678-102", ()),
    (("office_phone", "0898-66661234-8"), "0898-66661234-8", ()),
    (("office_phone", "0512-67891234 8001"), "0512-67891234-8001", ()),
    (("office_phone", "0755-2678123-801"), "0755-2678123-801", ("phone-invalid",)),   # 7-digit number in Shenzhen
    (("office_phone", "+86 21 6688 1234"), "021-66881234", ()),
    (("office_phone", "400-800-1234"), "400-800-1234", ()),
    (("office_phone", "4008001234"), "400-800-1234", ()),
    (("office_phone", "0755-88888888"), "0755-88888888", ()),
    (("office_phone", "66881234"), "66881234", ("phone-invalid",)),
    (("office_phone", "0512-6688xxxx"), "0512-6688xxxx", ("phone-invalid",)),
    (("office_phone", "0512-6688123"), "0512-6688123", ("phone-invalid",)),
    # --- phones in the wrong column ---
    ({"mobile": "0512-66881234"}, {"mobile": None, "office_phone": "0512-66881234"}, ("phone-moved@mobile",)),
    ({"mobile": "0512-66881234", "office_phone": ""}, {"mobile": None, "office_phone": "0512-66881234"},
     ("phone-moved@mobile",)),
    ({"mobile": "", "office_phone": "13912345678"}, {"mobile": "13912345678", "office_phone": None},
     ("phone-moved@office_phone",)),
    ({"mobile": "0512-66881234", "office_phone": "13912345678"},
     {"mobile": "13912345678", "office_phone": "0512-66881234"}, ("phone-moved@mobile", "phone-moved@office_phone")),
    ({"mobile": "0512-66881234", "office_phone": "010-12345678"},
     {"mobile": "0512-66881234", "office_phone": "010-12345678"}, ("mobile-invalid@mobile",)),
    ({"mobile": "13812345678", "office_phone": "13912345678"}, {"office_phone": "13912345678"},
     ("phone-invalid@office_phone",)),
    # --- e-mail ---
    (("email", "zhang@example.com"), "zhang@example.com", ()),
    (("email", "Zhang.San@Example.COM"), "Zhang.San@example.com", ()),
    (("email", "zhang＠example.com"), "zhang@example.com", ()),
    (("email", " li@example.cn "), "li@example.cn", ()),
    (("email", "zhang@example"), "zhang@example", ("email-invalid",)),
    (("email", "zhangexample.com"), "zhangexample.com", ("email-invalid",)),
    (("email", "zhang@@example.com"), "zhang@@example.com", ("email-invalid",)),
    (("email", "张三@example.com"), None, ()),      # internationalised local parts are valid syntax
    # --- dates ---
    (("founded", "2023-03-05"), D(2023, 3, 5), ()),
    (("founded", "2023/3/5"), D(2023, 3, 5), ()),
    (("founded", "2023.03.05"), D(2023, 3, 5), ()),
    (("founded", "20230305"), D(2023, 3, 5), ()),
    (("founded", 20230305), D(2023, 3, 5), ()),
    (("founded", "2023年3月5日"), D(2023, 3, 5), ()),
    (("founded", "2023 年 3 月 5 日"), D(2023, 3, 5), ()),
    (("founded", "2023-03-05 00:00:00"), D(2023, 3, 5), ()),
    (("founded", dt.datetime(2023, 3, 5, 14, 30)), D(2023, 3, 5), ()),
    (("founded", D(2023, 3, 5)), D(2023, 3, 5), ()),
    (("founded", 44990), D(2023, 3, 5), ()),
    (("founded", 44990.0), D(2023, 3, 5), ()),
    (("founded", "44990"), D(2023, 3, 5), ()),
    (("founded", "2023-03"), D(2023, 3, 1), ("date-month-only",)),
    (("founded", "2023年3月"), D(2023, 3, 1), ("date-month-only",)),
    (("founded", "24年3月"), D(2024, 3, 1), ("date-two-digit-year-month",)),
    (("founded", "24年3月5日"), D(2024, 3, 5), ("date-two-digit-year",)),
    (("founded", "98年10月"), D(1998, 10, 1), ("date-two-digit-year-month",)),
    (("founded", "24年13月"), None, ("date-invalid",)),
    (("founded", "2015"), D(2015, 1, 1), ("date-year-only",)),
    (("founded", 2015), D(2015, 1, 1), ("date-year-only",)),
    (("founded", "2023-02-30"), None, ("date-invalid",)),
    (("founded", "2023-13-01"), None, ("date-invalid",)),
    (("founded", "明年"), None, ("date-invalid",)),
    (("founded", 123), None, ("date-invalid",)),
    (("founded", "2027-01-01"), D(2027, 1, 1), ("date-future",)),
    (("last_coop", "2026-12-01"), D(2026, 12, 1), ("date-future",)),
    (("next_follow", "2026-12-01"), D(2026, 12, 1), ()),
    ({"founded": "2020-01-01", "first_coop": "2019-05-01"}, {"first_coop": D(2019, 5, 1)}, ("date-order@first_coop",)),
    ({"first_coop": "2022-01-01", "last_coop": "2021-01-01"}, {}, ("date-order@last_coop",)),
    ({"founded": "2010-01-01", "first_coop": "2015-05-01", "last_coop": "2026-10-01"}, {}, ()),
    # --- amounts ---
    (("annual_amount", 1200000), 1200000.0, ()),
    (("annual_amount", "1200000"), 1200000.0, ()),
    (("annual_amount", "1,200,000"), 1200000.0, ()),
    (("annual_amount", "1，200，000"), 1200000.0, ()),
    (("annual_amount", "120万"), 1200000.0, ()),
    (("annual_amount", "12.5万元"), 125000.0, ()),
    (("annual_amount", "1.2亿"), 120000000.0, ()),
    (("annual_amount", "￥350,000"), 350000.0, ()),
    (("annual_amount", "350000元"), 350000.0, ()),
    (("annual_amount", "5千元"), 5000.0, ()),
    (("annual_amount", "约120万"), 1200000.0, ("amount-approx",)),
    (("annual_amount", "大约50万"), 500000.0, ("amount-approx",)),
    (("annual_amount", "80万左右"), 800000.0, ("amount-approx",)),
    (("annual_amount", "~30万"), 300000.0, ("amount-approx",)),
    (("annual_amount", -5000), None, ("amount-negative",)),
    (("annual_amount", "-3万"), None, ("amount-negative",)),
    (("annual_amount", "面议"), None, ("amount-invalid",)),
    (("annual_amount", "100-200万"), None, ("amount-invalid",)),
    (("total_amount", "0"), 0.0, ()),
    (("budget_max", "50万"), 500000.0, ()),
    # --- rates ---
    (("renewal_rate", "92%"), 0.92, ()),
    (("renewal_rate", "92％"), 0.92, ()),
    (("renewal_rate", 0.92), 0.92, ()),
    (("renewal_rate", "0.92"), 0.92, ()),
    (("renewal_rate", 92), 0.92, ()),
    (("renewal_rate", "100%"), 1.0, ()),
    (("renewal_rate", "150%"), None, ("rate-out-of-range",)),
    (("renewal_rate", 150), None, ("rate-out-of-range",)),
    (("renewal_rate", "高"), None, ("rate-invalid",)),
    (("renewal_rate", "-5%"), None, ("rate-invalid",)),
    # --- scores ---
    (("satisfaction", 4.6), 4.6, ()),
    (("satisfaction", "4.6分"), 4.6, ()),
    (("satisfaction", "4.6/5"), 4.6, ()),
    (("satisfaction", "5分"), 5.0, ()),
    (("satisfaction", 6), None, ("score-out-of-range",)),
    (("satisfaction", "0.5"), None, ("score-out-of-range",)),
    (("satisfaction", "很满意"), None, ("score-invalid",)),
    (("satisfaction", "8/10"), None, ("score-invalid",)),
    # --- enumerations ---
    (("status", "合作中"), "合作中客户", ()),
    (("status", "已成交"), "合作中客户", ()),
    (("status", "潜客"), "潜在客户", ()),
    (("status", " 意向 "), "意向客户", ()),
    (("status", "合做中"), "合做中", ("enum-unknown",)),
    ({"status": "战略客户"}, {"status": "合作中客户", "strategic": "是"}, ()),
    ({"status": "重点客户", "strategic": "否"}, {"status": "合作中客户", "strategic": "否"}, ()),
    (("source", "老客户介绍"), "转介绍", ()),
    (("source", "抖音"), "线上推广", ()),
    (("source", "展览会"), "展会", ()),
    (("source", "路过"), "路过", ("enum-unknown",)),
    (("urgency", "紧急"), "高", ()),
    (("urgency", "一般"), "中", ()),
    (("strategic", "Y"), "是", ()),
    (("strategic", 1), "是", ()),
    (("strategic", "N"), "否", ()),
    # --- regions ---
    ({"province": "北京"}, {"province": "北京市", "city": "北京市", "region": "华北"}, ()),
    ({"province": "北京", "city": "北京"}, {"province": "北京市", "city": "北京市"}, ()),
    ({"province": "广西"}, {"province": "广西壮族自治区", "region": "华南"}, ()),
    ({"province": "内蒙"}, {"province": "内蒙古自治区", "region": "华北"}, ()),
    ({"city": "苏州"}, {"province": "江苏省", "city": "苏州市", "region": "华东"}, ()),
    ({"province": "江苏", "city": "苏州市"}, {"province": "江苏省", "city": "苏州市"}, ()),
    ({"province": "浙江", "city": "苏州"}, {"province": "浙江省", "city": "苏州市"}, ("region-mismatch@city",)),
    ({"address": "广东深圳"}, {"province": "广东省", "city": "深圳市", "address": "广东深圳"}, ()),
    ({"address": "江苏省苏州市工业园区星湖街328号"},
     {"province": "江苏省", "city": "苏州市", "district": "苏州工业园区", "address": "江苏省苏州市工业园区星湖街328号"},
     ("region-stat-zone",)),
    ({"address": "江苏省苏州市姑苏区人民路100号"}, {"city": "苏州市", "district": "姑苏区"}, ()),
    ({"address": "北京市朝阳区建国路88号"}, {"province": "北京市", "city": "北京市", "district": "朝阳区"}, ()),
    ({"address": "上海浦东新区世纪大道1号"}, {"province": "上海市", "district": "浦东新区"}, ()),
    ({"address": "朝阳区建国路88号"}, {"province": None, "city": None}, ("region-ambiguous",)),
    ({"district": "鼓楼区"}, {"district": "鼓楼区", "city": None}, ("region-ambiguous@district",)),
    ({"city": "南京", "district": "鼓楼区"}, {"province": "江苏省", "district": "鼓楼区"}, ()),
    ({"province": "北京", "district": "朝阳区"}, {"city": "北京市", "district": "朝阳区"}, ()),
    ({"district": "昆山市"}, {"province": "江苏省", "city": "苏州市", "district": "昆山市"}, ()),
    ({"address": "中山路100号"}, {"province": None, "city": None}, ("region-unread@address",)),
    ({"address": "河南路8号"}, {"province": None}, ("region-unread@address",)),
    ({"address": "南京西路1266号"}, {"city": None}, ("region-unread@address",)),
    ({"province": "火星"}, {"province": "火星"}, ("region-unknown@province",)),
    ({"province": "江苏苏州"}, {"province": "江苏省", "city": "苏州市"}, ()),
    ({"province": "香港"}, {"province": "香港特别行政区", "region": "港澳台"}, ()),
    ({"city": "襄樊"}, {"province": "湖北省", "city": "襄阳市"}, ()),
    ({"province": "江苏", "address": "广东省深圳市南山区"}, {"province": "江苏省", "city": None},
     ("region-mismatch@address",)),
    # --- industry ---
    ({"industry": "通用设备制造业"}, {"industry": "通用设备制造业", "industry_code": "C34", "industry_section": "制造业"}, ()),
    ({"industry": "制造业-通用设备制造业"}, {"industry": "通用设备制造业", "industry_code": "C34"}, ()),
    ({"industry": "C34"}, {"industry": "通用设备制造业", "industry_code": "C34"}, ()),
    ({"industry": "34"}, {"industry_code": "C34"}, ()),
    ({"industry": "c3411"}, {"industry_code": "C34"}, ()),
    ({"industry": "软件"}, {"industry": "软件和信息技术服务业", "industry_code": "I65"}, ()),
    ({"industry": "汽车零部件制造"}, {"industry": "汽车制造业", "industry_code": "C36"}, ()),
    ({"industry": "制造业"}, {"industry_code": None, "industry_section": "制造业"}, ("industry-vague",)),
    ({"industry": "C"}, {"industry_code": None, "industry_section": "制造业"}, ("industry-vague",)),
    ({"industry": "工业"}, {"industry": "工业", "industry_code": None}, ("industry-vague",)),
    ({"industry": "其他"}, {"industry_code": None}, ("industry-vague",)),
    ({"industry": "科技"}, {"industry_code": None}, ("industry-vague",)),
    ({"industry": "外星贸易"}, {"industry": "外星贸易", "industry_code": None}, ("industry-unknown",)),
    ({"industry": "D34"}, {"industry_code": None}, ("industry-unknown",)),
]


def _ids(case) -> str:
    inputs = case[0]
    text = f"{inputs[0]}={inputs[1]!r}" if isinstance(inputs, tuple) else ",".join(f"{k}={v!r}" for k, v in inputs.items())
    return text[:60]


def normalize_one(rules, as_of, values: dict, customer_type: str = "企业"):
    frame = pd.DataFrame([{"row_id": 0, "src_file": "t.xlsx", "src_sheet": "S", "src_row": 2,
                           "customer_type": customer_type, **values}])
    columns = pd.DataFrame(columns=["src_file", "src_sheet", "field", "column", "header", "unit"])
    result = normalize_records(frame, columns, rules, as_of)
    return result.data["records"].iloc[0].to_dict(), list(result.issues)


def test_table_is_large_enough():
    assert len(CASES) >= 150


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_parser_table(case, rules, as_of):
    inputs, expected, codes = case
    if isinstance(inputs, tuple):
        values = {inputs[0]: inputs[1]}
        expected = {inputs[0]: expected} if expected is not None or codes else {}
    else:
        values = inputs
    row, issues = normalize_one(rules, as_of, values)
    for key, want in expected.items():
        got = row.get(key)
        if isinstance(want, float):
            assert got == pytest.approx(want), (key, got)
        else:
            assert got == want, (key, got)
    found = {i.rule for i in issues} | {f"{i.rule}@{i.field}" for i in issues}
    if not codes:
        assert not [i for i in issues if rules.catalog[i.rule].severity != "info"], issues
    for c in codes:
        assert c in found, (c, issues)
    for issue in issues:       # every declared template parameter is supplied
        assert set(rules.catalog[issue.rule].params) <= set(issue.params), issue


@pytest.mark.parametrize("text, message", [
    ("24年3月", "“成立时间”的年份只写了两位且只填写了年月（“24年3月”），已按当月 1 日（2024-03-01）处理"),
    ("24年3月5日", "“成立时间”的年份只写了两位（“24年3月5日”），已按 2024-03-05 处理"),
])
def test_a_two_digit_year_says_how_it_was_read(rules, as_of, text, message):
    from pipeline.issues import issues_frame
    _, issues = normalize_one(rules, as_of, {"founded": text})
    assert list(issues_frame(issues, rules)["message"]) == [message]
