"""The typed settings of `rules/settings.yaml`: every key, its type and its default, here only.

Stages read ``rules.config.<section>.<key>`` (for example ``rules.config.merge.fuzzy_name_threshold``);
nothing else spells a setting's default. The loader (:func:`compile_settings`) checks the file
against these classes: an unknown key, a value of the wrong type or a field key that does not
exist is reported with the file and the dotted key, together with every other problem.

Adding a setting is one line in its section's class below (``name: type = default  # meaning``);
list it in `rules/settings.yaml` with a comment so a steward sees it. A key missing from the
file takes the default given here. Supported types: ``int``, ``float``, ``str``, ``bool``,
``tuple[str, ...]``, ``tuple[tuple[str, str], ...]``, ``Mapping[str, int | float | str |
tuple[str, ...]]``, a nested section class, and ``Any`` (kept as read, frozen). See
docs/where-things-go.md.
"""
from __future__ import annotations

import collections.abc
import dataclasses
import typing
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

_EMPTY: Mapping = MappingProxyType({})


def _empty_map() -> Mapping:
    return _EMPTY


@dataclass(frozen=True)
class IntakeSettings:
    empty_markers: tuple[str, ...] = ()            # cells holding only this text read as empty
    header_scan_rows: int = 12                     # the header row is searched among the first N rows
    header_min_matches: int = 2                    # a header row names at least N known fields
    max_file_bytes: int = 50 * 1048576
    max_unpacked_bytes: int = 500 * 1048576
    max_compression_ratio: float = 200
    max_rows_per_sheet: int = 1_100_000
    instruction_sheets: tuple[str, ...] = ()
    skip_row_markers: tuple[str, ...] = ()
    personal_sheet_words: tuple[str, ...] = ()
    company_sheet_words: tuple[str, ...] = ()
    skip_row_reasons: Mapping[str, tuple[str, ...]] = field(default_factory=_empty_map)
    company_name_suffixes: tuple[str, ...] = ()
    csv_encodings: tuple[str, ...] = ("gb18030",)
    ignored_headers: tuple[str, ...] = ()
    suggest_min_score: float = 60
    suggest_hint: str = "{name}"
    ratio_check_min_bytes: int = 1048576
    title_label_skip: tuple[str, ...] = ()          # fields a title cell (销售代表：张伟) never fills
    image_cell_pattern: str = ""                    # a cell value that is a picture (WPS =DISPIMG(…))


@dataclass(frozen=True)
class MergeSettings:
    fuzzy_name_threshold: float = 90               # name level "similar" (docs/merge.md decision table)
    one_edit_min_length: int = 4                   # name level "one edit" for keys this long
    review_threshold: float = 80                   # name level "near": 疑似重复, never merged
    min_key_length_name_only: int = 3              # a name + city match needs a key this long
    big_city_share: float = 0.2                    # a city with this share of companies weighs less
    big_city_min_key_length: int = 4
    big_city_min_companies: int = 1000
    generic_key_cities: int = 3                    # a key in this many cities is common
    contact_max_names: int = 3                     # a mobile / e-mail on more name keys is a rep's own
    short_form_min_length: int = 2                 # 简称 length, with a specific mobile / e-mail
    person_name_threshold: float = 50
    max_block_size: int = 40
    block_window: int = 10
    fuzzy_block_min_key_length: int = 4            # fuzzy candidate pairs (review queue) for keys this long
    source_priority: Mapping[str, int] = field(default_factory=_empty_map)


@dataclass(frozen=True)
class DateRules:
    serial_min: int = 10959
    serial_max: int = 73050
    year_min: int = 1900
    year_max: int = 2099
    two_digit_year_pivot: int = 29
    no_future: tuple[str, ...] = ()                # field keys
    order: tuple[tuple[str, str], ...] = ()        # (later, earlier) field keys


@dataclass(frozen=True)
class AmountRules:
    units: Mapping[str, float] = field(default_factory=_empty_map)   # empty: the parser's own units
    period_suffixes: tuple[str, ...] = ()
    approx_prefixes: tuple[str, ...] = ()
    approx_suffixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class EnumRules:
    suggest_min_score: float = 50
    hint: str = "你是不是想填“{value}”"
    no_hint: str = "请从下拉选项中选择"


@dataclass(frozen=True)
class IndustryRules:
    suggest_min_score: float = 60
    hint: str = "你是不是想填“{name}”"
    no_hint: str = "请填写国民经济行业分类大类名称，例如“{example}”"
    example: str = "通用设备制造业"
    min_contain: int = 2
    head_tails: tuple[str, ...] = ()        # words that may follow a head word (rules/industry_heads.csv)
    max_candidates: int = 6                 # a word in class names of more divisions names none
    ignore_words: tuple[str, ...] = ()      # dropped before a name lookup (的)
    generic_words: tuple[str, ...] = ()     # sharing only these makes no hint; alone they name no class
    drop_prefixes: tuple[str, ...] = ()     # a leading word dropped before a name lookup (其他)
    equipment_words: tuple[str, ...] = ()   # class names holding one name equipment (rules/industry_heads.csv kind equipment)
    service_tails: tuple[str, ...] = ()     # a service word after goods words (汽车服务) names no goods division
    goods_sections: Mapping[str, str] = field(default_factory=_empty_map)   # goods 门类 → its service division ("" none)
    trade_divisions: tuple[str, ...] = ()   # divisions trading in goods others make (批发, 零售)
    repair_heads: tuple[str, ...] = ()      # heads read by what is repaired (维修, 修理)
    repaired_in: Mapping[str, str] = field(default_factory=_empty_map)   # product division → repair division
    typo_min_length: int = 0                # an unknown label this long, one character off one known name, reads as it
    typo_hint_min_length: int = 0           # a shorter one gets that name as no hint (团购 is no 团委)
    abbreviations: Mapping[str, str] = field(default_factory=_empty_map)   # 交运 → 交通运输 (an unread label only)
    level_marks: tuple[str, ...] = ()       # a level mark ending a label copied from stock software (白酒Ⅱ): dropped
    goods_endings: tuple[str, ...] = ()     # a label ending in one after service words names goods (保健品 is no O80)
    place_kinds: tuple[str, ...] = ()       # venue words: 羽毛球馆 reads as the place name 羽毛球场 (an unread label only)
    head_modifiers: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=_empty_map)   # 租赁 after 土地: K70
    goods_tails: tuple[str, ...] = ()       # a GB/T class name ending in one names goods before it (合成橡胶制造)
    not_goods: tuple[str, ...] = ()         # words of goods names that are no goods alone (抛光, 液压, 白色)
    equipment_home: Mapping[str, str] = field(default_factory=_empty_map)   # 仪表 → 40 after words naming nothing
    vehicle_divisions: tuple[str, ...] = ()   # a vehicle word (汽车 C36) before parts names the vehicle's parts
    vehicle_part_makers: tuple[str, ...] = ()   # goods of these divisions after a vehicle word are its parts (汽车弹簧)
    vehicle_part_heads: Mapping[str, tuple[str, ...]] = field(default_factory=_empty_map)   # 仪表 → 40: 汽车仪表 C36 or C40
    shop_service_sections: tuple[str, ...] = ()   # a shop after a service of these 门类 is the service's (干洗店 O80)
    service_shops: tuple[str, ...] = ()     # the shop heads that may be a service's outlet (店; not 商店)
    negations: tuple[str, ...] = ()         # a word right after one in a class name is not held by it (非金融机构)
    use_markers: tuple[str, ...] = ()       # a word right before one in a class name is the goods' use (污染处理专用)
    instrument_classes: tuple[str, ...] = ()   # trademark classes whose goods an instrument's words begin (10: 理疗设备)
    decides_yield: Mapping[str, tuple[str, ...]] = field(default_factory=_empty_map)   # 平台 → J: 借贷平台 is finance


@dataclass(frozen=True)
class RegionRules:
    street_words: tuple[str, ...] = ()
    min_start_district: int = 3
    zone_words: tuple[str, ...] = ()               # 高新区, 开发区 … (see normalize/regions_index.py)
    unread_zone_words: tuple[str, ...] = ()        # a zone right after the city: no county read
    area_words: tuple[str, ...] = ()               # a part of town right after the city (市区, 城东): no county read
    town_words: tuple[str, ...] = ()               # 镇, 乡, 街道 …
    town_endings: tuple[str, ...] = ()             # how a town's official name ends (镇, 乡, 街道, 苏木)
    weak_names: tuple[str, ...] = ()               # short forms that are also everyday words (东方)
    placeholders: tuple[str, ...] = ()             # level names that are no place (市辖区)
    separators: tuple[str, ...] = ()               # characters between the levels (浙江省-金华市-义乌市)
    level_endings: tuple[str, ...] = ()            # how a unit's name ends written as a unit (石柱县, 海南州)
    strong_endings: tuple[str, ...] = ()           # a two-character county name ending so is a name (沛县, 寿县)
    obsolete_short_endings: tuple[str, ...] = ()   # dropped from an obsolete county's name: its short form (江干)
    directions: tuple[str, ...] = ()               # written between a name and a street word (中山东路)
    county_word_endings: tuple[str, ...] = ()      # a county-like word right after the city ends so (梧田区)
    county_word_not_before: tuple[str, ...] = ()   # ... and is no county before these (城区路: a street)
    town_alone: bool = False                       # an address naming only a town reads its county
    statistical_zones: bool = True                 # read rules/regions/stat_zones.csv as county-level units
    zone_short: Mapping[str, tuple[str, ...]] = field(default_factory=_empty_map)   # 高新技术产业开发区 → 高新区


@dataclass(frozen=True)
class UsccRules:
    entity_kinds: Mapping[str, str] = field(default_factory=_empty_map)
    name_forms: Any = ()                           # [{form, words, prefixes, unless}], compiled by normalize/codes.py


@dataclass(frozen=True)
class NormalizeSettings:
    text_max_length: int = 0                       # 0: no limit
    tags_joiner: str = "、"
    dates: DateRules = DateRules()
    amounts: AmountRules = AmountRules()
    rate_max: float = 1.0
    score_min: float = 1
    score_max: float = 5
    enums: EnumRules = EnumRules()
    industry: IndustryRules = IndustryRules()
    region: RegionRules = RegionRules()
    uscc: UsccRules = UsccRules()


@dataclass(frozen=True)
class ReminderSettings:
    follow_up_window_days: int = 7
    stale_after_days: int = 92


@dataclass(frozen=True)
class ResubmitSettings:
    window_months: int = 1


@dataclass(frozen=True)
class Settings:
    intake: IntakeSettings = IntakeSettings()
    merge: MergeSettings = MergeSettings()
    normalize: NormalizeSettings = NormalizeSettings()
    reminders: ReminderSettings = ReminderSettings()
    resubmit: ResubmitSettings = ResubmitSettings()


@dataclass(frozen=True)
class ReportSettings:
    """`rules/report.yaml`: how much report.html shows (docs/report.md)."""
    max_issue_rows: int = 2000          # rows of the searchable issue table (errors first)
    examples_per_rule: int = 5          # examples under each rule in 问题汇总
    hot_words: int = 20                 # demand keywords
    top_provinces: int = 15             # provinces shown; the rest are summed as 其他
    top_industries: int = 12            # 行业门类 shown; the rest are summed as 其他
    max_table_rows: int = 200           # rows of 退回记录 / 月度变化 / 提醒清单 shown
    hot_words_max_texts: int = 20000    # distinct 核心需求 texts segmented (most frequent first)
    completeness_fields: tuple[str, ...] = ()   # 字段完整度: Chinese field names; empty = required/recommended ones


# Settings whose values are field keys of schemas/fields.yaml (checked by the loader).
FIELD_KEY_SETTINGS = ("normalize.dates.no_future", "normalize.dates.order")

_TYPE_NAMES = {int: "整数", float: "数字", str: "文本", bool: "true/false"}


def _describe(tp: Any) -> str:
    if tp in _TYPE_NAMES:
        return _TYPE_NAMES[tp]
    origin = typing.get_origin(tp)
    if origin is tuple:
        return "列表"
    if dataclasses.is_dataclass(tp) or origin is not None:
        return "映射"
    return "值"


def _convert(value: Any, tp: Any, where: str, problems: list[str]) -> Any:
    """``value`` as type ``tp``; a mismatch appends a problem and returns ``None``."""
    bad = f"{where} 应为{_describe(tp)}，实际为“{value}”"
    if tp is Any:
        return freeze(value)
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, Mapping):
            problems.append(bad)
            return None
        return _section(tp, value, where, problems)
    if tp is bool:
        return value if isinstance(value, bool) else problems.append(bad)
    if tp is int:
        return value if isinstance(value, int) and not isinstance(value, bool) else problems.append(bad)
    if tp is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return value if ok else problems.append(bad)
    if tp is str:
        return value if isinstance(value, str) else problems.append(bad)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            problems.append(bad)
            return None
        item = args[0]
        if len(args) == 2 and args[1] is Ellipsis:
            items = [_convert(v, item, f"{where}[{i + 1}]", problems) for i, v in enumerate(value)]
        else:
            if len(value) != len(args):
                problems.append(f"{where} 应有 {len(args)} 项，实际为“{value}”")
                return None
            items = [_convert(v, a, f"{where}[{i + 1}]", problems) for i, (v, a) in enumerate(zip(value, args))]
        return tuple(items)
    if origin is collections.abc.Mapping:
        if not isinstance(value, Mapping):
            problems.append(bad)
            return None
        return MappingProxyType({str(k): _convert(v, args[1], f"{where}.{k}", problems) for k, v in value.items()})
    raise TypeError(f"unsupported setting type {tp!r} at {where}")  # a declaration error in this module


def freeze(obj: Any) -> Any:
    """Dicts as read-only mappings and lists as tuples, all the way down."""
    if isinstance(obj, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in obj.items()})
    if isinstance(obj, list):
        return tuple(freeze(v) for v in obj)
    return obj


def _section(cls: type, raw: Mapping, where: str, problems: list[str]) -> Any:
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    values: dict[str, Any] = {}
    for key, value in raw.items():
        dotted = f"{where}.{key}" if where else str(key)
        name = f"{key}_" if f"{key}_" in hints else key      # ``class`` is the attribute ``class_``
        if name not in hints:
            problems.append(f"未知设置 {dotted}（可用：{'、'.join(names)}）")
            continue
        converted = _convert(value, hints[name], dotted, problems)
        if converted is not None:
            values[name] = converted
    return cls(**values)


def compile_settings(raw: Any, problems: list[str], field_keys: set[str] | None = None,
                     file: str = "settings.yaml", cls: type = Settings) -> Any:
    """Check ``raw`` (the parsed settings file) against :class:`Settings` and build it.

    Every problem is appended to ``problems`` as "<file>: <problem>"; the defaults stand in for
    what is missing or wrong, so the caller can go on collecting problems."""
    found: list[str] = []
    if not isinstance(raw, Mapping):
        found.append(f"应为“分组: 设置”的映射，实际为“{raw}”")
        raw = {}
    settings = _section(cls, raw, "", found)
    if field_keys is not None and cls is Settings:
        for dotted in FIELD_KEY_SETTINGS:
            for key in _flat(lookup(settings, dotted)):
                if key not in field_keys:
                    found.append(f"{dotted} 中的字段键 {key} 不在 fields.yaml 中")
    problems.extend(f"{file}: {p}" for p in found)
    return settings


def _flat(value: Any):
    for v in value or ():
        if isinstance(v, tuple):
            yield from v
        else:
            yield v


def lookup(settings: Any, dotted: str) -> Any:
    """The setting at ``dotted`` ("merge.block_window"); ``KeyError`` when there is none."""
    node = settings
    for part in dotted.split("."):
        if dataclasses.is_dataclass(node) and part in {f.name for f in dataclasses.fields(node)}:
            node = getattr(node, part)
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            raise KeyError(dotted)
    return node
