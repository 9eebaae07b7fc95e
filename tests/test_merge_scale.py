"""Merge at real-name scale: memory stays linear in rows (no array sized by a product of
distinct names × branches × cities), and the result is still right."""
from __future__ import annotations

import tracemalloc

import pandas as pd

from pipeline.merge import merge_records
from pipeline.merge.keys import key_builder, prepare_keys
from tests.merge_scale import scale_records

ROWS = 30_000
PEAK_BOUND_MB = 400  # about 100 MB measured; a product-sized array needs tens of GB


def test_merge_30k_rows_of_diverse_names_under_a_memory_bound(rules):
    records = scale_records(ROWS)
    prep = prepare_keys(records, key_builder(rules.merge, rules.tables))
    assert prep["name_key"].nunique() >= 5_000
    assert prep["ecity"].nunique() >= 300
    assert prep["branch"].nunique() >= 500

    tracemalloc.start()
    try:
        result = merge_records(records, rules, pd.DataFrame())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < PEAK_BOUND_MB * 1e6, f"merge peaked at {peak / 1e6:.0f} MB"

    links = result.data["links"].merge(records[["row_id", "uscc"]], on="row_id")
    coded = links[links["uscc"].notna()]
    # every code is exactly one customer, and no customer holds two codes
    assert (coded.groupby("uscc")["customer_id"].nunique() == 1).all()
    assert (coded.groupby("customer_id")["uscc"].nunique() == 1).all()
    assert result.data["merge_stats"]["pairs_compared"] < 10 * ROWS
