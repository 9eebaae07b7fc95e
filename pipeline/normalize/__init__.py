"""The normalize stage: canonical values (docs/normalize.md), the issues they raise, the certain
fixes for the returned workbooks and ``bad_fields`` per row.

Each column is parsed over its distinct values (:mod:`.columns`); fields that depend on
each other (regions, phones, dates, credit code vs. province and name, status flags) are
settled afterwards in :mod:`.crossfield`. The input frame is never modified.

Every row is normalized on its own (the rules and its own cells decide it), so a big month
is cut in two at its middle row: a forked child (:mod:`pipeline.parallel`) normalizes the
second half while this process does the first, and the halves are joined in row order —
the same rows, issues and fixes as one pass (tests/test_split_halves.py).
"""
from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..issues import expand_detail
from ..model import StageResult
from ..parallel import JobPool, default_workers
from ..rules import Rules
from . import crossfield, derived, several
from .amounts import parse_amount, parse_rate, parse_score
from .base import Parsed
from .codes import parse_uscc
from .columns import BLANK_ON_ERROR, blank_errors, parse_column, report
from .compiled import Normalizers, compiled
from .dates import parse_date
from .emails import parse_email
from .sink import Sink
from .text import parse_band, parse_name, parse_person, parse_tags, parse_text, parse_url

from .related import normalize_related

__all__ = ["normalize_records", "normalize_related"]

#: field types settled together with other fields (see crossfield and derived)
CROSS_TYPES = {"mobile", "landline", "province", "city", "district", "address", "industry", "budget", "years"}


def _value_parsers(n: Normalizers) -> dict[str, Callable[[Any], Any]]:
    low, high = n.score_range
    return {
        "text": partial(parse_text, max_length=n.text_max_length),
        "name": parse_name,
        "person": partial(parse_person, max_length=n.text_max_length),
        "uscc": parse_uscc,
        "band": parse_band,
        "tags": partial(parse_tags, joiner=n.tags_joiner),
        "date": partial(parse_date, settings=n.dates),
        "rate": partial(parse_rate, maximum=n.rate_max),
        "score": partial(parse_score, low=low, high=high),
        "email": parse_email,
        "url": parse_url,
    }


def _sheet_units(records: pd.DataFrame, columns: pd.DataFrame | None, key: str) -> np.ndarray:
    """Header unit multiplier per row for one field (1.0 when none)."""
    units = np.ones(len(records))
    if columns is None or columns.empty or "unit" not in columns or "src_file" not in records:
        return units
    mine = columns[(columns["field"] == key) & (columns["unit"].astype(float) != 1.0)]
    if mine.empty:
        return units
    lookup = {(f, s): float(u) for f, s, u in zip(mine["src_file"], mine["src_sheet"], mine["unit"])}
    sheets = records["src_sheet"] if "src_sheet" in records else pd.Series("", index=records.index)
    keys = pd.Series(list(zip(records["src_file"], sheets)), index=records.index)
    return keys.map(lookup).fillna(1.0).to_numpy(dtype=float)


def _amount_column(out: pd.DataFrame, records: pd.DataFrame, columns: pd.DataFrame | None, key: str,
                   n: Normalizers, sink: Sink) -> None:
    units = _sheet_units(records, columns, key)
    values = np.full(len(records), None, dtype=object)
    for unit in np.unique(units):
        rows = np.flatnonzero(units == unit)
        col = parse_column(records[key], partial(parse_amount, unit=float(unit), settings=n.amounts), rows)
        blank_errors(col, n.severity)
        # the returned workbook keeps the header's unit: a fix is written in that unit
        report(col, key, sink, value_of=lambda p, u=float(unit): None if p.value is None else round(p.value / u, 6))
        values[rows] = col.per_row(len(records))[rows]
    out[key] = values


#: from this many rows on a month is normalized in two halves side by side (a fork and the
#: pickled half cost about a second, worth it only for big months)
SPLIT_FROM_ROWS = 40_000


def normalize_records(records: pd.DataFrame, columns: pd.DataFrame, rules: Rules, as_of: dt.date) -> StageResult:
    """Canonical values, issues, certain fixes and ``bad_fields`` (see module doc)."""
    if len(records) < SPLIT_FROM_ROWS or default_workers() < 2:
        return _normalize(records, columns, rules, as_of)
    cut = len(records) // 2
    with JobPool(2) as pool:
        pool.submit(_normalize, records.iloc[cut:], columns, rules, as_of)
        first = _normalize(records.iloc[:cut], columns, rules, as_of)
        second = pool.wait()[0]
    return _joined(first, second)


def _joined(first: StageResult, second: StageResult) -> StageResult:
    """Two halves' results as one pass over all rows would give them: rows and contacts in
    row order, fixes sorted as :meth:`Sink.fixes` sorts them, issues in row order of halves."""
    a, b = first.data, second.data
    fixes = [f for f in (a["fixes"], b["fixes"]) if len(f)]
    contacts = [c for c in (a["contacts"], b["contacts"]) if len(c)]
    return StageResult(data={
        "records": _stacked(a["records"], b["records"]),
        "fixes": (pd.concat(fixes).sort_values(["row_id", "field"], kind="stable").reset_index(drop=True)
                  if len(fixes) > 1 else (fixes or [a["fixes"]])[0]),
        "contacts": pd.concat(contacts, ignore_index=True) if len(contacts) > 1 else (contacts or [a["contacts"]])[0],
    }, issues=(*first.issues, *second.issues))


def _stacked(top: pd.DataFrame, bottom: pd.DataFrame) -> pd.DataFrame:
    """The halves' rows one under the other. A column a step adds only where it has a value
    (``crossfield._ensure``: None elsewhere) may be in one half only: it is added to the other
    as None, in the place the step gives it (after the column it follows in its own half)."""
    order = list(top.columns)
    for prev, name in zip([None, *bottom.columns], bottom.columns):
        if name not in order:
            order.insert(order.index(prev) + 1 if prev is not None else 0, name)
    halves = []
    for half in (top, bottom):
        missing = [c for c in order if c not in half.columns]
        if missing:
            half = half.assign(**{c: np.full(len(half), None, dtype=object) for c in missing})
        halves.append(half[order])
    return pd.concat(halves)


def _normalize(records: pd.DataFrame, columns: pd.DataFrame, rules: Rules, as_of: dt.date) -> StageResult:
    n = compiled(rules)
    sink = Sink(records, partial(expand_detail, rules.catalog))
    records, contacts = several.split_several(records, rules, n.values, sink)
    out = records.copy()
    parsers = _value_parsers(n)
    present = [f for f in rules.fields if f.key in records.columns and not f.computed]
    for f in present:
        if f.type in CROSS_TYPES:
            continue
        if f.type == "amount":
            _amount_column(out, records, columns, f.key, n, sink)
            continue
        parse = n.enums.get(f.key) if f.type == "enum" else parsers.get(f.type, parsers["text"])
        if parse is None:
            continue
        col = parse_column(records[f.key], parse)
        if f.type in BLANK_ON_ERROR:
            blank_errors(col, n.severity)
        if f.key == "customer_type":   # intake guessed the type and reported type-unknown
            col.parsed = [Parsed(p.value) for p in col.parsed]
        report(col, f.key, sink)
        out[f.key] = col.per_row(len(records))

    for f in present:
        if f.type == "budget":
            derived.budget_ranges(out, records, f.key, _sheet_units(records, columns, f.key), n, sink)
        elif f.type == "years":
            derived.founded_from_years(out, records, f.key, n, as_of, sink)
    derived.check_names(out, rules, n, sink)
    crossfield.fill_team(out, records, rules, sink)
    crossfield.apply_status_flags(out, records, n, sink)
    crossfield.normalize_phones(out, records, rules, sink)
    crossfield.normalize_regions(out, records, rules, n, sink)
    crossfield.normalize_industry(out, records, rules, n, sink)
    crossfield.check_uscc(out, n, sink)
    crossfield.check_dates(out, rules, n, as_of, sink)

    out["bad_fields"] = sink.bad_fields(n.severity)
    out["weak_fields"] = sink.weak_fields(n.values.weak_rules)
    return StageResult(data={"records": out, "fixes": sink.fixes(), "contacts": pd.DataFrame(contacts)},
                       issues=tuple(sink.issues()))
