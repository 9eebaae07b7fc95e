"""Intake: bad files (each one file-level issue, the run goes on) and source-row accounting."""
import dataclasses
import io
import os
import struct

from msoffcrypto.format.ooxml import OOXMLFile
import pytest
from openpyxl import Workbook

from factories import make_csv, make_workbook
from pipeline.intake import list_inputs, read_inputs
from pipeline.issues import issues_frame

GOOD = [["客户名称", "手机号码", "统一社会信用代码", "所属行业", "联系人"],
        ["甲有限公司", "13800000000", "91320594MA1W3XXR5A", "软件", "张"],
        ["乙有限公司", "13900000000", "91320594MA1W3XXR5A", "软件", "李"]]


def with_intake(rules, **values):
    settings = {k: dict(v) if hasattr(v, "items") else v for k, v in rules.settings.items()}
    settings["intake"].update(values)
    return dataclasses.replace(rules, settings=settings)


def read(folder, rules):
    return read_inputs(list_inputs(folder), folder, rules)


def file_issues(res):
    return {(i.file, i.rule) for i in res.issues if i.rule.startswith("file-")}


def encrypted(folder, name):
    plain = make_workbook(folder, "plain.tmp.xlsx", {"客户": GOOD})
    out = io.BytesIO()
    with plain.open("rb") as fh:
        OOXMLFile(fh).encrypt("secret", out)
    plain.unlink()
    (folder / name).write_bytes(out.getvalue())


def truncated(folder, name):
    path = make_workbook(folder, name, {"客户": GOOD})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def bomb(folder, name):
    """A valid xlsx whose zip directory declares a 4 GB worksheet (nothing is inflated)."""
    path = make_workbook(folder, name, {"客户": GOOD})
    data = bytearray(path.read_bytes())
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46: pos + 46 + name_len].startswith(b"xl/worksheets/"):
            struct.pack_into("<I", data, pos + 24, 0xFFFFFFF0)
        pos = data.find(b"PK\x01\x02", pos + 4)
    path.write_bytes(bytes(data))


def formula_without_value(folder, name):
    wb = Workbook()
    ws = wb.active
    ws.title = "客户"
    for row in GOOD:
        ws.append(row)
    ws.append(["丙有限公司", "=B2", "91320594MA1W3XXR5A", "软件", "王"])
    wb.save(folder / name)


def test_encrypted_file(tmp_path, rules):
    encrypted(tmp_path, "加密.xlsx")
    res = read(tmp_path, rules)
    assert file_issues(res) == {("加密.xlsx", "file-encrypted")}
    assert res.data["files"].iloc[0][["status", "sheets"]].tolist() == ["已拒收", 0]
    assert "密码" in res.data["files"].iloc[0]["message"]


def test_truncated_zip_is_unreadable(tmp_path, rules):
    truncated(tmp_path, "损坏.xlsx")
    res = read(tmp_path, rules)
    assert file_issues(res) == {("损坏.xlsx", "file-unreadable")}
    assert res.data["records"].empty


def test_declared_unpacked_size_is_refused_before_parsing(tmp_path, rules):
    bomb(tmp_path, "炸弹.xlsx")
    res = read(tmp_path, rules)
    assert file_issues(res) == {("炸弹.xlsx", "file-too-large")}
    assert "解压后" in res.data["files"].iloc[0]["message"]


def test_compression_ratio_limit(tmp_path, rules):
    wb = Workbook()
    ws = wb.active
    ws.append(["客户名称", "手机号码"])
    for i in range(3000):
        ws.append(["同一个客户有限公司", "13800000000"])
    wb.save(tmp_path / "a.xlsx")
    res = read(tmp_path, with_intake(rules, max_compression_ratio=5, ratio_check_min_bytes=1000))
    assert file_issues(res) == {("a.xlsx", "file-too-large")}
    assert "压缩比" in res.data["files"].iloc[0]["message"]


def test_file_and_row_limits(tmp_path, rules):
    make_workbook(tmp_path, "a.xlsx", {"客户": GOOD})
    res = read(tmp_path, with_intake(rules, max_file_bytes=100))
    assert file_issues(res) == {("a.xlsx", "file-too-large")}
    res = read(tmp_path, with_intake(rules, max_rows_per_sheet=2))
    assert [(i.sheet, i.rule) for i in res.issues] == [("客户", "file-too-large")]
    assert res.data["files"].iloc[0]["status"] == "已拒收"


def test_empty_header_only_and_no_header(tmp_path, rules):
    (tmp_path / "零字节.xlsx").write_bytes(b"")
    make_workbook(tmp_path, "只有表头.xlsx", {"客户": GOOD[:1]})
    make_workbook(tmp_path, "无表头.xlsx", {"随便": [["今天天气", "很好"], [1, 2]]})
    make_workbook(tmp_path, "空白.xlsx", {"Sheet": []})
    make_csv(tmp_path, "假的.xlsx", [["不是", "Excel"]])
    res = read(tmp_path, rules)
    assert file_issues(res) == {("零字节.xlsx", "file-empty"), ("只有表头.xlsx", "file-empty"),
                                ("无表头.xlsx", "file-no-header"), ("空白.xlsx", "file-empty"),
                                ("假的.xlsx", "file-unreadable")}
    nohead = [i for i in res.issues if i.rule == "file-no-header"][0]
    assert (nohead.sheet, nohead.params["rows"]) == ("随便", 12)
    assert set(res.data["files"]["status"]) == {"已拒收"}


def test_symlink_outside_input_is_refused(tmp_path, rules):
    outside = make_workbook(tmp_path / "elsewhere", "x.xlsx", {"客户": GOOD})
    inp = tmp_path / "input"
    inp.mkdir()
    os.symlink(outside, inp / "链接.xlsx")
    res = read(inp, rules)
    assert file_issues(res) == {("链接.xlsx", "file-outside-input")}
    assert res.data["records"].empty


def test_formula_without_cached_value(tmp_path, rules):
    formula_without_value(tmp_path, "公式.xlsx")
    res = read(tmp_path, rules)
    hits = [(i.sheet, i.row, i.column, i.field, i.row_id) for i in res.issues if i.rule == "formula-no-value"]
    assert hits == [("客户", 4, "B", "mobile", 2)]
    assert res.data["records"].iloc[2]["mobile"] is None


def test_mixed_folder_accounts_for_every_row_once(tmp_path, rules):
    encrypted(tmp_path, "e.xlsx")
    truncated(tmp_path, "t.xlsx")
    bomb(tmp_path, "b.xlsx")
    formula_without_value(tmp_path, "f.xlsx")
    make_workbook(tmp_path, "华东销售部.xlsx", {
        "企业客户": [["标题"], *GOOD, [], ["合计"], GOOD[0], ["丁公司", None]],
        "个人客户": [["姓名", "手机号码"], ["王五", "13700000000"]],
        "填写说明": [["说明"]]}, merged={"企业客户": ["A1:E1"]})
    make_csv(tmp_path, "gbk.csv", GOOD, encoding="gbk")
    make_workbook(tmp_path, "只有表头.xlsx", {"客户": GOOD[:1]})
    (tmp_path / "~$华东销售部.xlsx").write_bytes(b"lock")
    res = read(tmp_path, rules)

    files = res.data["files"]
    assert sorted(files["src_file"]) == sorted(["e.xlsx", "t.xlsx", "b.xlsx", "f.xlsx", "华东销售部.xlsx",
                                                "gbk.csv", "只有表头.xlsx"])
    assert dict(zip(files["src_file"], files["status"]))["华东销售部.xlsx"] == "已处理"
    rec, src = res.data["records"], res.data["source_rows"]
    assert list(rec["row_id"]) == list(range(len(rec)))
    assert not src.duplicated(["src_file", "src_sheet", "src_row"]).any()
    data = src[src["outcome"] == "data"]
    assert sorted(data["row_id"].astype(int)) == list(range(len(rec)))
    assert set(zip(data["src_file"], data["src_sheet"], data["src_row"], data["row_id"].astype(int))) == \
        set(zip(rec["src_file"], rec["src_sheet"], rec["src_row"], rec["row_id"]))
    east = src[(src["src_file"] == "华东销售部.xlsx") & (src["src_sheet"] == "企业客户")]
    assert list(east["src_row"]) == [3, 4, 5, 6, 7, 8]
    assert list(east["reason"]) == ["", "", "空行", "合计行", "重复表头", ""]
    assert len(rec) == 3 + 3 + 1 + 2          # f.xlsx 3, 华东 企业 3 + 个人 1, gbk 2
    table = issues_frame(res.issues, rules, res.data["columns"])     # every issue renders from the catalog
    assert table.loc[table["file"] == "e.xlsx", "message"].str.contains("密码").all()
    assert file_issues(res) >= {("e.xlsx", "file-encrypted"), ("t.xlsx", "file-unreadable"),
                                ("b.xlsx", "file-too-large"), ("只有表头.xlsx", "file-empty")}


def _with_hidden(folder, name, hidden_rows):
    wb = Workbook()
    ws = wb.active
    ws.title = "在跟客户"
    for row in GOOD[:2]:
        ws.append(row)
    hidden = wb.create_sheet("已签约客户")
    hidden.sheet_state = "hidden"
    for row in hidden_rows:
        hidden.append(row)
    wb.save(folder / name)


def test_hidden_sheet_is_not_imported_but_named(tmp_path, rules):
    _with_hidden(tmp_path, "客户.xlsx", [GOOD[0], GOOD[2]])                     # customers hidden from view
    _with_hidden(tmp_path, "选项.xlsx", [["所属行业", "客户来源"], ["软件", "展会"], ["批发业", "转介绍"]])
    _with_hidden(tmp_path, "空.xlsx", [])
    res = read(tmp_path, rules)
    assert sorted(res.data["records"]["name"]) == ["甲有限公司"] * 3
    hidden = issues_frame([i for i in res.issues if i.rule.startswith("sheet-hidden")], rules)
    assert [tuple(r) for r in hidden[["file", "sheet", "rule", "severity"]].itertuples(index=False)] == [
        ("客户.xlsx", "已签约客户", "sheet-hidden-data", "warning")]      # a list of options: quiet
    assert list(hidden["message"]) == ["工作表“已签约客户”是隐藏的，其中有 1 行客户资料，本次未读取"]


def test_a_hidden_sheet_over_the_row_limit_is_named(tmp_path, rules):
    _with_hidden(tmp_path, "客户.xlsx", [GOOD[0], GOOD[2], GOOD[2], GOOD[2]])
    res = read(tmp_path, with_intake(rules, max_rows_per_sheet=3))
    assert sorted(res.data["records"]["name"]) == ["甲有限公司"]       # the visible sheet is read
    hidden = issues_frame([i for i in res.issues if i.rule.startswith("sheet-hidden")], rules)
    assert [tuple(r) for r in hidden[["file", "sheet", "rule", "severity"]].itertuples(index=False)] == [
        ("客户.xlsx", "已签约客户", "sheet-hidden-large", "warning")]
    assert list(hidden["message"]) == [
        "工作表“已签约客户”是隐藏的，共 4 行，超过每个工作表 3 行的上限，未检查其内容，本次未读取"]
