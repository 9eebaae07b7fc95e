"""The runner drops what the history store handed the stages (TRANSIENT) once the last stage
reading it has run; every other output stays in the catalog."""
from __future__ import annotations

from pipeline.model import StageResult
from pipeline.runner import Stage, run_stages


def test_transient_frames_leave_the_catalog_after_their_last_reader():
    seen = []

    def load():
        return StageResult(data={"previous": "big snapshot", "runs": [1]})

    def compare(previous):
        seen.append(("compare", previous))
        return StageResult(data={"changes": "diff"})

    def report(previous, changes):
        seen.append(("report", previous, changes))
        return StageResult(data={"summary": "ok"})

    def write(changes):
        return StageResult(data={"written": True})

    stages = [Stage("load", "", load, (), ("previous", "runs")),
              Stage("compare", "", compare, ("previous",), ("changes",)),
              Stage("report", "", report, ("previous", "changes"), ("summary",)),
              Stage("write", "", write, ("changes",), ("written",))]
    out = run_stages(stages, {})
    assert seen == [("compare", "big snapshot"), ("report", "big snapshot", "diff")]
    assert "previous" not in out                                     # its last reader was `report`
    assert out["runs"] == [1] and out["changes"] == "diff" and out["written"] is True
    kept = run_stages(stages, {}, transient=())
    assert kept["previous"] == "big snapshot"


def test_a_run_collects_garbage_less_often_and_gives_the_callers_setting_back():
    import gc

    import pytest

    from pipeline.collector import RUN_GC_THRESHOLDS

    inside = []

    def stage():
        inside.append(gc.get_threshold())
        return StageResult(data={"done": True})

    def broken():
        raise ValueError("bad stage")

    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        run_stages([Stage("s", "", stage, (), ("done",))], {})
        assert inside == [RUN_GC_THRESHOLDS] and gc.get_threshold() == (700, 10, 10)
        with pytest.raises(ValueError):
            run_stages([Stage("b", "", broken, (), ("done",))], {})
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*before)
