"""Everything normalize needs from the rules, compiled once per :class:`Rules` object."""
from __future__ import annotations

import re
import dataclasses
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Mapping

from ..buildcache import built_once
from ..rule_types import ValueRules
from ..rules import Rules
from ..settings import IndustryRules, RegionRules
from .amounts import AmountSettings, BudgetWords
from .codes import NameForm, compile_name_forms, name_form_pattern
from .dates import DateSettings
from .enums import EnumParser, compile_enum
from .industry import IndustryIndex
from .industry_build import build_industry_index
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
    """rules/values.yaml (``rules.values``, declared with its defaults in pipeline/rule_types.py)
    as normalize reads it: budgets, 成立年限, several values per cell, truncated names."""

    budget: BudgetWords
    years_words: tuple[str, ...]
    years_approx: tuple[str, ...]
    separators: tuple[str, ...]
    title_brackets: tuple[tuple[str, str], ...]
    complete_names: tuple[str, ...]
    name_min_prefix: int
    not_truncated: tuple[str, ...]
    weak_rules: frozenset[str]
    budget_targets: tuple[str, str]
    rest_field: str
    contact_field: str
    title_field: str
    phone_labels: tuple[str, ...]
    title_words: tuple[str, ...]
    years_target: str


def compile_values(v: ValueRules) -> ValueWords:
    b, y, s, n = v.budget, v.founded_years, v.several, v.names
    budget = b                                   # parse_budget reads the typed rules as they are
    return ValueWords(
        budget=budget, years_words=y.words, years_approx=y.approx_prefixes, separators=s.separators,
        title_brackets=tuple((a, z) for a, z, *_ in s.title_brackets), complete_names=n.complete,
        name_min_prefix=n.min_prefix, not_truncated=n.not_truncated, weak_rules=frozenset(v.weak_rules),
        budget_targets=tuple(b.targets)[:2], rest_field=s.rest_field, contact_field=s.contact_field,
        title_field=s.title_field, phone_labels=s.phone_labels, title_words=s.title_words, years_target=y.target,
    )


def region_index_options(region: RegionRules, **overrides: Any) -> dict[str, Any]:
    """The keyword arguments of :func:`~.regions.build_region_index`: every ``normalize.region``
    setting (rules/settings.yaml; a new one reaches the index without a change here), with
    ``overrides`` (a test turns one setting off to show what it does)."""
    options = {f.name: getattr(region, f.name) for f in dataclasses.fields(region)}
    unknown = set(overrides) - set(options)
    if unknown:
        raise TypeError(f"not a region setting: {sorted(unknown)}")
    return options | overrides


#: ``normalize.industry`` settings the industry index knows under another name
_INDUSTRY_INDEX_NAMES = {"suggest_min_score": "min_score"}


def industry_index_options(industry: IndustryRules) -> dict[str, Any]:
    """The keyword arguments of :func:`~.industry_build.build_industry_index`: every
    ``normalize.industry`` setting (rules/settings.yaml; a new one reaches the index without a
    change here)."""
    return {_INDUSTRY_INDEX_NAMES.get(f.name, f.name): getattr(industry, f.name) for f in dataclasses.fields(industry)}


def _compile(rules: Rules) -> Normalizers:
    s = rules.config.normalize
    dates = DateSettings(s.dates.serial_min, s.dates.serial_max, s.dates.year_min, s.dates.year_max,
                         s.dates.two_digit_year_pivot)
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
    region_tables = {k: v for k, v in rules.tables.items() if k.startswith("regions/")}
    regions = built_once("regions", build_region_index, region_tables, **region_index_options(s.region))
    industry_tables = {k: v for k, v in rules.tables.items() if k.startswith("industr")}
    industry = built_once("industry", build_industry_index, industry_tables, **industry_index_options(s.industry))
    forms = compile_name_forms(s.uscc.name_forms)
    return Normalizers(
        dates=dates, amounts=amounts, rate_max=float(s.rate_max),
        score_range=(float(s.score_min), float(s.score_max)),
        text_max_length=s.text_max_length, tags_joiner=s.tags_joiner,
        enums=enums, flags=flags, regions=regions, industry=industry,
        entity_kinds=dict(s.uscc.entity_kinds),
        name_forms=forms, name_form_pattern=name_form_pattern(forms),
        no_future=s.dates.no_future, date_order=s.dates.order,
        severity=partial(_severity, rules), values=compile_values(rules.values),
    )


def _severity(rules: Rules, code: str) -> str:
    rule = rules.catalog.get(code)
    if rule is None:
        raise KeyError(f"rule code {code!r} is not in the issue catalog")
    return rule.severity


def compiled(rules: Rules) -> Normalizers:
    """Compiled once per Rules object (:meth:`Rules.compiled`)."""
    return rules.compiled(_compile)
