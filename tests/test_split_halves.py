"""A big month's intake and normalize stages run in two halves side by side: a forked child reads
the files after the middle byte (pipeline/intake/__init__.py) and normalizes the rows after the
middle row (pipeline/normalize/__init__.py). What a steward gets must not depend on it: the same
records, row ids, files, issues, fixes and 联系人 rows as one pass, and the same outputs."""
from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import pytest

import pipeline.intake as intake
import pipeline.normalize as normalize
from pipeline import runner
from pipeline.api import _catalog, run_pipeline
from pipeline.demo import write_demo_inputs
from pipeline.intake import list_inputs
from pipeline.model import RunOptions

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")

AS_OF = dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def demo_input(tmp_path_factory):
    folder = tmp_path_factory.mktemp("split") / "input"
    write_demo_inputs(folder)
    # a contact cell with several people, in a file read first and one read last: both halves
    # make 联系人 rows
    for name, first in (("东区_客户资料.csv", "王五（经理）13800138000、赵六"), ("西区_客户资料.csv", "孙七/总监、周八")):
        (folder / name).write_text("客户名称,联系人,手机号码\n"
                                   f"杭州{name[0]}星科技有限公司,{first},13900139000\n"
                                   f"宁波{name[0]}月贸易有限公司,钱九,13700137000\n", encoding="utf-8")
    (folder / "西区_损坏.xlsx").write_bytes(b"PK\x03\x04 not a workbook")       # refused, read by the child
    return folder


def test_files_read_side_by_side_give_what_one_process_reads(demo_input, rules, monkeypatch):
    paths = list_inputs(demo_input)
    monkeypatch.setenv("CRM_PIPELINE_WORKERS", "2")
    monkeypatch.setattr(intake, "SPLIT_FROM_BYTES", 10**15)
    assert intake._split_at(paths) == 0
    whole = intake.read_inputs(paths, demo_input, rules)
    monkeypatch.setattr(intake, "SPLIT_FROM_BYTES", 1)
    cut = intake._split_at(paths)
    assert 0 < cut < len(paths) - 2
    seen = []
    halves = intake.read_inputs(paths, demo_input, rules, progress=lambda done, total, what: seen.append(done))
    assert seen == list(range(len(paths)))                 # every file announced, in order
    for key in ("records", "source_rows", "files", "columns", "column_map"):
        pd.testing.assert_frame_equal(halves.data[key], whole.data[key], obj=key)
    assert halves.data["related"].keys() == whole.data["related"].keys()
    for name in whole.data["related"]:
        pd.testing.assert_frame_equal(halves.data["related"][name], whole.data["related"][name], obj=name)
    assert halves.issues == whole.issues
    files = whole.data["files"].set_index("src_file")
    assert files.loc["西区_损坏.xlsx", "status"] == "已拒收" and files.loc["西区_客户资料.csv", "status"] == "已处理"
    assert whole.data["records"]["row_id"].tolist() == list(range(len(whole.data["records"])))


def _before_normalize(folder, rules):
    stages = list(runner.PIPELINE)
    at = [s.name for s in stages].index("normalize")
    options = RunOptions(input_dir=folder, output_dir=folder.parent / "unused", as_of=AS_OF)
    return runner.run_stages(stages[:at], _catalog(options, rules, list_inputs(folder)))


def _issue_key(issue):
    return (issue.file, issue.sheet, issue.row or 0, issue.field, issue.rule, str(issue.value), str(issue.params))


def test_two_halves_give_what_one_pass_gives(demo_input, rules, monkeypatch):
    data = _before_normalize(demo_input, rules)
    records = data["records"]
    assert len(records) > 300 and records["src_file"].iloc[len(records) // 2 - 1] != records["src_file"].iloc[0]
    monkeypatch.setenv("CRM_PIPELINE_WORKERS", "2")
    monkeypatch.setattr(normalize, "SPLIT_FROM_ROWS", 10**9)
    whole = normalize.normalize_records(records, data["columns"], rules, AS_OF)
    monkeypatch.setattr(normalize, "SPLIT_FROM_ROWS", 1)
    halves = normalize.normalize_records(records, data["columns"], rules, AS_OF)

    pd.testing.assert_frame_equal(halves.data["records"], whole.data["records"])
    pd.testing.assert_frame_equal(halves.data["fixes"], whole.data["fixes"])
    pd.testing.assert_frame_equal(halves.data["contacts"], whole.data["contacts"])
    assert len(whole.issues) > 50 and len(whole.data["fixes"]) > 20 and len(whole.data["contacts"])
    assert sorted(halves.issues, key=_issue_key) == sorted(whole.issues, key=_issue_key)


def test_the_month_written_is_the_same(demo_input, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    import sqlite3

    outs = {}
    for split in (10**9, 1):                 # one process; then intake, normalize and resubmit split
        monkeypatch.setenv("CRM_PIPELINE_WORKERS", "2")
        monkeypatch.setattr(normalize, "SPLIT_FROM_ROWS", split)
        monkeypatch.setattr(intake, "SPLIT_FROM_BYTES", split)
        monkeypatch.setattr(runner, "BACKGROUND_FROM_ROWS", split)
        out = tmp_path / f"out{split}"
        run_pipeline(RunOptions(input_dir=demo_input, output_dir=out, as_of=AS_OF))
        outs[split] = out / "2026-11"
    one, two = outs[10**9], outs[1]
    assert (one / "issues.csv").read_bytes() == (two / "issues.csv").read_bytes()
    # what the history store keeps of each submission (its records and issues, for the next
    # resubmission's comparison) is the same too, issue for issue
    stores = [sqlite3.connect(o.parent / "history.sqlite") for o in (one, two)]
    sql = "SELECT src_file, sha256, sheets, fields, issues, records FROM submissions ORDER BY rowid"
    rows = [s.execute(sql).fetchall() for s in stores]
    assert rows[0] == rows[1] and len(rows[0]) >= 8
    for name in ("customers.xlsx", *sorted(p.relative_to(one).as_posix() for p in one.glob("returns/*.xlsx"))[:3]):
        a, b = load_workbook(one / name), load_workbook(two / name)
        assert a.sheetnames == b.sheetnames, name
        for ws in a.worksheets:
            assert [[c.value for c in r] for r in ws.iter_rows()] == \
                [[c.value for c in r] for r in b[ws.title].iter_rows()], (name, ws.title)
