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
import unicodedata
from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd

from .dimensions import COMPARE, MEMBER, Condition, Dimension
from .model import StageResult
from .rule_types import TagRules
from .rules import Rules
from .values import add_months, fold, is_blank as _missing, to_date as _date, to_number as _number  # noqa: F401

EPS = 1e-9  # float tolerance for ">=": 0.9 parsed from "90%" must meet a 90 % threshold
GRADE_COLUMNS = ["abc", "level", "value_tier", "grade_basis", "need_tags", "abc_rule", "level_rule", "value_rule",
                 "tag_combo"]
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

@dataclass(frozen=True)
class _Context:
    """What evaluating a condition needs besides the customer's record."""
    names: Mapping[str, str]                     # field key -> Chinese name
    types: Mapping[str, str]                     # field key -> field type (amount, rate …)
    enums: Mapping[str, Mapping[str, str]]       # field key -> folded synonym -> canonical value
    notes: Mapping[str, str]                     # rules/notes.yaml `grade`
    as_of: dt.date
    ranks: Mapping[tuple[str, int], int]         # (field, row position) -> rank among positive values
    ranked: Mapping[str, int]                    # field -> how many customers are ranked


_NEGATION = {"at_least": "below", "below": "at_least", "above": "at_most", "at_most": "above",
             "is": "not", "not": "is", "in": "not_in", "not_in": "in"}


def _test(c: Condition, raw: Any, i: int, ctx: _Context) -> tuple[bool | None, str, dict]:
    """(holds: True/False, or None when a blank input makes it unknown; the note key saying
    what was found; its placeholders)."""
    ftype = ctx.types.get(c.field, "")
    params: dict[str, Any] = {"name": ctx.names.get(c.field, c.field)}
    if c.op in COMPARE:
        v = _number(raw)
        params["threshold"] = _fmt_threshold(ftype, c.value)
        if v is None:
            return None, c.op, params
        params["value"] = _fmt_value(ftype, v)
        holds = {"at_least": v >= c.value - EPS, "above": v > c.value + EPS,
                 "below": v < c.value - EPS, "at_most": v <= c.value + EPS}[c.op]
        return holds, c.op if holds else _NEGATION[c.op], params
    if c.op in MEMBER:
        enum = ctx.enums.get(c.field)
        value = "" if _missing(raw) else (enum.get(fold(raw), "") if enum is not None else str(raw).strip())
        expected = c.value if c.op in ("in", "not_in") else (c.value,)
        params.update(value=value, expected="、".join(expected))
        holds = (value in expected) == (c.op in ("is", "in"))
        return holds, c.op if holds else _NEGATION[c.op], params
    if c.op == "missing":
        blank = _missing(raw)
        params["value"] = "" if blank else str(raw)
        return blank == c.value, "blank" if blank else "filled", params
    if c.op == "months_since":
        last = _date(raw)
        params["months"] = int(c.value)
        if last is None:
            return False, "blank", params
        since = add_months(last, int(c.value))       # on or after this day (rules/grading.yaml)
        params.update(last=last.isoformat(), since=since.isoformat())
        return since <= ctx.as_of, "months_since" if since <= ctx.as_of else "months_within", params
    if c.op == "top_share":
        v = _number(raw)
        if v is None:
            return None, "blank", params
        rank = ctx.ranks.get((c.field, i))
        if rank is None:
            return False, "not_ranked", params
        n = ctx.ranked[c.field]
        params.update(rank=rank, n=n, pct=math.ceil(rank / n * 100 - EPS))
        return rank <= math.ceil(round(c.value * n, 9)), "top_share", params
    raise ValueError(f"unknown condition {c.op}")   # rejected when the rules are loaded


def evaluate(dim: Dimension, record: Mapping[str, Any], i: int, ctx: _Context) -> tuple[Any, str, str]:
    """(grade or None, the rule that fired, the 分级依据 part) of one customer: the first row of
    ``dim`` that holds. A row needing a blank input stops the table with the grade left blank."""
    notes = ctx.notes
    skip = dim.skipped(record.get("customer_type"))
    previous: list[str] = []
    for row in dim.rows:
        unknown, failed = False, []
        for alt in row.alternatives:
            conds = [c for c in alt.conditions if c.field not in skip]
            found = [(c, *_test(c, record.get(c.field), i, ctx)) for c in conds]
            if all(holds for _, holds, _, _ in found):
                parts = [notes[key].format(**p) for _, _, key, p in found] if conds else previous
                params = {k: v for _, _, _, p in found for k, v in p.items()}
                template = alt.basis or row.basis or dim.basis or notes["matched"]
                values = {k: "" if _missing(v) else v for k, v in record.items()} if "{values" in template else {}
                basis = template.format(**{**params, "parts": notes["joiner"].join(parts), "grade": row.grade,
                                           "as_of": ctx.as_of.isoformat(), "names": ctx.names, "values": values})
                return row.grade, ".".join(p for p in (dim.rule, row.rule, alt.rule) if p), basis
            unknown = unknown or any(holds is None for _, holds, _, _ in found)
            failed += [notes[key].format(**p) for _, holds, key, p in found if holds is False]
        if unknown:
            blank = [ctx.names.get(k, k) for k in dim.needed(record.get("customer_type"))
                     if _number(record.get(k)) is None]
            return None, f"{dim.rule}.missing", notes["missing"].format(fields="、".join(blank), name=dim.name)
        previous = failed
    return None, f"{dim.rule}.none", notes["none"].format(name=dim.name)


def _ranks(frame: pd.DataFrame, dims: tuple[Dimension, ...]) -> tuple[dict, dict]:
    """Rank of each positive value of every ``top_share`` field, descending; ties share the
    better rank (1 + the number of strictly larger values), so equal amounts get one grade."""
    ranks: dict[tuple[str, int], int] = {}
    ranked: dict[str, int] = {}
    for key in dict.fromkeys(k for d in dims for k in d.rank_fields):
        values = pd.Series([_number(v) for v in frame[key]] if key in frame.columns else [], dtype=float)
        positive = values[values > 0]
        ranked[key] = len(positive)
        for i, r in positive.rank(method="min", ascending=False).astype(int).items():
            ranks[(key, int(i))] = int(r)
    return ranks, ranked


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

def tag_combo(frame: pd.DataFrame, spec: Mapping[str, Any]) -> list[str | None]:
    """标签组合 per row: ``label:value`` of each part (grading.yaml ``tag_combo``) joined."""
    parts = [p for p in spec.get("parts") or () if p.get("field") in frame.columns]
    joiner = str(spec.get("joiner", "+"))
    columns = [frame[p["field"]].tolist() for p in parts]
    out: list[str | None] = []
    for values in zip(*columns) if parts else [()] * len(frame):
        tags = [f"{p['label']}:{(p.get('values') or {}).get(v, v)}" for p, v in zip(parts, values) if not _missing(v)]
        out.append(joiner.join(tags) or None)
    return out


def grade_customers(customers: pd.DataFrame, rules: Rules, as_of: dt.date) -> StageResult:
    """Fill every dimension of rules/grading.yaml (abc, level, value_tier …, each with its
    ``<rule>_rule``), grade_basis, need_tags and tag_combo on a copy of ``customers``."""
    out = customers.copy()
    dims = rules.dimensions
    tag_spec = rules.tags
    n = len(out)
    by_key = rules.field_by_key
    enums = {k: rules.enums[f.enum] for k, f in by_key.items() if f.enum in rules.enums}
    ranks, ranked = _ranks(out.reset_index(drop=True), dims)
    ctx = _Context(rules.field_names, {k: f.type for k, f in by_key.items()}, enums, rules.notes["grade"], as_of,
                   ranks, ranked)

    cols = list(dict.fromkeys(c for c in ("customer_type", *(k for d in dims for k in d.inputs), "core_need",
                                         "need_tags") if c in out.columns))
    compiled = compile_tags(tag_spec)
    derived: dict[tuple[Any, Any], str | None] = {}   # demand texts repeat: match each once
    columns = [out[c].tolist() for c in cols]
    results: dict[str, list] = {d.key: [] for d in dims}
    bases, tags = [], []
    for i, row_values in enumerate(zip(*columns) if cols else [()] * n):
        record = dict(zip(cols, row_values))
        parts = []
        for d in dims:
            found = evaluate(d, record, i, ctx)
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
    out["tag_combo"] = pd.Series(tag_combo(out, rules.grading.get("tag_combo") or {}), index=out.index, dtype=object)
    return StageResult(data={"customers": out}, issues=())
