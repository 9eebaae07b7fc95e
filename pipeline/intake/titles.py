"""Title cells above a list's header that state a field for the whole table
(``销售代表：张伟`` on each rep's sheet, ``客户经理: 李娜`` above a table)."""
from __future__ import annotations

import re
from typing import Any, Iterable

from ..issues import Issue
from .layout import MATCH_PATTERN, HeaderMatcher, column_letter, is_blank

_LABEL = re.compile(r"^\s*([^:：]+?)\s*[:：]\s*(.*?)\s*$", re.S)


def label_cell(v: Any, matcher: HeaderMatcher) -> tuple[str, str] | None:
    """(field key, value) of a ``label：value`` text whose label is a header synonym of a
    field (never a pattern), else None."""
    m = _LABEL.match(v) if isinstance(v, str) else None
    if not m or not m.group(2):
        return None
    hit = matcher.match(m.group(1))
    return (hit.key, m.group(2)) if hit.key and hit.method != MATCH_PATTERN else None


def title_labels(rows: list[list[Any]], title_rows: Iterable[int], matcher: HeaderMatcher,
                 allowed: Iterable[str]) -> dict[str, tuple[int, int, str, str]]:
    """field key -> (row, col, cell text, value) of the first ``label：value`` cell on
    ``title_rows`` whose label is a header synonym (never a pattern) of a field in ``allowed``."""
    allowed = set(allowed)
    found: dict[str, tuple[int, int, str, str]] = {}
    for r in title_rows:
        for c, v in enumerate(rows[r] if r < len(rows) else ()):
            hit = label_cell(v, matcher)
            if hit and hit[0] in allowed and hit[0] not in found:
                found[hit[0]] = (r, c, v.strip(), hit[1])
    return found


def fill_from_titles(fields: dict[str, list[Any]], n: int, labels: dict[str, tuple[int, int, str, str]],
                     file: str, sheet: str) -> list[Issue]:
    """Give each labelled value to the rows of ``fields`` that leave its field empty (a field
    the table has no column for); one ``title-label-filled`` notice on the title cell."""
    issues = []
    for key, (r, c, text, value) in labels.items():
        column = fields.setdefault(key, [None] * n)
        empty = [i for i, x in enumerate(column) if is_blank(x)]
        for i in empty:
            column[i] = value
        if empty:
            issues.append(Issue(rule="title-label-filled", file=file, sheet=sheet, row=r + 1, column=column_letter(c),
                                field=key, value=text, params={"label": text, "count": len(empty)}))
    return issues
