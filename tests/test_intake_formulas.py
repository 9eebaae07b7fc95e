"""A formula that only points at an empty cell caches 0: intake reads it as empty, not as 0."""
import io
import shutil
import zipfile
from pathlib import Path

from pipeline.intake import list_inputs, read_inputs
from pipeline.intake.formulas import scan_formulas

DATA = Path(__file__).resolve().parent / "data" / "formulas"


def test_reference_to_an_empty_cell_is_empty_not_zero(tmp_path, rules):
    shutil.copy(DATA / "大客户部_客户汇总.xlsx", tmp_path)
    rec = read_inputs(list_inputs(tmp_path), tmp_path, rules).data["records"]
    total = rec[rec["src_sheet"] == "汇总"]
    assert list(total["name"]) == ["广州白云山医药器械有限公司", "佛山顺德美居家具有限公司", "中山火炬电子有限公司"]
    assert list(total["annual_amount"]) == [None, 95000, 0]        # a real 0 in 李娜's sheet stays 0
    assert list(total["first_coop"]) == [None, "2021-11-20", "2022-03-01"]


def test_shared_formula_filled_down_follows_its_offset():
    sheet = (b'<worksheet><sheetData>'
             b'<row r="2"><c r="B2"><f t="shared" ref="B2:B3" si="0">\'R\'!C5</f><v>0</v></c>'
             b'<c r="C2"><f>$D$9</f><v>0</v></c><c r="D2"><f>C2+1</f><v>0</v></c></row>'
             b'<row r="3"><c r="B3"><f t="shared" si="0"/><v>0</v></c><c r="C3" t="str"><f>D3</f><v>0</v></c></row>'
             b'</sheetData></worksheet>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    refs = scan_formulas(buf.getvalue(), lambda zf: {"汇总": "xl/worksheets/sheet1.xml"}).zeros
    # B3 is B2's formula moved down one row; D2 computes (no plain reference); C3 caches the text "0"
    assert refs == {"汇总": {(1, 1): ("R", 4, 2), (2, 1): ("R", 5, 2), (1, 2): ("汇总", 8, 3)}}


def test_each_sheet_is_decompressed_once_for_both_formula_scans(tmp_path, rules, monkeypatch):
    """No cached value and cached 0 from a plain reference come from one pass over the sheets."""
    shutil.copy(DATA / "大客户部_客户汇总.xlsx", tmp_path)
    reads: list[str] = []
    real = zipfile.ZipFile.read
    monkeypatch.setattr(zipfile.ZipFile, "read", lambda self, name, *a: (reads.append(str(name)), real(self, name, *a))[1])
    rec = read_inputs(list_inputs(tmp_path), tmp_path, rules).data["records"]
    assert list(rec.loc[rec["src_sheet"] == "汇总", "annual_amount"]) == [None, 95000, 0]
    sheets = [r for r in reads if r.startswith("xl/worksheets/")]
    assert sheets and len(sheets) == len(set(sheets))
