"""A ``background`` stage of a big month (pipeline/runner.py; the resubmit stage) runs in a forked
child beside the stages after it and is joined when one of them reads its outputs: the catalog
ends the same, the hooks see every stage's before/after in pairs, and a failure is the run's."""
from __future__ import annotations

import os
import time

import pytest

from pipeline import runner
from pipeline.issues import Issue
from pipeline.model import StageResult
from pipeline.runner import Stage, run_stages

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def _stages(describe, slow=0.0):
    def read():
        return StageResult(data={"records": list(range(5))})

    def count(records):
        return StageResult(data={"counted": len(records)}, issues=(Issue(rule="file-empty", file="a.xlsx"),))

    def analyse(records, counted):
        time.sleep(slow)
        return StageResult(data={"analysis": sum(records) + counted})

    def write(described, analysis):
        return StageResult(data={"written": f"{described}/{analysis}"})

    return [Stage("read", "", read, (), ("records",)),
            Stage("describe", "", describe, ("records",), ("described",), background=True),
            Stage("count", "", count, ("records",), ("counted",)),
            Stage("analyse", "", analyse, ("records", "counted"), ("analysis",)),
            Stage("write", "", write, ("described", "analysis"), ("written",))]


class _Pairs:
    def __init__(self):
        self.events = []

    def before(self, stage):
        self.events.append(("before", stage.name))

    def after(self, stage, seconds, result):
        self.events.append(("after", stage.name, seconds))


def _describe(records):
    return StageResult(data={"described": f"{len(records)} rows in {os.getpid()}"})


def test_a_background_stage_runs_in_a_child_and_ends_the_same(monkeypatch):
    monkeypatch.setenv("CRM_PIPELINE_WORKERS", "2")
    hooks = {}
    outs = {}
    for rows in (10**9, 1):                      # one process, then the stage in a child
        monkeypatch.setattr(runner, "BACKGROUND_FROM_ROWS", rows)
        hooks[rows] = _Pairs()
        outs[rows] = run_stages(_stages(_describe, slow=0.3), {}, [hooks[rows]])
    one, two = outs[10**9], outs[1]
    assert one["described"] == f"5 rows in {os.getpid()}"
    assert two["described"].startswith("5 rows in ") and two["described"] != one["described"]   # another process
    assert two["written"] == f"{two['described']}/15"          # the stage reading it waited for it
    assert {k: v for k, v in two.items() if k not in ("described", "written", "progress")} == \
        {k: v for k, v in one.items() if k not in ("described", "written", "progress")}
    assert [i.rule for i in two["issues"]] == ["file-empty"]
    events = hooks[1].events
    # every stage's before and after in pairs; the background one is reported when joined
    assert [e[:2] for e in events] == [("before", "read"), ("after", "read"), ("before", "count"), ("after", "count"),
                                       ("before", "analyse"), ("after", "analyse"), ("before", "describe"),
                                       ("after", "describe"), ("before", "write"), ("after", "write")]
    assert dict((e[1], e[2]) for e in events if e[0] == "after")["describe"] >= 0.3   # its time since it started


def _adds_an_issue(records):
    return StageResult(data={"described": "x"}, issues=(Issue(rule="file-empty", file="b.xlsx"),))


def _fails(records):
    raise ValueError("磁盘已满")


def test_a_background_stage_may_not_add_issues_and_its_failure_is_the_runs(monkeypatch):
    monkeypatch.setenv("CRM_PIPELINE_WORKERS", "2")
    monkeypatch.setattr(runner, "BACKGROUND_FROM_ROWS", 1)
    with pytest.raises(RuntimeError, match="describe"):
        run_stages(_stages(_adds_an_issue), {})
    with pytest.raises(ValueError, match="磁盘已满"):
        run_stages(_stages(_fails), {})


def test_small_months_and_one_worker_stay_in_one_process(monkeypatch):
    monkeypatch.setattr(runner, "BACKGROUND_FROM_ROWS", 1)
    monkeypatch.setenv("CRM_PIPELINE_WORKERS", "1")
    assert run_stages(_stages(_describe), {})["described"] == f"5 rows in {os.getpid()}"
    monkeypatch.setenv("CRM_PIPELINE_WORKERS", "2")
    monkeypatch.setattr(runner, "BACKGROUND_FROM_ROWS", 6)
    assert run_stages(_stages(_describe), {})["described"] == f"5 rows in {os.getpid()}"


def test_a_big_month_runs_its_background_stage_here(monkeypatch):
    """From MEMORY_FIRST_FROM_ROWS records on, memory comes first: a child reading the month's
    frames would copy every page it reads, so the background stage runs in this process."""
    monkeypatch.setenv("CRM_PIPELINE_WORKERS", "2")
    monkeypatch.setattr(runner, "BACKGROUND_FROM_ROWS", 1)
    monkeypatch.setattr("pipeline.parallel.MEMORY_FIRST_FROM_ROWS", 5)     # the 5 records of _stages
    out = run_stages(_stages(_describe), {}, [])
    assert out["described"] == f"5 rows in {os.getpid()}"
    monkeypatch.setattr("pipeline.parallel.MEMORY_FIRST_FROM_ROWS", 6)
    assert run_stages(_stages(_describe), {}, [])["described"] != f"5 rows in {os.getpid()}"
