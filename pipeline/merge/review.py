"""The review queue (疑似重复): near pairs a steward decides, and those decisions read back.

:func:`review_queue` lists the pairs compare flagged ``review`` (a name level with a city or
contact in common, not enough to merge) whose rows ended in two different customers — one
row per customer pair, most similar first. The writer puts it on the ``疑似重复`` sheet of
customers.xlsx with a ``决定`` dropdown (rules/merge.yaml ``review``).

:func:`decisions_from_rows` turns filled-in sheet rows back into steward decisions of the
``rules/merge.yaml`` form (``{a, b, decision, note}``); the merge stage applies them exactly like
the bulk decisions of rules/merge.yaml, and the history store remembers them for later months.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from ..rule_types import ReviewSheet

REVIEW_COLUMNS = ["customer_id_a", "name_a", "uscc_a", "city_a", "mobile_a", "email_a", "source_a",
                  "customer_id_b", "name_b", "uscc_b", "city_b", "mobile_b", "email_b", "source_b",
                  "similarity", "evidence"]
DECISION_COLUMNS = ["a", "b", "decision", "note"]


def review_queue(rec: pd.DataFrame, scored: pd.DataFrame, labels: np.ndarray, ids: list[str],
                 source: Callable[[int], str], max_pairs: int = 5000,
                 decided: Iterable[Mapping[str, Any]] = ()) -> pd.DataFrame:
    """Near pairs in two different customers (see the module docstring); a pair the steward
    already decided (``decided``: names as written or credit codes) is not asked again."""
    if not len(scored) or "review" not in scored.columns:
        return pd.DataFrame(columns=REVIEW_COLUMNS)
    q = scored.loc[scored["review"].to_numpy(), ["i_l", "i_r", "name_score", "evidence"]]
    if q.empty:
        return pd.DataFrame(columns=REVIEW_COLUMNS)
    la, lb = labels[q["i_l"].to_numpy()], labels[q["i_r"].to_numpy()]
    q = q[(la >= 0) & (lb >= 0) & (la != lb)].assign(la=la[(la >= 0) & (lb >= 0) & (la != lb)],
                                                     lb=lb[(la >= 0) & (lb >= 0) & (la != lb)])
    if q.empty:
        return pd.DataFrame(columns=REVIEW_COLUMNS)
    q["pair"] = [tuple(sorted(p)) for p in zip(q["la"].tolist(), q["lb"].tolist())]
    q = q.sort_values(["name_score", "i_l", "i_r"], ascending=[False, True, True], kind="stable")
    q = q.drop_duplicates("pair").head(max_pairs)

    def col(c: str) -> np.ndarray:
        if c not in rec.columns:
            return np.full(len(rec), "", dtype=object)
        v = rec[c].astype(object)
        return v.where(v.notna(), "").astype(str).to_numpy()

    name, uscc, city, mobile, email = (col(c) for c in ("name", "uscc", "city", "mobile", "email"))
    out: dict[str, list] = {c: [] for c in REVIEW_COLUMNS}
    done = {frozenset((str(d.get("a", "")).strip(), str(d.get("b", "")).strip())) for d in decided}
    for i, j, score, ev in q[["i_l", "i_r", "name_score", "evidence"]].itertuples(index=False, name=None):
        if frozenset((name[i], name[j])) in done or frozenset((uscc[i], uscc[j])) in done:
            continue
        for side, k in (("a", i), ("b", j)):
            out[f"customer_id_{side}"].append(ids[labels[k]])
            out[f"name_{side}"].append(name[k])
            out[f"uscc_{side}"].append(uscc[k])
            out[f"city_{side}"].append(city[k])
            out[f"mobile_{side}"].append(mobile[k])
            out[f"email_{side}"].append(email[k])
            out[f"source_{side}"].append(source(k))
        out["similarity"].append(float(score))
        out["evidence"].append(ev)
    return pd.DataFrame(out, columns=REVIEW_COLUMNS)


def _folded(value: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or ""))).upper()


def decisions_from_rows(rows: Iterable[Mapping[str, Any]], settings: ReviewSheet,
                        note: str = "", unknown: list[tuple[int, str]] | None = None) -> list[dict[str, str]]:
    """Filled-in 疑似重复 rows (header → value) → decisions ``{a, b, decision, note}``. A pair is
    named by its credit codes when both rows carry one, else by the names as written. 决定 is
    the dropdown's value or one of ``same_words`` / ``not_same_words`` (rules/merge.yaml, without
    case or spaces); rows with an empty 决定 are left out, and those with any other value too —
    they are added to ``unknown`` as (position of the row among ``rows``, value)."""
    kinds = {_folded(w): "same" for w in (settings.same, *settings.same_words)}
    kinds.update({_folded(w): "not_same" for w in (settings.not_same, *settings.not_same_words)})
    out = []
    for n, row in enumerate(rows):
        written = str(row.get(settings.decision_column) or "").strip()
        kind = kinds.get(_folded(written))
        if not kind:
            if written and unknown is not None:
                unknown.append((n, written))
            continue
        code_a = str(row.get(settings.code_a) or "").strip()
        code_b = str(row.get(settings.code_b) or "").strip()
        a = code_a if code_a and code_b else str(row.get(settings.name_a) or "").strip()
        b = code_b if code_a and code_b else str(row.get(settings.name_b) or "").strip()
        if a and b and a != b:
            out.append({"a": a, "b": b, "decision": kind, "note": note})
    return out


def combine_decisions(*groups: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Decisions of several sources in order; a later decision on the same pair replaces an
    earlier one (this month's workbook over the history store)."""
    seen: dict[frozenset[str], dict[str, str]] = {}
    for group in groups:
        for d in group or ():
            a, b = str(d.get("a", "")).strip(), str(d.get("b", "")).strip()
            if a and b:
                seen[frozenset((a, b))] = {"a": a, "b": b, "decision": str(d.get("decision", "")),
                                           "note": str(d.get("note", "") or "")}
    return list(seen.values())
