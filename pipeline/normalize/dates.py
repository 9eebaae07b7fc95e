"""Dates: Excel date cells and serials, the usual Chinese spellings, month-only values."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from .base import Parsed, as_text, failed, finding

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_YMD = re.compile(rf"^(\d{{4}})\s*[-/.年]\s*(\d{{1,2}})\s*[-/.月]\s*(\d{{1,2}})\s*(?:日|号)?{_TIME}$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YM = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:月(?:份)?)?$")
_Y = re.compile(r"^(\d{4})\s*(?:年(?:度)?)?$")
# 24年3月, 24年3月5日: a two-digit year written with 年 (never 3/5/24, whose order is unknowable)
_SHORT_YEAR = re.compile(r"^(\d{2})\s*年\s*(\d{1,2})\s*月(?:份)?(?:\s*(\d{1,2})\s*(?:日|号))?$")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


@dataclass(frozen=True)
class DateSettings:
    serial_min: int = 10959      # 1930-01-01
    serial_max: int = 73050      # 2099-12-31
    year_min: int = 1900
    year_max: int = 2099
    two_digit_year_pivot: int = 29   # 00–29 → 2000–2029, 30–99 → 1930–1999 (Excel's rule)


def _make(y: int, m: int, d: int, s: DateSettings) -> dt.date | None:
    if not s.year_min <= y <= s.year_max:
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def parse_date(value: Any, settings: DateSettings = DateSettings()) -> Parsed:
    """Canonical ``datetime.date``; month-only → first of month + ``date-month-only``,
    year-only → 1 January + ``date-year-only``; anything else unusable → ``date-invalid``."""
    if isinstance(value, dt.datetime):
        return Parsed(value.date())
    if isinstance(value, dt.date):
        return Parsed(value)
    if isinstance(value, bool):
        return failed(None, "date-invalid")
    if isinstance(value, (int, float)):
        return _from_number(float(value), settings)
    text = as_text(value)
    if not text:
        return Parsed()
    for pattern in (_YMD, _COMPACT):
        m = pattern.match(text)
        if m:
            date = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), settings)
            return Parsed(date) if date else failed(None, "date-invalid")
    m = _YM.match(text)
    if m:
        date = _make(int(m.group(1)), int(m.group(2)), 1, settings)
        if date is None:
            return failed(None, "date-invalid")
        return Parsed(date, (finding("date-month-only", date=date),))
    m = _Y.match(text)
    if m:
        return _year_only(int(m.group(1)), text, settings)
    m = _SHORT_YEAR.match(text)
    if m:
        yy = int(m.group(1))
        year = (2000 if yy <= settings.two_digit_year_pivot else 1900) + yy
        date = _make(year, int(m.group(2)), int(m.group(3) or 1), settings)
        if date is None:
            return failed(None, "date-invalid")
        rule = "date-two-digit-year" if m.group(3) else "date-two-digit-year-month"   # 24年3月: also no day
        return Parsed(date, (finding(rule, date=date),))
    if _NUMBER.match(text):
        return _from_number(float(text), settings)
    return failed(None, "date-invalid")


def _year_only(year: int, text: str, s: DateSettings) -> Parsed:
    date = _make(year, 1, 1, s)
    if date is None:
        return failed(None, "date-invalid")
    return Parsed(date, (finding("date-year-only", date=date),))


def _from_number(number: float, s: DateSettings) -> Parsed:
    """A bare number: a year (2015), a compact date (20230305) or an Excel serial (44990)."""
    shown = as_text(number)
    if number.is_integer():
        n = int(number)
        if s.year_min <= n <= s.year_max:
            return _year_only(n, shown, s)
        m = _COMPACT.match(str(n))
        if m:
            date = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), s)
            return Parsed(date) if date else failed(None, "date-invalid")
    if s.serial_min <= number <= s.serial_max:
        return Parsed(_EXCEL_EPOCH + dt.timedelta(days=int(number)))
    return failed(None, "date-invalid")
