"""Amounts in yuan, rates (续约率) and scores (满意度)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..rule_types import BudgetValues
from .base import Parsed, as_text, failed, finding

_CURRENCY = re.compile(r"^(?:人民币|RMB|CNY|￥|¥)\s*|\s*(?:人民币|RMB|CNY)$", re.IGNORECASE)
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")
_NUMBER = r"([-－−]?)\s*(\d+(?:\.\d+)?|\.\d+)"


@dataclass(frozen=True)
class AmountSettings:
    units: Mapping[str, float] = field(default_factory=lambda: {"亿元": 1e8, "亿": 1e8, "万元": 1e4, "万": 1e4,
                                                                  "千元": 1e3, "元": 1.0})
    approx_prefixes: tuple[str, ...] = ("大约", "大概", "约", "~", "～")
    approx_suffixes: tuple[str, ...] = ("左右", "上下")
    period_suffixes: tuple[str, ...] = ("/年", "每年", "/年度")   # "120万元/年": the figure is yearly already
    pattern: re.Pattern = field(init=False, repr=False, compare=False)
    approx: re.Pattern = field(init=False, repr=False, compare=False)
    period: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        def alt(words):
            return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) or "(?!)"

        object.__setattr__(self, "pattern", re.compile(rf"^{_NUMBER}\s*({alt(self.units)})?$"))
        object.__setattr__(self, "approx", re.compile(
            rf"^\s*(?:{alt(self.approx_prefixes)})\s*|\s*(?:{alt(self.approx_suffixes)})\s*$"))
        object.__setattr__(self, "period", re.compile(rf"\s*(?:{alt(self.period_suffixes)})\s*$"))


def _round(x: float) -> float:
    return round(x, 2) + 0.0


def parse_amount(value: Any, unit: float = 1.0, settings: AmountSettings = AmountSettings()) -> Parsed:
    """Yuan as float. ``unit`` is the header's multiplier (``年合作金额（万元）``); a unit
    written in the cell itself (``120万``) wins over the header's."""
    if isinstance(value, bool):
        return failed(None, "amount-invalid")
    if isinstance(value, (int, float)):
        amount = _round(float(value) * unit)
        return failed(amount, "amount-negative") if amount < 0 else Parsed(amount)
    text = as_text(value)
    if not text:
        return Parsed()
    text = settings.period.sub("", text)
    stripped = settings.approx.sub("", text)
    approx, text = stripped != text, stripped
    text = _CURRENCY.sub("", _THOUSANDS.sub("", text.strip())).strip()
    m = settings.pattern.match(text.replace(" ", ""))
    if not m:
        return failed(None, "amount-invalid")
    number = float(m.group(2))
    factor = settings.units[m.group(3)] if m.group(3) else unit
    amount = _round(number * factor) * (-1 if m.group(1) else 1)
    findings = []
    if amount < 0:
        findings.append(finding("amount-negative"))
    if approx:
        findings.append(finding("amount-approx", amount=amount))
    return Parsed(amount + 0.0, tuple(findings))


_RATE = re.compile(r"^([-－−]?\d+(?:\.\d+)?|[-－−]?\.\d+)\s*([%％])?$")


def parse_rate(value: Any, maximum: float = 1.0) -> Parsed:
    """``92%``, ``0.92`` and ``92`` all mean 0.92; above ``maximum`` → rate-out-of-range."""
    if isinstance(value, bool):
        return failed(None, "rate-invalid")
    if isinstance(value, (int, float)):
        number, percent = float(value), False
    else:
        text = as_text(value).replace(" ", "")
        if not text:
            return Parsed()
        m = _RATE.match(text)
        if not m:
            return failed(None, "rate-invalid")
        number, percent = float(m.group(1).replace("－", "-").replace("−", "-")), bool(m.group(2))
    if number < 0:
        return failed(None, "rate-invalid")
    rate = round(number / 100 if percent or number > 1 else number, 6)
    if rate > maximum:
        return failed(rate, "rate-out-of-range")
    return Parsed(rate)


_SCORE = re.compile(r"^(\d+(?:\.\d+)?)\s*分?\s*(?:/\s*(\d+(?:\.\d+)?)\s*分?)?$")


def parse_score(value: Any, low: float = 1.0, high: float = 5.0) -> Parsed:
    """``4.6``, ``4.6分``, ``4.6/5`` → 4.6; outside low–high → score-out-of-range."""
    if isinstance(value, bool):
        return failed(None, "score-invalid")
    if isinstance(value, (int, float)):
        score = float(value)
    else:
        text = as_text(value).replace(" ", "")
        if not text:
            return Parsed()
        m = _SCORE.match(text)
        if not m or (m.group(2) and float(m.group(2)) != high):
            return failed(None, "score-invalid")
        score = float(m.group(1))
    if not low <= score <= high:
        return failed(score, "score-out-of-range")
    return Parsed(round(score, 4))


# --- budgets written as ranges (rules/values.yaml ``budget``) ---

# The words are rules/values.yaml ``budget``, declared once in pipeline/rule_types.py.
BudgetWords = BudgetValues


def _strip_affix(text: str, prefixes: tuple[str, ...], suffixes: tuple[str, ...]) -> tuple[str, bool]:
    for p in sorted(prefixes, key=len, reverse=True):
        if p and text.startswith(p):
            return text[len(p):].strip(), True
    for s in sorted(suffixes, key=len, reverse=True):
        if s and text.endswith(s) and len(text) > len(s):
            return text[: -len(s)].strip(), True
    return text, False


def _unit_of(text: str, settings: AmountSettings) -> str:
    m = settings.pattern.match(text.replace(" ", ""))
    return (m.group(3) or "") if m else ""


def parse_budget(value: Any, unit: float = 1.0, settings: AmountSettings = AmountSettings(),
                 words: BudgetWords = BudgetWords()) -> Parsed:
    """A budget cell as ``(lower, upper)`` yuan: ``10-20万`` → (100000, 200000), ``50万以上`` →
    (500000, None), ``5万以内`` → (None, 50000), ``30万``/``约30万`` → both (the latter with
    amount-approx). Unreadable → budget-invalid; lower above upper → budget-order."""
    if isinstance(value, bool):
        return failed(None, "budget-invalid")
    if isinstance(value, (int, float)):
        p = parse_amount(value, unit, settings)
        return Parsed(None if p.value is None else (p.value, p.value), p.findings)
    text = settings.period.sub("", as_text(value))
    if not text:
        return Parsed()
    if any(w and w in text for w in words.undecided) and not any(c.isdigit() for c in text):
        return Parsed()                        # 面议: no amount yet, the text stays in its field
    stripped = settings.approx.sub("", text)
    approx, text = stripped != text, stripped.strip()
    low_text, is_low = _strip_affix(text, words.lower_prefixes, words.lower_suffixes)
    high_text, is_high = (text, False) if is_low else _strip_affix(text, words.upper_prefixes, words.upper_suffixes)
    if is_low or is_high:
        p = parse_amount(low_text if is_low else high_text, unit, settings)
        if p.value is None:
            return failed(None, "budget-invalid")
        pair = (p.value, None) if is_low else (None, p.value)
        return Parsed(pair, p.findings + ((finding("amount-approx", amount=p.value),) if approx else ()))
    sep = next((s for s in sorted(words.range_separators, key=len, reverse=True)
                if s and s in text.lstrip("-－−")), None)
    if sep:
        left, _, right = text.partition(sep) if not text.startswith(sep) else ("", "", text)
        left, right = left.strip(), right.strip()
        right_unit = _unit_of(right, settings)
        if left and right_unit and not _unit_of(left, settings):
            left += right_unit                     # 10-20万: the unit is written once
        lo, hi = parse_amount(left, unit, settings), parse_amount(right, unit, settings)
        if lo.value is None or hi.value is None:
            return failed(None, "budget-invalid")
        found = lo.findings + hi.findings
        if approx:
            found += (finding("amount-approx", amount=f"{lo.value:g}–{hi.value:g}"),)
        if lo.value > hi.value:
            found += (finding("budget-order", low=lo.value, high=hi.value),)
        return Parsed((lo.value, hi.value), found)
    p = parse_amount(text, unit, settings)
    if p.value is None:
        return failed(None, "budget-invalid")
    found = p.findings + ((finding("amount-approx", amount=p.value),) if approx else ())
    return Parsed((p.value, p.value), found)


# --- 成立年限 (rules/values.yaml ``founded_years``) ---

_YEARS = re.compile(r"^(\d{1,3}(?:\.\d+)?)$")


def parse_years(value: Any, words: tuple[str, ...] = ("年",), approx: tuple[str, ...] = ("约",)) -> Parsed:
    """``8年``, ``约8年``, ``8年以上``, ``8`` → 8 (whole years); anything else → years-invalid."""
    if isinstance(value, bool):
        return failed(None, "years-invalid")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = as_text(value).replace(" ", "")
        if not text:
            return Parsed()
        for p in sorted(approx, key=len, reverse=True):
            if p and text.startswith(p):
                text = text[len(p):]
                break
        for w in sorted(words, key=len, reverse=True):
            if w and text.endswith(w):
                text = text[: -len(w)]
                break
        m = _YEARS.match(text)
        if not m:
            return failed(None, "years-invalid")
        number = float(m.group(1))
    if not 0 <= number <= 300:
        return failed(None, "years-invalid")
    return Parsed(int(number))
