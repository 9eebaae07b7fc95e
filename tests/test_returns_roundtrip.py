"""Returned workbooks survive every round trip: workbooks from several producers (built here with
openpyxl and xlsxwriter; real Excel, Mac Excel, LibreOffice and ClosedXML files from
tests/data/workbooks/) each get a block of customer rows in their first worksheet, go through
`crm-pipeline run`, and their returns are submitted again the next month into the same output
folder. Both rounds: no value changed without our note, no formula result emptied, no sheet,
part or team note lost, every part typed, no dangling relationship; every return opens in
openpyxl and python-calamine (and LibreOffice, when installed)."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest
import xlsxwriter
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from pipeline.cli import cli
from tests.ooxml_check import check_package, our_notes, package_facts, round_trip_losses

DATA = Path(__file__).parent / "data" / "workbooks"
BLOCK = [["客户名称", "省份", "城市", "联系人", "手机号码", "最近合作时间"],
         ["深圳前海数联科技有限公司", "广东", "深圳", "陈晨", "1381234567", "2026/10/10"],
         ["广州白云物流有限公司", "广东省", "广州市", "刘洋", "13912345678", "2026-11-02"],
         ["杭州西湖电子有限公司", "浙江", "杭州", "周敏", "13712345678", "2026.9.1"]]


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" + b"\xff\x00\x00" * 2 + b"\x00" + b"\x00\xff\x00" * 2))
            + chunk(b"IEND", b""))


def _openpyxl_book(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "客户"
    for row in BLOCK:
        ws.append(row)
    ws.append(["合计", None, None, None, None, None, "=COUNTA(A2:A4)"])
    ws["D2"].comment = Comment("下周回访", "张三")
    dv = DataValidation(type="list", formula1='"广东省,浙江省"')
    ws.add_data_validation(dv)
    dv.add("B2:B50")
    ws.conditional_formatting.add("E2:E50", CellIsRule(operator="equal", formula=['""'], fill=PatternFill(bgColor="FFFF00")))
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=7, min_row=5, max_row=5))
    ws.add_chart(chart, "J2")
    wb.defined_names["客户区域"] = DefinedName("客户区域", attr_text="'客户'!$A$1:$F$4")
    wb.save(path)


def _xlsxwriter_book(path: Path, vba: bytes | None = None, date1904: bool = False) -> None:
    wb = xlsxwriter.Workbook(str(path), {"date_1904": date1904, "strings_to_numbers": False})
    ws = wb.add_worksheet("客户")
    for r, row in enumerate(BLOCK):
        for c, v in enumerate(row):
            ws.write_string(r, c, v)
    ws.write_formula(4, 6, "=COUNTA(A2:A4)", None, 3)
    ws.write_datetime(4, 7, dt.datetime(2024, 2, 29), wb.add_format({"num_format": "yyyy-mm-dd"}))
    ws.write_comment("D3", "大客户，注意回款")
    ws.data_validation("B2:B50", {"validate": "list", "source": ["广东省", "浙江省"]})
    ws.conditional_format("E2:E50", {"type": "blanks", "format": wb.add_format({"bg_color": "#FFFF00"})})
    ws.insert_image("J2", "logo.png", {"image_data": io.BytesIO(_png())})
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": "='客户'!$G$5:$G$5"})
    ws.insert_chart("J8", chart)
    wb.define_name("客户区域", "='客户'!$A$1:$F$4")
    wb.add_worksheet("填写说明").write_string(0, 0, "请按模板填写")
    if vba is not None:
        wb.add_vba_project(io.BytesIO(vba), is_stream=True)
    wb.close()


def _first_worksheet(parts: dict[str, bytes]) -> str:
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    book = parts["xl/workbook.xml"].decode("utf-8")
    for rid in re.findall(r"<(?:\w+:)?sheet\b[^>]*?\b\w+:id=\"([^\"]+)\"", book):
        rel = re.search(r"<Relationship\b[^>]*Id=\"" + re.escape(rid) + r"\"[^>]*>", rels).group(0)
        if re.search(r'Type="[^"]*/worksheet"', rel):
            target = re.search(r'Target="([^"]+)"', rel).group(1)
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    raise AssertionError("no worksheet")


def _with_customer_block(src: Path, dest: Path) -> None:
    """``src`` with BLOCK in its first worksheet, right of everything already there (rows 1–4):
    inline strings added to the sheet XML, every other byte of the package kept."""
    from openpyxl.utils import column_index_from_string, get_column_letter
    with zipfile.ZipFile(src) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    name = _first_worksheet(parts)
    xml = parts[name].decode("utf-8")
    p = re.search(r"<(\w+:)?sheetData\b", xml).group(1) or ""
    used = [column_index_from_string(c) for c in re.findall(r"<" + p + r"c\b[^>]*?\sr=\"([A-Z]+)\d+\"", xml)]
    first = max(used + [0]) + 2
    xml = re.sub(r"<" + p + r"dimension\b[^>]*/>", "", xml)
    if re.search(r"<" + p + r"sheetData\s*/>", xml):
        xml = re.sub(r"<" + p + r"sheetData\s*/>", f"<{p}sheetData></{p}sheetData>", xml)
    for r, values in enumerate(BLOCK, start=1):
        cells = "".join(f'<{p}c r="{get_column_letter(first + j)}{r}" t="inlineStr"><{p}is><{p}t>{v}</{p}t></{p}is></{p}c>'
                        for j, v in enumerate(values))
        row = re.search(r"<" + p + r"row\b[^>]*\br=\"" + str(r) + r"\"[^>]*?(/?)>", xml)
        if row and row.group(1):
            xml = xml[: row.start()] + row.group(0)[:-2] + ">" + cells + f"</{p}row>" + xml[row.end():]
        elif row:
            close = xml.index(f"</{p}row>", row.end())
            xml = xml[:close] + cells + xml[close:]
        else:
            later = [m for m in re.finditer(r"<" + p + r"row\b[^>]*\br=\"(\d+)\"", xml) if int(m.group(1)) > r]
            at = later[0].start() if later else xml.index(f"</{p}sheetData>")
            xml = xml[:at] + f'<{p}row r="{r}">{cells}</{p}row>' + xml[at:]
    xml = re.sub(r'(<(?:\w+:)?row\b[^>]*?)\sspans="[^"]*"', r"\1", xml)
    parts[name] = xml.encode("utf-8")
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)


def _run(inp: Path, out: Path, as_of: str) -> None:
    result = CliRunner().invoke(cli, ["run", "--input", str(inp), "--output", str(out), "--as-of", as_of, "--force", "-q"])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("roundtrip")
    nov, dec, out = tmp / "nov", tmp / "dec", tmp / "output"
    nov.mkdir()
    _openpyxl_book(nov / "openpyxl_客户.xlsx")
    _xlsxwriter_book(nov / "xlsxwriter_客户.xlsx")
    _xlsxwriter_book(nov / "xlsxwriter_1904.xlsx", date1904=True)
    with zipfile.ZipFile(DATA / "excel_macro01.xlsm") as zf:
        _xlsxwriter_book(nov / "xlsxwriter_宏.xlsm", vba=zf.read("xl/vbaProject.bin"))
    for src in sorted(DATA.glob("*.xls[xm]")):
        if src.name == "libreoffice_customers.xlsx":
            shutil.copy(src, nov / src.name)             # a customer list already
        else:
            _with_customer_block(src, nov / src.name)
    _run(nov, out, "2026-11-30")
    dec.mkdir()
    for f in (out / "2026-11" / "returns").iterdir():
        if not f.stem.endswith("_问题清单"):
            shutil.copy(f, dec / f.name)                 # next month the team sends its return back
    _run(dec, out, "2026-12-31")
    return {"nov": nov, "dec": dec, "out": out}


def _summary(out: Path, month: str) -> dict:
    return {r["file"]: r for r in json.loads((out / month / "summary.json").read_text("utf-8"))["returns"]["files"]}


@pytest.mark.parametrize("month,inp", [("2026-11", "nov"), ("2026-12", "dec")])
def test_every_return_keeps_what_its_submission_had(rounds, month, inp):
    done = _summary(rounds["out"], month)
    subs = sorted(rounds[inp].iterdir())
    assert len(subs) >= 27 and set(done) == {s.name for s in subs}
    problems = {}
    for sub in subs:
        entry = done[sub.name]
        ret = rounds["out"] / month / "returns" / entry["returned"]
        if entry["method"] != "patched":
            problems[sub.name] = [f"{entry['method']}: {entry['reason']}"]
            continue
        try:
            check_package(ret)
        except AssertionError as exc:
            problems[sub.name] = [str(exc)]
            continue
        lost = round_trip_losses(package_facts(sub), package_facts(ret))
        if lost:
            problems[sub.name] = lost
        load_workbook(ret)                         # opens (a Strict file reads as empty, like its submission)
    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)


def test_the_team_content_is_still_there_after_two_rounds(rounds):
    """Month 2's return against month 1's submission: the team's own cells and notes."""
    for sub in sorted(rounds["nov"].iterdir()):
        ret = rounds["out"] / "2026-12" / "returns" / sub.name
        first = package_facts(rounds["out"] / "2026-11" / "returns" / sub.name)
        lost = round_trip_losses(package_facts(sub), package_facts(ret), also_noted=our_notes(first))
        assert lost == [], (sub.name, lost)
        with zipfile.ZipFile(ret) as zf:
            names = zf.namelist()
        own = [t for t in package_facts(ret)["sheets"] if t in ("问题清单", "与上次提交对比", "列映射")]
        assert "与上次提交对比" in own and len(own) == len(set(own))          # each of our sheets once
        assert sum(n.startswith("xl/worksheets/crm_sheet") for n in names) == len(own)
    wb = load_workbook(rounds["out"] / "2026-12" / "returns" / "openpyxl_客户.xlsx")
    assert wb.sheetnames[:2] == ["问题清单", "与上次提交对比"]
    assert wb["客户"]["D2"].comment.text == "下周回访"                # the team's note, both months
    assert wb["客户"]["B2"].value == "广东省"                          # last month's fix stays


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_second_round_returns_open_in_libreoffice(rounds, tmp_path):
    returned = sorted(p for p in (rounds["out"] / "2026-12" / "returns").iterdir())
    result = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                             "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path / "csv"), *map(str, returned)],
                            capture_output=True, timeout=300)
    assert result.returncode == 0, result.stderr
    made = {p.stem for p in (tmp_path / "csv").glob("*.csv")}
    assert made == {p.stem for p in returned}
    # the first sheet of every return is 问题清单: LibreOffice read it (every block has a short mobile)
    for p in (tmp_path / "csv").glob("*.csv"):
        assert "mobile-invalid" in p.read_text("utf-8", errors="replace"), p.name
