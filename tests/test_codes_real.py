"""Credit codes of real registered organisations (tests/data/codes/README.md): no false
format or checksum findings, and false entity/region warnings on at most 0.5 %."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from pipeline.normalize import normalize_records
from pipeline.normalize.codes import parse_uscc

DATA = Path(__file__).parent / "data" / "codes"


def test_real_codes_raise_no_format_or_checksum_finding():
    codes = (DATA / "stdnum_valid.txt").read_text(encoding="utf-8").split()
    assert len(codes) == 200
    assert [c for c in codes if parse_uscc(c).findings] == []


def _normalize(rules, as_of, rows):
    frame = pd.DataFrame([{"row_id": i, "src_file": "t.xlsx", "src_sheet": "S", "src_row": i + 2,
                           "customer_type": "企业", "name": r["name"], "uscc": r["uscc"],
                           "province": r["province"]} for i, r in enumerate(rows)])
    columns = pd.DataFrame(columns=["src_file", "src_sheet", "field", "column", "header", "unit"])
    return normalize_records(frame, columns, rules, as_of).issues


def test_registered_companies_get_almost_no_false_warnings(rules, as_of):
    with (DATA / "companies.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    issues = [i for i in _normalize(rules, as_of, rows) if i.rule.startswith("uscc")]
    assert not [i for i in issues if i.rule in ("uscc-format", "uscc-checksum", "uscc-org-checksum")]
    assert len(issues) / len(rows) <= 0.005, [(i.rule, rows[i.row - 2]["name"]) for i in issues][:10]
    names = {rows[i.row - 2]["name"] for i in issues}
    assert not [n for n in names if n.endswith(("供销合作社", "股份经济合作社", "工会委员会"))]


def test_registry_names_ending_in_a_non_company_form_get_almost_no_false_warnings(rules, as_of):
    """registry_forms.csv: 3 000 random registry rows whose name ends in a cooperative, union,
    association or office word, and the 231 rows the entity check misjudged (README)."""
    with (DATA / "registry_forms.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    issues = [i for i in _normalize(rules, as_of, rows) if i.rule.startswith("uscc")]
    assert len(issues) / len(rows) <= 0.005, [(i.rule, rows[i.row - 2]["name"]) for i in issues][:10]
    misjudged = [rows[i.row - 2]["name"] for i in issues
                 if i.rule == "uscc-entity-mismatch" and rows[i.row - 2]["kind"] == "misjudged"]
    assert misjudged == []


def test_the_legal_form_at_the_end_of_the_name_decides(rules, as_of):
    from tests.factories import uscc
    from pipeline.normalize.codes import org_check_char

    def code(prefix8, org8):
        return uscc(prefix8 + org8 + org_check_char(org8))

    union = code("81320500", "MA1W3XXR")       # 基层工会
    company = code("91320594", "MA1W3XXR")
    rows = [{"name": "苏州某某科技有限公司工会委员会", "uscc": union, "province": "江苏"},
            {"name": "某某县供销合作社", "uscc": company, "province": "江苏"},
            {"name": "某某村股份经济合作社", "uscc": company, "province": "江苏"},
            {"name": "苏州某某蔬菜专业合作社", "uscc": company, "province": "江苏"},
            {"name": "苏州某某有限公司", "uscc": union, "province": "江苏"},
            {"name": "中国邮政集团工会某某县委员会", "uscc": union, "province": "江苏"}]   # a union's committee
    flagged = {i.row - 2 for i in _normalize(rules, as_of, rows) if i.rule == "uscc-entity-mismatch"}
    assert flagged == {3, 4}
