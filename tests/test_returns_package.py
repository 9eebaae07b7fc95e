"""The patcher on what real producers write: team comments and VML, a returned workbook sent
back (its own 问题清单 and notes replaced), LibreOffice content types, prefixed SpreadsheetML,
1904 dates. Each return is a valid package and still reads in openpyxl."""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.comments import Comment

from pipeline.issues import Issue, issues_frame
from pipeline.writers import returns
from tests.factories import make_workbook
from tests.ooxml_check import check_package

SHEET = "客户"
ROWS = [["客户名称", "手机号码", "最近合作时间"],
        ["北京星河软件有限公司", "1381234567", "2026/10/10"],
        ["天津海川物流有限公司", "13912345678", "2026-11-02"]]


def _issues(rules, rows=(2,)):
    return issues_frame([Issue("mobile-invalid", "t.xlsx", SHEET, r, "mobile", "1381234567", {"detail": "位数不足"},
                               column="B") for r in rows], rules)


def _fix(row=2):
    return pd.DataFrame([{"src_file": "t.xlsx", "src_sheet": SHEET, "src_row": row, "row_id": None,
                          "field": "last_coop", "original": "2026/10/10", "fixed": dt.date(2026, 10, 10)}])


COLUMNS = pd.DataFrame([{"src_file": "t.xlsx", "src_sheet": SHEET, "field": "last_coop", "column": "C", "unit": 1.0}])


def _rewrite(path: Path, edits) -> None:
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    for name, func in edits.items():
        parts[name] = func(parts[name].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def _patched(path: Path) -> bool:
    with zipfile.ZipFile(path) as zf:
        return any(n.startswith("xl/worksheets/crm_sheet") for n in zf.namelist())


def _return(src, dest, rules, rows=(2,)):
    returns.return_workbook(src, dest, "已处理", _issues(rules, rows), _fix(), COLUMNS, rules)
    check_package(dest)
    return load_workbook(dest)


def test_team_notes_merge_and_survive_two_rounds(tmp_path, rules):
    src = make_workbook(tmp_path, "t.xlsx", {SHEET: ROWS})
    wb = load_workbook(src)
    wb[SHEET]["B2"].comment = Comment("客户说下周给新号码", "张三")
    wb[SHEET]["A3"].comment = Comment("老客户", "李四")
    wb.save(src)
    first = tmp_path / "r1" / "t.xlsx"
    wb = _return(src, first, rules)
    assert _patched(first)
    ws = wb[SHEET]
    assert ws["B2"].comment.text.startswith("【错误】") and ws["B2"].comment.text.endswith("——原批注：客户说下周给新号码")
    assert ws["A3"].comment.text == "老客户" and ws["A3"].comment.author == "李四"
    assert ws["C2"].comment.text == "已自动更正，原值：2026/10/10"
    # next month: the return comes back; the mobile is now fine, row 3 has a problem instead
    second = tmp_path / "r2" / "t.xlsx"
    wb = _return(first, second, rules, rows=(3,))
    assert _patched(second)
    assert wb.sheetnames == ["问题清单", SHEET]
    ws = wb[SHEET]
    assert ws["B2"].comment.text == "客户说下周给新号码"             # the team's note, restored
    assert ws["B2"].fill.fill_type is None                          # our red is gone with our note
    assert ws["B3"].comment.text.startswith("【错误】") and ws["A3"].comment.text == "老客户"
    assert [r[2] for r in wb["问题清单"].iter_rows(min_row=3, values_only=True) if r[0] != "已更正"] == ["B3"]
    with zipfile.ZipFile(second) as zf:
        assert sum(n.startswith("xl/worksheets/crm_sheet") for n in zf.namelist()) == 1


def test_libreoffice_content_types(tmp_path, rules):
    """LibreOffice names every .rels part in an Override and has no Default for "rels"."""
    src = make_workbook(tmp_path, "t.xlsx", {SHEET: ROWS})
    with zipfile.ZipFile(src) as zf:
        rels = [n for n in zf.namelist() if n.endswith(".rels")]

    def lo_types(xml: str) -> str:
        xml = re.sub(r'<Default Extension="rels"[^>]*/>', "", xml)
        return xml.replace("</Types>", "".join(
            f'<Override PartName="/{n}" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            for n in rels) + "</Types>")
    _rewrite(src, {"[Content_Types].xml": lo_types})
    dest = tmp_path / "out.xlsx"
    _return(src, dest, rules)            # check_package: every part has a content type
    with zipfile.ZipFile(dest) as zf:
        types = zf.read("[Content_Types].xml").decode("utf-8")
    assert 'PartName="/xl/worksheets/_rels/sheet1.xml.rels"' in types


def test_prefixed_spreadsheetml_is_patched(tmp_path, rules):
    """The Open XML SDK / ClosedXML style: SpreadsheetML bound to ``x:``."""
    src = make_workbook(tmp_path, "t.xlsx", {SHEET: ROWS})
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

    def prefix(root):
        def edit(xml: str) -> str:
            xml = re.sub(r"<(/?)(?=[A-Za-z])(?!\w+:)", r"<\1x:", xml)
            return xml.replace(f'xmlns="{main}"', f'xmlns:x="{main}"', 1)
        return edit
    _rewrite(src, {"xl/worksheets/sheet1.xml": prefix("worksheet"), "xl/workbook.xml": prefix("workbook"),
                   "xl/styles.xml": prefix("styleSheet")})
    dest = tmp_path / "out.xlsx"
    wb = _return(src, dest, rules)
    assert _patched(dest)
    assert wb[SHEET]["A3"].value == "天津海川物流有限公司" and wb[SHEET]["B2"].comment is not None
    assert wb[SHEET]["C2"].value == dt.datetime(2026, 10, 10)


def test_1904_dates_are_written_in_the_workbooks_date_system(tmp_path, rules):
    src = make_workbook(tmp_path, "t.xlsx", {SHEET: ROWS})
    wb = load_workbook(src)
    wb.epoch = dt.datetime(1904, 1, 1)
    wb[SHEET]["D2"] = dt.date(2020, 1, 1)
    wb.save(src)
    dest = tmp_path / "out.xlsx"
    wb = _return(src, dest, rules)
    assert _patched(dest)
    ws = wb[SHEET]
    assert ws["C2"].value == dt.datetime(2026, 10, 10) and ws["D2"].value == dt.datetime(2020, 1, 1)


def test_summary_and_report_say_how_each_file_came_back(tmp_path):
    import csv
    import json

    from click.testing import CliRunner

    from pipeline.cli import cli
    from tests.factories import make_csv
    inp, out = tmp_path / "input", tmp_path / "output"
    make_workbook(inp, "华北销售部.xlsx", {SHEET: ROWS})
    make_csv(inp, "个人客户.csv", [["客户名称", "手机号码"], ["王芳", "1385678"]])
    (inp / "坏文件.xlsx").write_bytes(b"PK\x03\x04 broken")
    result = CliRunner().invoke(cli, ["run", "--input", str(inp), "--output", str(out), "--as-of", "2026-11-30", "-q"])
    assert result.exit_code == 0, result.output
    month = out / "2026-11"
    summary = json.loads((month / "summary.json").read_text("utf-8"))
    by_file = {r["file"]: r for r in summary["returns"]["files"]}
    assert by_file["华北销售部.xlsx"]["method"] == "patched" and by_file["华北销售部.xlsx"]["reason"] == ""
    assert by_file["个人客户.csv"]["method"] == "rebuilt" and by_file["个人客户.csv"]["returned"] == "个人客户.xlsx"
    bad = by_file["坏文件.xlsx"]
    assert bad["method"] == "separate" and bad["reason"] == "文件未能读取"
    assert bad["returned"] == "坏文件.xlsx" and bad["issue_list"] == "坏文件_问题清单.xlsx"
    assert (month / "returns" / "坏文件.xlsx").read_bytes() == b"PK\x03\x04 broken"
    assert summary["returns"]["by_method"] == {"patched": 1, "openpyxl": 0, "separate": 1, "rebuilt": 1}
    with (month / "issues.csv").open(encoding="utf-8-sig") as fh:
        rules_of_bad = [r["rule"] for r in csv.DictReader(fh) if r["file"] == "坏文件.xlsx"]
    assert "return-separate-list" in rules_of_bad
    html = (month / "report.html").read_text("utf-8")
    assert 'data-return="patched">原文件上直接标注' in html
    assert 'data-return="separate">原文件原样退回，问题清单另附<br><small>文件未能读取' in html
