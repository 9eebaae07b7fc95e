"""Merge duplicate records into customers (docs/merge.md): block → compare → cluster → survive.

:func:`merge_records` is the stage the runner calls. Each step is a small module joined by
a table: ``keys.prepare_keys`` (key frame) → ``block.candidate_pairs`` (pairs) →
``compare.compare_pairs`` (scored pairs, ``_l``/``_r`` columns) → ``cluster.cluster_records``
(labels) → ``survive.build_customers`` (golden records, conflicts) → ``ids`` (numbers).
Steward decisions from ``rules/merge.yaml`` are re-applied on every run.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any, Mapping

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

from ..issues import Issue
from ..model import (EXT_PREFIX, CONFLICT_COLUMNS, LINK_COLUMNS, MERGE_COLUMNS, OUTCOME_MERGED,
                     OUTCOME_REJECTED, StageResult)
from ..rules import Rules
from .block import candidate_pairs
from .cluster import cluster_records, drop_ambiguous
from .compare import Thresholds, common_words_of, compare_pairs
from .ids import IDENTITY_COLUMNS, assign_ids, identity_keys, person_fallback_keys
from .keys import KeyBuilder, fold_text, key_builder, prepare_keys
from .review import REVIEW_COLUMNS, combine_decisions, review_queue
from .survive import build_customers

__all__ = ["merge_records"]

_CODE_RE = re.compile(r"^[0-9A-Z]{18}$")
CUSTOMER_EXTRA_COLUMNS = ["parent_name", "src_count", "row_ids", "src_teams", "bad_fields"]


def _decisions(decisions: list[Mapping[str, Any]], kb: KeyBuilder):
    """Steward decisions → code aliases, must-link name pairs, cannot-link token pairs."""
    alias: dict[str, str] = {}
    same_names: list[tuple[str, str]] = []
    forbidden: set[frozenset[str]] = set()
    listed: list[tuple[str, str, str, str, str]] = []

    def token(text: Any, full: bool) -> str:
        t = str(text or "").strip()
        if _CODE_RE.match(t.upper()):
            return "c:" + t.upper()
        if full:
            return "f:" + fold_text(t)
        k = kb.company_key(t)
        return "n:" + k.key + ("#" + k.branch if k.branch else "")

    def root(code: str) -> str:
        while alias.get(code, code) != code:
            code = alias[code]
        return code

    for d in decisions:
        kind = str(d.get("decision", "")).strip()
        # "same" names are taken as written; "not_same" names by name key, unless both
        # names share one key (then as written)
        a, b = token(d.get("a"), kind == "same"), token(d.get("b"), kind == "same")
        if a == b and a.startswith("n:"):
            a, b = token(d.get("a"), True), token(d.get("b"), True)
        listed.append((a, b, kind, str(d.get("a", "")), str(d.get("b", ""))))
        if kind == "same" and a[0] == b[0] == "c":
            ra, rb = root(a[2:]), root(b[2:])
            if ra != rb:
                alias[max(ra, rb)] = min(ra, rb)
        elif kind == "same":
            same_names.append((a, b))
        elif kind == "not_same":
            forbidden.add(frozenset((a, b)))
    return {c: root(c) for c in alias}, same_names, forbidden, listed


def _row_tokens(prep: pd.DataFrame) -> pd.Series:
    branch = np.where(prep["branch"] != "", "#" + prep["branch"], "")
    return "n:" + prep["name_key"] + branch


def _source(rec: pd.DataFrame, i: int) -> str:
    team = str(rec["src_team"].iat[i] or "") if "src_team" in rec.columns else ""
    who = team or (str(rec["src_file"].iat[i]) if "src_file" in rec.columns else "")
    row = rec["src_row"].iat[i] if "src_row" in rec.columns else None
    return f"{who} 第{row}行" if row is not None and row == row else who


def _where(rec: pd.DataFrame, i: int) -> dict[str, Any]:
    get = lambda c, d: rec[c].iat[i] if c in rec.columns else d  # noqa: E731
    row = get("src_row", None)
    rid = get("row_id", i)
    return {"file": str(get("src_file", "") or ""), "sheet": str(get("src_sheet", "") or ""),
            "row": int(row) if row is not None and row == row else None,
            "row_id": int(rid) if rid is not None and rid == rid else None}


def merge_records(records: pd.DataFrame, rules: Rules, known: pd.DataFrame,
                  review_decisions: list[Mapping[str, Any]] | None = None) -> StageResult:
    """Merge normalized ``records`` into customers; see the package docstring and docs/merge.md.
    ``review_decisions``: the steward's 疑似重复 decisions (:mod:`pipeline.merge.review`),
    applied after the bulk decisions of rules/merge.yaml."""
    rec = records.reset_index(drop=True)
    n = len(rec)
    if n == 0:
        return _empty_result(rec, rules)
    merge_rules = rules.merge
    kb = key_builder(merge_rules, rules.tables)
    thresholds = Thresholds.from_settings(rules.config.merge)
    threshold = thresholds.similar
    decisions = combine_decisions([dataclasses.asdict(d) for d in merge_rules.decisions], review_decisions or ())
    alias, same_names, forbidden, listed = _decisions(decisions, kb)
    prep = prepare_keys(rec, kb, alias)
    company = (prep["ctype"] == "企业").to_numpy()
    identifiable = (prep["name"] != "").to_numpy() | np.where(
        company, (prep["uscc"] != "").to_numpy(), (prep["mobile"] != "").to_numpy())

    pairs = candidate_pairs(prep, rules.config.merge.max_block_size, rules.config.merge.block_window,
                            fuzzy_min_key=rules.config.merge.fuzzy_block_min_key_length)
    scored = compare_pairs(prep, pairs, thresholds, common_words_of(merge_rules))
    matches = scored.loc[scored["match"], ["i_l", "i_r", "rank", "name_score", "evidence"]]
    company_codes = prep["code"].where(prep["ctype"] == "企业", "").tolist()
    matches, ambiguous = drop_ambiguous(matches, company_codes, prep["uscc_raw"].tolist())
    tokens = _row_tokens(prep)
    full_names = ("f:" + prep["name"]).tolist()
    forced = []
    for a, b in same_names:
        hit = pd.Series(full_names).isin([a, b]) | ("c:" + prep["uscc"]).isin([a, b])
        rows = np.flatnonzero(company & hit.to_numpy() & identifiable)
        forced += [(rows[0], r) for r in rows[1:]]
    if forced:
        matches = pd.concat([matches, pd.DataFrame(
            {"i_l": [f[0] for f in forced], "i_r": [f[1] for f in forced], "rank": -1,
             "name_score": 100.0, "evidence": "人工判定为同一客户"})], ignore_index=True)
    involved = {t for pair in forbidden for t in pair}
    row_tokens: dict[int, frozenset[str]] = {}
    if involved:
        codes = ("c:" + prep["uscc"]).tolist()
        for i, (t, c, f) in enumerate(zip(tokens.tolist(), codes, full_names)):
            mine = frozenset(x for x in (t, c, f) if x in involved)
            if mine and company[i]:
                row_tokens[i] = mine
    clusters = cluster_records(n, matches, company_codes,
                               row_tokens, forbidden, include=identifiable)
    labels = clusters.labels

    fields = _survived_fields(rec, rules)
    if "customer_type" not in fields:
        fields = ["customer_type", *fields]
        rec = rec.assign(customer_type=prep["ctype"].to_numpy())
    priority = dict(rules.config.merge.source_priority)
    customers, conflicts = build_customers(rec, labels, fields, priority)
    _industry_follows(customers, rec)
    keys = identity_keys(prep, labels)
    by_person: dict[int, str] = {}
    ids = assign_ids(len(customers), keys, known, person_fallback_keys(prep, labels, known), by_person)
    customers.insert(0, "customer_id", ids)
    parents = pd.Series(prep["parent"].to_numpy()[labels >= 0]).groupby(labels[labels >= 0]).first()
    customers.insert(customers.columns.get_loc("src_count"), "parent_name", parents.reindex(range(len(customers)), fill_value="").to_numpy())
    conflicts.insert(0, "customer_id", [ids[c] for c in conflicts["label"].tolist()])
    conflicts = conflicts[CONFLICT_COLUMNS].reset_index(drop=True)

    issues: list[Issue] = []
    links, merges = _links_and_merges(rec, prep, labels, ids, clusters.accepted, customers, issues)
    issues += _warnings(rec, prep, scored, labels, customers, kb, threshold)
    issues += _kept_by_person(rec, labels, ids, by_person)
    if len(ambiguous):
        hit = scored["match"].to_numpy()
        il, ir = scored["i_l"].to_numpy()[hit], scored["i_r"].to_numpy()[hit]
        uscc = prep["uscc"].to_numpy(dtype=object)
        hits = pd.DataFrame({"i": np.concatenate([il, ir]), "code": np.concatenate([uscc[ir], uscc[il]])})
        hits = hits[hits["i"].isin(ambiguous) & (hits["code"] != "")]
        codes_of = hits.groupby("i")["code"].agg(lambda c: sorted(set(c)))
    for i in ambiguous.tolist():
        codes = codes_of.get(i, [])
        issues.append(Issue(rule="merge-ambiguous-name", field="name", value=rec["name"].iat[i],
                            params={"codes": "、".join(codes)}, **_where(rec, i)))
    seen_tokens = set(tokens.tolist()) | set(("c:" + prep["uscc"]).tolist()) | set(full_names)
    for a, b, kind, ta, tb in listed:
        if a not in seen_tokens and b not in seen_tokens:
            issues.append(Issue(rule="merge-decision-unknown", params={"a": ta, "b": tb, "decision": kind}))
    identities = keys.assign(customer_id=[ids[c] for c in keys["label"].tolist()])[IDENTITY_COLUMNS]
    reviews = review_queue(rec, scored, labels, ids, lambda i: _source(rec, i),
                           merge_rules.review.max_pairs, decisions)
    if len(reviews):
        issues.append(Issue(rule="merge-review-pending", params={"count": len(reviews),
                                                                 "sheet": merge_rules.review.sheet}))
    stats = {"records": n, "pairs_compared": len(pairs), "pairs_matched": int(scored["match"].sum()),
             "customers": len(customers), "rejected": int((~identifiable).sum()), "review_pairs": len(reviews)}
    return StageResult(data={"customers": customers, "links": links, "merges": merges, "reviews": reviews,
                             "conflicts": conflicts, "identities": identities.reset_index(drop=True),
                             "merge_stats": stats}, issues=tuple(issues))


def _kept_by_person(rec: pd.DataFrame, labels: np.ndarray, ids: list[str], by_person: Mapping[int, str]) -> list[Issue]:
    """merge-id-by-person on the first row of each customer whose number was kept by name and
    city alone: two people of one name in one city would share it, so a steward must see it."""
    out = []
    for label, key in sorted(by_person.items()):
        rows = np.flatnonzero(labels == label)
        if not len(rows):
            continue
        i = int(rows[0])
        name, _, city = key.rpartition("@")
        out.append(Issue(rule="merge-id-by-person", field="name", value=rec["name"].iat[i],
                         params={"customer_id": ids[label], "city": city or "—"}, **_where(rec, i)))
    return out


def _survived_fields(rec: pd.DataFrame, rules: Rules) -> list[str]:
    """The columns survivorship builds: the fields the records have, then the extension
    columns (``ext:<header>``, see pipeline/model.py) by the same rules."""
    fields = [f.key for f in rules.fields if f.key in rec.columns and f.key != "customer_id"]
    return fields + [c for c in rec.columns if isinstance(c, str) and c.startswith(EXT_PREFIX)]


def _empty_result(rec: pd.DataFrame, rules: Rules) -> StageResult:
    fields = _survived_fields(rec, rules)
    if "customer_type" not in fields:
        fields = ["customer_type", *fields]
    empty = lambda cols: pd.DataFrame({c: pd.Series(dtype=object) for c in cols})  # noqa: E731
    stats = {"records": 0, "pairs_compared": 0, "pairs_matched": 0, "customers": 0, "rejected": 0,
             "review_pairs": 0}
    return StageResult(data={"reviews": empty(REVIEW_COLUMNS),
        "customers": empty(["customer_id", *fields, *CUSTOMER_EXTRA_COLUMNS]), "links": empty(LINK_COLUMNS),
        "merges": empty(MERGE_COLUMNS), "conflicts": empty(CONFLICT_COLUMNS), "identities": empty(IDENTITY_COLUMNS),
        "merge_stats": stats})


def _links_and_merges(rec, prep, labels, ids, accepted, customers, issues):
    n = len(rec)
    size = customers["src_count"].to_numpy()
    ev_by_label: dict[int, list[str]] = {}
    for a, e in zip(accepted["i_l"].tolist(), accepted["evidence"].tolist()):
        lst = ev_by_label.setdefault(int(labels[a]), [])
        if e not in lst:
            lst.append(e)
    rows = []
    rids = rec["row_id"].tolist() if "row_id" in rec.columns else list(range(n))
    ctypes, branches, parents = prep["ctype"].tolist(), prep["branch"].tolist(), prep["parent"].tolist()
    joined = {lab: f"与另外 {size[lab] - 1} 行合并为同一客户：" + "；".join(ev) for lab, ev in ev_by_label.items()}
    for i, lab in enumerate(labels.tolist()):
        if lab < 0:
            extra = "和统一社会信用代码" if ctypes[i] == "企业" else "和手机号码"
            rows.append((rids[i], None, OUTCOME_REJECTED, f"没有客户名称{extra}，无法识别客户"))
            issues.append(Issue(rule="row-unidentifiable", field="name", value="", params={"extra": extra},
                                **_where(rec, i)))
            continue
        reason = joined.get(lab, "") if size[lab] > 1 else ""
        if branches[i]:
            note = f"分支机构，未并入总公司“{parents[i]}”" if parents[i] else "分支机构，单独建档"
            reason = f"{reason}；{note}" if reason else note
        rows.append((rids[i], ids[lab], OUTCOME_MERGED, reason))
    links = pd.DataFrame(rows, columns=LINK_COLUMNS)
    multi = np.flatnonzero(size > 1)
    merges = pd.DataFrame({
        "customer_id": [ids[c] for c in multi.tolist()],
        "row_ids": customers["row_ids"].to_numpy()[multi] if len(multi) else [],
        "evidence": ["；".join(ev_by_label.get(c, [])) for c in multi.tolist()],
    }, columns=MERGE_COLUMNS)
    return links, merges


def _warnings(rec, prep, scored, labels, customers, kb, threshold) -> list[Issue]:
    issues: list[Issue] = []
    # same canonical name, two different valid codes (never merged)
    if len(scored):
        li, ri = scored["i_l"].to_numpy(), scored["i_r"].to_numpy()
        ctype, uscc, code, name = (prep[a].to_numpy(dtype=object) for a in ("ctype", "uscc", "code", "name"))
        m = (ctype[li] == "企业") & (uscc[li] != "") & (uscc[ri] != "") & (code[li] != code[ri]) \
            & (name[li] == name[ri]) & (name[li] != "")
        seen: set[frozenset[str]] = set()
        for il, ir in zip(li[m].tolist(), ri[m].tolist()):
            cl, cr = uscc[il], uscc[ir]
            if frozenset((cl, cr)) in seen:
                continue
            seen.add(frozenset((cl, cr)))
            issues.append(Issue(rule="merge-same-name-different-code", field="uscc", value=cr,
                                params={"name": rec["name"].iat[ir], "other_code": cl,
                                        "other_source": _source(rec, il)}, **_where(rec, ir)))
    # one code, clearly different names (merged by the code)
    if customers.empty:
        return issues
    multi = customers["src_count"].to_numpy()[np.maximum(labels, 0)] > 1
    rows = np.flatnonzero((labels >= 0) & multi & (prep["uscc"] != "").to_numpy() & (prep["name"] != "").to_numpy())
    if len(rows) and "name" in customers.columns:
        kept_names = customers["name"].tolist()
        df = pd.DataFrame({"i": rows, "lab": labels[rows], "key": prep["name_key"].to_numpy()[rows],
                           "branch": prep["branch"].to_numpy()[rows], "raw": rec["name"].to_numpy(dtype=object)[rows]})
        df["kept"] = [kept_names[c] for c in df["lab"].tolist()]
        kept_rows = df[df["raw"] == df["kept"]].drop_duplicates("lab").set_index("lab")
        df["kept_key"] = df["lab"].map(kept_rows["key"])
        df["kept_branch"] = df["lab"].map(kept_rows["branch"])
        odd = df[(df["key"] != df["kept_key"]) | (df["branch"] != df["kept_branch"])]
        for i, lab, key, raw, kept, kept_key in odd[["i", "lab", "key", "raw", "kept", "kept_key"]].itertuples(
                index=False, name=None):
            if not isinstance(kept_key, str):
                kept_key = kb.company_key(kept).key
            if key == kept_key or fuzz.ratio(key, kept_key) >= threshold:
                continue
            issues.append(Issue(rule="merge-same-code-different-name", field="name", value=raw,
                                params={"code": prep["uscc"].iat[i], "kept": kept}, **_where(rec, i)))
    return issues


def _industry_follows(customers: pd.DataFrame, records: pd.DataFrame) -> None:
    """行业代码 and 行业门类 are those of the 所属行业 that survived (the reader gives one text one
    reading), so a kept text it could not place (`机械`: two divisions) never stands beside another
    row's code (docs/merge.md)."""
    if "industry" not in customers.columns or "industry" not in records.columns:
        return
    for column in ("industry_code", "industry_section"):
        if column in customers.columns and column in records.columns:
            of = dict(zip(records["industry"].tolist(), records[column].tolist()))
            customers[column] = [of.get(v) for v in customers["industry"].tolist()]
