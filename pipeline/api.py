"""Public functions behind the CLI; usable from a notebook. No printing here."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from . import history, intake
from .issues import issues_frame
from .model import RunOptions
from .rules import Rules, load_rules
from .runner import PIPELINE, SAVE, WRITE, Hook, run_stages
from .writers.lock import output_lock

#: output/versions/<YYYY-MM>/<N>/: the outputs of run N of a month, kept when run N+1 replaced them
VERSIONS_DIR = "versions"

FAIL_LEVELS = {"error": ("error",), "warning": ("error", "warning"), "never": ()}


@dataclass
class RunResult:
    summary: dict[str, Any]
    issues: Any                      # the issue table (DataFrame)
    output_dir: Path | None          # output/<YYYY-MM>/ or None for validate
    catalog: dict[str, Any] = field(default_factory=dict, repr=False)

    def threshold_reached(self, fail_on: str) -> bool:
        levels = FAIL_LEVELS.get(fail_on, ())
        return bool(levels) and bool(self.issues["severity"].isin(levels).any()) if len(self.issues) else False


def _catalog(options: RunOptions, rules: Rules, paths: list[Path]) -> dict[str, Any]:
    return {
        "options": options, "rules": rules, "paths": paths, "input_dir": options.input_dir,
        "output_dir": options.output_dir, "fresh": options.fresh,
        "as_of": options.as_of, "month": options.month,
        "history_path": options.output_dir / "history.sqlite",
        "previous_run": {"run_no": 0}, "run_no": 1, "lock_held": False, "keep_previous": None, "interrupted": {},
        "month_choice": {"source": "指定", "reason": ""},
        "started": dt.datetime.now().isoformat(timespec="seconds"),
    }


def version_folder(output_dir: Path, month: str, run_no: int) -> Path:
    """Where the outputs of run ``run_no`` of ``month`` are kept once a later run replaces
    them: ``output/versions/<YYYY-MM>/<N>/`` (the next free number from ``run_no`` on)."""
    n = max(int(run_no), 1)
    while (Path(output_dir) / VERSIONS_DIR / month / str(n)).exists():
        n += 1
    return Path(output_dir) / VERSIONS_DIR / month / str(n)


def _written_run(month_dir: Path) -> int:
    """The run number the month's current outputs say they are from (summary.json), 0 if none."""
    import json

    try:
        return int(json.loads((month_dir / "summary.json").read_text(encoding="utf-8"))["ledger"]["run"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def _interrupted(options: RunOptions, stale: list[dict], last: int, unsaved: int) -> dict[str, Any]:
    """What the steward is told about an earlier run of the month that did not finish: when it
    started (its stale lock), and — when it had written its outputs but not saved the history
    (``unsaved``, its number) — where those outputs are kept now and where the outputs of the
    last saved run are (``earlier_kept``: run ``last``'s folder, for the history store)."""
    if not stale and not unsaved:
        return {}
    out = {"since": str((stale[0] if stale else {}).get("since") or ""), "unsaved_run": unsaved}
    if unsaved:
        kept = version_folder(options.output_dir, options.month, unsaved)
        out["unsaved_kept_as"] = kept.relative_to(options.output_dir).as_posix()
        earlier = Path(options.output_dir) / VERSIONS_DIR / options.month / str(last)
        out["earlier_kept"] = {str(last): earlier.relative_to(options.output_dir).as_posix()} \
            if last and earlier.is_dir() else {}
    return out


def run_pipeline(options: RunOptions, rules: Rules | None = None, hooks: Iterable[Hook] = (),
                 month_choice: dict[str, str] | None = None) -> RunResult:
    """Process the month's submissions (the ledger's and what is new in ``options.input_dir``;
    only the latter with ``options.fresh``) into ``output/<YYYY-MM>/``. The month is locked for
    the whole run; the previous outputs of the month are kept under ``output/versions/``."""
    rules = rules or load_rules()
    paths = intake.list_inputs(options.input_dir, rules)
    if not options.write_master:
        data = run_stages(PIPELINE, _catalog(options, rules, paths), hooks)
        table = issues_frame(data["issues"], rules, data.get("columns"))
        return RunResult(summary={}, issues=table, output_dir=None, catalog=data)
    stale: list[dict] = []
    with output_lock(options.output_dir, options.month, on_stale=stale.append):
        history.check_store(options.output_dir)
        catalog = _catalog(options, rules, paths)
        previous = history.load_previous_run(catalog["history_path"], options.month)
        month_dir = Path(options.output_dir) / options.month
        last = int(previous["run_no"])
        unsaved = _written_run(month_dir)
        unsaved = unsaved if unsaved > last else 0     # outputs of a run stopped before it saved
        interrupted = _interrupted(options, stale, last, unsaved)
        catalog.update(previous_run=previous, month_choice=month_choice or {"source": "指定", "reason": ""},
                       run_no=max(last, unsaved) + 1, lock_held=True, interrupted=interrupted,
                       keep_previous=version_folder(options.output_dir, options.month, unsaved or last or 1)
                       if month_dir.exists() else None)
        data = run_stages(PIPELINE + (WRITE, SAVE), catalog, hooks)
    table = data.get("issue_table")
    if table is None:
        table = issues_frame(data["issues"], rules, data.get("columns"))
    summary = data.get("summary") or {}
    return RunResult(summary=summary, issues=table, output_dir=month_dir, catalog=data)


def validate_paths(paths: Iterable[Path], as_of: dt.date, rules: Rules | None = None) -> RunResult:
    """Check files (or folders) without writing anything; returns issues and counts."""
    from .writers.summary import build_summary

    rules = rules or load_rules()
    files: list[Path] = []
    for p in paths:
        files.extend(intake.list_inputs(p, rules) if Path(p).is_dir() else [Path(p)])
    root = Path(paths[0]).parent if len(files) == 1 and not Path(paths[0]).is_dir() else None
    input_dir = Path(root or (paths[0] if Path(paths[0]).is_dir() else Path(paths[0]).parent))
    options = RunOptions(input_dir=input_dir, output_dir=Path("."), as_of=as_of, write_master=False)
    catalog = _catalog(options, rules, files)
    catalog["history_path"] = None
    data = run_stages(PIPELINE, catalog)
    table = data["issue_table"]
    return RunResult(summary=build_summary(data), issues=table, output_dir=None, catalog=data)


def write_template(kind: str, customer_type: str, path: Path, rules: Rules | None = None) -> Path:
    """Write a blank submission template (list or form) with dropdowns and hints."""
    from .template import build_template

    return build_template(kind, customer_type, Path(path), rules or load_rules())


def write_demo(folder: Path, seed: int = 20261123, rows: int | None = None) -> list[Path]:
    """Write realistic, messy sample submissions into ``folder``."""
    from .demo import write_demo_inputs

    return write_demo_inputs(Path(folder), seed=seed, rows=rows)


def write_review(quarter: str, output_dir: Path, rules: Rules | None = None, path: Path | None = None) -> Path:
    """季度客户评审.xlsx for ``quarter`` (``2026Q4``) from the history store under ``output_dir``;
    written to ``output_dir/<quarter>/季度客户评审.xlsx`` unless ``path`` is given.
    Raises :class:`pipeline.review.ReviewError` (a Chinese message) when history has no month
    of the quarter."""
    from . import history
    from .review import quarter_months, quarter_review
    from .writers.desk import write_review as write

    rules = rules or load_rules()
    months = quarter_months(quarter)
    history.check_store(Path(output_dir), need_runs=False)
    review = quarter_review(history.load_snapshots(Path(output_dir) / "history.sqlite", months), quarter, rules)
    return write(Path(path) if path else Path(output_dir) / review.quarter.upper() / "季度客户评审.xlsx", review, rules)


def write_confirmations(output_dir: Path, customer_ids: Iterable[str] = (), team: str = "", month: str = "",
                        kind: str = "xlsx", rules: Rules | None = None, folder: Path | None = None) -> list[Path]:
    """One 客户信息确认单 per selected customer (by 客户编号 or team) from the latest month in the
    history store (or ``month``), into ``output_dir/确认单/<month>/`` unless ``folder`` is given
    (outside the month folder, which a rerun of the month replaces whole)."""
    from . import history
    from .review import ReviewError, confirmations
    from .writers.desk import write_confirmations as write

    rules = rules or load_rules()
    history.check_store(Path(output_dir), need_runs=False)
    snaps = history.load_snapshots(Path(output_dir) / "history.sqlite", [month] if month else None)
    if not len(snaps):
        raise ReviewError(f"历史记录中没有{f' {month} 的' if month else '任何'}客户数据，请先运行该月份")
    month = month or str(snaps["month"].max())
    customers = snaps[snaps["month"] == month]
    items = confirmations(customers, rules, list(customer_ids), team)
    return write(Path(folder) if folder else Path(output_dir) / "确认单" / month, items, rules, month, kind)
