"""Everything normalize needs from the rules, compiled once per :class:`Rules` object."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Mapping

from ..rules import Rules
from .amounts import AmountSettings, BudgetWords
from .codes import NameForm, compile_name_forms, name_form_pattern
from .dates import DateSettings
from .enums import EnumParser, compile_enum
from .industry import IndustryIndex, build_industry_index
from .regions import RegionIndex, build_region_index


@dataclass(frozen=True)
class Normalizers:
    dates: DateSettings
    amounts: AmountSettings
    rate_max: float
    score_range: tuple[float, float]
    text_max_length: int
    tags_joiner: str
    enums: Mapping[str, EnumParser]             # field key -> parser
    flags: Mapping[str, Mapping[str, Mapping[str, str]]]   # field key -> folded value -> {key: value}
    regions: RegionIndex
    industry: IndustryIndex
    entity_kinds: Mapping[str, str]
    name_forms: tuple[NameForm, ...]
    name_form_pattern: re.Pattern
    no_future: tuple[str, ...]
    date_order: tuple[tuple[str, str], ...]
    severity: Callable[[str], str]
    values: "ValueWords" = None               # rules/values.yaml


@dataclass(frozen=True)
class ValueWords:
    """rules/values.yaml compiled: budgets, 成立年限, several values per cell, truncated names."""

    budget: BudgetWords = BudgetWords()
    years_words: tuple[str, ...] = ("年",)
    years_approx: tuple[str, ...] = ()
    separators: tuple[str, ...] = ("/",)
    title_brackets: tuple[tuple[str, str], ...] = (("（", "）"), ("(", ")"))
    complete_names: tuple[str, ...] = ()
    name_min_prefix: int = 2
    not_truncated: tuple[str, ...] = ()
    weak_rules: frozenset[str] = frozenset()
    budget_targets: tuple[str, str] = ("budget_min", "budget_max")
    rest_field: str = "other_contact"
    contact_field: str = "contact"
    title_field: str = "position"
    phone_labels: tuple[str, ...] = ()
    title_words: tuple[str, ...] = ()
    years_target: str = "founded"


def _words(raw: Any) -> tuple[str, ...]:
    return tuple(str(w) for w in (raw or ()))


def compile_values(raw: Any) -> ValueWords:
    raw = raw or {}
    b, y, s, n = (raw.get(k) or {} for k in ("budget", "founded_years", "several", "names"))
    d = ValueWords()
    budget = BudgetWords(**{k: _words(b[k]) for k in BudgetWords.__dataclass_fields__ if k in b})
    return ValueWords(
        budget=budget, years_words=_words(y.get("words")) or d.years_words,
        years_approx=_words(y.get("approx_prefixes")),
        separators=_words(s.get("separators")) or d.separators,
        title_brackets=tuple((str(a), str(z)) for a, z in (s.get("title_brackets") or d.title_brackets)),
        complete_names=_words(n.get("complete")), name_min_prefix=int(n.get("min_prefix", 2) or 2),
        not_truncated=_words(n.get("not_truncated")),
        weak_rules=frozenset(_words(raw.get("weak_rules"))),
        budget_targets=tuple(_words(b.get("targets")) or d.budget_targets)[:2],
        rest_field=str(s.get("rest_field") or d.rest_field), contact_field=str(s.get("contact_field") or d.contact_field),
        title_field=str(s.get("title_field") or d.title_field), phone_labels=_words(s.get("phone_labels")),
        title_words=_words(s.get("title_words")),
        years_target=str(y.get("target") or d.years_target),
    )


def _compile(rules: Rules) -> Normalizers:
    s = rules.config.normalize
    dates = DateSettings(s.dates.serial_min, s.dates.serial_max, s.dates.year_min, s.dates.year_max)
    a = AmountSettings()
    amounts = AmountSettings(
        units={k: float(v) for k, v in (s.amounts.units or a.units).items()},
        approx_prefixes=s.amounts.approx_prefixes or a.approx_prefixes,
        approx_suffixes=s.amounts.approx_suffixes or a.approx_suffixes,
        period_suffixes=s.amounts.period_suffixes or a.period_suffixes,
    )
    enums, flags = {}, {}
    for f in rules.fields:
        if not f.enum or f.computed:
            continue
        own_flags = {k: v for k, v in rules.status_flags.items() if f.key in v}
        enums[f.key] = compile_enum(f.enum, rules.enums[f.enum], rules.enum_values[f.enum], own_flags,
                                    s.enums.hint, s.enums.no_hint, float(s.enums.suggest_min_score))
        if own_flags:
            flags[f.key] = enums[f.key].flags
    regions = build_region_index(rules.tables, s.region.street_words, s.region.min_start_district,
                                 zone_words=s.region.zone_words, town_words=s.region.town_words,
                                 unread_zone_words=s.region.unread_zone_words,
                                 weak_names=s.region.weak_names, placeholders=s.region.placeholders)
    industry = build_industry_index(
        rules.tables, hint=s.industry.hint, no_hint=s.industry.no_hint, example=s.industry.example,
        min_score=s.industry.suggest_min_score, min_contain=s.industry.min_contain)
    forms = compile_name_forms(s.uscc.name_forms)
    return Normalizers(
        dates=dates, amounts=amounts, rate_max=float(s.rate_max),
        score_range=(float(s.score_min), float(s.score_max)),
        text_max_length=s.text_max_length, tags_joiner=s.tags_joiner,
        enums=enums, flags=flags, regions=regions, industry=industry,
        entity_kinds=dict(s.uscc.entity_kinds),
        name_forms=forms, name_form_pattern=name_form_pattern(forms),
        no_future=s.dates.no_future, date_order=s.dates.order,
        severity=partial(_severity, rules), values=compile_values(rules.extra.get("values")),
    )


def _severity(rules: Rules, code: str) -> str:
    rule = rules.catalog.get(code)
    if rule is None:
        raise KeyError(f"rule code {code!r} is not in the issue catalog")
    return rule.severity


def compiled(rules: Rules) -> Normalizers:
    """Compiled once per Rules object (:meth:`Rules.compiled`)."""
    return rules.compiled(_compile)
