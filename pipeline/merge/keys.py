"""Matching keys for Chinese company names (never stored as customer data).

``company_key("苏州华力电子有限公司")`` and ``company_key("华力电子（苏州）有限责任公司")`` both give
``NameKey(key="华力电子", city="苏州市", branch="", parent="")``: width folded, punctuation and
brackets removed, legal forms stripped from the end, region prefixes and bracketed region
infixes stripped — the removed city is kept apart as a corroborating attribute.

Word lists come from ``rules/merge.yaml``; region names from the ``regions/provinces`` and
``regions/cities`` tables when present (without them only explicit words are stripped).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from ..values import BRACKETS as _BRACKETS, fold

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_HAS_BRACKET = re.compile(r"[(\[{<«〔【〖《]")


@dataclass(frozen=True)
class NameKey:
    key: str         # the matching key ("" when the name has no usable content)
    city: str        # official city name removed from the name ("苏州市"), "" when none
    province: str    # official province name removed from the name, "" when none
    branch: str      # branch part ("苏州分公司"), "" for a head office / ordinary company
    parent: str      # for a branch: the parent's name as written ("华力电子有限公司")


fold_text = fold    # NFKC, lower case, no spaces: the folding every key starts from


@dataclass(frozen=True)
class KeyBuilder:
    """Compiled word lists; build once per run with :func:`key_builder`."""

    legal_forms: tuple[str, ...]
    legal_re: re.Pattern | None
    region_words: frozenset[str]
    branch_words: tuple[str, ...]
    regions: Mapping[str, tuple[str, str]]  # folded name/short/alias -> (province, city or "")
    districts: frozenset[str] = frozenset()
    branch_re: re.Pattern | None = None

    def company_key(self, name: Any, city_hint: str = "") -> NameKey:
        return company_key(self, name, city_hint)


def key_builder(merge_rules: Mapping[str, Any], tables: Mapping[str, Iterable[Mapping[str, str]]]) -> KeyBuilder:
    legal = sorted({fold_text(w) for w in merge_rules.get("legal_forms", ()) or () if w}, key=len, reverse=True)
    branch = tuple(sorted({fold_text(w) for w in merge_rules.get("branch_words", ()) or () if w}, key=len, reverse=True))
    words = frozenset(fold_text(w) for w in merge_rules.get("region_words", ()) or () if w)
    regions: dict[str, tuple[str, str]] = {}
    for row in tables.get("regions/provinces", ()) or ():
        prov = row.get("name", "")
        for n in [prov, row.get("short", ""), *(row.get("aliases", "") or "").split("|")]:
            if fold_text(n) and len(fold_text(n)) >= 2:
                regions.setdefault(fold_text(n), (prov, ""))
    for row in tables.get("regions/cities", ()) or ():
        prov, city = row.get("province", ""), row.get("name", "")
        for n in [city, row.get("short", ""), *(row.get("aliases", "") or "").split("|")]:
            f = fold_text(n)
            if len(f) >= 2 and (f not in regions or not regions[f][1]):
                # a municipality is both province and city; a city short form that equals a
                # province short form (吉林) stays the province
                if f in regions and regions[f][0] != prov:
                    continue
                regions[f] = (prov, city)
    districts = frozenset(fold_text(r.get("name", "")) for r in tables.get("regions/districts", ()) or ()
                          if len(fold_text(r.get("name", ""))) >= 3)
    legal_re = re.compile("(?:" + "|".join(re.escape(w[::-1]) for w in legal) + ")+") if legal else None
    branch_re = re.compile("|".join(map(re.escape, branch))) if branch else None
    return KeyBuilder(tuple(legal), legal_re, words, branch, regions, districts, branch_re)


def _strip_legal(s: str, legal_re: re.Pattern | None) -> str:
    """Remove legal-form words from the end, repeatedly; keep at least one character."""
    if not s or legal_re is None:
        return s
    m = legal_re.match(s[::-1])
    if not m:
        return s
    cut = m.end()
    while cut >= len(s):  # the whole name is legal-form words: keep the first one
        m2 = legal_re.match(s[::-1][:cut - 1])
        cut = m2.end() if m2 else 0
    return s[: len(s) - cut] if cut else s


def _longest_prefix(s: str, table: Mapping[str, Any] | frozenset[str], min_rest: int = 2) -> str:
    """The longest entry of ``table`` that starts ``s`` and leaves ``min_rest`` characters."""
    for n in range(min(len(s) - min_rest, 12), 1, -1):
        if s[:n] in table:
            return s[:n]
    return ""


def _strip_regions(kb: KeyBuilder, s: str, city_hint: str = "", have_city: bool = False) -> tuple[str, str, str]:
    """Remove a leading region: a province, then optionally one of its cities, or a city;
    then a district after it. Keeps ≥ 2 characters. A city that contradicts the record's
    city field (``city_hint``) is part of the brand ("东方红…" in 苏州市) and stays, as does a
    short city form when the name already named its city (``have_city``)."""
    province = city = ""
    hit = _longest_prefix(s, kb.regions)
    if hit:
        prov, c = kb.regions[hit]
        if c and ((city_hint and city_hint != c) or (have_city and not hit.endswith("市"))):
            return s, "", ""
        province, city, s = prov, c, s[len(hit):]
        if not c:
            hit = _longest_prefix(s, kb.regions)
            if hit and kb.regions[hit][1] and kb.regions[hit][0] == prov and (
                    not city_hint or city_hint == kb.regions[hit][1]):
                city, s = kb.regions[hit][1], s[len(hit):]
    if province or city:
        hit = _longest_prefix(s, kb.districts)  # 上海市浦东新区… : a district only after a city
        s = s[len(hit):]
    return s, province, city


def _bracket_regions(kb: KeyBuilder, s: str) -> tuple[str, str, str]:
    """Drop bracketed region infixes ("（苏州）", "（中国）"); keep other bracket content."""
    province = city = ""

    def repl(m: re.Match) -> str:
        nonlocal province, city
        inner = m.group(1)
        if inner in kb.region_words:
            return ""
        if inner in kb.regions:
            p, c = kb.regions[inner]
            province, city = province or p, city or c
            return ""
        return inner

    return _BRACKETS.sub(repl, s), province, city


def company_key(kb: KeyBuilder, name: Any, city_hint: str = "", folded: str | None = None) -> NameKey:
    """The matching key of one company name (see the module docstring)."""
    raw = "" if name is None else str(name).strip()
    folded = fold_text(raw) if folded is None else folded
    if not folded:
        return NameKey("", "", "", "", "")
    if _HAS_BRACKET.search(folded):
        s, province, city = _bracket_regions(kb, folded)
    else:
        s, province, city = folded, "", ""
    branch = parent = ""
    m = kb.branch_re.search(s, 1) if kb.branch_re is not None else None
    if m:
        w, pos = m.group(0), m.start()
        head, tail = s[:pos], s[pos:]
        # the branch's own place ("苏州分公司") belongs to the branch part
        cut = _legal_end(head, kb.legal_forms)
        branch = _PUNCT.sub("", head[cut:] + tail)
        parent = _parent_name(raw, w, kb.legal_forms)
        s = head[:cut] if cut > 0 else head
        _, bp, bc = _strip_regions(kb, branch)  # the branch's own place, if it names one
        if bp or bc:
            province, city = bp, bc
    s = _PUNCT.sub("", s)
    s = _strip_legal(s, kb.legal_re)
    s, p2, c2 = _strip_regions(kb, s, city_hint, bool(city))
    s = _strip_legal(s, kb.legal_re)
    return NameKey(s, city or c2, province or p2, branch, parent)


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


def prepare_keys(records: pd.DataFrame, kb: KeyBuilder, code_alias: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per record (same positions) with everything matching needs.

    Columns: row_id, ctype (企业/个人), name (folded full name), name_key, branch, parent,
    ncity / nprovince (removed from the name), city, province, uscc (valid code), code (valid
    code after steward aliases, used for matching), mobile, email (valid values or ""),
    ecity (effective city: the city field, else the city in the name).
    """
    n = len(records)
    bad_rows: dict[str, np.ndarray] = {}
    if "bad_fields" in records.columns:
        for i, b in enumerate(records["bad_fields"].tolist()):
            if isinstance(b, (frozenset, set, tuple, list)):
                for f in b:
                    bad_rows.setdefault(f, np.zeros(n, dtype=bool))[i] = True

    def text(col: str) -> pd.Series:
        if col not in records.columns:
            return pd.Series([""] * n, dtype=object)
        ser = records[col].reset_index(drop=True)
        return ser.astype(object).where(ser.notna(), "").astype(str).str.strip()

    def valid(col: str) -> list[str]:
        t = text(col)
        if col in bad_rows:
            t = t.where(~bad_rows[col], "")
        return t.tolist()

    ctype = np.where(text("customer_type").to_numpy() == "个人", "个人", "企业").tolist()
    names = text("name").tolist()
    folded: dict[str, str] = {}
    for nm in names:
        if nm not in folded:
            folded[nm] = fold_text(nm)
    cache: dict[tuple[str, str], NameKey] = {}
    keys = []
    hints = valid("city")
    person = NameKey("", "", "", "", "")
    for nm, t, hint in zip(names, ctype, hints):
        if t == "个人":
            keys.append(person)
            continue
        k = cache.get((nm, hint))
        if k is None:
            k = cache[(nm, hint)] = company_key(kb, nm, hint, folded[nm])
        keys.append(k)
    uscc = [c.upper() for c in valid("uscc")]
    alias = code_alias or {}
    city, province = valid("city"), valid("province")
    prep = pd.DataFrame({
        "row_id": records["row_id"].tolist() if "row_id" in records.columns else list(range(n)),
        "ctype": ctype,
        "name": [folded[v] for v in names],
        "name_key": [k.key for k in keys],
        "branch": [k.branch for k in keys],
        "parent": [k.parent for k in keys],
        "ncity": [k.city for k in keys],
        "nprovince": [k.province for k in keys],
        "city": city,
        "province": province,
        "uscc": uscc,
        "code": [alias.get(c, c) for c in uscc],
        "uscc_raw": text("uscc").str.upper().tolist(),
        "mobile": valid("mobile"),
        "email": [e.lower() for e in valid("email")],
    })
    prep["ecity"] = prep["city"].where(prep["city"] != "", prep["ncity"])
    return prep
