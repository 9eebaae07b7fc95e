"""Building the region index (``regions_index.RegionIndex``) from the tables of rules/regions/
(docs/normalize.md "Region tables"): every unit, every name it is written by, with its kind and
strength, and the traditional-character fold."""
from __future__ import annotations

import re
from typing import Iterable, Mapping, Sequence

import opencc

from .regions_index import (FULL, OLD, OLD_SHORT, SHORT, STAT, WEAK, ZONE, Entry, RegionIndex, Unit,
                            _MUNICIPALITY_CITY, _SPLIT, _names)


def _traditional_fold(idx: "RegionIndex") -> dict[int, str]:
    """``str.translate`` table from the traditional form (OpenCC ``s2t``) of every character the
    names and words of the index use to its simplified form (OpenCC ``t2s``): 廣東省深圳市南山區 →
    广东省深圳市南山区. A character the mainland tables write (乾县, 於潜镇) stays as it is."""
    words = [*idx.names, *idx.towns, *idx.street_words, *idx.town_words, *idx.zone_words, *idx.placeholders]
    used = set("".join(words))
    plain = idx.plain_chars | set("".join(idx.towns)) if idx.plain_chars else used
    s2t, t2s = opencc.OpenCC("s2t"), opencc.OpenCC("t2s")
    fold: dict[int, str] = {}
    for ch in sorted(used | {s2t.convert(c) for c in used}):
        simple = t2s.convert(ch)
        if len(ch) == 1 and len(simple) == 1 and simple != ch and ch not in plain:
            fold[ord(ch)] = simple
    return fold



def _add_hmt(idx: RegionIndex, rows: Iterable[Mapping[str, str]], cities: dict) -> None:
    """台湾 cities and counties, 香港/澳门 districts (rules/regions/hmt.csv, tools/build_hmt.py).
    Their counties and short forms count only right after their parent (weak): many are everyday
    words or mainland names (新社区, 大园区, 桃园, 金门; 大安区 of 自贡, 金山区 of 上海), and the
    mainland reading of such a word stays. A city's full name is read anywhere unless the mainland
    tables use it (连江县 of 福州); its aliases (臺北市, 台北县) too."""
    mainland = set(idx.names)
    idx.plain_chars = frozenset("".join(u.name for u in idx.units.values()))   # official names only
    for row in rows:
        prov, city, name, code = (row[k].strip() for k in ("province", "city", "name", "code"))
        if row["level"] == "city":
            unit = Unit(code, 2, name, prov, idx.province_code.get(prov, code[:2]), name, code)
            cities[(prov, name)] = unit
            kind = WEAK if name in mainland else FULL
        else:
            parent = cities.get((prov, city))
            if parent is None:
                continue
            unit = Unit(code, 3, name, prov, parent.pcode, city, parent.ckey)
            kind = WEAK
        idx.units[code] = unit
        idx.add(name, Entry(unit, kind))
        for key in _names(row, "short"):
            idx.add(key, Entry(unit, WEAK))
        for key in _names(row, "aliases"):
            idx.add(key, Entry(unit, WEAK if key in mainland or unit.level == 3 else SHORT))


def _city_units(idx: RegionIndex, rows: Iterable[Mapping[str, str]], cities: dict, codes: set[str]):
    """(row, unit, its city) for each row (province, city, name, code) whose city is known: a
    county-level unit of that city, added to ``idx.units`` and its code to ``codes``."""
    for row in rows:
        prov, city, name, code = (row[k].strip() for k in ("province", "city", "name", "code"))
        parent = cities.get((prov, city))
        if parent is None or not name:
            continue
        unit = Unit(code, 3, name, prov, parent.pcode, city, parent.ckey)
        idx.units[code] = unit
        codes.add(code)
        yield row, unit, parent


def _add_stat_zones(idx: RegionIndex, rows: Iterable[Mapping[str, str]], cities: dict,
                    zone_short: Mapping[str, Sequence[str]]) -> None:
    """The statistical zones (rules/regions/stat_zones.csv) as county-level units of their city:
    the name anywhere (济南高新技术产业开发区), the city's full name before the rest
    (济南市高新技术产业开发区), the rest alone only right after the city (苏州市工业园区, weak), and
    the rest with its ending shortened (``zone_short``: 济南市高新区, 济南高新区, 苏州园区)."""
    higher: dict[str, set[str]] = {}            # name of a province or city -> codes it names
    for k, v in idx.names.items():
        for e in v:
            if e.unit.level < 3:
                higher.setdefault(k, set()).add(e.unit.code)
    longs = sorted(zone_short, key=len, reverse=True)
    codes: set[str] = set()
    for row, unit, parent in _city_units(idx, rows, cities, codes):
        name, city = unit.name, unit.city
        idx.add(name, Entry(unit, STAT))
        own = [k for k, c in higher.items() if parent.code in c or parent.pcode in c]
        rest = name
        for _ in range(2):                      # 河北邢台经济开发区: province, then city
            cut = max((k for k in own if rest.startswith(k) and len(k) < len(rest)), key=len, default="")
            rest = rest[len(cut):]
        if rest == name or len(rest) < 2:
            continue                            # 北戴河新区: its name only
        city_short = [k for k in own if parent.code in higher[k] and k != city]
        idx.add(city + rest, Entry(unit, STAT))
        forms = [rest]
        long = next((w for w in longs if rest.endswith(w)), None)
        if long is not None:
            forms += [rest[: -len(long)] + short for short in zone_short[long]]
        for form in forms:
            if form not in higher:
                if len(form) >= 3:
                    idx.add(form, Entry(unit, WEAK))
                for c in city_short:
                    idx.add(c + form, Entry(unit, SHORT))
    idx.stat_zones = frozenset(codes)


def _add_city_towns(idx: RegionIndex, rows: Iterable[Mapping[str, str]], cities: dict) -> None:
    """The towns of the cities the Ministry lists no county under (rules/regions/city_towns.csv:
    东莞市虎门镇, 中山市石岐街道) as county-level units of their city: the 区县 of such a city is the town
    named (docs/normalize.md "Cities without counties"). Their full names count only right after the
    city (weak: 长安镇 is also a town of 海宁), as do their short forms (东莞虎门, 东莞长安) and the form of an
    address picker (东莞市东城区: 东城街道); towns.csv gives them as towns of themselves, so a full name
    later in the text (广东省东莞市…虎门镇) reads them as any town names its county."""
    codes: set[str] = set()
    for row, unit, _ in _city_units(idx, rows, cities, codes):
        for key in [unit.name, *_names(row, "short", "variants")]:
            idx.add(key, Entry(unit, WEAK))
    idx.city_towns = frozenset(codes)


def build_index(tables: Mapping[str, Sequence[Mapping[str, str]]], street_words: Sequence[str] = (),
                       min_start_district: int = 3, *, zone_words: Sequence[str] = (),
                       unread_zone_words: Sequence[str] = (), area_words: Sequence[str] = (),
                       town_words: Sequence[str] = (), town_endings: Sequence[str] = (),
                       weak_names: Iterable[str] = (),
                       placeholders: Iterable[str] = (), separators: Iterable[str] = (),
                       level_endings: Iterable[str] = (), strong_endings: Iterable[str] = (),
                       obsolete_short_endings: Sequence[str] = (), directions: Iterable[str] = (),
                       county_word_endings: Iterable[str] = (), county_word_not_before: Iterable[str] = (),
                       statistical_zones: bool = True,
                       zone_short: Mapping[str, Sequence[str]] = {}) -> RegionIndex:
    """An official district name shorter than ``min_start_district`` is weak (城区, 郊区) unless
    it ends in one of ``strong_endings`` (容县, 萧县 are read anywhere)."""
    idx = RegionIndex(street_words=tuple(street_words), zone_words=tuple(zone_words),
                      unread_zone_words=tuple(unread_zone_words), area_words=tuple(area_words),
                      town_words=tuple(town_words), town_endings=tuple(town_endings),
                      weak_names=frozenset(weak_names),
                      placeholders=frozenset(placeholders), separators=tuple(separators),
                      level_endings="".join(level_endings), strong_endings="".join(strong_endings),
                      directions="".join(directions), county_word_endings=tuple(county_word_endings),
                      county_word_not_before=tuple(county_word_not_before))
    old_suffix = re.compile(f"(?:{'|'.join(map(re.escape, obsolete_short_endings)) or '(?!)'})$")
    short_district: list[tuple[str, Entry]] = []
    for row in tables.get("regions/provinces", ()):
        name, code = row["name"].strip(), (row.get("code") or "").strip()
        unit = Unit(code, 1, name, name, code)
        idx.units[code] = unit
        idx.province_region[name] = (row.get("region") or "").strip()
        idx.province_code[name] = code
        idx.code_province[code] = name
        idx.add(name, Entry(unit, FULL))
        for key in [name, *_names(row, "short", "aliases")]:
            idx.provinces[key] = name
            idx.add(key, Entry(unit, SHORT))
    pcode = {u.name: u.pcode for u in idx.units.values()}
    for row in tables.get("regions/cities", ()):
        prov, name, code = row["province"].strip(), row["name"].strip(), row["code"].strip()
        ckey = code[:2] + _MUNICIPALITY_CITY if name == prov else code
        unit = Unit(ckey, 2, name, prov, pcode.get(prov, code[:2]), name, ckey)
        idx.units[ckey] = unit
        idx.add(name, Entry(unit, FULL))
        for key in _names(row, "short", "variants", "aliases"):
            idx.add(key, Entry(unit, SHORT))
    cities = {(u.province, u.name): u for u in idx.units.values() if u.level == 2}
    for row in tables.get("regions/districts", ()):
        prov, city, name, code = (row[k].strip() for k in ("province", "city", "name", "code"))
        parent = cities.get((prov, city))
        if parent is None:
            continue
        unit = Unit(code, 3, name, prov, parent.pcode, city, parent.ckey)
        idx.units[code] = unit
        if parent.code == code:
            idx.twins[code] = unit
        idx.add(name, Entry(unit, FULL if len(name) >= min_start_district or name[-1] in idx.strong_endings else WEAK))
        for key in _names(row, "short", "variants", "aliases"):
            short_district.append((key, Entry(unit, SHORT)))
    _add_hmt(idx, tables.get("regions/hmt", ()), cities)
    _add_city_towns(idx, tables.get("regions/city_towns", ()), cities)
    if statistical_zones:
        _add_stat_zones(idx, tables.get("regions/stat_zones", ()), cities, zone_short)
    higher = {k for k, v in idx.names.items() if any(e.unit.level < 3 for e in v)}
    for key, entry in short_district:          # 河北区 → 河北 or 西安区 → 西安 would hide the higher unit:
        if key not in higher:                  # a place only right after its parent (北京朝阳望京, 天津河北
            idx.add(key, entry)                # 中山路, a 区县 cell 朝阳 after 北京), unless it is its own city's
        elif not any(e.unit.level < 3 and entry.unit.within(e.unit) for e in idx.names[key]):
            idx.add(key, Entry(entry.unit, WEAK))   # name (南昌市南昌高新区 is no 南昌县)
    higher = {k for k, v in idx.names.items() if any(e.kind == FULL and e.unit.level < 3 for e in v)}
    old_short: dict[str, list[Entry]] = {}
    by_code = {u.code: u for u in idx.units.values()}
    by_name = {(u.ckey, u.name): u for u in idx.units.values() if u.level == 3}
    for row in tables.get("regions/history", ()):
        succ = (row.get("successor") or "").strip()
        name = row["name"].strip()
        if not succ and row.get("level") == "city" and name not in idx.names:
            idx.names[name] = []                   # 柳州地区: a former prefecture, no place today
            continue
        unit = by_code.get(succ) or (by_code.get(succ[:4]) if succ.endswith("00") else None)
        if unit is None or unit.level == 1:
            continue
        if name in higher:                         # 绍兴市 (once also a county-level city)
            continue
        if any(e.unit == unit for e in idx.names.get(name, ())):
            continue                               # still a name of that unit (石柱县)
        if (len(name) <= 2 and name[-1] not in idx.strong_endings) or name in idx.weak_names:
            kind = WEAK                            # 城区, 南区: only right after its city
        else:
            kind = OLD_SHORT if name in idx.names else OLD   # 桥西区 of 邢台 is 信都区 now
        entry = Entry(unit, kind, name, (row.get("until") or "").strip(), (row.get("also") or "").strip())
        idx.add(name, entry)
        if kind != WEAK and row.get("level") == "district":   # 江干区…下沙: the part now in 钱塘区
            for other in _SPLIT.split(entry.also):
                part = by_name.get((unit.ckey, other.strip()))
                if part is not None and part != unit:
                    idx.add(name, Entry(part, OLD_SHORT, name, entry.until))
        short = old_suffix.sub("", name)
        if row.get("level") == "district" and len(short) >= 2 and short != name:
            old_short.setdefault(short, []).append(entry)
    for row in tables.get("regions/zones", ()):    # development zones in one county (docs/normalize.md)
        unit = by_code.get((row.get("district") or "").strip())
        name, until = (row.get("name") or "").strip(), (row.get("until") or "").strip()
        if unit is None or unit.level != 3 or not name:
            continue
        entry = Entry(unit, OLD, name, until) if until else Entry(unit, ZONE, name)
        city = by_code.get(unit.ckey)
        short = next((n for n, es in idx.names.items() if city and name.startswith(n) and len(n) < len(name)
                      and any(e.unit == city for e in es)), "") if city else ""
        for written in {name, city.name + name[len(short):] if short else name}:
            idx.add(written, entry)
    towns: dict[str, set[str]] = {}
    short_towns: dict[str, set[str]] = {}
    counties = {code for code, u in by_code.items() if u.level == 3}
    for row in tables.get("regions/towns", ()):
        code, name = row.get("district") or "", row.get("name") or ""
        if code not in counties or len(name) < 3:
            continue
        towns.setdefault(name, set()).add(code)
        short = idx.town_end.sub("", name)
        if len(short) >= 2 and short not in idx.weak_names and (short not in idx.names or all(
                e.unit.code in idx.city_towns for e in idx.names[short])):   # (深圳南头: 南头镇 of 中山 too)
            short_towns.setdefault(short, set()).add(code)
    idx.towns = {k: tuple(sorted(v)) for k, v in towns.items()}
    other: dict[str, set[str]] = {}                 # 谢集乡 for 谢集镇 (a 乡 made a 镇), 虎门街道 for 虎门镇
    for name, codes in towns.items():
        short = idx.town_end.sub("", name)
        for ending in idx.town_endings if len(short) >= 2 and short not in idx.weak_names else ():
            if short + ending != name:              # (太阳乡 of 山西 too: read only when no town is)
                other.setdefault(short + ending, set()).update(codes)
    idx.town_other = {k: tuple(sorted(v)) for k, v in other.items()}

    for name in [*idx.towns, *idx.town_other]:      # first two characters -> longest name
        idx._town_first[name[:2]] = max(len(name), idx._town_first.get(name[:2], 0))
    idx.town_short = {k: tuple(sorted(v)) for k, v in short_towns.items()}
    for short, entries in old_short.items():        # 闸北, 川沙: only where no current name is written so
        if short not in idx.names:
            for e in entries:
                idx.add(short, Entry(e.unit, OLD_SHORT, e.old, e.until, e.also))
    idx.compile()
    idx.fold = _traditional_fold(idx)
    idx.traditional = re.compile("[" + "".join(map(chr, sorted(idx.fold))) + "]") if idx.fold else re.compile("(?!)")
    return idx
