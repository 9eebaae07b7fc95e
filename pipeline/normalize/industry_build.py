"""Building the industry index from the rules tables (rules/industries.csv, industry_*.csv) and
the ``industry`` settings; the reader itself is ``industry.py``."""
from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

from ..rules import fold
from .industry import IndustryIndex

#: what joins the items of a GB/T division or class name (制药、日化及日用品…; 变压器、整流器和电感器)
_LIST_ITEMS = re.compile(r"[、，,及和与]")


def build_industry_index(tables: Mapping[str, Sequence[Mapping[str, str]]], **options: Any) -> IndustryIndex:
    # settings come as read-only mappings; the index keeps plain dicts so that it can be
    # cached between runs (pipeline.buildcache pickles it)
    idx = IndustryIndex(**{k: dict(v) if isinstance(v, Mapping) else v for k, v in options.items() if v is not None})
    idx.head_modifiers = {fold(h): {d.zfill(2): tuple(fold(w) for w in ws) for d, ws in m.items()}
                          for h, m in idx.head_modifiers.items()}
    idx.equipment_home = {fold(h): str(d).zfill(2) for h, d in idx.equipment_home.items()}
    idx.vehicle_part_heads = {fold(h): tuple(str(d).zfill(2) for d in ds) for h, ds in idx.vehicle_part_heads.items()}
    idx.decides_yield = {fold(h): tuple(str(x).upper() for x in xs) for h, xs in idx.decides_yield.items()}
    idx.vehicle_divisions = tuple(str(d).zfill(2) for d in idx.vehicle_divisions)
    idx.vehicle_part_makers = tuple(str(d).zfill(2) for d in idx.vehicle_part_makers)
    idx.shop_service_sections = tuple(str(x).upper() for x in idx.shop_service_sections)
    idx.service_shops = tuple(fold(h) for h in idx.service_shops)
    idx.level_marks = tuple(sorted({fold(m) for m in idx.level_marks}, key=len, reverse=True))
    for row in tables.get("industries", ()):
        division = row["division"].strip().zfill(2)
        letter = row["section"].strip().upper()
        idx.divisions[division] = (row["division_name"].strip(), letter, row["section_name"].strip())
        idx.names[fold(row["division_name"])] = division
        idx.sections[fold(row["section_name"])] = (letter, row["section_name"].strip())
        idx.sections[letter.lower()] = (letter, row["section_name"].strip())
    for row in tables.get("industry_aliases", ()):
        division = row["division"].strip().zfill(2)
        if division in idx.divisions:
            idx.names.setdefault(fold(row["alias"]), division)
    for row in tables.get("industry_classes", ()):     # GB/T 4754-2017 中类 and 小类 names (C3670 → 36)
        code, name = (row.get("code") or "").strip(), (row.get("name") or "").strip()
        if len(code) >= 4 and code[1:3] in idx.divisions and name:
            idx.classes.setdefault(fold(name), code[1:3])
    for row in tables.get("industry_classes_2011", ()):   # older names registries still write → 2017 大类
        division, name = (row.get("division") or "").strip(), (row.get("name") or "").strip()
        if division in idx.divisions and name:
            idx.classes.setdefault(fold(name), division)
    for row in tables.get("industry_classes_2002", ()):   # GB/T 4754-2002 names → 2017 大类 (several:
        divisions = tuple(d.strip().zfill(2) for d in (row.get("divisions") or "").split("|") if d.strip())
        name = fold((row.get("name") or "").strip())      # 交通运输设备制造业 is 36 and 37)
        if name and divisions and all(d in idx.divisions for d in divisions):
            idx.older.setdefault(name, divisions)         # looked up whole only, never inside a label
    for row in tables.get("industry_multi", ()):
        divisions = tuple(d.strip().zfill(2) for d in (row.get("divisions") or "").split("|") if d.strip())
        if row.get("label") and all(d in idx.divisions for d in divisions):
            idx.multi[fold(row["label"])] = divisions
    for row in tables.get("industry_heads", ()):
        divisions = tuple(d.strip().zfill(2) for d in (row.get("divisions") or "").split("|") if d.strip())
        if row.get("word") and divisions and all(d in idx.divisions for d in divisions):
            idx.heads[fold(row["word"])] = divisions
            idx.head_kinds[fold(row["word"])] = (row.get("kind") or "").strip()
    for row in tables.get("industry_notes", ()):       # words of the GB/T 4754 notes → their divisions
        divisions = tuple(d.strip().zfill(2) for d in (row.get("divisions") or "").split("|") if d.strip())
        if row.get("word") and divisions and all(d in idx.divisions for d in divisions):
            idx.notes[fold(row["word"])] = divisions
    for row in (*tables.get("industry_places", ()), *tables.get("industry_shops", ())):   # a map's place
        divisions = tuple(d.strip().zfill(2) for d in (row.get("divisions") or "").split("|") if d.strip())
        if row.get("word") and divisions and all(d in idx.divisions for d in divisions):
            idx.places.setdefault(fold(row["word"]), divisions)   # names, then a merchant tree's; whole only
    # words found inside a label: names and aliases over class names over place names of one division
    idx.words = {**{w: d[0] for w, d in idx.places.items() if len(d) == 1}, **idx.classes, **idx.names}
    official = {fold(n): d for d, (n, _, _) in idx.divisions.items()}
    named = (official, idx.classes)
    idx.field_names = tuple(tuple((re.sub(r"[、，,]", "", idx._plain(k)), d) for k, d in t.items()) for t in named)
    gear = re.compile("|".join(map(re.escape, idx.equipment_words))) if idx.equipment_words else None
    idx.equipment_names = tuple(tuple(     # the equipment word in the name as written (容器及材料 holds no 器材);
        ("|" + gear.sub("|", _LIST_ITEMS.sub("|", k)), d) for k, d in t.items()   # the field starts
        if gear and any(gear.search(part) for part in _LIST_ITEMS.split(k))) for t in named)  # a part
    near: dict[str, list[str]] = {}             # 租?: 租赁, 租车 — a wrong character is one blanked
    for k in (*idx.words, *idx.multi):
        if len(k) >= idx.min_contain:
            for i in range(len(k)):
                near.setdefault(k[:i] + "\0" + k[i + 1:], []).append(k)
    idx.near = {k: tuple(v) for k, v in near.items()}
    for k, d in idx.words.items():
        idx.plain.setdefault(idx._plain(k), d)
    idx.older = {**{idx._plain(k): d for k, d in idx.older.items()                 # 谷物的种植; never 其他制造业
                    if not any(k.startswith(p) for p in idx.drop_prefixes)}, **idx.older}    # read as 制造业
    _index_grams(idx)
    idx.vague = frozenset(fold(r["word"]) for r in tables.get("industry_vague", ()) if r.get("word"))
    for r in tables.get("industry_vague", ()):
        letter = (r.get("section") or "").strip().lower()
        if r.get("word") and letter in idx.sections:
            idx.vague_sections[fold(r["word"])] = idx.sections[letter]
    _place_stems(idx)
    _goods(idx, tables.get("industry_goods", ()))
    return idx


def _place_stems(idx: IndustryIndex) -> None:
    """The words before the venue word of the place names (羽毛球 of 羽毛球场): a stem is kept when the
    names holding it name one division and the stem alone reads nothing or that division (健身 of
    健身中心 is R89 too; 游戏 of 游戏厅 is I64 alone, 飞机 of 飞机场 C37: not kept)."""
    idx.place_kinds = tuple(sorted({fold(k) for k in idx.place_kinds}, key=len, reverse=True))
    stems: dict[str, set[tuple[str, ...]]] = {}
    for word, divisions in idx.places.items():
        stem = idx._place_stem(word)
        if stem:
            stems.setdefault(stem, set()).add(divisions)
    idx.place_stems = {s: d for s, ds in stems.items() if len(ds) == 1 and len(d := next(iter(ds))) == 1
                       and _reads_only(idx, s, d)}


def _reads_only(idx: IndustryIndex, word: str, divisions: tuple[str, ...]) -> bool:
    """``word`` alone reads as ``divisions`` or is unknown (not vague: 科技 of 科技馆 names no trade)."""
    read = idx.parse(word)
    return read.divisions == divisions or not read.divisions and [f.rule for f in read.findings] == ["industry-unknown"]


def _index_grams(idx: IndustryIndex) -> None:
    """Two-character indexes so that the words inside a label (``_words_in``) and the class names
    holding a word (``_in_classes``) are found without scanning every table row: a word is listed
    under its first two characters, a class name under every two characters it holds. Readings are
    the same as the scans' (same rows, same order)."""
    seq = tuple(k for k in (*idx.words, *idx.multi) if len(k) >= idx.min_contain)
    grams: dict[str, list[int]] = {}
    for i, k in enumerate(seq):
        grams.setdefault(k[:2], []).append(i)
    idx.word_seq, idx.word_grams = seq, {g: tuple(v) for g, v in grams.items()}
    names = tuple(idx.classes.items())
    held: dict[str, list[int]] = {}
    for i, (name, _) in enumerate(names):
        for g in dict.fromkeys(name[j:j + 2] for j in range(len(name) - 1)):
            held.setdefault(g, []).append(i)
    idx.class_seq, idx.class_grams = names, {g: tuple(v) for g, v in held.items()}


def _goods(idx: IndustryIndex, listed: Sequence[Mapping[str, str]] = ()) -> None:
    """The goods GB/T class names name before a ``goods_tails`` word (合成橡胶 of 合成橡胶制造; 变压器, 整流器,
    电感器 of 变压器、整流器和电感器制造), then the goods of rules/industry_goods.csv (a trademark classification's
    goods by the project's concordance: 工业气体 C26, 润滑油 C25), with their division. Items before a last item
    holding an equipment word modify it (制药、日化及日用品生产专用设备), a material a first item is made of
    (金属制餐具和器皿) is the later items' too (器皿 alone is no metal goods), and "other" goods, generic words
    and words that read by themselves as another division or are vague are none. Goods are words of one
    division: a word any name of another division holds (煤炭 of 煤炭加工 and 煤炭开采和洗选业, 日用杂品 of
    日用杂品制造 and 厨具卫具及日用杂品批发) or that ends goods of another division (元件, 材料, 系统: kind words
    the items before them share) is none."""
    tails = tuple(fold(t) for t in idx.goods_tails)
    found: dict[str, set[str]] = {}
    later: set[str] = set()                     # list items after the first
    stems: set[str] = set()                     # goods a class name names whole, with no list
    for name, division in idx.classes.items():
        name = name.replace("的", "")
        tail = next((t for t in tails if name.endswith(t) and len(name) > len(t)), "")
        stem = name[:-len(tail)] if tail else ""
        if not stem or any(stem.startswith(p) for p in idx.drop_prefixes):
            continue
        parts = [p for p in _LIST_ITEMS.split(stem) if p]
        if any(w in parts[-1] for w in idx.equipment_words):
            parts = parts[-1:]                  # 制药、日化及日用品生产专用设备: the equipment only
        elif _made_of(parts[0]):
            parts = parts[:1]                   # 金属制餐具和器皿: 器皿 is 金属制's too
        else:
            later.update(parts[1:])             # 型材 of 塑料板、管、型材: maybe 塑料's only
        if parts == [stem]:
            stems.add(stem)                     # 皮革服装 of 皮革服装制造: the class's goods whole
        for item in (stem, *parts):
            if any(item.startswith(p) for p in idx.drop_prefixes):
                continue                        # 其他木制品 of 软木制品及其他木制品: no goods named
            if len(item) >= idx.min_contain and item not in idx.generic_words and item not in idx.not_goods \
                    and "类似" not in item:
                found.setdefault(item, set()).add(division)
    classed = set(found)
    several: set[str] = set()                   # trademark goods of several divisions (31|32, -)
    named: dict[str, tuple[str, ...]] = {}      # those whose divisions the table names
    for row in listed:                          # the trademark goods: under the class names' goods
        word, division = fold(row.get("word") or ""), (row.get("division") or "").strip()
        if len(word) < idx.min_contain or word in idx.not_goods:
            continue
        divisions = tuple(d.zfill(2) for d in division.split("|")) if division != "-" else ()
        if len(divisions) != 1:
            several.add(word)
            if divisions and all(d in idx.divisions for d in divisions) and word not in classed:
                named[word] = divisions
        elif divisions[0] in idx.divisions and word not in classed:
            found.setdefault(word, set()).add(divisions[0])
    ends: dict[str, set[str]] = {}              # a proper ending of a good → the divisions of the goods
    ends_classed: dict[str, set[str]] = {}      # the same over the class names' goods (which the
    for item, divisions in found.items():       # trademark goods of one division do not unmake: 油墨, 器械)
        for i in range(1, len(item) - idx.min_contain + 1):
            ends.setdefault(item[i:], set()).update(divisions)
            if item in classed:
                ends_classed.setdefault(item[i:], set()).update(divisions)
    for item in several:                        # 各种型材 (普通金属 C31 or C32): 型材, a later list item
        for i in range(1, len(item) - idx.min_contain + 1):     # of a class name, is no C29 goods
            ends.setdefault(item[i:], set()).add("-")
            if item[i:] in later:
                ends_classed.setdefault(item[i:], set()).add("-")
    official = [(fold(n), d) for d, (n, _, _) in idx.divisions.items()]
    goods: dict[str, tuple[str, ...]] = {}
    for item, divisions in found.items():
        if len(divisions) > 1 or item in idx.vague or item in idx.generic_words:
            continue
        (division,) = divisions
        read = idx._one(item)
        if read and division not in read:
            continue
        held = (*official, *(idx.class_seq[i] for i in idx.class_grams.get(item[:2], ())))
        if any(item in n and d != division for n, d in held) or (
                ends_classed if item in classed else ends).get(item, set()) - {division}:
            continue
        goods[item] = (division,)
    idx.goods = goods
    idx.goods_named = frozenset(w for w in stems if w in goods)
    idx.goods_several = {w: d for w, d in named.items() if len(d) <= idx.max_candidates and w not in goods
                         and w not in idx.vague and w not in idx.generic_words and not idx._one(w)}
    begun: dict[str, set[str]] = {}             # 输送 → the divisions of the goods it begins (输送机 C34)
    for item, divisions in (*goods.items(), *idx.goods_several.items()):
        for i in range(idx.min_contain, len(item)):
            begun.setdefault(item[:i], set()).update(divisions)
    idx.goods_begun = {w: tuple(sorted(d)) for w, d in begun.items()}
    gear: dict[str, set[str]] = {}              # 理疗 → the divisions of the instruments it begins (理疗设备 C35)
    for row in listed:                          # of the trademark classes of instruments (instrument_classes)
        word, groups = fold(row.get("word") or ""), (row.get("groups") or "").split("|")
        if word in goods and groups and all(g[:2] in idx.instrument_classes for g in groups if g):
            for i in range(idx.min_contain, len(word)):
                gear.setdefault(word[:i], set()).update(goods[word])
    idx.gear_begun = {w: tuple(sorted(d)) for w, d in gear.items()}


def _made_of(item: str) -> bool:
    """``item`` names what its goods are made of before them (金属制餐具: 金属制 …)."""
    at = item.find("制")
    return 0 < at < len(item) - 1 and item[at:at + 2] not in ("制造", "制品", "制作")
