"""The related tables of a customer (联系人, 互动记录, 需求与反馈, 维护计划), from the one
schema ``schemas/related.yaml``: every module that reads, writes or checks them asks here.

``related_schema(rules)`` gives the compiled :class:`RelatedSchema` (tables in order, each
with its columns, their normalizer type, enumeration, header synonyms, the customer field a
form fills from them and the role monthly reads).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

#: the normalizer types a related column may have
COLUMN_TYPES = ("text", "name", "date", "mobile", "landline", "email", "score", "enum")
#: roles pipeline/monthly.py reads
ROLES = ("interaction_date", "plan_date", "plan_goal", "plan_owner")


@dataclass(frozen=True)
class RelatedColumn:
    name: str
    type: str = "text"
    enum: str = ""
    synonyms: tuple[str, ...] = ()
    record: str = ""          # customer field key filled from the table's first value
    role: str = ""
    past: bool = False        # a date of something that happened: after the as-of date → date-future
    not_before: tuple[str, ...] = ()   # customer field keys / columns of the row it may not precede


@dataclass(frozen=True)
class RelatedTable:
    name: str
    columns: tuple[RelatedColumn, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(frozen=True)
class RelatedSchema:
    tables: tuple[RelatedTable, ...]

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.tables]

    def table(self, name: str) -> RelatedTable | None:
        return next((t for t in self.tables if t.name == name), None)

    def columns(self) -> dict[str, list[str]]:
        """Table name -> its column names, in order."""
        return {t.name: t.column_names for t in self.tables}

    def role(self, role: str) -> tuple[str, str]:
        """(table, column) holding ``role``; ("", "") when no column has it."""
        for t in self.tables:
            for c in t.columns:
                if c.role == role:
                    return t.name, c.name
        return "", ""

    def record_fields(self) -> dict[str, tuple[str, str]]:
        """Customer field key -> (table, column) a form fills it from."""
        return {c.record: (t.name, c.name) for t in self.tables for c in t.columns if c.record}


def compile_related(raw: Mapping[str, Any] | None) -> RelatedSchema:
    tables = []
    for name, spec in ((raw or {}).get("tables") or {}).items():
        cols = tuple(RelatedColumn(name=str(c["name"]), type=str(c.get("type") or "text"), enum=str(c.get("enum") or ""),
                                   synonyms=tuple(str(s) for s in c.get("synonyms") or ()),
                                   record=str(c.get("record") or ""), role=str(c.get("role") or ""),
                                   past=bool(c.get("past")),
                                   not_before=tuple(str(x) for x in c.get("not_before") or ()))
                     for c in (spec or {}).get("columns") or ())
        tables.append(RelatedTable(str(name), cols))
    return RelatedSchema(tuple(tables))


def check_related(raw: Mapping[str, Any] | None, field_keys: frozenset[str], enum_names: frozenset[str]) -> list[str]:
    """Problems of schemas/related.yaml beyond its shape (pipeline/rule_shapes.py), in Chinese."""
    problems: list[str] = []
    seen_roles: dict[str, str] = {}
    for name, spec in ((raw or {}).get("tables") or {}).items():
        names: set[str] = set()
        columns = {str(c.get("name", "")): c for c in (spec or {}).get("columns") or () if isinstance(c, Mapping)}
        for i, c in enumerate((spec or {}).get("columns") or (), start=1):
            if not isinstance(c, Mapping):
                continue
            where = f"related.yaml: tables.{name}.columns 第 {i} 列"
            for other in c.get("not_before") or ():
                if str(other) not in field_keys and str(other) not in columns:
                    problems.append(f"{where} 的 not_before“{other}”既不是字段键，也不是本表的列")
            if (c.get("past") or c.get("not_before")) and str(c.get("type") or "text") != "date":
                problems.append(f"{where} 不是日期列，不能设置 past / not_before")
            col = str(c.get("name", ""))
            if col in names:
                problems.append(f"{where} 列名“{col}”重复")
            names.add(col)
            ctype = str(c.get("type") or "text")
            if ctype not in COLUMN_TYPES:
                problems.append(f"{where} 的类型“{ctype}”未知（可用：{'、'.join(COLUMN_TYPES)}）")
            if ctype == "enum" and not c.get("enum"):
                problems.append(f"{where} 类型为 enum 但缺少 enum")
            if c.get("enum") and str(c["enum"]) not in enum_names:
                problems.append(f"{where} 的枚举 {c['enum']} 不在 enums.yaml 中")
            if c.get("record") and str(c["record"]) not in field_keys:
                problems.append(f"{where} 的 record 字段键 {c['record']} 未定义")
            role = str(c.get("role") or "")
            if role and role not in ROLES:
                problems.append(f"{where} 的 role“{role}”未知（可用：{'、'.join(ROLES)}）")
            elif role in seen_roles:
                problems.append(f"{where} 的 role {role} 已由 {seen_roles[role]} 使用")
            elif role:
                seen_roles[role] = f"{name}.{col}"
    return problems


def _compile_schema(rules: Any) -> RelatedSchema:
    return compile_related(getattr(rules, "related", None))


def related_schema(rules: Any) -> RelatedSchema:
    """The compiled schema of ``rules`` (``rules.related``), compiled once per rules object."""
    return rules.compiled(_compile_schema) if hasattr(rules, "compiled") else _compile_schema(rules)
