"""Grade customers (docs/grading.md): every dimension of rules/grading.yaml (ABC分类, 客户等级,
价值层级 …), 分级依据, 需求标签 and 标签组合.

The dimensions are data, compiled once by pipeline/dimensions.py; :func:`evaluate` interprets
any of them the same way (first matching row wins). Each output records the rule that fired
(``abc_rule``, ``level_rule``, ``value_rule`` …) and one Chinese line of reasons with the
numbers (``grade_basis``, its sentences in rules/notes.yaml ``grade``). Tag keywords come from
rules/tags.yaml. See docs/grading.md for the boundary cases (ties, rounding, months without
cooperation, missing inputs).
"""
from __future__ import annotations

import datetime as dt
import math
import re
import string
import unicodedata
from typing import Any

import pandas as pd

from .dimensions import COMPARE, MEMBER, Alternative, Condition, Dimension, Row
from .issues import render_template   # a placeholder a row's conditions do not give stays empty
from .model import StageResult
from .rule_types import TagCombo, TagRules
from .rules import Rules
from .values import add_months, fold, is_blank as _missing, to_date as _date, to_number as _number  # noqa: F401

EPS = 1e-9  # float tolerance for ">=": 0.9 parsed from "90%" must meet a 90 % threshold
_TAG_SPLIT = re.compile(r"[、,，;；/|｜\s]+")


# ----------------------------------------------------------------------------- values

def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def _fmt_amount(v: float) -> str:
    """Yuan shown in 万元: 620000 -> 62.0万元; precise when one decimal would round."""
    short = f"{v / 1e4:.1f}"
    if abs(float(short) * 1e4 - v) < 0.5:
        return f"{short}万元"
    return f"{_trim(f'{v / 1e4:.4f}')}万元"


def _fmt_threshold(field_type: str, t: float) -> str:
    if field_type == "amount":
        return f"{_trim(f'{t / 1e4:.4f}')}万"
    if field_type == "rate":
        return f"{_trim(f'{t * 100:.2f}')}%"
    return _trim(f"{t:.2f}") if t != int(t) else f"{t:.1f}"


def _fmt_value(field_type: str, v: float) -> str:
    if field_type == "amount":
        return _fmt_amount(v)
    if field_type == "rate":
        return f"{_trim(f'{v * 100:.2f}')}%"
    return _trim(f"{v:.2f}") if v != int(v) else f"{v:.1f}"


# ----------------------------------------------------------------------------- dimensions

_NEGATION = {"at_least": "below", "below": "at_least", "above": "at_most", "at_most": "above",
             "is": "not", "not": "is", "in": "not_in", "not_in": "in"}


class _Inputs:
    """The customers' inputs, each column converted once (numbers, dates, enum values), and
    what evaluating a condition needs besides them; the texts of 分级依据 are made only for the
    row that fires (and, for a catch-all, the row before it)."""

    def __init__(self, frame: pd.DataFrame, rules: Rules, as_of: dt.date):
        self.frame = frame
        self.names = rules.field_names
        by_key = rules.field_by_key
        self.types = {k: f.type for k, f in by_key.items()}
        self.enums = {k: rules.enums[f.enum] for k, f in by_key.items() if f.enum in rules.enums}
        self.notes = rules.notes["grade"]
        self.as_of = as_of
        self._columns: dict[tuple[str, str], list] = {}
        self._rows: dict[tuple[str, Any], tuple] = {}
        self._truths: dict[Condition, list] = {}
        self._thresholds: dict[Condition, str] = {}
        self._placeholders: dict[str, frozenset] = {}
        self.as_of_text = as_of.isoformat()
        self.ranks: dict[str, dict[int, int]] = {}

    def column(self, kind: str, key: str) -> list:
        """Column ``key`` read as ``kind`` (raw, number, date, member, blank), once."""
        got = self._columns.get((kind, key))
        if got is None:
            raw = self.frame[key].tolist() if key in self.frame.columns else [None] * len(self.frame)
            if kind == "raw":
                got = raw
            elif kind == "number" and key in self.frame.columns and self.frame[key].dtype.kind == "f":
                got = [None if v != v else v for v in raw]          # floats: only NaN is no number
            elif kind == "number":
                got = [_number(v) for v in raw]
            elif kind == "date":
                got = [_date(v) for v in raw]
            elif kind == "blank":
                got = [_missing(v) for v in raw]
            else:
                enum = self.enums.get(key)
                got = ["" if _missing(v) else (enum.get(fold(v), "") if enum is not None else str(v).strip())
                       for v in raw]
            self._columns[(kind, key)] = got
        return got

    def rows(self, dim: Dimension, customer_type: Any) -> tuple:
        """The rows of ``dim`` for a customer type as (row, ((alternative, ((condition, whether
        it holds for each customer), …), its rule id), …)): the conditions that apply to the type."""
        key = (dim.key, customer_type if isinstance(customer_type, str) else "")
        got = self._rows.get(key)
        if got is None:
            skip = dim.skipped(customer_type)
            got = tuple((row, tuple((alt, tuple((c, self.truth(c)) for c in alt.conditions if c.field not in skip),
                                     ".".join(p for p in (dim.rule, row.rule, alt.rule) if p))
                                    for alt in row.alternatives)) for row in dim.rows)
            self._rows[key] = got
        return got

    def truth(self, c: Condition) -> list:
        """Whether ``c`` holds, per customer (None: a blank input leaves it unknown), once."""
        got = self._truths.get(c)
        if got is not None:
            return got
        op, t = c.op, c.value
        if op in COMPARE:
            col = self.column("number", c.field)
            if op == "at_least":
                got = [None if v is None else v >= t - EPS for v in col]
            elif op == "above":
                got = [None if v is None else v > t + EPS for v in col]
            elif op == "below":
                got = [None if v is None else v < t - EPS for v in col]
            else:
                got = [None if v is None else v <= t + EPS for v in col]
        elif op in MEMBER:
            expected = frozenset(t if op in ("in", "not_in") else (t,))
            positive = op in ("is", "in")
            got = [(v in expected) == positive for v in self.column("member", c.field)]
        elif op == "missing":
            got = [blank == t for blank in self.column("blank", c.field)]
        elif op == "months_since":
            months, as_of = int(t), self.as_of
            got = [last is not None and add_months(last, months) <= as_of for last in self.column("date", c.field)]
        elif op == "top_share":
            ranks, n = self.ranking(c.field)
            limit = math.ceil(round(t * n, 9))
            got = [None if v is None else (ranks.get(i, limit + 1) <= limit)
                   for i, v in enumerate(self.column("number", c.field))]
        else:
            raise ValueError(f"unknown condition {op}")   # rejected when the rules are loaded
        self._truths[c] = got
        return got

    def ranking(self, key: str) -> tuple[dict[int, int], int]:
        """Rank of each positive value of ``key`` (descending; ties share the better rank:
        1 + the number of strictly larger values) by customer position, and how many there are."""
        ranks = self.ranks.get(key)
        if ranks is None:
            values = pd.Series(self.column("number", key), dtype=float)
            positive = values[values > 0]
            ranks = {int(j): int(r) for j, r in positive.rank(method="min", ascending=False).astype(int).items()}
            self.ranks[key] = ranks
        return ranks, len(ranks)

    def describe(self, c: Condition, i: int, holds: bool) -> tuple[str, dict]:
        """The sentence of notes.yaml ``grade`` saying what ``c`` found, and its placeholders."""
        ftype = self.types.get(c.field, "")
        p: dict[str, Any] = {"name": self.names.get(c.field, c.field)}
        op = c.op
        if op in COMPARE:
            threshold = self._thresholds.get(c)
            if threshold is None:
                threshold = self._thresholds[c] = _fmt_threshold(ftype, c.value)
            p["threshold"], p["value"] = threshold, _fmt_value(ftype, self.column("number", c.field)[i])
            return op if holds else _NEGATION[op], p
        if op in MEMBER:
            expected = c.value if op in ("in", "not_in") else (c.value,)
            p.update(value=self.column("member", c.field)[i], expected="、".join(expected))
            return op if holds else _NEGATION[op], p
        if op == "missing":
            blank = self.column("blank", c.field)[i]
            p["value"] = "" if blank else str(self.column("raw", c.field)[i])
            return "blank" if blank else "filled", p
        if op == "months_since":
            last = self.column("date", c.field)[i]
            p["months"] = int(c.value)
            if last is None:
                return "blank", p
            p.update(last=last.isoformat(), since=add_months(last, int(c.value)).isoformat())
            return "months_since" if holds else "months_within", p
        ranks, n = self.ranking(c.field)     # top_share
        rank = ranks.get(i)
        if rank is None:
            return "not_ranked", p
        p.update(rank=rank, n=n, pct=math.ceil(rank / n * 100 - EPS))
        return "top_share", p

    def sentence(self, c: Condition, i: int, holds: bool) -> tuple[str, dict]:
        if c.op in COMPARE:       # the common case, without the placeholder dict
            ftype = self.types.get(c.field, "")
            threshold = self._thresholds.get(c)
            if threshold is None:
                threshold = self._thresholds[c] = _fmt_threshold(ftype, c.value)
            value = _fmt_value(ftype, self.column("number", c.field)[i])
            name = self.names.get(c.field, c.field)
            key = c.op if holds else _NEGATION[c.op]
            return self.notes[key].format(name=name, value=value, threshold=threshold), \
                {"name": name, "value": value, "threshold": threshold}
        key, p = self.describe(c, i, holds)
        return self.notes[key].format(**p), p


def evaluate(dim: Dimension, i: int, inputs: _Inputs, ctype: Any = None) -> tuple[Any, str, str]:
    """(grade or None, the rule that fired, the 分级依据 part) of customer ``i`` (of type
    ``ctype``): the first row of ``dim`` that holds. A row needing a blank input stops the table
    with the grade left blank."""
    previous: tuple = ()
    for row, alts in inputs.rows(dim, ctype):
        unknown = False
        for alt, conds, rule in alts:
            holds = True
            for _, truths in conds:
                h = truths[i]
                if h is not True:
                    holds = False
                    if h is None:
                        unknown = True
            if holds:
                failed = [c for _, cs, _ in previous for c, truths in cs if truths[i] is False]
                return row.grade, rule, _basis(dim, row, alt, [c for c, _ in conds], failed, i, inputs)
        if unknown:
            blank = [inputs.names.get(k, k) for k in dim.needed(ctype) if inputs.column("number", k)[i] is None]
            return None, f"{dim.rule}.missing", inputs.notes["missing"].format(fields="、".join(blank), name=dim.name)
        previous = alts
    return None, f"{dim.rule}.none", inputs.notes["none"].format(name=dim.name)


def _basis(dim: Dimension, row: Row, alt: Alternative, conds: list[Condition], previous: list[Condition],
           i: int, inputs: _Inputs) -> str:
    """The 分级依据 part of a row that fired: its conditions, or for a catch-all what the row
    before it lacked, in the row's (or dimension's, or notes.yaml's) template."""
    notes = inputs.notes
    said = [inputs.sentence(c, i, True) for c in conds]
    parts = notes["joiner"].join([s for s, _ in said] if conds else [inputs.sentence(c, i, False)[0] for c in previous])
    template = alt.basis or row.basis or dim.basis or notes["matched"]
    used = inputs._placeholders.get(template)
    if used is None:
        used = inputs._placeholders[template] = frozenset(
            f.partition("[")[0] for _, f, _, _ in string.Formatter().parse(template) if f)
    if used <= {"parts", "grade"}:
        return template.format(parts=parts, grade=row.grade)
    params = {k: v for _, p in said for k, v in p.items()}
    values = {k: inputs.column("raw", k)[i] for k in dim.inputs} if "values" in used else {}
    return render_template(template, {**params, "parts": parts, "grade": row.grade, "as_of": inputs.as_of_text,
                                      "names": inputs.names,
                                      "values": {k: "" if _missing(v) else v for k, v in values.items()}})


# ----------------------------------------------------------------------------- tags

def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def compile_tags(spec: TagRules) -> tuple[tuple[str, re.Pattern], ...]:
    """(tag, pattern) pairs from rules/tags.yaml, keywords folded like the text."""
    out = []
    for tag, words in spec.tags.items():
        folded = sorted({_fold(str(w)) for w in words or () if str(w).strip()}, key=len, reverse=True)
        if folded:
            out.append((str(tag), re.compile("|".join(re.escape(w) for w in folded))))
    return tuple(out)


def derive_tags(core_need: Any, existing: Any, spec: TagRules,
                compiled: tuple[tuple[str, re.Pattern], ...] | None = None) -> str | None:
    """Submitted tags first (kept as written), then tags whose keywords occur in 核心需求."""
    sep = spec.separator
    tags: list[str] = []
    if isinstance(existing, (list, tuple, set, frozenset)):
        tags = [str(t).strip() for t in existing if not _missing(t)]
    elif not _missing(existing):
        tags = [t for t in _TAG_SPLIT.split(str(existing)) if t]
    if not _missing(core_need):
        text = _fold(str(core_need))
        for tag, pattern in compiled if compiled is not None else compile_tags(spec):
            if tag not in tags and pattern.search(text):
                tags.append(tag)
    tags = list(dict.fromkeys(tags))
    return sep.join(tags) if tags else None


# ----------------------------------------------------------------------------- stage

def tag_combo(frame: pd.DataFrame, spec: TagCombo) -> list[str | None]:
    """标签组合 per row: ``label:value`` of each part (grading.yaml ``tag_combo``) joined."""
    parts = [p for p in spec.parts if p.field in frame.columns]
    joiner = spec.joiner
    columns = [frame[p.field].tolist() for p in parts]
    out: list[str | None] = []
    for values in zip(*columns) if parts else [()] * len(frame):
        tags = [f"{p.label}:{p.values.get(v, v)}" for p, v in zip(parts, values) if not _missing(v)]
        out.append(joiner.join(tags) or None)
    return out


def grade_customers(customers: pd.DataFrame, rules: Rules, as_of: dt.date) -> StageResult:
    """Fill every dimension of rules/grading.yaml (abc, level, value_tier …, each with its
    ``<rule>_rule``), grade_basis, need_tags and tag_combo on a copy of ``customers``."""
    # a shallow copy: columns are only added or replaced whole, never written into, so
    # ``customers`` is unchanged without copying a million customers' columns first
    out = customers.copy(deep=False)
    dims = rules.dimensions
    tag_spec = rules.tags
    n = len(out)
    by_key = rules.field_by_key
    inputs = _Inputs(out.reset_index(drop=True), rules, as_of)

    cols = [c for c in ("core_need", "need_tags") if c in out.columns]
    compiled = compile_tags(tag_spec)
    derived: dict[tuple[Any, Any], str | None] = {}   # demand texts repeat: match each once
    columns = [out[c].tolist() for c in cols]
    results: dict[str, list] = {d.key: [] for d in dims}
    bases, tags = [], []
    ctypes = inputs.column("raw", "customer_type")
    for i, row_values in enumerate(zip(*columns) if cols else [()] * n):
        record = dict(zip(cols, row_values))
        parts = []
        for d in dims:
            found = evaluate(d, i, inputs, ctypes[i])
            results[d.key].append(found)
            parts.append(found[2])
        bases.append("；".join(parts))
        key = (record.get("core_need"), record.get("need_tags"))
        try:
            tags.append(derived[key])
        except KeyError:
            tags.append(derived.setdefault(key, derive_tags(*key, tag_spec, compiled)))
        except TypeError:  # unhashable (a list of tags)
            tags.append(derive_tags(*key, tag_spec, compiled))

    position = {k: i for i, k in enumerate(by_key)}
    in_field_order = sorted(dims, key=lambda d: position.get(d.field, len(position)))
    columns_out = [(d.field, [g for g, _, _ in results[d.key]]) for d in in_field_order]
    columns_out += [("grade_basis", bases), ("need_tags", tags)]
    columns_out += [(f"{d.rule}_rule", [r for _, r, _ in results[d.key]]) for d in in_field_order]
    for column, data in columns_out:
        out[column] = pd.Series(data, index=out.index, dtype=object)
    out["tag_combo"] = pd.Series(tag_combo(out, rules.tag_combo), index=out.index, dtype=object)
    return StageResult(data={"customers": out}, issues=())
