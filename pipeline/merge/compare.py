"""Compare candidate pairs and decide which are the same customer, which a steward should see.

Input: the prepared key frame and the candidate ``pairs`` (i_l, i_r, block). Output: the
``scored`` table — the pair's rows ``i_l`` / ``i_r`` in the prepared frame (an attribute of
either side is ``prep[attr].to_numpy()[i_l]``; the pairs are many, so they are not copied per
pair: at a million rows ~4.5 M pairs × 26 object columns was ~1 GB) plus ``name_score``
(rapidfuzz ratio 0–100 of the name keys), ``name_level`` (graded level, below), ``match``
(bool), ``review`` (bool: a near pair for 疑似重复), ``rank`` (lower is stronger evidence;
clustering unions in that order) and ``evidence`` (Chinese).

企业 pairs: a **conflict** ends the comparison — two valid credit codes (equal ones merge),
different branch/unit parts, different numbered units, a parent (集团) against a subsidiary,
different places (city field, cities, provinces or counties in the names, or names placing
themselves at different levels: 四川… against 成都…). Otherwise the name **level**
(exact, alias/English-stripped, 简称, one edit, similar, near) meets the **evidence** (the same
city; a *specific* mobile or e-mail — one carried by at most ``contact_max_names`` name keys,
not a sales rep's own) in the decision table of docs/merge.md. Common keys (only
``common_words``, or found in ``generic_key_cities`` cities) and short keys in big cities
weigh less: a city alone does not carry them (term-frequency adjustment).

个人 pairs: the same valid mobile, or the same valid email with names present, and the names
not clearly different (ratio ≥ ``person_name_threshold`` when both are given).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from ..rule_types import MergeRules
from .names import fold_text

LEVELS = ["", "名称一致", "别名一致", "简称一致", "名称仅差一字", "名称相似", "名称接近"]
EXACT, ALIAS, SHORT, EDIT1, SIMILAR, NEAR = 1, 2, 3, 4, 5, 6


@dataclass(frozen=True)
class Thresholds:
    similar: float = 90
    one_edit_min_length: int = 4
    review: float = 80
    min_key_length: int = 3
    big_city_share: float = 0.2
    big_city_min_key_length: int = 4
    big_city_min_companies: int = 1000
    generic_key_cities: int = 3
    contact_max_names: int = 3
    short_min_length: int = 2
    person: float = 50

    @classmethod
    def from_settings(cls, merge: Any) -> "Thresholds":
        """From ``rules.config.merge`` (pipeline/settings.py ``MergeSettings``)."""
        return cls(similar=merge.fuzzy_name_threshold, one_edit_min_length=merge.one_edit_min_length,
                   review=merge.review_threshold, min_key_length=merge.min_key_length_name_only,
                   big_city_share=merge.big_city_share, big_city_min_key_length=merge.big_city_min_key_length,
                   big_city_min_companies=merge.big_city_min_companies,
                   generic_key_cities=merge.generic_key_cities, contact_max_names=merge.contact_max_names,
                   short_min_length=merge.short_form_min_length, person=merge.person_name_threshold)


def _ids(col: pd.Series) -> np.ndarray:
    """Integer codes of a string column; "" → -1 (so equality tests are integer tests)."""
    codes, uniques = pd.factorize(col, sort=False)
    empty = np.flatnonzero(np.asarray(uniques, dtype=object) == "")
    return np.where(codes == empty[0], -1, codes) if len(empty) else codes


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def generic_keys(prep: pd.DataFrame, common_words: Any, t: Thresholds) -> np.ndarray:
    """Per record: is its name key too common for a city alone to corroborate it?"""
    words = sorted({str(w) for w in common_words or () if w}, key=len, reverse=True)
    keys = prep["name_key"].to_numpy(dtype=object)
    distinct = {}
    for k in set(keys.tolist()):
        rest = k
        for w in words:
            rest = rest.replace(w, "")
        distinct[k] = len(rest) < 2
    common = np.fromiter((distinct[k] for k in keys.tolist()), dtype=bool, count=len(keys))
    company = (prep["ctype"] == "企业") & (prep["name_key"] != "")
    cities = prep[company & (prep["ecity"] != "")].groupby("name_key")["ecity"].nunique()
    spread = prep["name_key"].map(cities).fillna(0).to_numpy() >= t.generic_key_cities
    return common | spread


def compare_pairs(prep: pd.DataFrame, pairs: pd.DataFrame, t: Thresholds | None = None,
                  common_words: Any = ()) -> pd.DataFrame:
    """Score ``pairs`` (see the module docstring); returns one row per pair."""
    t = t or Thresholds()
    il, ir = pairs["i_l"].to_numpy(), pairs["i_r"].to_numpy()
    s = pd.DataFrame({"i_l": il, "i_r": ir, "block": pairs["block"].to_numpy()})
    n = len(s)
    if n == 0:
        return s.assign(name_score=pd.Series(dtype="float64"), name_level=pd.Series(dtype="int64"),
                        match=pd.Series(dtype=bool), review=pd.Series(dtype=bool),
                        rank=pd.Series(dtype="int64"), evidence=pd.Series(dtype=object))
    ids = {a: _ids(prep[a]) for a in ("name", "name_key", "branch", "ecity", "ncity", "province", "nprovince",
                                      "county", "code", "mobile", "email", "number", "alt")}

    def same(a: str) -> np.ndarray:
        x, y = ids[a][il], ids[a][ir]
        return (x >= 0) & (x == y)

    def differ(a: str) -> np.ndarray:
        x, y = ids[a][il], ids[a][ir]
        return (x >= 0) & (y >= 0) & (x != y)

    is_company = (prep["ctype"] == "企业").to_numpy()
    company = is_company[il] & is_company[ir]
    person = ~is_company[il] & ~is_company[ir]
    has_names = np.where(company, (ids["name_key"][il] >= 0) & (ids["name_key"][ir] >= 0),
                         (ids["name"][il] >= 0) & (ids["name"][ir] >= 0))
    equal_names = np.where(company, same("name_key"), same("name"))

    same_code, code_conflict = same("code"), differ("code")
    same_mobile, same_email = same("mobile"), same("email")
    contact = same_mobile | same_email
    mob_ok = prep["mobile_names"].to_numpy() <= t.contact_max_names
    em_ok = prep["email_names"].to_numpy() <= t.contact_max_names
    specific = np.where(company, (same_mobile & mob_ok[il]) | (same_email & em_ok[il]), contact)
    same_city = same("ecity")
    tier = prep["tier"].to_numpy(dtype=object)
    level = prep["level"].to_numpy()
    conflict = (code_conflict | (ids["branch"][il] != ids["branch"][ir]) | (ids["number"][il] != ids["number"][ir])
                | ((tier[il] != tier[ir]) & (tier[il] != "") & (tier[ir] != ""))
                | differ("ecity") | differ("ncity") | differ("province") | differ("nprovince") | differ("county"))
    # names placing themselves at different levels (四川… / 成都…) are two registrations unless
    # a specific mobile or e-mail says otherwise (a 简称 often names its city, not its province)
    # a county named on one side only (宝安区松岗…厂 / 松岗…厂) is two registrations as well
    levels_differ = (((level[il] != level[ir]) & (level[il] > 0) & (level[ir] > 0))
                     | ((ids["county"][il] >= 0) != (ids["county"][ir] >= 0)))
    usable = company & ~conflict & has_names & ~same_code & (~levels_differ | specific)

    # the ratio only where it can decide something
    need = has_names & ~equal_names & ((usable & (same_city | contact)) | (person & contact))
    score = np.where(equal_names & has_names, 100.0, 0.0)
    edits = np.full(n, 99, dtype="int64")
    keys = prep["name_key"].to_numpy(dtype=object)
    names = prep["name"].to_numpy(dtype=object)
    if need.any():
        left = np.where(company[need], keys[il[need]], names[il[need]])
        right = np.where(company[need], keys[ir[need]], names[ir[need]])
        score[need] = [fuzz.ratio(x, y) for x, y in zip(left.tolist(), right.tolist())]
        edits[need] = [Levenshtein.distance(x, y, score_cutoff=2) for x, y in zip(left.tolist(), right.tolist())]
    s["name_score"] = score.round(0)

    key_len = np.minimum(prep["name_key"].str.len().to_numpy()[il], prep["name_key"].str.len().to_numpy()[ir])
    alt = prep["alt"].to_numpy(dtype=object)
    name_level = np.zeros(n, dtype="int64")
    cand = usable & ~equal_names & (same_city | contact)
    alias = cand & (((ids["alt"][il] >= 0) & ((alt[il] == keys[ir]) | (alt[il] == alt[ir])))
                    | ((ids["alt"][ir] >= 0) & (alt[ir] == keys[il])))
    short = np.zeros(n, dtype=bool)
    for k in np.flatnonzero(cand & ~alias & specific).tolist():
        a, b = keys[il[k]], keys[ir[k]]
        if len(a) > len(b):
            a, b = b, a
        long_name = names[ir[k]] if len(keys[ir[k]]) >= len(keys[il[k]]) else names[il[k]]
        short[k] = len(a) >= t.short_min_length and a[0] in b and (_subsequence(a, b) or _subsequence(a, long_name))
    name_level[usable & equal_names] = EXACT
    rest = name_level == 0
    name_level[rest & alias] = ALIAS
    rest = name_level == 0
    name_level[rest & short] = SHORT
    rest = name_level == 0
    name_level[rest & usable & (edits <= 1) & (key_len >= t.one_edit_min_length)] = EDIT1
    rest = name_level == 0
    name_level[rest & usable & (score >= t.similar)] = SIMILAR
    rest = name_level == 0
    name_level[rest & usable & (score >= t.review)] = NEAR
    s["name_level"] = name_level

    generic = generic_keys(prep, common_words, t)
    comp = prep["ctype"] == "企业"
    share = prep.loc[comp, "ecity"].value_counts(normalize=True)
    big = (prep["ecity"].map(share).fillna(0).to_numpy() >= t.big_city_share) & (comp.sum() >= t.big_city_min_companies)
    min_len = np.where(big[il], max(t.big_city_min_key_length, t.min_key_length), t.min_key_length)
    weak_key = generic[il] | (key_len < min_len)

    by_code = company & same_code
    # a bare brand or 简称 (no legal form written) is not carried by a city alone
    written = (tier[il] != "") & (tier[ir] != "")
    by_city = (name_level == EXACT) & same_city & ~weak_key & written
    by_contact = specific & np.isin(name_level, [EXACT, ALIAS, SHORT, EDIT1, SIMILAR])
    by_name = by_city | by_contact
    names_agree = ~has_names | (score >= t.person)
    by_mobile = person & same_mobile & names_agree
    by_email = person & ~same_mobile & same_email & has_names & (score >= t.person)

    s["match"] = by_code | by_name | by_mobile | by_email
    s["review"] = ~s["match"].to_numpy() & (name_level > 0) & (same_city | contact)
    # union order: codes, then persons, then contact-corroborated names by score, then city-corroborated
    rank = np.full(n, 9, dtype="int64")
    rank[by_name & ~by_contact] = 3
    rank[by_contact] = 2
    rank[by_mobile | by_email] = 1
    rank[by_code] = 0
    s["rank"] = rank
    evidence = np.full(n, "", dtype=object)
    shown = s["match"].to_numpy() | s["review"].to_numpy()
    if shown.any():
        evidence[shown] = [
            _evidence(c, p, lv, sc, mob, em, spec, ct, city)
            for c, p, lv, sc, mob, em, spec, ct, city in zip(
                by_code[shown].tolist(), person[shown].tolist(), name_level[shown].tolist(), score[shown].tolist(),
                same_mobile[shown].tolist(), same_email[shown].tolist(), specific[shown].tolist(),
                same_city[shown].tolist(), prep["ecity"].to_numpy(dtype=object)[il[shown]].tolist())
        ]
    s["evidence"] = evidence
    return s


def _evidence(by_code: bool, person: bool, level: int, score: float, mobile: bool, email: bool,
              specific: bool, city: bool, city_name: str) -> str:
    if by_code:
        return "信用代码一致"
    proofs = [w for ok, w in ((mobile, "手机一致"), (email, "邮箱一致")) if ok]
    if person:
        return "、".join(proofs)
    if proofs and not specific:
        proofs = [p + "（多家公司共用）" for p in proofs]
    if city:
        proofs.append(f"同在{city_name}")
    name = LEVELS[level] if level in (EXACT, ALIAS, SHORT, EDIT1) else f"名称相似度 {score:.0f}"
    return f"{name}，{'、'.join(proofs)}" if proofs else name


def common_words_of(merge_rules: MergeRules) -> list[str]:
    """The folded ``common_words`` of rules/merge.yaml."""
    return [fold_text(w) for w in merge_rules.common_words if w]
