"""The pipeline, declared in one place, and the small runner that executes it.

Each :class:`Stage` names the inputs it takes from the run's data catalog and the outputs
it adds to it. Timing and progress live in runner hooks, never inside stages.
"""
from __future__ import annotations

import time
import tracemalloc
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Iterable, Protocol

from . import analysis, grade, history, intake, ledger, merge, monthly, normalize, parallel, resubmit, validate, writers
from .collector import fewer_collections, give_back_freed_memory
from .issues import Issue
from .model import StageResult
from .parallel import JobPool, default_workers
from .sharing import share_repeated


@dataclass(frozen=True)
class Stage:
    name: str
    label: str                     # Chinese, shown in progress lines
    func: Callable[..., StageResult]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    #: may run in a forked child beside the stages after it, until one of them reads its outputs
    #: (a big month only: :data:`BACKGROUND_FROM_ROWS`); such a stage adds no issues
    background: bool = False
    #: outputs (frames) whose repeated texts are then stored once each (:mod:`.sharing`): the
    #: frames that live to the write stage, taken as the stage making their columns ends
    shared: tuple[str, ...] = ()
    #: (name, columns): frames of which this stage and the ones after it read only these
    #: columns; the others are dropped before it runs (their memory goes back)
    narrow: tuple[tuple[str, tuple[str, ...]], ...] = ()


#: ledger → intake → versions → validate → normalize → history(read) → merge → grade → carry → monthly
#: → resubmit → rerun → analysis; then WRITE and SAVE (the history store is written last).
PIPELINE: tuple[Stage, ...] = (
    Stage("ledger", "核对提交文件", ledger.gather_submissions,
          ("paths", "input_dir", "output_dir", "history_path", "month", "fresh", "rules"),
          ("paths", "source_names", "source_paths", "candidates")),
    Stage("intake", "读取文件", intake.read_inputs, ("paths", "input_dir", "rules", "progress", "source_names"),
          ("records", "source_rows", "files", "columns", "related", "column_map")),
    Stage("versions", "识别新旧版本", ledger.resolve_versions,
          ("records", "source_rows", "files", "related", "issues", "candidates", "rules"),
          ("records", "source_rows", "files", "related", "issues", "superseded")),
    Stage("validate", "结构校验", validate.validate_records, ("records", "columns", "rules"), ("records",)),
    Stage("normalize", "规范化", normalize.normalize_records, ("records", "columns", "rules", "as_of"),
          ("records", "fixes", "contacts"), shared=("records", "fixes")),
    Stage("normalize_related", "规范化关联表", normalize.normalize_related,
          ("related", "rules", "as_of", "contacts", "fixes", "records", "issues"), ("related", "fixes")),
    Stage("history", "读取历史", history.load_history, ("history_path", "month", "rules"),
          ("known", "previous", "previous_submissions", "runs", "decisions_known")),
    Stage("review", "读取疑似重复判定", intake.read_review_decisions,
          ("paths", "history_path", "month", "decisions_known", "rules"), ("review_decisions",)),
    Stage("merge", "合并去重", merge.merge_records, ("records", "rules", "known", "review_decisions"),
          ("customers", "links", "merges", "conflicts", "identities", "merge_stats", "reviews"),
          shared=("links", "identities")),              # customers: after grade, with its columns
    Stage("grade", "客户分级", grade.grade_customers, ("customers", "rules", "as_of"), ("customers",),
          shared=("customers",)),
    Stage("carry", "沿用上月扩展列", monthly.carry_extensions, ("customers", "previous", "records", "column_map"),
          ("customers",)),
    Stage("monthly", "月度对比", monthly.compare_months,
          ("customers", "previous", "records", "related", "rules", "as_of"), ("changes", "reminders")),
    Stage("resubmit", "复核重新提交", resubmit.compare_submissions,
          ("records", "issues", "previous_submissions", "files", "columns", "rules", "month"),
          ("resubmission", "submissions"), background=True),     # beside rerun and analysis
    Stage("rerun", "与本月上次运行对比", ledger.compare_runs,
          ("customers", "files", "previous_run", "run_no", "rules"), ("run_changes",)),
    Stage("analysis", "统计分析", analysis.analyze_run,
          ("issues", "columns", "records", "customers", "source_rows", "links", "files", "fixes", "rules", "runs",
           "month", "merge_stats"), ("analysis", "issue_table")),
)

#: the write stage runs separately so `validate` can stop before it
WRITE = Stage("write", "写出结果", writers.write_stage, writers.WRITE_INPUTS,
              ("summary", "customers_written", "save_staged"),
              narrow=(("records", writers.WRITE_RECORD_COLUMNS),))
#: saving the run (ledger, copies of the submissions, snapshot, identities) is its own stage
SAVE = Stage("save", "保存历史", history.record_run, history.SAVE_INPUTS, ("saved",))


#: what the history store hands the stages (last month's snapshot, every identity key, earlier
#: submissions, the month's previous run with its snapshot…): big at a million customers and
#: no result of the run, so each is dropped from the catalog once the last stage reading it has run
TRANSIENT = ("known", "previous", "previous_submissions", "decisions_known", "previous_run", "contacts")

#: from this many records on, a ``background`` stage runs in a forked child (below, forking
#: costs more than the overlap gains) — up to :data:`~pipeline.parallel.MEMORY_FIRST_FROM_ROWS`
BACKGROUND_FROM_ROWS = 40_000


class Hook(Protocol):
    def before(self, stage: Stage) -> None: ...
    def after(self, stage: Stage, seconds: float, result: StageResult) -> None: ...


def _progress(stage: Stage, hooks: list) -> Callable[[int, int, str], None]:
    """What a long stage calls as it goes (``done`` of ``total`` units, the last one's name);
    forwarded to the hooks that have a ``step(stage, done, total, what)`` method."""
    steps = [h.step for h in hooks if hasattr(h, "step")]

    def progress(done: int, total: int, what: str = "") -> None:
        for step in steps:
            step(stage, done, total, what)
    return progress


@dataclass
class Timings:
    """Records wall time and (optionally) peak Python memory per stage."""

    trace_memory: bool = False
    seconds: dict[str, float] = field(default_factory=dict)
    peak_bytes: dict[str, int] = field(default_factory=dict)

    def before(self, stage: Stage) -> None:
        if self.trace_memory:
            tracemalloc.start()

    def after(self, stage: Stage, seconds: float, result: StageResult) -> None:
        self.seconds[stage.name] = seconds
        if self.trace_memory:
            self.peak_bytes[stage.name] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()


def run_stages(stages: Iterable[Stage], catalog: dict[str, Any], hooks: Iterable[Hook] = (),
               transient: Iterable[str] = TRANSIENT) -> dict[str, Any]:
    """Execute stages in order over ``catalog`` (name -> value). Issues accumulate in
    ``catalog["issues"]``. A ``transient`` name is dropped once no later stage declares it as
    an input. Returns the catalog (a new dict; the input is not changed)."""
    with fewer_collections():
        return _run_stages(stages, catalog, hooks, transient)


@dataclass
class _Pending:
    """A background stage running in a child: joined when a later stage reads its outputs."""

    stage: Stage
    pool: JobPool
    slot: int
    start: float


def _in_background(stage: Stage, data: dict[str, Any]) -> bool:
    records = data.get("records")
    return stage.background and records is not None \
        and BACKGROUND_FROM_ROWS <= len(records) < parallel.MEMORY_FIRST_FROM_ROWS \
        and default_workers() >= 2


def _run_stages(stages: Iterable[Stage], catalog: dict[str, Any], hooks: Iterable[Hook],
                transient: Iterable[str]) -> dict[str, Any]:
    data = dict(catalog)
    data.setdefault("issues", [])
    hooks = list(hooks)
    stages = list(stages)
    last_use = {name: i for i, stage in enumerate(stages) for name in stage.inputs if name in set(transient)}
    pending: list[_Pending] = []
    try:
        for index, stage in enumerate(stages):
            for job in [j for j in pending if set(j.stage.outputs) & set(stage.inputs)]:
                pending.remove(job)
                _join(job, data, hooks)
            data["progress"] = _progress(stage, hooks)
            _narrow(stage, data)
            kwargs = {name: data[name] for name in stage.inputs}
            if _in_background(stage, data):
                pool = JobPool(2)
                pending.append(_Pending(stage, pool, pool.submit(partial(stage.func, **kwargs)), time.perf_counter()))
            else:
                for h in hooks:
                    h.before(stage)
                start = time.perf_counter()
                result = stage.func(**kwargs)
                _take(stage, result, data)
                elapsed = time.perf_counter() - start
                for h in hooks:
                    h.after(stage, elapsed, result)
                del result
            for name in [n for n, i in last_use.items() if i == index and n in data]:
                del data[name]                        # its last reader has run (TRANSIENT)
            del kwargs
            give_back_freed_memory()                  # before the next stage forks or grows
        while pending:
            _join(pending.pop(0), data, hooks)
    finally:
        for job in pending:                           # a later stage failed: stop the children
            job.pool.__exit__(RuntimeError, None, None)
    return data


def _narrow(stage: Stage, data: dict[str, Any]) -> None:
    for name, keep in stage.narrow:
        frame = data.get(name)
        if frame is not None and hasattr(frame, "columns") and set(frame.columns) - set(keep):
            data[name] = frame[[c for c in frame.columns if c in keep]].copy()
            del frame
            give_back_freed_memory()


def _take(stage: Stage, result: StageResult, data: dict[str, Any]) -> None:
    missing = set(stage.outputs) - set(result.data)
    if missing:
        raise RuntimeError(f"stage {stage.name} did not produce {sorted(missing)}")
    data.update({k: result.data[k] for k in stage.outputs})
    for name in stage.shared:
        share_repeated(data[name])
    data["issues"] = [*data["issues"], *result.issues]


def _join(job: _Pending, data: dict[str, Any], hooks: list) -> None:
    """Wait for a background stage and take its outputs; its hooks run now (with its wall time
    since it started), so every hook still sees before/after in pairs."""
    for h in hooks:
        h.before(job.stage)
    with job.pool:
        result = job.pool.wait()[job.slot]
    if result.issues:
        raise RuntimeError(f"background stage {job.stage.name} added issues the stages after it did not see")
    _take(job.stage, result, data)
    elapsed = time.perf_counter() - job.start
    for h in hooks:
        h.after(job.stage, elapsed, result)
