"""summary.json (README “Output contract”): run counts and the manifest. Also used by `validate`."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from .. import __version__
from ..issues import issues_frame
from ..model import OUTCOME_MERGED, OUTCOME_REJECTED, OUTCOME_SKIPPED
from ..rules import SEVERITIES
from .xlsx import is_blank



def _frame(value: Any) -> pd.DataFrame:
    return value if isinstance(value, pd.DataFrame) else pd.DataFrame()


def _counts(series: pd.Series, keys) -> dict[str, int]:
    counts = {k: 0 for k in keys}
    for v in series:
        if not is_blank(v):
            counts[str(v)] = counts.get(str(v), 0) + 1
    return counts


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


def build_summary(data: Mapping[str, Any]) -> dict[str, Any]:
    """Counts of a run catalog (after merge/grade): files, rows, customers, issues, grades."""
    rules = data.get("rules")
    table = data.get("issue_table")
    if table is None:
        table = issues_frame(data.get("issues", []), rules, data.get("columns"))
    src = _frame(data.get("source_rows"))
    links = _frame(data.get("links"))
    customers = _frame(data.get("customers"))
    skipped = int((src["outcome"] == OUTCOME_SKIPPED).sum()) if "outcome" in src else 0
    merged_links = links[links["outcome"] == OUTCOME_MERGED] if "outcome" in links else links.iloc[0:0]
    merged = len(merged_links)
    rejected = int((links["outcome"] == OUTCOME_REJECTED).sum()) if "outcome" in links else 0
    customers_with_rows = merged_links["customer_id"].nunique() if merged else 0
    orders = rules.grade_orders
    empty = pd.Series([], dtype=object)
    options = data.get("options")
    as_of = getattr(options, "as_of", None) or data.get("as_of")
    month = getattr(options, "month", None) or data.get("month") or (as_of.strftime("%Y-%m") if as_of else "")
    by_rule = {}
    if len(table):
        by_rule = {str(k): int(v) for k, v in table["rule"].value_counts().sort_index().items()}
    return {
        "files": len(_frame(data.get("files"))),
        "rows_read": len(src),
        "customers": len(customers),
        "merged_rows": merged,
        "rejected_rows": rejected,
        "skipped_rows": skipped,
        "duplicates_merged": int(merged - customers_with_rows),
        "pairs_compared": int((data.get("merge_stats") or {}).get("pairs_compared", 0) or 0),
        "issues_by_severity": _counts(table["severity"] if len(table) else empty, SEVERITIES),
        "issues_by_rule": by_rule,
        "grades": {
            key: _counts(customers.get(key, empty), order) for key, order in orders.items()
        },
        "as_of": as_of.isoformat() if isinstance(as_of, dt.date) else str(as_of or ""),
        "month": month,
        "manifest": build_manifest(data),
    }


def write_summary(path: Path, summary: Mapping[str, Any]) -> None:
    Path(path).write_text(json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n",
                          encoding="utf-8")
