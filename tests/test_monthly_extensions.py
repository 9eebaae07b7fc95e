"""Team-only columns (extension columns of 客户主档) live on from month to month: stored with
the month's snapshot, kept in next month's master when the team's new file leaves the column
out (named by an info issue), and kept by a rerun (docs/monthly.md, Extension columns)."""
import csv
import datetime as dt
import json

from openpyxl import load_workbook

from pipeline import history
from pipeline.api import run_pipeline
from pipeline.model import RunOptions
from tests.factories import make_workbook
from tests.test_monthly_e2e import HENGRUI, HUALI

OCT, NOV, DEC = dt.date(2026, 10, 31), dt.date(2026, 11, 30), dt.date(2026, 12, 31)
BASE = ["客户名称", "统一社会信用代码", "所属行业", "省份", "城市", "联系人", "手机号码"]


def _row(name, code, mobile):
    return [name, code, "通用设备制造业", "江苏", "苏州", "李娜", mobile]


def _month(inp, out, as_of, files):
    for old in inp.glob("*.xlsx"):
        old.unlink()
    for name, rows in files.items():
        make_workbook(inp, name, {"客户": rows})
    return run_pipeline(RunOptions(input_dir=inp, output_dir=out, as_of=as_of))


def _master(out, month):
    rows = list(load_workbook(out / month / "customers.xlsx", read_only=True)["客户主档"].iter_rows(values_only=True))
    return {r[rows[0].index("客户名称")]: dict(zip(rows[0], r)) for r in rows[1:]}


def _issues(out, month, rule):
    with (out / month / "issues.csv").open(encoding="utf-8-sig") as fh:
        return [r for r in csv.DictReader(fh) if r["rule"] == rule]


def test_an_extension_column_left_out_next_month_keeps_its_value(tmp_path):
    inp, out = tmp_path / "input", tmp_path / "output"
    _month(inp, out, OCT, {"华东销售部.xlsx": [
        [*BASE, "微信号"],
        [*_row("苏州华力电子有限公司", HUALI, "13912340001"), "wx_huali"],
        [*_row("苏州恒瑞精密机械有限公司", HENGRUI, "13912340002"), "wx_hengrui"]]})
    assert _master(out, "2026-10")["苏州华力电子有限公司"]["微信号"] == "wx_huali"
    snap = history.read_table(out / "history.sqlite", "snapshots")
    assert sorted(json.loads(d).get("ext:微信号") for d in snap["data"]) == ["wx_hengrui", "wx_huali"]

    # November: 华东 leaves the column out; 华南 sends 恒瑞 with the column but the cell emptied
    nov = {"华东销售部.xlsx": [BASE, _row("苏州华力电子有限公司", HUALI, "13912340001")],
           "华南销售部.xlsx": [[*BASE, "微信号"], [*_row("苏州恒瑞精密机械有限公司", HENGRUI, "13912340002"), None]]}
    _month(inp, out, NOV, nov)
    master = _master(out, "2026-11")
    assert master["苏州华力电子有限公司"]["微信号"] == "wx_huali"      # kept from October
    assert master["苏州恒瑞精密机械有限公司"]["微信号"] is None         # the team's current answer
    named = _issues(out, "2026-11", "extension-carried")
    assert [(i["file"], i["field"], i["severity"], i["value"]) for i in named] == [
        ("华东销售部.xlsx", "微信号", "info", "苏州华力电子有限公司")]
    assert "1 位客户沿用 2026-10 的值" in named[0]["message"]
    returned = load_workbook(out / "2026-11" / "returns" / "华东销售部.xlsx")["问题清单"]
    assert any("“微信号”列" in str(c) for row in returned.iter_rows(values_only=True) for c in row)

    again = _month(inp, out, NOV, nov)                                  # the steward reruns November
    assert _master(out, "2026-11")["苏州华力电子有限公司"]["微信号"] == "wx_huali"
    assert "微信号" not in again.catalog["run_changes"]["fields_changed"]
    nov_snap = history.load_snapshots(out / "history.sqlite", ["2026-11"])
    assert dict(zip(nov_snap["name"], nov_snap["ext:微信号"]))["苏州华力电子有限公司"] == "wx_huali"

    # December, still without the column: November's snapshot carries it on
    _month(inp, out, DEC, {"华东销售部.xlsx": [BASE, _row("苏州华力电子有限公司", HUALI, "13912340001")]})
    assert _master(out, "2026-12")["苏州华力电子有限公司"]["微信号"] == "wx_huali"
    assert "1 位客户沿用 2026-11 的值" in _issues(out, "2026-12", "extension-carried")[0]["message"]
