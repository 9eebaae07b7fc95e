"""returns/: the submitted workbook handed back, corrected and annotated."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from pipeline.issues import Issue, issues_frame
from tests.factories import make_csv
from tests.test_writers_catalog import FILE, SHEET, install_fakes, make_catalog

install_fakes()

from pipeline.writers import write_outputs  # noqa: E402
from pipeline.writers.returns import return_workbook, returned_name, safe_relative, write_returns  # noqa: E402

RED, YELLOW, GREEN = "FFC7CE", "FFEB9C", "E2EFDA"


def _rgb(cell) -> str:
    return str(cell.fill.fgColor.rgb)[-6:]


@pytest.fixture
def returned(tmp_path, rules):
    catalog = make_catalog(tmp_path, rules)
    src = catalog["options"].input_dir / FILE
    before = src.read_bytes()
    write_outputs(catalog)
    assert src.read_bytes() == before            # the input is never modified
    path = catalog["options"].output_dir / "2026-11" / "returns" / FILE
    return load_workbook(path), catalog


def test_fix_written_in_place(returned):
    wb, _ = returned
    ws = wb[SHEET]
    assert ws["C3"].value == "北京市" and ws["C3"].fill.fill_type is None   # fix_marking: comment (quiet)
    assert ws["C3"].comment.text == "已自动更正，原值：北京"
    assert ws["C6"].value == "浙江省" and ws["C6"].fill.fgColor.rgb in (None, "00000000")


def test_problem_cells_filled_and_commented(returned):
    wb, _ = returned
    ws = wb[SHEET]
    assert _rgb(ws["B4"]) == RED
    assert ws["B4"].comment.text.startswith("【错误】统一社会信用代码")
    assert "\n建议：校验位应为" in ws["B4"].comment.text
    # two issues on one cell: one comment, worst severity wins the fill
    d4 = ws["D4"].comment.text
    assert _rgb(ws["D4"]) == RED and "【错误】手机号码“1385678”无效" in d4 and "【警告】" in d4
    # a fix and a warning on one cell: the warning colour, both notes
    assert _rgb(ws["C5"]) == YELLOW and ws["C5"].value == "江苏省"
    assert "已自动更正，原值：苏州" in ws["C5"].comment.text and "【警告】" in ws["C5"].comment.text
    assert ws["A3"].comment is None


def test_submission_layout_survives(returned):
    wb, _ = returned
    ws = wb[SHEET]
    assert "A1:G1" in {str(r) for r in ws.merged_cells.ranges}
    dvs = ws.data_validations.dataValidation
    assert any(dv.type == "list" and "C3:C100" in str(dv.sqref) for dv in dvs)
    assert ws["G3"].value == "=E3/10000" and ws["G3"].data_type == "f"
    assert ws["E7"].value == "=SUM(E3:E6)"
    assert ws.column_dimensions["A"].width == 33
    for coord, text in (("F3", "=1+1"), ("F5", "@SUM(A1)")):
        assert ws[coord].value == text and ws[coord].data_type == "s"


def test_issue_sheet(returned):
    wb, _ = returned
    assert wb.sheetnames[0] == "问题清单" and wb.active.title == "问题清单"
    ws = wb["问题清单"]
    assert ws["A1"].value.startswith("请逐行处理下表")                    # what to do, above the header
    header = [c.value for c in ws[2]]
    assert header == ["级别", "工作表", "单元格", "字段", "问题", "修改建议", "填写值", "规则代码"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=3)]
    assert [r[0] for r in rows] == ["错误", "错误", "错误", "警告", "警告", "已更正", "已更正"]
    assert rows[0][:4] == ["错误", SHEET, "整个工作表", "所属行业"]     # a sheet's column missing: first
    b4 = next(i for i, r in enumerate(rows, start=3) if r[7] == "uscc-checksum")
    assert ws.cell(b4, 3).value == "B4" and ws.cell(b4, 3).hyperlink.location == f"'{SHEET}'!B4"
    d4 = next(r for r in rows if r[2] == "D4")                            # two issues, one line
    assert d4[7] == "mobile-invalid、recommended-missing" and "\n【警告】" in d4[4]
    formula_like = next(i for i, r in enumerate(rows, start=3) if r[7] == "enum-unknown")
    assert ws.cell(formula_like, 7).value.startswith("=HYPERLINK") and ws.cell(formula_like, 7).data_type == "s"
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == "A2:H9"


def test_csv_comes_back_as_xlsx(tmp_path, rules):
    catalog = make_catalog(tmp_path, rules)
    inp = catalog["options"].input_dir
    make_csv(inp, "个人客户.csv", [["客户名称", "手机号码", "备注"], ["王芳", "1385678", "=2+3"]], encoding="gb18030")
    files = pd.DataFrame([{"src_file": "个人客户.csv", "sha256": "", "layout": "list", "sheets": 1,
                           "status": "已处理", "message": ""}])
    issues = issues_frame([Issue("mobile-invalid", "个人客户.csv", "", 2, "mobile", "1385678", {"detail": "位数不足"},
                                 column="B")], rules)
    catalog = {**catalog, "files": files, "fixes": None, "columns": None}
    [path] = write_returns(tmp_path / "returns", catalog, issues)
    assert path.name == "个人客户.xlsx"
    wb = load_workbook(path)
    ws = wb["个人客户"]
    assert ws["A2"].value == "王芳" and ws["C2"].value == "=2+3" and ws["C2"].data_type == "s"
    assert _rgb(ws["B2"]) == RED and "位数不足" in ws["B2"].comment.text


def test_refused_file_comes_back_untouched_with_its_issue_list(tmp_path, rules):
    catalog = make_catalog(tmp_path, rules)
    inp = catalog["options"].input_dir
    (inp / "坏文件.xlsx").write_bytes(b"not a zip")
    files = pd.DataFrame([{"src_file": "坏文件.xlsx", "sha256": "", "layout": "", "sheets": 0,
                           "status": "已拒收", "message": "文件无法读取"}])
    issues = issues_frame([Issue("file-unreadable", "坏文件.xlsx", params={"reason": "不是有效的 xlsx"})], rules)
    [path] = write_returns(tmp_path / "returns", {**catalog, "files": files}, issues)
    assert path.name == "坏文件.xlsx" and path.read_bytes() == b"not a zip"      # the team's own file
    wb = load_workbook(tmp_path / "returns" / "坏文件_问题清单.xlsx")
    assert wb.sheetnames == ["问题清单"]
    texts = [c.value for c in wb["问题清单"]["E"][2:]]
    assert "原文件已原样退回" in texts[0] and "文件无法读取" in texts[1]


def test_resubmitted_return_is_cleaned(tmp_path, rules):
    catalog = make_catalog(tmp_path, rules)
    first = write_returns(tmp_path / "r1", catalog, issues_frame(catalog["issues"], rules))[0]
    inp = catalog["options"].input_dir
    shutil.copy(first, inp / FILE)              # the rep sends the returned file back unchanged
    no_issues = issues_frame([], rules)
    second = write_returns(tmp_path / "r2", {**catalog, "fixes": None}, no_issues)[0]
    wb = load_workbook(second)
    assert wb.sheetnames.count("问题清单") == 1
    assert wb[SHEET]["B4"].comment is None and _rgb(wb[SHEET]["B4"]) == "000000"


def test_names_cannot_escape_returns(tmp_path):
    assert safe_relative("../../etc/passwd") .as_posix() == "etc/passwd"
    assert safe_relative("C:\\temp\\a.xlsx").as_posix() == "C_/temp/a.xlsx"
    assert returned_name("华东/旧表.xls").as_posix() == "华东/旧表.xlsx"
    assert returned_name("a.csv").as_posix() == "a.xlsx"
    assert returned_name("宏.xlsm").as_posix() == "宏.xlsm"
    for name in ("../x.xlsx", "/abs/y.csv", "..\\..\\z.xlsx"):
        dest = (tmp_path / returned_name(name)).resolve()
        assert dest.is_relative_to(tmp_path.resolve())


def test_many_comments_are_affordable(tmp_path, rules):
    """1 000 annotated cells (the full 10 000 measurement is in docs/outputs.md)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "企业客户"
    ws.append(["客户名称", "手机号码"])
    for i in range(1000):
        ws.append([f"客户{i}", "123"])
    src = tmp_path / "big.xlsx"
    wb.save(src)
    issues = issues_frame([Issue("mobile-invalid", "big.xlsx", "企业客户", r, "mobile", "123", {"detail": "位数不足"},
                                 column="B") for r in range(2, 1002)], rules)
    return_workbook(src, tmp_path / "out.xlsx", "已处理", issues, None, None, rules)
    assert load_workbook(tmp_path / "out.xlsx")["企业客户"]["B1001"].comment is not None


def test_fix_in_a_form_goes_to_the_field_cell(tmp_path, rules):
    """Forms: a fix lands on the cell intake recorded for the field (records.src_cells)."""
    from pipeline import intake
    from pipeline.template import build_template

    inp = tmp_path / "input"
    path = build_template("form", "企业", inp / "表单.xlsx", rules)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    for row in ws.iter_rows(min_col=1, max_col=2):
        if row[0].value in ("客户名称", "省份"):
            row[1].value = {"客户名称": "北京星河软件有限公司", "省份": "北京"}[row[0].value]
    wb.save(path)
    read = intake.read_inputs(intake.list_inputs(inp), inp, rules).data
    rec = read["records"].iloc[0]
    coord = rec["src_cells"]["province"]
    fixes = pd.DataFrame([{"row_id": rec["row_id"], "src_file": "表单.xlsx", "src_sheet": rec["src_sheet"],
                           "src_row": rec["src_row"], "field": "province", "original": "北京", "fixed": "北京市"}])
    catalog = {**make_catalog(tmp_path / "c", rules), **read, "fixes": fixes}
    catalog["options"] = catalog["options"].__class__(input_dir=inp, output_dir=tmp_path / "o",
                                                      as_of=catalog["as_of"])
    [out] = write_returns(tmp_path / "returns", catalog, issues_frame([], rules))
    got = load_workbook(out)[rec["src_sheet"]]
    assert got[coord].value == "北京市" and "原值：北京" in got[coord].comment.text
    name_cell = rec["src_cells"]["name"]
    assert got[name_cell].value == "北京星河软件有限公司" and got[name_cell].comment is None


def test_returned_workbook_reads_back_without_issue_sheet_rows(returned, tmp_path, rules):
    """A rep sends the returned file back: intake skips the 问题清单 sheet."""
    from pipeline import intake

    _, catalog = returned
    inp = tmp_path / "again"
    inp.mkdir()
    shutil.copy(catalog["options"].output_dir / "2026-11" / "returns" / FILE, inp / "华东销售部.xlsx")
    read = intake.read_inputs(intake.list_inputs(inp), inp, rules).data
    assert set(read["records"]["src_sheet"]) == {SHEET}
    assert len(read["records"]) == 4


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice (soffice) and poppler-utils not installed")
def test_returned_workbook_opens_in_libreoffice(returned, tmp_path):
    """The returned file is a valid workbook for another spreadsheet program too."""
    import subprocess

    _, catalog = returned
    src = catalog["options"].output_dir / "2026-11" / "returns" / FILE
    work = tmp_path / "pdf"
    work.mkdir()
    shutil.copy(src, work / "r.xlsx")
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{work}/profile", "--convert-to", "pdf",
                    "--outdir", str(work), str(work / "r.xlsx")], check=True, capture_output=True, timeout=180)
    text = subprocess.run(["pdftotext", str(work / "r.pdf"), "-"], check=True, capture_output=True, text=True).stdout
    assert "工作表" in text and "统一社会信用代码" in text and "北京市" in text


def test_csv_returned_by_a_run_names_its_sheet_after_the_file(tmp_path):
    """A run reads the ledger's copy of a submission (named by its sha256): the returned csv's
    sheet is still named after the team's file, not after the hash."""
    import datetime as dt

    from pipeline.api import run_pipeline
    from pipeline.model import RunOptions
    inp, out = tmp_path / "in", tmp_path / "out"
    make_csv(inp, "线上渠道部_个人客户.csv", [["姓名", "手机号码", "常用地址", "核心需求"],
                                           ["王芳", "13856781234", "上海市浦东新区", "净水"]], encoding="gbk")
    run_pipeline(RunOptions(input_dir=inp, output_dir=out, as_of=dt.date(2024, 3, 31)))
    wb = load_workbook(out / "2024-03" / "returns" / "线上渠道部_个人客户.xlsx")
    assert wb.sheetnames[-1] == "线上渠道部_个人客户"
    assert wb["线上渠道部_个人客户"]["A2"].value == "王芳"


def test_a_problem_of_one_sheet_is_located_at_that_sheet_not_the_file(rules):
    """A hidden sheet holding customers is about that sheet: 问题清单 names it (工作表 column) and
    says 整个工作表; a problem of the whole file still says 整个文件."""
    from pipeline.writers.issue_list import issue_sheet
    issues = issues_frame([Issue("sheet-hidden-data", FILE, "已签约客户", params={"sheet": "已签约客户", "rows": 1}),
                           Issue("file-empty", FILE)], rules)
    sheet = issue_sheet(issues, {SHEET: SHEET}, "问题清单")
    located = {r[7]: r[1:3] for r in sheet.rows}
    assert located == {"sheet-hidden-data": ["已签约客户", "整个工作表"], "file-empty": ["", "整个文件"]}
