"""Multi-row list headers: a group cell over sub-headers (``联系方式`` merged over
联系人/手机/邮箱), sub-headers under vertically merged cells (``客户名称`` merged over two
header rows), and the same drawn without merging (the group text followed by blank cells).

:func:`header_block` grows the header row found by :func:`pipeline.intake.layout.find_header`
upwards and downwards into the rows that belong to the header, and composes one label per
column: the lowest text of the column in the block (the *leaf*) and the text above it (the
*group*). The label shown everywhere is ``group/leaf`` (``联系方式/手机``) or the leaf alone.
Which field a column is, is decided by :mod:`pipeline.intake.columns` from these parts.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from .layout import HeaderMatcher, is_blank
from .titles import label_cell

#: at most this many rows form one header (a title row above is never part of it)
MAX_HEADER_ROWS = 3


@dataclass(frozen=True)
class HeaderBlock:
    first: int                      # first header row (0-based)
    last: int                       # last header row; data starts below it
    leaves: tuple[str, ...]         # per column: the lowest header text ("" for none)
    groups: tuple[str, ...]         # per column: the group text above the leaf ("" for none)

    @property
    def labels(self) -> tuple[str, ...]:
        """The label shown for each column: ``group/leaf`` or the leaf."""
        return tuple(f"{g}/{leaf}" if g and leaf and g != leaf else (leaf or g)
                     for g, leaf in zip(self.groups, self.leaves))

    @property
    def rows(self) -> int:
        return self.last - self.first + 1


def _text(v: Any) -> str:
    return v.strip() if isinstance(v, str) else ""


def _spans(row: Sequence[Any], r: int, merged, width: int) -> dict[int, int]:
    """col0 -> last column of a group cell of row ``r``: a horizontally merged range, or (not
    merged) a text followed by blank cells."""
    out: dict[int, int] = {}
    for (r1, c1), (r2, c2) in merged:
        if r1 <= r <= r2 and c2 > c1:
            out[c1] = c2
    c = 0
    while c < width:
        if c in out:
            c = out[c] + 1
            continue
        if not is_blank(row[c] if c < len(row) else None):
            end = c
            while end + 1 < width and end + 1 not in out and is_blank(row[end + 1] if end + 1 < len(row) else None):
                end += 1
            if end > c:
                out[c] = end
            c = end + 1
            continue
        c += 1
    return out


def _vertical(merged, top: int, bottom: int) -> set[int]:
    """Columns holding a merged range that starts at or above ``top`` and reaches ``bottom``."""
    return {c for (r1, c1), (r2, c2) in merged if r1 <= top and r2 >= bottom for c in range(c1, c2 + 1)}


def _is_title(row: Sequence[Any], spans: dict[int, int], width: int) -> bool:
    """One text spanning (nearly) the whole header width: a title, never a group."""
    cells = [c for c, v in enumerate(row) if not is_blank(v)]
    return len(cells) == 1 and (spans.get(cells[0], cells[0]) - cells[0] + 1 >= max(width - 1, 2) or width <= 2)


def _sub_row(upper: Sequence[Any], lower: Sequence[Any], r_upper: int, merged, width: int,
             matcher: HeaderMatcher) -> bool:
    """``lower`` is a row of sub-headers below ``upper``: only texts (or years), at least one
    known header or a year under a group cell (``年合作金额`` over ``2023年 | 2024年``), each under
    a group cell of ``upper`` or under a blank, and blank under ``upper``'s leaves (a data row
    has values under them)."""
    cells = {c: v for c, v in enumerate(lower) if not is_blank(v)}
    years = {c for c, v in cells.items() if matcher.year(v)}
    if not cells or not all(isinstance(v, str) or c in years for c, v in cells.items()):
        return False
    spans = _spans(upper, r_upper, merged, width)
    if not spans:
        return False
    grouped = {c for c1, c2 in spans.items() for c in range(c1, c2 + 1)}
    down = _vertical(merged, r_upper, r_upper + 1)
    if not (years & grouped - down) and not any(matcher.match(v).key for v in cells.values() if isinstance(v, str)):
        return False
    for c in range(width):
        below = lower[c] if c < len(lower) else None
        above = upper[c] if c < len(upper) else None
        if is_blank(below) or c in down:
            continue
        if c not in grouped and not is_blank(above):
            return False
    # at least one group really holds sub-headers: two or more cells, or one under a cell merged
    # across (a text beside a blank, without a merge, may be a data row)
    across = {c1 for (r1, c1), (r2, c2) in merged if r1 <= r_upper <= r2 and c2 > c1}
    return any(sum(1 for c in range(c1, c2 + 1) if c < len(lower) and not is_blank(lower[c]) and c not in down)
               >= (1 if c1 in across else 2) for c1, c2 in spans.items())


def _unit_row(row: Sequence[Any], matcher: HeaderMatcher) -> bool:
    """A row of money units under the header (``（万元）`` under 年合作金额): only texts, each a
    unit of rules/headers.yaml ``units``, brackets optional."""
    cells = [v for v in row if not is_blank(v)]
    return bool(cells) and all(isinstance(v, str) and _bare_unit(v) in matcher.units for v in cells)


def _bare_unit(text: str) -> str:
    return text.strip().strip("()（）[]【】").replace("单位：", "").replace("单位:", "").strip().lower()


def header_block(rows: list[list[Any]], h: int, merged, matcher: HeaderMatcher) -> HeaderBlock:
    """The header rows around row ``h`` and one (group, leaf) per column; a row of units
    right below them belongs to the header (each unit joins its column's leaf)."""
    block = _block(rows, h, merged, matcher)
    below = block.last + 1
    if below < len(rows) and _unit_row(rows[below], matcher):
        unit = rows[below]
        leaves = tuple(f"{leaf}（{_bare_unit(unit[c])}）" if c < len(unit) and not is_blank(unit[c]) and leaf
                       else leaf for c, leaf in enumerate(block.leaves))
        block = HeaderBlock(block.first, below, leaves, block.groups)
    return block


def _block(rows: list[list[Any]], h: int, merged, matcher: HeaderMatcher) -> HeaderBlock:
    width = max((len(rows[r]) for r in range(max(h - MAX_HEADER_ROWS, 0), min(h + MAX_HEADER_ROWS, len(rows)))),
                default=0)
    first, last = h, h
    while first > 0 and last - first + 1 < MAX_HEADER_ROWS:
        upper = rows[first - 1]
        if _is_title(upper, _spans(upper, first - 1, merged, width), width) \
                or any(label_cell(v, matcher) for v in upper) \
                or not _sub_row(upper, rows[first], first - 1, merged, width, matcher):
            break
        first -= 1
    while last + 1 < len(rows) and last - first + 1 < MAX_HEADER_ROWS:
        if not _sub_row(rows[last], rows[last + 1], last, merged, width, matcher):
            break
        last += 1
    if first == last:
        leaves = tuple(_text(v) if not is_blank(v) else "" for v in rows[h])
        return HeaderBlock(h, h, leaves, ("",) * len(leaves))
    # fill the block as a person sees it: merged ranges and group spans carry their text
    grid = [[(_text(rows[r][c]) or matcher.year(rows[r][c])) if c < len(rows[r]) else "" for c in range(width)]
            for r in range(first, last + 1)]
    for (r1, c1), (r2, c2) in merged:
        if r2 < first or r1 > last:
            continue
        top = _text(rows[r1][c1]) if r1 < len(rows) and c1 < len(rows[r1]) else ""
        for r in range(max(r1, first), min(r2, last) + 1):
            for c in range(c1, min(c2, width - 1) + 1):
                grid[r - first][c] = top
    for i, r in enumerate(range(first, last)):
        for c1, c2 in _spans(rows[r], r, merged, width).items():
            for c in range(c1 + 1, c2 + 1):
                if not grid[i][c]:
                    grid[i][c] = grid[i][c1]
    leaves, groups = [], []
    for c in range(width):
        texts = [grid[i][c] for i in range(len(grid)) if grid[i][c]]
        texts = [t for j, t in enumerate(texts) if j == 0 or t != texts[j - 1]]
        leaves.append(texts[-1] if texts else "")
        groups.append(texts[-2] if len(texts) > 1 else "")
    return HeaderBlock(first, last, tuple(leaves), tuple(groups))
