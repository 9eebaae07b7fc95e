"""Survivorship: one golden record per cluster, and the field conflicts behind it.

Input: ``records``, a cluster label per record position (-1 = not in a customer) and the
field keys to build. Output: ``customers`` (one row per label, in label order, *without*
customer_id) and ``conflicts`` (label, field, kept, other, sources).

Per field the kept value is the first after sorting the cluster's rows by: valid > doubtful >
invalid > empty (a value is valid when non-empty and its key is not in ``bad_fields``; doubtful
when its key is in ``weak_fields``: a truncated name, an estimate, see rules/values.yaml), then source
priority of ``src_team`` (``merge.source_priority``), then the most recent valid
``last_coop``, then the most frequent value in the cluster, then the first row read.
Every cluster with two or more different *valid* values of a field gives one conflict row.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..issues import display_value


def _is_empty(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and v != v:
        return True
    if isinstance(v, str) and not v.strip():
        return True
    return v is pd.NaT or v is pd.NA


def _source(team: Any, file: Any, row: Any) -> str:
    who = str(team).strip() if not _is_empty(team) else str(file or "")
    return f"{who} 第{row}行" if not _is_empty(row) else who


def build_customers(records: pd.DataFrame, labels: np.ndarray, fields: Sequence[str],
                    priority: Mapping[str, int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Golden records and conflicts (see the module docstring)."""
    n = len(records)
    keep = labels >= 0
    k = int(labels.max()) + 1 if keep.any() else 0
    col = lambda c, d: records[c].tolist() if c in records.columns else [d] * n  # noqa: E731
    bad = [b if isinstance(b, (frozenset, set, tuple, list)) else () for b in col("bad_fields", ())]
    weak = [w if isinstance(w, (frozenset, set, tuple, list)) else () for w in col("weak_fields", ())]
    teams = (records["src_team"].astype(object).where(records["src_team"].notna(), "").astype(str).str.strip().tolist()
             if "src_team" in records.columns else [""] * n)
    row_ids = col("row_id", None)
    row_ids = list(range(n)) if row_ids[0] is None and n else row_ids

    # representative row (first read) per cluster and cluster sizes
    pos = np.arange(n)[keep]
    lab = labels[keep]
    order = np.lexsort((pos, lab))
    pos, lab = pos[order], lab[order]
    first_of = np.ones(len(lab), dtype=bool)
    first_of[1:] = lab[1:] != lab[:-1]
    rep = pos[first_of]
    size = np.bincount(lab, minlength=k)
    customers = pd.DataFrame({f: records[f].to_numpy(dtype=object)[rep] if f in records.columns else [None] * k
                              for f in fields})
    cust_bad = [set(bad[i]) & set(fields) if size[c] == 1 else set() for c, i in enumerate(rep.tolist())]

    multi = size[lab] > 1
    mpos, mlab = pos[multi], lab[multi]
    conflicts: list[dict[str, Any]] = []
    if len(mpos):
        bad_at: dict[str, set[int]] = {}
        weak_at: dict[str, set[int]] = {}
        for i in mpos.tolist():
            for f in bad[i]:
                bad_at.setdefault(f, set()).add(i)
            for f in weak[i]:
                weak_at.setdefault(f, set()).add(i)
        prio = np.array([priority.get(teams[i], 0) for i in mpos.tolist()], dtype="int64")
        lc = records["last_coop"].to_numpy(dtype=object)[mpos] if "last_coop" in records.columns else [None] * len(mpos)
        lc_bad = bad_at.get("last_coop", set())
        lc_ord = np.array([(v.toordinal() if isinstance(v, dt.date) and i not in lc_bad else 0)
                           for v, i in zip(lc, mpos.tolist())], dtype="int64")
        files = records["src_file"].tolist() if "src_file" in records.columns else [""] * n
        src_rows = records["src_row"].tolist() if "src_row" in records.columns else [None] * n
        sources = _Lazy(lambda i: _source(teams[i], files[i], src_rows[i]))
        for f in fields:
            if f not in records.columns:
                continue
            values = records[f].to_numpy(dtype=object)[mpos]
            empty = _empty_mask(values)
            is_bad = np.isin(mpos, np.fromiter(bad_at.get(f, ()), dtype="int64"))
            is_weak = np.isin(mpos, np.fromiter(weak_at.get(f, ()), dtype="int64"))
            validity = np.where(empty, 0, np.where(is_bad, 1, np.where(is_weak, 2, 3)))
            codes = _value_codes(values, empty)
            pair_key = mlab.astype("int64") * (int(codes.max()) + 2) + codes
            _, inverse, counts = np.unique(pair_key, return_inverse=True, return_counts=True)
            freq = np.where(empty, 0, counts[inverse])
            best = np.lexsort((mpos, -freq, -lc_ord, -prio, -validity, mlab))
            bl = mlab[best]
            head = np.ones(len(bl), dtype=bool)
            head[1:] = bl[1:] != bl[:-1]
            winners = best[head]
            column = customers[f].to_numpy(dtype=object).copy()
            column[mlab[winners]] = values[winners]
            customers[f] = column
            for w in winners[validity[winners] == 1].tolist():
                cust_bad[int(mlab[w])].add(f)
            conflicts.extend(_conflicts(f, mlab, validity, codes, values, mpos, winners, sources))
    customers = customers.infer_objects()
    customers["src_count"] = size.astype("int64")
    groups = np.split(pos, np.flatnonzero(first_of)[1:]) if len(pos) else []
    customers["row_ids"] = [tuple(row_ids[i] for i in g.tolist()) for g in groups]
    customers["src_teams"] = [tuple(dict.fromkeys(teams[i] for i in g.tolist() if teams[i])) for g in groups]
    customers["bad_fields"] = [frozenset(b) for b in cust_bad]
    conflict_frame = pd.DataFrame(conflicts, columns=["label", "field", "kept", "other", "sources"])
    return customers, conflict_frame


class _Lazy(dict):
    """``make(key)``, computed on first use."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key: Any) -> str:
        value = self[key] = self.make(key)
        return value


def _empty_mask(values: np.ndarray) -> np.ndarray:
    empty = pd.isna(values)
    strings = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=len(values))
    if strings.any():
        empty[strings] = [not v.strip() for v in values[strings]]
    return np.asarray(empty, dtype=bool)


def _value_codes(values: np.ndarray, empty: np.ndarray) -> np.ndarray:
    """Integer code per value (equal values, equal codes); -1 for empty."""
    try:
        codes, _ = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    except TypeError:  # unhashable values (lists): compare their text
        codes, _ = pd.factorize(pd.Series([display_value(v) for v in values], dtype=object))
    return np.where(empty, -1, codes).astype("int64")


def _conflicts(f: str, mlab: np.ndarray, validity: np.ndarray, codes: np.ndarray, values: np.ndarray,
               mpos: np.ndarray, winners: np.ndarray, sources: Mapping[int, str]) -> list[dict[str, Any]]:
    ok = validity >= 2
    if not ok.any():
        return []
    pairs = pd.DataFrame({"lab": mlab[ok], "code": codes[ok]}).drop_duplicates()
    counts = pairs.groupby("lab").size()
    bad_labels = counts.index[counts.to_numpy() > 1].to_numpy()
    if not len(bad_labels):
        return []
    sel = ok & np.isin(mlab, bad_labels)
    df = pd.DataFrame({"lab": mlab[sel], "pos": mpos[sel], "code": codes[sel], "j": np.flatnonzero(sel)})
    first = df.drop_duplicates("code")
    text_of = {c: display_value(values[j]) for c, j in zip(first["code"].tolist(), first["j"].tolist())}
    df["text"] = df["code"].map(text_of)
    df["src"] = [sources[p] for p in df["pos"].tolist()]
    kept_code = pd.Series(codes[winners], index=mlab[winners])
    df["kept"] = df["lab"].map(kept_code).to_numpy() == df["code"].to_numpy()
    df = df.sort_values(["lab", "pos"], kind="stable")
    labs = df["lab"].to_numpy()
    starts = np.flatnonzero(np.r_[True, labs[1:] != labs[:-1]]).tolist() + [len(labs)]
    items = (df["src"] + "：" + df["text"]).tolist()
    texts, is_kept, code = df["text"].tolist(), df["kept"].tolist(), df["code"].tolist()
    out = []
    for a, b in zip(starts[:-1], starts[1:]):
        kept = next((texts[j] for j in range(a, b) if is_kept[j]), "")
        seen: dict[int, str] = {}
        for j in range(a, b):
            if not is_kept[j]:
                seen.setdefault(code[j], texts[j])
        out.append({"label": int(labs[a]), "field": f, "kept": kept, "other": "、".join(seen.values()),
                    "sources": " / ".join(items[a:b])})
    return out
