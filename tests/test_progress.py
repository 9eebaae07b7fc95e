"""Long runs say how far they are: intake per file, the write stage per workbook."""
from __future__ import annotations

import datetime as dt

from click.testing import CliRunner

from pipeline import cli as cli_module
from pipeline.api import run_pipeline
from pipeline.model import RunOptions
from tests.factories import make_csv, make_workbook

HEADER = ["客户名称", "省份", "城市", "联系人", "手机号码"]


def _inputs(folder):
    make_workbook(folder, "华东销售部.xlsx", {"客户": [HEADER, ["上海星河软件有限公司", "上海", "上海", "王磊", "13812345678"]]})
    make_csv(folder, "华南区域.csv", [HEADER, ["广州恒瑞机械有限公司", "广东", "广州", "李娜", "13912345678"]])


class Steps:
    def __init__(self):
        self.seen = []

    def before(self, stage):
        pass

    def after(self, stage, seconds, result):
        pass

    def step(self, stage, done, total, what):
        self.seen.append((stage.name, done, total, what))


def test_stages_report_files_and_workbooks(tmp_path):
    _inputs(tmp_path / "in")
    steps = Steps()
    run_pipeline(RunOptions(tmp_path / "in", tmp_path / "out", dt.date(2026, 11, 30)), hooks=(steps,))
    intake = [s for s in steps.seen if s[0] == "intake"]
    assert [(d, t) for _, d, t, _ in intake] == [(0, 2), (1, 2)]
    assert {w for *_, w in intake} == {"华东销售部.xlsx", "华南区域.csv"}
    written = [w for name, _, _, w in steps.seen if name == "write"]
    # customers.xlsx, one view per role, one returned workbook per submission
    assert "customers.xlsx" in written and "华东销售部.xlsx" in written and "华南区域.xlsx" in written
    assert [d for name, d, _, _ in steps.seen if name == "write"] == list(range(1, len(written) + 1))


def test_cli_prints_progress_lines(tmp_path, monkeypatch):
    _inputs(tmp_path / "in")
    monkeypatch.setattr(cli_module._Progress, "__init__", lambda self, every=0.0: setattr(self, "every", 0.0)
                        or setattr(self, "last", 0.0))
    result = CliRunner().invoke(cli_module.cli, ["run", "--input", str(tmp_path / "in"), "--output",
                                                 str(tmp_path / "out"), "--as-of", "2026-11-30"])
    assert result.exit_code in (0, 1), result.output
    assert "进度 1/2（华南区域.csv）" in result.output or "进度 1/2（华东销售部.xlsx）" in result.output
    assert "（customers.xlsx）" in result.output
