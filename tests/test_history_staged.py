"""The save stage's rows staged beside the workbooks (pipeline/history_staged.py): the store
gets exactly what encoding them at save time gives, a staged file that does not fit is
refused, and no staged file outlives its run."""
from __future__ import annotations

import datetime as dt
import sqlite3

import pandas as pd
import pytest

from pipeline import history
from pipeline.history_staged import stage_save, staged_path

_TABLES = ("SELECT * FROM snapshots ORDER BY rowid", "SELECT * FROM identities ORDER BY rowid",
           "SELECT month, customers, identities_added FROM runs")


def _customers(n: int) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [f"KH{i:08d}" for i in range(n)],
                         "name": [f"杭州客户{i}有限公司" for i in range(n)],
                         "next_follow": [dt.date(2026, 12, 1 + i % 28) if i % 3 else None for i in range(n)],
                         "amount": [float(i) if i % 2 else float("nan") for i in range(n)]})


def _identities(n: int) -> pd.DataFrame:
    keys = [("name", f"杭州客户{i}有限公司", f"KH{i:08d}") for i in range(n)]
    keys += [("phone", "13800000000", f"KH{i:08d}") for i in range(3)]        # one key, several customers: first wins
    return pd.DataFrame(keys, columns=history.KNOWN_COLUMNS)


def _rows(path) -> list:
    with sqlite3.connect(path) as con:
        return [con.execute(sql).fetchall() for sql in _TABLES]


def test_a_staged_save_stores_what_a_direct_save_stores(tmp_path):
    customers, identities = _customers(60), _identities(60)
    direct, staged_store = tmp_path / "a" / "history.sqlite", tmp_path / "b" / "history.sqlite"
    for month in ("2026-10", "2026-11"):                 # the second month adds to an existing store
        history.save_run(direct, month, {"as_of": f"{month}-28"}, customers, identities)
        staged = stage_save(staged_path(tmp_path, month), month, customers, identities)
        history.save_run(staged_store, month, {"as_of": f"{month}-28"}, customers, identities, staged=staged)
    assert _rows(direct) == _rows(staged_store)
    snapshot = history.load_snapshots(staged_store, ["2026-11"]).set_index("customer_id")
    assert snapshot.loc["KH00000004", "next_follow"] == dt.date(2026, 12, 5)
    assert _rows(staged_store)[2] == [("2026-10", 60, 61), ("2026-11", 60, 0)]


def test_a_staged_file_of_other_customers_is_refused_and_the_store_is_left_as_it_was(tmp_path):
    store = tmp_path / "history.sqlite"
    history.save_run(store, "2026-10", {}, _customers(5), None)
    before = _rows(store)
    staged = stage_save(staged_path(tmp_path, "2026-11"), "2026-11", _customers(5), None)
    with pytest.raises(RuntimeError, match="holds 5 customers of 2026-11, the run 6"):
        history.save_run(store, "2026-11", {}, _customers(6), None, staged=staged)
    assert _rows(store) == before


def _demo_run(tmp_path):
    from pipeline.api import run_pipeline
    from pipeline.demo import write_demo_inputs
    from pipeline.model import RunOptions

    inp, out = tmp_path / "input", tmp_path / "out"
    write_demo_inputs(inp)
    run_pipeline(RunOptions(input_dir=inp, output_dir=out, as_of=dt.date(2026, 11, 30)))
    return out


def test_no_staged_file_is_left_after_a_run(tmp_path):
    out = _demo_run(tmp_path)
    assert (out / "history.sqlite").exists()
    assert not list(out.glob(".history-staged*"))
    with sqlite3.connect(out / "history.sqlite") as con:
        assert con.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0] == \
            con.execute("SELECT customers FROM runs").fetchone()[0] > 300


def test_a_write_that_fails_leaves_neither_a_staged_file_nor_a_store(tmp_path, monkeypatch):
    import pipeline.writers as writers

    def broken(path, data):
        raise OSError("磁盘已满")
    monkeypatch.setattr(writers, "write_report", broken)
    with pytest.raises(OSError, match="磁盘已满"):
        _demo_run(tmp_path)
    out = tmp_path / "out"
    assert not list(out.glob(".history-staged*"))
    assert not (out / "history.sqlite").exists()
