"""The prepared key frame: one row per record with everything matching needs.

Name parsing lives in :mod:`pipeline.merge.names` (re-exported here); this module turns a
records frame into the ``prep`` table the block, compare and cluster steps read.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from .names import KeyBuilder, NameKey, company_key, fold_text, key_builder

__all__ = ["KeyBuilder", "NameKey", "company_key", "fold_text", "key_builder", "prepare_keys"]


def prepare_keys(records: pd.DataFrame, kb: KeyBuilder, code_alias: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per record (same positions) with everything matching needs.

    Columns: row_id, ctype (企业/个人), name (folded full name), name_key, branch, parent,
    ncity / nprovince / county (named in the name), tier, number, level, alt (see
    :class:`~pipeline.merge.names.NameKey`), city, province, uscc (valid code), code (valid
    code after steward aliases, used for matching), mobile, email (valid values or ""),
    ecity (effective city: the city field, else the city in the name), and ``mobile_names`` /
    ``email_names``: how many different company name keys carry that mobile / e-mail in this
    run (a sales rep's own number is on many) — see ``merge.contact_max_names``.
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
    cache: dict[tuple[str, str, str], NameKey] = {}
    keys = []
    hints, phints = valid("city"), valid("province")
    person = NameKey("", "", "", "", "")
    for nm, t, hint, phint in zip(names, ctype, hints, phints):
        if t == "个人":
            keys.append(person)
            continue
        k = cache.get((nm, hint, phint))
        if k is None:
            k = cache[(nm, hint, phint)] = company_key(kb, nm, hint, folded[nm], phint)
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
        "county": [k.county for k in keys],
        "tier": [k.tier for k in keys],
        "number": [k.number for k in keys],
        "level": np.fromiter((k.level for k in keys), dtype="int64", count=n),
        "alt": [k.alt for k in keys],
        "city": city,
        "province": province,
        "uscc": uscc,
        "code": [alias.get(c, c) for c in uscc],
        "uscc_raw": text("uscc").str.upper().tolist(),
        "mobile": valid("mobile"),
        "email": [e.lower() for e in valid("email")],
    })
    prep["ecity"] = prep["city"].where(prep["city"] != "", prep["ncity"])
    company = prep["ctype"] == "企业"
    for col in ("mobile", "email"):
        sub = prep.loc[company & (prep[col] != ""), [col, "name_key"]]
        counts = sub.groupby(col)["name_key"].nunique()
        prep[f"{col}_names"] = prep[col].map(counts).fillna(0).astype("int64").where(company, 0)
    return prep
