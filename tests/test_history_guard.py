"""A history store that is damaged, lost or replaced by an empty file, while the output folder
holds earlier months: the run refuses in Chinese (exit 2) and touches nothing, instead of
crashing with a trace or silently giving every customer a new 客户编号."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from pipeline import history
from pipeline.api import run_pipeline
from pipeline.cli import cli
from pipeline.model import RunOptions
from tests.factories import make_workbook

HEADER = ["客户名称", "手机号码", "城市", "所属行业"]
ROWS = [["苏州华力电子有限公司", "13912340001", "苏州", "软件"],
        ["北京星河软件有限公司", "13812340003", "北京", "软件"]]


def _cli(*args: str):
    return CliRunner().invoke(cli, list(args))


def _run(inp: Path, out: Path, as_of: str):
    return _cli("run", "-q", "--input", str(inp), "--output", str(out), "--as-of", as_of)


def _ids(month: Path) -> dict[str, str]:
    ws = load_workbook(month / "customers.xlsx", read_only=True)["客户主档"]
    rows = list(ws.iter_rows(values_only=True))
    return {r[rows[0].index("客户名称")]: r[0] for r in rows[1:]}


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def month_done(tmp_path):
    """November processed, December's submission waiting: (input, output)."""
    inp, out = tmp_path / "input", tmp_path / "output"
    make_workbook(inp, "华东销售部.xlsx", {"企业客户": [HEADER, ROWS[1], ROWS[0]]})
    assert _run(inp, out, "2026-11-30").exit_code == 0
    return inp, out


@pytest.mark.parametrize("damage", ["truncated", "not_a_database"])
def test_a_damaged_history_store_is_named_and_nothing_is_written(month_done, damage):
    inp, out = month_done
    store = out / "history.sqlite"
    data = store.read_bytes()
    store.write_bytes(data[: len(data) // 3] if damage == "truncated" else "客户历史".encode() * 50)
    before = _tree(out)
    result = _run(inp, out, "2026-12-03")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "内部错误" not in result.output
    assert f"历史记录文件 {store} 已损坏" in result.output and "从备份恢复" in result.output
    assert _tree(out) == before                                  # no December, no lock left behind
    review = _cli("review", "--quarter", "2026Q4", "--output", str(out))
    assert review.exit_code == 2 and "已损坏" in review.output and "Traceback" not in review.output


@pytest.mark.parametrize("loss", ["missing", "empty"])
def test_a_lost_history_store_does_not_renumber_the_customers(month_done, loss):
    inp, out = month_done
    november = _ids(out / "2026-11")
    kept = out.parent / "history.backup"
    shutil.move(out / "history.sqlite", kept)
    if loss == "empty":
        (out / "history.sqlite").write_bytes(b"")
    before = _tree(out)
    make_workbook(inp, "华东销售部.xlsx", {"企业客户": [HEADER, *ROWS]})   # December: another row order
    result = _run(inp, out, "2026-12-03")
    assert result.exit_code == 2, result.output
    assert "2026-11 的处理结果" in result.output and "客户编号会重新分配" in result.output
    assert ("不存在" if loss == "missing" else "是空的") in result.output
    assert _tree(out) == before
    # the steward puts the store back: the same customers keep their numbers
    shutil.move(kept, out / "history.sqlite")
    assert _run(inp, out, "2026-12-03").exit_code == 0
    assert _ids(out / "2026-12") == november


def test_a_new_output_folder_starts_without_a_store(tmp_path):
    inp, out = tmp_path / "input", tmp_path / "output"
    make_workbook(inp, "华东销售部.xlsx", {"企业客户": [HEADER, *ROWS]})
    out.mkdir()
    (out / "README.md").write_text("月度输出", encoding="utf-8")
    assert _run(inp, out, "2026-11-30").exit_code == 0
    assert sorted(_ids(out / "2026-11").values()) == ["KH00000001", "KH00000002"]


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_run_killed_before_the_swap_is_named_on_the_next_run(month_done):
    """kill -9 while writing: a stale lock and a half-built folder are left; the next run says
    so in Chinese, cleans up and goes through."""
    import json
    import socket

    inp, out = month_done
    (out / ".2026-11.lock").write_text(json.dumps({"pid": _dead_pid(), "host": socket.gethostname(),
                                                   "since": "2026-11-30 09:15:00"}), encoding="utf-8")
    half = out / ".2026-11.tmp-abcd1234"
    half.mkdir()
    (half / "customers.xlsx").write_bytes(b"half")
    result = _run(inp, out, "2026-11-30")
    assert result.exit_code == 0, result.output
    assert "注意：上次运行（开始于 2026-11-30 09:15:00）没有正常结束（被中断），它未完成的文件已清理" in result.output
    assert "本月第 2 次运行" in result.output
    assert not half.exists() and not (out / ".2026-11.lock").exists()
    again = _run(inp, out, "2026-11-30")
    assert "注意" not in again.output                                  # said once


def test_a_run_stopped_between_the_swap_and_the_save_keeps_every_version_numbered(month_done, monkeypatch):
    """The known gap: the outputs of run 2 are in place but the history store never heard of
    it. The next run says so, keeps run 2's outputs as versions/2026-11/2 and numbers itself 3;
    run 1's folder stays recorded as versions/2026-11/1."""
    inp, out = month_done
    real = history.save_run

    def killed(*args, **kwargs):
        raise KeyboardInterrupt       # what a kill between the two stages leaves behind

    monkeypatch.setattr(history, "save_run", killed)
    with pytest.raises(KeyboardInterrupt):
        run_pipeline(RunOptions(input_dir=inp, output_dir=out, as_of=dt.date(2026, 11, 30)))
    monkeypatch.setattr(history, "save_run", real)
    assert json.loads((out / "2026-11" / "summary.json").read_text(encoding="utf-8"))["ledger"]["run"] == 2
    result = _run(inp, out, "2026-11-30")
    assert result.exit_code == 0, result.output
    assert "注意：本月第 2 次运行写出结果后、保存历史记录前被中断" in result.output
    assert f"它的结果已保留在 {out / 'versions' / '2026-11' / '2'}" in result.output
    assert "本月第 3 次运行" in result.output
    for n in (1, 2):
        kept = json.loads((out / "versions" / "2026-11" / str(n) / "summary.json").read_text(encoding="utf-8"))
        assert kept["ledger"]["run"] == n
    runs = history.read_table(out / "history.sqlite", "month_runs")
    assert list(zip(runs["run_no"], runs["kept_as"])) == [(1, "versions/2026-11/1"), (3, "")]
