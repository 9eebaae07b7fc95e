"""OpenDocument specifics: calamine reports no merged ranges for .ods, intake reads them itself."""
import csv
import datetime as dt
import shutil
from pathlib import Path

from openpyxl import load_workbook

from pipeline.api import run_pipeline
from pipeline.intake import list_inputs, read_inputs
from pipeline.model import RunOptions
from pipeline.intake.ods import ods_merged_ranges
from tests.factories import OdsFormula, make_ods, uscc

DATA = Path(__file__).resolve().parent / "data" / "filetypes"
MERGED = DATA / "西北区_客户汇总_合并单元格.ods"


def test_ods_merged_ranges_are_read():
    assert ods_merged_ranges(MERGED.read_bytes()) == {
        "西北区": [((0, 0), (0, 5)), ((2, 0), (5, 0)), ((2, 1), (3, 1)), ((4, 1), (5, 1))]}


def test_value_merged_down_in_ods_belongs_to_every_row(tmp_path, rules):
    shutil.copy(MERGED, tmp_path)
    res = read_inputs(list_inputs(tmp_path), tmp_path, rules)
    rec = res.data["records"]
    assert list(rec["name"]) == ["西安秦川机床工具有限公司", "兰州黄河石化设备有限公司",
                                 "银川塞上新材料有限公司", "乌鲁木齐天山商贸有限公司"]
    assert list(rec["owner"]) == ["马骏", "马骏", "白雪", "白雪"]
    assert list(rec["ext:大区"]) == ["西北"] * 4


def test_returned_ods_keeps_its_merged_cells_and_hidden_sheet(tmp_path):
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    shutil.copy(MERGED, inp)
    run_pipeline(RunOptions(input_dir=inp, output_dir=out, as_of=dt.date(2024, 3, 31)))
    wb = load_workbook(out / "2024-03" / "returns" / MERGED.with_suffix(".xlsx").name)
    ws = wb["西北区"]
    assert sorted(str(r) for r in ws.merged_cells.ranges) == ["A1:F1", "A3:A6", "B3:B4", "B5:B6"]
    assert [ws[f"B{r}"].value for r in (3, 5)] == ["马骏", "白雪"]
    options = wb["下拉选项"]                      # the team's hidden helper list comes back, hidden
    assert options.sheet_state == "hidden"
    assert [[c.value for c in row] for row in options.iter_rows()] == [["所属行业", "城市"], ["通用设备制造业", "西安"],
                                                                      ["批发业", "兰州"]]


# --- formula cells (LibreOffice caches 0 for a reference to an empty cell, as Excel does) ---

def _summary_ods(folder):
    """大客户部's 汇总 sheet built from 李娜's sheet with plain references, as a team builds it in
    LibreOffice: her first customer has no amount and no date (cached 0), her third a real 0;
    a fourth row's amount is an IF returning "" and its date a formula saved without a result."""
    rep = [["客户名称", "统一社会信用代码", "年合作金额", "首次合作时间"],
           ["广州白云山医药器械有限公司", uscc("91440111MA59ABCD1"), None, None],
           ["佛山顺德美居家具有限公司", uscc("91440606MA4WXYKQ2"), 95000, dt.date(2021, 11, 20)],
           ["中山火炬电子有限公司", uscc("91442000MA52LMNP3"), 0, dt.date(2022, 3, 1)]]
    total = [["客户名称", "统一社会信用代码", "年合作金额", "首次合作时间"]]
    for r in (2, 3, 4):
        total.append([OdsFormula(f"of:=[$李娜.A{r}]", "string", rep[r - 1][0]),
                      OdsFormula(f"of:=[$'李娜'.$B${r}]", "string", rep[r - 1][1]),
                      OdsFormula(f"of:=[$李娜.C{r}]", "float", rep[r - 1][2] or 0),
                      OdsFormula(f"of:=[$李娜.D{r}]", *(("date", rep[r - 1][3]) if rep[r - 1][3] else ("float", 0)))])
    total.append(["珠海格致智能科技有限公司", uscc("91440400MA55QRHT4"),
                  OdsFormula('of:=IF([.E6]="";"";[.E6]*10000)', "string", ""),
                  OdsFormula("of:=TODAY()-[.F6]", None)])
    return make_ods(folder, "大客户部_客户汇总.ods", {"汇总": total, "李娜": rep})


def test_ods_reference_to_an_empty_cell_is_empty_not_zero(tmp_path, rules):
    _summary_ods(tmp_path)
    res = read_inputs(list_inputs(tmp_path), tmp_path, rules)
    rec = res.data["records"]
    total = rec[rec["src_sheet"] == "汇总"]
    assert list(total["annual_amount"]) == [None, 95000, 0, None]      # a real 0 in 李娜's sheet stays 0
    assert list(total["first_coop"])[:3] == [None, dt.date(2021, 11, 20), dt.date(2022, 3, 1)]
    no_value = [(i.sheet, i.row, i.column) for i in res.issues if i.rule == "formula-no-value"]
    assert no_value == [("汇总", 5, "D")]                                # saved without a result, as in .xlsx


def test_ods_summary_sheet_gives_no_invented_zero_in_the_master(tmp_path):
    inp, out = tmp_path / "in", tmp_path / "out"
    _summary_ods(inp)
    run_pipeline(RunOptions(input_dir=inp, output_dir=out, as_of=dt.date(2026, 11, 30)))
    ws = load_workbook(out / "2026-11" / "customers.xlsx")["客户主档"]
    head = [c.value for c in ws[1]]
    rows = {r[head.index("客户名称")]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    amount, first = head.index("年合作金额"), head.index("首次合作时间")
    assert rows["广州白云山医药器械有限公司"][amount] is None
    assert rows["广州白云山医药器械有限公司"][first] is None
    assert rows["中山火炬电子有限公司"][amount] == 0
    assert rows["珠海格致智能科技有限公司"][amount] is None
    with open(out / "2026-11" / "issues.csv", encoding="utf-8-sig") as fh:
        issues = list(csv.DictReader(fh))
    on_total = {(i["row"], i["column"], i["rule"]) for i in issues if i["sheet"] == "汇总"}
    assert ("5", "D", "formula-no-value") in on_total
    assert not any(col == "D" and row == "2" for row, col, _ in on_total)  # no date-invalid for an invented 0
