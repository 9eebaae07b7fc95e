"""The findings the region reader gives (rules/issues/regions.yaml): the place labels they name
and the checks on a reading that only add an issue (a guess, places after the street detail)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Sequence

from .base import Finding
from .regions_index import NAMED, Entry, Unit

if TYPE_CHECKING:
    from .regions_choose import Reading


def label(u: Unit) -> str:
    if u.level == 3:                         # (仙桃市 under 湖北省: 湖北省仙桃市, not 仙桃市仙桃市)
        return f"{u.city}{u.name}" if u.city not in (u.province, u.name) else f"{u.province}{u.name}"
    if u.level == 2:
        return u.name if u.name == u.province else f"{u.province}{u.name}"
    return u.name


def ambiguous(units: Sequence[Unit]) -> Finding:
    names = list(dict.fromkeys(label(u) for u in units))
    return Finding("region-ambiguous", {"candidates": "、".join(names), "example": names[0]})


def parent(u: Unit) -> str:
    return u.province if u.level == 2 or u.city == u.province else u.city


def mismatch(own: Unit, anchor: Unit) -> Finding:
    return Finding("region-mismatch", {"city": own.name, "province": anchor.name, "expected": parent(own)})


def obsolete(entry: Entry) -> Finding:
    return Finding("region-obsolete", {"old": entry.old, "year": entry.until, "current": entry.unit.name,
                                       "detail": "split" if entry.also else "whole",
                                       "also": "、".join(entry.also.split("|"))})


def guessed(reading: Reading, anchor: Unit | None) -> Finding | None:
    """A county read from one short form and nothing else (义乌国际商贸城, 九龙湖…), or a city
    read so from inside a word (…报喜鸟和田工业园): probably right, but a guess the steward should
    see (info); so is a province read from a short form inside a word (…汪家岙江西岸). A city
    short form starting the text (苏州园区) is no guess."""
    if len(reading.used) != 1 or anchor is None:
        return None
    token, entry = reading.used[0]
    if anchor.level == 1:                    # …汪家岙江西岸, 河南埭路: a province short form inside a word
        return None if entry.kind in NAMED or token.lead else \
            Finding("region-inferred", {"word": token.text, "place": label(anchor)})
    county = entry.unit.level == 3 or (entry.unit.code == entry.unit.ckey and len(entry.unit.code) == 6)
    if entry.kind in NAMED or (not county and token.lead):
        return None
    return Finding("region-inferred", {"word": token.text, "place": label(anchor)})


DIGIT = re.compile(r"[0-9０-９]")


def after_number(addr: str, reading: Reading, anchor: Unit | None) -> Finding | None:
    """Every place read stands after a number (永丰路177号桐乡市濮新学校, 银杏路20杭州老厨…): the
    street detail came first, so the place is probably part of a company or building name."""
    if anchor is None or not reading.used:
        return None
    first = min(t.start for t, _ in reading.used)
    if not DIGIT.search(addr, 0, first):
        return None
    words = "、".join(dict.fromkeys(t.text for t, _ in reading.used))
    return Finding("region-after-number", {"word": words, "place": label(anchor)})
