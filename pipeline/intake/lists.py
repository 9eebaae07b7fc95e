"""List layout: one header row, one customer per data row."""
from __future__ import annotations

import dataclasses
import re
from typing import Any

from ..issues import Issue, display_value
from ..rules import Rules, fold_header
from .chunk import SheetContext, SheetOut, column_missing_issues
from .columns import EXT_PREFIX, ColumnRules, Decision, column_notice, column_rules, decide, match_header, \
    latest_year_columns, route_value, samples_of
from .headers import header_block
from .layout import (LAYOUT_LIST, MATCH_PATTERN, HeaderMatcher, RowClassifier, TypeGuesser, column_letter, find_header, is_blank,
                     sheet_type, unknown_column_issue)
from .readers import RawSheet
from .titles import fill_from_titles, title_labels


def fill_merged(rows: list[list[Any]], merged, first_row: int, stop: int | None = None) -> None:
    """Give every row of a merged range at or below ``first_row`` the value of its top-left
    cell, in the range's first column (a 大区 merged down belongs to each of its rows; a note
    merged across the sheet is one value, not one per column). Rows are the reader's own
    lists; nothing else shares them."""
    for (r1, c1), (r2, c2) in merged:
        if r2 < first_row or r1 >= len(rows) or r2 == r1:
            continue
        value = rows[r1][c1] if c1 < len(rows[r1]) else ""
        for r in range(max(r1 + 1, first_row), min(r2, len(rows) - 1, (stop or len(rows)) - 1) + 1):
            row = rows[r]
            if c1 < len(row):
                row[c1] = value


def merged_in_data(merged, first_row: int, rows: list[list[Any]], width: int) -> tuple[dict[int, set[int]], set[int]]:
    """Below the header: row -> columns holding a value merged down from a row above (filled by
    :func:`fill_merged`), and the rows whose only content is one cell merged across at least
    half of the ``width`` header columns (a note or a title inside the list)."""
    filled: dict[int, set[int]] = {}
    notes: set[int] = set()
    for (r1, c1), (r2, c2) in merged:
        for r in range(max(r1 + 1, first_row), r2 + 1):
            filled.setdefault(r, set()).add(c1)
        if r1 >= first_row and r1 < len(rows) and c2 - c1 + 1 >= max(2, (width + 1) // 2):
            row = rows[r1]
            if all(is_blank(v) for c, v in enumerate(row) if not c1 <= c <= c2):
                notes.add(r1)
    return filled, notes


def is_sequence(values) -> bool:
    """The non-empty values are whole numbers growing from row to row (1, 2, 3 …, gaps
    allowed where rows were deleted, a number repeated where it is merged over a customer's
    two rows): a row numbering, nothing a customer owns."""
    last = None
    for v in values:
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        if isinstance(v, bool):
            return False
        if isinstance(v, str) and v.strip().isdigit():
            v = int(v.strip())
        if not isinstance(v, int) or (last is not None and v < last):
            return False
        last = v
    return True


def detect_list_header(sheet: RawSheet, rules: Rules, matcher: HeaderMatcher) -> int | None:
    """The header row of a list layout (:func:`pipeline.intake.layout.find_header`), else None."""
    return find_header(sheet.rows, matcher, rules)


def _mapping(ctx: SheetContext, col0: int, header: str, field: str, method: str, samples,
             ext: bool = False) -> dict[str, Any]:
    """One 列映射 row; ``ext``: ``field`` is an extension column (named by the run, intake/__init__)."""
    return {"src_file": ctx.rel, "src_sheet": ctx.sheet, "column": column_letter(col0), "header": header,
            "field": field, "method": method, "samples": "、".join(display_value(v) for v in samples), "_ext": ext}


def read_list_sheet(sheet: RawSheet, header_idx: int, ctx: SheetContext, rules: Rules,
                    matcher: HeaderMatcher, guesser: TypeGuesser) -> SheetOut:
    """One list sheet; several tables one below the other (企业客户, then 个人客户 under a header
    of its own) are read each under its own header (:func:`tables_of`)."""
    tables = tables_of(sheet.rows, header_idx, sheet.merged, matcher, rules)
    outs = [_read_table(sheet, h, stop, titles, tables[i + 1][2] if i + 1 < len(tables) else {}, ctx, rules,
                        matcher, guesser, own_cells=i > 0)
            for i, (h, stop, titles) in enumerate(tables)]
    return outs[0] if len(outs) == 1 else join_tables(outs)


def tables_of(rows: list[list[Any]], h: int, merged, matcher: HeaderMatcher,
              rules: Rules) -> list[tuple[int, int, dict[int, str]]]:
    """(header row, end row, title rows) of each table of a list sheet. A later row naming at
    least ``intake.header_min_matches`` fields in columns that do not repeat the header (other
    fields, or the same at other places) by header synonyms (no pattern), in at least half of its
    texts, starts a new table; the text-only rows just above it
    (``个人客户``) are its titles, skipped as 说明行 and a hint of its customer type."""
    need = rules.config.intake.header_min_matches
    # a cheap first look per cell: a header text as written (headers of the first table are folded
    # by the matcher; a later table's header is most often typed plainly: 姓名, 手机号码)
    known = set(matcher.synonyms) | {f.name for f in rules.fields}
    out: list[tuple[int, int, dict[int, str]]] = []
    start, titles = h, {}
    while True:
        block = header_block(rows, start, merged, matcher)
        current = {c: matcher.match(v).key for c, v in enumerate(block.leaves) if v and matcher.match(v).key}
        nxt = None
        for r in range(block.last + 1, len(rows)):
            row = rows[r]
            if sum(1 for v in row if v in known) < need:
                continue
            texts = [(c, v) for c, v in enumerate(row) if isinstance(v, str) and v.strip()]
            found = {c: m.key for c, m in ((c, matcher.match(v)) for c, v in texts) if m.key and m.method != MATCH_PATTERN}
            if len(set(found.values())) >= need and 2 * len(found) >= len(texts) \
                    and any(current.get(c) != k for c, k in found.items()):
                nxt = r
                break
        if nxt is None:
            out.append((start, len(rows), titles))
            return out
        above: dict[int, str] = {}
        r = nxt - 1
        while r > block.last and len(above) < 2:
            cells = [v for v in rows[r] if not is_blank(v)]
            if len(cells) == 1 and isinstance(cells[0], str):
                above[r] = cells[0].strip()
            elif cells:
                break
            r -= 1
        out.append((start, nxt, titles))
        start, titles = nxt, above


def join_tables(outs: list[SheetOut]) -> SheetOut:
    """The tables of one sheet as one :class:`SheetOut` (local row ids renumbered)."""
    joined = SheetOut(layout=outs[0].layout)
    for part in outs:
        base, n = joined.n, part.n
        for key in set(joined.fields) | set(part.fields):
            joined.fields.setdefault(key, [None] * base).extend(part.fields.get(key, [None] * n))
        for name in ("src_row", "customer_type", "extras", "src_cells", "column_rows", "mapping"):
            getattr(joined, name).extend(getattr(part, name))
        joined.source_rows.extend((row, None if i is None else base + i, outcome, reason)
                                  for row, i, outcome, reason in part.source_rows)
        joined.issues.extend(i if i.row_id is None else dataclasses.replace(i, row_id=base + i.row_id)
                             for i in part.issues)
        joined.n += n
    if joined.n:
        joined.issues = [i for i in joined.issues if i.rule != "file-empty"]
    return joined


def _read_table(sheet: RawSheet, header_idx: int, stop: int, titles: dict[int, str], before_next: dict[int, str],
                ctx: SheetContext, rules: Rules, matcher: HeaderMatcher, guesser: TypeGuesser,
                own_cells: bool = False) -> SheetOut:
    """The rows of one table (header at ``header_idx``, rows up to ``stop``). ``titles``: the
    rows above its header (a hint of the customer type); ``before_next``: the next table's
    titles, skipped here. ``own_cells``: a table below another one gets ``src_cells`` on every
    record (its columns are not those of the sheet's first header)."""
    rows = sheet.rows
    out = SheetOut(layout=LAYOUT_LIST)
    block = header_block(rows, header_idx, sheet.merged, matcher)
    fill_merged(rows, sheet.merged, block.last + 1, stop)
    labels, leaves, groups = block.labels, block.leaves, block.groups
    header = list(labels)
    cr = column_rules(rules)
    cr.forget()
    fnames = rules.field_names
    computed = frozenset(f.key for f in rules.fields if f.computed)
    ignored = {fold_header(h) for h in rules.config.intake.ignored_headers}

    # pass 1, headers only: which columns name a field (decides which rows hold data)
    header_keys: dict[int, str] = {}
    ignore_cols: set[int] = set()
    for col0, label in enumerate(labels):
        if not label:
            continue
        if fold_header(leaves[col0] or label) in ignored and not cr.pin(ctx.team, [label, leaves[col0]]):
            ignore_cols.add(col0)
            continue
        key = cr.pin(ctx.team, [label, leaves[col0]]) or match_header(leaves[col0], groups[col0], matcher)[0].key
        if key and key not in computed and key in cr.types:
            header_keys[col0] = key

    latest = latest_year_columns(header_keys, labels, cr)
    earlier_years: dict[str, list[tuple[int, str, float]]] = {}   # field -> its earlier years' columns
    units: dict[str, float] = {}
    classifier = RowClassifier(rules, header, header_keys, matcher, frozenset(ignore_cols))
    filled, notes = merged_in_data(sheet.merged, block.last + 1, rows, sum(1 for x in labels if x))
    data_idx: list[int] = []
    for r in range(block.last + 1, stop):
        reason = classifier.skip_reason(rows[r], filled.get(r, frozenset()), r in notes or r in before_next)
        if reason is None:
            out.source_rows.append((r + 1, len(data_idx), "data", ""))
            data_idx.append(r)
        else:
            out.source_rows.append((r + 1, None, "跳过", reason))
    n = out.n = len(data_idx)
    out.src_row = [r + 1 for r in data_idx]
    if n == 0:
        out.issues.append(Issue(rule="file-empty", file=ctx.rel, sheet=ctx.sheet))
        return out

    # inline form of layout.raw_value (2.5 M cells per 100 000 × 25 sheet)
    data_cols = [[None if v == "" else (int(v) if v.__class__ is float and v.is_integer() and -1e16 < v < 1e16
                                        else v) for v in col] for col in zip(*(rows[r] for r in data_idx))]
    out.issues.extend(_images_out(data_cols, data_idx, ctx, rules))
    hrow = block.first + 1
    keep: dict[str, int] = {}                 # key -> col0
    ext_cols: list[tuple[int, str]] = []      # (col0, extension column name)
    extra_cols: list[tuple[int, str]] = []    # (col0, header) kept in extras
    splits: list[tuple[str, int]] = []        # (key, col0) routed value by value
    for col0 in range(len(data_cols)):
        values = data_cols[col0]
        label = labels[col0] if col0 < len(labels) else ""
        if not label:
            if any(v is not None for v in values):
                label = f"{column_letter(col0)}列"
                ext_cols.append((col0, label))
                extra_cols.append((col0, label))
                out.issues.append(unknown_column_issue(matcher, ctx.rel, ctx.sheet, col0, label, hrow))
                out.mapping.append(_mapping(ctx, col0, label, label, cr.method("extension"), samples_of(values), True))
            continue
        if col0 in ignore_cols and is_sequence(values):
            extra_cols.append((col0, label))
            out.mapping.append(_mapping(ctx, col0, label, "", cr.method("ignored"), samples_of(values)))
            continue
        if col0 in ignore_cols:             # 编号 holding the team's own codes: kept, and said so
            d = Decision(None, "numbering", ext=label, notice="column-numbering", samples=samples_of(values))
        else:
            d = decide(label, leaves[col0], groups[col0], values, ctx.team, matcher, cr, computed)
        if d.key is not None and latest.get(d.key, col0) != col0 and header_keys.get(col0) == d.key:
            out.issues.append(Issue(rule="column-year-kept", file=ctx.rel, sheet=ctx.sheet, row=hrow,
                                    column=column_letter(col0), field=d.key,
                                    params={"header": label, "kept": str(labels[latest[d.key]]).strip()}))
            earlier_years.setdefault(d.key, []).append((col0, label, d.unit))
            d = Decision(None, "duplicate", header_key=d.key, ext=label, samples=d.samples)
        elif d.key is not None and d.key in keep:
            first = str(header[keep[d.key]]).strip()
            split = d.key in cr.split_fields
            d = Decision(None, "duplicate", header_key=d.key, ext=label + cr.duplicate_suffix, samples=d.samples,
                         split=split, notice="column-split" if split else "")
            out.issues.append(Issue(rule="column-duplicate", file=ctx.rel, sheet=ctx.sheet, row=hrow,
                                    column=column_letter(col0), field=d.header_key,
                                    params={"header": label, "first": first}))
        if d.key is None:
            ext_cols.append((col0, d.ext))
            if d.split:                       # a second contact column fills what the first left blank
                splits.append((EXT_PREFIX + d.ext, col0))
            extra_cols.append((col0, label))
            if d.method == "extension" and d.header_key is None:
                out.issues.append(unknown_column_issue(matcher, ctx.rel, ctx.sheet, col0, label, hrow))
            out.mapping.append(_mapping(ctx, col0, label, d.ext, cr.method(d.method), d.samples, True))
        else:
            keep[d.key] = col0
            units[d.key] = d.unit
            out.column_rows.append({"src_file": ctx.rel, "src_sheet": ctx.sheet, "field": d.key,
                                    "column": column_letter(col0), "header": label, "unit": d.unit})
            out.mapping.append(_mapping(ctx, col0, label, fnames.get(d.key, d.key), cr.method(d.method), d.samples))
            if d.split:
                splits.append((d.key, col0))
        if d.notice:
            out.issues.append(column_notice(d, ctx.rel, ctx.sheet, column_letter(col0), label, hrow, cr,
                                                 ctx.team))

    for key, col0 in keep.items():
        out.fields[key] = data_cols[col0]
    for col0, name in ext_cols:
        out.fields[EXT_PREFIX + name] = data_cols[col0]
    out.src_cells = [{k: f"{column_letter(c)}{row}" for k, c in keep.items()} for row in out.src_row] \
        if own_cells else [None] * n
    for source, col0 in splits:
        _route(out, source, col0, keep, cr, ctx)
    for key, earlier in earlier_years.items():
        _from_earlier_years(out, key, keep, units[key], earlier, labels, cr, ctx)
    # 销售代表：张伟 above the header: the table's rows without a 负责销售 of their own get 张伟
    skip = set(rules.config.intake.title_label_skip) | set(out.fields)
    allowed = [k for k in cr.types if k not in skip and k not in computed]
    above = sorted(titles) if own_cells else range(block.first)
    out.issues.extend(fill_from_titles(out.fields, n, title_labels(rows, above, matcher, allowed), ctx.rel, ctx.sheet))
    if extra_cols:
        extras = []
        for i in range(n):
            d = {h: data_cols[c][i] for c, h in extra_cols if data_cols[c][i] is not None
                 and not (isinstance(data_cols[c][i], str) and not data_cols[c][i].strip())}
            extras.append(d or None)
        out.extras = extras
    else:
        out.extras = [None] * n
    del data_cols

    # customer type: the 客户类型 cell, else sheet/file words, else credit-code column or name shape
    guess = sheet_type([*titles.values(), ctx.sheet, ctx.stem], rules)
    if guess is None and "uscc" in keep:
        guess = "企业"
    if guess is None and "name" in keep:
        guess = sheet_type([str(header[keep["name"]])], rules)
    cells = [guesser.from_cell(v) for v in out.fields["customer_type"]] if "customer_type" in keep else [None] * n
    names = out.fields.get("name", [None] * n)
    out.customer_type = [c if c is not None else (guess or guesser.from_name(nm)) for c, nm in zip(cells, names)]
    if "customer_type" in keep:
        out.fields["customer_type"] = list(out.customer_type)

    # formula cells without a cached value, inside data rows
    if sheet.no_value_formulas:
        local = {r: i for i, r in enumerate(data_idx)}
        by_col = {c: k for k, c in keep.items()}
        for r0, c0 in sorted(sheet.no_value_formulas):
            if r0 in local:
                out.issues.append(Issue(rule="formula-no-value", file=ctx.rel, sheet=ctx.sheet, row=r0 + 1,
                                        column=column_letter(c0), field=by_col.get(c0, ""), row_id=local[r0]))

    routed = {k for k in out.fields if not k.startswith(EXT_PREFIX)}      # a 联系方式 column's values count
    out.issues.extend(column_missing_issues(set(keep) | routed, out.customer_type, ctx, rules))
    return out


def _from_earlier_years(out: SheetOut, key: str, keep: dict[str, int], unit: float,
                        earlier: list[tuple[int, str, float]], labels: list[str], cr: ColumnRules,
                        ctx: SheetContext) -> None:
    """A row whose latest-year column (2024年合作金额) is blank takes the newest earlier year's
    value of the same unit (2023年合作金额), with a ``column-year-fallback`` warning on that cell;
    the earlier column keeps its value as an extension column too."""
    column = out.fields.get(key)
    if column is None or key not in keep:
        return
    by_year = sorted(((int(cr.header_year.findall(labels[c])[0]), c, label) for c, label, u in earlier if u == unit),
                     reverse=True)
    kept = str(labels[keep[key]]).strip()
    for i, value in enumerate(column):
        if not is_blank(value):
            continue
        for _, col0, label in by_year:
            older = out.fields[EXT_PREFIX + label][i]
            if is_blank(older):
                continue
            column[i] = older
            row = out.src_row[i]
            cells = out.src_cells[i] or {k: f"{column_letter(c)}{row}" for k, c in keep.items()}
            cells[key] = f"{column_letter(col0)}{row}"       # its issues and fixes point at that cell
            out.src_cells[i] = cells
            out.issues.append(Issue(rule="column-year-fallback", file=ctx.rel, sheet=ctx.sheet, row=out.src_row[i],
                                    column=column_letter(col0), field=key, value=older, row_id=i,
                                    params={"header": label, "kept": kept}))
            break


def _images_out(data_cols: list[list[Any]], data_idx: list[int], ctx: SheetContext, rules: Rules) -> list[Issue]:
    """Empty the cells holding a picture (intake.image_cell_pattern: WPS =DISPIMG("ID_…",1)),
    one ``cell-image`` notice each: the picture stays in the returned workbook, not in a field."""
    pattern = rules.config.intake.image_cell_pattern
    if not pattern:
        return []
    rx = re.compile(pattern, re.IGNORECASE)
    issues = []
    for col0, values in enumerate(data_cols):
        if not any(map(rx.match, filter(str.__instancecheck__, values))):   # (in C: most columns have none)
            continue
        for i, v in enumerate(values):
            if isinstance(v, str) and rx.match(v):
                values[i] = None
                issues.append(Issue(rule="cell-image", file=ctx.rel, sheet=ctx.sheet, row=data_idx[i] + 1,
                                    column=column_letter(col0), value=v, row_id=i))
    return issues


def _route(out: SheetOut, source: str, col0: int, keep: dict[str, int], cr: ColumnRules, ctx: SheetContext) -> None:
    """Move each value of the column at ``col0`` (held in ``out.fields[source]``) that is of a
    split field's kind (rules/columns.yaml ``split``) into that field, unless the row already
    holds a value there. A moved value's row gets ``src_cells`` naming every field's cell, so
    issues and fixes about the moved value point at the cell it came from."""
    letter = column_letter(col0)
    values = out.fields[source]
    for i, v in enumerate(values):
        target = route_value(v, cr)
        if target is None or target == source:
            continue
        column = out.fields.get(target)
        if column is None:
            column = out.fields[target] = [None] * out.n
            out.column_rows.append({"src_file": ctx.rel, "src_sheet": ctx.sheet, "field": target,
                                    "column": letter, "header": "", "unit": 1.0})
        elif not is_blank(column[i]):
            continue
        column[i], values[i] = v, None
        row = out.src_row[i]
        cells = out.src_cells[i] or {k: f"{column_letter(c)}{row}" for k, c in keep.items()}
        cells[target] = f"{letter}{row}"
        out.src_cells[i] = cells
