"""Mobile and landline numbers. A regex fast path handles plain 11-digit mobiles; the
rest goes through phonenumbers (region CN, ``is_valid_number``)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumberType as T

from .base import as_text

MOBILE = "mobile"
LANDLINE = "landline"

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_EXT = re.compile(r"\s*(?:转|分机号?|内线|ext\.?|extension)\s*", re.IGNORECASE)
_MASK = re.compile(r"[*＊xX×]")
_NOISE = re.compile(r"[\s\-－—–()（）.·]")
_PREFIX = re.compile(r"^(?:\+86|0086|\+?86(?=1[3-9]\d{9}$))")
_SEVERAL = re.compile(r"[/、,，;；]|\s{2,}")
# Notes written beside a number: "（微信同号）", "(手机)", "手机：", "tel:" — dropped, the number stays.
_NOTE = re.compile(r"[（(][^）)]*[\u4e00-\u9fff][^）)]*[）)]|^(?:手机|电话|座机|tel|phone|mobile)\s*[:：]?\s*", re.IGNORECASE)
# 区号-号码-分机 written without a word (0512-67891234-8001, the canonical form itself): the last
# group of digits after a dash or a space is an extension when the number before it is valid alone
_TRAILING_EXT = re.compile(r"^(.*\d)\s*(?:[\-－—–]|\s)\s*(\d{1,6})$")
_SCIENTIFIC = re.compile(r"^(\d)(?:\.(\d+))?[eE]\+?(\d+)$")
_LANDLINE_TYPES = {T.FIXED_LINE, T.FIXED_LINE_OR_MOBILE, T.TOLL_FREE, T.SHARED_COST, T.UAN, T.VOIP}


@dataclass(frozen=True)
class Phone:
    """A parsed phone cell: ``kind`` is mobile / landline, or "" when unusable (then
    ``masked`` or ``detail`` says why — a sub-code of mobile-invalid / phone-invalid in
    rules/issues/core.yaml, with ``detail_params`` — and ``value`` keeps the cleaned text)."""

    kind: str
    value: str
    masked: bool = False
    detail: str = ""
    detail_params: tuple[tuple[str, Any], ...] = ()


def _several(text: str) -> bool:
    parts = [p for p in _SEVERAL.split(text) if sum(ch.isdigit() for ch in p) >= 7]
    return len(parts) >= 2


def _landline_text(num: phonenumbers.PhoneNumber) -> str:
    nsn = phonenumbers.national_significant_number(num)
    area = phonenumbers.length_of_geographical_area_code(num)
    if area:
        text = f"0{nsn[:area]}-{nsn[area:]}"
    else:  # 400 / 800 service numbers: the national grouping with dashes
        text = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.NATIONAL)
        text = re.sub(r"\s+", "-", text.split(" ext.")[0].strip())
    return f"{text}-{num.extension}" if num.extension else text


def parse_phone(value: Any) -> Phone:
    """Classify and canonicalise one phone cell (either column)."""
    text = as_text(value)
    if not text:
        return Phone("", "")
    sci = _SCIENTIFIC.match(text.strip())
    if sci:  # a CSV saved by Excel: 1.38123E+10 has lost digits unless every digit is there
        lead, frac, exp = sci.group(1), sci.group(2) or "", int(sci.group(3))
        if len(frac) != exp:
            return Phone("", text, detail="scientific")
        text = lead + frac
    if not _MASK.search(text):
        text = _NOTE.sub("", text).strip() or text
    compact = _PREFIX.sub("", _NOISE.sub("", text))
    if _MOBILE.match(compact):                       # fast path: 13812345678
        return Phone(MOBILE, compact)
    main, _, ext = _EXT.sub("#", text).partition("#")
    if _MASK.search(main) or "*" in ext:
        return Phone("", text, masked=True)
    if _several(main):
        return Phone("", text, detail="several")
    digits = _PREFIX.sub("", _NOISE.sub("", main))
    ext = _NOISE.sub("", ext)
    if not digits.isdigit() or (ext and not ext.isdigit()):
        return Phone("", text, detail="chars")
    if _MOBILE.match(digits) and not ext:
        return Phone(MOBILE, digits)
    if digits.startswith("1"):
        if len(digits) == 11:
            return Phone("", text, detail="prefix", detail_params=(("prefix", digits[:3]),))
        return Phone("", text, detail="length", detail_params=(("digits", len(digits)),))
    try:
        num = phonenumbers.parse(digits + (f" ext. {ext}" if ext else ""), "CN")
    except phonenumbers.NumberParseException:
        return Phone("", text, detail="unknown")
    if not phonenumbers.is_valid_number(num):
        trailing = None if ext else _TRAILING_EXT.match(main.strip())
        head = _PREFIX.sub("", _NOISE.sub("", trailing.group(1))) if trailing else ""
        if head.isdigit() and not head.startswith("1"):
            try:
                num = phonenumbers.parse(f"{head} ext. {trailing.group(2)}", "CN")
            except phonenumbers.NumberParseException:
                num = None
            if num is not None and phonenumbers.is_valid_number(num) and phonenumbers.number_type(num) in _LANDLINE_TYPES:
                return Phone(LANDLINE, _landline_text(num))
        return Phone("", text, detail="no_area" if not digits.startswith(("0", "4", "8")) else "area")
    kind = phonenumbers.number_type(num)
    if kind == T.MOBILE:
        return Phone(MOBILE, phonenumbers.national_significant_number(num))
    if kind in _LANDLINE_TYPES:
        return Phone(LANDLINE, _landline_text(num))
    return Phone("", text, detail="not_dialable")
