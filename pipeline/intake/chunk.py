"""What reading one sheet yields, before row ids are assigned across the run."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..issues import Issue
from ..rules import Rules


@dataclass
class SheetContext:
    rel: str          # file name relative to the input folder
    sheet: str        # sheet name ("" for csv)
    sha256: str
    team: str
    stem: str         # file stem (a hint for the customer type)


@dataclass
class SheetOut:
    """Records of one sheet, column-wise; ``row_id`` values inside are local (0..n-1)."""

    layout: str
    n: int = 0
    fields: dict[str, list[Any]] = field(default_factory=dict)
    src_row: list[int] = field(default_factory=list)
    customer_type: list[Any] = field(default_factory=list)
    extras: list[dict | None] = field(default_factory=list)
    src_cells: list[dict | None] = field(default_factory=list)
    source_rows: list[tuple[int, int | None, str, str]] = field(default_factory=list)  # row, local id, outcome, reason
    column_rows: list[dict[str, Any]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    related: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    mapping: list[dict[str, Any]] = field(default_factory=list)   # the 列映射 rows (model.MAPPING_COLUMNS)


def column_missing_issues(present: Iterable[str], types: list[Any], ctx: SheetContext, rules: Rules) -> list[Issue]:
    """One ``column-missing`` issue per required field whose column the sheet lacks entirely.

    ``count`` is the number of records of a type that requires the field. For a one-of group
    (手机号码/办公电话 for 企业) the first field of the group is named when no member exists."""
    present = set(present)
    counts = Counter(t for t in types if t in ("企业", "个人"))
    groups: dict[str, list] = {}
    for f in rules.fields:
        if f.one_of:
            groups.setdefault(f.one_of, []).append(f)
    out = []
    for f in rules.fields:
        if f.computed or f.key in present:
            continue
        needing = set(f.required)
        group = groups.get(f.one_of, [])
        if group and group[0].key == f.key and not any(g.key in present for g in group):
            needing |= set(f.one_of_types)
        count = sum(counts[t] for t in needing)
        if count:
            out.append(Issue(rule="column-missing", file=ctx.rel, sheet=ctx.sheet, field=f.key,
                             params={"count": count}))
    return out
