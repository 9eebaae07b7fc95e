"""How the run uses Python's cyclic garbage collector (a module of its own so the command line
can set it before importing the pipeline)."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Callable

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


def _libc_trim() -> Callable[[int], int] | None:
    try:
        import ctypes
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):           # not glibc (macOS, musl, Windows)
        return None


_TRIM = _libc_trim()


def give_back_freed_memory() -> None:
    """Hand the pages glibc's allocator holds free back to the system (``malloc_trim``): a
    stage's temporaries (a million-row frame's copies, pickled results of a child) leave freed
    pages that would otherwise count against the run — and be shared with every forked child
    for nothing. A no-op where the C library has no ``malloc_trim``."""
    if _TRIM is not None:
        _TRIM(0)
