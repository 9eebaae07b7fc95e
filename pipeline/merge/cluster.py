"""Cluster matched pairs into customers with cannot-link constraints.

Input: the number of records, the matched pairs (i_l, i_r, rank, evidence), each record's
matching credit code (``code``, "" when none) and optional steward tokens. Output: a label
per record position (0..k-1 in order of first appearance) and the accepted/refused edges.

Union-find, unions applied strongest evidence first (``rank``, then name score). A union is
refused when the joined cluster would hold two different valid credit codes, or two
tokens a steward marked ``not_same`` — so no cluster ever violates a cannot-link.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np
import pandas as pd


@dataclass
class Clusters:
    labels: np.ndarray          # cluster label per record position, -1 for excluded records
    accepted: pd.DataFrame      # the edges that joined clusters (i_l, i_r, evidence)
    refused: pd.DataFrame       # matched edges refused by a cannot-link (i_l, i_r, evidence)


class _UnionFind:
    def __init__(self, n: int, codes: list[str], tokens: Mapping[int, frozenset[str]],
                 forbidden: set[frozenset[str]]):
        self.parent = list(range(n))
        self.code = list(codes)                  # the one valid code of each root ("" none)
        self.tokens: dict[int, set[str]] = {i: set(t) for i, t in tokens.items()}
        self.forbidden = forbidden

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, a: int, b: int) -> bool | None:
        """Join; True when joined, None when already one cluster, False when refused."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        ca, cb = self.code[ra], self.code[rb]
        if ca and cb and ca != cb:
            return False
        ta, tb = self.tokens.get(ra), self.tokens.get(rb)
        if ta and tb and any(frozenset((x, y)) in self.forbidden for x in ta for y in tb):
            return False
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.code[ra] = ca or cb
        if ta or tb:
            self.tokens[ra] = (ta or set()) | (tb or set())
            self.tokens.pop(rb, None)
        return True


def cluster_records(n: int, matches: pd.DataFrame, codes: Iterable[str],
                    tokens: Mapping[int, frozenset[str]] | None = None,
                    forbidden: Iterable[frozenset[str]] = (),
                    include: np.ndarray | None = None) -> Clusters:
    """Cluster ``n`` records by ``matches`` (see the module docstring).

    ``tokens``: record position -> steward tokens; ``forbidden``: pairs of tokens that must
    never share a cluster; ``include``: boolean mask of records to cluster (others get -1).
    """
    uf = _UnionFind(n, list(codes), tokens or {}, set(forbidden))
    order = matches.sort_values(["rank", "name_score", "i_l", "i_r"], ascending=[True, False, True, True],
                                kind="stable")
    il, ir = order["i_l"].to_numpy(), order["i_r"].to_numpy()
    status = np.empty(len(order), dtype=object)
    for k, (a, b) in enumerate(zip(il.tolist(), ir.tolist())):
        status[k] = uf.union(a, b)
    roots = np.fromiter((uf.find(i) for i in range(n)), dtype="int64", count=n)
    if include is not None:
        roots = np.where(include, roots, -1)
    labels = np.full(n, -1, dtype="int64")
    valid = roots >= 0
    if valid.any():
        uniq, first = np.unique(roots[valid], return_index=True)
        rank_of_root = {r: i for i, r in enumerate(uniq[np.argsort(first)])}
        labels[valid] = [rank_of_root[r] for r in roots[valid].tolist()]
    cols = ["i_l", "i_r", "evidence"]
    accepted = order.loc[status == True, cols].reset_index(drop=True)  # noqa: E712
    refused = order.loc[status == False, cols].reset_index(drop=True)  # noqa: E712
    return Clusters(labels, accepted, refused)


def _near(a: str, b: str) -> bool:
    """A mistyped code: same length, at most two characters different."""
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) <= 2


def drop_ambiguous(matches: pd.DataFrame, codes: Iterable[str],
                   raw_codes: Iterable[str] = ()) -> tuple[pd.DataFrame, np.ndarray]:
    """A record without a valid code whose name-based matches point at two or more different
    valid codes cannot be placed: drop those matches — unless its own (invalid) code is a
    near miss of exactly one of them, then keep only the matches to that code.
    Returns the kept matches and the positions left ambiguous."""
    code = np.asarray(list(codes), dtype=object)
    raw = np.asarray(list(raw_codes) or [""] * len(code), dtype=object)
    name_based = matches["rank"].to_numpy() >= 2
    if not name_based.any():
        return matches, np.array([], dtype="int64")
    il, ir = matches["i_l"].to_numpy(), matches["i_r"].to_numpy()
    cl, cr = code[il], code[ir]
    left, right = name_based & (cl == "") & (cr != ""), name_based & (cr == "") & (cl != "")
    rows = np.concatenate([il[left], ir[right]])
    other = np.concatenate([cr[left], cl[right]])
    if not len(rows):
        return matches, np.array([], dtype="int64")
    cand = pd.DataFrame({"row": rows, "code": other}).drop_duplicates()
    cand = cand[cand.groupby("row")["code"].transform("size") > 1]
    if cand.empty:
        return matches, np.array([], dtype="int64")
    cand["near"] = [bool(raw[r]) and _near(raw[r], c) for r, c in zip(cand["row"].tolist(), cand["code"].tolist())]
    near_count = cand.groupby("row")["near"].transform("sum")
    allowed = dict(cand.loc[cand["near"] & (near_count == 1), ["row", "code"]].itertuples(index=False, name=None))
    ambiguous = np.array(sorted(set(cand["row"].tolist()) - set(allowed)), dtype="int64")
    # a pair leaves when one side is ambiguous, or is placed by its near code and the
    # partner holds another code
    own_l = pd.Series(il).map(allowed).to_numpy(dtype=object)
    own_r = pd.Series(ir).map(allowed).to_numpy(dtype=object)
    wrong_l = pd.notna(own_l) & (cr != "") & (cr != own_l)
    wrong_r = pd.notna(own_r) & (cl != "") & (cl != own_r)
    drop = name_based & (np.isin(il, ambiguous) | np.isin(ir, ambiguous) | wrong_l | wrong_r)
    return matches[~drop], ambiguous
