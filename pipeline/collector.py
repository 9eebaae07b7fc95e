"""How the run uses Python's cyclic garbage collector (a module of its own so the command line
can set it before importing the pipeline)."""
from __future__ import annotations

import gc
from contextlib import contextmanager

#: the cyclic collector's thresholds while a run goes on (Python's default is 700, 10, 10). The
#: stages allocate millions of short-lived containers (records, issues, cells) and build few
#: cycles; at the default every 700 allocations start a collection, and the older generations'
#: sweeps walk the whole heap: a fifth of a month's CPU time (bench/README.md, "Collector").
RUN_GC_THRESHOLDS = (100_000, 50, 1_000)


@contextmanager
def fewer_collections(thresholds: tuple[int, int, int] = RUN_GC_THRESHOLDS):
    """Run the body with the collector's ``thresholds``, restoring the caller's afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(*thresholds)
    try:
        yield
    finally:
        gc.set_threshold(*before)
