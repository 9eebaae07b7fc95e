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
from typing import Any, Mapping

import yaml

from .settings import Settings, compile_settings, freeze, lookup

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RULES_DIR = PROJECT_ROOT / "rules"
DEFAULT_SCHEMAS_DIR = PROJECT_ROOT / "schemas"
CUSTOMER_TYPES = ("企业", "个人")
SEVERITIES = ("error", "warning", "info")


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
    header_pattern_max: int = 12
    digest: str = ""                            # sha256 over every rule file: recorded in the run manifest

    @property
    def field_by_key(self) -> dict[str, FieldDef]:
        return {f.key: f for f in self.fields}

    @property
    def field_names(self) -> dict[str, str]:
        return {f.key: f.name for f in self.fields}

    @cached_property
    def config(self) -> Settings:
        """`rules/settings.yaml` as typed, frozen objects (declared in pipeline/settings.py)."""
        problems: list[str] = []
        config = compile_settings(self.settings, problems, {f.key for f in self.fields})
        if problems:
            raise RulesError(problems)
        return config

    def setting(self, dotted: str) -> Any:
        """The setting at ``dotted`` ("merge.block_window"); prefer ``rules.config.merge.block_window``."""
        return lookup(self.config, dotted)


_MARKERS = re.compile(r"[*＊]|[（(]\s*(必填|选填|必选|可选|非必填)\s*[）)]|必填|选填")
_SPACES = re.compile(r"\s+")


def fold(text: Any) -> str:
    """Matching key for short labels: NFKC, no spaces, lower case. Never stored as data."""
    s = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return _SPACES.sub("", s)


def fold_header(text: Any) -> str:
    """Header matching key: drops required markers, spaces and line breaks."""
    s = unicodedata.normalize("NFKC", str(text))
    s = _MARKERS.sub("", s)
    return _SPACES.sub("", s).strip().lower().strip(":：")


def _read_yaml(path: Path, problems: list[str]) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
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
        for t in fd.required + fd.recommended + fd.one_of_types:
            if t not in CUSTOMER_TYPES:
                problems.append(f"fields.yaml: 字段 {fd.key} 的客户类型“{t}”未知")
        seen_keys.add(fd.key)
        seen_names.add(fd.name)
        out.append(fd)
    if not out:
        problems.append("fields.yaml: 没有定义任何字段")
    return tuple(out)


def _load_catalog(rules_dir: Path, problems: list[str]) -> dict[str, RuleDef]:
    catalog: dict[str, RuleDef] = {}
    for path in sorted((rules_dir / "issues").glob("*.yaml")):
        for code, raw in (_read_yaml(path, problems) or {}).items():
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
            )
    overrides_path = rules_dir / "severity_overrides.yaml"
    if overrides_path.exists():
        for code, sev in (_read_yaml(overrides_path, problems) or {}).items():
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


def load_rules(rules_dir: Path | str | None = None, schemas_dir: Path | str | None = None) -> Rules:
    """Read, check and compile every rule file; raise :class:`RulesError` listing all problems."""
    rules_dir = Path(rules_dir or DEFAULT_RULES_DIR)
    schemas_dir = Path(schemas_dir or DEFAULT_SCHEMAS_DIR)
    problems: list[str] = []
    if not rules_dir.is_dir():
        raise RulesError([f"规则目录不存在：{rules_dir}"])

    fields = _load_fields(_read_yaml(schemas_dir / "fields.yaml", problems), problems)
    keys = {f.key for f in fields}

    headers = _read_yaml(rules_dir / "headers.yaml", problems)
    synonyms: dict[str, str] = {}
    for f in fields:
        if not f.computed:
            synonyms[fold_header(f.name)] = f.key
    for key, words in (headers.get("synonyms") or {}).items():
        if key not in keys:
            problems.append(f"headers.yaml: 未知字段键 {key}")
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
    for i, item in enumerate(headers.get("patterns") or []):
        key = (item or {}).get("field")
        if key not in keys:
            problems.append(f"headers.yaml: patterns 第 {i + 1} 条的字段键 {key} 未知")
            continue
        try:
            patterns.append((re.compile(str(item["pattern"]), re.IGNORECASE), key))
        except (re.error, KeyError) as exc:
            problems.append(f"headers.yaml: patterns 第 {i + 1} 条的正则表达式无效（{exc}）")
    pattern_max = int(headers.get("pattern_max_length", 12) or 12)

    enums, enum_values, flags = _load_enums(_read_yaml(rules_dir / "enums.yaml", problems), problems)
    for f in fields:
        if f.enum and f.enum not in enums:
            problems.append(f"fields.yaml: 字段 {f.key} 引用的枚举 {f.enum} 不在 enums.yaml 中")

    settings = _read_yaml(rules_dir / "settings.yaml", problems)
    compile_settings(settings, problems, keys)
    grading = _read_yaml(rules_dir / "grading.yaml", problems)
    for table in ("levels",):
        levels = ((grading.get("level") or {}).get(table)) or []
        if not levels or len(levels[-1]) != 1:
            problems.append("grading.yaml: level.levels 最后一级必须是只有 grade 的兜底级别")
    tiers = ((grading.get("value_tier") or {}).get("tiers")) or []
    if not tiers or len(tiers[-1]) != 1:
        problems.append("grading.yaml: value_tier.tiers 最后一级必须是只有 tier 的兜底级别")
    abc = ((grading.get("abc") or {}).get("tiers")) or []
    if not abc or abc[-1].get("top_share") != 1.0:
        problems.append("grading.yaml: abc.tiers 最后一级的 top_share 必须为 1.0")

    roles = _read_yaml(rules_dir / "roles.yaml", problems)
    groups = {f.group for f in fields}
    for role, spec in (roles.get("roles") or {}).items():
        for g in (spec or {}).get("groups", []):
            if g not in groups:
                problems.append(f"roles.yaml: 角色 {role} 的字段组 {g} 未定义")
        for k in (spec or {}).get("mask", []):
            if k not in keys:
                problems.append(f"roles.yaml: 角色 {role} 的遮挡字段 {k} 未定义")

    catalog = _load_catalog(rules_dir, problems)

    tables: dict[str, tuple[dict, ...]] = {}
    for path in sorted(rules_dir.rglob("*.csv")):
        stem = path.relative_to(rules_dir).with_suffix("").as_posix()
        tables[stem] = _read_csv(path, problems)

    known = {"headers", "enums", "settings", "grading", "roles", "severity_overrides"}
    extra = {}
    for path in sorted(rules_dir.glob("*.yaml")):
        if path.stem not in known:
            extra[path.stem] = _read_yaml(path, problems)
    from .teams import check_teams      # rules/teams.yaml: the team registry and version markers

    problems.extend(check_teams(extra.get("teams")))

    if problems:
        raise RulesError(problems)

    digest = hashlib.sha256()
    for path in sorted(list(rules_dir.rglob("*")) + list(schemas_dir.rglob("*"))):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())

    return Rules(
        fields=fields, header_synonyms=MappingProxyType(synonyms), units=MappingProxyType(units),
        header_patterns=tuple(patterns), header_pattern_max=pattern_max,
        enums=freeze(enums), enum_values=freeze(enum_values), status_flags=freeze(flags),
        settings=freeze(settings), grading=freeze(grading), roles=freeze(roles),
        catalog=MappingProxyType(catalog), tables=MappingProxyType(tables), extra=freeze(extra),
        digest=digest.hexdigest(),
    )
