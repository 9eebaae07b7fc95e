"""Each rule file, broken in turn, stops the run with exit 2 and a Chinese message naming file and key."""
import shutil

import pytest
import yaml
from click.testing import CliRunner

import pipeline.rules as rules_module
from pipeline.cli import cli
from pipeline.rules import DEFAULT_RULES_DIR, DEFAULT_SCHEMAS_DIR, RulesError, load_rules


def _edit(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _set(dotted, value):
    def change(data):
        *head, last = dotted.split(".")
        node = data
        for part in head:
            node = node[part]
        node[last] = value
    return change


def _drop(dotted):
    def change(data):
        *head, last = dotted.split(".")
        node = data
        for part in head:
            node = node[part]
        node.pop(last)
    return change


# (rule file, how it is broken, words the message must hold besides the file name)
BROKEN = [
    ("settings.yaml", _set("merge.fuzy_name_threshold", 90), ["未知设置", "merge.fuzy_name_threshold"]),
    ("settings.yaml", _set("merge.fuzzy_name_threshold", "九十"), ["merge.fuzzy_name_threshold", "数字"]),
    ("settings.yaml", _set("intake.header_scan_rows", 12.5), ["intake.header_scan_rows", "整数"]),
    ("settings.yaml", _set("intake.csv_encodings", "gb18030"), ["intake.csv_encodings", "列表"]),
    ("settings.yaml", _set("normalize.dates.no_future", ["founded", "no_such_field"]),
     ["normalize.dates.no_future", "no_such_field"]),
    ("settings.yaml", _set("reminders", 7), ["reminders", "映射"]),
]


@pytest.fixture
def rule_dirs(tmp_path, monkeypatch):
    rules_dir, schemas_dir = tmp_path / "rules", tmp_path / "schemas"
    shutil.copytree(DEFAULT_RULES_DIR, rules_dir)
    shutil.copytree(DEFAULT_SCHEMAS_DIR, schemas_dir)
    monkeypatch.setattr(rules_module, "DEFAULT_RULES_DIR", rules_dir)
    monkeypatch.setattr(rules_module, "DEFAULT_SCHEMAS_DIR", schemas_dir)
    return rules_dir, schemas_dir


def _path(rule_dirs, name):
    rules_dir, schemas_dir = rule_dirs
    return schemas_dir / name if (schemas_dir / name).exists() else rules_dir / name


@pytest.mark.parametrize(("name", "change", "words"), BROKEN,
                         ids=[f"{n}:{'/'.join(w)}" for n, _, w in BROKEN])
def test_a_broken_rule_file_is_exit_2_naming_file_and_key(rule_dirs, tmp_path, name, change, words):
    _edit(_path(rule_dirs, name), change)
    (tmp_path / "in").mkdir()
    result = CliRunner().invoke(cli, ["run", "--input", str(tmp_path / "in"), "--output", str(tmp_path / "out"),
                                      "--as-of", "2026-11-30", "-q"])
    assert result.exit_code == 2, result.output
    line = next((ln for ln in result.output.splitlines() if name.split("/")[-1] in ln and words[0] in ln), "")
    assert line, result.output
    for word in words[1:]:
        assert word in line, result.output
    assert not (tmp_path / "out").exists()


def test_every_problem_of_the_settings_is_listed_at_once(rule_dirs):
    path = _path(rule_dirs, "settings.yaml")
    _edit(path, _set("merge.fuzy", 1))
    _edit(path, _set("resubmit.window_months", "一个月"))
    with pytest.raises(RulesError) as err:
        load_rules()
    text = "\n".join(err.value.problems)
    assert "merge.fuzy" in text and "resubmit.window_months" in text


def test_a_setting_missing_from_the_file_takes_its_declared_default(rule_dirs):
    _edit(_path(rule_dirs, "settings.yaml"), _drop("merge.fuzzy_name_threshold_with_contact"))
    assert load_rules().config.merge.fuzzy_name_threshold_with_contact == 75
