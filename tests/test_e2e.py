"""End to end through the CLI: what a steward sees after `crm-pipeline run`."""
import csv
import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from pipeline.cli import cli
from tests.factories import make_workbook, uscc

GOOD = uscc("91110105MA01ABCD0")      # Beijing, Chaoyang
SHARED = uscc("91320594MA1W3XXR5")    # Suzhou
BAD = GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1")  # wrong check digit

HEADER = ["客户名称", "统一社会信用代码", "所属行业", "省份", "城市", "联系人", "职位", "手机号码",
          "年合作金额", "累计合作金额", "续约率", "满意度", "最近合作时间"]


def _submission(folder):
    east = make_workbook(folder, "华东销售部.xlsx", sheets={"企业客户": [
        ["华东销售部客户汇总表"],
        HEADER,
        ["北京星河软件有限公司", GOOD, "软件和信息技术服务业", "北京", "北京", "王磊", "经理", "13812345678",
         600000, 2000000, "95%", 4.8, "2026-11-02"],
        ["苏州恒瑞精密机械有限公司", SHARED, "通用设备制造业", "江苏", "苏州", "李娜", "采购总监", "13912345678",
         300000, 900000, 0.85, 4.1, "2026-10-10"],
        ["杭州云启网络科技有限公司", BAD, "软件和信息技术服务业", "浙江", "杭州", "赵强", "总经理", "13712345678",
         80000, 100000, 0.7, 3.9, "2026-09-01"],
    ]}, merged={"企业客户": ["A1:M1"]})
    key = make_workbook(folder, "大客户部.xlsx", sheets={"重点客户": [
        ["公司名称", "信用代码", "行业", "省份", "城市", "对接人", "职位", "手机"],
        ["苏州恒瑞精密机械有限公司", SHARED, "通用设备制造业", "江苏省", "苏州市", "李娜", "采购总监", "13912345678"],
    ]})
    return east, key


@pytest.fixture
def run_dirs(tmp_path):
    inp, out = tmp_path / "input", tmp_path / "output"
    _submission(inp)
    return inp, out


def _run(inp, out, *extra):
    return CliRunner().invoke(cli, ["run", "--input", str(inp), "--output", str(out), "--as-of", "2026-11-30", "-q", *extra])


def test_run_writes_the_contract(run_dirs):
    inp, out = run_dirs
    result = _run(inp, out)
    assert result.exit_code == 0, result.output
    month = out / "2026-11"
    for name in ("customers.xlsx", "issues.csv", "report.html", "summary.json",
                 "returns/华东销售部.xlsx", "returns/大客户部.xlsx", "views/销售部.xlsx", "views/财务部.xlsx"):
        assert (month / name).exists(), name
    assert (out / "history.sqlite").exists()

    wb = load_workbook(month / "customers.xlsx")
    for sheet in ("客户主档", "来源明细", "合并记录", "字段冲突", "联系人", "互动记录", "需求与反馈", "维护计划", "提醒清单"):
        assert sheet in wb.sheetnames
    master = wb["客户主档"]
    header = [c.value for c in master[1]]
    assert header[:8] == ["客户编号", "客户类型", "客户名称", "统一社会信用代码", "省份", "城市", "所属行业", "行业代码"]
    rows = [dict(zip(header, [c.value for c in r])) for r in master.iter_rows(min_row=2)]
    by_name = {r["客户名称"]: r for r in rows}
    # a short region becomes the official name
    assert by_name["北京星河软件有限公司"]["省份"] == "北京市"
    assert by_name["北京星河软件有限公司"]["城市"] == "北京市"
    assert by_name["北京星河软件有限公司"]["行业代码"] == "I65"
    # two rows sharing one credit code are one customer ...
    assert len(rows) == 3
    shared_id = by_name["苏州恒瑞精密机械有限公司"]["客户编号"]
    assert shared_id.startswith("KH") and len(shared_id) == 10
    # ... with two 来源明细 rows
    src = wb["来源明细"]
    src_header = [c.value for c in src[1]]
    src_rows = [dict(zip(src_header, [c.value for c in r])) for r in src.iter_rows(min_row=2)]
    mine = [r for r in src_rows if r["客户编号"] == shared_id]
    assert {(r["来源文件"], r["行号"]) for r in mine} == {("大客户部.xlsx", 2), ("华东销售部.xlsx", 4)}
    assert len(mine) == 2
    assert all(r["处理结果"] == "并入主档" for r in mine)

    # a bad credit code yields an issues.csv row pointing at the cell
    with (month / "issues.csv").open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["file", "sheet", "row", "column", "field", "rule", "severity", "value", "message", "suggestion"]
        issues = list(reader)
    bad = [i for i in issues if i["rule"] == "uscc-checksum"]
    assert len(bad) == 1
    assert (bad[0]["file"], bad[0]["sheet"], bad[0]["row"], bad[0]["column"], bad[0]["field"]) == \
        ("华东销售部.xlsx", "企业客户", "5", "B", "统一社会信用代码")
    assert bad[0]["severity"] == "error" and "校验位应为" in bad[0]["suggestion"]

    # the returned workbook carries a comment on the bad cell
    ret = load_workbook(month / "returns" / "华东销售部.xlsx")
    cell = ret["企业客户"]["B5"]
    assert cell.comment is not None and "校验" in cell.comment.text
    assert "问题清单" in ret.sheetnames

    summary = json.loads((month / "summary.json").read_text(encoding="utf-8"))
    assert summary["customers"] == 3 and summary["files"] == 2


def test_fail_on_error_exits_3(run_dirs):
    inp, out = run_dirs
    result = _run(inp, out, "--fail-on", "error")
    assert result.exit_code == 3


def test_missing_input_folder_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["run", "--input", str(tmp_path / "nope"), "--output", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "输入目录不存在" in result.output


def test_bad_as_of_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["run", "--input", str(tmp_path), "--as-of", "2026-13-01"])
    assert result.exit_code == 2
