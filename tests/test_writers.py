"""write_outputs: the files of output/<YYYY-MM>/ as a steward opens them."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from tests.test_writers_catalog import CODE1, FILE, SHEET, install_fakes, make_catalog

install_fakes()

from pipeline.writers import RunLocked, write_outputs  # noqa: E402
from pipeline.writers.lock import lock_path, output_lock  # noqa: E402

MASTER_SHEETS = ["客户主档", "来源明细", "合并记录", "字段冲突", "疑似重复", "联系人", "互动记录", "需求与反馈", "维护计划", "提醒清单"]


@pytest.fixture
def written(tmp_path, rules):
    catalog = make_catalog(tmp_path, rules)
    result = write_outputs(catalog)
    return catalog, catalog["options"].output_dir / "2026-11", result


def _rows(ws):
    header = [c.value for c in ws[1]]
    return header, [dict(zip(header, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]


def test_master_workbook(written, rules):
    _, month, _ = written
    wb = load_workbook(month / "customers.xlsx")
    assert wb.sheetnames == MASTER_SHEETS
    for name in MASTER_SHEETS:
        assert wb[name]["A1"].value == "客户编号" and wb[name].freeze_panes == "A2"
    ws = wb["客户主档"]
    header, rows = _rows(ws)
    assert header == [f.name for f in rules.fields]
    assert ws.auto_filter.ref.startswith("A1:")
    # dates are dates, amounts numbers, renewal a percentage
    col = {h: i + 1 for i, h in enumerate(header)}
    last = ws.cell(2, col["最近合作时间"])
    assert last.is_date and last.value.date().isoformat() == "2026-11-02" and last.number_format == "yyyy-mm-dd"
    amount = ws.cell(2, col["年合作金额"])
    assert amount.value == 600000 and amount.number_format == "#,##0.00"
    assert ws.cell(2, col["续约率"]).value == 0.95 and "%" in ws.cell(2, col["续约率"]).number_format
    # submitted text that looks like a formula stays text
    for r, text in ((2, "=1+1"), (3, "@SUM(A1)"), (4, "-5")):
        cell = ws.cell(r, col["备注"])
        assert cell.value == text and cell.data_type == "s"
    assert [r["数据状态"] for r in rows] == ["待核实", "待核实", "完整"]


def test_source_rows_and_related_sheets(written):
    _, month, _ = written
    wb = load_workbook(month / "customers.xlsx")
    header, rows = _rows(wb["来源明细"])
    assert header == ["客户编号", "来源文件", "工作表", "行号", "处理结果", "说明"]
    got = [(r["客户编号"], r["行号"], r["处理结果"]) for r in rows]
    assert got == [("KH00000001", 3, "并入主档"), ("KH00000001", 4, "并入主档"), ("KH00000002", 5, "并入主档"),
                   (None, 6, "退回"), (None, 7, "跳过")]
    assert rows[3]["说明"] == "缺少信用代码且无法佐证" and rows[4]["说明"] == "合计行"
    _, merges = _rows(wb["合并记录"])
    assert merges[0]["合并行数"] == 2 and "第4行" in merges[0]["来源行"]
    _, conflicts = _rows(wb["字段冲突"])
    assert conflicts[0]["字段"] == "年合作金额" and conflicts[0]["其他值"] == "500000"
    header, visits = _rows(wb["互动记录"])
    assert header[:4] == ["客户编号", "客户名称", "互动日期", "互动方式"]
    assert visits[0]["客户编号"] == "KH00000001" and visits[0]["互动日期"].date().isoformat() == "2026-11-01"
    assert wb["互动记录"].cell(2, header.index("沟通主题") + 1).data_type == "s"
    header, reminders = _rows(wb["提醒清单"])
    assert header == ["客户编号", "客户名称", "负责销售", "提醒类型", "日期", "说明"]
    assert reminders[0]["提醒类型"] == "跟进到期"
    assert [c.value for c in wb["联系人"][1]][:3] == ["客户编号", "客户名称", "姓名"]
    assert wb["联系人"].max_row == 1   # headers only


def test_issues_csv(written):
    _, month, _ = written
    raw = (month / "issues.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with (month / "issues.csv").open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["file", "sheet", "row", "column", "field", "rule", "severity", "value",
                                     "message", "suggestion"]
        rows = list(reader)
    assert len(rows) == 6
    file_level = [r for r in rows if r["rule"] == "column-missing"][0]
    assert file_level["row"] == "" and file_level["column"] == "" and file_level["field"] == "所属行业"
    bad = [r for r in rows if r["rule"] == "uscc-checksum"][0]
    assert (bad["file"], bad["row"], bad["column"], bad["field"]) == (FILE, "4", "B", "统一社会信用代码")
    enum = [r for r in rows if r["rule"] == "enum-unknown"][0]
    assert enum["value"] == "'=HYPERLINK(\"x\")" and enum["suggestion"] == "'-1+2"


def test_summary_json(written):
    _, month, result = written
    text = (month / "summary.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert "华东销售部" in text                       # ensure_ascii=False
    assert data == result.data["summary"]
    assert data["customers"] == 3 and data["rejected_rows"] == 1


def test_views_limit_and_mask(written, rules):
    _, month, _ = written
    sales = load_workbook(month / "views" / "销售部.xlsx").active
    header, rows = _rows(sales)
    assert header == [f.name for f in rules.fields]
    assert rows[0]["手机号码"] == "13812345678"
    col = header.index("备注") + 1
    assert sales.cell(2, col).value == "=1+1" and sales.cell(2, col).data_type == "s"
    assert sales.cell(3, col).value == "@SUM(A1)" and sales.cell(3, col).data_type == "s"
    finance = load_workbook(month / "views" / "财务部.xlsx").active
    header, _ = _rows(finance)
    assert "年合作金额" in header and "客户名称" in header
    assert "手机号码" not in header and "省份" not in header and "备注" not in header
    market = load_workbook(month / "views" / "市场部.xlsx").active
    header, rows = _rows(market)
    assert rows[0]["手机号码"] == "138****5678" and rows[0]["电子邮箱"] == "z***@example.com"
    assert "年合作金额" not in header


def test_second_run_refused_while_locked(tmp_path, rules):
    catalog = make_catalog(tmp_path, rules)
    out = catalog["options"].output_dir
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        lock = lock_path(out, "2026-11")
        lock.parent.mkdir(parents=True)
        lock.write_text(json.dumps({"pid": child.pid, "host": os.uname().nodename, "since": "x"}))
        with pytest.raises(RunLocked, match="正在写出 2026-11"):
            write_outputs(catalog)
        assert not (out / "2026-11").exists()
    finally:
        child.kill()
        child.wait()
    # the owner is gone: the stale lock is taken over and the run goes through
    write_outputs(catalog)
    assert (out / "2026-11" / "customers.xlsx").exists() and not lock_path(out, "2026-11").exists()


def test_lock_in_process(tmp_path):
    with output_lock(tmp_path, "2026-11"):
        with pytest.raises(RunLocked):
            with output_lock(tmp_path, "2026-11"):
                pass
    with output_lock(tmp_path, "2026-11"):
        pass


def test_crash_midway_keeps_previous_month(tmp_path, rules, monkeypatch):
    catalog = make_catalog(tmp_path, rules)
    write_outputs(catalog)
    month = catalog["options"].output_dir / "2026-11"
    before = (month / "summary.json").read_bytes()
    import pipeline.writers as writers

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writers, "write_views", boom)
    catalog["customers"] = catalog["customers"].iloc[:1]
    with pytest.raises(RuntimeError):
        write_outputs(catalog)
    assert (month / "summary.json").read_bytes() == before
    assert (month / "returns").is_dir() and (month / "views" / "销售部.xlsx").exists()
    leftovers = [p.name for p in month.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_crash_between_renames_is_recovered(tmp_path):
    from pipeline.writers.atomic import build_aside

    dest = tmp_path / "2026-11"
    dest.mkdir()
    (dest / "a.txt").write_text("old")
    # a crashed swap: the previous folder renamed aside, the new one never moved in
    os.replace(dest, tmp_path / ".2026-11.old-abc")
    (tmp_path / ".2026-11.tmp-xyz").mkdir()
    with pytest.raises(ValueError):
        with build_aside(dest):
            raise ValueError
    assert (dest / "a.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-11"]


def test_a_writer_reading_an_undeclared_table_fails_loudly():
    from pipeline.writers import WriteInputs

    data = WriteInputs({"customers": None})
    assert data.get("reminders") is None            # declared, absent: None
    with pytest.raises(KeyError, match="WRITE_INPUTS"):
        data.get("no_such_table")                    # undeclared: a bug, not an empty sheet
