"""Grade customers (docs/grading.md): ABC分类, 客户等级, 价值层级, 分级依据 and 需求标签.

Every threshold comes from ``rules/grading.yaml`` and every tag keyword from
``rules/tags.yaml``; comparisons are ``>=``. Each output records the rule that fired
(``abc_rule``, ``level_rule``, ``value_rule``) and one Chinese line of reasons with the
numbers (``grade_basis``). See docs/grading.md for the exact definitions of the
boundary cases (ties, rounding, months without cooperation, missing inputs).
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd

from .model import StageResult
from .rules import Rules
from .values import add_months, is_blank as _missing, to_date as _date, to_number as _number  # noqa: F401

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


def _is_yes(value: Any) -> bool:
    if value is True:
        return True
    return isinstance(value, str) and value.strip() in ("是", "Y", "y", "yes", "Yes", "true", "True")


# ----------------------------------------------------------------------------- ABC

def _abc(amounts: pd.Series, spec: Mapping[str, Any], label: str, notes: Mapping[str, str]):
    """Rank customers with a positive amount, descending. A customer's rank is 1 + the number
    of customers with a strictly larger amount (ties share the better rank, so equal amounts
    always get the same grade). Tier k covers ranks 1..ceil(top_share_k × N)."""
    tiers = list(spec.get("tiers") or ())
    n_rows = len(amounts)
    grades: list[Any] = [None] * n_rows
    rules_fired: list[str] = ["abc.missing"] * n_rows
    basis = [notes["abc_missing"].format(label=label)] * n_rows
    ranked = amounts[amounts > 0]
    n = len(ranked)
    ranks = ranked.rank(method="min", ascending=False).astype(int) if n else ranked
    limits = [(t["grade"], math.ceil(round(float(t["top_share"]) * n, 9))) for t in tiers]
    catch_all = tiers[-1]["grade"] if tiers else None
    position = {idx: i for i, idx in enumerate(amounts.index)}
    for idx, rank in ranks.items():
        i = position[idx]
        grade = next((g for g, limit in limits if rank <= limit), catch_all)
        grades[i] = grade
        rules_fired[i] = f"abc.{grade}"
        pct = math.ceil(rank / n * 100 - EPS)
        basis[i] = notes["abc_rank"].format(label=label, pct=pct, rank=rank, n=n, grade=grade)
    for idx, value in amounts[amounts <= 0].items():  # known, but no cooperation at all
        i = position[idx]
        grades[i], rules_fired[i] = catch_all, "abc.zero"
        basis[i] = notes["abc_zero"].format(label=label, grade=catch_all)
    return grades, rules_fired, basis


# ----------------------------------------------------------------------------- level

@dataclass(frozen=True)
class LevelTable:
    """grading.yaml ``level`` compiled once: ordered (grade, ((field, threshold), …)) rows."""

    levels: tuple[tuple[str, tuple[tuple[str, float], ...]], ...]
    inactive_months: int
    inactive_grade: str
    not_applicable: Mapping[str, frozenset]
    inactive_basis: str = "最近合作时间 {last}，{since} 起已连续{months}个月无合作 → {grade}"

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> "LevelTable":
        levels = tuple((str(lv["grade"]), tuple((k, float(t)) for k, t in lv.items() if k != "grade"))
                       for lv in spec.get("levels") or ())
        skip = {str(t): frozenset(keys or ()) for t, keys in (spec.get("not_applicable") or {}).items()}
        extra = {"inactive_basis": str(spec["inactive_basis"])} if spec.get("inactive_basis") else {}
        return cls(levels, int(spec.get("inactive_months", 0) or 0),
                   str(spec.get("inactive_grade", levels[-1][0] if levels else "")), skip, **extra)

    def needed(self, customer_type: Any) -> tuple[tuple[str, ...], frozenset]:
        skip = self.not_applicable.get(customer_type if isinstance(customer_type, str) else "", frozenset())
        keys = dict.fromkeys(k for _, conds in self.levels for k, _ in conds if k not in skip)
        return tuple(keys), skip


def _level(row: Mapping[str, Any], table: LevelTable, ftypes: Mapping[str, str],
           names: Mapping[str, str], as_of: dt.date, notes: Mapping[str, str]) -> tuple[Any, str, str]:
    n_months = table.inactive_months
    last = _date(row.get("last_coop"))
    if n_months and last is not None:
        since = add_months(last, n_months)       # inactive from this day on (rules/grading.yaml)
        if since <= as_of:
            grade = table.inactive_grade
            return grade, "level.inactive", table.inactive_basis.format(
                last=last.isoformat(), since=since.isoformat(), months=n_months, grade=grade,
                as_of=as_of.isoformat())

    needed, skip = table.needed(row.get("customer_type"))
    values = {k: _number(row.get(k)) for k in needed}
    missing = [names.get(k, k) for k in needed if values[k] is None]
    if missing:
        return None, "level.missing", notes["level_missing"].format(fields="、".join(missing))

    previous: list[tuple[str, float, float]] = []
    for grade, all_conds in table.levels:
        conds = [(k, t) for k, t in all_conds if k not in skip]
        failed = [(k, values[k], t) for k, t in conds if values[k] < t - EPS]
        if not failed:
            if conds:
                parts = [f"{names.get(k, k)} {_fmt_value(ftypes.get(k, ''), values[k])}≥"
                         f"{_fmt_threshold(ftypes.get(k, ''), t)}" for k, t in conds]
            else:  # catch-all: say what the last real level lacked
                parts = [f"{names.get(k, k)} {_fmt_value(ftypes.get(k, ''), v)}<"
                         f"{_fmt_threshold(ftypes.get(k, ''), t)}" for k, v, t in previous]
            return grade, f"level.{grade}", f"{'，'.join(parts)} → {grade}"
        previous = failed
    return None, "level.none", notes["level_none"]  # unreachable with a catch-all level


# ----------------------------------------------------------------------------- value tier

def _value_tier(row: Mapping[str, Any], spec: Mapping[str, Any], names: Mapping[str, str],
                notes: Mapping[str, str]):
    tiers = list(spec.get("tiers") or ())
    annual = _number(row.get("annual_amount"))
    strategic = _is_yes(row.get("strategic"))
    label = names.get("annual_amount", "annual_amount")
    for tier in tiers:
        name = tier.get("tier")
        threshold = tier.get("annual_amount")
        if threshold is None and not tier.get("or_strategic"):  # catch-all
            if annual is None:
                return None, "value.missing", notes["value_missing"].format(label=label)
            below = [t.get("annual_amount") for t in tiers if t.get("annual_amount") is not None]
            reason = f"{label} {_fmt_amount(annual)}<{_fmt_threshold('amount', float(min(below)))}" if below else label
            return name, f"value.{name}", f"{reason} → {name}"
        if threshold is not None and annual is not None and annual >= float(threshold) - EPS:
            return name, f"value.{name}.amount", (
                f"{label} {_fmt_amount(annual)}≥{_fmt_threshold('amount', float(threshold))} → {name}")
        if tier.get("or_strategic") and strategic:
            return name, f"value.{name}.strategic", notes["value_strategic"].format(grade=name)
    return None, "value.none", notes["value_none"]


# ----------------------------------------------------------------------------- tags

def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def compile_tags(spec: Mapping[str, Any]) -> tuple[tuple[str, re.Pattern], ...]:
    """(tag, pattern) pairs from rules/tags.yaml, keywords folded like the text."""
    out = []
    for tag, words in (spec.get("tags") or {}).items():
        folded = sorted({_fold(str(w)) for w in words or () if str(w).strip()}, key=len, reverse=True)
        if folded:
            out.append((str(tag), re.compile("|".join(re.escape(w) for w in folded))))
    return tuple(out)


def derive_tags(core_need: Any, existing: Any, spec: Mapping[str, Any],
                compiled: tuple[tuple[str, re.Pattern], ...] | None = None) -> str | None:
    """Submitted tags first (kept as written), then tags whose keywords occur in 核心需求."""
    sep = spec.get("separator", "、")
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
    """Fill abc, level, value_tier, grade_basis, need_tags (+ *_rule) on a copy of ``customers``."""
    out = customers.copy()
    grading = rules.grading
    names = rules.field_names
    ftypes = {f.key: f.type for f in rules.fields}
    tag_spec = rules.extra.get("tags") or {}
    n = len(out)

    abc_spec = grading.get("abc") or {}
    amount_key = abc_spec.get("amount_field", "total_amount")
    if amount_key in out.columns:
        amounts = pd.to_numeric(out[amount_key], errors="coerce")
    else:
        amounts = pd.Series([float("nan")] * n, index=out.index, dtype=float)
    notes = rules.notes["grade"]
    abc, abc_rule, abc_basis = _abc(amounts, abc_spec, names.get(amount_key, amount_key), notes)

    cols = [c for c in ("customer_type", "annual_amount", "renewal_rate", "satisfaction", "last_coop",
                        "strategic", "core_need", "need_tags") if c in out.columns]
    level_table, value_spec = LevelTable.from_spec(grading.get("level") or {}), grading.get("value_tier") or {}
    compiled = compile_tags(tag_spec)
    derived: dict[tuple[Any, Any], str | None] = {}   # demand texts repeat: match each once
    columns = [out[c].tolist() for c in cols]
    levels, level_rules, values, value_rules, bases, tags = [], [], [], [], [], []
    for i, row_values in enumerate(zip(*columns) if cols else [()] * n):
        record = dict(zip(cols, row_values))
        lv, lv_rule, lv_basis = _level(record, level_table, ftypes, names, as_of, notes)
        vt, vt_rule, vt_basis = _value_tier(record, value_spec, names, notes)
        levels.append(lv)
        level_rules.append(lv_rule)
        values.append(vt)
        value_rules.append(vt_rule)
        bases.append("；".join([lv_basis, abc_basis[i], vt_basis]))
        key = (record.get("core_need"), record.get("need_tags"))
        try:
            tags.append(derived[key])
        except KeyError:
            tags.append(derived.setdefault(key, derive_tags(*key, tag_spec, compiled)))
        except TypeError:  # unhashable (a list of tags)
            tags.append(derive_tags(*key, tag_spec, compiled))

    for column, data in (("abc", abc), ("level", levels), ("value_tier", values), ("grade_basis", bases),
                         ("need_tags", tags), ("abc_rule", abc_rule), ("level_rule", level_rules),
                         ("value_rule", value_rules)):
        out[column] = pd.Series(data, index=out.index, dtype=object)
    out["tag_combo"] = pd.Series(tag_combo(out, grading.get("tag_combo") or {}), index=out.index, dtype=object)
    return StageResult(data={"customers": out}, issues=())
