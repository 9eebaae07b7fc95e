"""Hostile input (docs/security.md), names and places. File and sheet names from submissions cannot escape
output/, links out of input/ are refused, outputs are swapped in whole, and a second run on
the same month while one is running stops with exit code 2 and a Chinese message."""
import datetime as dt
import json
import os
import subprocess
import sys
from xml.sax.saxutils import quoteattr

import pytest
from click.testing import CliRunner

from pipeline.api import run_pipeline
from pipeline.cli import cli
from pipeline.model import RunOptions
from pipeline.writers import lock as lock_mod
from tests.hostile_cases import (TINY_ROWS, formula_cells, hash_tree, output_workbooks, rewrite_parts,
                                 small_workbook, source_detail)

AS_OF = dt.date(2026, 11, 30)
SHEET_NAMES = ["a/b", "a\\b", "it's", "[x]", "../..", "=SUM(1)", "<script>", "'quoted'"]


def _distinct(n: int) -> list[list]:
    rows = [list(r) for r in TINY_ROWS]
    rows[1][6] = 600000 + n
    return rows


@pytest.fixture(scope="module")
def names_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("names")
    inp, out, outside = root / "input", root / "output", root / "outside"
    small_workbook(outside / "secret.xlsx", TINY_ROWS)
    inp.mkdir(parents=True)
    os.symlink(outside / "secret.xlsx", inp / "link.xlsx")          # a link out of input/
    os.symlink(outside, inp / "linkdir")                             # a linked folder
    # each file its own bytes: the same bytes under two names would be read once (pipeline/ledger.py)
    small_workbook(inp / "x..\\..\\..\\evil.xlsx", _distinct(1))          # backslashes are legal on Linux
    small_workbook(inp / "a..b.xlsx", _distinct(2))
    small_workbook(inp / "sub" / "..." / "dots.xlsx", _distinct(3))
    small_workbook(inp / "C:" / "abs.xlsx", _distinct(4))
    small_workbook(inp / "=cmd|calc.xlsx", _distinct(5))
    base = small_workbook(root / "s.xlsx", TINY_ROWS, sheet="SHEETNAME")
    for i, name in enumerate(SHEET_NAMES):   # names Excel forbids, only a hand-made file holds them
        rewrite_parts(base, inp / f"sheet_{i}.xlsx",
                      lambda part, data, name=name: data.replace(b'"SHEETNAME"', quoteattr(name).encode())
                      if part == "xl/workbook.xml" else data)
    before = hash_tree(inp)
    result = run_pipeline(RunOptions(input_dir=inp, output_dir=out, as_of=AS_OF))
    return {"inp": inp, "out": out, "month": result.output_dir, "result": result, "before": before}


def test_nothing_is_written_outside_the_output_folder(names_run):
    root = names_run["inp"].parent
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        assert rel.parts[0] in ("input", "output", "outside", "s.xlsx"), rel
    out = names_run["out"].resolve()
    for path in names_run["out"].rglob("*"):
        assert out in path.resolve().parents
    assert ".." not in {p for path in names_run["month"].rglob("*") for p in path.relative_to(out).parts}
    assert hash_tree(names_run["inp"]) == names_run["before"]


def test_links_out_of_input_are_refused(names_run):
    issues = names_run["result"].issues
    link = issues[issues["file"] == "link.xlsx"]
    assert list(link["rule"]) == ["file-outside-input"]
    files = set(names_run["result"].catalog["files"]["src_file"])
    assert not any("secret" in f for f in files)        # the linked folder is not read either


def test_odd_file_and_sheet_names_are_read_and_returned(names_run):
    files = names_run["result"].catalog["files"].set_index("src_file")
    for i in range(len(SHEET_NAMES)):
        assert files.loc[f"sheet_{i}.xlsx", "status"] == "已处理"
    for name in ("x..\\..\\..\\evil.xlsx", "a..b.xlsx", "C:/abs.xlsx", "=cmd|calc.xlsx"):
        assert files.loc[name, "status"] == "已处理", name
    assert "sub/.../dots.xlsx" not in files.index        # a folder starting with "." is hidden: skipped
    sheets = {s for _, s, _, _ in source_detail(names_run["month"])}
    assert set(SHEET_NAMES) <= sheets                    # 来源明细 shows the sheet as submitted
    # each submission comes back as its own file, or (refused and not safe to copy) as its 问题清单
    returned = {p.relative_to(names_run["month"] / "returns").as_posix().removesuffix("_问题清单.xlsx")
                .removesuffix(".xlsx") for p in (names_run["month"] / "returns").rglob("*.xlsx")}
    assert len(returned) == len(files)
    # the link out of input/ was refused: its 问题清单 comes back, never the file it points at
    assert not (names_run["month"] / "returns" / "link.xlsx").exists()
    assert (names_run["month"] / "returns" / "link_问题清单.xlsx").exists()
    for book in output_workbooks(names_run["month"]):
        assert formula_cells(book) == [], book.name


def test_every_row_of_odd_names_is_accounted_for(names_run):
    detail = source_detail(names_run["month"])
    assert len(detail) == len(set(detail))
    read = names_run["result"].catalog["source_rows"]
    assert len([d for d in detail if d[2] is not None]) == len(read)


def test_a_failed_write_leaves_the_previous_outputs_whole(tmp_path, monkeypatch):
    inp, out = tmp_path / "input", tmp_path / "output"
    small_workbook(inp / "a.xlsx", TINY_ROWS)
    first = run_pipeline(RunOptions(input_dir=inp, output_dir=out, as_of=AS_OF))
    before = hash_tree(first.output_dir)
    import pipeline.writers as writers

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writers, "write_report", boom)
    small_workbook(inp / "b.xlsx", TINY_ROWS)
    with pytest.raises(RuntimeError):
        run_pipeline(RunOptions(input_dir=inp, output_dir=out, as_of=AS_OF))
    assert hash_tree(first.output_dir) == before
    assert not [p for p in out.iterdir() if ".tmp-" in p.name or p.name.endswith(".lock")]


def test_second_run_while_one_runs_exits_2_with_a_chinese_message(tmp_path):
    inp, out = tmp_path / "input", tmp_path / "output"
    small_workbook(inp / "a.xlsx", TINY_ROWS)
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])   # a live "other run"
    try:
        path = lock_mod.lock_path(out, "2026-11")
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps({"pid": holder.pid, "host": lock_mod.socket.gethostname(),
                                    "since": "2026-11-30 09:00:00"}), encoding="utf-8")
        result = CliRunner().invoke(cli, ["run", "--input", str(inp), "--output", str(out), "--as-of", "2026-11-30",
                                          "-q"])
        assert result.exit_code == 2, result.output
        assert "另一个处理任务" in result.output and "请等它结束后再运行" in result.output
        assert not (out / "2026-11").exists()           # nothing half-written
        assert path.exists()                            # the other run's lock is left alone
    finally:
        holder.kill()
        holder.wait()
