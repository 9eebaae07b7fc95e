"""Stable customer numbers: identity keys of this run looked up in the history's ``known``.

Identity keys (key_type, key_value) per customer, from every row of its cluster:

* ``uscc``   — a valid credit code (企业);
* ``name``   — company-name key, branch part and effective city: ``华力电子#苏州分公司@苏州市`` (企业);
* ``mobile`` — a valid mobile (个人);  ``email`` — a valid e-mail (企业 and 个人);
* ``person`` — ``name@city`` for a 个人 with neither mobile nor e-mail (weak, last resort).

A key shared by two customers of this run identifies neither and is dropped. Lookup: a
known credit code wins, then the oldest (lowest) known number; a number goes to one
customer only. Customers without a known key get new numbers after the largest ever used.
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
    frames = []
    for kind, values, mask in parts:
        m = mask & (values != "") & (values != "@")
        frames.append(pd.DataFrame({"label": lab[m], "key_type": kind, "key_value": values[m]}))
    keys = pd.concat(frames, ignore_index=True).drop_duplicates()
    owners = keys.groupby(["key_type", "key_value"])["label"].transform("nunique")
    return keys[owners == 1].reset_index(drop=True)


def assign_ids(n_customers: int, keys: pd.DataFrame, known: pd.DataFrame | None) -> list[str]:
    """A customer number per label (see the module docstring)."""
    ids: list[str | None] = [None] * n_customers
    if known is not None and len(known) and {"key_type", "key_value", "customer_id"} <= set(known.columns):
        cand = keys.merge(known[IDENTITY_COLUMNS].drop_duplicates(), on=["key_type", "key_value"])
        cand["by_code"] = cand["key_type"] == "uscc"
        cand = cand.sort_values(["by_code", "customer_id", "label"], ascending=[False, True, True])
        taken: set[str] = set()
        for label, cid in zip(cand["label"].tolist(), cand["customer_id"].tolist()):
            if ids[label] is None and cid not in taken:
                ids[label] = cid
                taken.add(cid)
    number = history.next_customer_number(known)
    for i in range(n_customers):
        if ids[i] is None:
            ids[i] = history.format_customer_id(number)
            number += 1
    return ids  # type: ignore[return-value]
