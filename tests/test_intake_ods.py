"""OpenDocument specifics: calamine reports no merged ranges for .ods, intake reads them itself."""
import shutil
from pathlib import Path

from pipeline.intake import list_inputs, read_inputs
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
