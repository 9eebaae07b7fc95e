"""Company names → matching keys, and the words that tell real companies apart.

``company_key("苏州华力电子有限公司")`` and ``company_key("華力電子（蘇州）有限責任公司")`` both give
the key ``华力电子`` with city 苏州市: width and Traditional characters folded (OpenCC t2s),
punctuation removed, legal forms stripped from the end, region prefixes and bracketed region
infixes stripped — the removed places are kept apart as attributes. What distinguishes two
real firms is kept too, never thrown away as noise:

* ``tier`` — the class of the written legal form (``form_classes``): a parent (集团, 总公司) is
  not its listed subsidiary (股份/有限), a factory (厂) is not the company of the same brand;
* ``county`` — the county or district in the name (常熟市, 沂源县, 锦江区);
* ``branch`` — a branch or unit (``branch_words``, ``unit_words``: 分公司, 支公司, 加油站, 经营部 …);
* ``number`` — a numbered unit (``unit_number_patterns``: 第十三, 3号, 二分厂);
* ``level`` — how precisely the name places itself (none, province, city, county).

Every word list comes from ``rules/merge.yaml``; region names from ``rules/regions/``; the
steward alias table (简称 and English names → registered name) from ``rules/merge_aliases.csv``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import opencc

from ..rule_types import MergeRules
from ..values import BRACKETS as _BRACKETS, fold

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_HAS_BRACKET = re.compile(r"[(\[{<«〔【〖《]")
_LATIN = re.compile(r"[a-z]+")
_CJK = re.compile(r"[\u3400-\u9fff]")
_T2S = opencc.OpenCC("t2s")
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
           "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}

LEVEL_NONE, LEVEL_PROVINCE, LEVEL_CITY, LEVEL_COUNTY, LEVEL_NATIONAL = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class NameKey:
    key: str            # the matching key ("" when the name has no usable content)
    city: str           # official city named in the name ("苏州市"), "" when none
    province: str       # official province named in the name, "" when none
    branch: str         # branch or unit part ("苏州分公司", "加油站"), "" for an ordinary company
    parent: str         # for a branch: the parent's name as written ("华力电子有限公司")
    county: str = ""    # county / district named in the name ("常熟市"), "" when none
    tier: str = ""      # class of the written legal form ("group", "factory", "company"), "" none written
    number: str = ""    # numbered unit ("13" for 第十三), "" when none
    level: int = LEVEL_NONE  # place named: 0 none, 1 province, 2 city, 3 county, 4 national (（中国）)
    alt: str = ""       # the key without Latin letters ("比亚迪" for "byd比亚迪"), "" when not different


def fold_text(value: Any) -> str:
    """NFKC, lower case, no spaces, Traditional → Simplified: the folding every key starts from."""
    s = fold(value)
    return _T2S.convert(s) if _CJK.search(s) else s


def cn_number(text: str) -> str:
    """``"十三"`` → ``"13"``, ``"13"`` → ``"13"``, ``"二十"`` → ``"20"`` (digits kept as written)."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if digits:
        return str(int(digits))
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch in _UNITS:
            total += (current or 1) * _UNITS[ch]
            current = 0
    return str(total + current) if (total + current) or "零" in text or "〇" in text else ""


@dataclass(frozen=True)
class KeyBuilder:
    """Compiled word lists; build once per run with :func:`key_builder`."""

    legal_forms: tuple[str, ...]
    legal_re: re.Pattern | None
    region_words: frozenset[str]
    branch_words: tuple[str, ...]
    regions: Mapping[str, tuple[str, str]]  # folded name/short/alias -> (province, city or "")
    counties: Mapping[str, tuple[tuple[str, str, str, bool], ...]] = field(default_factory=dict)
    branch_re: re.Pattern | None = None
    form_classes: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (class, folded words), first match wins
    number_re: re.Pattern | None = None
    aliases: Mapping[str, str] = field(default_factory=dict)  # folded alias -> folded registered name

    def company_key(self, name: Any, city_hint: str = "") -> NameKey:
        return company_key(self, name, city_hint)


def _words(merge_rules: MergeRules, key: str) -> list[str]:
    return [fold_text(w) for w in getattr(merge_rules, key) if w and fold_text(w)]


def key_builder(merge_rules: MergeRules, tables: Mapping[str, Iterable[Mapping[str, str]]]) -> KeyBuilder:
    legal = sorted(set(_words(merge_rules, "legal_forms")), key=len, reverse=True)
    branch = tuple(sorted(set(_words(merge_rules, "branch_words")) | set(_words(merge_rules, "unit_words")),
                          key=len, reverse=True))
    regions: dict[str, tuple[str, str]] = {}
    for row in tables.get("regions/provinces", ()) or ():
        prov = row.get("name", "")
        for n in [prov, row.get("short", ""), *(row.get("aliases", "") or "").split("|")]:
            if fold_text(n) and len(fold_text(n)) >= 2:
                regions.setdefault(fold_text(n), (prov, ""))
    hmt_cities = [r for r in tables.get("regions/hmt", ()) or () if r.get("level") == "city"]   # 台北市
    for row in [*(tables.get("regions/cities", ()) or ()), *hmt_cities]:
        prov, city = row.get("province", ""), row.get("name", "")
        for n in [city, row.get("short", ""), *(row.get("aliases", "") or "").split("|")]:
            f = fold_text(n)
            if len(f) >= 2 and (f not in regions or not regions[f][1]):
                # a municipality is both province and city; a city short form that equals a
                # province short form (吉林) stays the province
                if f in regions and regions[f][0] != prov:
                    continue
                regions[f] = (prov, city)
    counties: dict[str, list[tuple[str, str, str, bool]]] = {}
    suffixes = tuple(_words(merge_rules, "county_short_suffixes"))
    for r in tables.get("regions/districts", ()) or ():
        name = fold_text(r.get("name", ""))
        entry = (r.get("province", ""), r.get("city", ""), r.get("name", ""))
        if len(name) >= 3:
            counties.setdefault(name, []).append((*entry, True))
            if name.endswith(suffixes) and len(name) >= 3:
                short = name[:-1]
                if short not in regions:
                    counties.setdefault(short, []).append((*entry, False))
    number = [p for p in merge_rules.unit_number_patterns if p]
    aliases = {}
    for row in tables.get("merge_aliases", ()) or ():
        a, n = fold_text(row.get("alias", "")), fold_text(row.get("name", ""))
        if a and n:
            aliases[a] = n
    return KeyBuilder(
        legal_forms=tuple(legal),
        legal_re=re.compile("(?:" + "|".join(re.escape(w[::-1]) for w in legal) + ")+") if legal else None,
        region_words=frozenset(_words(merge_rules, "region_words")),
        branch_words=branch, regions=regions,
        counties={k: tuple(v) for k, v in counties.items()},
        branch_re=re.compile("|".join(map(re.escape, branch))) if branch else None,
        form_classes=tuple((c.class_, tuple(fold_text(w) for w in c.words if w)) for c in merge_rules.form_classes),
        number_re=re.compile("|".join(f"(?:{p})" for p in number)) if number else None,
        aliases=aliases)


def _strip_legal(s: str, legal_re: re.Pattern | None) -> tuple[str, str]:
    """Remove legal-form words from the end, repeatedly; keep at least one character.
    Returns the rest and the removed tail."""
    if not s or legal_re is None:
        return s, ""
    m = legal_re.match(s[::-1])
    if not m:
        return s, ""
    cut = m.end()
    while cut >= len(s):  # the whole name is legal-form words: keep the first one
        m2 = legal_re.match(s[::-1][:cut - 1])
        cut = m2.end() if m2 else 0
    return (s[: len(s) - cut], s[len(s) - cut:]) if cut else (s, "")


def _longest_prefix(s: str, table: Mapping[str, Any], min_rest: int = 2) -> str:
    """The longest entry of ``table`` that starts ``s`` and leaves ``min_rest`` characters."""
    for n in range(min(len(s) - min_rest, 12), 1, -1):
        if s[:n] in table:
            return s[:n]
    return ""


def _county(kb: KeyBuilder, text: str, province: str, city: str) -> tuple[str, str, str] | None:
    """(province, city, county) of a county name or short form, consistent with what is known.
    A short form (常熟, 沂源) only counts when the city or province is known and agrees; an
    ambiguous full name (朝阳区) gives the county alone."""
    cands = kb.counties.get(text, ())
    if not cands:
        return None
    fits = [c for c in cands if (not city or c[1] == city) and (not province or c[0] == province)]
    full = [c for c in fits if c[3]]
    if not full and not (city or province):
        return None
    pick = full or fits
    if not pick:
        return None
    if len({(c[0], c[1]) for c in pick}) == 1:
        return pick[0][0], pick[0][1], pick[0][2]
    return "", "", pick[0][2]


def _strip_regions(kb: KeyBuilder, s: str, hint_city: str, hint_province: str,
                   have_city: bool) -> tuple[str, str, str, str]:
    """Remove a leading region: a province, then optionally one of its cities, or a city; then
    a county or district. Keeps ≥ 2 characters. A city that contradicts the record's city
    field is part of the brand ("东方红…" in 苏州市) and stays, as does a short city form when
    the name already named its city (``have_city``). Returns (rest, province, city, county)."""
    province = city = county = ""
    hit = _longest_prefix(s, kb.regions)
    longer = _longest_prefix(s, kb.counties)
    if len(longer) > len(hit):  # 长沙县, 乌鲁木齐县: a county named like its city
        found = _county(kb, longer, hint_province, hint_city)
        if found:
            return s[len(longer):], found[0], found[1], found[2]
    if hit:
        prov, c = kb.regions[hit]
        if c and ((hint_city and hint_city != c) or (have_city and not hit.endswith("市"))):
            return s, "", "", ""
        province, city, s = prov, c, s[len(hit):]
        if not c:
            hit = _longest_prefix(s, kb.regions)
            if hit and kb.regions[hit][1] and kb.regions[hit][0] == prov and (
                    not hint_city or hint_city == kb.regions[hit][1]):
                city, s = kb.regions[hit][1], s[len(hit):]
    hit = _longest_prefix(s, kb.counties)
    if hit:
        found = _county(kb, hit, province or hint_province, city or hint_city)
        if found:
            p, c, county = found
            province, city, s = province or p, city or c, s[len(hit):]
    return s, province, city, county


def _form_class(kb: KeyBuilder, text: str, exact: bool = False) -> str:
    """The first ``form_classes`` class one of whose words is in ``text`` (or is ``text``)."""
    for cls, words in kb.form_classes:
        if any((w == text) if exact else (w in text) for w in words):
            return cls
    return ""


def _bracket_regions(kb: KeyBuilder, s: str, hint_city: str, hint_province: str) -> tuple[str, str, str, str, str]:
    """Drop bracketed region infixes ("（苏州）", "（常熟）", "（中国）") and a bracketed legal-form
    class word ("（集团）"); keep other bracket content. Returns (text, province, city, county, class)."""
    found: dict[str, str] = {"province": "", "city": "", "county": "", "group": "", "national": ""}

    def repl(m: re.Match) -> str:
        inner = m.group(1)
        if inner in kb.region_words:
            found["national"] = "1"
            return ""
        cls = _form_class(kb, inner, exact=True)
        if cls:
            found["group"] = cls
            return ""
        if inner in kb.regions:
            p, c = kb.regions[inner]
            found["province"], found["city"] = found["province"] or p, found["city"] or c
            return ""
        county = _county(kb, inner, hint_province, hint_city)
        if county:
            found["province"] = found["province"] or county[0]
            found["city"] = found["city"] or county[1]
            found["county"] = county[2]
            return ""
        return inner

    out = _BRACKETS.sub(repl, s)
    return out, found["province"], found["city"], found["county"] or ("*" if found["national"] else ""), \
        found["group"] or ""


def company_key(kb: KeyBuilder, name: Any, city_hint: str = "", folded: str | None = None,
                province_hint: str = "") -> NameKey:
    """The matching key of one company name (see the module docstring)."""
    raw = "" if name is None else str(name).strip()
    folded = fold_text(raw) if folded is None else folded
    folded = kb.aliases.get(folded, folded)
    if not folded:
        return NameKey("", "", "", "", "")
    number = ""
    if kb.number_re is not None:
        m = kb.number_re.search(folded)
        if m:
            number = cn_number(m.group(0)) or m.group(0)
    if _HAS_BRACKET.search(folded):
        s, province, city, county, group = _bracket_regions(kb, folded, city_hint, province_hint)
    else:
        s, province, city, county, group = folded, "", "", "", ""
    branch = parent = ""
    m = kb.branch_re.search(s, 1) if kb.branch_re is not None else None
    if m:
        pos = m.start()
        head, tail = s[:pos], s[pos:]
        # the branch's own place ("苏州分公司") belongs to the branch part
        cut = _legal_end(head, kb.legal_forms)
        branch = _PUNCT.sub("", head[cut:] + tail if cut else tail)
        parent = _parent_name(raw, m.group(0), kb.legal_forms)
        s = head[:cut] if cut > 0 else head
        _, bp, bc, _ = _strip_regions(kb, branch, "", "", False)  # the branch's own place, if it names one
        if bp or bc:
            province, city = bp, bc
    s = _PUNCT.sub("", s)
    s, tail = _strip_legal(s, kb.legal_re)
    s, p2, c2, county2 = _strip_regions(kb, s, city_hint, province_hint, bool(city))
    s, tail2 = _strip_legal(s, kb.legal_re)
    tails = tail + tail2
    tier = group or (_form_class(kb, tails) or "company" if tails else "")
    national = county == "*"  # a bracketed （中国）: the national company, not a local one
    county = "" if national else county
    province, city, county = province or p2, city or c2, county or county2
    level = (LEVEL_NATIONAL if national and not (city or province or county) else LEVEL_COUNTY if county
             else LEVEL_CITY if city else LEVEL_PROVINCE if province else LEVEL_NONE)
    alt = ""
    if _LATIN.search(s):
        bare = _LATIN.sub("", s)
        alt = bare if len(_CJK.findall(bare)) >= 2 else ""
    return NameKey(s, city, province, branch, parent, county, tier, number, level, alt)


def _legal_end(head: str, legal: tuple[str, ...]) -> int:
    """Position just after the last legal-form word in ``head`` (0 when none)."""
    best = 0
    for w in legal:
        pos = head.rfind(w)
        if pos >= 0 and pos + len(w) > best and len(w) >= 2:
            best = pos + len(w)
    return best


def _parent_name(raw: str, branch_word: str, legal: tuple[str, ...]) -> str:
    """The parent company as written before the branch part ("华力电子有限公司")."""
    pos = raw.find(branch_word)
    head = raw[:pos] if pos > 0 else raw
    cut = _legal_end(head, legal)
    return (head[:cut] if cut > 0 else head).strip("（( ")
