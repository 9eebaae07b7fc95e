"""A certain fix that lands on a formula cell never replaces the team's formula: the formula
and its cached result stay, the cell's note carries the fix."""
from __future__ import annotations

import re
import zipfile

import xlsxwriter
from click.testing import CliRunner

from pipeline.cli import cli


def test_a_fix_on_a_formula_cell_keeps_the_formula(tmp_path):
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    wb = xlsxwriter.Workbook(str(inp / "华东销售部_客户.xlsx"))
    ws = wb.add_worksheet("企业客户")
    for c, h in enumerate(["客户名称", "统一社会信用代码", "省份", "城市", "联系人", "手机号码"]):
        ws.write_string(0, c, h)
    ws.write_string(1, 0, "苏州恒信精密机械有限公司")
    ws.write_string(1, 1, "91320500MA1MXXXX0X")
    ws.write_formula(1, 2, '="江苏"', None, "江苏")        # a short form the pipeline fixes to 江苏省
    ws.write_string(1, 3, "苏州市")
    ws.write_string(1, 4, "张伟")
    ws.write_string(1, 5, "13812345678")
    wb.close()
    result = CliRunner().invoke(cli, ["run", "--input", str(inp), "--output", str(out), "--as-of", "2026-11-30", "-q"])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out / "2026-11" / "returns" / "华东销售部_客户.xlsx") as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = "".join(zf.read(n).decode("utf-8") for n in sheets)
    cell = re.search(r'<c r="C2"[^>]*>.*?</c>', xml, re.S)
    assert cell and "<f>" in cell.group(0) and "江苏" in cell.group(0), cell and cell.group(0)
