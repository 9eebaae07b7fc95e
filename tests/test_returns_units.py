"""A column whose header carries a unit (年合作金额（万元）) comes back in that unit: a fix is
written as the team counts (1,200 → 1200, 120万 → 120), and the returned file submitted again
next month gives the same yuan."""
from __future__ import annotations

import datetime as dt
import shutil

from openpyxl import load_workbook

from pipeline.api import run_pipeline
from pipeline.model import RunOptions
from tests.factories import make_workbook, uscc

FILE = "华东销售部_客户台账.xlsx"
ROWS = [["客户名称", "统一社会信用代码", "所属行业", "联系人", "手机号码", "年合作金额（万元）"],
        ["杭州西子智能装备股份有限公司", uscc("91330100MA2H3XXR5"), "专用设备制造业", "李强", "13812345670", "1,200"],
        ["宁波港通物流有限公司", uscc("91330200MA2H4XXR6"), "装卸搬运和仓储业", "吴霞", "13712345678", "120万"],
        ["上海浦江化工有限公司", uscc("91310000MA1K5XXR7"), "化学原料和化学制品制造业", "郑伟", "13612345678", "200万元"],
        ["常州天宁纺织有限公司", uscc("91320400MA1M6XXR8"), "纺织业", "陈静", "13412345678", 30]]
YUAN = {"杭州西子智能装备股份有限公司": 12_000_000, "宁波港通物流有限公司": 1_200_000,
        "上海浦江化工有限公司": 2_000_000, "常州天宁纺织有限公司": 300_000}


def _amounts(month):
    ws = load_workbook(month / "customers.xlsx", read_only=True)["客户主档"]
    rows = list(ws.iter_rows(values_only=True))
    name, amount = rows[0].index("客户名称"), rows[0].index("年合作金额")
    return {r[name]: r[amount] for r in rows[1:]}


def test_fix_in_a_unit_column_is_written_in_that_unit_and_reads_back(tmp_path):
    march, april, out = tmp_path / "in3", tmp_path / "in4", tmp_path / "out"
    make_workbook(march, FILE, {"客户": ROWS})
    run_pipeline(RunOptions(input_dir=march, output_dir=out, as_of=dt.date(2024, 3, 31)))
    assert _amounts(out / "2024-03") == YUAN
    returned = out / "2024-03" / "returns" / FILE
    ws = load_workbook(returned)["客户"]
    assert [ws[f"F{r}"].value for r in range(2, 6)] == [1200, 120, 200, 30]
    assert ws["F2"].comment.text == "已自动更正，原值：1,200"

    april.mkdir()
    shutil.copy(returned, april / FILE)            # the team sends its returned file back next month
    run_pipeline(RunOptions(input_dir=april, output_dir=out, as_of=dt.date(2024, 4, 30)))
    assert _amounts(out / "2024-04") == YUAN
