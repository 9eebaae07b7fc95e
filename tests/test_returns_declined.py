"""A real workbook with markup-compatibility blocks in its styles part: the patcher used to
rewrite that part into invalid XML ("unbound prefix"). Now the team gets its own file back
byte for byte, with the problem list beside it, and summary.json says why."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

from click.testing import CliRunner
from defusedxml import ElementTree

from pipeline.cli import cli
from tests.test_returns_roundtrip import _with_customer_block

DATA = Path(__file__).parent / "data" / "workbooks_declined"


def test_styles_with_alternate_content_come_back_untouched_with_a_separate_list(tmp_path):
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    sub = inp / "团队客户.xlsx"
    _with_customer_block(DATA / "poi_style_alternate_content.xlsx", sub)
    result = CliRunner().invoke(cli, ["run", "--input", str(inp), "--output", str(out), "--as-of", "2026-11-30", "-q"])
    assert result.exit_code == 0, result.output
    returns = out / "2026-11" / "returns"
    assert (returns / "团队客户.xlsx").read_bytes() == sub.read_bytes()
    with zipfile.ZipFile(returns / "团队客户.xlsx") as zf:
        ElementTree.fromstring(zf.read("xl/styles.xml"))         # still well-formed
    entry = json.loads((out / "2026-11" / "summary.json").read_text("utf-8"))["returns"]["files"][0]
    assert entry["method"] == "separate" and entry["issue_list"] == "团队客户_问题清单.xlsx"
    assert (returns / "团队客户_问题清单.xlsx").exists()
