"""Regions: province, city and district from the region cells and the whole address.

Every place name in a cell or an address is found (``regions_index.RegionIndex.tokens``: any
position, any level first, separators and placeholder levels such as 市辖区 simply skipped).
Each name may stand for several units; every current unit it may stand for is tried as the
answer, and the names of the text that agree with it (the unit itself or one of its
ancestors) add their strength. The answer with the most support wins; a tie between
different units is ``region-ambiguous`` with the candidates, never a guess.

The cells are read in order province → city → district → address, each one within what the
cells before it decided: a cell that disagrees is ``region-mismatch`` and keeps its own
reading; the address only fills what the cells left open. An address naming no place is
``region-unread``; an obsolete name (江干区, 闸北区, 襄樊) resolves to the current unit with
``region-obsolete`` (info); a county-like word the tables do not know (…新区) after a city
is ``region-district-unread``.
"""
from __future__ import annotations

import re
from typing import Any, NamedTuple, Sequence

from .base import WIDTH_TABLE, Finding, as_text
from .regions_build import build_index
from .regions_choose import Reading, choose
from .regions_index import FULL, NAMED, SHORT, ZONE, Entry, RegionIndex as Index, Token, Unit, token as _token
from .regions_findings import DIGIT as _DIGIT, after_number as _after_number, ambiguous as _ambiguous
from .regions_findings import guessed as _guessed, label as _label, mismatch as _mismatch, obsolete as _obsolete

__all__ = ["RegionIndex", "RegionResult", "Reading", "Resolver", "build_region_index", "choose"]

_CLEAN = re.compile(r"[\s\u3000]+")
_CACHE_MAX = 200_000
_NONE: frozenset[str] = frozenset()     # one empty set for every result (fewer objects kept in the cache)
#: every whitespace character (``str.isspace``, what ``\s`` matches; none lies above U+3000)
_WHITESPACE = tuple(c for c in range(0x3001) if chr(c).isspace())


class RegionResult(NamedTuple):
    province: str | None
    city: str | None
    district: str | None
    region: str | None
    findings: tuple[tuple[str, Finding], ...] = ()     # (field key, finding)
    partial: frozenset[str] = frozenset()              # cells holding more than a place name
    code: str | None = None                            # code of the deepest unit decided


def _overruled(tokens: Sequence[Token], reading: Reading, text: str, gap: re.Pattern) -> tuple[Token, ...]:
    """Provinces or cities written in full before the deepest name read that the reading does
    not lie in (江苏省南京市梁溪区…: read as 无锡市梁溪区, 南京市 overruled), or right after the names
    read, placeholders and separators between (海南省三门峡市, 呼和浩特市市辖区六安市金安区)."""
    last = max(t.start for t, _ in reading.used)
    chain = max(t.end for t, _ in reading.used)
    after = gap.match(text, chain).end()
    keys = reading.unit.keys
    read_at = {t.start for t, _ in reading.used}
    return tuple(t for t in tokens if (t.start < last or t.start == chain or t.start == after) and t.entries
                 and all(e.unit.level <= 2 and e.key not in keys for e in t.entries)
                 and (any(e.kind == FULL for e in t.entries)       # 浙江温州宁波市江北区: a city's short
                      or (t.end in read_at and t.start < last      # form right before a name read
                          and all(e.kind == SHORT and e.unit.level == 2 for e in t.entries))))


def _deepest_end(reading: Reading) -> int:
    """Where the name of the deepest level read ends: the county, or the town, belongs right
    after it, also when a higher level is named again later (宁波丰化市…浙江造船有限公司: after 宁波)."""
    return reading.used[-1][0].end          # (``used`` comes highest level first)


def _segments(tokens: Sequence[Token]) -> list[tuple[Token, ...]]:
    """The tokens cut where the text starts over at a higher level (…柯城区 | 浙江省…, …鹿城区 |
    龙湾区…): each part may be an address of its own."""
    parts: list[tuple[Token, ...]] = []
    part: list[Token] = []
    prev: Token | None = None
    prev_level = 9
    for t in tokens:
        level = t.entries[0].unit.level if t.entries else 9     # entries come highest level first
        if prev is not None and t.entries and (level < prev_level or (
                level == prev_level == 3 and t.keys.isdisjoint(prev.keys))):
            parts.append(tuple(part))
            part = []
        part.append(t)
        prev, prev_level = t, level
    if part:
        parts.append(tuple(part))
    return parts


def _complete(reading: Reading | None, part: Sequence[Token], before: Sequence[Token],
              last: Reading | None) -> bool:
    """A part that names a place on its own, written as an address starts: two levels
    (浙江省衢州市, after a separator or a full name), a province in full (…萧县浙江省…) or a
    sibling county in full (鹿城区龙湾区) right after the address before — not a name inside a
    word (…后山东省村, 高新北区, 柳市镇重庆万州川菜馆)."""
    if reading is None or reading.unit is None or not reading.used:
        return False
    first = part[0]
    joined = first.lead or (bool(before) and before[-1].end == first.start)
    if len(reading.used) >= 2:
        return joined or reading.used[0][1].kind == FULL
    _, e = reading.used[0]
    if e.kind != FULL or not joined:
        return False
    return e.unit.level == 1 or (e.unit.level == 3 and last is not None and last.unit.level == 3
                                 and last.unit.ckey == e.unit.ckey)


def _leads_into(reading: Reading, part: Sequence[Token], rest: Sequence[Sequence[Token]]) -> bool:
    """A part read from one name that starts the text and runs straight into the next part
    (宁波上海浦东机场…: 宁波, then 上海浦东), a place written as an address starts."""
    token = reading.used[0][0]
    return len(part) == 1 and token.start == 0 and bool(rest) and rest[0][0].start == token.end


def _second_address(tokens: Sequence[Token], index: Index, anchor: Unit | None) -> tuple[Reading, Finding] | None:
    """Two addresses in one text (四川省成都市郫县中国浙江省衢州市柯城区…): the last one, the one the
    street detail follows, is read, and ``region-multiple`` names both."""
    if len(tokens) < 2:
        return None
    parts = _segments(tokens)
    if len(parts) < 2 or not any(len(p) >= 2 or any(e.kind in NAMED and e.unit.level != 2 for e in p[0].entries)
                                 for p in parts[1:]):
        return None                                  # no later part could name a place on its own
    readings: list[Reading] = []
    before: tuple[Token, ...] = ()
    for i, part in enumerate(parts):
        r = choose(part, index, anchor)
        if not readings and r is not None and r.unit is not None and r.used and (
                len(r.used) >= 2 or r.used[0][1].kind == FULL or _leads_into(r, part, parts[i + 1:])):
            readings.append(r)                       # the first address (not 芙蓉墩镇江…)
        elif readings and _complete(r, part, before, readings[-1]):
            readings.append(r)
        before = part
    units = [r.unit for r in readings]
    if len(readings) < 2 or all(a.within(b) or b.within(a) for a in units for b in units):
        return None
    names = list(dict.fromkeys(_label(u) for u in units))
    return readings[-1], Finding("region-multiple", {"candidates": "、".join(names), "example": names[-1]})


class Resolver:
    """Reads the region cells and the address of one row (see the module docstring)."""

    def __init__(self, index: Index, placeholders: Sequence[str] = (), town_alone: bool = False):
        self.index = index
        self.placeholders = frozenset(placeholders)
        self.town_alone = town_alone             # a town name alone (no place read) names its county
        self._cache: dict[tuple, RegionResult] = {}
        # a text cell's cache key in one pass: widths folded, whitespace dropped, traditional
        # characters as simplified (the same as ``_key`` below, character by character)
        clean = {c: _CLEAN.sub("", v).translate(index.fold) for c, v in WIDTH_TABLE.items()}
        self._key_table = {**dict.fromkeys(_WHITESPACE, ""), **index.fold, **clean}

    def read(self, key: str, text: str) -> tuple[tuple[Token, ...], bool]:
        """The tokens of a cell, and whether the cell is exactly one known name."""
        if key != "address":
            whole = self.index.whole(text)
            if whole is not None:
                level = {"province": 1, "city": 2, "district": 3}[key]
                token = whole[0]
                own = tuple(e for e in token.entries if e.unit.level == level)
                if own:                              # a 城市 cell saying 吉林 means 吉林市
                    whole = (_token(token.start, token.end, token.text, own),)
                return whole, True
        return self.index.tokens(text), False

    def resolve(self, prov_raw: Any, city_raw: Any, dist_raw: Any, addr_raw: Any) -> RegionResult:
        t, key = self._key_table, self._key
        texts = ("" if prov_raw is None else prov_raw.translate(t) if type(prov_raw) is str else key(prov_raw),
                 "" if city_raw is None else city_raw.translate(t) if type(city_raw) is str else key(city_raw),
                 "" if dist_raw is None else dist_raw.translate(t) if type(dist_raw) is str else key(dist_raw),
                 "" if addr_raw is None else addr_raw.translate(t) if type(addr_raw) is str else key(addr_raw))
        hit = self._cache.get(texts)
        if hit is None:
            hit = self._resolve(texts)
            if len(self._cache) >= _CACHE_MAX:
                self._cache.clear()
            self._cache[texts] = hit
        return hit

    def _key(self, value: Any) -> str:
        """The cache key of a cell that is no text (a number, a date): as the text a person sees."""
        return self._fold(_CLEAN.sub("", as_text(value)))

    def _fold(self, text: str) -> str:
        """Traditional characters as simplified (廣東省 is 广东省), when the text has any."""
        return text.translate(self.index.fold) if self.index.traditional.search(text) else text

    def _resolve(self, texts: tuple[str, ...]) -> RegionResult:
        index = self.index
        findings: list[tuple[str, Finding]] = []
        partial: set[str] = set()
        anchor: Unit | None = None
        own: dict[int, str] = {}                     # level -> a cell's own value when it disagrees
        zone_word: tuple[str, str] | None = None
        city_town: tuple[str, str] | None = None     # a town read as the 区县 of a city without counties
        zone_unread: tuple[str, Finding] | None = None   # a zone flagged where the county belongs
        addr_reading: Reading | None = None
        addr_tokens: Sequence[Token] = ()
        for key, text in zip(("province", "city", "district", "address"), texts):
            if not text or (key != "address" and text in self.placeholders):
                continue                             # 城市 “市辖区”: the municipality decides
            tokens, whole = self.read(key, text)
            if key == "address":
                addr_tokens = tokens
            if not whole and key != "address":
                partial.add(key)
            slip = self._cell_slip(key, text, tokens, anchor) if key != "address" else None
            if slip is not None:                     # 城市 杭州市, 区县 菜山区: 萧山区, a guess
                anchor = slip[1].unit
                findings.append((key, Finding("region-typo", {"word": slip[0], "place": _label(anchor),
                                                              "name": slip[1].old})))
                continue
            if not tokens:
                if key != "address":
                    findings.append((key, Finding("region-unknown", {})))
                continue
            reading = choose(tokens, index, anchor)
            two = _second_address(tokens, index, anchor) if key == "address" else None
            if two is not None:
                reading = two[0]
                findings.append((key, two[1]))
            if reading is None:                      # nothing here agrees with the cells before
                mine = choose(tokens, index) if anchor is not None else None
                if mine is None:                     # only everyday words (东方, 城区)
                    if key != "address":
                        findings.append((key, Finding("region-unknown", {})))
                elif mine.unit is None:
                    if key != "address":
                        findings.append((key, _ambiguous(mine.tied)))
                elif key != "address" or mine.score >= 3:   # not a lone short form in a street address
                    findings.append((key, _mismatch(mine.unit, anchor)))
                    if key != "address":
                        own[mine.unit.level] = mine.unit.name
                continue
            tie_town = self._tie_town(text, tokens, reading) if key == "address" and reading.unit is None else None
            if tie_town is not None:                 # 象山石浦…: 石浦镇 is in 象山县, not 桂林象山区
                anchor = tie_town[1]
                findings.append((key, Finding("region-town", {"word": tie_town[0], "place": _label(anchor)})))
                against = tuple(t for t in tokens if t.entries and any(e.kind == FULL for e in t.entries)
                                and all(e.unit.level <= 2 and e.key not in anchor.keys for e in t.entries))
                if against:                          # 江苏省南京市江阴市南闸街道: the town says 无锡
                    findings.append((key, Finding("region-overruled", {
                        "word": "、".join(t.text for t in against), "place": _label(anchor)})))
                continue
            if reading.unit is None:
                findings.append((key, _ambiguous(reading.tied)))
                names = {u.name for u in reading.tied}
                if len(names) == 1 and reading.tied[0].level == 3:
                    own[3] = next(iter(names))       # 鼓楼区: the name is sure, its city is not
                if reading.common is not None and (anchor is None or reading.common.level > anchor.level):
                    anchor = reading.common
                continue
            if anchor is None or reading.unit.level >= anchor.level:
                anchor = reading.unit
            for t, e in reading.used:
                if e.unit.code in index.stat_zones:
                    zone_word = (key, t.text)        # 苏州市工业园区: a statistical zone, said below
                elif e.unit.code in index.city_towns:
                    city_town = (key, t.text)        # 东莞市虎门镇: a town as the 区县, said below
                if e.kind == ZONE:                   # 杭州湾新区: the county it lies in
                    findings.append((key, Finding("region-zone", {"word": t.text, "place": _label(e.unit)})))
                elif e.old:
                    findings.append((key, _obsolete(e)))
            if key == "address":
                addr_reading = reading
                against = _overruled(tokens, reading, text, index.gap) if two is None and len(tokens) > len(reading.used) else ()
                if against:                          # 江苏省南京市梁溪区: 梁溪区 is 无锡's
                    findings.append((key, Finding("region-overruled", {
                        "word": "、".join(t.text for t in against), "place": _label(reading.unit)})))
                above = index.above_slip(text, reading.used, reading.unit) if reading.used else None
                if above is not None:                # 广洲市海珠区: 广州市, one character off
                    findings.append((key, Finding("region-typo", {"word": above[0], "place": _label(above[1]),
                                                                  "name": above[1].name})))
                guess = _guessed(reading, anchor) or (
                    _after_number(text, reading, anchor)
                    if reading.used and _DIGIT.search(text, 0, reading.used[-1][0].start) else None)
                if guess:
                    findings.append((key, guess))
        addr = texts[3]
        lone = index.slip(addr, 0, None) if addr and anchor is None and not any(texts[:3]) \
            and index.town_word.search(addr) else None    # (a town must confirm it: skip texts naming none)
        inner = self._short_before_town(addr, addr_tokens) if lone is None and addr and anchor is None \
            and not any(texts[:3]) else None
        if inner is not None:                        # 委托件三门海游镇: 三门县, its town 海游 says so
            anchor = inner[1]
            findings = [(k, f) for k, f in findings if f.rule not in ("region-ambiguous", "region-unread")]
            findings.append(("address", Finding("region-town", {"word": inner[0], "place": _label(anchor)})))
        elif lone is not None:                       # 欧海区娄桥镇: 瓯海区, its town says so
            anchor = lone[1].unit
            findings = [(k, f) for k, f in findings if f.rule != "region-ambiguous"]
            findings.append(("address", Finding("region-typo", {"word": lone[0], "place": _label(anchor),
                                                                "name": lone[1].old})))
        elif addr and anchor is None and not any(k == "address" for k, _ in findings) and not any(texts[:3]):
            findings.append(("address", Finding("region-unread", {})))
        elif addr_reading is not None and anchor is not None and anchor.level < 3 and (
                anchor.ckey in index.city_districts if anchor.level == 2 else anchor.pcode in index.with_districts):
            end = index.gap.match(addr, _deepest_end(addr_reading)).end()
            slip = index.slip(addr, end, anchor)
            if slip is not None and (town := self._town(addr, addr_reading, anchor)) is not None \
                    and town[1] != slip[1].unit:
                slip = None                          # 揭阳市蓝城区白塔镇: the town says 揭东区
            if slip is not None:                     # 杭州市菜山区: one character off 萧山区
                anchor = slip[1].unit
                findings.append(("address", Finding("region-typo", {"word": slip[0], "place": _label(anchor),
                                                                    "name": slip[1].old})))
            elif (other := self._county_elsewhere(addr, end, anchor)) is not None:
                if other[1]:                         # 南京市宜兴市: 无锡's, in the same province
                    findings.append(("address", Finding("region-county-elsewhere", {
                        "word": other[0], "city": _label(anchor), "place": "、".join(_label(u) for u in other[1])})))
                else:                                # 许昌市东城区, 兰州市路桥区: a local name, no county
                    findings.append(("address", Finding("region-district-unread", {"word": other[0]})))
            else:
                word, zone = self._county_word(addr, addr_reading)
                if word:                             # 温州市梧田区: no county, even when a town tells it
                    findings.append(("address", Finding("region-district-unread", {"word": word})))
                    zone_unread = findings[-1] if zone else None   # (a zone: the town's county is read)
        elif addr_reading is not None and anchor is addr_reading.unit and anchor.level == 3 \
                and anchor.code != anchor.ckey:
            end, used = -1, None                     # the last name of the county read
            for t, e in addr_reading.used:
                if e.unit is anchor and t.end > end:
                    end, used = t.end, e
            moved = index.moved(addr, index.gap.match(addr, end).end(), anchor)
            if moved is None and used.kind == SHORT:  # 深圳西乡盐田…: 西乡 is 宝安区's, 盐田 a short form
                moved = self._town_before(addr, addr_reading, anchor)
            also = used.also.split("|") if used.also else []
            if moved is not None and moved[1].name in also:   # 江干区下沙街道: the part now 钱塘区
                anchor = moved[1]
                findings = [(k, f) for k, f in findings if f.rule != "region-obsolete"] + [("address", _obsolete(
                    Entry(anchor, used.kind, used.old, used.until, "|".join(
                        [used.unit.name, *(a for a in also if a != anchor.name)]))))]
            elif moved is not None:                  # 余杭区乔司镇: 乔司 is 临平区's since 2021
                findings.append(("address", Finding("region-town-moved", {
                    "word": moved[0], "county": used.old or anchor.name, "place": _label(moved[1])})))
        town = self._town(addr, addr_reading, anchor) if addr and (anchor is None or anchor.level < 3) else None
        if town is not None:                         # 宁夏回族自治区泾河源镇: the town's county
            anchor = town[1]                         # (上海张江高科技园区: the zone lies there, no warning)
            findings = [item for item in findings if item[1].rule not in ("region-inferred", "region-unread")
                        and item is not zone_unread]
            if town[1].code in index.city_towns:     # 广东省东莞市…虎门镇: the town is the 区县
                city_town = ("address", town[0])
            else:
                findings.append(("address", Finding("region-town", {"word": town[0], "place": _label(town[1])})))
        if anchor is not None and anchor.code in index.stat_zones:   # no county of the Ministry's tables
            key, word = zone_word or ("address", anchor.name)
            findings.append((key, Finding("region-stat-zone", {"word": word, "place": _label(anchor)})))
        elif anchor is not None and anchor.code in index.city_towns and (city_town is None or city_town[0] == "address"):
            findings.append(("address", Finding("region-city-town", {   # (a 区县 cell 虎门镇 says it itself)
                "word": city_town[1] if city_town else anchor.name, "city": anchor.city, "place": anchor.name})))
        return self._result(anchor, own, findings, partial)

    def _town_before(self, addr: str, reading: Reading, county: Unit) -> tuple[str, Unit] | None:
        """A town written right after the city, before the county read from a short form, that lies
        in one other county of that city (深圳西乡盐田新村: 西乡 is 宝安区's, not 盐田区's)."""
        index = self.index
        city_end = max((t.end for t, e in reading.used if e.unit.level == 2), default=-1)
        county_start = min((t.start for t, e in reading.used if e.unit is county), default=-1)
        if city_end < 0 or county_start - city_end < 2:
            return None
        start = index.gap.match(addr, city_end).end()
        for j in range(county_start, start + 1, -1):
            word = addr[start:j]
            codes = index.towns.get(word) or index.town_short.get(word) or tuple(   # (西乡 is also 西乡县's)
                c for e in index.town_endings for c in index.towns.get(word + e, ()))
            if codes:
                units = {u.code: u for u in map(index.units.__getitem__, codes) if u.ckey == county.ckey}
                if county.code in units or len(units) != 1:
                    return None
                return word, next(iter(units.values()))
        return None

    def _short_before_town(self, addr: str, tokens: Sequence[Token]) -> tuple[str, Unit] | None:
        """A county's name inside a word (a short form there is not read alone: 五马村, 瓯北镇) or
        shared by several (西湖区) right before one of its own towns written as a town (委托件三门海游镇:
        海游 is 三门县's; not 建华文化创意产业园), the only such county in the text."""
        hits = {}
        index = self.index
        for t in tokens:
            for e in t.entries:
                town = index.town_at(addr, t.end, (e,)) if e.unit.level == 3 else ""
                if town and (town in index.towns or index.town_word.match(addr, t.end + len(town))):
                    hits[e.unit.code] = (town, e.unit)
        return next(iter(hits.values())) if len(hits) == 1 else None

    def _cell_slip(self, key: str, text: str, tokens: Sequence[Token], anchor: Unit | None):
        """A 城市 or 区县 cell that is, whole, a slip of a unit inside what the cells before decided
        (rules as for the address: ``RegionIndex.slip``) and names nothing that lies there."""
        if key == "address" or anchor is None or anchor.level >= 3 or any(
                e.unit.within(anchor) for t in tokens for e in t.entries):
            return None
        slip = self.index.slip(text, 0, anchor)
        return slip if slip is not None and slip[0] == text else None

    def _tie_town(self, addr: str, tokens: Sequence[Token], reading: Reading) -> tuple[str, Unit] | None:
        """Units tied on the names read, and a town named after them that lies in one only."""
        if reading.unit is not None or not reading.tied:
            return None
        start = max(t.end for t in tokens)
        hits = [t for u in reading.tied if (t := self.index.town(addr, start, u)) is not None]
        return hits[0] if len(hits) == 1 else None

    def _town(self, addr: str, reading: Reading | None, anchor: Unit | None) -> tuple[str, Unit] | None:
        """A town of the province or city read, when the county is still open; with no place
        read at all, a town's full name only one county has."""
        if anchor is None:                           # 柳市镇…: a town name only one county has
            return self.index.town(addr, 0, None) if reading is None and self.town_alone else None
        if anchor.level == 3 or not (
                anchor.ckey in self.index.city_districts if anchor.level == 2 else anchor.pcode in self.index.with_districts):
            return None
        start = _deepest_end(reading) if reading is not None and reading.used else 0
        return self.index.town(addr, start, anchor)

    def _county_elsewhere(self, addr: str, end: int, anchor: Unit) -> tuple[str, list[Unit]] | None:
        """A county's official name right after the city read, of a county elsewhere only
        (南京市宜兴市, 兰州市路桥区, 六安市寿县: 寿县 is 淮南's since 2015): the county is left open.
        Returns the name and the counties of that name in the same province (none: 东城区 after 许昌市
        is a local name, not 北京's). A two-character name counts when it is a county's whole name,
        ends in a strong ending and begins no town's name (寿县, 沛县; not 东区, 城区, 宿州市祁县镇)."""
        index = self.index
        name, entries = index._longest(addr, end)
        counties = [e.unit for e in entries if e.kind == FULL and e.unit.level == 3]
        short = len(name) < 3 and not (name[-1:] in index.strong_endings and any(u.name == name for u in counties)
                                       and not index.town_word.match(addr, end + len(name)))
        if short or not counties or any(e.unit.within(anchor) or anchor.within(e.unit) for e in entries):
            return None
        return name, [u for u in counties if u.pcode == anchor.pcode]

    def _county_word(self, addr: str, reading: Reading) -> tuple[str, bool]:
        """A county-like word right after the last place name the address was read by, and
        whether it is a zone (宁波市高新区, 武汉东湖新技术开发区) rather than a county-like word."""
        end = self.index.gap.match(addr, _deepest_end(reading)).end()
        again, entries = self.index._longest(addr, end)
        repeat = len(again) if again and any(e.unit == reading.unit for e in entries) else 0
        zone = self.index.unread_zone.match(addr, end + repeat)   # (德州市德州经济技术开发区: the city again)
        if zone:                                     # 宁波市高新区: a zone where the county belongs
            return addr[end:zone.end()], True
        area = self.index.area_word.match(addr, end)
        if area is None and end and addr[end - 1] == "市":
            area = self.index.area_word.match(addr, end - 1)   # 温州市区: the city's 市 begins the word
            area = area if area and area.group(0)[0] == "市" else None
        if area and not self.index.not_county.match(addr, area.end()) and not self.index._street.match(addr, area.end()):
            return area.group(0), False              # 衢州西区, 绍兴城东: a part of town, no county

        m = self.index.county_word.match(addr, end)
        if not m or self.index.zone_pattern.match(addr, end) or self.index.not_county.search(m.group(0)):
            named = self.index.named_zone.match(addr, end)
            if named and not self.index.not_zone_name.search(named.group(1)):
                return named.group(0), True          # 武汉东湖新技术开发区, 厦门火炬高新区: a zone, no county
            return "", False                         # 苏州高新区…, 磨滩路二区, 火龙岗镇新区
        return m.group(0), False

    def _result(self, anchor: Unit | None, own: dict[int, str], findings, partial) -> RegionResult:
        index = self.index
        province = city = district = ""
        if anchor is not None:
            province = anchor.province
            if anchor.level >= 2:
                city = anchor.city
            elif anchor.pcode + "00" in index.units and index.units[anchor.pcode + "00"].name == province:
                city = province                       # a municipality is its own city
            if anchor.level == 3:
                district = anchor.name
        city = own.get(2, city)
        district = own.get(3, district)
        if own.get(1):
            province = own[1]
        return RegionResult(province or None, city or None, district or None,
                            index.province_region.get(province) or None, tuple(findings),
                            frozenset(partial) if partial else _NONE, anchor.code if anchor is not None else None)


    # the index facts other stages read
    @property
    def code_province(self):
        return self.index.code_province

    @property
    def province_code(self):
        return self.index.province_code

    @property
    def province_region(self):
        return self.index.province_region


def build_region_index(tables, street_words: Sequence[str] = (), min_start_district: int = 3,
                       placeholders: Sequence[str] = (), town_alone: bool = False, **options: Any) -> "Resolver":
    """The resolver over the region tables; ``options``: zone_words, town_words, weak_names
    (rules/settings.yaml ``normalize.region``)."""
    return Resolver(build_index(tables, street_words, min_start_district, placeholders=placeholders, **options),
                    placeholders, town_alone)


RegionIndex = Resolver
