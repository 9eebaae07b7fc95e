"""OpenDocument specifics: calamine reports no merged ranges for .ods, intake reads them itself."""
import shutil
from pathlib import Path

import datetime as dt

from openpyxl import load_workbook

from pipeline.api import run_pipeline
from pipeline.intake import list_inputs, read_inputs
from pipeline.model import RunOptions
from pipeline.intake.readers import ods_merged_ranges

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
