"""Compare candidate pairs and decide which are the same customer.

Input: the prepared key frame and the candidate ``pairs`` (i_l, i_r, block). Output: the
``scored`` table, splink style — every compared attribute as ``<attr>_l`` / ``<attr>_r``
plus ``name_score`` (rapidfuzz ratio 0–100 of the name keys), ``match`` (bool), ``rank``
(lower is stronger evidence; clustering unions in that order) and ``evidence`` (Chinese).

Decision, first match wins (thresholds from ``rules/settings.yaml`` ``merge:``):

1. different customer types → not the same;
2. 企业 with two valid credit codes: equal → same (信用代码一致), different → never;
3. 企业 otherwise: branch parts must be equal (a 分公司 never joins its parent), the cities
   (city field, else the city in the name) must not differ; then a name-key ratio
   ≥ ``fuzzy_name_threshold`` with the same city, mobile or email, or a ratio
   ≥ ``fuzzy_name_threshold_with_contact`` with the same mobile or email;
4. 个人: the same valid mobile, or the same valid email with names present, and the names
   not clearly different (ratio ≥ ``person_name_threshold`` when both are given).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

ATTRS = ["row_id", "ctype", "name", "name_key", "branch", "ecity", "ncity", "province",
         "uscc", "code", "mobile", "email"]


def _ids(col: pd.Series) -> np.ndarray:
    """Integer codes of a string column; "" → -1 (so equality tests are integer tests)."""
    codes, uniques = pd.factorize(col, sort=False)
    empty = np.flatnonzero(np.asarray(uniques, dtype=object) == "")
    return np.where(codes == empty[0], -1, codes) if len(empty) else codes


def compare_pairs(prep: pd.DataFrame, pairs: pd.DataFrame, threshold: float = 92,
                  contact_threshold: float = 75, person_threshold: float = 50) -> pd.DataFrame:
    """Score ``pairs`` (see the module docstring); returns one row per pair."""
    il, ir = pairs["i_l"].to_numpy(), pairs["i_r"].to_numpy()
    out = {"i_l": il, "i_r": ir, "block": pairs["block"].to_numpy()}
    for a in ATTRS:
        col = prep[a].to_numpy(dtype=object)
        out[f"{a}_l"], out[f"{a}_r"] = col[il], col[ir]
    s = pd.DataFrame(out)
    n = len(s)
    if n == 0:
        return s.assign(name_score=pd.Series(dtype="float64"), match=pd.Series(dtype=bool),
                        rank=pd.Series(dtype="int64"), evidence=pd.Series(dtype=object))
    ids = {a: _ids(prep[a]) for a in ("name", "name_key", "branch", "ecity", "ncity",
                                      "province", "code", "mobile", "email")}

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
    same_city = same("ecity")
    place_conflict = differ("ecity") | differ("ncity") | differ("province")
    branch_ok = ids["branch"][il] == ids["branch"][ir]
    usable = company & ~code_conflict & branch_ok & ~place_conflict & has_names & ~same_code

    # the ratio only where it can decide something
    need = has_names & ~equal_names & ((usable & (same_city | contact)) | (person & contact))
    score = np.where(equal_names & has_names, 100.0, 0.0)
    if need.any():
        left = np.where(company[need], s["name_key_l"].to_numpy()[need], s["name_l"].to_numpy()[need])
        right = np.where(company[need], s["name_key_r"].to_numpy()[need], s["name_r"].to_numpy()[need])
        score[need] = [fuzz.ratio(x, y) for x, y in zip(left.tolist(), right.tolist())]
    s["name_score"] = score.round(0)

    by_code = company & same_code
    by_name = usable & (
        ((score >= threshold) & (same_city | contact)) | ((score >= contact_threshold) & contact))
    names_agree = ~has_names | (score >= person_threshold)
    by_mobile = person & same_mobile & names_agree
    by_email = person & ~same_mobile & same_email & has_names & (score >= person_threshold)

    s["match"] = by_code | by_name | by_mobile | by_email
    # union order: codes, then contact-corroborated names by score, then city-corroborated
    rank = np.full(n, 9, dtype="int64")
    rank[by_name & ~contact] = 3
    rank[by_name & contact] = 2
    rank[by_mobile | by_email] = 1
    rank[by_code] = 0
    s["rank"] = rank
    evidence = np.full(n, "", dtype=object)
    m = s["match"].to_numpy()
    if m.any():
        evidence[m] = [
            _evidence(c, p, sc, mob, em, ct, city)
            for c, p, sc, mob, em, ct, city in zip(
                by_code[m].tolist(), person[m].tolist(), score[m].tolist(), same_mobile[m].tolist(),
                same_email[m].tolist(), same_city[m].tolist(), s["ecity_l"].to_numpy()[m].tolist())
        ]
    s["evidence"] = evidence
    return s


def _evidence(by_code: bool, person: bool, score: float, mobile: bool, email: bool,
              city: bool, city_name: str) -> str:
    if by_code:
        return "信用代码一致"
    proofs = [w for ok, w in ((mobile, "手机一致"), (email, "邮箱一致")) if ok]
    if person:
        return "、".join(proofs)
    if city and not proofs:
        proofs.append(f"同在{city_name}")
    name = "名称一致" if score >= 100 else f"名称相似度 {score:.0f}"
    return f"{name}，{'、'.join(proofs)}"
