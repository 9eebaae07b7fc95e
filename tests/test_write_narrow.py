"""The write stage reads only a few columns of the records (WRITE_RECORD_COLUMNS; the runner
drops the rest before it, for memory): what the steward reads must not change — the report's
field completeness is still that of the submitted rows, and every master row keeps its source."""
from __future__ import annotations

import datetime as dt
import json

from openpyxl import load_workbook

from pipeline import quality
from pipeline.api import run_pipeline, write_demo
from pipeline.model import RunOptions
from pipeline.writers import WRITE_RECORD_COLUMNS

from test_returns_declined import DATA, _with_customer_block

NOV = dt.date(2026, 11, 30)


def test_completeness_and_sources_survive_the_narrow_records(tmp_path, rules):
    write_demo(tmp_path / "input")
    # a workbook that comes back untouched with a list of its own: its issue makes the write
    # stage count the run again, without the records' field values
    _with_customer_block(DATA / "poi_style_alternate_content.xlsx", tmp_path / "input" / "团队客户.xlsx")
    result = run_pipeline(RunOptions(input_dir=tmp_path / "input", output_dir=tmp_path / "out", as_of=NOV), rules)
    assert set(result.catalog["records"].columns) <= set(WRITE_RECORD_COLUMNS)
    summary = json.loads((result.output_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["returns"]["by_method"]["separate"] == 1

    checked = run_pipeline(RunOptions(input_dir=tmp_path / "input", output_dir=tmp_path / "v", as_of=NOV,
                                      write_master=False), rules)
    records = checked.catalog["records"]
    teams = {row["file"]: row["team"] for row in summary["file_table"]}
    expected = quality.completeness(records, teams, rules)
    assert summary["completeness"] == json.loads(json.dumps(expected))
    filled = {f: c["filled"] for f, c in summary["completeness"]["total"].items()}
    assert filled["客户名称"] == int(records["name"].notna().sum()) > 0

    wb = load_workbook(result.output_dir / "customers.xlsx", read_only=True)
    rows = list(wb["来源明细"].iter_rows(values_only=True))
    head = rows[0]
    assert all(r[head.index("来源文件")] for r in rows[1:])
