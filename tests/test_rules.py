"""The rule files load, and the loader reports every problem at once."""
import shutil

import pytest
import yaml

from pipeline.rules import RulesError, fold_header, load_rules


def test_rule_files_load(rules):
    names = rules.field_names
    assert names["name"] == "客户名称"
    assert rules.header_synonyms[fold_header("* 公司名称")] == "name"
    assert rules.header_synonyms[fold_header("客户名称(必填)")] == "name"
    assert rules.header_synonyms[fold_header("客户\n名称")] == "name"


def test_loader_reports_every_problem_at_once(tmp_path):
    from pipeline.rules import DEFAULT_RULES_DIR

    rules_dir = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules_dir)
    headers = yaml.safe_load((rules_dir / "headers.yaml").read_text(encoding="utf-8"))
    headers["synonyms"]["no_such_field"] = ["某列"]
    (rules_dir / "headers.yaml").write_text(yaml.safe_dump(headers, allow_unicode=True), encoding="utf-8")
    grading = yaml.safe_load((rules_dir / "grading.yaml").read_text(encoding="utf-8"))
    grading["level"]["levels"] = grading["level"]["levels"][:-1]  # drop the catch-all
    (rules_dir / "grading.yaml").write_text(yaml.safe_dump(grading, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules(rules_dir)
    text = str(err.value)
    assert "no_such_field" in text and "兜底" in text
    assert len(err.value.problems) >= 2


def test_typed_rule_files_are_frozen_and_take_their_defaults_from_one_place(tmp_path):
    import dataclasses

    from pipeline.rules import DEFAULT_RULES_DIR

    rules_dir = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules_dir)
    for name, drop in (("template.yaml", ("list_rows", "fix_marking")), ("merge.yaml", ("review",))):
        data = yaml.safe_load((rules_dir / name).read_text(encoding="utf-8"))
        for key in drop:
            data.pop(key)
        (rules_dir / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    rules = load_rules(rules_dir)
    assert rules.template.list_rows == 500 and rules.template.fix_marking == "comment"
    assert rules.merge.review.sheet == "疑似重复" and rules.merge.review.max_pairs == 5000
    assert rules.merge.form_classes[0].class_ == "group"
    assert rules.template.form_sections["企业"][2].table == "互动记录"
    assert rules.tags.separator == "、" and "技术导向" in rules.tags.tags
    with pytest.raises(dataclasses.FrozenInstanceError):
        rules.template.list_rows = 10


def test_a_typo_in_the_team_registry_is_reported_not_ignored(tmp_path):
    from pipeline.rules import DEFAULT_RULES_DIR

    rules_dir = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules_dir)
    data = yaml.safe_load((rules_dir / "teams.yaml").read_text(encoding="utf-8"))
    data["teams"][0]["alias"] = ["华东"]                      # aliases, misspelt
    data["versions"]["markers"][0]["rank"] = "二"
    (rules_dir / "teams.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules(rules_dir)
    text = str(err.value)
    assert "teams.yaml: 未知键 teams[1].alias" in text
    assert "versions.markers[1].rank" in text
