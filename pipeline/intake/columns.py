"""What a column is, by its header AND its values (rules/columns.yaml, rules/column_pins.yaml).

For each column intake has a header (maybe ``group/leaf`` from a multi-row header,
:mod:`pipeline.intake.headers`) and, for lists, the column's values. :func:`decide` returns
a :class:`Decision`: the field the column fills (or an extension column of 客户主档), how
that was decided (``method``, shown in the 列映射 table), and whether its values are routed
one by one (a 联系方式 column holding mobiles, landlines and e-mails). The same rules judge a
form's single value (:func:`route_value`).

Order, first answer wins: a steward's pin for the team (the column is that field, whatever
its values: no rerouting, no splitting); the header (a synonym of group+leaf,
of the leaf, then a pattern, refused by ``pattern_guards``); a pattern hit must hold values
of its field's type (``verify_types``); a rerouted header (``reroute``: a 客户类型 column of
新客户/老客户 is 客户分类) goes where its values' enumeration says; none of them fitting, the
column is kept as an extension column with a ``column-unsure`` notice.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from ..issues import Issue, display_value
from ..model import EXT_PREFIX
from ..rules import Rules, fold, fold_header
from .layout import MATCH_PATTERN, HeaderMatch, HeaderMatcher

EXTENSION = "extension"          # a pin target: keep as an extension column
_STRIP = re.compile(r"[\s\-－—()（）]")


@dataclass(frozen=True)
class ColumnRules:
    """rules/columns.yaml and rules/column_pins.yaml compiled for one run."""

    kinds: tuple[tuple[str, Any], ...]
    min_share: float
    reroute: Mapping[str, tuple[str, ...]]
    split_fields: frozenset[str]
    split_kinds: Mapping[str, str]
    verify: Mapping[str, frozenset[str]]
    pins: Mapping[str, Mapping[str, str]]         # team -> folded header -> field key | EXTENSION
    methods: Mapping[str, str]
    computed_suffix: str
    duplicate_suffix: str
    enums: Mapping[str, Mapping[str, str]]        # field key -> folded value -> canonical
    types: Mapping[str, str]
    names: Mapping[str, str]                      # field key -> Chinese name
    header_year: re.Pattern
    _kinds: dict = field(default_factory=dict, compare=False, repr=False)

    def method(self, code: str) -> str:
        return self.methods.get(code, code)

    def forget(self) -> None:
        """Drop the memoised kinds (called once per sheet: memory stays flat over a big run)."""
        self._kinds.clear()

    def kind(self, value: Any) -> str | None:
        """email / mobile / landline / date / number, or None for other text (memoised: a
        column's values are judged several times)."""
        try:
            return self._kinds[value]
        except KeyError:
            hit = self._kinds[value] = self._kind(value)
            return hit
        except TypeError:             # an unhashable value
            return self._kind(value)

    def _kind(self, value: Any) -> str | None:
        if isinstance(value, (dt.date, dt.datetime)):
            return "date"
        if isinstance(value, bool) or value is None:
            return None
        text = display_value(value) if isinstance(value, (int, float)) else str(value)
        text = _STRIP.sub("", unicodedata.normalize("NFKC", text))
        if not text:
            return None
        for name, rx in self.kinds:
            if rx.fullmatch(text):
                return name
        return None

    def pin(self, team: str, labels: Iterable[str]) -> str | None:
        for who in (team, "*"):
            pins = self.pins.get(who) or {}
            for label in labels:
                hit = pins.get(fold_header(label))
                if hit:
                    return hit
        return None

    def enum_hit(self, key: str, value: Any) -> bool:
        enum = self.enums.get(key)
        return bool(enum) and isinstance(value, str) and fold(value) in enum




def column_rules(rules: Rules) -> ColumnRules:
    return rules.compiled(_column_rules)


def _column_rules(rules: Rules) -> ColumnRules:
    spec = rules.columns                     # rules/columns.yaml (pipeline/rule_types.py ColumnsFile)
    enums: dict[str, dict[str, str]] = {}
    for f in rules.fields:
        if f.enum and f.enum in rules.enums:
            values = dict(rules.enums[f.enum])
            if f.enum == "status":          # 战略客户 / 重点客户 are status words too
                values.update({fold(k): k for k in rules.status_flags})
            enums[f.key] = values
    pins = {team: {fold_header(h): t for h, t in m.items()} for team, m in rules.column_pins.pins.items()}
    return ColumnRules(
        kinds=tuple((k.kind, re.compile(k.pattern, re.IGNORECASE)) for k in spec.value_kinds),
        min_share=spec.min_share,
        reroute=dict(spec.reroute),
        split_fields=frozenset(spec.split.fields),
        split_kinds=dict(spec.split.kinds),
        verify={k: frozenset(v) for k, v in spec.verify_types.items()},
        pins=pins, methods=dict(spec.methods),
        computed_suffix=spec.extension.computed_suffix, duplicate_suffix=spec.extension.duplicate_suffix,
        enums=enums, types={f.key: f.type for f in rules.fields}, names=rules.field_names,
        header_year=re.compile(spec.header_year),
    )


def latest_year_columns(header_keys: Mapping[int, str], labels: list[str], cr: ColumnRules) -> dict[str, int]:
    """field key -> the column to keep, when every column naming the field has one year of its
    own in its header (2022年金额, 2023年金额): the latest year's."""
    by_key: dict[str, list[int]] = {}
    for col0, key in header_keys.items():
        by_key.setdefault(key, []).append(col0)
    out = {}
    for key, cols in by_key.items():
        years = [cr.header_year.findall(labels[c]) for c in cols]
        if len(cols) > 1 and all(len(y) == 1 for y in years) and len({y[0] for y in years}) == len(cols):
            out[key] = max(zip(cols, years), key=lambda cy: int(cy[1][0]))[0]
    return out


@dataclass
class Decision:
    """What one column is. ``key`` None = an extension column named ``ext``."""

    key: str | None
    method: str                      # code of rules/columns.yaml methods
    header_key: str | None = None    # the field the header alone named (for notices)
    unit: float = 1.0
    split: bool = False              # values routed one by one (``split`` rules)
    ext: str = ""                    # extension column name (header as written)
    notice: str = ""                 # "" | column-rerouted | column-unsure | column-split
    samples: tuple[Any, ...] = field(default_factory=tuple)


def _filled(v: Any) -> bool:
    """A raw cell value that holds something (intake reads an empty cell as None)."""
    return v is not None and not (v.__class__ is str and not v.strip())


def _distinct(values: Iterable[Any]) -> list[Any]:
    """The distinct non-empty values, in order of appearance."""
    try:
        return [v for v in dict.fromkeys(values) if _filled(v)]
    except TypeError:                 # an unhashable value
        return [v for v in values if _filled(v)]


def samples_of(values: Iterable[Any], n: int = 3) -> tuple[Any, ...]:
    out: list[Any] = []
    seen: set[str] = set()
    for v in _distinct(values):
        t = display_value(v)
        if t not in seen:
            seen.add(t)
            out.append(v)
            if len(out) >= n:
                break
    return tuple(out)


def match_header(leaf: str, group: str, matcher: HeaderMatcher) -> tuple[HeaderMatch, str]:
    """The header's field: a synonym of group+leaf (``联系人`` over ``姓名`` is 联系人姓名), else
    the group's when the leaf is only a year (``年合作金额`` over ``2024年``), else the leaf
    (synonym or pattern), else group+leaf by pattern. Returns (match, method code)."""
    if group and leaf and matcher.year(leaf):
        m = matcher.match(group)
        if m.key:
            return m, "group" if m.method != MATCH_PATTERN else m.method
    if group and leaf:
        both = matcher.match(group + leaf)
        if both.key and both.method != MATCH_PATTERN:
            return both, "group"
    m = matcher.match(leaf or group)
    if m.key:
        return m, m.method
    if group and leaf:
        both = matcher.match(group + leaf)
        if both.key:
            return both, both.method
    return m, m.method


def _share(values: Sequence[Any], test) -> float:
    distinct = _distinct(values)
    if not distinct:
        return 1.0
    return sum(1 for v in distinct if test(v)) / len(distinct)


def decide(label: str, leaf: str, group: str, values: Sequence[Any], team: str, matcher: HeaderMatcher,
           cr: ColumnRules, computed: frozenset[str]) -> Decision:
    """The decision for one column (see the module docstring). ``values`` are the column's
    raw non-header cells (a form gives its one value)."""
    samples = samples_of(values)
    pinned = cr.pin(team, [label, leaf] if label != leaf else [label])
    if pinned == EXTENSION:
        return Decision(None, "pin", ext=label, samples=samples)
    if pinned and pinned in cr.types:
        m = matcher.match(leaf or label)
        return Decision(pinned, "pin", header_key=m.key, unit=m.unit if m.key == pinned else 1.0, samples=samples)
    m, method = match_header(leaf, group, matcher)
    key = m.key
    if key is None:
        return Decision(None, "extension", ext=label, samples=samples)
    if key in computed:
        return Decision(None, "extension", header_key=key, ext=label + cr.computed_suffix, samples=samples)
    if method == MATCH_PATTERN:
        wanted = cr.verify.get(cr.types.get(key, ""))
        if wanted and _share(values, lambda v: cr.kind(v) in wanted) < cr.min_share and not (
                key in cr.split_fields and _share(values, lambda v: route_value(v, cr) is not None) >= cr.min_share):
            # (a 电话/邮箱 column of phones and e-mails is a contact column: the split rules below judge it)
            return Decision(None, "unsure", header_key=key, ext=label, notice="column-unsure", samples=samples)
    if key in cr.reroute:
        shares = [(c, _share(values, lambda v, c=c: cr.enum_hit(c, v))) for c in cr.reroute[key] if c in cr.enums]
        best = max(shares, key=lambda s: s[1], default=(key, 1.0))
        if best[1] < cr.min_share:
            return Decision(None, "unsure", header_key=key, ext=label, notice="column-unsure", samples=samples)
        if best[0] != key:
            return Decision(best[0], "values", header_key=key, notice="column-rerouted", samples=samples)
    if key in cr.split_fields:
        dominant = _dominant(values, cr)
        if dominant and dominant != key:
            return Decision(dominant, "values", header_key=key, notice="column-rerouted", samples=samples,
                            split=_mixed(values, dominant, cr))
        if _mixed(values, key, cr):
            moved = [v for v in values if route_value(v, cr) not in (None, key)]    # what is routed away first
            return Decision(key, "split", header_key=key, unit=m.unit, split=True, notice="column-split",
                            samples=samples_of(moved + [v for v in values if route_value(v, cr) == key]))
    return Decision(key, method, header_key=key, unit=m.unit, samples=samples)


def _targets(values: Sequence[Any], cr: ColumnRules) -> list[str]:
    return [cr.split_kinds[k] for k in (cr.kind(v) for v in values if _filled(v)) if k in cr.split_kinds]


def _mixed(values: Sequence[Any], key: str, cr: ColumnRules) -> bool:
    """Some value of the column is of another split field's kind."""
    return any(t != key for t in _targets(values, cr))


def _dominant(values: Sequence[Any], cr: ColumnRules) -> str | None:
    """The split field most values are of, when at least min_share of the non-empty values are."""
    targets = _targets(values, cr)
    filled = sum(1 for v in values if _filled(v))
    if not targets or not filled:
        return None
    best = max(set(targets), key=targets.count)
    return best if targets.count(best) / filled >= cr.min_share else None


def route_value(value: Any, cr: ColumnRules) -> str | None:
    """The split field (rules/columns.yaml ``split``) one value belongs to by what it is, else None."""
    if not _filled(value):
        return None
    return cr.split_kinds.get(cr.kind(value) or "")


def column_notice(d: Decision, file: str, sheet: str, column: str, header: str, row: int | None,
                  cr: ColumnRules, team: str = "") -> Issue:
    """The info issue telling how a column was read by its values (``d.notice``). ``pin``: the
    line a steward adds under ``pins:`` of rules/column_pins.yaml to read the column as its
    header says (``华东二区: {电话/邮箱: email}``)."""
    order = list(cr.types)
    targets = sorted({t for t in cr.split_kinds.values() if t in cr.types}, key=order.index) if d.split else ()
    pin = f"{team or '*'}: {{{header}: {d.header_key}}}" if d.header_key else ""
    return Issue(rule=d.notice, file=file, sheet=sheet, row=row, column=column, field=d.key or d.header_key or "",
                 params={"header": header, "samples": "、".join(display_value(v) for v in d.samples),
                         "guess": cr.names.get(d.header_key or "", ""), "ext": d.ext,
                         "targets": "、".join(cr.names[t] for t in targets), "pin": pin})
