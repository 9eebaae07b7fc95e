"""Blocking: which record pairs are worth comparing.

Input: the prepared key frame (:func:`pipeline.merge.keys.prepare_keys`). Output: the
candidate pairs table ``pairs`` with columns ``i_l``, ``i_r`` (record positions, i_l < i_r)
and ``block`` (the first blocking rule that proposed the pair). Blocking rules:

* ``code``  — the same valid credit code: a star from the first record (all will merge).
* ``mobile`` / ``email`` — the same valid value.
* ``name``  — the same company-name key, branch part and effective city (企业); a name
  without a city can only join by mobile or e-mail, which their own blocks propose.
* ``sorted`` / ``reversed`` — fuzzy candidates: within one effective city, each name key of
  at least 5 characters with the next ``merge.fuzzy_window`` keys in sorted order, and in
  order of the reversed key (a typo near the start still sorts close).

Each block compares all its pairs up to ``merge.max_block_size`` records; a larger block is
compared by sorted neighbourhood (each record with the next ``merge.block_window`` records
in name-key order), which keeps the number of pairs near-linear in the number of records.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

PAIR_COLUMNS = ["i_l", "i_r", "block"]


def _star(keys: pd.Series) -> pd.DataFrame:
    """Pairs (first record of each key, every other record of that key)."""
    s = keys[keys != ""]
    pos = pd.Series(np.arange(len(keys))[keys.to_numpy() != ""], index=s.index)
    first = pos.groupby(s.to_numpy()).transform("min")
    mask = pos.to_numpy() != first.to_numpy()
    return pd.DataFrame({"i_l": first.to_numpy()[mask], "i_r": pos.to_numpy()[mask]})


def _within(keys: pd.Series, order: pd.Series, max_block: int, window: int) -> pd.DataFrame:
    """All pairs inside each key group up to ``max_block`` records; sorted neighbourhood
    (``window`` following records by ``order``) inside larger groups."""
    frame = pd.DataFrame({"k": keys.to_numpy(), "o": order.to_numpy(), "i": np.arange(len(keys))})
    frame = frame[frame["k"] != ""]
    if frame.empty:
        return pd.DataFrame({"i_l": [], "i_r": []}, dtype="int64")
    size = frame.groupby("k")["i"].transform("size")
    frame = frame[size > 1]
    size = size[size > 1]
    small = frame[size <= max_block]
    out = []
    if not small.empty:
        m = small[["k", "i"]].merge(small[["k", "i"]], on="k", suffixes=("_l", "_r"))
        out.append(m.loc[m["i_l"] < m["i_r"], ["i_l", "i_r"]])
    large = frame[size > max_block].sort_values(["k", "o", "i"], kind="stable")
    if not large.empty:
        k = large["k"].to_numpy()
        i = large["i"].to_numpy()
        for step in range(1, window + 1):
            same = k[step:] == k[:-step]
            a, b = i[:-step][same], i[step:][same]
            out.append(pd.DataFrame({"i_l": np.minimum(a, b), "i_r": np.maximum(a, b)}))
    if not out:
        return pd.DataFrame({"i_l": [], "i_r": []}, dtype="int64")
    return pd.concat(out, ignore_index=True)


def _neighbours(keys: pd.Series, group: pd.Series, window: int) -> pd.DataFrame:
    """Sorted neighbourhood: each record with the next ``window`` records of its ``group``
    in ``keys`` order (records with an empty key or group are left out)."""
    frame = pd.DataFrame({"g": group.to_numpy(), "k": keys.to_numpy(), "i": np.arange(len(keys))})
    frame = frame[(frame["g"] != "") & (frame["k"] != "")].sort_values(["g", "k", "i"], kind="stable")
    g, i = frame["g"].to_numpy(), frame["i"].to_numpy()
    out = []
    for step in range(1, window + 1):
        if step >= len(i):
            break
        same = g[step:] == g[:-step]
        a, b = i[:-step][same], i[step:][same]
        out.append(pd.DataFrame({"i_l": np.minimum(a, b), "i_r": np.maximum(a, b)}))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame({"i_l": [], "i_r": []}, dtype="int64")


def candidate_pairs(prep: pd.DataFrame, max_block: int = 40, window: int = 10,
                    fuzzy_window: int = 3) -> pd.DataFrame:
    """The candidate pairs of ``prep`` (see the module docstring), each pair once."""
    company = prep["ctype"] == "企业"
    has_city = prep["ecity"] != ""
    order = prep["name_key"] + "|" + prep["ecity"]
    name_city = (prep["name_key"] + "#" + prep["branch"] + "|" + prep["ecity"]).where(
        company & has_city & (prep["name_key"] != ""), "")
    long_key = company & has_city & (prep["name_key"].str.len() >= 5)
    city = prep["ecity"].where(long_key, "")
    typed = prep["ctype"] + "|"
    parts = [
        ("code", _star(prep["code"].where(company, ""))),
        ("mobile", _within((typed + prep["mobile"]).where(prep["mobile"] != "", ""), order, max_block, window)),
        ("email", _within((typed + prep["email"]).where(prep["email"] != "", ""), order, max_block, window)),
        ("name", _within(name_city, prep["row_id"].astype(str), max_block, window)),
        ("sorted", _neighbours(prep["name_key"], city, fuzzy_window)),
        ("reversed", _neighbours(prep["name_key"].str[::-1], city, fuzzy_window)),
    ]
    frames = [p.assign(block=name) for name, p in parts if len(p)]
    if not frames:
        return pd.DataFrame({"i_l": pd.Series(dtype="int64"), "i_r": pd.Series(dtype="int64"),
                             "block": pd.Series(dtype="object")})
    pairs = pd.concat(frames, ignore_index=True)
    pairs = pairs.drop_duplicates(["i_l", "i_r"], keep="first").reset_index(drop=True)
    return pairs.astype({"i_l": "int64", "i_r": "int64"})
