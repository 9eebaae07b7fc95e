"""Measure the merge stage alone: ``python -m bench.perf_merge 10000 30000 100000 200000``.

Part of ``make bench``. Not collected by pytest (no ``test_`` prefix). Records come from
``tests.merge_scale.scale_records`` (thousands of distinct names, every city of the region
tables, hundreds of branch strings, duplicates from several teams). Each size runs in a fresh
child process so its peak resident memory (``ru_maxrss``) is its own. Prints wall and CPU
seconds, rows/s, peak MB and the pair counts; bench/README.md records the figures.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

DEFAULT_SIZES = [10_000, 30_000, 100_000, 200_000]


def measure(n: int) -> dict:
    """Run the merge on ``n`` records in this process and return the figures."""
    import pandas as pd

    from pipeline.merge import merge_records
    from pipeline.rules import load_rules
    from tests.merge_scale import scale_records

    rules = load_rules()
    records = scale_records(n)
    start, cpu = time.perf_counter(), time.process_time()
    result = merge_records(records, rules, pd.DataFrame())
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    stats = result.data["merge_stats"]
    return {"rows": n, "seconds": round(seconds, 2), "cpu": round(cpu, 2), "rows_per_s": round(n / seconds),
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "pairs": stats["pairs_compared"], "matched": stats["pairs_matched"], "customers": stats["customers"]}


def main(sizes: list[int]) -> None:
    print("merge stage alone (bench/perf_merge.py)")
    for n in sizes:
        out = subprocess.run([sys.executable, "-m", "bench.perf_merge", "--one", str(n)],
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{r['rows']:>8} rows: {r['seconds']:7.2f} s wall, {r['cpu']:7.2f} s CPU, {r['rows_per_s']:>7} rows/s, "
              f"peak {r['peak_mb']:>6} MB, pairs {r['pairs']:>8} ({r['pairs'] / n:.2f}/row), "
              f"matched {r['matched']}, customers {r['customers']}", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(measure(int(sys.argv[2]))))
    else:
        main([int(a) for a in sys.argv[1:]] or DEFAULT_SIZES)
