"""Contracts: every rule code the code raises is in the catalog, every catalog code is
documented in docs/rules.md, every template renders with its declared parameters."""
from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from pipeline.docs import render_rules_doc
from pipeline.issues import render_template
from pipeline.validate import GROUP_RULE, STRUCTURE_RULE

ROOT = Path(__file__).resolve().parent.parent
#: call name -> index of the positional argument holding a rule code
CODE_ARGS = {"finding": 0, "Finding": 0, "Issue": 0, "failed": 1}
BUILTIN_PLACEHOLDERS = {"field", "value", "type"}


def _codes_in(tree: ast.AST) -> set[str]:
    codes: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            for kw in node.keywords:
                if kw.arg == "rule" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    codes.add(kw.value.value)
            idx = CODE_ARGS.get(name)
            if idx is not None and len(node.args) > idx:
                arg = node.args[idx]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    codes.add(arg.value)
    return codes


def used_rule_codes() -> dict[str, str]:
    used = {}
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        for code in _codes_in(ast.parse(path.read_text(encoding="utf-8"))):
            used.setdefault(code, str(path.relative_to(ROOT)))
    return used


def test_the_scan_finds_the_normalize_codes():
    used = used_rule_codes()
    for code in ("uscc-checksum", "mobile-masked", "date-month-only", "phone-moved", "date-order", "region-unknown"):
        assert code in used


def test_every_rule_code_used_in_code_is_in_the_catalog(rules):
    missing = {c: where for c, where in used_rule_codes().items() if c not in rules.catalog}
    assert not missing, f"rule codes used but not in rules/issues/*.yaml: {missing}"
    assert STRUCTURE_RULE in rules.catalog
    for group in {f.one_of for f in rules.fields if f.one_of}:
        assert GROUP_RULE.format(group=group) in rules.catalog


def test_every_catalog_code_is_documented(rules):
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    undocumented = [c for c in rules.catalog if f"`{c}`" not in doc]
    assert not undocumented, f"run `make docs` (python -m pipeline.docs > docs/rules.md): {undocumented}"
    generated = render_rules_doc(rules)
    for rule in rules.catalog.values():
        assert f"`{rule.code}`" in generated and rule.title in generated


@pytest.mark.parametrize("part", ["message", "suggestion"])
def test_templates_use_only_declared_parameters_and_render(rules, part):
    for rule in rules.catalog.values():
        template = getattr(rule, part)
        names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        assert names <= set(rule.params) | BUILTIN_PLACEHOLDERS, (rule.code, part, names)
        values = {p: f"<{p}>" for p in (*rule.params, *BUILTIN_PLACEHOLDERS)}
        text = render_template(template, values)
        assert "{" not in text and "}" not in text, (rule.code, text)
        for p in names:
            assert f"<{p}>" in text


def test_rule_files_load_with_normalize_settings(rules):
    assert rules.setting("normalize.dates.no_future")
    assert rules.setting("normalize.uscc.entity_kinds")["92"] == "个体工商户"
    assert len(rules.tables["industries"]) == 97
    assert {r["section"] for r in rules.tables["industries"]} >= set("ABCDEFGHIJKLMNOPQRST")
    assert "date-year-only" in rules.catalog and rules.catalog["date-year-only"].area == "normalize"
