"""Returned workbooks patched part by part (pipeline/writers/xlsxpatch.py) must read exactly
like the ones openpyxl rebuilds: same sheets in the same order, same values, same fills,
same comments, same links; and the submission's own layout survives."""
from __future__ import annotations

import json
import re
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
from tests.ooxml_check import check_package

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
    compared = separate = 0
    for path in patched:
        plain = tmp_path / "plain" / "2026-11" / "returns" / path.name
        if path.suffix == ".xlsx" and (inp / path.name).exists():
            with zipfile.ZipFile(path) as zf:                      # really patched, not rebuilt
                assert any(n.startswith("xl/worksheets/crm_sheet") for n in zf.namelist()), path.name
            check_package(path)
            compared += 1
        a = _content(path)
        assert a["sheets"][0] == "问题清单"
        if (inp / path.name).exists() and plain.read_bytes() == (inp / path.name).read_bytes():
            # openpyxl would have emptied cached formula results: the team's file came back
            # untouched, the 问题清单 next to it (the patched return lost nothing)
            assert load_workbook(plain.with_name(plain.stem + "_问题清单.xlsx")).sheetnames == ["问题清单", "列映射"]
            separate += 1
            continue
        b = _content(plain)
        assert a["sheets"] == b["sheets"]
        assert a["active"] == "问题清单" and a["selected"] == ["问题清单"] == b["selected"]
        for title in a["sheets"]:
            assert a[title] == b[title], (path.name, title)
            assert a[title + "/merged"] == b[title + "/merged"]
    assert compared == 4          # every .xlsx submission of the demo went through the patcher
    assert separate == 2          # the two demo files with formulas


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
    check_package(path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["问题清单", "列映射", "客户"] and wb.active.title == "问题清单"
    assert [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected] == ["问题清单"]
    ws = wb["客户"]
    assert "A1:G1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].value == "华北销售部客户表"
    # the short mobile is an error: red, with the message; the team's note stays (openpyxl path)
    assert _fill(ws["F3"]) == "FFC7CE" and "【错误】" in ws["F3"].comment.text
    assert ("——原批注：客户说下周给新号码" in ws["F3"].comment.text) == comment
    # the slash date is fixed in place, as a real date, with a comment (fix_marking: comment)
    assert ws["G4"].value.strftime("%Y-%m-%d") == "2026-10-10" and _fill(ws["G4"]) in ("", "000000")
    assert ws["G4"].number_format == "yyyy-mm-dd"
    assert "原值：2026/10/10" in ws["G4"].comment.text
    issues = wb["问题清单"]
    links = {c.value: c.hyperlink.location for c in issues["C"] if c.hyperlink}
    assert links["F3"] == "'客户'!F3"


# --- Excel's strictness ---------------------------------------------------------------

DATABAR_EXT = ('<extLst><ext uri="{B025F937-C7B1-47D3-B67F-A62EFF666E3E}" '
               'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
               '<x14:id>{00000000-0000-0000-0000-000000000001}</x14:id></ext></extLst>')


def _rewrite(path: Path, edits) -> None:
    """Rewrite parts of a saved package: ``edits`` maps a part name to text -> text (None: add)."""
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    for name, func in edits.items():
        parts[name] = func(parts[name].decode("utf-8") if name in parts else None).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def _excel_made(folder: Path) -> Path:
    """What Excel itself writes and openpyxl does not: a data bar with its x14 extension,
    a date format used by a conditional format, a print area, a calcChain."""
    from openpyxl.formatting.rule import DataBarRule, Rule
    from openpyxl.styles import PatternFill
    from openpyxl.styles.differential import DifferentialStyle
    path = make_workbook(folder, "西南销售部.xlsx", sheets={"客户": [
        ["客户名称", "省份", "城市", "联系人", "手机号码", "最近合作时间", "年合作金额"],
        ["成都天府软件有限公司", "四川", "成都", "王磊", "1381234567", "2026-11-02", 300000],
        ["重庆山城物流有限公司", "重庆", "重庆", "李娜", "13912345678", "2026/10/10", 120000],
    ], "说明": [["请按模板填写"]]})
    wb = load_workbook(path)
    ws = wb["客户"]
    ws.conditional_formatting.add("G2:G3", DataBarRule(start_type="min", end_type="max", color="638EC6"))
    ws.conditional_formatting.add("F2:F3", Rule(type="expression", formula=["F2>0"], dxf=DifferentialStyle(
        fill=PatternFill(bgColor="FFFF00"), numFmt=None)))
    ws.print_area = "A1:G3"
    wb.save(path)
    _rewrite(path, {
        "xl/worksheets/sheet1.xml": lambda x: x.replace("</dataBar></cfRule>", "</dataBar>" + DATABAR_EXT + "</cfRule>"),
        "xl/styles.xml": lambda x: re.sub(r"<dxf>", '<dxf><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>', x, 1),
        "xl/calcChain.xml": lambda _: '<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                      '<c r="G2" i="1"/></calcChain>',
        "xl/_rels/workbook.xml.rels": lambda x: x.replace("</Relationships>", '<Relationship Id="rIdCalc" Type='
                                                          '"http://schemas.openxmlformats.org/officeDocument/2006/'
                                                          'relationships/calcChain" Target="calcChain.xml"/>'
                                                          "</Relationships>"),
        "[Content_Types].xml": lambda x: x.replace("</Types>", '<Override PartName="/xl/calcChain.xml" ContentType='
                                                   '"application/vnd.openxmlformats-officedocument.spreadsheetml.'
                                                   'calcChain+xml"/></Types>'),
    })
    return path


@pytest.mark.filterwarnings("ignore:Unknown extension:UserWarning")     # openpyxl reading the x14 data bar
def test_excel_made_workbook_is_patched_into_a_valid_package(tmp_path):
    inp = tmp_path / "input"
    _excel_made(inp)
    _run(inp, tmp_path / "out")
    path = tmp_path / "out" / "2026-11" / "returns" / "西南销售部.xlsx"
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        sheet = zf.read("xl/worksheets/sheet1.xml").decode("utf-8")
        book = zf.read("xl/workbook.xml").decode("utf-8")
    assert any(n.startswith("xl/worksheets/crm_sheet") for n in names)
    assert "xl/calcChain.xml" not in names
    check_package(path)
    # the comments' drawing comes after the data bar's own <extLst>, not inside its rule
    assert sheet.index("</conditionalFormatting>") < sheet.index("<legacyDrawing")
    assert DATABAR_EXT in sheet
    # the team's print area moved with its sheet (now the third one, after 问题清单 and 列映射)
    assert re.search(r'<definedName name="_xlnm.Print_Area" localSheetId="2"', book)
    wb = load_workbook(path)
    assert wb.sheetnames == ["问题清单", "列映射", "客户", "说明"]
    ws = wb["客户"]
    assert ws["F3"].number_format == "yyyy-mm-dd" and ws["F3"].value.strftime("%Y-%m-%d") == "2026-10-10"
    assert _fill(ws["E2"]) == "FFC7CE"
    assert len(ws.conditional_formatting) == 2


@pytest.mark.parametrize("edit", [
    lambda x: x.replace('<sheetView ', "<sheetView rightToLeft='0' ", 1),                      # single quotes
    lambda x: x.replace('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                        'xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"', 1),          # a strict sheet in a
])                                                                                           # transitional book
def test_what_the_patcher_does_not_read_comes_back_whole(tmp_path, edit):
    inp = tmp_path / "input"
    path = _team_file(inp, comment=False)
    _rewrite(path, {"xl/worksheets/sheet1.xml": edit})
    _run(inp, tmp_path / "out")
    out = tmp_path / "out" / "2026-11" / "returns" / "华北销售部.xlsx"
    with zipfile.ZipFile(out) as zf:
        assert not any(n.startswith("xl/worksheets/crm_sheet") for n in zf.namelist())
    summary = json.loads((tmp_path / "out" / "2026-11" / "summary.json").read_text("utf-8"))
    [entry] = summary["returns"]["files"]
    assert entry["reason_codes"][0] == "patch" and entry["reason"].startswith("含直接标注不支持的内容")
    if entry["method"] == "openpyxl":
        assert load_workbook(out).sheetnames[0] == "问题清单"
    else:                       # openpyxl would have lost something: the file untouched, the list aside
        assert entry["method"] == "separate" and out.read_bytes() == path.read_bytes()
        assert entry["issue_list"] == "华北销售部_问题清单.xlsx"
        assert load_workbook(out.with_name(entry["issue_list"])).sheetnames == ["问题清单", "列映射"]
