"""Load `schemas/` and `rules/` into one frozen :class:`Rules` object.

The loader checks the rule files themselves and reports every problem at once
(:class:`RulesError`), so a steward editing a table sees all mistakes in one go.
Stages receive the compiled object as an argument; nothing reads rule files elsewhere.
"""
from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping, TypeVar

import yaml

from .dimensions import Dimension, compile_dimensions
from .rule_types import TYPED_FILES, ReviewRules, TagCombo
from .rule_shapes import (CUSTOMER_TYPES, SEVERITIES, Context, check_csv_columns, check_csv_values,  # noqa: F401
                          check_rule_file)
from .settings import ReportSettings, Settings, compile_settings, freeze, lookup
from .values import fold  # noqa: F401  (stages import it from here too)

T = TypeVar("T")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RULES_DIR = PROJECT_ROOT / "rules"
DEFAULT_SCHEMAS_DIR = PROJECT_ROOT / "schemas"


class RulesError(Exception):
    """The rule files are inconsistent; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("规则文件有误：\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class FieldDef:
    key: str
    name: str
    type: str
    group: str
    required: tuple[str, ...] = ()
    recommended: tuple[str, ...] = ()
    one_of: str = ""
    one_of_types: tuple[str, ...] = ()
    enum: str = ""
    computed: bool = False


@dataclass(frozen=True)
class RuleDef:
    code: str
    severity: str
    title: str
    message: str
    suggestion: str = ""
    params: tuple[str, ...] = ()
    deprecated: bool = False
    area: str = ""
    details: Mapping[str, str] = field(default_factory=dict)   # sub-code -> the sentence {detail} becomes


def _typed_file(file: str) -> Any:
    """A Rules attribute holding the typed object of the rule file ``file``, built on first use."""
    def build(self: "Rules") -> Any:
        return _typed(self.extra.get(file[:-len(".yaml")]), file)
    build.__doc__ = f"`rules/{file}` as a frozen {TYPED_FILES[file].__name__} (pipeline/rule_types.py)."
    return cached_property(build)


@dataclass(frozen=True)
class Rules:
    fields: tuple[FieldDef, ...]
    header_synonyms: Mapping[str, str]          # folded header text -> field key
    header_patterns: tuple[tuple[Any, str], ...]  # (compiled regex, field key), first match wins
    units: Mapping[str, float]
    enums: Mapping[str, Mapping[str, str]]      # enum -> folded synonym -> canonical
    enum_values: Mapping[str, tuple[str, ...]]  # enum -> canonical values in order
    status_flags: Mapping[str, Mapping[str, str]]
    settings: Mapping[str, Any]
    grading: Mapping[str, Any]
    roles: Mapping[str, Any]
    catalog: Mapping[str, RuleDef]
    tables: Mapping[str, tuple[dict, ...]]      # CSV reference tables by stem (regions/cities, industries …)
    extra: Mapping[str, Any] = field(default_factory=dict)  # other YAML files under rules/, by stem
    related: Mapping[str, Any] = field(default_factory=dict)  # schemas/related.yaml (pipeline.related)
    dimensions: tuple[Dimension, ...] = ()      # the grade dimensions of rules/grading.yaml, in file order
    header_pattern_max: int = 12
    digest: str = ""                            # sha256 over every rule file: recorded in the run manifest

    @property
    def field_by_key(self) -> dict[str, FieldDef]:
        return {f.key: f for f in self.fields}

    @property
    def field_names(self) -> dict[str, str]:
        return {f.key: f.name for f in self.fields}

    @property
    def notes(self) -> Mapping[str, Mapping[str, str]]:
        """The note templates of `rules/notes.yaml` by area (``monthly``, ``resubmit``)."""
        return self.extra["notes"]

    @cached_property
    def grade_orders(self) -> Mapping[str, tuple[str, ...]]:
        """Grade column (field key) -> its grades, best first, from the dimensions of
        `rules/grading.yaml`; the order charts, counts and rank changes use."""
        return MappingProxyType({d.field: d.order for d in self.dimensions})

    @cached_property
    def report_config(self) -> ReportSettings:
        """`rules/report.yaml` as typed settings (declared in pipeline/settings.py)."""
        problems: list[str] = []
        config = compile_settings(self.extra.get("report") or {}, problems, file="report.yaml", cls=ReportSettings)
        if problems:
            raise RulesError(problems)
        return config

    @cached_property
    def config(self) -> Settings:
        """`rules/settings.yaml` as typed, frozen objects (declared in pipeline/settings.py)."""
        problems: list[str] = []
        config = compile_settings(self.settings, problems, {f.key for f in self.fields})
        if problems:
            raise RulesError(problems)
        return config

    # The typed rule files (pipeline/rule_types.py), each built once per Rules object from its
    # raw mapping in ``extra`` (so ``dataclasses.replace(rules, extra=…)`` rebuilds them).
    tags = _typed_file("tags.yaml")               # TagRules
    template = _typed_file("template.yaml")       # TemplateRules
    merge = _typed_file("merge.yaml")             # MergeRules
    confirm = _typed_file("confirm.yaml")         # ConfirmRules
    teams = _typed_file("teams.yaml")             # TeamRules (teams.registry compiles it further)
    files = _typed_file("files.yaml")             # FileRules
    values = _typed_file("values.yaml")           # ValueRules (normalize compiles it further)
    forms = _typed_file("forms.yaml")             # FormsFile (intake's FormRules compiles it further)
    columns = _typed_file("columns.yaml")         # ColumnsFile (intake's column_rules compiles it further)
    column_pins = _typed_file("column_pins.yaml") # ColumnPins

    @cached_property
    def tag_combo(self) -> Any:
        """`rules/grading.yaml` ``tag_combo`` as a frozen TagCombo (pipeline/rule_types.py)."""
        return _built(TagCombo, self.grading.get("tag_combo"), "grading.yaml", "tag_combo")

    @cached_property
    def review(self) -> Any:
        """`rules/grading.yaml` ``review`` as a frozen ReviewRules (pipeline/rule_types.py)."""
        return _built(ReviewRules, self.grading.get("review"), "grading.yaml", "review")

    def compiled(self, build: Callable[["Rules"], T]) -> T:
        """``build(self)``, computed once per Rules object: the one cache for what a module
        compiles from the rules (normalizers, the team registry, the related-table schema)."""
        cache = self.__dict__.setdefault("_compiled", {})
        if build not in cache:
            cache[build] = build(self)
        return cache[build]

    def setting(self, dotted: str) -> Any:
        """The setting at ``dotted`` ("merge.block_window"); prefer ``rules.config.merge.block_window``."""
        return lookup(self.config, dotted)


def _built(cls: type, raw: Any, file: str, where: str) -> Any:
    """``raw`` (a section of ``file``, already shape-checked) as the frozen ``cls``."""
    found: list[str] = []
    built = compile_settings(raw or {}, found, file=f"{file} {where}", cls=cls)
    if found:
        raise RulesError(found)
    return built


def _typed(raw: Any, file: str, problems: list[str] | None = None) -> Any:
    """The typed object of the rule file ``file`` (its class in TYPED_FILES) built from ``raw``."""
    found: list[str] = []
    built = compile_settings(raw or {}, found, file=file, cls=TYPED_FILES[file])
    if found and problems is None:
        raise RulesError(found)
    if problems is not None:
        problems.extend(found)
    return built


_MARKERS = re.compile(r"[*＊]|[（(]\s*(必填|选填|必选|可选|非必填)\s*[）)]|必填|选填")
_SPACES = re.compile(r"\s+")


def fold_header(text: Any) -> str:
    """Header matching key: drops required markers, spaces and line breaks."""
    s = unicodedata.normalize("NFKC", str(text))
    s = _MARKERS.sub("", s)
    return _SPACES.sub("", s).strip().lower().strip(":：")


#: libyaml's safe loader when PyYAML was built with it (8x faster on the rule files: 0.13 s → 0.016 s
#: CPU a run); the same documents, the same errors
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path, problems: list[str]) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
    except (OSError, yaml.YAMLError) as exc:
        problems.append(f"{path.name}: 无法读取（{exc}）")
        return {}


def _read_csv(path: Path, problems: list[str]) -> tuple[dict, ...]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return tuple(dict(r) for r in csv.DictReader(fh))
    except OSError as exc:
        problems.append(f"{path.name}: 无法读取（{exc}）")
        return ()


def _load_fields(data: Any, problems: list[str]) -> tuple[FieldDef, ...]:
    out: list[FieldDef] = []
    seen_keys: set[str] = set()
    seen_names: set[str] = set()
    for i, raw in enumerate((data or {}).get("fields", []) or []):
        try:
            fd = FieldDef(
                key=raw["key"], name=raw["name"], type=raw["type"], group=raw.get("group", "meta"),
                required=tuple(raw.get("required", ())), recommended=tuple(raw.get("recommended", ())),
                one_of=raw.get("one_of", ""), one_of_types=tuple(raw.get("one_of_types", ())),
                enum=raw.get("enum", ""), computed=bool(raw.get("computed", False)),
            )
        except (KeyError, TypeError) as exc:
            problems.append(f"fields.yaml 第 {i + 1} 个字段缺少属性 {exc}")
            continue
        if fd.key in seen_keys:
            problems.append(f"fields.yaml: 字段键 {fd.key} 重复")
        if fd.name in seen_names:
            problems.append(f"fields.yaml: 字段名 {fd.name} 重复")
        seen_keys.add(fd.key)
        seen_names.add(fd.name)
        out.append(fd)
    if not out:
        problems.append("fields.yaml: 没有定义任何字段")
    return tuple(out)


def _load_catalog(files: Mapping[str, Any], problems: list[str]) -> dict[str, RuleDef]:
    catalog: dict[str, RuleDef] = {}
    for rel in sorted(r for r in files if r.startswith("issues/")):
        path = Path(rel)
        for code, raw in (files[rel] or {}).items():
            if code in catalog:
                problems.append(f"issues/{path.name}: 规则代码 {code} 与其他文件重复")
                continue
            if not isinstance(raw, dict) or not raw.get("message") or not raw.get("title"):
                problems.append(f"issues/{path.name}: 规则 {code} 缺少 title 或 message")
                continue
            sev = raw.get("severity", "")
            if sev not in SEVERITIES:
                problems.append(f"issues/{path.name}: 规则 {code} 的严重程度“{sev}”应为 error/warning/info")
            catalog[code] = RuleDef(
                code=code, severity=sev, title=raw["title"], message=raw["message"],
                suggestion=raw.get("suggestion", "") or "", params=tuple(raw.get("params", ()) or ()),
                deprecated=bool(raw.get("deprecated", False)), area=path.stem,
                details=MappingProxyType({str(k): str(v) for k, v in (raw.get("details") or {}).items()}),
            )
    if "severity_overrides.yaml" in files:
        for code, sev in (files["severity_overrides.yaml"] or {}).items():
            if code not in catalog:
                problems.append(f"severity_overrides.yaml: 未知规则代码 {code}")
            elif sev not in SEVERITIES:
                problems.append(f"severity_overrides.yaml: {code} 的严重程度“{sev}”无效")
            else:
                r = catalog[code]
                catalog[code] = RuleDef(**{**r.__dict__, "severity": sev})
    return catalog


def _load_enums(data: Any, problems: list[str]):
    enums: dict[str, dict[str, str]] = {}
    values: dict[str, tuple[str, ...]] = {}
    flags = {}
    for name, mapping in (data or {}).items():
        if name == "status_flags":
            flags = mapping or {}
            continue
        if not isinstance(mapping, dict):
            problems.append(f"enums.yaml: {name} 应为“规范值: [同义词]”的映射")
            continue
        folded: dict[str, str] = {}
        for canonical, synonyms in mapping.items():
            for syn in [canonical, *(synonyms or [])]:
                key = fold(syn)
                if key in folded and folded[key] != canonical:
                    problems.append(f"enums.yaml: {name} 中“{syn}”同时映射到 {folded[key]} 和 {canonical}")
                folded[key] = canonical
        enums[name] = folded
        values[name] = tuple(mapping.keys())
    return enums, values, flags


def _with_dimension_fields(fields: tuple[FieldDef, ...], dimensions: tuple[Dimension, ...]) -> tuple[FieldDef, ...]:
    """The output column of a dimension that schemas/fields.yaml does not define (a grading.yaml
    section with a ``name``) as a computed grade field, placed before 分级依据."""
    keys = {f.key for f in fields}
    new = [FieldDef(key=d.field, name=d.name, type="text", group="grade", computed=True)
           for d in dimensions if d.field not in keys]
    if not new:
        return fields
    at = next((i for i, f in enumerate(fields) if f.key == "grade_basis"), len(fields))
    return (*fields[:at], *new, *fields[at:])


def _read_all(rules_dir: Path, schemas_dir: Path, problems: list[str]) -> dict[str, Any]:
    """Every YAML file, read once: ``schemas/fields.yaml`` and the files of rules/ by their path
    relative to it (``headers.yaml``, ``issues/core.yaml`` …)."""
    raw: dict[str, Any] = {"schemas/fields.yaml": _read_yaml(schemas_dir / "fields.yaml", problems),
                           "schemas/related.yaml": _read_yaml(schemas_dir / "related.yaml", problems)}
    for path in sorted(rules_dir.rglob("*.yaml")):
        raw[path.relative_to(rules_dir).as_posix()] = _read_yaml(path, problems)
    return raw


def _check_shapes(raw: Mapping[str, Any], problems: list[str]) -> None:
    """Unknown keys, wrong types, broken regexes and dangling references in every YAML file."""
    def names(rel: str, key: str | None = None) -> frozenset[str]:
        data = raw.get(rel)
        if key is not None:
            data = data.get(key) if isinstance(data, Mapping) else None
        return frozenset(str(k) for k in data) if isinstance(data, Mapping) else frozenset()

    entries = (raw.get("schemas/fields.yaml") or {}).get("fields") if isinstance(raw.get("schemas/fields.yaml"), Mapping) else None
    keys = frozenset(str(f["key"]) for f in entries or () if isinstance(f, Mapping) and "key" in f)
    ctx = Context(field_keys=keys, enum_names=names("enums.yaml") - {"status_flags"},
                  table_names=names("schemas/related.yaml", "tables"))
    for rel, data in raw.items():
        problems.extend(check_rule_file(rel, data, ctx))


def _compile(raw: dict[str, Any], rules_dir: Path, problems: list[str]) -> dict[str, Any]:
    """The keyword arguments of :class:`Rules`, every problem appended to ``problems``."""
    fields = _load_fields(raw["schemas/fields.yaml"], problems)
    keys = {f.key for f in fields}

    headers = raw.get("headers.yaml", {})
    synonyms: dict[str, str] = {}
    for f in fields:
        if not f.computed:
            synonyms[fold_header(f.name)] = f.key
    for key, words in (headers.get("synonyms") or {}).items():
        if key not in keys:           # reported by the shape check
            continue
        for w in words or []:
            h = fold_header(w)
            if h in synonyms and synonyms[h] != key:
                problems.append(f"headers.yaml: 表头“{w}”同时对应 {synonyms[h]} 和 {key}")
            synonyms[h] = key
    for f in fields:      # a computed field's name is read only when no synonym claims it
        if f.computed:     # (a team's own 客户编号 column is 原客户编号, see headers.yaml)
            synonyms.setdefault(fold_header(f.name), f.key)
    units = {str(k): float(v) for k, v in (headers.get("units") or {}).items()}
    patterns: list[tuple[Any, str]] = []
    for item in headers.get("patterns") or []:
        key = (item or {}).get("field")
        try:                          # an unknown key or a broken pattern is reported by the shape check
            if key in keys:
                patterns.append((re.compile(str(item["pattern"]), re.IGNORECASE), key))
        except (re.error, KeyError):
            pass
    pattern_max = int(headers.get("pattern_max_length", 12) or 12)

    enums, enum_values, flags = _load_enums(raw.get("enums.yaml", {}), problems)

    settings = raw.get("settings.yaml", {})
    compile_settings(settings, problems, keys)
    compile_settings(raw.get("report.yaml") or {}, problems, file="report.yaml", cls=ReportSettings)
    grading = raw.get("grading.yaml", {})
    dimensions = compile_dimensions(grading, {f.key: f for f in fields}, enum_values, problems)
    fields = _with_dimension_fields(fields, dimensions)

    roles = raw.get("roles.yaml", {})
    groups = {f.group for f in fields}
    for role, spec in (roles.get("roles") or {}).items():
        for g in (spec or {}).get("groups", []):
            if g not in groups:
                problems.append(f"roles.yaml: 角色 {role} 的字段组 {g} 未定义")

    catalog = _load_catalog(raw, problems)

    tables: dict[str, tuple[dict, ...]] = {}
    for path in sorted(rules_dir.rglob("*.csv")):
        stem = path.relative_to(rules_dir).with_suffix("").as_posix()
        tables[stem] = _read_csv(path, problems)
        if tables[stem]:
            problems.extend(check_csv_columns(stem, list(tables[stem][0])))
            problems.extend(check_csv_values(stem, tables[stem]))

    for file in TYPED_FILES:         # the shape check has spoken; anything else is a declaration error
        if not any(p.startswith(f"{file}:") for p in problems):
            _typed(raw.get(file), file, problems)
    known = {"headers", "enums", "settings", "grading", "roles", "severity_overrides"}
    extra = {rel[:-5]: data for rel, data in raw.items() if "/" not in rel and rel[:-5] not in known}
    from .teams import check_teams      # rules/teams.yaml: the team registry and version markers

    problems.extend(check_teams(extra.get("teams")))
    from .related import check_related   # schemas/related.yaml: the related tables

    related = raw.get("schemas/related.yaml") or {}
    problems.extend(check_related(related, frozenset(keys), frozenset(enums)))
    return dict(
        fields=fields, header_synonyms=MappingProxyType(synonyms), units=MappingProxyType(units),
        header_patterns=tuple(patterns), header_pattern_max=pattern_max,
        enums=freeze(enums), enum_values=freeze(enum_values), status_flags=freeze(flags),
        settings=freeze(settings), grading=freeze(grading), roles=freeze(roles),
        catalog=MappingProxyType(catalog), tables=MappingProxyType(tables), extra=freeze(extra),
        related=freeze(related), dimensions=dimensions,
    )


def load_rules(rules_dir: Path | str | None = None, schemas_dir: Path | str | None = None) -> Rules:
    """Read, check and compile every rule file; raise :class:`RulesError` listing all problems."""
    rules_dir = Path(rules_dir or DEFAULT_RULES_DIR)
    schemas_dir = Path(schemas_dir or DEFAULT_SCHEMAS_DIR)
    problems: list[str] = []
    if not rules_dir.is_dir():
        raise RulesError([f"规则目录不存在：{rules_dir}"])

    raw = _read_all(rules_dir, schemas_dir, problems)
    _check_shapes(raw, problems)
    try:
        compiled = _compile(raw, rules_dir, problems)
    except (TypeError, ValueError, AttributeError, KeyError, IndexError):
        if not problems:     # a shape problem already explains the failure; otherwise it is a bug
            raise
        raise RulesError(problems) from None
    if problems:
        raise RulesError(problems)

    digest = hashlib.sha256()
    for path in sorted(list(rules_dir.rglob("*")) + list(schemas_dir.rglob("*"))):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return Rules(**compiled, digest=digest.hexdigest())
