"""Measure the region reader alone: ``python -m bench.perf_regions``.

Part of ``make bench`` (a small separate section). Not collected by pytest. Reads the
public address samples in tests/data/regions/ (5 000 company addresses and 5 970 annotated
ones), builds the region index from rules/, then resolves every distinct address once with a
cold cache and prints the build time and the time per distinct address (median of 5 runs);
a second pass over the same values shows the cached cost. Wall and CPU time are both
printed: on a shared machine the CPU time is the steadier figure. bench/README.md records the figures.
"""
from __future__ import annotations

import statistics
import sys
import time


def main(argv: list[str] | None = None) -> int:
    from pipeline.normalize.compiled import compiled
    from pipeline.normalize.regions import Resolver
    from pipeline.rules import load_rules
    from tests.region_eval import load

    start = time.perf_counter()
    rules = load_rules()
    loaded = time.perf_counter()
    index = compiled(rules).regions.index
    built = time.perf_counter()
    addresses = list(dict.fromkeys(
        r["address"] for name in ("company_addresses.csv", "annotated_dev.csv", "annotated_test.csv")
        for r in load(name)))
    runs, cpus = [], []
    for _ in range(5):
        resolver = Resolver(index)
        t0, c0 = time.perf_counter(), time.process_time()
        for a in addresses:
            resolver.resolve(None, None, None, a)
        runs.append((time.perf_counter() - t0) / len(addresses))
        cpus.append((time.process_time() - c0) / len(addresses))
        t0 = time.perf_counter()
        for a in addresses:
            resolver.resolve(None, None, None, a)
        cached = (time.perf_counter() - t0) / len(addresses)
    print(f"regions: rules load {loaded - start:.2f} s (all rules), index build {built - loaded:.2f} s, "
          f"{len(index.names)} names, {len(index.units)} units")
    print(f"regions: {len(addresses)} distinct addresses, {statistics.median(runs) * 1e6:.1f} µs each "
          f"wall (cold cache, median of 5; min {min(runs) * 1e6:.1f}, max {max(runs) * 1e6:.1f}), "
          f"{statistics.median(cpus) * 1e6:.1f} µs CPU; {cached * 1e6:.2f} µs cached")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
