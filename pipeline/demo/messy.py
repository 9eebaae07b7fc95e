"""How teams write values, and the deliberate mistakes planted in the demo submissions.

Renderers turn a clean value into what a team typically types; ``INVALID`` holds the
generators of values a validator must reject, ``FIXABLE`` those it can repair silently.
"""
from __future__ import annotations

import datetime as dt
import random

from . import data
from .population import Company, make_mobile

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


class Formula:
    """A formula cell with its cached value (合计/小计 rows)."""

    def __init__(self, expr: str, value: float):
        self.expr, self.value = expr, value


# ---- renderers ---------------------------------------------------------------------------
def date_text(d: dt.date, style: str) -> str | dt.date:
    if style == "excel":
        return d
    if style == "iso":
        return d.isoformat()
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if style == "dot":
        return f"{d.year}.{d.month:02d}.{d.day:02d}"
    if style == "compact":
        return f"{d.year}{d.month:02d}{d.day:02d}"
    if style == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.year}-{d.month:02d}"            # month only


MIXED_DATE_STYLES = ("excel", "excel", "excel", "iso", "slash", "slash", "dot", "compact", "cn", "month")


def amount_text(value: float, rng: random.Random) -> tuple[str | float, str | None]:
    """累计交易额 as a key-account team writes it; second item names a warning kind."""
    r = rng.random()
    wan = value / 10000
    if r < 0.3:
        return value, None
    if r < 0.55:
        return f"{value:,.0f}", None
    if r < 0.8:
        return (f"{wan:.0f}万" if wan >= 10 else f"{wan:.1f}万"), None
    if r < 0.9:
        return f"{wan:.1f}万元", None
    return f"约{max(1, round(wan))}万", "approx_amount"


def rate_text(rate: float, rng: random.Random) -> str | float:
    pct = round(rate * 100)
    return rng.choice((f"{pct}%", f"{pct}%", f"{rate:.2f}", str(pct), rate))


def score_text(score: float, rng: random.Random) -> str | float:
    return rng.choice((f"{score}分", str(score), score, score))


def industry_text(c: Company, rng: random.Random) -> tuple[str, str | None]:
    r = rng.random()
    if r < 0.05:
        return rng.choice(data.VAGUE_INDUSTRIES), "vague_industry"
    if r < 0.2 and c.industry_alias:
        return c.industry_alias, None
    return c.industry, None


def province_text(c: Company, rng: random.Random) -> str:
    return c.city.province if rng.random() < 0.6 else c.city.province_short


def city_text(c: Company, rng: random.Random) -> str:
    return c.city.name if rng.random() < 0.6 else c.city.short


def joined_region(c: Company, rng: random.Random) -> str:
    city = c.city
    r = rng.random()
    town = "" if city.name == city.province else city.short
    if r < 0.35:
        return f"{city.province_short}{town}"
    if r < 0.55:
        return f"{city.name}{city.district}"
    return c.address


# ---- fixable variants (normalize repairs them silently) ----------------------------------
FIXABLE = {
    "mobile_fullwidth": ("mobile", lambda v, rng: v.translate(FULLWIDTH)),
    "mobile_plus86": ("mobile", lambda v, rng: f"+86 {v[:3]} {v[3:7]} {v[7:]}"),
    "mobile_0086": ("mobile", lambda v, rng: f"0086-{v}"),
    "mobile_dashes": ("mobile", lambda v, rng: f"{v[:3]}-{v[3:7]}-{v[7:]}"),
    "email_upper_domain": ("email", lambda v, rng: v.split("@")[0] + "@" + v.split("@")[1].upper()),
    "uscc_lower_spaced": ("uscc", lambda v, rng: f"{v[:6].lower()} {v[6:12].lower()} {v[12:]}"),
}


# ---- invalid values (a validator must flag them) -------------------------------------------
def _wrong_check(code: str, rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return code[:17] + rng.choice([c for c in alphabet if c != code[17]])


INVALID = {
    "uscc_check_digit": ("uscc", _wrong_check),
    "uscc_length": ("uscc", lambda v, rng: v[:17]),
    "mobile_short": ("mobile", lambda v, rng: v[:10]),
    "mobile_masked": ("mobile", lambda v, rng: f"{v[:3]}****{v[7:]}"),
    "email_no_at": ("email", lambda v, rng: v.replace("@", rng.choice((".", "#", "", " ")), 1)),
    "date_impossible": ("date", lambda v, rng: rng.choice(("2023-02-30", "2024-04-31", "2025-13-05", "2022/2/29"))),
    "founded_future": ("founded", lambda v, rng: rng.choice(("2027-05-01", "2028-03-15", "2029年1月8日"))),
    "satisfaction_range": ("satisfaction", lambda v, rng: rng.choice(("6", "6分", "7.5", "0"))),
    "renewal_range": ("renewal_rate", lambda v, rng: rng.choice(("120%", "150%", "1.3"))),
    "status_unknown": ("status", lambda v, rng: rng.choice(("跟进", "待定", "暂停联系"))),
}
DATE_FIELDS = ("first_coop", "last_coop", "next_follow")


def applicable_invalids(fields: set[str]) -> list[str]:
    kinds = []
    for kind, (target, _) in INVALID.items():
        if target == "date" and fields & set(DATE_FIELDS) or target in fields:
            kinds.append(kind)
    return kinds


def applicable_fixables(fields: set[str]) -> list[str]:
    return [k for k, (target, _) in FIXABLE.items() if target in fields]


# ---- duplicate spellings ----------------------------------------------------------------------
def name_variant(c: Company, variant: str, rng: random.Random) -> str:
    city = c.city.short
    if variant == "infix":
        return f"{c.brand}{c.industry_word}（{city}）{c.legal}"
    if variant == "ascii_parens":
        return f"{c.brand}{c.industry_word}({city}){c.legal}"
    if variant == "spaces":
        return rng.choice((c.name + "  ", " " + c.name, c.name.replace(c.brand, " " + c.brand, 1)))
    return c.name


DUP_VARIANTS = ("infix", "ascii_parens", "spaces", "no_code", "other_contact")


def other_contact(rng: random.Random) -> tuple[str, str, str]:
    """A different person at the same company: name, pinyin, mobile."""
    from .population import make_person_name

    name, py = make_person_name(rng)
    return name, py, make_mobile(rng)
