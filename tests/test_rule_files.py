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


def _first_rule(change):
    def apply(data):
        change(data[next(iter(data))])
    return apply


# rule file -> (how it is broken, words the message line must hold besides the file name).
# Every file under rules/ and schemas/ needs an entry (issues/*.yaml and *.csv have generic ones).
BREAKERS = {
    "schemas/fields.yaml": (lambda d: d["fields"][2].update(enum="no_such_enum"), ["no_such_enum", "fields[3].enum"]),
    "schemas/related.yaml": (lambda d: d["tables"]["互动记录"]["columns"][1].update(enum="no_such_enum"),
                             ["tables.互动记录.columns[2].enum", "no_such_enum"]),
    "headers.yaml": (lambda d: d["patterns"][0].update(pattern="(未闭合"), ["patterns[1].pattern", "正则表达式无效"]),
    "enums.yaml": (lambda d: d["status_flags"]["战略客户"].update(no_such_field="是"), ["no_such_field"]),
    "forms.yaml": (lambda d: d["label_form"].update(section_pattern="^[一二"), ["label_form.section_pattern", "正则"]),
    "grading.yaml": (lambda d: d["level"]["levels"][0].update(annual_amout=1), ["annual_amout", "字段键"]),
    "roles.yaml": (lambda d: d["roles"]["财务部"].update(mask=["no_such_field"]), ["roles.财务部.mask[1]", "no_such_field"]),
    "merge.yaml": (lambda d: d.update(decisions=[{"a": "甲公司", "b": "乙公司", "decision": "maybe"}]),
                   ["decisions[1].decision", "same/not_same"]),
    "values.yaml": (lambda d: d["budget"].update(targets=["budget_min", "budget_maxx"]), ["budget.targets[2]", "budget_maxx"]),
    "notes.yaml": (lambda d: d["monthly"].pop("stale"), ["monthly", "缺少 stale"]),
    "tags.yaml": (lambda d: d.update(seperator="、"), ["未知键", "seperator"]),
    "report.yaml": (lambda d: d.update(max_issue_rows="两千"), ["max_issue_rows", "整数"]),
    "confirm.yaml": (lambda d: d.update(mask=["mobil"]), ["mask[1]", "mobil"]),
    "template.yaml": (lambda d: d["fields"]["企业"].append("no_such_field"), ["fields.企业", "no_such_field"]),
    "teams.yaml": (lambda d: d["teams"][0].pop("name"), ["teams", "name"]),
    "files.yaml": (lambda d: d["unsupported"][0].update(type=[".txt"]), ["unsupported[1]", "未知键", "type"]),
    "settings.yaml": (_set("merge.fuzy_name_threshold", 90), ["未知设置", "merge.fuzy_name_threshold"]),
    "columns.yaml": (lambda d: d["reroute"].update(customer_type=["customer_type", "categroy"]),
                     ["reroute.customer_type[2]", "categroy"]),
    "column_pins.yaml": (lambda d: d.update(pins={"华东销售部": {"客户类型": "categroy"}}),
                         ["pins.华东销售部.客户类型", "categroy"]),
}
ISSUE_BREAKER = (_first_rule(lambda r: r.update(sugestion="…")), ["未知键", "sugestion"])


def _rule_files():
    files = [f"schemas/{p.relative_to(DEFAULT_SCHEMAS_DIR).as_posix()}" for p in DEFAULT_SCHEMAS_DIR.rglob("*")
             if p.is_file()]
    files += [p.relative_to(DEFAULT_RULES_DIR).as_posix() for p in DEFAULT_RULES_DIR.rglob("*") if p.is_file()]
    return sorted(files)


SETTINGS_BROKEN = [
    (_set("merge.fuzzy_name_threshold", "九十"), ["merge.fuzzy_name_threshold", "数字"]),
    (_set("intake.header_scan_rows", 12.5), ["intake.header_scan_rows", "整数"]),
    (_set("intake.csv_encodings", "gb18030"), ["intake.csv_encodings", "列表"]),
    (_set("normalize.dates.no_future", ["founded", "no_such_field"]), ["normalize.dates.no_future", "no_such_field"]),
    (_set("reminders", 7), ["reminders", "映射"]),
]


@pytest.fixture
def rule_dirs(tmp_path, monkeypatch):
    rules_dir, schemas_dir = tmp_path / "rules", tmp_path / "schemas"
    shutil.copytree(DEFAULT_RULES_DIR, rules_dir)
    shutil.copytree(DEFAULT_SCHEMAS_DIR, schemas_dir)
    monkeypatch.setattr(rules_module, "DEFAULT_RULES_DIR", rules_dir)
    monkeypatch.setattr(rules_module, "DEFAULT_SCHEMAS_DIR", schemas_dir)
    return rules_dir, schemas_dir


def _run_broken(tmp_path):
    (tmp_path / "in").mkdir()
    return CliRunner().invoke(cli, ["run", "--input", str(tmp_path / "in"), "--output", str(tmp_path / "out"),
                                    "--as-of", "2026-11-30", "-q"])


def _assert_exit_2_naming(result, tmp_path, name, words):
    assert result.exit_code == 2, result.output
    line = next((ln for ln in result.output.splitlines() if name in ln and words[0] in ln), "")
    assert line, result.output
    for word in words[1:]:
        assert word in line, result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("rel", _rule_files())
def test_each_rule_file_broken_in_turn_is_exit_2_naming_file_and_key(rule_dirs, tmp_path, rel):
    rules_dir, schemas_dir = rule_dirs
    path = schemas_dir / rel.removeprefix("schemas/") if rel.startswith("schemas/") else rules_dir / rel
    if rel.endswith(".csv"):
        header, rest = path.read_text(encoding="utf-8-sig").split("\n", 1)
        first = header.split(",")[0]
        path.write_text(header.replace(first, first + "_x", 1) + "\n" + rest, encoding="utf-8")
        name, words = f"{rel[:-4]}.csv", ["缺少列", first]
    else:
        change, words = ISSUE_BREAKER if rel.startswith("issues/") else BREAKERS.get(rel, (None, None))
        assert change is not None, f"no way to break {rel} is declared in BREAKERS"
        _edit(path, change)
        name = rel.removeprefix("schemas/").removeprefix("issues/")
    _assert_exit_2_naming(_run_broken(tmp_path), tmp_path, name, words)


def test_a_head_kind_the_reader_does_not_know_is_exit_2_naming_the_line(rule_dirs, tmp_path):
    path = rule_dirs[0] / "industry_heads.csv"
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text.replace(",office,", ",ofice,", 1), encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if ",office," in row)
    _assert_exit_2_naming(_run_broken(tmp_path), tmp_path, "industry_heads.csv", [f"第{line}行", "ofice", "office"])


@pytest.mark.parametrize(("change", "words"), SETTINGS_BROKEN, ids=[w[0] for _, w in SETTINGS_BROKEN])
def test_a_wrong_setting_is_exit_2_naming_the_key(rule_dirs, tmp_path, change, words):
    _edit(rule_dirs[0] / "settings.yaml", change)
    _assert_exit_2_naming(_run_broken(tmp_path), tmp_path, "settings.yaml", words)


def test_every_problem_of_the_settings_is_listed_at_once(rule_dirs):
    path = rule_dirs[0] / "settings.yaml"
    _edit(path, _set("merge.fuzy", 1))
    _edit(path, _set("resubmit.window_months", "一个月"))
    with pytest.raises(RulesError) as err:
        load_rules()
    text = "\n".join(err.value.problems)
    assert "merge.fuzy" in text and "resubmit.window_months" in text


def test_a_setting_missing_from_the_file_takes_its_declared_default(rule_dirs):
    _edit(rule_dirs[0] / "settings.yaml", _drop("merge.contact_max_names"))
    assert load_rules().config.merge.contact_max_names == 3


def test_messages_come_from_the_catalog_not_from_call_sites():
    """A Chinese sentence handed to an issue as its detail or reason belongs in the rule's
    `details:` map in rules/issues/*.yaml; the call site passes the sub-code."""
    import re
    from pathlib import Path

    cjk = r"""f?["'][^"'\n]*[\u4e00-\u9fff]"""
    literal = re.compile(rf"""\bdetail\s*=\s*{cjk}|params=\{{[^}}\n]*["'](?:detail|reason)["']\s*:\s*{cjk}"""
                         rf"""|ReadError\(\s*{cjk}""")
    found = [f"{p.name}: {m.group(0)}" for p in sorted(Path(rules_module.__file__).parent.rglob("*.py"))
             for m in literal.finditer(p.read_text(encoding="utf-8"))]
    assert found == []


def test_a_detail_sub_code_renders_its_catalog_sentence():
    from pipeline.issues import Issue, render
    from pipeline.normalize.phones import parse_phone

    rules = load_rules()
    phone = parse_phone("1385678")
    row = render(Issue(rule="mobile-invalid", field="mobile", value="1385678",
                       params={"detail": phone.detail, **dict(phone.detail_params)}), rules)
    assert row["message"] == "手机号码“1385678”无效：位数不对（7 位，手机号应为 11 位）"
