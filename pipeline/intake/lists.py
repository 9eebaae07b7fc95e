"""List layout: one header row, one customer per data row."""
from __future__ import annotations

from typing import Any

from ..issues import Issue
from ..rules import Rules, fold_header
from .chunk import SheetContext, SheetOut, column_missing_issues
from .layout import (LAYOUT_LIST, HeaderMatcher, find_header, RowClassifier, TypeGuesser, column_letter, is_blank,
                     raw_value, sheet_type, unknown_column_issue)
from .readers import RawSheet


def fill_merged(rows: list[list[Any]], merged, first_row: int) -> None:
    """Give every cell of a merged range at or below ``first_row`` the value of its top-left
    cell (what a person sees). Rows are the reader's own lists; nothing else shares them."""
    for (r1, c1), (r2, c2) in merged:
        if r2 < first_row or r1 >= len(rows):
            continue
        value = rows[r1][c1] if c1 < len(rows[r1]) else ""
        for r in range(max(r1, first_row), min(r2, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(c1, min(c2, len(row) - 1) + 1):
                if (r, c) != (r1, c1):
                    row[c] = value


def detect_list_header(sheet: RawSheet, rules: Rules, matcher: HeaderMatcher) -> int | None:
    """The header row of a list layout (:func:`pipeline.intake.layout.find_header`), else None."""
    return find_header(sheet.rows, matcher, rules)


def read_list_sheet(sheet: RawSheet, header_idx: int, ctx: SheetContext, rules: Rules,
                    matcher: HeaderMatcher, guesser: TypeGuesser) -> SheetOut:
    rows = sheet.rows
    out = SheetOut(layout=LAYOUT_LIST)
    fill_merged(rows, sheet.merged, header_idx + 1)
    header = rows[header_idx]
    field_types = {f.key: f for f in rules.fields}
    ignored = {fold_header(h) for h in rules.config.intake.ignored_headers}

    keep: dict[str, int] = {}                 # key -> col0
    extra_cols: list[tuple[int, str]] = []    # (col0, header) kept in extras
    ignore_cols: set[int] = set()
    blank_cols: list[int] = []
    for col0, text in enumerate(header):
        if is_blank(text):
            blank_cols.append(col0)
            continue
        label = str(text).strip()
        m = matcher.match(text)
        if m.key is None:
            extra_cols.append((col0, label))
            if m.folded in ignored:
                ignore_cols.add(col0)
            else:
                out.issues.append(unknown_column_issue(matcher, ctx.rel, ctx.sheet, col0, label, header_idx + 1))
        elif field_types[m.key].computed:
            extra_cols.append((col0, label))
        elif m.key in keep:
            extra_cols.append((col0, label))
            first = str(header[keep[m.key]]).strip()
            out.issues.append(Issue(rule="column-duplicate", file=ctx.rel, sheet=ctx.sheet, row=header_idx + 1,
                                    column=column_letter(col0), field=m.key,
                                    params={"header": label, "first": first}))
        else:
            keep[m.key] = col0
            out.column_rows.append({"src_file": ctx.rel, "src_sheet": ctx.sheet, "field": m.key,
                                    "column": column_letter(col0), "header": label, "unit": m.unit})

    classifier = RowClassifier(rules, header, {c: k for k, c in keep.items()}, matcher, frozenset(ignore_cols))
    data_idx: list[int] = []
    for r in range(header_idx + 1, len(rows)):
        reason = classifier.skip_reason(rows[r])
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

    for col0 in blank_cols:
        if any(col0 < len(rows[r]) and not is_blank(rows[r][col0]) for r in data_idx):
            label = f"{column_letter(col0)}列"
            extra_cols.append((col0, label))
            out.issues.append(unknown_column_issue(matcher, ctx.rel, ctx.sheet, col0, label, header_idx + 1))

    data_cols = list(zip(*(rows[r] for r in data_idx)))       # transpose in C
    for key, col0 in keep.items():
        # inline form of layout.raw_value (2.5 M cells per 100 000 × 25 sheet)
        out.fields[key] = [None if v == "" else (int(v) if v.__class__ is float and v.is_integer() and -1e16 < v < 1e16
                                                 else v) for v in data_cols[col0]]
    del data_cols
    if extra_cols:
        extras = []
        for r in data_idx:
            row = rows[r]
            d = {h: raw_value(row[c]) for c, h in extra_cols if c < len(row) and not is_blank(row[c])}
            extras.append(d or None)
        out.extras = extras
    else:
        out.extras = [None] * n
    out.src_cells = [None] * n

    # customer type: the 客户类型 cell, else sheet/file words, else credit-code column or name shape
    guess = sheet_type([ctx.sheet, ctx.stem], rules)
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

    out.issues.extend(column_missing_issues(keep, out.customer_type, ctx, rules))
    return out
