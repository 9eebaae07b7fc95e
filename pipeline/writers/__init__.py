"""The WRITE stage: every file of ``output/<YYYY-MM>/`` (README "Output contract"), built
aside and moved into place whole under a per-month lock (held by the whole run when
``catalog["lock_held"]``); the previous outputs of the month move to ``catalog["keep_previous"]``
when given. Recording the run in the history store is the next stage (``history.record_run``).
"""
from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from ..analysis import analyze
from ..history_staged import discarded_on_error, stage_save, staged_path
from ..issues import issues_frame
from ..model import StageResult
from .atomic import build_aside
from .issues_csv import write_issues_csv
from .lock import RunLocked, output_lock
from .master import data_status, write_master
from .report import write_report
from .. import parallel
from ..parallel import PARALLEL_FROM_CELLS, JobPool, default_workers
from .returns import ReturnResult, return_issues, returns_summary, write_returns
from .summary import build_summary, write_summary
from .views import write_views

__all__ = ["WRITE_INPUTS", "WRITE_RECORD_COLUMNS", "WriteInputs", "write_outputs", "write_stage", "RunLocked"]

#: Everything the writers read from the run's data catalog: the write stage's declared inputs
#: (pipeline/runner.py). A writer needing another table adds its name here.
WRITE_INPUTS = (
    "options", "rules", "as_of", "month", "started", "progress", "issues",
    "records", "columns", "column_map", "files", "source_rows", "related", "fixes",   # intake, normalize
    "customers", "links", "merges", "conflicts", "identities", "merge_stats",    # merge, grade
    "reviews", "review_decisions",                                                # 疑似重复 queue, decisions
    "changes", "reminders", "resubmission", "submissions",                       # monthly, resubmit
    "runs", "analysis", "issue_table",                                           # history, analysis
    # the ledger (pipeline/ledger.py, pipeline/api.py): copies of earlier submissions, versions,
    # the run of the month, where the previous outputs go, how the month was chosen
    "source_paths", "superseded", "run_changes", "run_no", "keep_previous", "lock_held", "month_choice",
    "interrupted",
)

#: The only columns of ``records`` the writers read (where each source row came from, a form's
#: cells, the team): the runner drops the others before the write stage (at a million rows the
#: save stage's peak fell from 5 928 to 4 797 MB, bench/README.md).
#: Every figure made from the records' field values (completeness) is the analysis stage's.
WRITE_RECORD_COLUMNS = ("row_id", "src_file", "src_sheet", "src_row", "src_team", "src_layout", "src_cells")


def _write_workers(catalog: dict[str, Any], customers: pd.DataFrame) -> int:
    """Child processes for the workbooks: only when the run is big enough to gain from them."""
    rows = len(catalog.get("source_rows")) if catalog.get("source_rows") is not None else 0
    cells = len(customers) * (len(catalog["rules"].fields) + 1) * 3 + rows * 25
    return default_workers() if cells >= PARALLEL_FROM_CELLS else 1


def _heavy_alone(catalog: dict[str, Any]) -> bool:
    """A big month writes its master, staged history and role views one at a time (the
    returned workbooks fill the other workers): each copies much of this process's memory, and
    side by side they set the run's peak (bench/README.md). Smaller months keep every worker on
    the costliest files."""
    rows = len(catalog.get("source_rows")) if catalog.get("source_rows") is not None else 0
    return rows >= parallel.MEMORY_FIRST_FROM_ROWS


def _customers_with_status(catalog: dict[str, Any], issue_table: pd.DataFrame) -> pd.DataFrame:
    customers = catalog["customers"].copy(deep=False)     # a new column only: the values stay shared
    customers["data_status"] = data_status(customers, issue_table, catalog.get("links"), catalog.get("source_rows"))
    return customers


#: summary.json counts kept with the run in the history store (``runs.counts``)
RUN_COUNTS = ("files", "rows_read", "customers", "merged_rows", "rejected_rows", "skipped_rows", "superseded_rows",
              "duplicates_merged", "issues_by_severity", "issues_by_rule", "grades", "team_counts")


def run_record(catalog: dict[str, Any], summary: dict[str, Any]) -> dict[str, Any]:
    """What ``history.save_run`` stores about the run: the manifest (inputs with sha256,
    package version, rules digest, as_of) plus rows, counts and the start/finish times."""
    return {**summary["manifest"], "rows": summary.get("rows_read"),
            "counts": {k: summary[k] for k in RUN_COUNTS if k in summary},
            "started": catalog.get("started"), "finished": dt.datetime.now().isoformat(timespec="seconds")}


class WriteInputs(dict):
    """What the writers read. Asking for a name that is neither declared in WRITE_INPUTS nor
    made by the write stage itself is a bug, raised instead of answered with None (a writer
    reading an undeclared table would otherwise silently leave out a sheet)."""

    MADE = ("issue_table", "summary", "fixes_written")

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self and key not in WRITE_INPUTS and key not in self.MADE:
            raise KeyError(f"the writers read {key!r}, which is not in WRITE_INPUTS (pipeline/writers/__init__.py)")
        return super().get(key, default)


def write_stage(**inputs: Any) -> StageResult:
    """The write stage: :func:`write_outputs` over exactly its declared inputs (WRITE_INPUTS)."""
    unknown = set(inputs) - set(WRITE_INPUTS)
    if unknown:
        raise TypeError(f"write stage got undeclared inputs {sorted(unknown)}")
    return write_outputs(inputs, stage_history=True)


def write_outputs(catalog: dict[str, Any], stage_history: bool = False) -> StageResult:
    """Write customers.xlsx, issues.csv, summary.json, report.html, returns/ and views/ into
    ``output/<YYYY-MM>/``. ``stage_history``: also encode what the save stage stores, beside the
    workbooks (:mod:`pipeline.history_staged`); the result's ``save_staged`` names the file."""
    options, rules = catalog["options"], catalog["rules"]
    issue_table = catalog.get("issue_table")           # the analysis stage's
    if issue_table is None:
        issue_table = issues_frame(catalog.get("issues", []), rules, catalog.get("columns"))
    customers = _customers_with_status(catalog, issue_table)
    data = WriteInputs({**catalog, "customers": customers, "issue_table": issue_table})
    summary = build_summary(data)
    data["summary"] = summary
    out_root = Path(options.output_dir)
    month = options.month
    progress = catalog.get("progress") or (lambda done, total, what="": None)
    finished: list[str] = []

    staged = staged_path(out_root, month) if stage_history else None
    staged_slot = -1

    def done(slot: int) -> None:               # a workbook is written: its path is the job's result
        if slot == staged_slot:
            return
        finished.append(Path(str(pool.results[slot])).name)
        progress(len(finished), 0, finished[-1])

    lock = contextlib.nullcontext() if catalog.get("lock_held") else output_lock(out_root, month)
    with lock, discarded_on_error(staged):
        with build_aside(out_root / month, catalog.get("keep_previous")) as tmp, \
                JobPool(_write_workers(catalog, customers), done, heavy_alone=_heavy_alone(catalog)) as pool:
            # big runs: the workbooks are built in child processes (costliest first); small
            # runs: one after the other, here. The small files come last: they say how each
            # submission came back (docs/outputs.md, Returned workbooks)
            # a big month writes its master here, the returned workbooks beside it in children
            # (pool.heavy_alone): read in a child, the master's data would be copied page by page
            master_here = pool.parallel and pool.heavy_alone
            if not master_here:
                pool.submit(write_master, tmp / "customers.xlsx", data, customers, heavy=True)
            with pool.held():
                if staged is not None:
                    staged_slot = len(pool.results)
                    pool.submit(stage_save, staged, month, customers, catalog.get("identities"), heavy=True)
                write_views(tmp / "views", customers, rules, pool)
                write_returns(tmp / "returns", data, issue_table, pool)
                # issues.csv last in the queue: it fills the core the last workbooks leave idle.
                # Its table changes only when a return adds issues; then it is written again below
                pool.submit(write_issues_csv, tmp / "issues.csv", issue_table)
            if master_here:
                pool.run_here(write_master, tmp / "customers.xlsx", data, customers, heavy=True)
            returned = [r for r in pool.wait() if isinstance(r, ReturnResult)]
            extra = return_issues(returned, rules)
            if extra:
                issue_table = issues_frame([*catalog.get("issues", []), *extra], rules, catalog.get("columns"))
                data["issue_table"] = issue_table
                write_issues_csv(tmp / "issues.csv", issue_table)
            data["fixes_written"] = {r.src_file: r.fixed for r in returned}
            counted = {f.get("file"): f.get("fixed") for f in (data.get("analysis") or {}).get("file_table") or ()}
            if extra or any(counted.get(f) != n for f, n in data["fixes_written"].items()):
                data["analysis"] = analyze(data)   # the returns' own issues and 已更正 lines count everywhere too
                summary = build_summary(data)
            summary["returns"] = returns_summary(returned, rules, tmp / "returns")
            data["summary"] = summary
            write_summary(tmp / "summary.json", summary)
            write_report(tmp / "report.html", data)
    return StageResult(data={"summary": summary, "issue_table": issue_table, "customers_written": customers,
                             "save_staged": staged})
