"""Masking of phones and e-mails (docs/security.md, “Personal data”): role views and the HTML report.

``mask_phone("13812345678") -> "138****5678"``, ``mask_phone("0512-66881234") -> "0512-****1234"``,
``mask_email("zhang.san@example.com") -> "z***@example.com"``; :func:`mask_text` masks every
phone number and e-mail address found inside free text (messages, notes, file names).
Masking never raises: values it cannot recognise are returned unchanged (free text) or
starred (a value of a phone/e-mail field).
"""
from __future__ import annotations

import re
from typing import Any

from .values import display

STARS = "****"

# Mainland mobile, optionally with +86/0086 and spaces or dashes between the 3-4-4 groups.
# \d is Unicode-aware: full-width digits (１３８…) are found too.
_MOBILE = re.compile(r"(?<![\d*])(?:(?:\+|00)86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?![\d*])")
# Landline: area code 0xx/0xxx, optional dash or space, 7-8 digit number, optional extension.
_LANDLINE = re.compile(r"(?<![\d*])(0\d{2,3})([\s-]?)(\d{3,4})(\d{4})(?![\d*])")
_EMAIL = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
_DIGITS = re.compile(r"\d")
_DIGIT_OR_AT = re.compile(r"[\d@]")
_FULLWIDTH = str.maketrans("０１２３４５６７８９＋－＠", "0123456789+-@")


def _text(value: Any) -> str:
    """Text of a cell value (values.display) with full-width digits, ``＋`` and ``＠`` folded to ASCII."""
    return display(value).translate(_FULLWIDTH)


def mask_phone(value: Any) -> str:
    """Mask one phone number: mobiles keep the first 3 and last 4 digits, landlines keep
    the area code and the last 4 digits. Anything else holding 5 or more digits keeps its
    first 3 and last 2 digits (short or malformed numbers are still personal data)."""
    if value.__class__ is str and len(value) == 11 and value.isascii() and value.isdigit() \
            and value[0] == "1" and value[1] in "3456789":
        return f"{value[:3]}{STARS}{value[7:]}"     # a normalized mobile, as _MOBILE reads it (most values)
    s = _text(value).strip()
    if not s:
        return ""
    m = _MOBILE.fullmatch(s)
    if m:
        return f"{m.group(1)}{STARS}{m.group(3)}"
    m = re.fullmatch(r"(0\d{2,3})[\s-]?(\d{3,4})(\d{4})((?:[\s-]|转|ext\.?|分机)\s*\d{1,6})?", s)
    if m:
        return f"{m.group(1)}-{STARS}{m.group(3)}{m.group(4) or ''}"
    digits = _DIGITS.findall(s)
    if "*" in s and len(digits) <= 7:   # already masked (138****5678)
        return s
    if len(digits) < 5:
        return STARS if digits else s
    # star every digit except the first 3 and the last 2, keeping other characters
    keep_head, keep_tail = 3, 2
    out, seen = [], 0
    for ch in s:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= keep_head or seen > len(digits) - keep_tail else "*")
        else:
            out.append(ch)
    return "".join(out)


def mask_email(value: Any) -> str:
    """``zhang.san@example.com`` -> ``z***@example.com``; text without ``@`` is starred."""
    s = _text(value).strip()
    if not s:
        return ""
    at = s.rfind("@")
    if at < 0:
        return s[:1] + "***" if len(s) > 1 else "***"
    local, domain = s[:at], s[at + 1:]
    return f"{local[:1]}***@{domain}"


def _mask_mobile_match(m: re.Match) -> str:
    return f"{m.group(1)}{STARS}{m.group(3)}"


def _mask_landline_match(m: re.Match) -> str:
    return f"{m.group(1)}-{STARS}{m.group(4)}"


def _mask_email_match(m: re.Match) -> str:
    return f"{m.group(0)[:1]}***@{m.group(1)}"


def mask_text(value: Any) -> str:
    """Mask every e-mail address, mobile and landline number inside free text."""
    s = _text(value)
    if not s or not _DIGIT_OR_AT.search(s):      # a regex: a 30 000-character cell stays fast
        return s
    if "@" in s:
        s = _EMAIL.sub(_mask_email_match, s)
    s = _MOBILE.sub(_mask_mobile_match, s)
    return _LANDLINE.sub(_mask_landline_match, s)


#: field types (schemas/fields.yaml ``type``) whose values are masked as a whole
MASKED_TYPES = {"mobile": mask_phone, "landline": mask_phone, "email": mask_email}


def mask_value(value: Any, field_type: str = "") -> str:
    """Mask a value of a field of ``field_type`` (``mobile``/``landline``/``email``);
    any other value is treated as free text."""
    func = MASKED_TYPES.get(field_type)
    if func is not None:
        return func(value)
    return mask_text(value)


def mask_issue_message(message: Any, value: Any = "", field_type: str = "") -> str:
    """An issue message for logs: the quoted value masked by its field's type (templates
    quote it as “{value}”), then every other phone/e-mail in the text."""
    text = "" if message is None else str(message)
    raw = value if isinstance(value, str) else ""
    if raw and field_type in MASKED_TYPES:
        text = text.replace(f"“{raw}”", f"“{mask_value(raw, field_type)}”")
    return mask_text(text)
