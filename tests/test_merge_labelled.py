"""Pairwise precision and recall of the merge stage on a labelled set (tests/merge_cases.py)."""
from itertools import combinations

import pandas as pd

from pipeline.merge import merge_records
from pipeline.merge.block import candidate_pairs
from pipeline.merge.keys import key_builder, prepare_keys
from tests.merge_cases import labelled_records


def _pairs(frame: pd.DataFrame, column: str) -> set[tuple[int, int]]:
    out = set()
    for _, group in frame.groupby(column):
        out.update(combinations(sorted(group["row_id"].tolist()), 2))
    return out


def test_labelled_set_precision_and_recall(rules):
    records = labelled_records()
    assert len(records) >= 150
    result = merge_records(records.drop(columns=["truth"]), rules, pd.DataFrame())
    links = result.data["links"].merge(records[["row_id", "truth"]], on="row_id")

    rejected = links[links["outcome"] == "退回"]
    assert set(rejected["truth"]) == {0}, "only the unidentifiable rows are returned"
    assert len(rejected) == (records["truth"] == 0).sum()

    kept = links[links["truth"] != 0]
    truth, found = _pairs(kept, "truth"), _pairs(kept, "customer_id")
    tp = len(truth & found)
    precision, recall = tp / len(found), tp / len(truth)
    missed = sorted(truth - found)[:5]
    wrong = sorted(found - truth)[:5]
    assert precision >= 0.99, (precision, wrong)
    assert recall >= 0.97, (recall, missed)
    assert len(truth) >= 150


def test_labelled_near_misses_stay_apart(rules):
    records = labelled_records()
    result = merge_records(records.drop(columns=["truth"]), rules, pd.DataFrame())
    customers = result.data["customers"]
    # one customer per real customer (the unidentifiable rows excluded)
    assert len(customers) == records.loc[records["truth"] != 0, "truth"].nunique()
    assert customers["customer_id"].is_unique


def test_blocking_keeps_true_pairs_and_drops_most_others(rules):
    records = labelled_records()
    prep = prepare_keys(records, key_builder(rules.merge, rules.tables))
    pairs = candidate_pairs(prep)
    ids = records["row_id"].to_numpy()
    candidates = set(zip(ids[pairs["i_l"]], ids[pairs["i_r"]]))
    truth = _pairs(records[records["truth"] != 0], "truth")
    n = len(records)
    assert len(truth & candidates) / len(truth) >= 0.97          # pair recall of blocking
    assert 1 - len(pairs) / (n * (n - 1) / 2) >= 0.95           # reduction ratio
