"""The grade dimensions of `rules/grading.yaml`, compiled once into frozen tables.

Every top-level section of grading.yaml except ``tag_combo`` and ``review`` is one dimension:
an ordered, first-match-wins list of rows (``levels``), each naming the grade it gives and its
conditions on input fields (docs/grading.md, "Dimensions"). This module only reads and checks
the tables; pipeline/grade.py evaluates them. A new dimension is a section in grading.yaml.
"""
from __future__ import annotations

import string
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

NOT_DIMENSIONS = ("tag_combo", "review")
ROW_KEYS = ("grade", "rule", "basis", "any")
# Condition operators. A number alone means ``at_least``, a text alone ``is``.
COMPARE = ("at_least", "above", "below", "at_most")        # numbers; a blank input is unknown
MEMBER = ("is", "not", "in", "not_in")                     # enum values; a blank input is not a member
OPERATORS = COMPARE + MEMBER + ("missing", "months_since", "top_share")
UNKNOWN_WHEN_BLANK = COMPARE + ("top_share",)               # a blank input leaves the grade blank
# What a basis template may use besides the placeholders of its conditions.
BASIS_NAMES = frozenset({"parts", "grade", "as_of", "names", "values", "name", "value", "threshold",
                         "expected", "last", "since", "months", "pct", "rank", "n"})


@dataclass(frozen=True, eq=False)     # compared and hashed by identity: evaluation caches per condition
class Condition:
    field: str
    op: str            # one of OPERATORS
    value: Any         # threshold, expected value(s), months, share, or True/False for ``missing``


@dataclass(frozen=True)
class Alternative:
    conditions: tuple[Condition, ...]
    rule: str = ""     # appended to the row's rule id (``value.高价值.strategic``)
    basis: str = ""


@dataclass(frozen=True)
class Row:
    grade: str
    rule: str                               # rule id after the dimension's prefix (default: the grade)
    alternatives: tuple[Alternative, ...]   # the row holds when one of them holds
    basis: str = ""

    @property
    def catch_all(self) -> bool:
        return all(not a.conditions for a in self.alternatives)


@dataclass(frozen=True)
class Dimension:
    key: str                   # the section of grading.yaml
    field: str                 # the output column (a field key)
    name: str                  # its Chinese header
    rule: str                  # rule-id prefix; the rule column is ``<rule>_rule``
    inputs: tuple[str, ...]
    rows: tuple[Row, ...]
    order: tuple[str, ...]     # grades, best first
    not_applicable: Mapping[str, frozenset]
    basis: str = ""            # template of a row that holds ('' = notes.yaml grade.matched)

    def needed(self, customer_type: Any) -> tuple[str, ...]:
        """The inputs whose blank value leaves this dimension blank for ``customer_type``."""
        skip = self.skipped(customer_type)
        keys = (c.field for r in self.rows for a in r.alternatives for c in a.conditions
                if c.op in UNKNOWN_WHEN_BLANK and c.field not in skip)
        return tuple(dict.fromkeys(keys))

    def skipped(self, customer_type: Any) -> frozenset:
        return self.not_applicable.get(customer_type if isinstance(customer_type, str) else "", frozenset())

    @property
    def rank_fields(self) -> tuple[str, ...]:
        """The fields ranked by a ``top_share`` condition (累计合作金额 for ABC分类)."""
        return tuple(dict.fromkeys(c.field for r in self.rows for a in r.alternatives for c in a.conditions
                                   if c.op == "top_share"))


def _conditions(spec: Mapping[str, Any], where: str, problems: list[str]) -> tuple[Condition, ...]:
    out = []
    for key, value in spec.items():
        if key in ROW_KEYS:
            continue
        if isinstance(value, bool) or value is None:
            problems.append(f"grading.yaml: {where}.{key} 的条件“{value}”无效")
        elif isinstance(value, (int, float)):
            out.append(Condition(str(key), "at_least", float(value)))
        elif isinstance(value, str):
            out.append(Condition(str(key), "is", value))
        elif isinstance(value, Mapping):
            for op, arg in value.items():
                if op in COMPARE or op == "top_share":
                    arg = float(arg)
                elif op in ("in", "not_in"):
                    arg = tuple(str(v) for v in arg or ())
                elif op == "months_since":
                    arg = int(arg)
                elif op == "missing":
                    arg = bool(arg)
                else:
                    arg = str(arg)
                out.append(Condition(str(key), str(op), arg))
    return tuple(out)


def _check_template(template: str, where: str, field_keys: frozenset, inputs: tuple[str, ...],
                    problems: list[str]) -> None:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        problems.append(f"grading.yaml: {where} 模板无效（{exc}）：{template}")
        return
    for _, name, _, _ in parsed:
        if name is None:
            continue
        root, _, rest = name.partition("[")
        if root not in BASIS_NAMES:
            problems.append(f"grading.yaml: {where} 中的占位符 {{{name}}} 未知（可用：{'、'.join(sorted(BASIS_NAMES))}）")
        elif rest and root == "names" and rest.rstrip("]") not in field_keys:
            problems.append(f"grading.yaml: {where} 中的 {{{name}}} 不是 schemas/fields.yaml 中的字段键")
        elif rest and root == "values" and rest.rstrip("]") not in inputs:
            problems.append(f"grading.yaml: {where} 中的 {{{name}}} 不是本维度 inputs 中的字段")


def compile_dimensions(grading: Mapping[str, Any], fields: Mapping[str, Any], enum_values: Mapping[str, tuple],
                       problems: list[str]) -> tuple[Dimension, ...]:
    """Every dimension of ``grading`` (grading.yaml, already shape-checked); ``fields``: field key ->
    FieldDef. Problems that the shape check cannot see are appended: a table without a catch-all,
    an input not declared, a grade order that does not match the rows, a value outside its enum."""
    keys = frozenset(fields)
    out = []
    for section, spec in grading.items():
        if section in NOT_DIMENSIONS or not isinstance(spec, Mapping):
            continue
        field_key = str(spec.get("field") or section)
        fd = fields.get(field_key)
        name = str(spec.get("name") or (fd.name if fd else ""))
        if fd is None and not spec.get("name"):
            problems.append(f"grading.yaml: {section} 的输出字段 {field_key} 不在 schemas/fields.yaml 中，请用 name 写出列名")
        elif fd is not None and not fd.computed:
            problems.append(f"grading.yaml: {section} 的输出字段 {field_key} 是填写字段，应为计算字段（computed）")
        inputs = tuple(str(k) for k in spec.get("inputs") or ())
        rows = []
        for i, raw in enumerate(spec.get("levels") or ()):
            where = f"{section}.levels[{i + 1}]"
            plain = _conditions(raw, where, problems)
            alts = tuple(Alternative(plain + _conditions(alt, f"{where}.any[{j + 1}]", problems),
                                     str(alt.get("rule") or ""), str(alt.get("basis") or ""))
                         for j, alt in enumerate(raw.get("any") or ())) or (Alternative(plain),)
            grade = str(raw.get("grade"))
            rows.append(Row(grade, str(raw.get("rule") or grade), alts, str(raw.get("basis") or "")))
            for alt in alts:
                for c in alt.conditions:
                    if c.field not in inputs:
                        problems.append(f"grading.yaml: {where} 的字段 {c.field} 未列在 {section}.inputs 中")
                    enum = fields[c.field].enum if c.field in fields else ""
                    wanted = c.value if c.op in ("in", "not_in") else (c.value,) if c.op in ("is", "not") else ()
                    for v in wanted:
                        if enum and v not in enum_values.get(enum, ()):
                            problems.append(f"grading.yaml: {where}.{c.field} 的值“{v}”不是枚举 {enum} 的规范值")
                    if c.op not in OPERATORS:
                        problems.append(f"grading.yaml: {where}.{c.field} 的条件 {c.op} 未知（可用：{'、'.join(OPERATORS)}）")
                if alt.basis:
                    _check_template(alt.basis, f"{where} basis", keys, inputs, problems)
            if raw.get("basis"):
                _check_template(str(raw["basis"]), f"{where}.basis", keys, inputs, problems)
        if not rows or not rows[-1].catch_all:
            problems.append(f"grading.yaml: {section}.levels 最后一级必须是没有条件的兜底级别")
        grades = tuple(dict.fromkeys(r.grade for r in rows))
        order = tuple(str(g) for g in spec.get("order") or grades)
        if set(order) != set(grades) or len(order) != len(grades):
            problems.append(f"grading.yaml: {section}.order 应恰好列出 levels 中的每个级别（{'、'.join(grades)}）")
        if spec.get("basis"):
            _check_template(str(spec["basis"]), f"{section}.basis", keys, inputs, problems)
        skip = {str(t): frozenset(v or ()) for t, v in (spec.get("not_applicable") or {}).items()}
        out.append(Dimension(section, field_key, name, str(spec.get("rule") or section), inputs, tuple(rows),
                             order, MappingProxyType(skip), str(spec.get("basis") or "")))
    return tuple(out)
