"""Returned workbooks patched part by part (pipeline/writers/xlsxpatch.py) must read exactly
like the ones openpyxl rebuilds: same sheets in the same order, same values, same fills,
same comments, same links; and the submission's own layout survives."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.comments import Comment

from pipeline.cli import cli
from pipeline.demo import write_demo_inputs
from pipeline.writers import returns
from tests.factories import make_workbook

OURS = {"E2EFDA", "FFC7CE", "FFEB9C", "DDEBF7"}


def _run(inp: Path, out: Path) -> None:
    result = CliRunner().invoke(cli, ["run", "--input", str(inp), "--output", str(out), "--as-of", "2026-11-30", "-q"])
    assert result.exit_code in (0, 1), result.output


def _without_patching(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise returns.PatchUnsupported("test: openpyxl path")
    monkeypatch.setattr(returns, "_patch_submission", refuse)


def _fill(cell) -> str:
    if cell.fill is None or cell.fill.fill_type != "solid":
        return ""
    rgb = str(cell.fill.fgColor.rgb)[-6:]
    return rgb if rgb in OURS else ""


def _content(path: Path) -> dict:
    wb = load_workbook(path)
    out = {"sheets": wb.sheetnames, "active": wb.active.title,
           "selected": [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected]}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and c.comment is None and not _fill(c):
                    continue
                cells[c.coordinate] = (c.value, _fill(c), c.comment.text if c.comment else None,
                                       c.hyperlink.location if c.hyperlink else None)
        out[ws.title] = cells
        out[ws.title + "/merged"] = sorted(str(r) for r in ws.merged_cells.ranges)
    return out


def test_patched_returns_read_like_openpyxl_ones(tmp_path, monkeypatch):
    inp = tmp_path / "input"
    write_demo_inputs(inp)
    _run(inp, tmp_path / "patched")
    with monkeypatch.context() as m:
        _without_patching(m)
        _run(inp, tmp_path / "plain")
    patched = sorted((tmp_path / "patched" / "2026-11" / "returns").iterdir())
    assert len(patched) == 5
    compared = 0
    for path in patched:
        plain = tmp_path / "plain" / "2026-11" / "returns" / path.name
        if path.suffix == ".xlsx" and (inp / path.name).exists():
            with zipfile.ZipFile(path) as zf:                      # really patched, not rebuilt
                assert any(n.startswith("xl/worksheets/crm_sheet") for n in zf.namelist()), path.name
            compared += 1
        a, b = _content(path), _content(plain)
        assert a["sheets"] == b["sheets"] and a["sheets"][0] == "问题清单"
        assert a["active"] == "问题清单" and a["selected"] == ["问题清单"] == b["selected"]
        for title in a["sheets"]:
            assert a[title] == b[title], (path.name, title)
            assert a[title + "/merged"] == b[title + "/merged"]
    assert compared == 4          # every .xlsx submission of the demo went through the patcher


def _team_file(folder: Path, comment: bool) -> Path:
    path = make_workbook(folder, "华北销售部.xlsx", sheets={"客户": [
        ["华北销售部客户表"],
        ["客户名称", "统一社会信用代码", "省份", "城市", "联系人", "手机号码", "最近合作时间"],
        ["北京星河软件有限公司", "", "北京", "北京", "王磊", "1381234567", "2026-11-02"],
        ["天津海川物流有限公司", "", "天津", "天津", "李娜", "13912345678", "2026/10/10"],
    ]}, merged={"客户": ["A1:G1"]})
    wb = load_workbook(path)
    ws = wb["客户"]
    ws.sheet_view.tabSelected = True
    if comment:
        ws["F3"].comment = Comment("客户说下周给新号码", "张三")
    wb.save(path)
    return path


@pytest.mark.parametrize("comment", [False, True])
def test_team_layout_and_own_comments_survive(tmp_path, comment):
    inp = tmp_path / "input"
    _team_file(inp, comment)
    _run(inp, tmp_path / "out")
    path = tmp_path / "out" / "2026-11" / "returns" / "华北销售部.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames == ["问题清单", "客户"] and wb.active.title == "问题清单"
    assert [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected] == ["问题清单"]
    ws = wb["客户"]
    assert "A1:G1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].value == "华北销售部客户表"
    # the short mobile is an error: red, with the message; the team's note stays (openpyxl path)
    assert _fill(ws["F3"]) == "FFC7CE" and "【错误】" in ws["F3"].comment.text
    assert ("——原批注：客户说下周给新号码" in ws["F3"].comment.text) == comment
    # the slash date is fixed in place, as a real date, green
    assert ws["G4"].value.strftime("%Y-%m-%d") == "2026-10-10" and _fill(ws["G4"]) == "E2EFDA"
    assert ws["G4"].number_format == "yyyy-mm-dd"
    assert "原值：2026/10/10" in ws["G4"].comment.text
    issues = wb["问题清单"]
    links = {c.value: c.hyperlink.location for c in issues["B"] if c.hyperlink}
    assert links["F3"] == "'客户'!F3"
