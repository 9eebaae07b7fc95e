"""The shape of every YAML and CSV file under rules/ and schemas/, and one checker for them.

:func:`check_rule_file` walks a parsed file against its declared shape and lists every problem
in Chinese with the file and the dotted key (``forms.yaml: label_form.section_pattern 正则表达式
无效（…）``): unknown keys, values of the wrong type, regular expressions that do not compile,
field keys, enumerations and related tables that do not exist. `rules/settings.yaml` and
`rules/report.yaml` are checked by pipeline/settings.py (it also holds their defaults); the
typed files of pipeline/rule_types.py (tags, template, merge, confirm, teams, files, values) get their shape
from their classes (:func:`shape_of`).

A new key in a rule file is one line in its shape below, or in its class in
pipeline/rule_types.py (docs/where-things-go.md).
"""
from __future__ import annotations

import collections.abc
import dataclasses
import functools
import re
import typing
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

CUSTOMER_TYPES = ("企业", "个人")
SEVERITIES = ("error", "warning", "info")


@dataclass
class Context:
    """What references are resolved against."""
    field_keys: frozenset[str] = frozenset()
    enum_names: frozenset[str] = frozenset()
    table_names: frozenset[str] = frozenset()      # related tables (schemas/related.yaml `tables`)


Check = Callable[[Any, str, Context, list], None]


def _say(problems: list, where: str, text: str) -> None:
    problems.append(f"{where} {text}" if where else text)


def scalar(kind: type | tuple, name: str) -> Check:
    def check(value, where, ctx, problems):
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            _say(problems, where, f"应为{name}，实际为“{value}”")
        elif not isinstance(value, kind):
            _say(problems, where, f"应为{name}，实际为“{value}”")
    return check


STR = scalar(str, "文本")
INT = scalar(int, "整数")
NUM = scalar((int, float), "数字")
BOOL = scalar(bool, "true/false")
ANY: Check = lambda value, where, ctx, problems: None  # noqa: E731


def regex(value, where, ctx, problems):
    if not isinstance(value, str):
        _say(problems, where, f"应为正则表达式文本，实际为“{value}”")
        return
    try:
        re.compile(value)
    except re.error as exc:
        _say(problems, where, f"正则表达式无效（{exc}）：{value}")


def _member(kind: str, names: Callable[[Context], frozenset], source: str) -> Check:
    def check(value, where, ctx, problems):
        if not isinstance(value, str) or value not in names(ctx):
            _say(problems, where, f"{kind} {value} 不在 {source} 中")
    return check


FIELD = _member("字段键", lambda c: c.field_keys, "schemas/fields.yaml")
ENUM = _member("枚举", lambda c: c.enum_names, "rules/enums.yaml")
TABLE = _member("关联表", lambda c: c.table_names, "schemas/related.yaml tables")


def choice(*allowed: str) -> Check:
    def check(value, where, ctx, problems):
        if value not in allowed:
            _say(problems, where, f"应为 {'/'.join(allowed)} 之一，实际为“{value}”")
    return check


CUSTOMER_TYPE = choice(*CUSTOMER_TYPES)
SEVERITY = choice(*SEVERITIES)


def list_of(item: Check) -> Check:
    def check(value, where, ctx, problems):
        if value is None:
            return
        if not isinstance(value, list):
            _say(problems, where, f"应为列表，实际为“{value}”")
            return
        for i, v in enumerate(value):
            item(v, f"{where}[{i + 1}]", ctx, problems)
    return check


def either(*checks: Check) -> Check:
    """The first check that finds nothing wins; otherwise the problems of the first."""
    def check(value, where, ctx, problems):
        first: list = []
        for i, c in enumerate(checks):
            found: list = []
            c(value, where, ctx, found)
            if not found:
                return
            if i == 0:
                first = found
        problems.extend(first)
    return check


def map_of(key: Check, value: Check) -> Check:
    def check(data, where, ctx, problems):
        if data is None:
            return
        if not isinstance(data, Mapping):
            _say(problems, where, f"应为映射，实际为“{data}”")
            return
        for k, v in data.items():
            inner = f"{where}.{k}" if where else str(k)
            key(k, f"{where} 的键" if where else "键", ctx, problems)
            value(v, inner, ctx, problems)
    return check


@dataclass(frozen=True)
class Record:
    """A mapping with known keys: unknown keys, missing required keys and bad values are problems.
    ``rest`` checks (key, value) pairs not in ``keys`` instead of rejecting them."""
    keys: Mapping[str, Check]
    required: tuple[str, ...] = ()
    rest: tuple[Check, Check] | None = None
    extra: tuple[str, ...] = field(default=())

    def __call__(self, data, where, ctx, problems):
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            _say(problems, where, f"应为映射，实际为“{data}”")
            return
        for k in self.required:
            if k not in data:
                _say(problems, where or "", f"缺少 {k}")
        for k, v in data.items():
            inner = f"{where}.{k}" if where else str(k)
            if k in self.keys:
                self.keys[k](v, inner, ctx, problems)
            elif self.rest is not None:
                self.rest[0](k, inner, ctx, problems)
                self.rest[1](v, inner, ctx, problems)
            else:
                _say(problems, "", f"未知键 {inner}（可用：{'、'.join(self.keys)}）")


WORDS = list_of(STR)

# --- the files -------------------------------------------------------------------------

_FIELD_ATTRS = Record({
    "key": STR, "name": STR, "type": STR, "group": STR, "required": list_of(CUSTOMER_TYPE),
    "recommended": list_of(CUSTOMER_TYPE), "one_of": STR, "one_of_types": list_of(CUSTOMER_TYPE),
    "enum": ENUM, "computed": BOOL,
}, required=("key", "name", "type"))

_RULE = Record({     # title, message and severity are checked by the catalog loader (pipeline/rules.py)
    "severity": ANY, "title": ANY, "message": ANY, "suggestion": STR, "params": WORDS,
    "deprecated": BOOL, "details": map_of(STR, STR),
})

# The notes each module writes (rules/notes.yaml): every one must be there.
NOTE_KEYS = {
    "monthly": ("new", "new_level", "status", "status_first", "reason", "no_reason", "absent", "absent_blank",
                "grade_up", "grade_down", "grade_other", "grade_first", "grade_lost", "due", "due_today",
                "overdue", "from_plan", "plan_goal", "plan_owner", "stale"),
    "grade": ("missing", "none", "matched", "joiner", "at_least", "above", "below", "at_most", "is", "not", "in",
              "not_in", "blank", "filled", "months_since", "months_within", "top_share", "not_ranked"),
    "resubmit": ("fixed", "fixed_file", "open", "open_changed", "open_other", "open_other_unchanged",
                 "changed", "changed_issue", "added", "removed",
                 "removed_open"),
    "ledger": ("duplicate", "superseded", "earlier_version", "fresh_dropped"),
}

def _typed(name: str) -> Check:
    """The shape of the class ``name`` of pipeline/rule_types.py (it imports this module)."""
    def check(value, where, ctx, problems):
        from . import rule_types

        shape_of(getattr(rule_types, name))(value, where, ctx, problems)
    return check


# A grade dimension of rules/grading.yaml (pipeline/dimensions.py): rows of conditions on fields.
_CONDITION = either(Record({"at_least": NUM, "above": NUM, "below": NUM, "at_most": NUM, "is": STR, "not": STR,
                            "in": WORDS, "not_in": WORDS, "missing": BOOL, "months_since": INT, "top_share": NUM}),
                    NUM, STR)
_ALTERNATIVE = Record({"rule": STR, "basis": STR}, rest=(FIELD, _CONDITION))
_DIMENSION = Record({
    "name": STR, "field": STR, "rule": STR, "inputs": list_of(FIELD), "order": WORDS, "basis": STR,
    "not_applicable": map_of(CUSTOMER_TYPE, list_of(FIELD)),
    "levels": list_of(Record({"grade": STR, "rule": STR, "basis": STR, "any": list_of(_ALTERNATIVE)},
                             required=("grade",), rest=(FIELD, _CONDITION))),
}, required=("inputs", "levels"))


SHAPES: dict[str, Check] = {
    "schemas/fields.yaml": Record({"fields": list_of(_FIELD_ATTRS)}, required=("fields",)),
    "schemas/related.yaml": Record({"tables": map_of(STR, Record({"columns": list_of(Record(
        {"name": STR, "type": STR, "enum": ENUM, "synonyms": WORDS, "record": FIELD, "role": STR,
         "past": BOOL, "not_before": WORDS},
        required=("name",)))}, required=("columns",)))}, required=("tables",)),
    "headers.yaml": Record({
        "synonyms": map_of(FIELD, WORDS),
        "units": map_of(STR, NUM),
        "pattern_max_length": INT,
        "patterns": list_of(Record({"pattern": regex, "field": FIELD}, required=("pattern", "field"))),
    }),
    "enums.yaml": Record({"status_flags": map_of(STR, map_of(FIELD, STR))},
                         rest=(STR, map_of(STR, WORDS))),
    "grading.yaml": Record({
        "tag_combo": _typed("TagCombo"),
        "review": _typed("ReviewRules"),
    }, rest=(STR, _DIMENSION)),
    "roles.yaml": Record({"roles": map_of(STR, Record({
        "groups": WORDS, "mask": list_of(FIELD),
        "extensions": either(choice("all", "none"), WORDS), "mask_extensions": either(choice("all", "none"), WORDS),
    }))}),
    "issues/*.yaml": map_of(STR, _RULE),
    "notes.yaml": Record({area: Record({k: STR for k in keys}, required=keys) for area, keys in NOTE_KEYS.items()},
                         required=tuple(NOTE_KEYS)),
}

# Columns every CSV table must have (extra columns are problems too: a typo would hide one).
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "industries": ("section", "section_name", "division", "division_name"),
    "industry_aliases": ("alias", "division"),
    "industry_vague": ("word", "section"),
    "industry_multi": ("label", "divisions"),
    "industry_classes": ("code", "name"),
    "industry_heads": ("word", "divisions", "kind", "note"),
    "industry_classes_2011": ("code", "name", "division"),
    "industry_notes": ("word", "divisions", "classes"),
    "industry_classes_2002": ("code", "name", "divisions"),
    "industry_places": ("word", "divisions", "types"),
    "industry_shops": ("word", "divisions", "codes"),
    "industry_goods": ("word", "division", "groups"),
    "regions/provinces": ("code", "name", "short", "aliases", "region"),
    "regions/cities": ("code", "province", "name", "short", "variants", "aliases"),
    "regions/districts": ("code", "province", "city", "name", "short", "variants", "aliases"),
    "regions/history": ("name", "code", "province", "city", "level", "until", "successor", "successor_name",
                        "successor_city", "also", "current"),
    "regions/towns": ("name", "district"),
    "regions/zones": ("name", "district", "until", "note"),
    "regions/stat_zones": ("code", "province", "city", "name"),
    "regions/city_towns": ("code", "province", "city", "name", "short", "variants"),
    "regions/hmt": ("level", "code", "province", "city", "name", "short", "aliases", "note"),
    "hotwords/dictionary": ("word", "freq", "tag"),
    "hotwords/stopwords": ("word",),
    "merge_aliases": ("alias", "name", "note"),
}


#: Columns whose values the code gives a meaning to: any other value would silently mean nothing
#: (a head word of kind ``ofice`` would read as no kind at all). ``""`` is allowed where listed.
CSV_CHOICES: dict[str, dict[str, tuple[str, ...]]] = {
    # pipeline/normalize/industry.py ``_head``: how a head word ending a label is read
    "industry_heads": {"kind": ("activity", "shop", "product", "equipment", "parts", "field", "office", "decides", "around", "")},
}


def yaml_key(name: str) -> str:
    """The key in a rule file of a typed attribute: ``class_`` is written ``class``."""
    return name[:-1] if name.endswith("_") else name


@functools.lru_cache(maxsize=None)
def shape_of(tp: Any) -> Check:
    """The shape of a typed rule-file class (pipeline/rule_types.py) or of one of its
    attribute types: ``Annotated[str, FIELD]`` is checked by FIELD, ``tuple[X, ...]`` is a list,
    ``Mapping[K, V]`` a mapping, a dataclass a Record whose attributes without a default are required."""
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp, include_extras=True)
        fields = dataclasses.fields(tp)
        required = tuple(yaml_key(f.name) for f in fields
                         if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
        return Record({yaml_key(f.name): shape_of(hints[f.name]) for f in fields}, required=required)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        return args[1]
    if origin is tuple:
        return list_of(shape_of(args[0]))
    if origin is collections.abc.Mapping:
        return map_of(shape_of(args[0]), shape_of(args[1]))
    simple = {str: STR, int: INT, float: NUM, bool: BOOL, Any: ANY}
    if tp in simple:
        return simple[tp]
    raise TypeError(f"no shape for {tp!r}")   # a declaration error in pipeline/rule_types.py


def shape_for(rel: str) -> Check | None:
    """The shape of the file at ``rel`` (relative to rules/, or ``schemas/…``), if declared."""
    if rel.startswith("issues/"):
        return SHAPES["issues/*.yaml"]
    from .rule_types import TYPED_FILES      # they import the checks above

    if rel in TYPED_FILES:
        return shape_of(TYPED_FILES[rel])
    return SHAPES.get(rel)


def check_rule_file(rel: str, data: Any, ctx: Context) -> list[str]:
    """Every problem of one parsed rule file, each as "<file>: <key> <problem>"."""
    shape = shape_for(rel)
    if shape is None:
        return []
    found: list[str] = []
    shape(data, "", ctx, found)
    name = rel.removeprefix("schemas/")
    return [f"{name}: {p}" for p in found]


def check_csv_columns(stem: str, columns: list[str] | None) -> list[str]:
    """Missing or unknown columns of the CSV table ``stem`` (e.g. ``regions/cities``)."""
    want = CSV_COLUMNS.get(stem)
    if want is None or columns is None:
        return []
    have = [c.strip() for c in columns]
    out = [f"{stem}.csv: 缺少列 {c}" for c in want if c not in have]
    out += [f"{stem}.csv: 未知列 {c}（可用：{'、'.join(want)}）" for c in have if c not in want]
    return out


def check_csv_values(stem: str, rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Values of a :data:`CSV_CHOICES` column that the code does not know, each naming its line."""
    out = []
    for column, allowed in CSV_CHOICES.get(stem, {}).items():
        for line, row in enumerate(rows, start=2):          # line 1 is the header
            value = (row.get(column) or "").strip()
            if value not in allowed:
                out.append(f"{stem}.csv: 第{line}行 {column} “{value}” 不可用（可用：{'、'.join(a for a in allowed if a)}）")
    return out
