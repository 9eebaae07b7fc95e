"""Rules are data: editing a synonym, a threshold, a table or a severity under rules/
changes what normalize does, with no code change."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml

from pipeline.normalize import normalize_records
from pipeline.rules import DEFAULT_RULES_DIR, load_rules


@pytest.fixture
def rules_copy(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, target)
    return target


def _edit_yaml(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _run(rules, as_of, **values):
    frame = pd.DataFrame([{"row_id": 0, "src_file": "t.xlsx", "src_sheet": "S", "src_row": 2,
                           "customer_type": "企业", **values}])
    result = normalize_records(frame, pd.DataFrame(columns=["src_file", "src_sheet", "field", "unit"]), rules, as_of)
    return result.data["records"].iloc[0], {i.rule for i in result.issues}, result.data["records"]


def test_a_new_status_synonym_is_used(rules, rules_copy, as_of):
    row, codes, _ = _run(rules, as_of, status="签约中")
    assert row["status"] == "签约中" and "enum-unknown" in codes
    _edit_yaml(rules_copy / "enums.yaml", lambda d: d["status"]["合作中客户"].append("签约中"))
    row, codes, _ = _run(load_rules(rules_copy), as_of, status="签约中")
    assert row["status"] == "合作中客户" and not codes


def test_the_score_range_is_a_setting(rules, rules_copy, as_of):
    assert "score-out-of-range" in _run(rules, as_of, satisfaction=8)[1]
    _edit_yaml(rules_copy / "settings.yaml", lambda d: d["normalize"].update(score_max=10))
    row, codes, _ = _run(load_rules(rules_copy), as_of, satisfaction=8)
    assert row["satisfaction"] == 8.0 and not codes


def test_future_date_fields_are_a_setting(rules, rules_copy, as_of):
    assert "date-future" in _run(rules, as_of, founded="2030-01-01")[1]
    _edit_yaml(rules_copy / "settings.yaml", lambda d: d["normalize"]["dates"].update(no_future=["last_coop"]))
    assert "date-future" not in _run(load_rules(rules_copy), as_of, founded="2030-01-01")[1]


def test_an_industry_alias_added_to_the_csv_is_used(rules, rules_copy, as_of):
    assert "industry-unknown" in _run(rules, as_of, industry="灵石鉴定")[1]
    with (rules_copy / "industry_aliases.csv").open("a", encoding="utf-8") as fh:
        fh.write("\n灵石鉴定,34\n")
    row, codes, _ = _run(load_rules(rules_copy), as_of, industry="灵石鉴定")
    assert row["industry_code"] == "C34" and not codes


def test_a_severity_override_changes_bad_fields(rules, rules_copy, as_of):
    *_, frame = _run(rules, as_of, mobile="138****5678")
    assert frame["bad_fields"].iloc[0] == frozenset({"mobile"})
    (rules_copy / "severity_overrides.yaml").write_text("mobile-masked: warning\n", encoding="utf-8")
    *_, frame = _run(load_rules(rules_copy), as_of, mobile="138****5678")
    assert frame["bad_fields"].iloc[0] == frozenset()


def test_a_province_alias_is_used(rules, rules_copy, as_of):
    assert _run(rules, as_of, province="苏省")[0]["province"] == "苏省"
    path = rules_copy / "regions" / "provinces.csv"
    text = path.read_text(encoding="utf-8").replace("32,江苏省,江苏,,华东", "32,江苏省,江苏,苏省,华东")
    path.write_text(text, encoding="utf-8")
    assert _run(load_rules(rules_copy), as_of, province="苏省")[0]["province"] == "江苏省"
