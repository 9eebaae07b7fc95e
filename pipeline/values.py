"""Value coercion, one definition each: blank, text, numbers, dates, months, brackets, folding.

Every stage and writer takes these from here (docs/where-things-go.md); the parsers that turn a
submitted cell into a canonical value (pipeline/normalize) build on them.

* **missing** — no value at all: ``None``, NaN, ``pd.NA``, ``pd.NaT``.
* **empty** — missing, or the empty string (a workbook cell holding spaces is not empty).
* **blank** — empty, or text of spaces only (what a person would call "nothing filled in").
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
import re
import unicodedata
from typing import Any

import pandas as pd

_SPACES = re.compile(r"\s+")

# Brackets around a unit, a hint or a region in a header or a name: 年合作金额（万元）,
# 客户名称[必填], 华为技术（中国）有限公司. Matched on NFKC-folded text, so （） is ().
BRACKET_PAIRS = ("()", "[]", "{}", "<>", "«»", "〔〕", "【】", "〖〗", "《》")
_OPEN = "".join(re.escape(p[0]) for p in BRACKET_PAIRS)
_CLOSE = "".join(re.escape(p[1]) for p in BRACKET_PAIRS)
BRACKETS = re.compile(rf"[{_OPEN}]([^{_CLOSE}]*)[{_CLOSE}]")


def is_missing(value: Any) -> bool:
    """No value at all: None, NaN, pd.NA or pd.NaT."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def is_empty(value: Any) -> bool:
    """Missing or the empty string (text of spaces is a value: a workbook keeps it)."""
    return is_missing(value) or (isinstance(value, str) and value == "")


def is_blank(value: Any) -> bool:
    """Missing, or text that is empty or spaces only."""
    return is_missing(value) or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str:
    """``str(value)`` trimmed; "" for a missing value."""
    if type(value) is str:
        return value.strip()
    return "" if is_missing(value) else str(value).strip()


def display(value: Any) -> str:
    """A value as a message or a mask shows it: "" for None/NaN, an integral float without
    ``.0`` (phone numbers and codes read as numbers), dates as ``YYYY-MM-DD``."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return f"{value:.10g}"
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


def to_int(value: Any) -> int | None:
    """``int(value)``, or None when it is missing or no integer."""
    if is_missing(value):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def to_number(value: Any) -> float | None:
    """``float(value)``, or None when it is blank, NaN or no number."""
    if is_blank(value):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


def date_of(value: Any) -> dt.date | None:
    """The date of a date, datetime or Timestamp; None for anything else (NaT included)."""
    if is_missing(value):
        return None
    if isinstance(value, dt.datetime):      # pd.Timestamp is a datetime
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def to_date(value: Any) -> dt.date | None:
    """A date from a date, datetime, Timestamp or ISO text (``2026-11-30…``); else None."""
    if is_blank(value):
        return None
    if isinstance(value, dt.date):
        return date_of(value)
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def months_before(month: str, n: int) -> str:
    """The month ``n`` months before ``month`` (both ``YYYY-MM``): ("2026-01", 2) -> "2025-11"."""
    year, mon = (int(p) for p in month.split("-"))
    index = year * 12 + (mon - 1) - n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def full_months_between(last: dt.date, as_of: dt.date) -> int:
    """Complete calendar months strictly between the month of ``last`` and the month of
    ``as_of``: last 2026-08-15, as of 2026-11-30 -> September, October = 2; last 2026-07-31
    -> August, September, October = 3. Never negative."""
    return max(0, (as_of.year * 12 + as_of.month) - (last.year * 12 + last.month) - 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, the day clipped to the month's end
    (2026-08-05 + 3 → 2026-11-05; 2026-08-31 + 3 → 2026-11-30)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def fold(value: Any) -> str:
    """Matching key for short labels and names: NFKC, lower case, no whitespace at all;
    "" for None. Never stored as data."""
    if value is None:
        return ""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(value)).lower())


def strip_brackets(value: str) -> str:
    """``value`` without its bracketed parts: 年合作金额(万元) -> 年合作金额."""
    return BRACKETS.sub("", value)
