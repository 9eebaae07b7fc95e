"""A CSV submission comes back as an .xlsx of its values written by xlsxwriter and annotated
by the part-by-part patcher (pipeline/writers/rebuild.py); openpyxl rebuilds what it cannot."""
from __future__ import annotations

import datetime as dt
import json
import zipfile

from openpyxl import load_workbook

from pipeline.api import run_pipeline
from pipeline.model import RunOptions
from pipeline.writers import rebuild
from tests.factories import make_csv

HEADER = ["客户名称", "手机号码", "客户状态", "备注"]
ROWS = [["苏州华力电子有限公司", "1385678", "合作中", "=2+3"], ["王芳", "13912345678", "潜在客户", " 前后空格 "]]


def _run(tmp_path, rules):
    inp = tmp_path / "input"
    make_csv(inp, "华南区域_客户资料.csv", [HEADER, *ROWS], encoding="gb18030")
    run_pipeline(RunOptions(input_dir=inp, output_dir=tmp_path / "out", as_of=dt.date(2026, 11, 30)), rules)
    month = tmp_path / "out" / "2026-11"
    return month / "returns" / "华南区域_客户资料.xlsx", json.loads((month / "summary.json").read_text("utf-8"))


def test_csv_return_is_rebuilt_and_patched(tmp_path, rules):
    path, summary = _run(tmp_path, rules)
    assert summary["returns"]["by_method"]["rebuilt"] == 1
    with zipfile.ZipFile(path) as zf:
        assert any("_crm" in n for n in zf.namelist())          # the patcher's parts: not an openpyxl save
    wb = load_workbook(path)
    ws = wb["华南区域_客户资料"]
    assert wb.sheetnames[0] == "问题清单"
    assert ws["A2"].value == "苏州华力电子有限公司" and ws["D2"].value == "=2+3" and ws["D2"].data_type == "s"
    assert ws["B3"].value == "13912345678" and ws["B3"].data_type == "s"      # a phone stays text
    assert ws["D3"].value == " 前后空格 "
    assert "位" in ws["B2"].comment.text and ws["B2"].fill.fgColor.rgb.endswith("FFC7CE")
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:D3"


def test_what_cannot_be_rebuilt_goes_through_openpyxl(tmp_path, rules, monkeypatch):
    def refuse(*args, **kwargs):
        raise rebuild.NotRebuilt("test")

    monkeypatch.setattr("pipeline.writers.returns.rebuild_values", refuse)
    path, summary = _run(tmp_path, rules)
    assert summary["returns"]["by_method"]["rebuilt"] == 1
    with zipfile.ZipFile(path) as zf:
        assert not any("_crm" in n for n in zf.namelist())
    ws = load_workbook(path)["华南区域_客户资料"]
    assert ws["A2"].value == "苏州华力电子有限公司" and "位" in ws["B2"].comment.text
