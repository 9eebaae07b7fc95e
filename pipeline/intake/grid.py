"""Grid form: one customer per sheet written as label/value pairs without a ``项目 | 填写内容``
header row.

(c) vertical card: a title, then rows ``客户名称 | 南京紫金电子科技有限公司`` (labels in one
    column, values right of them, maybe a 备注 column);
(d) horizontal grid: rows ``客户名称 | 南京… | 统一社会信用代码 | 9132…`` (labels every other
    column, values right of them; a value cell may be merged across columns).

Labels are known headers (rules/headers.yaml synonyms + patterns, via :class:`HeaderMatcher`).
Detection and thresholds: rules/forms.yaml ``grid_form``. Related tables below the pairs
(联系人, 互动记录 …) are recognised by their header rows and read as in the label/value form;
the record and its bookkeeping (``src_cells``, ``columns``, one ``source_rows`` entry) are
built by :func:`pipeline.intake.forms._finish` like the other forms.
"""
from __future__ import annotations

from itertools import islice
from typing import Any, Mapping

from ..issues import Issue
from ..rule_types import GridForm
from ..rules import Rules, fold_header
from .chunk import SheetContext, SheetOut
from .forms import FormRules, _finish, _label_key, _Record
from .layout import (LAYOUT_GRID, HeaderMatcher, TypeGuesser, column_letter, find_header, is_blank,
                     unknown_column_issue)
from .readers import RawSheet
from ..values import BRACKETS as _BRACKETS



def _spec(rules: Rules) -> GridForm:
    return rules.forms.grid_form


def _spans(merged) -> dict[tuple[int, int], int]:
    """(row0, col0) of the top-left cell of a horizontally merged range -> its last column."""
    return {(r1, c1): c2 for (r1, c1), (_, c2) in merged if c2 > c1}


def _is_label(value: Any, matcher: HeaderMatcher) -> bool:
    return isinstance(value, str) and matcher.match(value).key is not None


def _value_col(row: list[Any], r: int, c: int, spans: Mapping[tuple[int, int], int]) -> int:
    """The cell right of the label at ``c`` (after the label's own merged range)."""
    return spans.get((r, c), c) + 1


def _is_pair(row: list[Any], r: int, c: int, spans, matcher: HeaderMatcher) -> bool:
    """A known label at ``c`` immediately followed by a non-blank cell that is no label."""
    if not _is_label(row[c], matcher):
        return False
    vc = _value_col(row, r, c, spans)
    return vc < len(row) and not is_blank(row[vc]) and not _is_label(row[vc], matcher)


def _pair_columns(rows: list[list[Any]], spans, matcher: HeaderMatcher, scan: int) -> dict[int, list[int]]:
    """row0 -> label columns of its pairs, for the first ``scan`` rows."""
    out: dict[int, list[int]] = {}
    for r, row in enumerate(islice(rows, scan)):
        cols = [c for c in range(len(row)) if _is_pair(row, r, c, spans, matcher)]
        if cols:
            out[r] = cols
    return out


def _list_explains(rows: list[list[Any]], h: int, matcher: HeaderMatcher, check: int) -> bool:
    """Row ``h`` is a list header: two adjacent known labels, and one of the next ``check``
    non-blank rows holds non-label values under at least two of its labels."""
    cols = [c for c, v in enumerate(rows[h]) if _is_label(v, matcher)]
    if not any(b - a == 1 for a, b in zip(cols, cols[1:])):
        return False
    below = (row for row in islice(rows, h + 1, None) if any(not is_blank(v) for v in row))
    for row in islice(below, check):
        under = sum(1 for c in cols if c < len(row) and not is_blank(row[c]) and not _is_label(row[c], matcher))
        if under >= 2:
            return True
    return False


def detect_grid_form(sheet: RawSheet, rules: Rules, matcher: HeaderMatcher) -> int | None:
    """Row index of the first label/value pair when the sheet is a grid form, else None."""
    rows, merged = sheet.rows, sheet.merged
    spec = _spec(rules)
    scan, need = spec.scan_rows, spec.min_pair_rows
    pairs = _pair_columns(rows, _spans(merged), matcher, scan)
    if len(pairs) < need:
        return None
    h = find_header(rows, matcher, rules)
    if h is not None and _list_explains(rows, h, matcher, spec.list_check_rows) \
            and sum(1 for r in pairs if r < h) < need:
        return None
    return min(pairs)


def _skip_markers(rules: Rules) -> tuple[str, ...]:
    """Rows starting with a skip marker (填表人：, 注：…) are notes, not pairs."""
    probe = lambda t: t.replace(" ", "").replace("\u3000", "").replace(":", "：")[:12]  # noqa: E731
    return tuple(probe(m) for m in rules.config.intake.skip_row_markers)


def _exact_label(text: str, section: str | None, fr: FormRules, matcher: HeaderMatcher) -> bool:
    """A synonym (or a section label) as written, not only a pattern hit: ``联系人`` is a label,
    ``联系人信息`` alone on a row is a title."""
    f = fold_header(text)
    spec = fr.sections.get(section or "")
    labels = {fold_header(k) for k in spec.labels} if spec else set()
    return any(x in matcher.synonyms or x in labels for x in (f, _BRACKETS.sub("", f)))


def _adjacent_known(row: list[Any], cols: Mapping[int, str], matcher: HeaderMatcher) -> bool:
    """Two neighbouring cells both name a column or a field: a table header, not pairs."""
    known = [c in cols or _is_label(v, matcher) for c, v in enumerate(row)]
    return any(a and b for a, b in zip(known, known[1:]))


def read_grid_form(sheet: RawSheet, first_pair: int, ctx: SheetContext, rules: Rules, matcher: HeaderMatcher,
                   guesser: TypeGuesser) -> SheetOut:
    fr = FormRules(rules)
    spec = _spec(rules)
    rows, spans = sheet.rows, _spans(sheet.merged)
    markers = _skip_markers(rules)
    pairs = _pair_columns(rows, spans, matcher, spec.scan_rows)
    min_rows = spec.min_label_column_rows
    counts: dict[int, int] = {}
    for cols in pairs.values():
        for c in cols:
            counts[c] = counts.get(c, 0) + 1
    label_cols = {c for c, n in counts.items() if n >= min_rows}
    computed = {f.key for f in rules.fields if f.computed}
    table_of = {name: s.table or None for name, s in fr.sections.items()}
    titles = {fold_header(w) for w in fr.raw.label_form.label}   # 项目, 字段 …
    remark_header = rules.field_names.get("remark", "")

    out = SheetOut(layout=LAYOUT_GRID, related={t: [] for t in fr.tables})
    rec = _Record()
    section: str | None = None
    table, table_cols = None, {}
    from_tables: list[tuple[str, Any, str, str]] = []
    reported: set[str] = set()

    def put(key: str, value: Any, r: int, lc: int, vc: int, label: str) -> None:
        cell = f"{column_letter(vc)}{r + 1}"
        if rec.first_row is None:
            rec.first_row = r + 1
        if key == "" or key in computed:
            if not is_blank(value):
                rec.extras.setdefault(label, value)
            return
        if key in rec.values and is_blank(rec.values[key]):
            rec.values.pop(key)                        # an unfilled duplicate gives way
        if not rec.put(key, value, cell, label) and not is_blank(value):
            rec.extras.setdefault(label, value)
            out.issues.append(Issue(rule="column-duplicate", file=ctx.rel, sheet=ctx.sheet, row=r + 1,
                                    column=column_letter(lc), field=key,
                                    params={"header": label, "first": rec.labels[key]}))

    for r, row in enumerate(rows):
        cells = [(c, v) for c, v in enumerate(row) if not is_blank(v)]
        if not cells:
            table = None
            continue
        first = cells[0][1]
        text = first.strip() if isinstance(first, str) else ""
        if text and text.replace(" ", "").replace("\u3000", "").replace(":", "：").startswith(markers):
            continue
        if len(cells) == 1 and text:
            sec = fr.section_of(text)
            if fr.section_re.match(text) or (table is None and not _exact_label(text, section, fr, matcher)) \
                    or (table is not None and sec and table_of.get(sec) != table):
                section, table = sec, None
                continue
        hdr = fr.table_columns(row, table_of.get(section or ""))
        if hdr is not None and _adjacent_known(row, hdr[1], matcher):
            table, table_cols = hdr
            continue
        if table is not None:
            fr.read_table_row(row, r, table, table_cols, ctx, out, from_tables)
            continue
        c, after, last = 0, -1, ""        # after: the column right of the value just read (its remark)
        while c < len(row):
            v = row[c]
            if not isinstance(v, str) or not v.strip():
                c += 1
                continue
            label = v.strip()
            if c == after and not _exact_label(label, section, fr, matcher) and not _is_pair(row, r, c, spans, matcher):
                fr.read_note(rec, row, c, r, last, remark_header)     # 需客户确认 beside the value
                c += 1
                continue
            vc = _value_col(row, r, c, spans)
            nxt = row[vc] if vc < len(row) else None
            key = _label_key(label, section, fr, matcher)
            if key is None:
                if c in label_cols and not is_blank(nxt) and not _is_label(nxt, matcher) \
                        and fold_header(label) not in titles:
                    value = fr.clean(nxt)              # an unknown label with a value
                    if not is_blank(value):
                        rec.extras.setdefault(label, value)
                    if label not in reported:
                        reported.add(label)
                        out.issues.append(unknown_column_issue(matcher, ctx.rel, ctx.sheet, c, label, r + 1))
                    c = spans.get((r, vc), vc) + 1
                else:
                    c += 1
                continue
            if _is_label(nxt, matcher) and _is_pair(row, r, vc, spans, matcher):
                c = vc                                 # the next cell starts its own pair: no value here
                continue
            if is_blank(nxt) and c not in label_cols:
                c += 1                                 # a note that looks like a label
                continue
            put(key, fr.clean(nxt) if vc < len(row) else None, r, c, vc, label)
            c = after = spans.get((r, vc), vc) + 1
            last = label

    for key, value, cell, label in from_tables:          # a field left blank takes the table's value
        if key in rec.values and is_blank(rec.values[key]):
            rec.values.pop(key)
        rec.put(key, value, cell, label)
    if not rec.filled() and any(out.related.values()):
        rec.keep = True
        rec.first_row = rec.first_row or min(x["src_row"] for rows_ in out.related.values() for x in rows_)
    return _finish(out, [rec], ctx, rules, matcher, guesser)
