"""Values that fill other fields or need the whole row: budget ranges (预算范围 → 预算下限 /
预算上限), 成立年限 (→ 成立时间's year) and customer names cut off inside their legal form.
The words come from rules/values.yaml (see docs/normalize.md)."""
from __future__ import annotations

import datetime as dt
from functools import partial

import numpy as np
import pandas as pd

from ..rules import Rules
from .amounts import parse_budget, parse_years
from .base import Parsed, as_text, is_blank
from .columns import parse_column, report
from .compiled import Normalizers, ValueWords
from .sink import Sink


def _fill(out: pd.DataFrame, key: str, values: np.ndarray) -> np.ndarray:
    """Put ``values`` into ``out[key]`` where it is empty; returns the rows filled."""
    current = out[key].to_numpy(dtype=object, copy=True) if key in out.columns else np.full(len(out), None, dtype=object)
    rows = np.flatnonzero([is_blank(c) and v is not None for c, v in zip(current, values)])
    current[rows] = values[rows]
    out[key] = current
    return rows


def budget_ranges(out: pd.DataFrame, records: pd.DataFrame, key: str, units: np.ndarray, n: Normalizers,
                  sink: Sink) -> None:
    """预算范围 as written stays in its field; its bounds fill 预算下限 / 预算上限 where empty."""
    low_key, high_key = n.values.budget_targets
    size = len(records)
    lows, highs = np.full(size, None, dtype=object), np.full(size, None, dtype=object)
    for unit in np.unique(units):
        rows = np.flatnonzero(units == unit)
        col = parse_column(records[key], partial(parse_budget, unit=float(unit), settings=n.amounts,
                                                 words=n.values.budget), rows)
        report(col, key, sink, fixable=False)
        pairs = col.per_row(size)[rows]
        lows[rows] = [p[0] if p else None for p in pairs]
        highs[rows] = [p[1] if p else None for p in pairs]
    out[key] = [None if is_blank(v) else as_text(v) for v in records[key].tolist()]
    _fill(out, low_key, lows)
    _fill(out, high_key, highs)


def founded_from_years(out: pd.DataFrame, records: pd.DataFrame, key: str, n: Normalizers, as_of: dt.date,
                       sink: Sink) -> None:
    """成立年限 (``8年``) as whole years; an empty 成立时间 gets 1 January of the as-of year minus
    the years, flagged founded-from-years (only the year is known)."""
    col = parse_column(records[key], partial(parse_years, words=n.values.years_words,
                                             approx=n.values.years_approx))
    report(col, key, sink, fixable=False)
    years = col.per_row(len(records))
    out[key] = years
    dates = np.array([None if y is None else dt.date(as_of.year - int(y), 1, 1) for y in years], dtype=object)
    rows = _fill(out, n.values.years_target, dates)
    raw = records[key].to_numpy(dtype=object)
    sink.add_each(rows, rule="founded-from-years", field=key, values=raw[rows],
                  params=[{"year": dates[r].year} for r in rows.tolist()])


def truncated_name(name: str, words: ValueWords) -> str:
    """The completed name when ``name`` ends inside a legal form (``…有限公`` → ``…有限公司``), else ""."""
    if not name or name.endswith(words.complete_names) or name.endswith(words.not_truncated):
        return ""
    best_k, best = 0, ""
    for form in words.complete_names:
        for k in range(len(form) - 1, words.name_min_prefix - 1, -1):
            if len(name) > k + 1 and name.endswith(form[:k]):
                if k > best_k or (k == best_k and len(form) < len(best)):   # longest cut, shortest form
                    best_k, best = k, form
                break
    return name[:-best_k] + best if best_k else ""


def check_names(out: pd.DataFrame, rules: Rules, n: Normalizers, sink: Sink) -> None:
    key = next((f.key for f in rules.fields if f.type == "name" and not f.computed), "")
    if key not in out.columns or not n.values.complete_names:
        return
    col = parse_column(out[key], lambda v: Parsed(truncated_name(str(v), n.values) or None))
    for i, raw, p in col.items():
        if p.value:
            sink.add(col.rows(i), rule="name-truncated", field=key, value=raw, params={"suggestion": p.value})
