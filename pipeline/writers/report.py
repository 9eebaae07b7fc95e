"""report.html (docs/report.md): one self-contained, offline Chinese quality report.

Rendered with jinja2 (autoescape on) from the run catalog; charts are inline SVG drawn
server-side (:mod:`pipeline.writers.charts`); the only script is a small filter for the
issue table, allowed by its sha256 in a restrictive Content-Security-Policy. Phones and
e-mails are masked everywhere (docs/security.md): issue values by their field's type, and every
other text through :func:`pipeline.mask.mask_text` as the template's finalize step.
"""
from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
from pathlib import Path
from typing import Any, Mapping

import jinja2
import pandas as pd
from markupsafe import Markup

from .. import analysis
from ..buildcache import cache_dir
from ..issues import SEVERITY_ORDER, SEVERITY_ZH, display_value
from ..mask import mask_text, mask_value
from ..model import OUTCOME_MERGED, OUTCOME_REJECTED, OUTCOME_SKIPPED
from ..monthly import owner_column
from ..values import is_missing
from ..quality import HEADLINE
from . import charts

TEMPLATE = "report.html.j2"
TABLE_HEADERS = {"change": "变化类型", "before": "变化前", "after": "变化后", "note": "说明", "kind": "提醒类型",
                 "date": "日期", "status": "复核结果", "src_file": "文件", "src_sheet": "工作表", "src_row": "行",
                 "column": "列", "previous_file": "上次提交", "previous_month": "上次月份", "rule": "规则代码",
                 "owner": "负责销售", "team": "所属团队"}
#: the 复核结果 table (pipeline.resubmit): columns shown, in order (record_key is internal)
RESUBMISSION_SHOWN = ["status", "src_file", "src_sheet", "src_row", "column", "name", "field", "before", "after",
                      "note", "previous_file", "previous_month"]
LAYOUT_ZH = {"list": "列表", "form-label": "表单（项目/填写内容）", "form-fields": "表单（字段清单）",
             "form-grid": "表单（标签/值）"}
_TONES = {"customers": "accent", "rejected_rows": "warn", "skipped_rows": "muted"}
#: (summary key, label, tone): the headline counts in the CLI's words (pipeline.quality.HEADLINE)
FIGURES = [(key, f"{label}{'' if unit == '个' else unit}", _TONES.get(key, "")) for key, label, unit in HEADLINE] + [
    ("error", "错误", "error"), ("warning", "警告", "warning"), ("info", "提示", "info")]


def _frame(value: Any) -> pd.DataFrame | None:
    return value if isinstance(value, pd.DataFrame) else None


#: control characters a submission may carry (NUL, ESC …): never useful on the page
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _cell(value: Any) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, (tuple, list, set, frozenset)):
        return "、".join(_cell(v) for v in value)
    return _CONTROL.sub("", display_value(value))


def _finalize(value: Any) -> Any:
    """Every {{ expression }} goes through here: masks phones and e-mails in any text."""
    if value is None:
        return ""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return mask_text(_CONTROL.sub("", value))


def _csp_hash(script: Any) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(str(script).encode("utf-8")).digest()).decode("ascii")


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Jinja's compiled templates kept beside the other built indexes (pipeline/buildcache.py;
    Jinja checks each against its template's source): compiling report.html took ~0.07 s a run."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        (folder / "jinja").mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder / "jinja"))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("pipeline", "templates"),
        autoescape=True, finalize=_finalize, trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.StrictUndefined, bytecode_cache=_bytecode_cache(),
    )
    env.filters["csp_hash"] = _csp_hash
    env.filters["num"] = lambda v: "" if v is None else f"{v:,}" if isinstance(v, int) else f"{v:,.1f}"
    env.filters["pct"] = lambda v, d=0: "" if v is None else f"{v:.{d}%}"
    env.filters["sev"] = lambda s: SEVERITY_ZH.get(s, s)
    return env


#: one environment per cache folder: a process whose ``CRM_PIPELINE_CACHE_DIR`` changes (a
#: test, a tool running several configurations) compiles into the folder now in force
_ENVS: dict[str | None, jinja2.Environment] = {}


def _env() -> jinja2.Environment:
    folder = cache_dir()
    key = None if folder is None else str(folder)
    if key not in _ENVS:
        _ENVS[key] = _environment()
    return _ENVS[key]


# ----------------------------------------------------------------------------- sections

def _summary(data: Mapping[str, Any]) -> dict[str, Any]:
    summary = data.get("summary")
    if summary:
        return dict(summary)
    from .summary import build_summary  # the same counts summary.json holds

    return build_summary(data)


def _figures(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    sev = summary.get("issues_by_severity") or {}
    out = []
    for key, label, tone in FIGURES:
        value = sev.get(key, 0) if key in ("error", "warning", "info") else summary.get(key)
        if value is None or (key == "superseded_rows" and not value):   # older versions: only when some
            continue
        out.append({"key": key, "label": label, "value": int(value), "tone": tone})
    return out


def _file_rows(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The file table of the analysis stage (summary.json ``file_table``), layout in Chinese,
    with how each file came back (summary.json ``returns``)."""
    back = {r.get("file"): r for r in ((summary.get("returns") or {}).get("files") or ())}
    return [{**r, "layout": LAYOUT_ZH.get(r.get("layout") or "", r.get("layout") or ""),
             "errors": r.get("error", 0), "warnings": r.get("warning", 0),
             "return_method": (back.get(r["file"]) or {}).get("method_zh", ""),
             "return_why": (back.get(r["file"]) or {}).get("reason", ""),
             "return_kind": (back.get(r["file"]) or {}).get("method", "")}
            for r in summary.get("file_table") or ()]


def _completeness(summary: Mapping[str, Any]) -> dict[str, Any]:
    """Teams × fields of summary.json ``completeness`` as display rows (share, or None where
    the field does not apply to any of the team's rows)."""
    comp = summary.get("completeness") or {}
    fields = list(comp.get("fields") or ())

    def row(name: str, rows: int, cells: Mapping[str, Any]) -> dict[str, Any]:
        return {"team": name, "rows": rows,
                "cells": [(f, (cells.get(f) or {}).get("share"), (cells.get(f) or {}).get("filled", 0),
                           (cells.get(f) or {}).get("rows", 0)) for f in fields]}
    teams = [row(t["team"], t["rows"], t["fields"]) for t in comp.get("teams") or ()]
    total = comp.get("total") or {}
    rows = max((c.get("rows", 0) for c in total.values()), default=0)
    return {"fields": fields, "teams": teams, "total": row("全部团队", rows, total) if total else None}


def _trend(summary: Mapping[str, Any]) -> dict[str, Any]:
    trend = summary.get("trend") or {}
    months = list(trend.get("months") or ())
    org = trend.get("organisation") or []
    svg = charts.line_chart(months, [("错误", [p["error"] for p in org], "#b03a2e"),
                                     ("警告", [p["warning"] for p in org], "#d68910")], title="全部团队问题趋势")
    teams = [{"team": t["team"], "points": [(p.get("month"), p.get("error"), p.get("warning"), p.get("rows"))
                                            for p in t["points"]],
              "spark": charts.sparkline([p.get("error") for p in t["points"]], title=f"{t['team']} 错误趋势")}
             for t in trend.get("teams") or ()]
    return {"months": months, "organisation": org, "svg": svg, "teams": teams}


def _reminders(frame: pd.DataFrame | None, customers: pd.DataFrame | None, rules) -> pd.DataFrame | None:
    """The reminders with the customer's 负责销售 (blank when no submission names one) and team."""
    if frame is None:
        return None
    out = frame.copy()
    owner = owner_column(customers, rules)
    if customers is not None and "customer_id" in out.columns and "customer_id" in customers.columns:
        ids = customers.drop_duplicates("customer_id").set_index("customer_id")
        out["owner"] = out["customer_id"].map(ids[owner]) if owner else ""
        if "src_teams" in ids.columns:
            out["team"] = out["customer_id"].map(ids["src_teams"].map(_cell))
    elif "owner" not in out.columns:
        out["owner"] = ""
    return out


def _catalog_text(text: str, template: str) -> str | Markup:
    """Text identical to its catalog template holds no submitted data: shown unmasked, so
    help such as “例如 13812345678” stays readable. Anything else is masked."""
    return Markup.escape(text) if text and text == template else mask_text(text)


def _issue_row(rec: Mapping[str, Any], types: Mapping[str, str], rules) -> dict[str, Any]:
    """One issue as display strings; a phone/e-mail value is masked by its field's type, also
    where the message or suggestion quotes it."""
    field = _cell(rec.get("field"))
    rule = rules.catalog.get(_cell(rec.get("rule")))
    ftype = types.get(field, "")
    raw = _cell(rec.get("value"))
    value = mask_value(raw, ftype) if raw else ""
    message, suggestion = _cell(rec.get("message")), _cell(rec.get("suggestion"))
    if raw and value != raw:  # the templates quote the value as “{value}”
        message, suggestion = (t.replace(f"“{raw}”", f"“{value}”") for t in (message, suggestion))
    return {
        "file": _cell(rec.get("file")), "sheet": _cell(rec.get("sheet")), "row": _cell(rec.get("row")),
        "column": _cell(rec.get("column")), "field": field, "rule": _cell(rec.get("rule")),
        "severity": _cell(rec.get("severity")), "value": mask_text(value),
        "message": _catalog_text(message, rule.message if rule else ""),
        "suggestion": _catalog_text(suggestion, rule.suggestion if rule else ""),
    }


def _issue_sections(issue_table: pd.DataFrame | None, rules, settings: Mapping[str, Any]):
    types = {f.name: f.type for f in rules.fields}
    groups = analysis.issue_groups(issue_table, rules, int(settings["examples_per_rule"]))
    for g in groups:
        g["examples"] = [_issue_row(r, types, rules) for r in g["examples"]]
    details: list[dict[str, str]] = []
    total = 0 if issue_table is None else len(issue_table)
    if total:
        order = issue_table["severity"].map(SEVERITY_ORDER).fillna(9)
        head = issue_table.assign(_o=order).sort_values("_o", kind="stable").head(int(settings["max_issue_rows"]))
        details = [_issue_row(r, types, rules) for r in head.to_dict("records")]
    return groups, details, total


def _rejected_rows(data: Mapping[str, Any], limit: int) -> tuple[list[dict[str, str]], int]:
    links, src = _frame(data.get("links")), _frame(data.get("source_rows"))
    if links is None or links.empty or "outcome" not in links.columns:
        return [], 0
    rejected = links[links["outcome"] == OUTCOME_REJECTED]
    where: dict[int, tuple] = {}
    if src is not None and not src.empty and "row_id" in src.columns:
        known = src[src["row_id"].notna()]
        where = {int(r): (f, s, n) for r, f, s, n in
                 zip(known["row_id"], known["src_file"], known["src_sheet"], known["src_row"])}
    rows = []
    for rec in rejected.head(limit).to_dict("records"):
        f, s, n = where.get(int(rec["row_id"]), ("", "", "")) if pd.notna(rec.get("row_id")) else ("", "", "")
        rows.append({"file": _cell(f), "sheet": _cell(s), "row": _cell(n), "reason": _cell(rec.get("reason"))})
    return rows, len(rejected)


def _generic_table(frame: pd.DataFrame | None, names: Mapping[str, str], limit: int) -> dict[str, Any] | None:
    """A frame from another stage (月度变化, 提醒清单: model.CHANGE_COLUMNS / REMINDER_COLUMNS)
    shown as it is, headers in Chinese, with counts per kind of change or reminder."""
    if frame is None:
        return None
    cols = [c for c in frame.columns if not str(c).startswith("_") and c not in ("row_ids", "row_id")]
    kind = next((c for c in ("change", "kind", "status") if c in frame.columns), None)
    kinds = [(str(k), int(n)) for k, n in frame[kind].value_counts(sort=False).items()] if kind else []
    return {
        "headers": [TABLE_HEADERS.get(str(c)) or names.get(str(c), str(c)) for c in cols],
        "rows": [[_cell(v) for v in row] for row in frame[cols].head(limit).itertuples(index=False, name=None)],
        "total": len(frame), "kinds": kinds,
    }


def _resubmission_table(frame: pd.DataFrame | None, rules, limit: int) -> dict[str, Any] | None:
    """复核结果: shown only when some file of the run was a resubmission (rows exist). Values of
    phone and e-mail fields are masked by the field's type, also where the note quotes them."""
    if frame is None or not len(frame):
        return None
    types = {f.name: f.type for f in rules.fields}
    shown = frame[[c for c in RESUBMISSION_SHOWN if c in frame.columns]].copy()
    if {"field", "before", "after", "note"} <= set(shown.columns):
        masked = []
        for field, before, after, note in zip(shown["field"], shown["before"], shown["after"], shown["note"]):
            pair = []
            note = _cell(note)
            for raw in (_cell(before), _cell(after)):
                value = mask_value(raw, types.get(_cell(field), "")) if raw else ""
                if raw and value != raw:
                    note = note.replace(f"“{raw}”", f"“{value}”")
                pair.append(value)
            masked.append((*pair, note))
        shown[["before", "after", "note"]] = pd.DataFrame(masked, index=shown.index)
    return _generic_table(shown, {**rules.field_names, "name": "客户名称", "field": "字段"}, limit)


def _distributions(customers: pd.DataFrame | None, summary: Mapping[str, Any], rules, settings) -> dict[str, Markup]:
    out = {
        "region": charts.bar_chart(analysis.count_by(customers, "region", order=(
            "华北", "东北", "华东", "华中", "华南", "西南", "西北", "港澳台")), title="按所属大区"),
        "province": charts.bar_chart(analysis.count_by(customers, "province", top=int(settings["top_provinces"])),
                                     title="按省份"),
        "industry": charts.bar_chart(analysis.count_by(customers, "industry_section",
                                                       top=int(settings["top_industries"])),
                                     title="按行业门类", label_chars=11),
    }
    bands = []
    if customers is not None and "employees" in customers.columns:
        bands = analysis.band_order(v for v in customers["employees"].map(analysis._text) if v)
    out["employees"] = charts.bar_chart(analysis.count_by(customers, "employees", order=bands), title="按员工规模")
    grades = summary.get("grades") or {}
    for key, order in rules.grade_orders.items():
        counts = dict(grades.get(key) or analysis.grade_counts(customers, key, order))
        items = [(g, counts.get(g, 0)) for g in order] + [(g, n) for g, n in counts.items() if g not in order]
        ungraded = int(summary.get("customers") or 0) - sum(n for _, n in items)
        if ungraded > 0:
            items.append(("未评定", ungraded))
        out[key] = charts.bar_chart(items, colors=charts.GRADE_COLORS, title=key)
    return out


def _grade_cards(summary: Mapping[str, Any], rules, customers: pd.DataFrame | None) -> list[dict[str, Any]]:
    spec = [(key, rules.field_names[key], order) for key, order in rules.grade_orders.items()]
    grades = summary.get("grades") or {}
    total = int(summary.get("customers") or 0)
    cards = []
    for key, label, order in spec:
        counts = dict(grades.get(key) or analysis.grade_counts(customers, key, order))
        items = [(g, int(counts.get(g, 0))) for g in order] + [(g, int(n)) for g, n in counts.items() if g not in order]
        graded = sum(n for _, n in items)
        cards.append({"key": key, "label": label, "counts": items, "ungraded": max(0, total - graded)})
    return cards


def _column_maps(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The 列映射 per file (intake ``column_map``): header -> field, how matched, sample values;
    extension columns counted (they are kept in 客户主档 under the team's header)."""
    frame = _frame(data.get("column_map"))
    if frame is None or frame.empty:
        return []
    types = {f.name: f.type for f in data["rules"].fields}
    out = []
    for file, part in frame.groupby("src_file", sort=False):
        rows = [{k: _cell(v) for k, v in r.items()} for r in part.to_dict("records")]
        for r in rows:                # samples of a phone or e-mail column: masked as that field
            kind = types.get(r["field"], "")
            if kind in ("mobile", "landline", "email"):
                r["samples"] = "、".join(mask_value(v, kind) for v in r["samples"].split("、"))
        extensions = sum(1 for r in rows if r["method"].startswith("扩展列"))
        out.append({"file": _cell(file), "rows": rows, "count": len(rows), "extensions": extensions})
    return out


def _run_section(summary: Mapping[str, Any]) -> dict[str, Any] | None:
    """本次运行 (pipeline/ledger.py): how the month was chosen, which run of the month this is,
    where the previous outputs were kept and what changed since; None without ledger facts."""
    ledger = summary.get("ledger") or {}
    if not ledger:
        return None
    changes = ledger.get("since_previous_run") or {}
    files = [("新增文件", changes.get("files_added") or []), ("内容有变化的文件", changes.get("files_changed") or []),
             ("不再采用的文件", changes.get("files_no_longer_read") or [])]
    return {"run": ledger.get("run", 1), "fresh": ledger.get("fresh", False), "kept": ledger.get("kept_previous_as", ""),
            "month_reason": ledger.get("month_reason", ""), "changes": changes,
            "files": [(label, names) for label, names in files if names],
            "fields": list((changes.get("fields_changed") or {}).items()),
            "superseded": list((ledger.get("superseded") or {}).items())}


def build_context(data: Mapping[str, Any]) -> dict[str, Any]:
    rules = data["rules"]
    settings = dataclasses.asdict(rules.report_config)   # rules/report.yaml, typed in pipeline/settings.py
    options = data.get("options")
    as_of = getattr(options, "as_of", None) or data.get("as_of")
    month = getattr(options, "month", None) or data.get("month") or (as_of.strftime("%Y-%m") if as_of else "")
    summary = _summary(data)
    issue_table = _frame(data.get("issue_table"))
    customers = _frame(data.get("customers"))
    groups, details, total_issues = _issue_sections(issue_table, rules, settings)
    rejected, rejected_total = _rejected_rows(data, int(settings["max_table_rows"]))
    pareto = analysis.amount_pareto(customers, rules)
    texts = customers["core_need"] if customers is not None and "core_need" in customers.columns else []
    words = analysis.hot_words(texts, rules, int(settings["hot_words"]), settings.get("hot_words_max_texts"))
    tag_counts: list[tuple[str, int]] = []
    if customers is not None and "need_tags" in customers.columns:
        tags = customers["need_tags"].dropna().map(str).str.split(r"[、,，]").explode().str.strip()
        tag_counts = [(str(k), int(v)) for k, v in tags[tags != ""].value_counts().items()]
    names = rules.field_names
    teams = list(summary.get("teams") or ())
    return {
        "month": month, "as_of": as_of.isoformat() if as_of else "",
        "digest": (getattr(rules, "digest", "") or "")[:12],
        "summary": summary, "figures": _figures(summary),
        # the 已被新版本替代 column of the file and team tables: only when some rows were replaced
        "any_superseded": any((r.get("superseded") or 0) for r in summary.get("file_table") or ()),
        "files": _file_rows(summary), "column_maps": _column_maps(data), "todo": teams,
        "teams_missing": list(summary.get("teams_missing") or ()),
        "completeness": _completeness(summary), "ungraded": summary.get("ungraded") or {}, "trend": _trend(summary),
        "grade_cards": _grade_cards(summary, rules, customers),
        "charts": _distributions(customers, summary, rules, settings),
        "pareto": pareto, "pareto_svg": charts.pareto_chart(pareto),
        "hot_words": words,
        "hot_svg": charts.bar_chart(sorted(((w["word"], w["customers"]) for w in words[:15]), key=lambda kv: -kv[1]),
                                    title="需求热词"),
        "tags_svg": charts.bar_chart(tag_counts, title="需求标签"),
        "demand_texts": int(sum(1 for t in texts if analysis._text(t))),
        "teams": teams,
        "groups": groups, "details": details, "total_issues": total_issues,
        "max_issue_rows": int(settings["max_issue_rows"]),
        "rules_in_details": sorted({d["rule"] for d in details}),
        "rejected": rejected, "rejected_total": rejected_total,
        "merges": len(_frame(data.get("merges")) if _frame(data.get("merges")) is not None else []),
        "conflicts": len(_frame(data.get("conflicts")) if _frame(data.get("conflicts")) is not None else []),
        "changes": _generic_table(_frame(data.get("changes")), names, int(settings["max_table_rows"])),
        "reminders": _generic_table(_reminders(_frame(data.get("reminders")), customers, rules), names,
                                    int(settings["max_table_rows"])),
        "resubmission": _resubmission_table(_frame(data.get("resubmission")), rules, int(settings["max_table_rows"])),
        "severity_zh": SEVERITY_ZH,
        "run": _run_section(summary),
    }


def build_report_html(data: Mapping[str, Any]) -> str:
    """The report page as text (see :func:`write_report`)."""
    return _env().get_template(TEMPLATE).render(**build_context(data))


def write_report(path: Path, data: Mapping[str, Any]) -> None:
    """Write report.html for the run catalog ``data`` (rules, options, summary, issue_table,
    customers, files, source_rows, links, merges, conflicts; optional changes, reminders,
    resubmission)."""
    Path(path).write_text(build_report_html(data), encoding="utf-8")
