"""A labelled title cell above a list's header (销售代表：张伟) gives its value to every row of
that table that leaves the field empty, with an info issue naming the cell; a column of the
table for the same field wins."""
from __future__ import annotations

import csv
import datetime as dt

from openpyxl import load_workbook

from pipeline.api import run_pipeline
from pipeline.model import RunOptions
from tests.factories import make_workbook, uscc

FILE = "大客户部_客户清单_按销售.xlsx"
HEADER = ["客户名称", "统一社会信用代码", "所属行业", "联系人", "手机号码"]


def _run(tmp_path, sheets):
    make_workbook(tmp_path / "in", FILE, sheets)
    run_pipeline(RunOptions(input_dir=tmp_path / "in", output_dir=tmp_path / "out", as_of=dt.date(2024, 3, 31)))
    month = tmp_path / "out" / "2024-03"
    rows = list(load_workbook(month / "customers.xlsx", read_only=True)["客户主档"].iter_rows(values_only=True))
    owner, name = rows[0].index("负责销售"), rows[0].index("客户名称")
    with open(month / "issues.csv", encoding="utf-8-sig") as fh:
        issues = list(csv.DictReader(fh))
    return {r[name]: r[owner] for r in rows[1:]}, issues


def test_title_label_fills_the_field_of_every_row_and_names_its_cell(tmp_path):
    owners, issues = _run(tmp_path, {
        "张伟": [["销售代表：张伟"], HEADER,
                 ["深圳华创新能源科技有限公司", uscc("91440300MA5D1XXA1"), "电气机械和器材制造业", "林志明", "13922223333"],
                 ["东莞市长盈五金制品有限公司", uscc("91441900MA5D2XXA2"), "金属制品业", "何丽", "13922224444"]],
        "李娜": [["大客户部客户清单"], ["客户经理: 李娜", None, "填表日期：2024-03-28"], HEADER,
                 ["广州白云山医药器械有限公司", uscc("91440100MA5D3XXA3"), "医药制造业", "黄敏", "13822225555"]],
    })
    assert owners == {"深圳华创新能源科技有限公司": "张伟", "东莞市长盈五金制品有限公司": "张伟",
                      "广州白云山医药器械有限公司": "李娜"}
    filled = [(i["sheet"], i["row"], i["column"], i["field"], i["severity"]) for i in issues
              if i["rule"] == "title-label-filled"]
    assert filled == [("张伟", "1", "A", "负责销售", "info"), ("李娜", "2", "A", "负责销售", "info")]
    message = next(i["message"] for i in issues if i["rule"] == "title-label-filled")
    assert "销售代表：张伟" in message and "2" in message


def test_a_column_of_the_table_wins_over_the_title_label(tmp_path):
    owners, issues = _run(tmp_path, {
        "客户": [["销售代表：张伟"], HEADER + ["负责销售"],
                 ["深圳华创新能源科技有限公司", uscc("91440300MA5D1XXA1"), "电气机械和器材制造业", "林志明", "13922223333", "李娜"],
                 ["东莞市长盈五金制品有限公司", uscc("91441900MA5D2XXA2"), "金属制品业", "何丽", "13922224444", None]],
    })
    assert owners == {"深圳华创新能源科技有限公司": "李娜", "东莞市长盈五金制品有限公司": None}
    assert not [i for i in issues if i["rule"] == "title-label-filled"]
