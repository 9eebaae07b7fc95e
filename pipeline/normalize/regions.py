"""Regions: official names from rules/regions/*.csv; joined strings split; short forms,
inference from a unique city or district; ambiguity and mismatches flagged, never guessed.

Matching rules that keep street names out (中山路, 河南路): a name is matched only at the
start of the text or right after the administrative level above it, and a short form
(name without 省/市/区 …) is refused when a street word (rules: normalize.region.street_words)
follows it.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from .base import Finding, as_text

_SPLIT = re.compile(r"\|")
_LEVEL_SUFFIX = re.compile(r"(?:区|县|市|旗|自治县|自治旗|林区|特区)$")


@dataclass(frozen=True)
class Place:
    province: str
    city: str = ""
    district: str = ""


@dataclass
class Mention:
    """What one cell says: the province and candidate cities / districts, and the rest."""

    province: str = ""
    cities: tuple[Place, ...] = ()
    districts: tuple[Place, ...] = ()
    rest: str = ""

    @property
    def empty(self) -> bool:
        return not (self.province or self.cities or self.districts)


@dataclass(frozen=True)
class RegionResult:
    province: str | None
    city: str | None
    district: str | None
    region: str | None
    findings: tuple[tuple[str, Finding], ...] = ()     # (field key, finding)
    partial: frozenset[str] = frozenset()              # cells holding more than a place name


def _aliases(row: Mapping[str, str]) -> list[str]:
    return [a.strip() for a in _SPLIT.split(row.get("aliases", "") or "") if a.strip()]


def _alternation(words: Iterable[str]) -> re.Pattern:
    words = sorted({w for w in words if w}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words) or "(?!)")


@dataclass
class RegionIndex:
    provinces: dict[str, str] = field(default_factory=dict)          # name/short/alias -> province
    province_region: dict[str, str] = field(default_factory=dict)   # province -> 大区
    province_code: dict[str, str] = field(default_factory=dict)     # province -> 2-digit code
    code_province: dict[str, str] = field(default_factory=dict)
    cities_full: dict[str, list[Place]] = field(default_factory=lambda: defaultdict(list))
    cities_short: dict[str, list[Place]] = field(default_factory=lambda: defaultdict(list))
    districts_full: dict[str, list[Place]] = field(default_factory=lambda: defaultdict(list))
    districts_short: dict[str, list[Place]] = field(default_factory=lambda: defaultdict(list))
    municipalities: set[str] = field(default_factory=set)          # provinces that are also cities
    street_words: tuple[str, ...] = ()
    min_start_district: int = 3

    def compile(self) -> "RegionIndex":
        self._prov_full = _alternation(p for p in self.province_region)
        self._prov_short = _alternation(k for k in self.provinces if k not in self.province_region)
        self._city_full = _alternation(self.cities_full)
        self._city_short = _alternation(self.cities_short)
        self._dist_full = _alternation(self.districts_full)
        self._dist_short = _alternation(self.districts_short)
        streets = "|".join(re.escape(w) for w in sorted(self.street_words, key=len, reverse=True)) or "(?!)"
        self._guard = re.compile(rf"[东西南北中]{{0,2}}(?:{streets})|[区县旗]")
        return self

    # --- scanning a text from the start ---

    def _street_follows(self, text: str, end: int) -> bool:
        """A short form followed by a street word (中山路, 南京西路) or by a level suffix
        (朝阳区 is a district, not 朝阳市) is not this place."""
        return bool(self._guard.match(text, end))

    def _match(self, full: re.Pattern, short: re.Pattern, text: str, pos: int, short_ok: bool):
        m = full.match(text, pos)
        if m:
            return m.group(0), m.end(), True
        if short_ok:
            m = short.match(text, pos)
            if m and not self._street_follows(text, m.end()):
                return m.group(0), m.end(), False
        return "", pos, False

    def scan(self, text: str) -> Mention:
        """Read province, city and district from the start of ``text`` (a joined region
        string or an address)."""
        text = re.sub(r"^中国\s*", "", text)
        pos, out = 0, Mention()
        word, pos, _ = self._match(self._prov_full, self._prov_short, text, pos, True)
        if word:
            out.province = self.provinces[word]
            if out.province in self.municipalities:
                out.cities = tuple(self.cities_full.get(out.province, ()))
                word, end, _ = self._match(self._city_full, self._city_short, text, pos, True)
                if word and any(p.city == out.province for p in self._cities(word)):
                    pos = end                       # 北京市北京市朝阳区
        if not out.cities:
            word, end, _ = self._match(self._city_full, self._city_short, text, pos, True)
            cands = tuple(p for p in self._cities(word) if not out.province or p.province == out.province)
            if word and cands:
                out.cities, pos = cands, end
        after_city = bool(out.cities)
        word, end, full = self._match(self._dist_full, self._dist_short, text, pos, after_city)
        if word and (after_city or out.province or len(word) >= self.min_start_district):
            cands = self._districts(word, full)
            cands = tuple(p for p in cands if (not out.province or p.province == out.province)
                          and (not out.cities or p.city in {c.city for c in out.cities}))
            if cands and (full or len(cands) == 1):
                out.districts, pos = cands, end
        out.rest = text[pos:]
        return out

    def _cities(self, word: str) -> list[Place]:
        return self.cities_full.get(word) or self.cities_short.get(word) or []

    def _districts(self, word: str, full: bool) -> tuple[Place, ...]:
        return tuple(self.districts_full.get(word) if full else self.districts_short.get(word) or ())

    def read_cell(self, value: Any) -> tuple[str, Mention]:
        """A province/city/district cell: the whole text as a known name first, else a scan."""
        text = as_text(value).replace(" ", "")
        if not text:
            return "", Mention()
        if text in self.provinces:
            prov = self.provinces[text]
            cities = tuple(self.cities_full.get(prov, ())) if prov in self.municipalities else ()
            return text, Mention(province=prov, cities=cities)
        if text in self.cities_full or text in self.cities_short:
            return text, Mention(cities=tuple(self._cities(text)))
        if text in self.districts_full:
            return text, Mention(districts=tuple(self.districts_full[text]))
        return text, self.scan(text)

    def is_name(self, text: str) -> bool:
        """The whole text is one known place name (not a joined string)."""
        return (text in self.provinces or text in self.cities_full or text in self.cities_short
                or text in self.districts_full)

    # --- combining the cells of one row ---

    def resolve(self, prov_raw: Any, city_raw: Any, dist_raw: Any, addr_raw: Any) -> RegionResult:
        cells = {}
        for key, raw in (("province", prov_raw), ("city", city_raw), ("district", dist_raw)):
            text, mention = self.read_cell(raw)
            if text:
                cells[key] = (text, mention)
        addr = as_text(addr_raw).replace(" ", "")
        findings: list[tuple[str, Finding]] = []
        for key, (text, mention) in cells.items():
            if mention.empty:
                findings.append((key, Finding("region-unknown", {})))
        partial = frozenset(k for k, (t, m) in cells.items() if not self.is_name(t))
        mentions = [(k, m) for k, (t, m) in cells.items() if not m.empty]
        if addr:
            am = self.scan(addr)
            explicit = next((m.province for _, m in mentions if m.province), "")
            if not am.empty and (not explicit or not am.province or am.province == explicit):
                mentions.append(("address", am))

        province = next((m.province for _, m in mentions if m.province), "")
        city_src, cities = next(((k, m.cities) for k, m in mentions if m.cities), ("", ()))
        dist_src, dists = next(((k, m.districts) for k, m in mentions if m.districts), ("", ()))
        city = district = ""

        if cities:
            inside = [p for p in cities if not province or p.province == province]
            if not inside:
                p = cities[0]
                findings.append(("city", Finding("region-mismatch",
                                 {"city": p.city, "province": province, "expected": p.province})))
                city = p.city
            elif len({p.city for p in inside}) == 1:
                city = inside[0].city
                province = province or inside[0].province
            else:
                findings.append((city_src, Finding("region-ambiguous", self._ambiguous(inside))))
        if dists:
            inside = [p for p in dists if (not province or p.province == province) and (not city or p.city == city)]
            district = dists[0].district if len({p.district for p in dists}) == 1 else ""
            if not inside:
                p = dists[0]
                findings.append((dist_src if dist_src != "address" else "district", Finding("region-mismatch", {
                    "city": p.district, "province": city or province, "expected": p.city or p.province})))
            elif len(inside) == 1:
                district = inside[0].district
                city = city or inside[0].city
                province = province or inside[0].province
            else:
                findings.append((dist_src, Finding("region-ambiguous", self._ambiguous(inside))))
        if province in self.municipalities and not city:
            city = province
        return RegionResult(province or None, city or None, district or None,
                            self.province_region.get(province) or None, tuple(findings), partial)

    @staticmethod
    def _ambiguous(places: Sequence[Place]) -> dict:
        names = list(dict.fromkeys(f"{p.city}{p.district}" if p.district else
                                   (p.city if p.city == p.province else f"{p.province}{p.city}") for p in places))
        return {"candidates": "、".join(names), "example": names[0]}


def build_region_index(tables: Mapping[str, Sequence[Mapping[str, str]]], street_words: Sequence[str] = (),
                       min_start_district: int = 3) -> RegionIndex:
    idx = RegionIndex(street_words=tuple(street_words), min_start_district=min_start_district)
    for row in tables.get("regions/provinces", ()):
        name = row["name"].strip()
        idx.province_region[name] = (row.get("region") or "").strip()
        code = (row.get("code") or "").strip()
        idx.province_code[name] = code
        idx.code_province[code] = name
        for key in [name, (row.get("short") or "").strip(), *_aliases(row)]:
            if key:
                idx.provinces[key] = name
    for row in tables.get("regions/cities", ()):
        place = Place(row["province"].strip(), row["name"].strip())
        if place.city == place.province:
            idx.municipalities.add(place.province)
        idx.cities_full[place.city].append(place)
        for key in [(row.get("short") or "").strip(), *_aliases(row)]:
            if key and key != place.city:
                idx.cities_short[key].append(place)
    for row in tables.get("regions/districts", ()):
        place = Place(row["province"].strip(), row["city"].strip(), row["name"].strip())
        idx.districts_full[place.district].append(place)
        short = _LEVEL_SUFFIX.sub("", place.district)
        if len(short) >= 2 and short != place.district:
            idx.districts_short[short].append(place)
    idx.cities_full = dict(idx.cities_full)
    idx.cities_short = dict(idx.cities_short)
    idx.districts_full = dict(idx.districts_full)
    idx.districts_short = dict(idx.districts_short)
    return idx.compile()
