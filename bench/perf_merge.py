"""Measure the merge stage alone: ``python -m bench.perf_merge 10000 30000 100000 200000``.

Part of ``make bench``. Not collected by pytest (no ``test_`` prefix). Records come from
``tests.merge_scale.scale_records`` (thousands of distinct names, every city of the region
tables, hundreds of branch strings, duplicates from several teams); the size ``real`` is the
real registry sample (tests/data/companies/, 25 462 real firms) plus each firm's realistic
variants (Traditional, 简称, county infix, English …) for about 30 000 rows of real names. Each
size runs in a fresh child process so its peak resident memory (``ru_maxrss``) is its own.
Prints wall and CPU seconds, rows/s (wall and CPU: the machine is shared), peak MB and the
pair counts; bench/README.md records the figures.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

DEFAULT_SIZES = ["real", "10000", "30000", "100000", "200000"]


def _records(size: str):
    import pandas as pd

    from tests.merge_real import registry_records, variant_pairs, with_provenance
    from tests.merge_scale import scale_records

    if size != "real":
        return scale_records(int(size))
    firms = registry_records()
    variants = variant_pairs(firms, per_kind=700)
    frame = pd.concat([firms.drop(columns=["uscc"]).iloc[::2], firms.iloc[1::2], variants.drop(columns=["kind"])])
    return with_provenance(frame.drop(columns=["row_id", "src_team", "src_file", "src_sheet", "src_row",
                                               "bad_fields"]))


def measure(size: str) -> dict:
    """Run the merge on the records of ``size`` in this process and return the figures."""
    import pandas as pd

    from pipeline.merge import merge_records
    from pipeline.rules import load_rules

    rules = load_rules()
    records = _records(size)
    n = len(records)
    start, cpu = time.perf_counter(), time.process_time()
    result = merge_records(records, rules, pd.DataFrame())
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    stats = result.data["merge_stats"]
    return {"size": size, "rows": n, "seconds": round(seconds, 2), "cpu": round(cpu, 2),
            "rows_per_s": round(n / seconds), "rows_per_cpu_s": round(n / max(cpu, 1e-9)),
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "pairs": stats["pairs_compared"], "matched": stats["pairs_matched"], "customers": stats["customers"]}


def main(sizes: list[str]) -> None:
    print("merge stage alone (bench/perf_merge.py)")
    for size in sizes:
        out = subprocess.run([sys.executable, "-m", "bench.perf_merge", "--one", size],
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        n = r["rows"]
        print(f"{size:>7} {n:>8} rows: {r['seconds']:7.2f} s wall, {r['cpu']:7.2f} s CPU, "
              f"{r['rows_per_s']:>7} rows/s ({r['rows_per_cpu_s']} per CPU s), "
              f"peak {r['peak_mb']:>6} MB, pairs {r['pairs']:>8} ({r['pairs'] / n:.2f}/row), "
              f"matched {r['matched']}, customers {r['customers']}", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(measure(sys.argv[2])))
    else:
        main(sys.argv[1:] or DEFAULT_SIZES)
