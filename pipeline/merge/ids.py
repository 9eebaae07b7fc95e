"""Stable customer numbers: identity keys of this run looked up in the history's ``known``.

Identity keys (key_type, key_value) per customer, from every row of its cluster:

* ``uscc``   — a valid credit code (企业);
* ``name``   — company-name key, branch part and effective city: ``华力电子#苏州分公司@苏州市`` (企业);
* ``mobile`` — a valid mobile (个人);  ``email`` — a valid e-mail (企业 and 个人);
* ``person`` — ``name@city`` for a 个人 with neither mobile nor e-mail (weak, last resort).

A key shared by two customers of this run identifies neither and is dropped. Lookup: a
known credit code wins, then the oldest (lowest) known number; a number goes to one
customer only. A 个人 still without a number whose ``name@city`` is the only key a known
customer ever had (its mobile was invalid or missing then, and is valid now) gets that
customer's number: the correction of a phone does not make a new customer. Customers
without a known key get new numbers after the largest ever used.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import history

IDENTITY_COLUMNS = ["key_type", "key_value", "customer_id"]


def identity_keys(prep: pd.DataFrame, labels: np.ndarray) -> pd.DataFrame:
    """label, key_type, key_value for every clustered record (deduplicated, unambiguous)."""
    keep = labels >= 0
    p = prep[keep]
    lab = labels[keep]
    company = (p["ctype"] == "企业").to_numpy()
    branch = np.where(p["branch"] != "", "#" + p["branch"], "")
    name_val = p["name_key"] + branch + "@" + p["ecity"]
    person_val = p["name"] + "@" + p["ecity"]
    parts = [
        ("uscc", p["uscc"].to_numpy(), company),
        ("name", name_val.to_numpy(), company & (p["name_key"] != "").to_numpy()),
        ("mobile", p["mobile"].to_numpy(), ~company),
        ("email", p["email"].to_numpy(), np.ones(len(p), dtype=bool)),
        ("person", person_val.to_numpy(), ~company & (p["mobile"] == "").to_numpy()
         & (p["email"] == "").to_numpy() & (p["name"] != "").to_numpy()),
    ]
    return _unambiguous(parts, lab)


def person_fallback_keys(prep: pd.DataFrame, labels: np.ndarray, known: pd.DataFrame | None) -> pd.DataFrame:
    """label, key_type ``person``, key_value ``name@city`` of the 个人 that identity_keys gives
    a mobile or e-mail instead (looked up only, never stored); none when ``known`` (the
    history's identities) holds no person key to find."""
    if known is None or "key_type" not in known.columns or not (known["key_type"] == "person").any():
        return pd.DataFrame(columns=["label", "key_type", "key_value"])
    keep = labels >= 0
    p = prep[keep]
    person = (p["ctype"] != "企业").to_numpy() & (p["name"] != "").to_numpy()
    values = (p["name"] + "@" + p["ecity"]).to_numpy()
    keys = _unambiguous([("person", values, person)], labels[keep])
    strong = (p["mobile"] != "").to_numpy() | (p["email"] != "").to_numpy()
    return keys[keys["label"].isin(set(labels[keep][person & strong].tolist()))].reset_index(drop=True)


def _unambiguous(parts, lab: np.ndarray) -> pd.DataFrame:
    frames = []
    for kind, values, mask in parts:
        m = mask & (values != "") & (values != "@")
        frames.append(pd.DataFrame({"label": lab[m], "key_type": kind, "key_value": values[m]}))
    keys = pd.concat(frames, ignore_index=True).drop_duplicates()
    owners = keys.groupby(["key_type", "key_value"])["label"].transform("nunique")
    return keys[owners == 1].reset_index(drop=True)


def assign_ids(n_customers: int, keys: pd.DataFrame, known: pd.DataFrame | None,
               fallback: pd.DataFrame | None = None, by_person: dict[int, str] | None = None) -> list[str]:
    """A customer number per label (see the module docstring); ``fallback``: person_fallback_keys;
    ``by_person`` (filled when given): label -> the ``name@city`` its number was kept by."""
    ids: list[str | None] = [None] * n_customers
    if known is not None and len(known) and {"key_type", "key_value", "customer_id"} <= set(known.columns):
        known = known[IDENTITY_COLUMNS].drop_duplicates()
        cand = keys.merge(known, on=["key_type", "key_value"])
        cand["by_code"] = cand["key_type"] == "uscc"
        cand = cand.sort_values(["by_code", "customer_id", "label"], ascending=[False, True, True])
        taken: set[str] = set()
        for label, cid in zip(cand["label"].tolist(), cand["customer_id"].tolist()):
            if ids[label] is None and cid not in taken:
                ids[label] = cid
                taken.add(cid)
        if fallback is not None and len(fallback):
            late = fallback.merge(known, on=["key_type", "key_value"])
            strong = known.loc[(known["key_type"] != "person") & known["customer_id"].isin(late["customer_id"]),
                               "customer_id"]
            late = late[~late["customer_id"].isin(strong)].sort_values(["customer_id", "label"])
            for label, cid, key in zip(late["label"].tolist(), late["customer_id"].tolist(),
                                       late["key_value"].tolist()):
                if ids[label] is None and cid not in taken:
                    ids[label] = cid
                    taken.add(cid)
                    if by_person is not None:
                        by_person[label] = key
    number = history.next_customer_number(known)
    for i in range(n_customers):
        if ids[i] is None:
            ids[i] = history.format_customer_id(number)
            number += 1
    return ids  # type: ignore[return-value]
