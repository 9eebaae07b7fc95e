"""Masking of phones and e-mails (docs/security.md), used by the report and the role views."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.mask import mask_email, mask_phone, mask_text, mask_value


@pytest.mark.parametrize("raw, masked", [
    ("13812345678", "138****5678"),
    (13812345678, "138****5678"),
    (13812345678.0, "138****5678"),            # a numeric Excel cell
    ("+86 138 1234 5678", "138****5678"),
    ("１３８１２３４５６７８", "138****5678"),   # full-width digits
    ("0512-66881234", "0512-****1234"),
    ("0512-66881234-801", "0512-****1234-801"),
    ("138****5678", "138****5678"),            # already masked: unchanged
    ("1385678", "138**78"),                    # short numbers are still personal data
    ("", ""),
    (None, ""),
])
def test_mask_phone(raw, masked):
    assert mask_phone(raw) == masked


@given(st.from_regex(r"1[0-9]{10}", fullmatch=True))
def test_the_quick_path_for_plain_mobiles_masks_as_the_general_one(digits):
    """An 11-digit 1[3-9]… text (a normalized mobile) skips the general path; a leading space
    sends the same number through it. Both must mask it alike."""
    assert mask_phone(digits) == mask_phone(" " + digits)


@pytest.mark.parametrize("raw, masked", [
    ("zhang.san@example.com", "z***@example.com"),
    ("zhang.san＠example.com", "z***@example.com"),
    ("no-at-sign", "n***"),
    ("", ""),
])
def test_mask_email(raw, masked):
    assert mask_email(raw) == masked


def test_mask_text_finds_phones_and_emails_but_not_codes_or_dates():
    text = ("联系张三 13812345678 或 zhang.san@example.com，座机 0512-66881234；"
            "代码 91320594MA1W3XXR5A，金额 1200000，日期 2023-03-05，订单 201812345678901")
    out = mask_text(text)
    assert "138****5678" in out and "z***@example.com" in out and "0512-****1234" in out
    assert "91320594MA1W3XXR5A" in out and "1200000" in out and "2023-03-05" in out
    assert "201812345678901" in out            # a longer digit run is not a phone


def test_mask_value_by_field_type():
    assert mask_value("1385678", "mobile") == "138**78"
    assert mask_value("a@b.cn", "email") == "a***@b.cn"
    assert mask_value("备注 13812345678", "text") == "备注 138****5678"


@given(prefix=st.sampled_from("3456789"), rest=st.text("0123456789", min_size=9, max_size=9),
       before=st.text(alphabet="客户电话：是 ,", max_size=6), after=st.text(alphabet="客户电话：是 ,", max_size=6))
def test_any_mobile_in_text_is_masked_and_masking_is_idempotent(prefix, rest, before, after):
    number = f"1{prefix}{rest}"
    out = mask_text(f"{before}{number}{after}")
    assert number not in out
    assert f"{number[:3]}****{number[-4:]}" in out
    assert mask_text(out) == out
