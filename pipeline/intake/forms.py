"""The two form layouts (one customer per sheet, or per 客户编号 group).

(a) label/value form: section titles ``一、客户基础信息``, rows ``项目 | 填写内容 |
    备注`` and small tables (联系人, 互动记录, 需求与反馈, 维护计划) with their own header rows.
(b) field-list form: ``客户编号 | 所属行业 | 信息类别 | 字段名称 | 填写内容 | 备注``.

Record values stay raw, except template remnants (``年月日``, ``(选填)``, unticked check
boxes) which mean "not filled in" and ticked boxes which mean the ticked option
(rules/forms.yaml). Each record carries ``src_cells`` {field key: "C12"}.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Mapping

from ..issues import Issue, display_value
from ..related import related_schema
from ..rules import Rules, fold_header
from .chunk import SheetContext, SheetOut, column_missing_issues
from .columns import EXT_PREFIX, ColumnRules, Decision, column_notice, column_rules, route_value
from .layout import (LAYOUT_FIELDS, LAYOUT_LABEL, HeaderMatcher, TypeGuesser, column_letter, find_columns,
                     is_blank, raw_value, sheet_type, unknown_column_issue)
from .lists import fill_merged
from .readers import RawSheet
from ..values import BRACKETS as _BRACKETS



class FormRules:
    """rules/forms.yaml compiled for one run."""

    def __init__(self, rules: Rules):
        forms = rules.forms                     # rules/forms.yaml (pipeline/rule_types.py FormsFile)
        self.raw = forms
        self.placeholders = [re.compile(p) for p in forms.placeholders]
        self.empty_boxes = forms.checkbox.empty
        self.ticked = forms.checkbox.checked
        marks = sorted(self.ticked + self.empty_boxes, key=len, reverse=True)   # "[x]" before "x"
        self.box_re = re.compile("(" + "|".join(re.escape(m) for m in marks) + ")") if marks else None
        schema = related_schema(rules)         # the related tables: schemas/related.yaml
        self.tables: dict[str, dict[str, str]] = {}
        for table in schema.tables:
            m = {}
            for col in table.columns:
                for w in [col.name, *col.synonyms]:
                    m[fold_header(w)] = col.name
            self.tables[table.name] = m
        lf = forms.label_form
        self.section_re = re.compile(lf.section_pattern)
        self.sections = dict(lf.sections)
        self.label_rows_to_table = dict(lf.label_rows_to_table)
        self.record_from_tables = schema.record_fields()
        notes = forms.notes
        self.note_columns = notes.columns
        self.note_prefixes = tuple(sorted((_fold_note(w) for w in notes.prefixes), key=len, reverse=True))
        hints = rules.template.hints.values()
        self.note_texts = frozenset(_fold_note(t) for t in [*notes.texts, *hints] if t)
        self.note_patterns = tuple(re.compile(p) for p in notes.patterns)

    def is_instruction(self, text: str) -> bool:
        """``text`` (a remark cell) is the template's own instruction, not a rep's remark
        (rules/forms.yaml ``notes``, rules/template.yaml ``hints``, ``placeholders``)."""
        text = text.strip()
        if any(p.fullmatch(text) for p in self.note_patterns) or any(p.fullmatch(text) for p in self.placeholders):
            return True
        folded = _fold_note(text)
        for prefix in self.note_prefixes:
            if folded.startswith(prefix):
                folded = folded[len(prefix):]
                break
        return not folded or folded in self.note_texts or (
            len(folded) >= 4 and any(t.startswith(folded) for t in self.note_texts))   # a shortened instruction

    def read_note(self, rec: "_Record", row: list[Any], note_col: int | None, r: int, label: Any, header: str) -> None:
        """The remark cell of a label row (0-based sheet row ``r``): a rep's remark is kept on
        the record (appended to 备注 by :func:`_finish`), an instruction text counted."""
        if note_col is None or note_col >= len(row):
            return
        value = raw_value(row[note_col])
        if is_blank(value):
            return
        text = display_value(value).strip()
        cell = f"{column_letter(note_col)}{r + 1}"
        if isinstance(value, str) and self.is_instruction(text):
            rec.instructions.append((header, column_letter(note_col), text))
        else:
            rec.notes.append((str(label).strip() if not is_blank(label) else "", text, cell, header))

    def clean(self, value: Any) -> Any:
        """A form cell as a raw value; template remnants become None; ticked boxes become the
        ticked options (``□新客户 ☑老客户 □重点客户`` → 老客户, several joined by 、)."""
        value = raw_value(value)
        if not isinstance(value, str):
            return value
        text = value.strip()
        if not text or any(p.fullmatch(text) for p in self.placeholders):
            return None
        if self.box_re is not None and self.box_re.search(text):
            parts = self.box_re.split(text)      # [before, mark, option, mark, option, ...]
            picked = [opt.strip(" 　、,，;；/") for mark, opt in zip(parts[1::2], parts[2::2]) if mark in self.ticked]
            picked = [p for p in picked if p]
            if picked:
                return "、".join(picked)
            if all(m in self.empty_boxes for m in parts[1::2]) and not parts[0].strip():
                return None                      # nothing ticked: not filled in
        return value

    def section_of(self, text: str) -> str | None:
        body = self.section_re.sub("", text, count=1)
        for name, spec in self.sections.items():
            if any(w in body for w in spec.words):
                return name
        return ""

    def table_columns(self, row: list[Any], prefer: str | None) -> tuple[str, dict[int, str]] | None:
        """(table, {col0: column name}) when ``row`` is a table header (>= 2 known columns)."""
        order = ([prefer] if prefer in self.tables else []) + [t for t in self.tables if t != prefer]
        for table in order:
            syn = self.tables[table]
            cols: dict[int, str] = {}
            for i, v in enumerate(row):
                if isinstance(v, str) and v.strip():
                    f = fold_header(v)
                    col = syn.get(f) or syn.get(_BRACKETS.sub("", f))
                    if col and col not in cols.values():
                        cols[i] = col
            if len(cols) >= 2:
                return table, cols
        return None


    def read_table_row(self, row: list[Any], r: int, table: str, table_cols: Mapping[int, str],
                       ctx: SheetContext, out: SheetOut, from_tables: list) -> None:
        """One row under a related table's header (0-based sheet row ``r``): appended to
        ``out.related[table]`` with ``src_cells`` {column: "C17"}; the columns that also fill a
        record field (``record`` in schemas/related.yaml)
        are added to ``from_tables`` as (field key, value, cell, column name)."""
        vals = {col: self.clean(row[c]) if c < len(row) else None for c, col in table_cols.items()}
        if not any(not is_blank(v) for v in vals.values()):
            return
        cells = {col: f"{column_letter(c)}{r + 1}" for c, col in table_cols.items() if not is_blank(vals[col])}
        out.related[table].append({"row_id": 0, "src_file": ctx.rel, "src_sheet": ctx.sheet,
                                   "src_row": r + 1, **vals, "src_cells": cells})
        for key, (t, col) in self.record_from_tables.items():
            if t == table and not is_blank(vals.get(col)):
                c0 = next(c for c, n in table_cols.items() if n == col)
                from_tables.append((key, vals[col], f"{column_letter(c0)}{r + 1}", col))


_NOTE_FOLD = re.compile(r"[\s“”\"'‘’「」『』。，,、；;：:！!？?.]")


def _fold_note(text: Any) -> str:
    """Matching key of a remark text: NFKC, no spaces, quotes or punctuation, lower case."""
    return _NOTE_FOLD.sub("", unicodedata.normalize("NFKC", str(text))).lower()


class _Record:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.cells: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.extras: dict[str, Any] = {}
        self.methods: dict[str, str] = {}     # field key -> how it was decided, when not by its label
        self.notes: list[tuple[str, str, str, str]] = []         # label, remark, cell, column header
        self.instructions: list[tuple[str, str, str]] = []      # column header, column letter, text
        self.first_row: int | None = None
        self.keep = False          # a form with only table rows is still one customer


    def put(self, key: str, value: Any, cell: str, label: str) -> bool:
        if key in self.values:
            return False
        self.values[key], self.cells[key], self.labels[key] = value, cell, label
        return True

    def filled(self) -> bool:
        return self.keep or any(not is_blank(v) for v in self.values.values()) or bool(self.extras) \
            or bool(self.notes)


def _type_of(rec: _Record, ctx: SheetContext, rules: Rules, guesser: TypeGuesser) -> Any:
    t = guesser.from_cell(rec.values.get("customer_type"))
    if t is None:
        t = sheet_type([ctx.sheet, ctx.stem], rules)
    if t is None and "uscc" in rec.values:
        t = "企业"
    return t if t is not None else guesser.from_name(rec.values.get("name"))


def _finish(out: SheetOut, records: list[_Record], ctx: SheetContext, rules: Rules, matcher: HeaderMatcher,
            guesser: TypeGuesser) -> SheetOut:
    records = [r for r in records if r.filled()]
    out.n = len(records)
    if not records:
        out.related = {}
        out.issues.append(Issue(rule="file-empty", file=ctx.rel, sheet=ctx.sheet))
        return out
    cr = column_rules(rules)
    notices: dict[tuple[str, str], Issue] = {}
    for r in records:
        _route_record(r, cr, ctx, notices)
    out.issues.extend(notices.values())
    for r in records:
        _add_notes(r)
    keys = [k for k in matcher.types if any(k in r.values for r in records)]
    for k in keys:
        out.fields[k] = [r.values.get(k) for r in records]
    for label in dict.fromkeys(lb for r in records for lb in r.extras):
        out.fields[EXT_PREFIX + label] = [r.extras.get(label) for r in records]
    out.customer_type = [_type_of(r, ctx, rules, guesser) for r in records]
    if "customer_type" in out.fields:
        out.fields["customer_type"] = list(out.customer_type)
    out.extras = [r.extras or None for r in records]
    out.src_cells = [dict(r.cells) for r in records]
    for i, r in enumerate(records):
        row = r.cells.get("name") and int(re.sub(r"^[A-Z]+", "", r.cells["name"])) or r.first_row or 1
        out.src_row.append(row)
        out.source_rows.append((row, i, "data", ""))
    seen = set()
    for r in records:
        for k, cell in r.cells.items():
            if k not in seen:
                seen.add(k)
                label = r.labels[k]
                out.column_rows.append({"src_file": ctx.rel, "src_sheet": ctx.sheet, "field": k,
                                        "column": re.sub(r"\d+$", "", cell), "header": label,
                                        "unit": matcher.match(label).unit})
    out.mapping.extend(_form_mapping(records, ctx, cr))
    out.issues.extend(column_missing_issues(seen, out.customer_type, ctx, rules))
    return out


def _route_record(r: _Record, cr: ColumnRules, ctx: SheetContext, notices: dict[tuple[str, str], Issue]) -> None:
    """A form's values judged by what they are, like a list column (rules/columns.yaml): a
    客户类型 ticked 老客户 is 客户分类; a 手机号码 cell holding an e-mail is 电子邮箱. A value
    that fits none of its candidates stays where its label put it."""
    for key in list(r.values):
        value = r.values[key]
        if is_blank(value):
            continue
        label, cell = r.labels[key], r.cells[key]
        target, notice = None, ""
        if key in cr.reroute:
            hits = [c for c in cr.reroute[key] if cr.enum_hit(c, value)]
            if hits and key not in hits:
                target, notice = hits[0], "column-rerouted"
        elif key in cr.split_fields:
            t = route_value(value, cr)
            if t and t != key:
                target, notice = t, "column-rerouted"
        if target is None or not is_blank(r.values.get(target)):
            continue
        r.values[key] = None                           # the label's own field is left blank
        r.values[target], r.cells[target], r.labels[target] = value, cell, label
        r.methods[target] = "values"
        m = re.match(r"([A-Z]+)(\d+)", cell)
        d = Decision(target, "values", header_key=key, notice=notice, samples=(value,))
        notices.setdefault((label, target), column_notice(d, ctx.rel, ctx.sheet, m.group(1) if m else "", label,
                                                          int(m.group(2)) if m else None, cr, ctx.team))


def _add_notes(r: _Record) -> None:
    """The rep's remarks typed in the remark column, appended to 备注 as ``<label>：<remark>``
    (after a 备注 the form itself holds). Not added to ``src_cells``: the remark cells keep
    what the rep wrote (their 列映射 rows name them)."""
    if not r.notes:
        return
    own = r.values.get("remark")
    parts = [] if is_blank(own) else [str(own).strip()]
    parts += [f"{label}：{text}" if label else text for label, text, _, _ in r.notes]
    r.values["remark"] = "；".join(parts)


def _form_mapping(records: list[_Record], ctx: SheetContext, cr: ColumnRules) -> list[dict[str, Any]]:
    """列映射 rows of a form: one per label (its first value cell, its field, how matched)."""
    out: dict[str, dict[str, Any]] = {}
    names = cr.names
    for r in records:
        moved = {r.labels[k] for k in r.methods}          # a rerouted label: shown with its new field
        for key, label in r.labels.items():
            if label in out or (label in moved and key not in r.methods):
                continue
            out[label] = {"src_file": ctx.rel, "src_sheet": ctx.sheet, "column": r.cells.get(key, ""),
                          "header": label, "field": names.get(key, key),
                          "method": cr.method(r.methods.get(key, "label")),
                          "samples": display_value(r.values.get(key))}
        for label, text, cell, header in r.notes:
            out[("note", cell)] = {"src_file": ctx.rel, "src_sheet": ctx.sheet, "column": cell,
                                   "header": f"{header}（{label}）" if label else header,
                                   "field": names.get("remark", "remark"), "method": cr.method("note"),
                                   "samples": text}
        for header, letter, text in r.instructions:
            row = out.setdefault(("instruction", letter), {
                "src_file": ctx.rel, "src_sheet": ctx.sheet, "column": letter, "header": header, "field": "",
                "method": cr.method("instruction"), "samples": [], "count": 0})
            row["count"] += 1
            if len(row["samples"]) < 3 and text not in row["samples"]:
                row["samples"].append(text)
        for label, value in r.extras.items():
            out.setdefault(label, {"src_file": ctx.rel, "src_sheet": ctx.sheet, "column": "", "header": label,
                                   "field": label, "method": cr.method("extension"),
                                   "samples": display_value(value), "_ext": True})
    rows = list(out.values())
    for row in rows:
        if "count" in row:
            count = row.pop("count")
            row["samples"] = "、".join(row["samples"]) + (f" 等 {count} 处" if count > len(row["samples"]) else "")
    return rows


def _label_key(label: Any, section: str | None, fr: FormRules, matcher: HeaderMatcher) -> str | None:
    """Field key of a form label ("" = ignore, None = unknown)."""
    spec = fr.sections.get(section or "")
    overrides = {fold_header(k): v for k, v in spec.labels.items()} if spec else {}
    f = fold_header(label)
    if f in overrides:
        return overrides[f] or ""
    bare = _BRACKETS.sub("", f)
    if bare in overrides:
        return overrides[bare] or ""
    return matcher.match(label).key


def read_label_form(sheet: RawSheet, header_idx: int, ctx: SheetContext, rules: Rules, matcher: HeaderMatcher,
                    guesser: TypeGuesser) -> SheetOut:
    fr = FormRules(rules)
    forms = fr.raw.label_form
    rows = sheet.rows
    fill_merged(rows, [m for m in sheet.merged if m[0][0] != m[1][0]], 0)   # vertical merges only
    out = SheetOut(layout=LAYOUT_LABEL, related={t: [] for t in fr.tables})
    rec = _Record()
    computed = {f.key for f in rules.fields if f.computed}
    section: str | None = None
    mode, label_col, value_col = None, 0, 1
    note_col, note_header = None, ""
    table, table_cols = "", {}
    from_tables: list[tuple[str, Any, str, str]] = []        # key, value, cell, label
    section_values: dict[str, dict[str, tuple[Any, int]]] = {}
    reported: set[str] = set()

    for r, row in enumerate(rows):
        cells = [(i, v) for i, v in enumerate(row) if not is_blank(v)]
        if not cells:
            mode = None if mode == "table" else mode
            continue
        first = str(cells[0][1]).strip()
        if len(cells) <= 2 and fr.section_re.match(first):
            section, mode = fr.section_of(first), None
            continue
        lc, vc = find_columns(row, forms.label), find_columns(row, forms.value)
        if lc is not None and vc is not None:
            mode, label_col, value_col = "labels", lc, vc
            note_col = find_columns(row, fr.note_columns, skip=(lc, vc))
            note_header = str(row[note_col]).strip() if note_col is not None else ""
            continue
        spec = fr.sections.get(section or "")
        hdr = fr.table_columns(row, spec.table if spec else None)
        if hdr is not None and (mode != "labels" or len(hdr[1]) >= 3):
            mode, (table, table_cols) = "table", hdr
            continue
        if mode == "table":
            fr.read_table_row(row, r, table, table_cols, ctx, out, from_tables)
            continue
        if mode == "labels":
            lcol, vcol = label_col, value_col
        elif len(cells) >= 2 and _label_key(cells[0][1], section, fr, matcher) is not None:
            lcol, vcol = cells[0][0], cells[1][0]
        else:
            continue
        label = row[lcol] if lcol < len(row) else ""
        if is_blank(label):
            continue
        label = str(label).strip()
        value = fr.clean(row[vcol]) if vcol < len(row) else None
        key = _label_key(label, section, fr, matcher)
        if rec.first_row is None:
            rec.first_row = r + 1
        if mode == "labels":
            fr.read_note(rec, row, note_col, r, label, note_header)
        if key == "":                                   # a known label that is no field
            if not is_blank(value):
                rec.extras.setdefault(label, value)
            continue
        if key is None or key in computed or not rec.put(key, value, f"{column_letter(vcol)}{r + 1}", label):
            if not is_blank(value):
                rec.extras.setdefault(label, value)
            if key is None and label not in reported:
                reported.add(label)
                out.issues.append(unknown_column_issue(matcher, ctx.rel, ctx.sheet, lcol, label, r + 1))
        elif section in fr.label_rows_to_table:
            section_values.setdefault(section, {})[key] = (value, r + 1)

    for key, value, cell, label in from_tables:
        rec.put(key, value, cell, label)
    for sec, values in section_values.items():
        cols = fr.label_rows_to_table[sec]
        row_vals = {cols[k]: v for k, (v, _) in values.items() if k in cols}
        if any(not is_blank(v) for v in row_vals.values()):
            first_row = min(r for _, r in values.values())
            table = (fr.sections[sec].table if sec in fr.sections else "") or sec
            cells = {cols[k]: rec.cells[k] for k in values if k in cols and k in rec.cells}
            out.related.setdefault(table, []).insert(0, {"row_id": 0, "src_file": ctx.rel, "src_sheet": ctx.sheet,
                                                          "src_row": first_row, **row_vals, "src_cells": cells})
    if not rec.filled() and any(out.related.values()):
        rec.keep = True
        rec.first_row = rec.first_row or min(x["src_row"] for rows_ in out.related.values() for x in rows_)
    return _finish(out, [rec], ctx, rules, matcher, guesser)


def read_field_form(sheet: RawSheet, header_idx: int, ctx: SheetContext, rules: Rules, matcher: HeaderMatcher,
                    guesser: TypeGuesser) -> SheetOut:
    fr = FormRules(rules)
    spec = fr.raw.field_list
    rows = sheet.rows
    fill_merged(rows, sheet.merged, header_idx + 1)
    header = rows[header_idx]
    lcol, vcol = find_columns(header, spec.label), find_columns(header, spec.value)
    gcol = find_columns(header, spec.group)
    ncol = find_columns(header, fr.note_columns, skip=(lcol, vcol, gcol))
    note_header = str(header[ncol]).strip() if ncol is not None else ""
    carried = {key: find_columns(header, words) for key, words in spec.carried.items()}
    carried = {k: c for k, c in carried.items() if c is not None}
    computed = {f.key for f in rules.fields if f.computed}
    out = SheetOut(layout=LAYOUT_FIELDS)
    groups: dict[Any, _Record] = {}
    current: Any = None
    reported: set[str] = set()
    for r in range(header_idx + 1, len(rows)):
        row = rows[r]
        if gcol is not None and not is_blank(row[gcol]):
            current = raw_value(row[gcol])
        label = row[lcol] if lcol is not None and lcol < len(row) else ""
        value = fr.clean(row[vcol]) if vcol is not None and vcol < len(row) else None
        carried_vals = {k: fr.clean(row[c]) for k, c in carried.items() if c < len(row)}
        note = row[ncol] if ncol is not None and ncol < len(row) else None
        if is_blank(label) and all(is_blank(v) for v in carried_vals.values()) and is_blank(note):
            continue
        rec = groups.get(current)
        if rec is None:
            rec = groups[current] = _Record()
            rec.first_row = r + 1
            if current is not None and gcol not in carried.values():   # else a carried field holds it
                rec.extras[str(header[gcol]).strip()] = current
        for key, v in carried_vals.items():
            if not is_blank(v):
                rec.put(key, v, f"{column_letter(carried[key])}{r + 1}", str(header[carried[key]]).strip())
        fr.read_note(rec, row, ncol, r, label, note_header)
        if is_blank(label):
            continue
        label = str(label).strip()
        key = matcher.match(label).key
        cell = f"{column_letter(vcol)}{r + 1}"
        if key is None or key in computed:
            if not is_blank(value):
                rec.extras.setdefault(label, value)
            if key is None and label not in reported:
                reported.add(label)
                out.issues.append(unknown_column_issue(matcher, ctx.rel, ctx.sheet, lcol, label, r + 1))
        elif key in rec.values and is_blank(rec.values[key]) and key not in carried:
            rec.values.pop(key)
            rec.put(key, value, cell, label)
        elif not rec.put(key, value, cell, label):
            if not is_blank(value):
                rec.extras.setdefault(label, value)
                out.issues.append(Issue(rule="column-duplicate", file=ctx.rel, sheet=ctx.sheet, row=r + 1,
                                        column=column_letter(lcol), field=key,
                                        params={"header": label, "first": rec.labels[key]}))
    # A record with only the group id and nothing else is an unfilled template row.
    recs = [g for g in groups.values() if any(not is_blank(v) for v in g.values.values()) or g.notes]
    return _finish(out, recs, ctx, rules, matcher, guesser)
