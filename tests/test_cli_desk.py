"""The steward's commands: `validate` (errors first, one line per file, the total)."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from pipeline.api import write_demo
from pipeline.cli import cli


@pytest.fixture(scope="module")
def demo_input(tmp_path_factory):
    folder = tmp_path_factory.mktemp("desk-cli") / "input"
    write_demo(folder)
    return folder


def test_validate_lists_errors_first_then_files_then_the_total(demo_input):
    result = CliRunner().invoke(cli, ["validate", str(demo_input), "--limit", "15", "--as-of", "2026-11-30"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    tags = [m.group(1) for line in lines if (m := re.match(r"\s+\[(错误|警告|提示)\]", line))]
    assert len(tags) == 15 and tags == sorted(tags, key=["错误", "警告", "提示"].index)
    total_errors = int(re.search(r"错误 (\d+)，警告", lines[-1]).group(1))
    assert tags.count("错误") == min(15, total_errors) and lines[0].startswith(f"错误（{total_errors} 条")
    files = lines[lines.index("按文件：") + 1:-1]
    assert len(files) == len(list(demo_input.iterdir()))
    assert sum(int(re.search(r"错误 (\d+)", f).group(1)) for f in files) == total_errors
    assert lines[-1].startswith("合计：文件 5 个") and "并入主档" in lines[-1]
    assert "另有" in result.output                 # the rest is counted, not hidden
    assert not re.search(r"1[3-9]\d{9}", result.output)   # phones stay masked


def test_validate_fail_on_error_exits_3(demo_input):
    result = CliRunner().invoke(cli, ["validate", str(demo_input), "--fail-on", "error"])
    assert result.exit_code == 3
