"""Property tests for the value parsers: credit codes, phones, dates, amounts."""
from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.normalize.amounts import parse_amount, parse_rate
from pipeline.normalize.codes import ALPHABET, check_digit, org_check_char, parse_uscc
from pipeline.normalize.dates import parse_date
from pipeline.normalize.phones import LANDLINE, MOBILE, parse_phone

FAST = settings(max_examples=300, deadline=None)
codechar = st.sampled_from(ALPHABET)


@st.composite
def credit_codes(draw):
    head = draw(st.sampled_from(["91", "92", "93", "11", "12", "51", "52", "Y1", "N2"]))
    region = draw(st.from_regex(r"\A[1-6][0-9]{5}\Z"))
    org = "".join(draw(st.lists(codechar, min_size=8, max_size=8)))
    body = head + region + org + org_check_char(org)
    return body + check_digit(body)


@FAST
@given(credit_codes())
def test_valid_codes_round_trip(code):
    p = parse_uscc(code)
    assert p.value == code and p.findings == ()
    spaced = " ".join([code[:6], code[6:12], code[12:]]).lower()
    assert parse_uscc(spaced).value == code


@FAST
@given(credit_codes(), st.integers(0, 17), codechar)
def test_any_single_character_change_is_caught(code, pos, new):
    if code[pos] == new:
        return
    changed = code[:pos] + new + code[pos + 1:]
    rules = {f.rule for f in parse_uscc(changed).findings}
    assert rules & {"uscc-checksum", "uscc-format"}, (code, changed)


@FAST
@given(credit_codes(), st.integers(0, 16))
def test_adjacent_swaps_are_caught(code, pos):
    if code[pos] == code[pos + 1]:
        return
    swapped = code[:pos] + code[pos + 1] + code[pos] + code[pos + 2:]
    assert {f.rule for f in parse_uscc(swapped).findings} & {"uscc-checksum", "uscc-format"}


mobiles = st.from_regex(r"\A1[3-9][0-9]{9}\Z")


@FAST
@given(mobiles, st.sampled_from(["", "+86", "+86 ", "0086", "86", "(+86)"]), st.sampled_from([" ", "-", "", "－"]),
       st.booleans())
def test_mobile_formatting_variants_parse_to_the_same_digits(mobile, prefix, sep, wide):
    text = prefix + sep.join([mobile[:3], mobile[3:7], mobile[7:]])
    if wide:
        text = text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    p = parse_phone(text)
    assert (p.kind, p.value) == (MOBILE, mobile)


@FAST
@given(mobiles)
def test_mobiles_read_as_numbers_become_digit_strings(mobile):
    assert parse_phone(float(mobile)).value == mobile
    assert parse_phone(int(mobile)).value == mobile


@FAST
@given(mobiles, st.integers(3, 9), st.sampled_from("*xX"))
def test_masked_mobiles_are_never_valid(mobile, pos, mask):
    p = parse_phone(mobile[:pos] + mask * 4 + mobile[pos + 4:])
    assert p.masked and p.kind == ""


@FAST
@given(st.sampled_from(["010", "021", "0512", "0755", "0571"]), st.from_regex(r"\A[2-7][0-9]{7}\Z"),
       st.sampled_from(["-", " ", ""]))
def test_landlines_are_area_dash_number(area, number, sep):
    p = parse_phone(area + sep + number)
    assert (p.kind, p.value) == (LANDLINE, f"{area}-{number}")


@FAST
@given(st.sampled_from(["010", "021", "0512", "0755", "0571"]), st.from_regex(r"\A[2-7][0-9]{7}\Z"),
       st.from_regex(r"\A[0-9]{1,5}\Z"), st.sampled_from(["转", " 分机 ", "-", " "]))
def test_landline_with_extension_reads_back_as_itself(area, number, ext, sep):
    p = parse_phone(f"{area}-{number}{sep}{ext}")
    assert (p.kind, p.value) == (LANDLINE, f"{area}-{number}-{ext}")
    assert parse_phone(p.value) == p          # the canonical form, submitted again next month


dates = st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2099, 12, 31))


@FAST
@given(dates)
def test_date_spellings_agree(d):
    spellings = [d.isoformat(), f"{d.year}/{d.month}/{d.day}", f"{d.year}.{d.month:02d}.{d.day:02d}",
                 d.strftime("%Y%m%d"), f"{d.year}年{d.month}月{d.day}日",
                 dt.datetime.combine(d, dt.time(9, 30)), (d - dt.date(1899, 12, 30)).days]
    for s in spellings:
        p = parse_date(s)
        assert (p.value, p.findings) == (d, ()), s


@FAST
@given(st.integers(1930, 2099), st.integers(1, 12), st.integers(32, 99))
def test_impossible_days_are_invalid(y, m, day):
    p = parse_date(f"{y}-{m:02d}-{day}")
    assert p.value is None and [f.rule for f in p.findings] == ["date-invalid"]


@FAST
@given(st.integers(0, 10**9))
def test_amount_spellings_agree(yuan):
    assert parse_amount(yuan).value == float(yuan)
    assert parse_amount(f"{yuan:,}").value == float(yuan)
    assert parse_amount(f"￥{yuan}元").value == float(yuan)
    wan = f"{yuan // 10000}.{yuan % 10000:04d}".rstrip("0").rstrip(".")
    assert parse_amount(f"{wan}万").value == float(yuan)
    assert parse_amount(f"{wan}万元").value == float(yuan)


@FAST
@given(st.integers(1, 10**7), st.sampled_from([10000.0, 1000.0, 1.0]))
def test_header_unit_multiplies_plain_numbers(n, unit):
    assert parse_amount(n, unit=unit).value == n * unit
    assert parse_amount(str(n), unit=unit).value == n * unit


@FAST
@given(st.integers(0, 100))
def test_rate_spellings_agree(pct):
    want = round(pct / 100, 6)
    assert parse_rate(f"{pct}%").value == want
    assert parse_rate(pct / 100).value == want
    if pct > 1:
        assert parse_rate(pct).value == want
