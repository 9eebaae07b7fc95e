"""Blocking: which record pairs are worth comparing.

Input: the prepared key frame (:func:`pipeline.merge.keys.prepare_keys`). Output: the
candidate pairs table ``pairs`` with columns ``i_l``, ``i_r`` (record positions, i_l < i_r)
and ``block`` (the first blocking rule that proposed the pair). Blocking rules:

* ``code``  — the same valid credit code: a star from the first record (all will merge).
* ``mobile`` / ``email`` — the same valid value.
* ``name``  — the same company-name key, branch part and effective city (企业); a name
  without a city can only join by mobile or e-mail, which their own blocks propose.
* ``sorted`` / ``reversed`` — fuzzy candidates: within one effective city, each name key of
  at least ``merge.fuzzy_block_min_key_length`` (4) characters with the next ``merge.fuzzy_window`` keys in sorted order, and in
  order of the reversed key (a typo near the start still sorts close).

Each block compares all its pairs up to ``merge.max_block_size`` records; a larger block is
compared by sorted neighbourhood (each record with the next ``merge.block_window`` records
in name-key order), which keeps the number of pairs near-linear in the number of records.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

PAIR_COLUMNS = ["i_l", "i_r", "block"]
_NO_PAIRS = pd.DataFrame({"i_l": pd.Series(dtype="int64"), "i_r": pd.Series(dtype="int64")})


def _ids(values: pd.Series, sort: bool = False) -> np.ndarray:
    """Integer code per value ("" → -1); with ``sort`` the codes follow the sort order."""
    codes, uniques = pd.factorize(values, sort=sort)
    empty = np.flatnonzero(np.asarray(uniques, dtype=object) == "")
    return np.where(codes == empty[0], -1, codes).astype("int64") if len(empty) else codes.astype("int64")


def _combine(*parts: np.ndarray) -> np.ndarray:
    """One dense integer key from several (-1 when any part is -1).

    The key is renumbered to 0..k-1 after each part (``np.unique(return_inverse=True)``),
    so it never exceeds the number of records: memory stays linear in rows however many
    distinct names, branches and cities there are, and the product never overflows.
    """
    n = len(parts[0])
    key = np.zeros(n, dtype="int64")
    missing = np.zeros(n, dtype=bool)
    for p in parts:
        p = np.asarray(p, dtype="int64")
        missing |= p < 0
        key = _dense(key * (int(p.max(initial=0)) + 1) + np.maximum(p, 0))
    return np.where(missing, -1, key)


def _dense(values: np.ndarray) -> np.ndarray:
    """Renumber ``values`` to 0..k-1 keeping their order."""
    if not len(values):
        return values.astype("int64")
    return np.unique(values, return_inverse=True)[1].reshape(-1).astype("int64")


def _star(keys: np.ndarray) -> pd.DataFrame:
    """Pairs (first record of each key, every other record of that key)."""
    i = np.flatnonzero(keys >= 0)
    k = keys[i]
    order = np.lexsort((i, k))
    i, k = i[order], k[order]
    head = np.r_[True, k[1:] != k[:-1]] if len(k) else np.zeros(0, dtype=bool)
    first = i[np.maximum.accumulate(np.where(head, np.arange(len(i)), 0))] if len(i) else i
    mask = ~head
    return pd.DataFrame({"i_l": first[mask], "i_r": i[mask]})


def _within(keys: np.ndarray, order: np.ndarray, max_block: int, window: int) -> pd.DataFrame:
    """All pairs inside each key group up to ``max_block`` records; sorted neighbourhood
    (``window`` following records by ``order``) inside larger groups."""
    i = np.flatnonzero(keys >= 0)
    if not len(i):
        return _NO_PAIRS
    k = _dense(keys[i])  # dense codes: the counts array is at most len(i) long
    size = np.bincount(k)[k]
    small, large = (size > 1) & (size <= max_block), size > max_block
    out = []
    if small.any():
        f = pd.DataFrame({"k": k[small], "i": i[small]})
        m = f.merge(f, on="k", suffixes=("_l", "_r"))
        out.append(m.loc[m["i_l"] < m["i_r"], ["i_l", "i_r"]])
    if large.any():
        out.append(_neighbours(order[i[large]], k[large], window, i[large]))
    return pd.concat(out, ignore_index=True) if out else _NO_PAIRS


def _neighbours(sort_key: np.ndarray, group: np.ndarray, window: int, index: np.ndarray | None = None) -> pd.DataFrame:
    """Sorted neighbourhood: each record with the next ``window`` records of its ``group``
    in ``sort_key`` order (records with a negative key or group are left out)."""
    i = np.arange(len(group)) if index is None else index
    keep = (group >= 0) & (sort_key >= 0)
    g, s, i = group[keep], sort_key[keep], i[keep]
    order = np.lexsort((i, s, g))
    g, i = g[order], i[order]
    out = []
    for step in range(1, min(window, len(i) - 1) + 1):
        same = g[step:] == g[:-step]
        a, b = i[:-step][same], i[step:][same]
        out.append(pd.DataFrame({"i_l": np.minimum(a, b), "i_r": np.maximum(a, b)}))
    return pd.concat(out, ignore_index=True) if out else _NO_PAIRS


def candidate_pairs(prep: pd.DataFrame, max_block: int = 40, window: int = 10,
                    fuzzy_window: int = 3, fuzzy_min_key: int = 4) -> pd.DataFrame:
    """The candidate pairs of ``prep`` (see the module docstring), each pair once."""
    company = (prep["ctype"] == "企业").to_numpy()
    ctype = company.astype("int64")
    key_rank = _ids(prep["name_key"], sort=True)
    city = _ids(prep["ecity"])
    order = _combine(np.maximum(key_rank, 0), np.maximum(city, 0))
    name_city = _combine(key_rank, _ids(prep["branch"]) + 1, city)
    long_key = company & (prep["name_key"].str.len() >= fuzzy_min_key).to_numpy() & (city >= 0)
    fuzzy_city = np.where(long_key, city, -1)
    reversed_rank = _ids(prep["name_key"].str[::-1], sort=True)
    parts = [
        ("code", _star(np.where(company, _ids(prep["code"]), -1))),
        ("mobile", _within(_combine(_ids(prep["mobile"]), ctype), order, max_block, window)),
        ("email", _within(_combine(_ids(prep["email"]), ctype), order, max_block, window)),
        ("name", _within(np.where(company, name_city, -1), np.arange(len(prep)), max_block, window)),
        ("sorted", _neighbours(key_rank, fuzzy_city, fuzzy_window)),
        ("reversed", _neighbours(reversed_rank, fuzzy_city, fuzzy_window)),
    ]
    frames = [p.assign(block=name) for name, p in parts if len(p)]
    if not frames:
        return pd.DataFrame({"i_l": pd.Series(dtype="int64"), "i_r": pd.Series(dtype="int64"),
                             "block": pd.Series(dtype="object")})
    pairs = pd.concat(frames, ignore_index=True)
    pairs = pairs.drop_duplicates(["i_l", "i_r"], keep="first").reset_index(drop=True)
    return pairs.astype({"i_l": "int64", "i_r": "int64"})
