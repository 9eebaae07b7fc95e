"""Parse one column over its distinct values and report what each value raised."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator

import numpy as np
import pandas as pd

from .base import EMPTY, Parsed, factorize, is_blank, rows_by_code, shown
from .sink import Sink

#: field types whose canonical value is a number or a date: an error-level finding leaves
#: them empty (a wrong number must not be graded); text-like fields keep the cleaned text.
BLANK_ON_ERROR = {"amount", "rate", "score", "date"}


@dataclass
class ParsedColumn:
    """Distinct raw values of one column, their parse results and the rows holding each."""

    uniques: list[Any]
    parsed: list[Any]
    codes: np.ndarray
    positions: np.ndarray          # row position of each code's row in the full frame
    _groups: list[np.ndarray] | None = None

    def rows(self, i: int) -> np.ndarray:
        if self._groups is None:
            self._groups = [self.positions[g] for g in rows_by_code(self.codes, len(self.uniques))]
        return self._groups[i]

    def per_row(self, n: int, get: Callable[[Any], Any] = lambda p: p.value) -> np.ndarray:
        vals = np.empty(len(self.parsed) + 1, dtype=object)
        vals[:-1] = [get(p) for p in self.parsed]
        vals[-1] = None
        out = np.full(n, None, dtype=object)
        out[self.positions] = vals[self.codes]
        return out

    def items(self) -> Iterator[tuple[int, Any, Any]]:
        for i, (u, p) in enumerate(zip(self.uniques, self.parsed)):
            yield i, u, p


def parse_column(series: pd.Series, parse: Callable[[Any], Any], positions: np.ndarray | None = None,
                 empty: Any = EMPTY) -> ParsedColumn:
    if positions is None:
        positions = np.arange(len(series))
        sub = series
    else:
        sub = series.iloc[positions]
    codes, uniques = factorize(sub)
    parsed = [empty if is_blank(u) else parse(u) for u in uniques]
    return ParsedColumn(uniques, parsed, codes, positions)


def report(col: ParsedColumn, key: str, sink: Sink, fixable: bool = True,
           value_of: Callable[[Any], Any] = lambda p: p.value) -> None:
    """Issues for every finding and fixes for every certain change of visible text."""
    for i, raw, p in col.items():
        for f in p.findings:
            sink.add(col.rows(i), rule=f.rule, field=key, value=raw, params=f.params)
        if fixable and p.certain and shown(raw) != shown(value_of(p)):
            sink.fix(col.rows(i), key, raw, value_of(p))


def blank_errors(col: ParsedColumn, severity: Callable[[str], str]) -> None:
    """Numbers and dates with an error-level finding become empty."""
    col.parsed = [Parsed(None, p.findings) if any(severity(f.rule) == "error" for f in p.findings) else p
                  for p in col.parsed]
