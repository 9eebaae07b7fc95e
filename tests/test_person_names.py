"""Spaces between the Chinese characters of a person's name (钱  敏, 王 小 明) are padding:
contact, 负责销售 and a 个人 customer's name lose them, shown as a fix in the returned
workbook; a name in Latin letters (David Wang) keeps its single spaces."""
from __future__ import annotations

import datetime as dt

from openpyxl import load_workbook

from pipeline.api import run_pipeline
from pipeline.model import RunOptions
from tests.factories import make_workbook, uscc

FILE = "华东销售部_客户台账.xlsx"
ROWS = [["客户名称", "统一社会信用代码", "所属行业", "联系人", "手机号码", "负责销售"],
        ["无锡联创电子科技有限公司", uscc("91320200MA1N2XXB2"), "计算机、通信和其他电子设备制造业", "钱  敏", "13812345679", "王 小 明"],
        ["苏州恒通精密机械有限公司", uscc("91320500MA1N1XXB1"), "通用设备制造业", "David Wang", "13812345678", "张伟"]]
PEOPLE = [["姓名", "手机号码", "常用地址", "核心需求"],
          ["李 四", "13912345678", "江苏省苏州市工业园区星湖街328号", "理财咨询"]]


def test_spaces_inside_a_chinese_person_name_are_removed_and_shown_as_fixes(tmp_path):
    make_workbook(tmp_path / "in", FILE, {"企业客户": ROWS, "个人客户": PEOPLE})
    run_pipeline(RunOptions(input_dir=tmp_path / "in", output_dir=tmp_path / "out", as_of=dt.date(2024, 3, 31)))
    month = tmp_path / "out" / "2024-03"
    rows = list(load_workbook(month / "customers.xlsx", read_only=True)["客户主档"].iter_rows(values_only=True))
    col = {h: i for i, h in enumerate(rows[0])}
    got = {r[col["客户名称"]]: (r[col["联系人"]], r[col["负责销售"]]) for r in rows[1:]}
    assert got == {"无锡联创电子科技有限公司": ("钱敏", "王小明"), "苏州恒通精密机械有限公司": ("David Wang", "张伟"),
                   "李四": (None, None)}
    ws = load_workbook(month / "returns" / FILE)["企业客户"]
    assert (ws["D2"].value, ws["F2"].value, ws["D3"].value) == ("钱敏", "王小明", "David Wang")
    assert ws["D2"].comment.text == "已自动更正，原值：钱  敏"
    assert ws["F2"].comment.text == "已自动更正，原值：王 小 明"
    assert ws["D3"].comment is None
    assert load_workbook(month / "returns" / FILE)["个人客户"]["A2"].value == "李四"


def test_two_names_of_two_characters_are_not_joined_into_one():
    """A space beside a lone character pads a name (王 小明 → 王小明); a space between two
    names of two characters or more separates two people and stays (张三 李四 is not 张三李四)."""
    from pipeline.normalize.text import parse_person

    got = {v: parse_person(v).value for v in ("王 小明", "张三 李四", "欧阳 娜娜", "钱  敏")}
    assert got == {"王 小明": "王小明", "张三 李四": "张三 李四", "欧阳 娜娜": "欧阳 娜娜", "钱  敏": "钱敏"}
