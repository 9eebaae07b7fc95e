"""The demo submissions: deterministic, realistic layouts, and the mess the manifest promises."""
from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook
from stdnum.cn import uscc

from pipeline.cli import cli
from pipeline.demo import demo_manifest, write_demo_inputs
from pipeline.demo.population import org_check_char

EAST = "华东销售部_2026年11月客户名单.xlsx"
KEY = "大客户部-重点客户.xlsx"
SOUTH = "华南区域_客户资料.csv"
ONLINE = "线上渠道部_个人客户.xlsx"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    return folder, write_demo_inputs(folder), demo_manifest()


def _rows(path, sheet):
    if path.suffix == ".csv":
        return list(csv.reader(io.StringIO(path.read_bytes().decode("gbk"))))
    return [list(r) for r in openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True)]


def test_same_seed_gives_identical_bytes_and_another_seed_differs(demo, tmp_path):
    folder, paths, _ = demo
    again = write_demo_inputs(tmp_path / "again")
    assert [p.name for p in again] == [p.name for p in paths]
    for a, b in zip(paths, again):
        assert a.read_bytes() == b.read_bytes(), a.name
    other = write_demo_inputs(tmp_path / "other", seed=7)
    assert (tmp_path / "other" / EAST).read_bytes() != (folder / EAST).read_bytes()
    assert len(other) == len(paths)


def test_default_set_has_team_files_a_form_and_about_360_rows(demo):
    folder, paths, manifest = demo
    names = [p.name for p in paths]
    assert names[:4] == [EAST, KEY, SOUTH, ONLINE]
    assert names[4].startswith("大客户部_客户维护表_") and names[4].endswith(".xlsx")
    assert sum(n.endswith(".xlsx") for n in names) >= 4
    assert 300 <= manifest["data_rows"] <= 420
    # the manifest's row counts are what is in the files
    files = {f["file"]: f for f in manifest["files"]}
    assert len(_rows(folder / SOUTH, "")) - 1 == files[SOUTH]["sheets"][""]["data_rows"]
    key_rows = _rows(folder / KEY, "重点客户")
    assert len(key_rows) - 1 == files[KEY]["sheets"]["重点客户"]["data_rows"]


def test_east_list_has_title_note_header_on_row_3_total_and_signature(demo):
    folder, _, _ = demo
    wb = openpyxl.load_workbook(folder / EAST)
    assert wb.sheetnames == ["企业客户", "填写说明"]
    ws = wb["企业客户"]
    assert ws["A1"].value == "华东销售部客户信息汇总表（2026年11月）"
    assert "A1:U1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value.startswith("填表说明：带*为必填")
    header = [c.value for c in ws[3]]
    assert header[:2] == ["*客户名称", "*统一社会信用代码"]
    assert "年合作金额（万元）" in header and "*手机号码" in header
    last = [c.value for c in ws[ws.max_row]]
    total = [c.value for c in ws[ws.max_row - 1]]
    assert last[0] == "填表人：张敏  日期：2026-11-28"
    assert total[0] == "合计" and str(total[header.index("年合作金额（万元）")]).startswith("=SUM(")
    amounts = [r[header.index("年合作金额（万元）")] for r in ws.iter_rows(min_row=4, max_row=ws.max_row - 2, values_only=True)]
    assert max(a for a in amounts if isinstance(a, (int, float))) <= 300   # 万元, not yuan


def test_key_account_list_uses_synonyms_and_mixed_spellings(demo):
    folder, _, _ = demo
    rows = _rows(folder / KEY, "重点客户")
    header = rows[0]
    assert "公司\n名称" in header and "信用代码" in header and "所在地区" in header and "联系电话" in header
    text = [str(v) for r in rows[1:] for v in r if v is not None]
    assert any(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", v) for v in text)
    assert any(re.fullmatch(r"\d{4}\.\d{2}\.\d{2}", v) for v in text)
    assert any(re.fullmatch(r"\d{8}", v) for v in text)
    assert any(v.endswith("万") for v in text) and any(re.fullmatch(r"\d{1,3}(,\d{3})+", v) for v in text)
    assert any(v.endswith("分") for v in text) and any(v.endswith("%") for v in text)
    assert "战略客户" in text
    assert any(re.fullmatch(r"0\d{2,3}-\d{7,8}", v) for v in text)      # landlines in 联系电话
    assert any("<b>重点</b>" in v for v in text)


def test_csv_is_gbk_with_synonym_header(demo):
    folder, _, _ = demo
    raw = (folder / SOUTH).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("gbk"))))
    assert rows[0][:3] == ["企业名称", "统一社会信用代码", "所属行业"]
    assert {"手机", "座机", "Email", "获客渠道"} <= set(rows[0])


def test_online_file_has_pasted_blocks_subtotal_and_company_sheet(demo):
    folder, _, _ = demo
    wb = openpyxl.load_workbook(folder / ONLINE)
    assert wb.sheetnames == ["个人客户", "企业客户"]
    rows = [list(r) for r in wb["个人客户"].iter_rows(values_only=True)]
    header = rows[0]
    assert {"姓名", "手机号码", "常用地址", "核心需求"} <= set(header)
    assert sum(r == header for r in rows) >= 2                 # repeated header in the middle
    assert any(all(v is None for v in r) for r in rows)        # blank rows
    assert rows[-1][0] == "小计"
    assert len(list(wb["企业客户"].iter_rows())) >= 4


def test_form_follows_seed_004_sections(demo):
    folder, paths, manifest = demo
    rows = _rows(paths[4], "客户维护表")
    first = [r[0] for r in rows]
    for section in ("一、客户基础信息", "二、联系人信息", "三、互动记录（可添加多条）", "四、需求与反馈", "五、维护计划"):
        assert section in first
    assert rows[first.index("一、客户基础信息") + 1][:3] == ["项目", "填写内容", "备注（填写说明）"]
    labels = {r[0]: r[1] for r in rows}
    assert uscc.is_valid(labels["统一社会信用代码"]) and labels["客户名称"].endswith("公司")
    start = first.index("三、互动记录（可添加多条）")
    assert rows[start + 1][0] == "互动日期"
    assert [r[0] is not None for r in rows[start + 2:start + 6]] == [True, True, True, False]
    # the form's customer also appears in the key-account list
    form_key = next(g for g in manifest["duplicates"]["members"] if any(m["file"] == paths[4].name for m in g))
    assert any(m["file"] == KEY for m in form_key)


def test_valid_codes_and_planted_invalid_cells_are_where_the_manifest_says(demo):
    folder, _, manifest = demo
    cache = {}
    invalid = manifest["invalid_cells"]
    assert set(manifest["invalid"]) >= {"uscc_check_digit", "uscc_length", "mobile_short", "mobile_masked",
                                        "email_no_at", "date_impossible", "founded_future", "satisfaction_range",
                                        "renewal_range", "status_unknown"}
    for cell in invalid + manifest["fixable_cells"] + manifest["special_cells"]:
        key = (cell["file"], cell["sheet"])
        if key not in cache:
            cache[key] = _rows(folder / cell["file"], cell["sheet"])
        col = openpyxl.utils.column_index_from_string(cell["column"]) - 1
        assert str(cache[key][cell["row"] - 1][col]) == str(cell["value"]), cell
    bad = {(c["file"], c["row"]) for c in invalid if c["field"] == "uscc"}
    east = _rows(folder / EAST, "企业客户")
    codes = [(i + 1, r[1]) for i, r in enumerate(east[3:-2], start=3) if r[1]]
    for row, code in codes:
        if (EAST, row) not in bad and code == code.strip().upper() and len(code) == 18:
            assert uscc.is_valid(code) and org_check_char(code[8:16]) == code[16], (row, code)
    for c in invalid:
        if c["field"] == "uscc":
            assert not uscc.is_valid(c["value"])
    assert any(c["value"] == "2023-02-30" or c["kind"] == "date_impossible" for c in invalid)


def test_duplicates_nameless_rows_and_special_cells(demo):
    folder, _, manifest = demo
    dups = manifest["duplicates"]
    enterprise_rows = manifest["data_rows"] - manifest["files"][3]["sheets"]["个人客户"]["data_rows"]
    assert 0.05 <= dups["rows"] / enterprise_rows <= 0.14
    cross_team = [g for g in dups["members"] if len({m["file"] for m in g}) > 1]
    assert len(cross_team) >= 10
    variants = {m.get("variant") for g in dups["members"] for m in g}
    assert {"infix", "ascii_parens", "spaces", "no_code", "other_contact"} <= variants
    assert len(manifest["no_name_rows"]) >= 3
    assert manifest["lookalikes"]
    fixable = {c["value"] for c in manifest["fixable_cells"]}
    assert any(re.fullmatch(r"[０-９]{11}", v) for v in fixable)
    assert any(v.startswith("+86 ") for v in fixable) and any(v.startswith("0086-") for v in fixable)
    ws = openpyxl.load_workbook(folder / EAST)["企业客户"]
    formula_like = [c for row in ws.iter_rows() for c in row if c.value == "=点击查看合同"]
    assert formula_like and formula_like[0].data_type == "s"     # stored as text, not a formula


def test_manifest_is_deterministic_and_matches_default_rows():
    a, b = demo_manifest(), demo_manifest()
    assert a == b
    assert a["data_rows"] == 360 and a["customers"]["企业"] > 200 and a["customers"]["个人"] > 50


def test_twenty_thousand_rows(tmp_path):
    paths = write_demo_inputs(tmp_path, seed=5, rows=20000)
    manifest = demo_manifest(seed=5, rows=20000)
    assert manifest["data_rows"] == 20000
    assert len(paths) == len(manifest["files"]) >= 5
    counted = 0
    for info in manifest["files"]:
        path = tmp_path / info["file"]
        if path.suffix == ".csv":
            counted += len(path.read_bytes().decode("gbk").splitlines()) - 1
        elif info["layout"] == "form":
            counted += 1
        else:
            wb = CalamineWorkbook.from_path(str(path))
            for sheet, meta in info["sheets"].items():
                rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)[meta["header_row"] - 1:]
                counted += sum(1 for r in rows[1:] if r != rows[0] and r[0] not in ("合计", "小计")
                               and sum(v != "" for v in r) >= 3)
    assert counted == 20000


def test_cli_demo_writes_files(tmp_path):
    result = CliRunner().invoke(cli, ["demo", str(tmp_path / "in"), "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "已生成 5 个示例文件" in result.output
    assert (tmp_path / "in" / EAST).exists()


def test_nationwide_months_spread_over_the_region_tables():
    """``make bench`` months (nationwide=True): customers in hundreds of the region tables'
    cities, some of them branches (…分公司) of another customer; the demo itself is unchanged."""
    import random

    from pipeline.demo import data
    from pipeline.demo.population import Population, nationwide_cities

    cities = nationwide_cities()
    assert len(cities) > 300 and all(c[4].startswith("0") for c in cities)
    pop = Population(random.Random(3), cities)
    made = [pop.company() for _ in range(3000)]
    assert len({c.city.name for c in made}) > 250
    branches = [c.name for c in made if c.name.endswith("分公司")]
    assert 40 < len(branches) < 300
    assert all(any(b.startswith(o.name) for o in made if o.name != b) for b in branches[:20])
    demo = Population(random.Random(3))
    assert {demo.company().city.name for _ in range(500)} <= {c[2] for c in data.CITIES}
