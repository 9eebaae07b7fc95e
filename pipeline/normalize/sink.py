"""Collects issues and fixes by row position, then turns them into Issue records, the
``fixes`` frame and the ``bad_fields`` column in one pass at the end."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..issues import Issue, form_cell
from ..model import FIX_COLUMNS
from ..values import to_int as _int

_EMPTY_SET: frozenset[str] = frozenset()


class Sink:
    def __init__(self, records: pd.DataFrame, expand: Callable[[str, Mapping[str, Any]], Mapping[str, Any]] | None = None):
        """``expand(rule, params)`` turns a sub-code ``detail`` into its catalog sentence
        (:func:`pipeline.issues.expand_detail`)."""
        self._expand = expand or (lambda rule, params: params)
        self._n = len(records)
        self._records = records
        self._prov_lists: dict[str, list] | None = None
        self._issues: list[tuple[np.ndarray, str, str, Any, Any, bool]] = []
        self._fixes: list[tuple[np.ndarray, str, Any, Any]] = []
        self._kept: set[tuple[int, str]] = set()     # (row position, field): never fixed in place

    def add(self, rows: np.ndarray, *, rule: str, field: str, value: Any = "",
            params: Mapping[str, Any] | None = None) -> None:
        """One finding shared by every row in ``rows`` (positions)."""
        if len(rows):
            self._issues.append((np.asarray(rows), rule, field, value, dict(self._expand(rule, params or {})), False))

    def add_each(self, rows: np.ndarray, *, rule: str, field: str, values: Sequence[Any],
                 params: Sequence[Mapping[str, Any]]) -> None:
        """One finding per row, with per-row values and parameters."""
        if len(rows):
            self._issues.append((np.asarray(rows), rule, field, list(values),
                                 [self._expand(rule, p) for p in params], True))

    def keep_cell(self, row: int, field: str) -> None:
        """The cell at ``row`` (position) of ``field`` is not rewritten by a fix (it held several values)."""
        self._kept.add((int(row), field))

    def fix(self, rows: np.ndarray, field: str, original: Any, fixed: Any) -> None:
        if self._kept:
            rows = np.asarray([r for r in np.asarray(rows).tolist() if (r, field) not in self._kept], dtype=int)
        if len(rows):
            self._fixes.append((np.asarray(rows), field, original, fixed))

    @property
    def _prov(self) -> dict[str, list]:
        """Provenance columns as Python lists (ints as int), built once."""
        if self._prov_lists is None:
            r = self._records
            blank = [""] * self._n
            self._prov_lists = {
                "src_file": r["src_file"].tolist() if "src_file" in r else blank,
                "src_sheet": r["src_sheet"].tolist() if "src_sheet" in r else blank,
                "src_row": [_int(v) for v in r["src_row"].tolist()] if "src_row" in r else [None] * self._n,
                "row_id": [_int(v) for v in r["row_id"].tolist()] if "row_id" in r else [None] * self._n,
                # forms: {field: "D2"} per record, so an issue points at the value's cell
                "src_cells": r["src_cells"].tolist() if "src_cells" in r and r["src_cells"].notna().any() else None,
            }
        return self._prov_lists

    def issues(self) -> list[Issue]:
        p = self._prov
        files, sheets, srows, ids = p["src_file"], p["src_sheet"], p["src_row"], p["row_id"]
        out = []
        add = out.append
        for rows, rule, field, value, params, each in self._issues:
            if each:
                for pos, v, prm in zip(rows.tolist(), value, params):
                    add(Issue(rule=rule, file=files[pos], sheet=sheets[pos], row=srows[pos], field=field, value=v,
                              params=prm, row_id=ids[pos]))
            else:
                for pos in rows.tolist():
                    add(Issue(rule=rule, file=files[pos], sheet=sheets[pos], row=srows[pos], field=field, value=value,
                              params=params, row_id=ids[pos]))
        cells = p["src_cells"]
        if cells is not None and out:
            positions = np.concatenate([rows for rows, *_ in self._issues]).tolist()
            out = [i if cells[pos] is None else _at_cell(i, cells[pos]) for i, pos in zip(out, positions)]
        return out

    def bad_fields(self, severity: Callable[[str], str]) -> np.ndarray:
        """frozenset of field keys with an error-level issue, per row (bit masks, then one
        frozenset per distinct mask)."""
        keys: dict[str, int] = {}
        mask = np.zeros(self._n, dtype=np.uint64)
        for rows, rule, field, *_ in self._issues:
            if severity(rule) == "error":
                bit = keys.setdefault(field, len(keys))
                if bit >= 64:
                    raise ValueError("more than 64 fields with errors")
                np.bitwise_or.at(mask, rows, np.uint64(1 << bit))
        names = {bit: key for key, bit in keys.items()}
        codes, uniques = pd.factorize(mask)
        sets = np.empty(len(uniques), dtype=object)
        sets[:] = [frozenset(names[b] for b in range(len(names)) if int(m) >> b & 1) for m in uniques]
        return sets[codes]

    def weak_fields(self, weak_rules: frozenset[str]) -> np.ndarray:
        """frozenset of field keys whose value only a finding in ``weak_rules`` questions (a
        truncated name, an estimate), per row: survivorship ranks them below clean values."""
        sets = np.empty(self._n, dtype=object)
        sets[:] = [_EMPTY_SET] * self._n
        for rows, rule, field, *_ in self._issues:
            if rule in weak_rules:
                for r in np.asarray(rows).tolist():
                    sets[r] = sets[r] | {field}
        return sets

    def fixes(self) -> pd.DataFrame:
        if not self._fixes:
            return pd.DataFrame(columns=FIX_COLUMNS)
        pos = np.concatenate([rows for rows, *_ in self._fixes])
        counts = [len(rows) for rows, *_ in self._fixes]
        p = self._prov
        pick = lambda values: np.asarray(values, dtype=object)[pos]  # noqa: E731
        frame = pd.DataFrame({
            "row_id": pick(p["row_id"]), "src_file": pick(p["src_file"]), "src_sheet": pick(p["src_sheet"]),
            "src_row": pick(p["src_row"]),
            "field": np.repeat(np.array([f for _, f, _, _ in self._fixes], dtype=object), counts),
            "original": _repeat([o for _, _, o, _ in self._fixes], counts),
            "fixed": _repeat([x for _, _, _, x in self._fixes], counts),
        }, columns=FIX_COLUMNS)
        return frame.sort_values(["row_id", "field"], kind="stable").reset_index(drop=True)


def _at_cell(issue: Issue, cells: Any) -> Issue:
    """A form record's issue moved to its field's cell (intake ``src_cells``)."""
    hit = form_cell(cells, issue.field)
    return issue if hit is None else replace(issue, row=hit[0], column=hit[1])


def _repeat(values: list, counts: list[int]) -> np.ndarray:
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return np.repeat(arr, counts)


