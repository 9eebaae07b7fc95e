"""One object per distinct value in a frame's object columns (memory at a million rows).

A stage that builds a column row by row makes a new ``str`` (or ``frozenset``, ``tuple``) for
every row even when the column holds a handful of distinct values — the grade rules, the
cities, the fields a customer has wrong. Each such object costs 50–200 bytes; a pointer to a
shared one costs nothing more than the column's own 8 bytes. :func:`share_repeated` replaces
equal values by one shared object, so a column of a few distinct texts costs its pointers only —
in this process and in every forked child that reads it (a child touching a shared object
copies one page, not one page per row).

Nothing a reader can see changes: a value is only ever replaced by an *equal value of the same
type* (``1`` and ``1.0`` and ``True`` are never merged; missing values — ``None``, NaN, ``pd.NA``
— stay the very objects they were). Only texts, dates and tuples/frozensets of texts are
shared; numbers are left alone (``0.0`` and ``-0.0`` are equal).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

#: a column is rewritten only when it holds at most this share of distinct values (below, the
#: pointers saved do not pay for the pass)
MAX_DISTINCT_SHARE = 0.5
#: a column whose first this many values are nearly all distinct (names, phones, ids) is not
#: factorized whole: the test costs a few milliseconds, the pass over a million rows ~0.2 s
SAMPLE = 4096

_SCALAR_KINDS = ("string", "date")
_CONTAINERS = (tuple, frozenset)


def share_repeated(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """``frame`` with each repeated value of its object columns stored once (in place: the
    columns are replaced, the frame is returned for convenience). See the module docstring."""
    if frame is None or not isinstance(frame, pd.DataFrame) or len(frame) < 2:
        return frame
    for position, dtype in enumerate(frame.dtypes):
        if dtype != object:
            continue
        values = frame.iloc[:, position].to_numpy()
        shared = _shared(values)
        if shared is not None:
            frame.isetitem(position, shared)
    return frame


def _shared(values: np.ndarray) -> np.ndarray | None:
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in _SCALAR_KINDS:
        return _factorized(values)
    if kind == "mixed":
        return _containers(values)
    return None


def _factorized(values: np.ndarray) -> np.ndarray | None:
    """Texts only (or dates only) besides missing values: ``pd.factorize`` compares within one
    type, so equal means identical to a reader; the missing cells keep their own objects."""
    if _dates_mixed(values):
        return None
    if len(values) > 2 * SAMPLE and len(pd.unique(values[:SAMPLE])) > 0.9 * SAMPLE:
        return None
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) > MAX_DISTINCT_SHARE * len(values):
        return None
    out = np.asarray(uniques, dtype=object).take(codes)
    missing = codes < 0
    if missing.any():
        out[missing] = values[missing]
    return out


def _dates_mixed(values: np.ndarray) -> bool:
    """True if the column mixes ``date`` and ``datetime`` objects (``infer_dtype`` may call
    both "date"); they compare unequal anyway, but a column like that is left as it is."""
    sample = values[:64]
    return any(isinstance(v, dt.datetime) for v in sample) and any(
        type(v) is dt.date for v in sample)


def _containers(values: np.ndarray) -> np.ndarray | None:
    """Tuples or frozensets holding texts only (``src_teams``, ``bad_fields``); any other value
    in the column leaves it as it is."""
    first = next((v for v in values[:64] if isinstance(v, _CONTAINERS)), None)
    if first is None:
        return None
    seen: dict = {}
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values.tolist()):
        kind = type(v)
        if kind is not tuple and kind is not frozenset:
            if v is None:
                out[i] = v
                continue
            return None
        key = (kind, v)
        held = seen.get(key)
        if held is None:
            if not all(type(x) is str for x in v):
                return None
            seen[key] = held = v
        out[i] = held
    if len(seen) > MAX_DISTINCT_SHARE * len(values):
        return None
    return out
