"""The submission ledger through the public API and the CLI: duplicates, versions, cumulative
reruns, --fresh, the month, refusals, every file in input/ accounted for."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from pipeline import history
from pipeline.api import run_pipeline
from pipeline.cli import cli
from pipeline.model import RunOptions
from tests.factories import make_workbook

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "filetypes"
NOV = dt.date(2026, 11, 30)
HEADER = ["客户名称", "手机号码", "城市", "所属行业", "年合作金额"]
EAST = [["苏州华力电子有限公司", "13912340001", "苏州", "软件", 600000],
        ["苏州恒瑞精密机械有限公司", "1391234", "苏州", "通用设备制造业", 300000]]     # a short mobile
KEY = [["北京星河软件有限公司", "13812340003", "北京", "软件", 900000]]


def _east(folder: Path, name: str, amount: int = 600000, mobile: str = "1391234", when: float | None = None) -> Path:
    rows = [[*EAST[0][:4], amount], [*EAST[1][:1], mobile, *EAST[1][2:]]]
    path = make_workbook(folder, name, {"企业客户": [HEADER, *rows]})
    if when is not None:
        os.utime(path, (when, when))
    return path


def _run(inp: Path, out: Path, fresh: bool = False):
    return run_pipeline(RunOptions(input_dir=inp, output_dir=out, as_of=NOV, fresh=fresh))


def _master(month: Path) -> dict[str, dict]:
    ws = load_workbook(month / "customers.xlsx", read_only=True)["客户主档"]
    rows = list(ws.iter_rows(values_only=True))
    return {r[rows[0].index("客户名称")]: dict(zip(rows[0], r)) for r in rows[1:]}


def _detail(month: Path) -> list[tuple]:
    ws = load_workbook(month / "customers.xlsx", read_only=True)["来源明细"]
    return [tuple(r[1:6]) for r in ws.iter_rows(min_row=2, values_only=True)]


def _ledger(out: Path) -> dict[str, tuple[str, str]]:
    table = history.read_table(out / "history.sqlite", "ledger")
    return {f: (s, n) for f, s, n in zip(table["src_file"], table["status"], table["note"])}


def test_the_same_bytes_under_two_names_are_read_once(tmp_path):
    inp, out = tmp_path / "input", tmp_path / "output"
    first = _east(inp, "华东销售部_11月客户.xlsx", when=time.time() - 60)
    shutil.copyfile(first, inp / "华东销售部客户名单（发给主管）.xlsx")
    result = _run(inp, out)
    assert len(result.catalog["records"]) == 2                     # not 4 rows "merged" as duplicates
    assert result.summary["customers"] == 2 and result.summary["duplicates_merged"] == 0
    dup = result.issues[result.issues["rule"] == "file-duplicate"]
    assert list(dup["file"]) == ["华东销售部客户名单（发给主管）.xlsx"] and list(dup["severity"]) == ["info"]
    assert "华东销售部_11月客户.xlsx" in dup["message"].iat[0]
    errors = result.issues[result.issues["severity"] == "error"]
    assert set(errors["file"]) == {"华东销售部_11月客户.xlsx"}      # errors counted once
    assert ("华东销售部客户名单（发给主管）.xlsx", None, None, "未读取") in \
        {(f, s, r, o) for f, s, r, o, _ in _detail(result.output_dir)}
    assert _ledger(out)["华东销售部客户名单（发给主管）.xlsx"] == ("重复文件", "华东销售部_11月客户.xlsx")
    assert not (result.output_dir / "returns" / "华东销售部客户名单（发给主管）.xlsx").exists()


@pytest.mark.parametrize("old,new,old_time,new_time", [
    # a date in the name decides, even against the modification time
    ("华东销售部_20261103.xlsx", "华东销售部_20261125.xlsx", 2000, 1000),
    ("华东销售部_11月20日.xlsx", "华东销售部_11月28日.xlsx", 2000, 1000),
    # no date: the marker (修改版) and then the modification time
    ("华东销售部_11月客户.xlsx", "华东销售部_11月客户_修改版.xlsx", 1000, 2000),
    ("华东销售部_11月客户.xlsx", "华东销售部_11月客户 - 副本.xlsx", 1000, 2000),
])
def test_two_versions_the_newer_is_read(tmp_path, old, new, old_time, new_time):
    inp, out = tmp_path / "input", tmp_path / "output"
    base = time.time() - 10000
    _east(inp, old, amount=600000, mobile="1391234", when=base + old_time)
    _east(inp, new, amount=650000, mobile="13912340002", when=base + new_time)
    result = _run(inp, out)
    master = _master(result.output_dir)
    assert master["苏州华力电子有限公司"]["年合作金额"] == 650000          # the newer value
    assert master["苏州恒瑞精密机械有限公司"]["手机号码"] == "13912340002"
    open_issues = result.issues[result.issues["severity"] != "info"]
    assert old not in set(open_issues["file"])                     # the old version's errors are not open
    assert list(result.issues.loc[result.issues["file"] == old, "rule"]) == ["file-superseded"]
    superseded = [d for d in _detail(result.output_dir) if d[0] == old]
    assert [d[3] for d in superseded] == ["已被新版本替代", "已被新版本替代"]
    assert all(new in d[4] for d in superseded)
    assert _ledger(out)[old] == ("已被新版本替代", new)
    assert not (result.output_dir / "returns" / old).exists()


def test_the_fill_date_orders_two_versions_against_the_modification_time(tmp_path):
    inp, out = tmp_path / "input", tmp_path / "output"
    for name, filled, amount, when in (("华东销售部.xlsx", "2026-11-25", 650000, 1000),
                                       ("华东销售部(1).xlsx", "2026-11-03", 600000, 2000)):
        path = make_workbook(inp, name, {"企业客户": [["填表日期", filled], HEADER, [*EAST[0][:4], amount], EAST[1]]})
        os.utime(path, (time.time() - 10000 + when,) * 2)
    result = _run(inp, out)
    assert _master(result.output_dir)["苏州华力电子有限公司"]["年合作金额"] == 650000
    assert result.summary["ledger"]["superseded"] == {"华东销售部(1).xlsx": "华东销售部.xlsx"}


def test_a_corrected_file_alone_on_a_rerun_updates_its_team_and_keeps_the_others(tmp_path):
    inp, out = tmp_path / "input", tmp_path / "output"
    _east(inp, "华东销售部_11月客户.xlsx", when=time.time() - 600)
    make_workbook(inp, "大客户部_11月.xlsx", {"企业客户": [HEADER, *KEY]})
    first = _run(inp, out)
    assert first.summary["customers"] == 3
    before = (out / "2026-11" / "customers.xlsx").read_bytes()

    for p in inp.iterdir():
        p.unlink()                                                 # only the corrected file this time
    _east(inp, "华东销售部_11月客户_修改版.xlsx", amount=650000, mobile="13912340002")
    second = _run(inp, out)
    master = _master(out / "2026-11")
    assert set(master) == {"苏州华力电子有限公司", "苏州恒瑞精密机械有限公司", "北京星河软件有限公司"}
    assert master["苏州华力电子有限公司"]["年合作金额"] == 650000
    assert master["北京星河软件有限公司"]["年合作金额"] == 900000           # the other team stays
    returned = load_workbook(out / "2026-11" / "returns" / "大客户部_11月.xlsx", read_only=True)   # from its copy
    assert "北京星河软件有限公司" in [c for r in returned["企业客户"].iter_rows(values_only=True) for c in r]
    assert (out / "versions" / "2026-11" / "1" / "customers.xlsx").read_bytes() == before
    assert second.summary["ledger"]["run"] == 2
    assert second.summary["ledger"]["kept_previous_as"] == "versions/2026-11/1"
    changes = second.summary["ledger"]["since_previous_run"]
    assert changes["files_added"] == ["华东销售部_11月客户_修改版.xlsx"]
    assert changes["files_no_longer_read"] == ["华东销售部_11月客户.xlsx"]
    assert (changes["customers_before"], changes["customers_after"], changes["customers_changed"]) == (3, 3, 2)
    html = (out / "2026-11" / "report.html").read_text(encoding="utf-8")
    assert 'data-figure="run-number" data-value="2"' in html and "versions/2026-11/1" in html
    assert 'data-figure="rerun-customers-changed" data-value="2"' in html
    assert "华东销售部_11月客户.xlsx → 华东销售部_11月客户_修改版.xlsx" in html
    # the stored copies are read-only and named by their sha256
    copies = sorted((out / "submissions" / "2026-11").iterdir())
    assert len(copies) == 3 and all(not os.access(p, os.W_OK) or os.geteuid() == 0 for p in copies)
    assert all(p.stem == history_sha(p) for p in copies)
    runs = history.read_table(out / "history.sqlite", "month_runs")
    assert list(runs["run_no"]) == [1, 2] and list(runs["kept_as"]) == ["versions/2026-11/1", ""]

    third = _run(inp, out, fresh=True)                             # --fresh: input/ alone
    assert set(_master(out / "2026-11")) == {"苏州华力电子有限公司", "苏州恒瑞精密机械有限公司"}
    assert third.summary["ledger"]["fresh"] is True
    assert (out / "versions" / "2026-11" / "2" / "customers.xlsx").exists()
    assert _ledger(out)["大客户部_11月.xlsx"][0] == "未纳入"
    fourth = _run(inp, out)                                        # and stays so on the next rerun
    assert set(_master(out / "2026-11")) == {"苏州华力电子有限公司", "苏州恒瑞精密机械有限公司"}
    assert fourth.summary["ledger"]["run"] == 4


def test_the_run_line_counts_the_rows_of_a_replaced_version(tmp_path):
    """读取 = 并入主档 + 退回 + 跳过 + the rows of the older version, in the CLI line and the report."""
    inp, out = tmp_path / "input", tmp_path / "output"
    _east(inp, "华东销售部_11月客户.xlsx", when=time.time() - 600)
    make_workbook(inp, "大客户部_11月.xlsx", {"企业客户": [HEADER, *KEY]})
    first = _cli("--input", str(inp), "--output", str(out), "--as-of", "2026-11-30")
    assert "已被新版本替代" not in first.output                       # named only when there are some
    for p in inp.iterdir():
        p.unlink()
    _east(inp, "华东销售部_11月客户_修改版.xlsx", amount=650000, mobile="13912340002")
    result = _cli("--input", str(inp), "--output", str(out), "--as-of", "2026-11-30")
    assert result.exit_code == 0, result.output
    assert ("读取 5 行：并入主档 3 行（其中重复合并 0 行，得到客户 3 个），退回 0 行，跳过 0 行，"
            "已被新版本替代 2 行；") in result.output
    summary = json.loads((out / "2026-11" / "summary.json").read_text(encoding="utf-8"))
    assert summary["superseded_rows"] == 2
    assert summary["rows_read"] == (summary["merged_rows"] + summary["rejected_rows"] + summary["skipped_rows"]
                                    + summary["superseded_rows"])
    html = (out / "2026-11" / "report.html").read_text(encoding="utf-8")
    assert 'data-figure="superseded_rows" data-value="2"' in html
    assert [r[3] for r in _detail(out / "2026-11")].count("已被新版本替代") == 2


def _table_rows(html: str, marker: str) -> dict[str, dict[str, int]]:
    """The data-* counts of the report's file rows (``data-file``) or team rows (``data-team``)."""
    import re

    out = {}
    for tag in re.findall(rf"<tr {marker}[^>]*>", html):
        attrs = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', tag))
        key = attrs.pop("file" if marker == "data-file-row" else "team")
        out[key] = {k: int(v) for k, v in attrs.items() if v.lstrip("-").isdigit()}
    return out


def test_the_file_and_team_tables_account_for_the_rows_of_a_replaced_version(tmp_path):
    """Every row read is in the file table and the team table as 并入主档, 退回, 跳过 or
    已被新版本替代, per file the same as 来源明细, summed the same as the run line."""
    inp, out = tmp_path / "input", tmp_path / "output"
    old, new = "华东销售部_11月客户.xlsx", "华东销售部_11月客户_修改版.xlsx"
    make_workbook(inp, old, {"企业客户": [HEADER, *EAST, ["合计", None, None, None, 900000]]})
    os.utime(inp / old, (time.time() - 600,) * 2)
    make_workbook(inp, "大客户部_11月.xlsx", {"企业客户": [HEADER, *KEY]})
    assert _cli("--input", str(inp), "--output", str(out), "--as-of", "2026-11-30").exit_code == 0
    (inp / old).unlink()
    _east(inp, new, amount=650000, mobile="13912340002")
    result = _cli("--input", str(inp), "--output", str(out), "--as-of", "2026-11-30")
    assert result.exit_code == 0, result.output
    assert "读取 6 行：并入主档 3 行（其中重复合并 0 行，得到客户 3 个），退回 0 行，跳过 1 行，已被新版本替代 2 行" \
        in result.output
    html = (out / "2026-11" / "report.html").read_text(encoding="utf-8")
    files = _table_rows(html, "data-file-row")
    assert files[old] == {"read": 3, "merged": 0, "rejected": 0, "skipped": 1, "superseded": 2}
    assert files[new] == {"read": 2, "merged": 2, "rejected": 0, "skipped": 0, "superseded": 0}
    detail = _detail(out / "2026-11")
    outcome = {"merged": "并入主档", "rejected": "退回", "skipped": "跳过", "superseded": "已被新版本替代"}
    for name, row in files.items():                     # per file: the same as 来源明细
        mine = [d[3] for d in detail if d[0] == name]
        assert row["read"] == len(mine) == sum(row[k] for k in outcome), name
        assert {k: mine.count(v) for k, v in outcome.items()} == {k: row[k] for k in outcome}, name
    teams = _table_rows(html, "data-team")
    assert {k: v for k, v in teams["华东销售部"].items() if k != "errors"} == {"rows": 5, "merged": 2, "rejected": 0, "skipped": 1, "superseded": 2}
    assert sum(t["rows"] for t in teams.values()) == 6     # the run line's 读取
    assert "<th class=\"n\">已被新版本替代</th>" in html
    assert f"{old}：已被新版本“{new}”替代，其中 2 行未采用（无需发回）" in html     # 本月待办


def history_sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_name_other_bytes_the_file_in_input_wins_and_the_stored_one_is_shown(tmp_path):
    inp, out = tmp_path / "input", tmp_path / "output"
    _east(inp, "华东销售部.xlsx", when=time.time() - 600)
    _run(inp, out)
    _east(inp, "华东销售部.xlsx", amount=700000)
    result = _run(inp, out)
    assert _master(result.output_dir)["苏州华力电子有限公司"]["年合作金额"] == 700000
    files = result.catalog["files"].set_index("src_file")
    assert files.loc["华东销售部（此前提交1）.xlsx", "status"] == "已忽略"
    assert "华东销售部.xlsx" in files.loc["华东销售部（此前提交1）.xlsx", "message"]


# --------------------------------------------------------------------------- the CLI

def _cli(*args: str):
    return CliRunner().invoke(cli, ["run", *args, "-q"])


def test_the_month_comes_from_the_file_names(tmp_path):
    inp, out = tmp_path / "input", tmp_path / "output"
    _east(inp, "华东销售部_2026年10月客户.xlsx")
    make_workbook(inp, "大客户部_202610.xlsx", {"企业客户": [HEADER, *KEY]})
    result = _cli("--input", str(inp), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert "处理月份：2026-10" in result.output and "文件名" in result.output
    summary = json.loads((out / "2026-10" / "summary.json").read_text(encoding="utf-8"))
    assert summary["as_of"] == "2026-10-31" and summary["ledger"]["month_source"] == "提交文件"

    make_workbook(inp, "线上渠道部_11月.xlsx", {"企业客户": [HEADER, *KEY]})   # now they disagree
    result = _cli("--input", str(inp), "--output", str(out))
    assert result.exit_code == 0, result.output
    today = dt.date.today().strftime("%Y-%m")
    assert f"处理月份：{today}" in result.output and "不一致" in result.output


def test_the_fill_date_gives_the_month_when_the_name_has_none(tmp_path):
    inp, out = tmp_path / "input", tmp_path / "output"
    make_workbook(inp, "华东销售部.xlsx", {"企业客户": [["填表部门：华东销售部", None, "填表日期", "2026-09-28"],
                                                     HEADER, *EAST]})
    result = _cli("--input", str(inp), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert "处理月份：2026-09" in result.output and "填表日期" in result.output
    assert (out / "2026-09" / "customers.xlsx").exists()


@pytest.mark.parametrize("as_of", ["2999-01-01", "1999-12-31"])
def test_an_as_of_in_the_future_or_before_2000_is_refused_unless_forced(tmp_path, as_of):
    inp, out = tmp_path / "input", tmp_path / "output"
    _east(inp, "华东销售部.xlsx")
    result = _cli("--input", str(inp), "--output", str(out), "--as-of", as_of)
    assert result.exit_code == 2 and "--force" in result.output
    assert not out.exists()
    forced = _cli("--input", str(inp), "--output", str(out), "--as-of", as_of, "--force")
    assert forced.exit_code == 0, forced.output
    assert (out / as_of[:7] / "customers.xlsx").exists()


def test_an_empty_input_folder_says_so_and_records_nothing(tmp_path):
    inp, out = tmp_path / "input", tmp_path / "output"
    inp.mkdir()
    (inp / "~$华东销售部.xlsx").write_bytes(b"lock")
    result = _cli("--input", str(inp), "--output", str(out))
    assert result.exit_code == 0
    assert "没有可处理的文件" in result.output and "~$华东销售部.xlsx" in result.output
    assert not out.exists()


def test_ods_et_and_other_files_in_input_are_all_accounted_for(tmp_path):
    inp, out = tmp_path / "input", tmp_path / "output"
    inp.mkdir()
    for name in ("华南区域_11月客户.ods", "线上渠道部_个人客户.et"):
        shutil.copyfile(DATA / name, inp / name)
    (inp / "客户名单.txt").write_text("华力电子 13912340001", encoding="utf-8")
    (inp / "名片.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a photo")
    (inp / "~$华南区域_11月客户.xlsx").write_bytes(b"lock")
    result = _cli("--input", str(inp), "--output", str(out), "--as-of", "2026-11-30")
    assert result.exit_code == 0, result.output
    for name, why in (("客户名单.txt", "文本文件"), ("名片.jpg", "图片"), ("~$华南区域_11月客户.xlsx", "锁文件")):
        line = next(line for line in result.output.splitlines() if name in line)
        assert why in line, line
    master = _master(out / "2026-11")
    assert {"广州市星海电子科技有限公司", "佛山市南风家具厂", "赵一鸣", "孙晓燕"} <= set(master)
    issues = [r for r in _issues_csv(out / "2026-11") if r["file"] == "客户名单.txt" and r["rule"] == "file-unsupported"]
    assert len(issues) == 1 and issues[0]["severity"] == "warning"
    assert "文本文件" in issues[0]["message"]
    assert ".xlsx" in issues[0]["suggestion"]
    assert any(r["file"] == "线上渠道部_个人客户.et" and r["rule"] == "email-invalid"
               for r in _issues_csv(out / "2026-11"))
    assert (out / "2026-11" / "returns" / "线上渠道部_个人客户.xlsx").exists()
    assert (out / "2026-11" / "returns" / "华南区域_11月客户.xlsx").exists()


def _issues_csv(month: Path) -> list[dict]:
    import csv

    with open(month / "issues.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------------------------------- a kill mid-rerun

KILLED = textwrap.dedent("""
    import datetime as dt, sys, time
    from pathlib import Path
    sys.path.insert(0, {root!r})
    import pipeline.writers as writers
    from pipeline.api import run_pipeline
    from pipeline.model import RunOptions

    real = writers.write_report

    def slow(path, *args, **kwargs):
        real(path, *args, **kwargs)
        Path({marker!r}).write_text(str(path))
        time.sleep(120)

    writers.write_report = slow
    run_pipeline(RunOptions(input_dir=Path({inp!r}), output_dir=Path({out!r}), as_of=dt.date(2026, 11, 30)))
""")


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_kill_during_a_cumulative_rerun_leaves_outputs_and_ledger_intact(tmp_path):
    inp, out = tmp_path / "input", tmp_path / "output"
    _east(inp, "华东销售部_11月客户.xlsx", when=time.time() - 600)
    make_workbook(inp, "大客户部_11月.xlsx", {"企业客户": [HEADER, *KEY]})
    _run(inp, out)
    before = _tree(out / "2026-11")
    store_before = _tree(out / "submissions")
    with sqlite3.connect(out / "history.sqlite") as con:
        tables_before = {t: con.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
                         for t in ("ledger", "month_runs", "runs", "snapshots")}

    for p in inp.iterdir():
        p.unlink()
    _east(inp, "华东销售部_11月客户_修改版.xlsx", amount=650000, mobile="13912340002")
    marker = tmp_path / "writing"
    proc = subprocess.Popen([sys.executable, "-c", KILLED.format(root=str(ROOT), marker=str(marker), inp=str(inp),
                                                               out=str(out))], cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, "the run ended before it was killed"
            assert time.monotonic() < deadline, "the run never reached the report"
            time.sleep(0.1)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert _tree(out / "2026-11") == before
    assert _tree(out / "submissions") == store_before
    assert not (out / "versions").exists()
    with sqlite3.connect(out / "history.sqlite") as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert {t: con.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables_before} == tables_before

    again = _run(inp, out)                                         # the next run goes through
    assert again.summary["ledger"]["run"] == 2
    assert _master(out / "2026-11")["苏州华力电子有限公司"]["年合作金额"] == 650000
    assert len(_master(out / "2026-11")) == 3
    assert _tree(out / "versions" / "2026-11" / "1") == before
