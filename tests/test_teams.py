"""The team registry (rules/teams.yaml) and version names, through pipeline.teams."""
import datetime as dt
from pathlib import Path

import pytest

from pipeline.rules import RulesError, load_rules
from pipeline.teams import base_name, fill_date, name_date, resolve_team, version_rank
from tests.factories import make_csv
from pipeline.intake import list_inputs, read_inputs


@pytest.mark.parametrize("name,team,source", [
    ("华东销售部_2026年11月客户名单.xlsx", "华东销售部", "文件名"),
    ("华南区域_客户资料.csv", "华南区域", "文件名"),          # no team word at the end: registered
    ("华东区-客户(1).xlsx", "华东销售部", "文件名"),          # an alias gives the registered name
    ("零售一组/11月名单.csv", "零售一组", "团队后缀"),        # folder, team word
    ("西北事业部客户.xlsx", "西北事业部", "团队后缀"),
    ("客户资料_2026年11月.xlsx", "", ""),                     # unknown: not the whole file name
    ("张三的客户.xlsx", "", ""),
])
def test_team_from_names(rules, name, team, source):
    found = resolve_team(name, None, rules)
    assert (found.team, found.source) == (team, source)


def test_team_from_a_labelled_cell_wins_over_the_name(rules):
    rows = [["客户信息登记表"], ["填表部门：华北部", None, "填表日期", "2026-11-25"], ["客户名称", "手机号码"]]
    found = resolve_team("大客户部_11月.xlsx", [rows], rules)
    assert (found.team, found.source, found.detail) == ("华北销售部", "单元格", "A2")
    assert fill_date([rows], rules) == dt.date(2026, 11, 25)
    card = [["项目", "填写内容"], ["所属部门", "西南销售部"], ["填表日期", dt.datetime(2026, 11, 3)]]
    assert resolve_team("x.xlsx", [card], rules).team == "西南销售部"
    assert fill_date([card], rules) == dt.date(2026, 11, 3)


def test_a_department_column_header_is_not_a_team(rules):
    header = [["客户名称", "所属部门", "联系人", "手机号码", "城市"], ["甲公司", "采购部", "张三", "1", "上海"]]
    assert resolve_team("客户.xlsx", [header], rules).team == ""


@pytest.mark.parametrize("a,b,same", [
    ("华东销售部_11月客户.xlsx", "华东销售部_11月客户_修改版.xlsx", True),
    ("华东销售部_11月客户.xlsx", "华东销售部_11月客户(1).xlsx", True),
    ("华东销售部_11月客户.xlsx", "华东销售部_11月客户 - 副本.xlsx", True),
    ("华东销售部_2026-11-03.xlsx", "华东销售部_20261125.xlsx", True),
    ("华东销售部_客户v2.xlsx", "华东销售部_客户V3.xlsx", True),
    ("华东销售部_企业客户.xlsx", "华东销售部_个人客户.xlsx", False),
    ("大客户部_客户维护表_上海云杉.xlsx", "大客户部_客户维护表_北京星河.xlsx", False),
])
def test_versions_by_name(rules, a, b, same):
    ta, tb = resolve_team(a, None, rules).team, resolve_team(b, None, rules).team
    assert (ta == tb and base_name(a, ta, rules) == base_name(b, tb, rules)) is same


def test_dates_and_ranks_in_names(rules):
    assert name_date("华东销售部_20261125.xlsx", rules) == (2026, 11, 25)
    assert name_date("华东销售部_2026年11月.xlsx", rules) == (2026, 11, None)
    assert name_date("华东销售部_11月客户.xlsx", rules) == (None, 11, None)
    assert name_date("华东销售部.xlsx", rules) is None
    assert version_rank("a_修改版.xlsx", rules) == 2 and version_rank("a_v3.xlsx", rules) == 3
    assert version_rank("a(1).xlsx", rules) == version_rank("a.xlsx", rules) == 1


def test_intake_uses_the_resolver(tmp_path, rules):
    make_csv(tmp_path, "客户资料.csv", [["填表部门：线上部"], ["客户名称", "手机号码"], ["甲", "1"]])
    make_csv(tmp_path, "名单.csv", [["客户名称", "手机号码"], ["乙", "1"]])
    out = read_inputs(list_inputs(tmp_path), tmp_path, rules).data
    assert dict(zip(out["records"]["name"], out["records"]["src_team"])) == {"甲": "线上渠道部", "乙": ""}
    files = out["files"].set_index("src_file")
    assert files.loc["客户资料.csv", "team_source"] == "单元格"


def test_a_broken_registry_is_a_rules_error(tmp_path):
    root = Path(__file__).resolve().parent.parent
    import shutil
    shutil.copytree(root / "rules", tmp_path / "rules")
    (tmp_path / "rules" / "teams.yaml").write_text(
        "teams:\n  - name: 甲部\n    patterns: ['(']\n  - name: 乙部\n    aliases: [甲部]\n", encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules(tmp_path / "rules", root / "schemas")
    text = str(err.value)
    assert "teams.yaml" in text and "甲部" in text and "正则表达式" in text
