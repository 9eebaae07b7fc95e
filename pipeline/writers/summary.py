"""summary.json (README “Output contract”): run counts and the manifest. Also used by `validate`."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from .. import __version__
from ..analysis import SEVERITIES, analyze


def _frame(value: Any) -> pd.DataFrame:
    return value if isinstance(value, pd.DataFrame) else pd.DataFrame()


def build_manifest(data: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs with sha256, package version and rules digest: enough to reproduce the run."""
    rules = data.get("rules")
    files = _frame(data.get("files"))
    inputs = []
    for rec in files.to_dict("records"):
        inputs.append({"file": rec.get("src_file", ""), "sha256": rec.get("sha256", "") or "",
                       "status": rec.get("status", "") or ""})
    options = data.get("options")
    return {
        "package": "crm-pipeline", "version": __version__,
        "rules_digest": getattr(rules, "digest", ""),
        "inputs": sorted(inputs, key=lambda r: r["file"]),
        "as_of": str(getattr(options, "as_of", data.get("as_of", "")) or ""),
    }


#: figures of the analysis stage summary.json carries besides the counts (see docs/report.md)
ANALYSIS_KEYS = ("file_table", "teams", "team_counts", "completeness", "ungraded", "trend", "teams_missing")


def build_summary(data: Mapping[str, Any]) -> dict[str, Any]:
    """summary.json of a run catalog: the analysis stage's counts and figures (computed here
    when the catalog has none, e.g. a catalog built by hand), the month and the manifest."""
    figures = data.get("analysis")
    if not figures:
        figures = analyze(data)
    options = data.get("options")
    as_of = getattr(options, "as_of", None) or data.get("as_of")
    month = getattr(options, "month", None) or data.get("month") or (as_of.strftime("%Y-%m") if as_of else "")
    return {
        **figures["counts"], **{k: figures[k] for k in ANALYSIS_KEYS if k in figures},
        "as_of": as_of.isoformat() if isinstance(as_of, dt.date) else str(as_of or ""),
        "month": month,
        "manifest": build_manifest(data),
        "files_not_read": _files_not_read(data),
        "ledger": _ledger(data),
    }


def _files_not_read(data: Mapping[str, Any]) -> list[dict[str, str]]:
    from ..ledger import files_not_read

    files = data.get("files")
    return files_not_read(files) if files is not None else []


def _ledger(data: Mapping[str, Any]) -> dict[str, Any]:
    """The run of the month (pipeline/ledger.py): its number, where the previous outputs were
    kept, how the month was chosen, what changed since the previous run."""
    options = data.get("options")
    keep = data.get("keep_previous")
    kept = ""
    if keep and options is not None:
        try:
            kept = Path(keep).relative_to(Path(options.output_dir)).as_posix()
        except ValueError:
            kept = str(keep)
    choice = data.get("month_choice") or {}
    return {"run": int(data.get("run_no") or 1), "fresh": bool(getattr(options, "fresh", False)),
            "kept_previous_as": kept, "month_source": choice.get("source", ""),
            "month_reason": choice.get("reason", ""),
            "superseded": dict(sorted((data.get("superseded") or {}).items())),
            "since_previous_run": data.get("run_changes") or {},
            "interrupted": dict(data.get("interrupted") or {})}


def write_summary(path: Path, summary: Mapping[str, Any]) -> None:
    Path(path).write_text(json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n",
                          encoding="utf-8")
