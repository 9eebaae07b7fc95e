"""Everything normalize needs from the rules, compiled once per :class:`Rules` object."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Mapping

from ..rules import Rules
from .amounts import AmountSettings
from .codes import NameForm, compile_name_forms
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


def _compile(rules: Rules) -> Normalizers:
    s: Callable[[str, Any], Any] = lambda key, default=None: rules.setting(f"normalize.{key}", default)  # noqa: E731
    d = DateSettings()
    dates = DateSettings(int(s("dates.serial_min", d.serial_min)), int(s("dates.serial_max", d.serial_max)),
                         int(s("dates.year_min", d.year_min)), int(s("dates.year_max", d.year_max)))
    a = AmountSettings()
    amounts = AmountSettings(
        units={str(k): float(v) for k, v in (s("amounts.units") or a.units).items()},
        approx_prefixes=tuple(str(w) for w in (s("amounts.approx_prefixes") or a.approx_prefixes)),
        approx_suffixes=tuple(str(w) for w in (s("amounts.approx_suffixes") or a.approx_suffixes)),
        period_suffixes=tuple(str(w) for w in (s("amounts.period_suffixes") or a.period_suffixes)),
    )
    hint, no_hint = s("enums.hint", "你是不是想填“{value}”"), s("enums.no_hint", "请从下拉选项中选择")
    min_score = float(s("enums.suggest_min_score", 50))
    enums, flags = {}, {}
    for f in rules.fields:
        if not f.enum or f.computed:
            continue
        own_flags = {k: v for k, v in rules.status_flags.items() if f.key in v}
        enums[f.key] = compile_enum(f.enum, rules.enums[f.enum], rules.enum_values[f.enum], own_flags,
                                    hint, no_hint, min_score)
        if own_flags:
            flags[f.key] = enums[f.key].flags
    regions = build_region_index(rules.tables, s("region.street_words", ()) or (),
                                 int(s("region.min_start_district", 3)))
    industry = build_industry_index(
        rules.tables, hint=s("industry.hint"), no_hint=s("industry.no_hint"), example=s("industry.example"),
        min_score=s("industry.suggest_min_score"), min_contain=s("industry.min_contain"))
    forms = compile_name_forms(s("uscc.name_forms") or ())
    words = sorted({w for f in forms for w in f.words}, key=len, reverse=True)
    return Normalizers(
        dates=dates, amounts=amounts, rate_max=float(s("rate_max", 1.0)),
        score_range=(float(s("score_min", 1)), float(s("score_max", 5))),
        text_max_length=int(s("text_max_length", 0) or 0), tags_joiner=str(s("tags_joiner", "、")),
        enums=enums, flags=flags, regions=regions, industry=industry,
        entity_kinds={str(k): str(v) for k, v in (s("uscc.entity_kinds") or {}).items()},
        name_forms=forms, name_form_pattern=re.compile("|".join(map(re.escape, words)) or "(?!)"),
        no_future=tuple(s("dates.no_future", ()) or ()),
        date_order=tuple((str(a), str(b)) for a, b in (s("dates.order", ()) or ())),
        severity=partial(_severity, rules),
    )


def _severity(rules: Rules, code: str) -> str:
    rule = rules.catalog.get(code)
    if rule is None:
        raise KeyError(f"rule code {code!r} is not in the issue catalog")
    return rule.severity


_CACHE: dict[int, tuple[Rules, Normalizers]] = {}


def compiled(rules: Rules) -> Normalizers:
    """Compile once per Rules object (the Rules is kept alive so its id stays unique)."""
    hit = _CACHE.get(id(rules))
    if hit is not None and hit[0] is rules:
        return hit[1]
    if len(_CACHE) >= 8:
        _CACHE.pop(next(iter(_CACHE)))
    result = _compile(rules)
    _CACHE[id(rules)] = (rules, result)
    return result
