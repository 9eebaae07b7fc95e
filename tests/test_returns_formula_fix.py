"""A certain fix that lands on a formula cell never replaces the team's formula: the formula
and its cached result stay, the cell's note and 问题清单 suggest the value instead."""
from __future__ import annotations

import json
import re
import zipfile

import xlsxwriter
from click.testing import CliRunner
from openpyxl import load_workbook

from pipeline.cli import cli


def _run(tmp_path, rows):
    """One list sheet whose 省份 cells are formulas (``="江苏"``, cached ``江苏``), run; the returned path."""
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    wb = xlsxwriter.Workbook(str(inp / "华东销售部_客户.xlsx"))
    ws = wb.add_worksheet("企业客户")
    for c, h in enumerate(["客户名称", "统一社会信用代码", "省份", "城市", "联系人", "手机号码"]):
        ws.write_string(0, c, h)
    for r, (name, province, mobile) in enumerate(rows, start=1):
        for c, v in enumerate([name, "91320500MA1MXXXX0X", None, "苏州市", "张伟", mobile]):
            if v is not None:
                ws.write_string(r, c, v)
        ws.write_formula(r, 2, f'="{province}"', None, province)   # 江苏 is a short form fixed to 江苏省
    wb.close()
    result = CliRunner().invoke(cli, ["run", "--input", str(inp), "--output", str(out), "--as-of", "2026-11-30", "-q"])
    assert result.exit_code == 0, result.output
    return out / "2026-11" / "returns" / "华东销售部_客户.xlsx"


def test_a_fix_on_a_formula_cell_keeps_the_formula(tmp_path):
    returned = _run(tmp_path, [("苏州恒信精密机械有限公司", "江苏", "13812345678")])
    with zipfile.ZipFile(returned) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = "".join(zf.read(n).decode("utf-8") for n in sheets)
    cell = re.search(r'<c r="C2"[^>]*>.*?</c>', xml, re.S)
    assert cell and "<f>" in cell.group(0) and "江苏" in cell.group(0), cell and cell.group(0)


def test_the_note_on_a_formula_cell_suggests_the_value_instead_of_claiming_a_fix(tmp_path):
    back_path = _run(tmp_path, [("苏州恒信精密机械有限公司", "江苏", "13812345678"),
                                ("苏州恒瑞精密机械有限公司", "江苏省", "138 1234 5679")])
    back = load_workbook(back_path)
    sheet = back["企业客户"]
    assert sheet["C2"].value == '="江苏"'                                 # the formula stays
    assert sheet["C2"].comment.text.startswith("公式保留，建议值：江苏省（当前值：江苏）")
    assert "已自动更正" not in sheet["C2"].comment.text
    assert sheet["F3"].value == "13812345679"                             # a plain cell is fixed
    assert sheet["F3"].comment.text.startswith("已自动更正，原值：138 1234 5679")
    listed = {r[2]: r for r in back["问题清单"].iter_rows(values_only=True) if r and r[2] in ("C2", "F3")}
    assert listed["C2"][0] == "建议" and "公式保留，建议值：江苏省" in listed["C2"][4]
    assert listed["F3"][0] == "已更正"
    # the run's figures count the cells corrected in the returned workbook: F3, not the kept formula
    summary = json.loads((back_path.parent.parent / "summary.json").read_text(encoding="utf-8"))
    fixed_lines = sum(1 for r in back["问题清单"].iter_rows(values_only=True) if r and r[0] == "已更正")
    assert [f["fixed"] for f in summary["file_table"]] == [fixed_lines]
