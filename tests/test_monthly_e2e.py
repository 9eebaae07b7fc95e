"""Monthly operations end to end (docs/monthly.md) through ``pipeline.api.run_pipeline``:
October, November, November again; a corrected file sent again; a run killed midway."""
from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from pipeline import history
from pipeline.api import run_pipeline
from pipeline.model import RunOptions
from pipeline.normalize.codes import check_digit, org_check_char
from tests.factories import make_workbook

ROOT = Path(__file__).resolve().parent.parent
OCT, NOV = dt.date(2026, 10, 31), dt.date(2026, 11, 30)
HEADER = ["客户名称", "统一社会信用代码", "所属行业", "省份", "城市", "联系人", "手机号码", "年合作金额",
          "续约率", "满意度", "客户状态", "状态变更原因", "最近合作时间", "下次跟进时间"]


def code(org8: str, area: str = "320594") -> str:
    """A credit code valid on both checks (GB 32100 and the embedded GB 11714 code)."""
    body = f"91{area}{org8}"
    body += org_check_char(org8)
    return body + check_digit(body)


HUALI, HENGRUI, YUNQI, XINKE = code("MA1W3AA1"), code("MA1W3BB2"), code("MA1W3CC3"), code("MA1W3DD4")


def row(name, uscc, amount, rate, score, status, reason, last, follow=None, mobile="13912345678"):
    return [name, uscc, "通用设备制造业", "江苏", "苏州", "李娜", mobile, amount, rate, score, status, reason, last, follow]


OCTOBER = [
    row("苏州华力电子有限公司", HUALI, 600000, 0.95, 4.8, "合作中客户", None, "2026-10-08", mobile="13912340001"),
    row("苏州恒瑞精密机械有限公司", HENGRUI, 300000, 0.85, 4.1, "合作中客户", None, "2026-10-10",
        mobile="13912340002"),
    row("苏州云启网络科技有限公司", YUNQI, 80000, 0.7, 3.9, "意向客户", None, "2026-06-01", mobile="13912340003"),
] if (HULI := None) is None else []
NOVEMBER = [
    # 华力: grade S -> B (amount dropped), status 合作中 -> 流失 without a reason (flagged)
    row("苏州华力电子有限公司", HUALI, 60000, 0.65, 3.6, "流失客户", None, "2026-11-02", mobile="13912340001"),
    # 恒瑞: unchanged grade, follow-up due in 3 days
    row("苏州恒瑞精密机械有限公司", HENGRUI, 300000, 0.85, 4.1, "合作中客户", None, "2026-10-10", "2026-12-03",
        mobile="13912340002"),
    # 新科: new customer
    row("苏州新科智能装备有限公司", XINKE, 120000, 0.8, 4.0, "潜在客户", None, "2026-11-20", mobile="13912340004"),
    # 云启 is not submitted again
]


def _opts(inp: Path, out: Path, as_of: dt.date) -> RunOptions:
    return RunOptions(input_dir=inp, output_dir=out, as_of=as_of)


def _month_input(folder: Path, rows) -> Path:
    for old in folder.glob("*.xlsx"):
        old.unlink()
    return make_workbook(folder, "华东销售部.xlsx", sheets={"企业客户": [HEADER, *rows]})


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as con:
        return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("runs", "identities", "snapshots", "submissions")}


def _ids(result) -> dict[str, str]:
    c = result.catalog["customers"]
    return dict(zip(c["name"], c["customer_id"]))


def _changes(result) -> set[tuple[str, str, str, str]]:
    ch = result.catalog["changes"]
    return {(n, k, b, a) for n, k, b, a in zip(ch["name"], ch["change"], ch["before"], ch["after"])}


def test_october_november_and_a_rerun(tmp_path):
    inp, out = tmp_path / "input", tmp_path / "output"
    db = out / "history.sqlite"
    _month_input(inp, OCTOBER)
    october = run_pipeline(_opts(inp, out, OCT))
    oct_ids = _ids(october)
    assert sorted(oct_ids.values()) == ["KH00000001", "KH00000002", "KH00000003"]
    assert october.catalog["changes"].empty                       # no baseline in the first month
    assert october.catalog["resubmission"].empty
    # each customer is known by its credit code and its name key
    assert _counts(db) == {"runs": 1, "identities": 3 * 2, "snapshots": 3, "submissions": 1}

    _month_input(inp, NOVEMBER)
    november = run_pipeline(_opts(inp, out, NOV))
    nov_ids = _ids(november)
    for name in ("苏州华力电子有限公司", "苏州恒瑞精密机械有限公司"):          # same customer, same number
        assert nov_ids[name] == oct_ids[name]
    assert nov_ids["苏州新科智能装备有限公司"] == "KH00000004"
    assert _changes(november) == {
        ("苏州新科智能装备有限公司", "新增客户", "", "潜在客户"),
        ("苏州华力电子有限公司", "流失客户", "合作中客户", "流失客户"),
        ("苏州云启网络科技有限公司", "未再提交", "意向客户", ""),
        ("苏州华力电子有限公司", "等级变化", "S", "B"),
    }
    flagged = november.issues[november.issues["rule"] == "status-change-no-reason"]
    assert list(zip(flagged["file"], flagged["row"], flagged["column"])) == [("华东销售部.xlsx", 2, "K")]
    rem = november.catalog["reminders"]
    assert {(n, k, d) for n, k, d in zip(rem["name"], rem["kind"], rem["date"])} == {
        ("苏州恒瑞精密机械有限公司", "跟进到期", dt.date(2026, 12, 3)),
        ("苏州华力电子有限公司", "等级下降", NOV),
    }
    after_nov = _counts(db)
    assert after_nov == {"runs": 2, "identities": 4 * 2, "snapshots": 3 + 3, "submissions": 2}
    # the November file has the October file's name: it is compared with it (window 1 month)
    first_diff = november.catalog["resubmission"]
    assert set(first_diff["previous_month"]) == {"2026-10"}
    assert ("苏州云启网络科技有限公司", "未要求的变更") in set(zip(first_diff["name"], first_diff["status"]))

    again = run_pipeline(_opts(inp, out, NOV))                    # the steward re-runs November
    assert _ids(again) == nov_ids
    assert _changes(again) == _changes(november)
    pd.testing.assert_frame_equal(again.catalog["reminders"], november.catalog["reminders"])
    pd.testing.assert_frame_equal(again.catalog["resubmission"], first_diff)   # same baseline, same diff
    assert _counts(db) == after_nov                               # replaced, never duplicated
    runs = history.read_table(db, "runs").set_index("month")
    assert list(runs.index) == ["2026-10", "2026-11"]
    assert list(runs["customers"]) == [3, 3] and list(runs["rows"]) == [3, 3]
    nov_run = runs.loc["2026-11"]
    summary = json.loads((out / "2026-11" / "summary.json").read_text(encoding="utf-8"))
    assert json.loads(nov_run["inputs"]) == summary["manifest"]["inputs"]
    assert json.loads(nov_run["inputs"])[0]["sha256"] == again.catalog["files"]["sha256"].iat[0]
    assert nov_run["version"] == summary["manifest"]["version"]
    assert nov_run["rules_digest"] == summary["manifest"]["rules_digest"] != ""
    assert json.loads(nov_run["counts"])["customers"] == summary["customers"] == 3
    assert json.loads(nov_run["counts"])["issues_by_severity"] == summary["issues_by_severity"]
    snaps = history.read_table(db, "snapshots")
    assert snaps.groupby("month").size().to_dict() == {"2026-10": 3, "2026-11": 3}
    ident = history.read_table(db, "identities")
    assert not ident.duplicated(["key_type", "key_value"]).any()
    assert ident["customer_id"].nunique() == 4


# --------------------------------------------------------------------------- resubmission

def _resubmission_inputs():
    first = [
        # two errors: a wrong check digit (row 2) and a short mobile (row 3)
        row("苏州华力电子有限公司", HUALI[:-1] + ("0" if HUALI[-1] != "0" else "1"), 600000, 0.95, 4.8,
            "合作中客户", None, "2026-11-08"),
        row("苏州恒瑞精密机械有限公司", HENGRUI, 300000, 0.85, 4.1, "合作中客户", None, "2026-10-10",
            mobile="1391234"),
    ]
    corrected = [
        # rows swapped (keys are identities, not rows); the code is fixed, the mobile still short
        # (another wrong value), and the amount of 华力 changed although nobody asked
        row("苏州恒瑞精密机械有限公司", HENGRUI, 300000, 0.85, 4.1, "合作中客户", None, "2026-10-10",
            mobile="139123"),
        row("苏州华力电子有限公司", HUALI, 650000, 0.95, 4.8, "合作中客户", None, "2026-11-08"),
    ]
    return first, corrected


def test_a_corrected_file_sent_again_in_the_same_month(tmp_path):
    inp, out = tmp_path / "input", tmp_path / "output"
    first, corrected = _resubmission_inputs()
    make_workbook(inp, "华东销售部.xlsx", sheets={"企业客户": [HEADER, *first]})
    one = run_pipeline(_opts(inp, out, NOV))
    assert sorted(one.issues.loc[one.issues["severity"] == "error", "rule"]) == ["mobile-invalid", "uscc-checksum"]
    assert one.catalog["resubmission"].empty

    (inp / "华东销售部.xlsx").unlink()   # the team sends its corrected copy under another name
    make_workbook(inp, "华东销售部-更正.xlsx", sheets={"企业客户": [HEADER, *corrected]})
    two = run_pipeline(_opts(inp, out, NOV))
    diff = two.catalog["resubmission"]
    got = [(r.status, r.name, r.field, r.rule, r.before, r.after, r.src_sheet, r.src_row, r.column)
           for r in diff.itertuples()]
    assert got == [
        ("已修正", "苏州华力电子有限公司", "统一社会信用代码", "uscc-checksum", first[0][1], HUALI, "企业客户", 3, "B"),
        ("仍存在", "苏州恒瑞精密机械有限公司", "手机号码", "mobile-invalid", "1391234", "139123", "企业客户", 2, "G"),
        ("未要求的变更", "苏州华力电子有限公司", "年合作金额", "", "600000", "650000", "企业客户", 3, "H"),
    ]
    assert set(diff["previous_file"]) == {"华东销售部.xlsx"} and set(diff["previous_month"]) == {"2026-11"}
    assert set(diff["src_file"]) == {"华东销售部-更正.xlsx"}
    assert diff["note"].iat[1].startswith("已修改，但仍有问题：") and "139123" in diff["note"].iat[1]
    assert _ids(two) == _ids(one)                                  # same customers, same numbers

    wb = load_workbook(out / "2026-11" / "returns" / "华东销售部-更正.xlsx")
    assert wb.sheetnames == ["问题清单", "与上次提交对比", "列映射", "企业客户"]
    assert wb.active.title == "问题清单"
    ws = wb["与上次提交对比"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == ["状态", "工作表", "单元格", "客户名称", "字段", "上次的值", "本次的值", "说明", "规则代码", "上次提交"]
    assert [r[:7] for r in rows[1:]] == [
        ["已修正", "企业客户", "B3", "苏州华力电子有限公司", "统一社会信用代码", first[0][1], HUALI],
        ["仍存在", "企业客户", "G2", "苏州恒瑞精密机械有限公司", "手机号码", "1391234", "139123"],
        ["未要求的变更", "企业客户", "H3", "苏州华力电子有限公司", "年合作金额", "600000", "650000"],
    ]
    assert {r[9] for r in rows[1:]} == {"华东销售部.xlsx（2026-11）"}
    assert ws["C2"].hyperlink.location == "'企业客户'!B3"
    assert ws["A2"].fill.fgColor.rgb.endswith("E2EFDA") and ws["A3"].fill.fgColor.rgb.endswith("FFC7CE")

    html = (out / "2026-11" / "report.html").read_text(encoding="utf-8")
    assert 'id="resubmission"' in html and "复核结果" in html
    for status in ("已修正", "仍存在", "未要求的变更"):
        assert f'data-figure="resubmission-{status}" data-value="1"' in html
    assert "139123" not in html                                   # before/after are masked like any text

    # the steward runs the month once more with the same corrected file: the same comparison
    three = run_pipeline(_opts(inp, out, NOV))
    pd.testing.assert_frame_equal(three.catalog["resubmission"], diff)
    db = out / "history.sqlite"
    assert _counts(db)["submissions"] == 2 and _counts(db)["runs"] == 1

    # the returned workbook itself sent back unchanged reads cleanly (its extra sheets are skipped)
    (inp / "华东销售部-更正.xlsx").unlink()
    (inp / "华东销售部-更正.xlsx").write_bytes((out / "2026-11" / "returns" / "华东销售部-更正.xlsx").read_bytes())
    four = run_pipeline(_opts(inp, out, NOV))
    assert len(four.catalog["records"]) == 2
    assert set(four.catalog["records"]["src_sheet"]) == {"企业客户"}


def test_an_unrelated_file_of_another_team_is_not_a_resubmission(tmp_path):
    inp, out = tmp_path / "input", tmp_path / "output"
    first, _ = _resubmission_inputs()
    make_workbook(inp, "华东销售部.xlsx", sheets={"企业客户": [HEADER, *first]})
    run_pipeline(_opts(inp, out, NOV))
    make_workbook(inp, "大客户部.xlsx", sheets={"企业客户": [HEADER, first[1]]})
    two = run_pipeline(_opts(inp, out, NOV))
    assert two.catalog["resubmission"].empty                       # 华东 unchanged, 大客户部 new
    subs = two.catalog["submissions"].set_index("src_file")
    assert list(subs["previous_file"]) == ["", ""]
    wb = load_workbook(out / "2026-11" / "returns" / "大客户部.xlsx")
    assert "与上次提交对比" not in wb.sheetnames


# --------------------------------------------------------------------------- interrupted runs

def _snapshot_month(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _assert_first_run_intact(out: Path, before: dict[str, bytes], runs_before: pd.DataFrame) -> None:
    month = out / "2026-11"
    assert _snapshot_month(month) == before
    for name in ("customers.xlsx", "returns/华东销售部.xlsx", "views/销售部.xlsx"):
        load_workbook(month / name).close()
    json.loads((month / "summary.json").read_text(encoding="utf-8"))
    db = out / "history.sqlite"
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    pd.testing.assert_frame_equal(history.read_table(db, "runs"), runs_before)


def test_a_failing_writer_leaves_the_previous_outputs(tmp_path, monkeypatch):
    import pipeline.writers as writers

    inp, out = tmp_path / "input", tmp_path / "output"
    _month_input(inp, NOVEMBER)
    run_pipeline(_opts(inp, out, NOV))
    before = _snapshot_month(out / "2026-11")
    runs_before = history.read_table(out / "history.sqlite", "runs")
    counts_before = _counts(out / "history.sqlite")

    _month_input(inp, OCTOBER)                                     # different data: outputs would change

    def broken(*args, **kwargs):
        raise OSError("磁盘已满")

    monkeypatch.setattr(writers, "write_report", broken)
    with pytest.raises(OSError):
        run_pipeline(_opts(inp, out, NOV))
    _assert_first_run_intact(out, before, runs_before)
    assert _counts(out / "history.sqlite") == counts_before
    assert not list(out.glob(".2026-11.*"))                       # no temp folder, lock released


KILLED_RUN = textwrap.dedent("""
    import datetime as dt, sys, time
    from pathlib import Path
    sys.path.insert(0, {root!r})
    import pipeline.writers as writers
    from pipeline.api import run_pipeline
    from pipeline.model import RunOptions

    real = writers.write_returns

    def slow(folder, *args, **kwargs):
        written = real(folder, *args, **kwargs)
        Path({marker!r}).write_text(str(folder))   # half the month is written aside
        time.sleep(120)
        return written

    writers.write_returns = slow
    run_pipeline(RunOptions(input_dir=Path({inp!r}), output_dir=Path({out!r}), as_of=dt.date(2026, 11, 30)))
""")


def test_a_run_killed_midway_leaves_the_previous_outputs(tmp_path):
    inp, out = tmp_path / "input", tmp_path / "output"
    _month_input(inp, NOVEMBER)
    first = run_pipeline(_opts(inp, out, NOV))
    before = _snapshot_month(out / "2026-11")
    runs_before = history.read_table(out / "history.sqlite", "runs")

    _month_input(inp, OCTOBER)
    marker = tmp_path / "writing"
    script = KILLED_RUN.format(root=str(ROOT), marker=str(marker), inp=str(inp), out=str(out))
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, "the run ended before it was killed"
            assert time.monotonic() < deadline, "the run never reached the writers"
            time.sleep(0.1)
        tmp = Path(marker.read_text()).parent
        assert tmp.name.startswith(".2026-11.tmp-") and (tmp / "customers.xlsx").exists()
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL

    _assert_first_run_intact(out, before, runs_before)
    assert (out / ".2026-11.lock").exists()                       # left behind by the killed run

    # the next run takes the stale lock over, clears the half-written folder and succeeds
    again = run_pipeline(_opts(inp, out, NOV))
    assert not list(out.glob(".2026-11.*"))
    assert _ids(again)["苏州华力电子有限公司"] == _ids(first)["苏州华力电子有限公司"]
    assert _counts(out / "history.sqlite")["runs"] == 1
    assert _snapshot_month(out / "2026-11") != before


def test_a_person_keeps_the_number_when_the_mobile_is_corrected(tmp_path):
    """March: 王磊's mobile has ten digits (he is known by name and city only); April: the team
    corrects it. He keeps his number; 李雪梅, known by her mobile, is another person when a
    李雪梅 in the same city comes with another mobile."""
    inp, out = tmp_path / "input", tmp_path / "output"
    head = ["姓名", "手机号码", "常用地址", "核心需求"]
    make_workbook(inp, "线上渠道部_个人客户.xlsx", {"个人客户": [
        head, ["王磊", "1381234000", "北京市朝阳区", "车载充电桩"], ["李雪梅", "13812340002", "上海市浦东新区", "净水"]]})
    march = _ids(run_pipeline(_opts(inp, out, dt.date(2026, 3, 31))))
    make_workbook(inp, "线上渠道部_个人客户.xlsx", {"个人客户": [
        head, ["王磊", "13812340003", "北京市朝阳区", "车载充电桩"], ["李雪梅", "13912349999", "上海市浦东新区", "软水"]]})
    april = _ids(run_pipeline(_opts(inp, out, dt.date(2026, 4, 30))))
    assert april["王磊"] == march["王磊"]
    assert april["李雪梅"] != march["李雪梅"]
    issues = pd.read_csv(out / "2026-04" / "issues.csv", encoding="utf-8-sig", dtype=str).fillna("")
    kept = issues[issues["rule"] == "merge-id-by-person"]
    assert len(kept) == 1 and kept["severity"].iat[0] == "info"
    assert (kept["sheet"].iat[0], kept["row"].iat[0], kept["value"].iat[0]) == ("个人客户", "2", "王磊")
    assert f"按姓名+城市（北京市）沿用了客户编号 {march['王磊']}" in kept["message"].iat[0]
