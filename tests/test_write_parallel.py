"""The write stage's job pool (pipeline/parallel.py): forked children, results in
order, failures raised in the parent, and the same outputs with or without children."""
from __future__ import annotations

import os

import pytest

from pipeline.parallel import JobPool


def _square(n: int) -> int:
    return n * n


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def _fail(message: str):
    raise ValueError(message)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_children_return_results_in_submission_order(tmp_path):
    with JobPool(2) as pool:
        assert pool.parallel
        for n in range(6):
            pool.submit(_square, n)
        pool.submit(_write, tmp_path / "a.txt", "客户")
    assert pool.results[:6] == [0, 1, 4, 9, 16, 25]
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "客户"


def _timed(seconds: float) -> tuple[float, float]:
    import time
    start = time.monotonic()
    time.sleep(seconds)
    return start, time.monotonic()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.parametrize("heavy_alone", [True, False])
def test_heavy_jobs_never_run_side_by_side_when_asked(heavy_alone):
    """A big month's master, staged history and views (heavy) run one at a time; the light
    returned workbooks take the other worker meanwhile, in their queue order."""
    with JobPool(2, heavy_alone=heavy_alone) as pool:
        heavy = [pool.submit(_timed, 0.3, heavy=True) for _ in range(3)]
        light = [pool.submit(_timed, 0.1) for _ in range(4)]
    spans = sorted(pool.results[i] for i in heavy)
    overlaps = sum(a[1] > b[0] for a, b in zip(spans, spans[1:]))
    assert (overlaps == 0) is heavy_alone
    first_light = min(pool.results[i][0] for i in light)
    assert (first_light < spans[0][1]) is heavy_alone      # a light job ran beside the first heavy one
    assert [pool.results[i][0] for i in light] == sorted(pool.results[i][0] for i in light)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_failing_child_raises_in_the_parent():
    with pytest.raises(ValueError, match="磁盘已满"):
        with JobPool(2) as pool:
            pool.submit(_square, 3)
            pool.submit(_fail, "磁盘已满")
            pool.submit(_square, 4)


def test_one_worker_runs_each_job_at_once():
    pool = JobPool(1)
    assert not pool.parallel
    pool.submit(_square, 5)
    assert pool.results == [25]
    with pytest.raises(ValueError):
        pool.submit(_fail, "x")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_returned_workbooks_and_views_are_the_same_with_children(tmp_path, monkeypatch):
    """A whole run written by child processes equals the sequential one (sheet values); so
    does a big month's way: the master written here beside children, heavy jobs one at a time."""
    import datetime as dt

    import pipeline.writers as writers
    from pipeline.api import run_pipeline
    from pipeline.demo import write_demo_inputs
    from pipeline.model import RunOptions

    inp = tmp_path / "input"
    write_demo_inputs(inp)
    outs = {}
    for workers in (1, 2, 3):          # 3: two children, the big month's way (master here, heavy alone)
        monkeypatch.setattr(writers, "_write_workers", lambda catalog, customers, w=workers: min(w, 2))
        monkeypatch.setattr("pipeline.parallel.MEMORY_FIRST_FROM_ROWS", 1 if workers == 3 else 10**9)
        monkeypatch.setattr("pipeline.writers.sheetrows.CHUNK_ROWS", 40 if workers == 3 else 20_000)
        out = tmp_path / f"out{workers}"
        run_pipeline(RunOptions(input_dir=inp, output_dir=out, as_of=dt.date(2026, 11, 30)))
        outs[workers] = out / "2026-11"
    _same_outputs(outs[1], outs[2])
    _same_outputs(outs[1], outs[3])


def _same_outputs(one, two) -> None:
    import sqlite3

    from openpyxl import load_workbook

    outs = {1: one, 2: two}
    names = sorted(p.relative_to(outs[1]).as_posix() for p in outs[1].rglob("*.xlsx"))
    assert names == sorted(p.relative_to(outs[2]).as_posix() for p in outs[2].rglob("*.xlsx"))
    assert any(n.startswith("returns/") for n in names) and any(n.startswith("views/") for n in names)
    for name in names:
        a, b = load_workbook(outs[1] / name), load_workbook(outs[2] / name)
        assert a.sheetnames == b.sheetnames, name
        for ws in a.worksheets:
            assert [[c.value for c in r] for r in ws.iter_rows()] == \
                [[c.value for c in r] for r in b[ws.title].iter_rows()], (name, ws.title)
    # the history the save stage wrote is the same too: its rows were staged by a child
    stores = {w: sqlite3.connect(outs[w].parent / "history.sqlite") for w in (1, 2)}
    for sql in ("SELECT * FROM snapshots ORDER BY rowid", "SELECT * FROM identities ORDER BY rowid",
                "SELECT customers, identities_added FROM runs"):
        assert stores[1].execute(sql).fetchall() == stores[2].execute(sql).fetchall(), sql
    assert stores[2].execute("SELECT COUNT(*) FROM snapshots").fetchone()[0] > 300
    assert not list(outs[2].parent.glob(".history-staged*"))       # the staged file is gone


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_job_run_here_keeps_the_other_worker_busy():
    """The big month's master is written in this process (no copy-on-write of its data); the
    queued light jobs run in one child at a time beside it, started between its chunks, and
    the heavy queued job waits until it is done."""
    import time

    from pipeline.parallel import between_chunks

    def here() -> tuple[float, float]:
        start = time.monotonic()
        for _ in range(30):                  # a writer's chunks
            time.sleep(0.02)
            between_chunks()
        return start, time.monotonic()

    with JobPool(2, heavy_alone=True) as pool:
        with pool.held():
            big = pool.submit(_timed, 0.1, heavy=True)
            light = [pool.submit(_timed, 0.1) for _ in range(3)]
        mine = pool.run_here(here, heavy=True)
    start, end = pool.results[mine]
    spans = [pool.results[i] for i in light]
    assert all(a[1] <= b[0] + 0.05 for a, b in zip(spans, spans[1:]))   # one child at a time beside it
    assert sum(s[1] < end for s in spans) >= 2                          # and more than one during it
    assert pool.results[big][0] >= end - 0.01                           # the heavy job after it


def _many(n: int) -> list[str]:
    return [f"客户{i}" for i in range(n)]


def _unpicklable():
    return [1, 2, lambda: 3]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_big_result_streams_back_and_an_unpicklable_one_fails_clearly():
    """A big result (300 000 texts, several pipe buffers) arrives whole beside a small one; a
    result that cannot be pickled stops the run with a Chinese message saying so, instead of
    hanging it or naming a raw wait status."""
    with JobPool(2) as pool:
        big = pool.submit(_many, 300_000)
        small = pool.submit(_square, 7)
    assert len(pool.results[big]) == 300_000 and pool.results[big][-1] == "客户299999"
    assert pool.results[small] == 49
    with pytest.raises(RuntimeError, match="子进程的结果无法传回"):
        with JobPool(2) as pool:
            pool.submit(_unpicklable)


def _killed():
    import signal
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_child_that_dies_is_named_by_its_signal():
    with pytest.raises(RuntimeError, match="子进程异常退出（信号 9）"):
        with JobPool(2) as pool:
            pool.submit(_killed)
