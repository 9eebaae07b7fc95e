"""Merge quality on real company names: ``python -m bench.merge_quality [CSV]``.

False merges: every firm of the registry sample (tests/data/companies/, real names, each a
distinct firm) once, codes removed as most sales rows have none, city and province kept,
and one sales rep's mobile on every 20th row; every merge is wrong. Reported as wrongly
merged firms per 10 000 distinct firms. Recall: see ``tests.merge_real.variant_pairs``.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.merge import merge_records
from pipeline.rules import load_rules
from tests.merge_real import SAMPLE, registry_records, with_provenance


def false_merges(records: pd.DataFrame, rules) -> tuple[int, int, list[tuple[str, ...]]]:
    """(distinct firms, firms merged with another, examples) with codes removed."""
    rec = records.drop(columns=["uscc"]).copy()
    rep = np.arange(len(rec)) % 20 == 0
    rec["mobile"] = np.where(rep, "13900000001", None)
    result = merge_records(with_provenance(rec.drop(columns=["row_id", "src_team", "src_file", "src_sheet",
                                                             "src_row", "bad_fields"])), rules, pd.DataFrame())
    links = result.data["links"]
    sizes = links.groupby("customer_id")["row_id"].transform("size")
    wrong = links[sizes > 1]
    names = rec["name"].to_numpy()
    examples = [tuple(names[g["row_id"].to_numpy()]) for _, g in wrong.groupby("customer_id")][:40]
    return len(rec), len(wrong), examples


def main(paths: list[str]) -> None:
    rules = load_rules()
    for path in paths or [str(SAMPLE)]:
        p = Path(path)
        records = pd.read_pickle(p) if p.suffix == ".pkl" else registry_records(p)
        start = time.perf_counter()
        firms, wrong, examples = false_merges(records, rules)
        print(f"{p.name}: {firms} firms, {wrong} wrongly merged = {wrong / firms * 1e4:.1f} per 10 000 "
              f"({time.perf_counter() - start:.1f} s)")
        for e in examples[:40]:
            print("   ", " | ".join(e))
        table = recall_by_kind(records, rules)
        firms_total = int(table["firms"].sum())
        overall = float((table["recall"] * table["firms"]).sum() / firms_total)
        print(f"  recall overall {overall:.3f} on {firms_total} firms; customers mixing two firms: "
              f"{table.attrs['false_customers']}")
        for kind, row in table.iterrows():
            print(f"    {kind:<14} {row['recall']:.3f} ({int(row['firms'])} firms)")
        for m in table.attrs["mixed"][:10]:
            print("    mixed:", m)
        for m in table.attrs["missed"][:30]:
            print("    missed:", m)



def recall_by_kind(records: pd.DataFrame, rules, per_kind: int = 300) -> pd.DataFrame:
    """Recall per variant kind: firms whose two rows (registered name + variant, same city and
    mobile) became one customer. The variants run together with every other firm once."""
    from tests.merge_real import variant_pairs

    pairs = variant_pairs(records, per_kind)
    others = records[~records["truth"].isin(pairs["truth"])].drop(columns=["uscc"])
    frame = pd.concat([pairs.drop(columns=["kind"]), others], ignore_index=True)
    frame = with_provenance(frame.drop(columns=["row_id", "src_team", "src_file", "src_sheet", "src_row",
                                                "bad_fields"], errors="ignore"))
    result = merge_records(frame, rules, pd.DataFrame())
    links = result.data["links"].set_index("row_id")["customer_id"]
    frame["customer_id"] = frame["row_id"].map(links)
    n = len(pairs)
    got = frame.iloc[:n].assign(kind=pairs["kind"].to_numpy())
    per_firm = got.groupby(["kind", "truth"])["customer_id"].nunique() == 1
    table = per_firm.groupby("kind").agg(["mean", "size"]).rename(columns={"mean": "recall", "size": "firms"})
    wrong = frame.groupby("customer_id")["truth"].nunique()
    table.attrs["false_customers"] = int((wrong > 1).sum())
    mixed = frame[frame["customer_id"].isin(wrong[wrong > 1].index)]
    table.attrs["mixed"] = mixed.groupby("customer_id")["name"].agg(" | ".join).tolist()
    table.attrs["missed"] = got[~got.set_index(["kind", "truth"]).index.map(per_firm)].groupby(
        ["kind", "truth"])["name"].agg(" | ".join).tolist()
    return table


if __name__ == "__main__":
    main(sys.argv[1:])
