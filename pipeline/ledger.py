"""The submission ledger: which files a run of a month reads, and which version of each wins.

Two stages around intake (declared in :mod:`pipeline.runner`; explained for a steward in
docs/monthly.md, "The ledger, versions and reruns"):

* :func:`gather_submissions` (the input edge, like intake): every file in ``input/`` plus,
  unless ``--fresh``, every submission of the month already in the ledger (its read-only
  copy under ``output/submissions/<YYYY-MM>/``). The same bytes under another name are not
  read again (``file-duplicate``); the same name with other bytes is an earlier version,
  read under the name ``<stem>（此前提交N）<ext>`` so that both can be shown.
* :func:`resolve_versions` (pure): groups the files that were read into submissions (same
  team and base name, or same team, same data sheets and mostly the same customers) and keeps
  the newest of each; the older ones leave the run: their rows are ``已被新版本替代`` in
  来源明细, their issues are replaced by one ``file-superseded`` notice.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path, PurePosixPath
from typing import Any, Iterable

import numpy as np
import pandas as pd

from . import history, teams
from .intake.files import SUBMISSION_EXTENSIONS, relative_name
from .issues import Issue
from .model import EXT_PREFIX, OUTCOME_SUPERSEDED, StageResult

STORE_DIR = "submissions"          # output/submissions/<YYYY-MM>/<sha256><ext>
ORIGIN_INPUT, ORIGIN_STORED = "input", "ledger"
STATUS_READ, STATUS_DUPLICATE, STATUS_SUPERSEDED = "已读取", "重复文件", "已被新版本替代"
STATUS_REJECTED, STATUS_UNSUPPORTED = "已拒收", "不支持的文件类型"

CANDIDATE_COLUMNS = ["src_file", "name", "path", "origin", "sha256", "size", "mtime", "first_seen",
                     "status", "duplicate_of"]


def store_path(output_dir: Path, month: str, sha256: str, name: str) -> Path:
    """Where the ledger keeps the read-only copy of a submission (content-addressed)."""
    return Path(output_dir) / STORE_DIR / month / f"{sha256}{PurePosixPath(name).suffix.lower()}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _earlier_name(name: str, n: int, rules: Any) -> str:
    p = PurePosixPath(name)
    return str(p.with_name(rules.notes["ledger"]["earlier_version"].format(stem=p.stem, n=n) + p.suffix))


def gather_submissions(paths: list[Path], input_dir: Path, output_dir: Path | None, history_path: Path | None,
                       month: str, fresh: bool, rules: Any) -> StageResult:
    """The files this run reads: ``paths`` (the files of the input folder,
    :func:`pipeline.intake.list_inputs`) and the month's ledger, as ``paths`` again with the
    name each is shown under (``source_names``, ``source_paths``), and every candidate looked
    at (``candidates``, CANDIDATE_COLUMNS)."""
    max_bytes = float(rules.config.intake.max_file_bytes)
    rows: list[dict[str, Any]] = []
    for path in paths:
        path = Path(path)
        name = relative_name(path, input_dir)
        try:
            st = path.stat()
            hashable = path.suffix.lower() in SUBMISSION_EXTENSIONS and st.st_size <= max_bytes \
                and not path.is_symlink()
            sha = _sha256(path) if hashable else ""
        except OSError:
            st, sha = None, ""
        rows.append({"name": name, "path": path, "origin": ORIGIN_INPUT, "sha256": sha,
                     "size": st.st_size if st else 0, "mtime": st.st_mtime if st else 0.0, "first_seen": ""})
    stored = [] if fresh or history_path is None else history.load_ledger(history_path, month)
    here = {(r["name"], r["sha256"]) for r in rows}
    for entry in stored:
        copy = store_path(output_dir, month, entry["sha256"], entry["src_file"]) if output_dir else None
        key = (entry["src_file"], entry["sha256"])
        if key in here:            # the same file is still in input/: keep when it was first seen
            for r in rows:
                if (r["name"], r["sha256"]) == key:
                    r["first_seen"] = entry["first_seen"]
            continue
        if copy is None or not copy.is_file():
            continue
        rows.append({"name": entry["src_file"], "path": copy, "origin": ORIGIN_STORED, "sha256": entry["sha256"],
                     "size": entry["size"], "mtime": float(entry["mtime"] or 0), "first_seen": entry["first_seen"]})
    issues: list[Issue] = []
    # the same bytes under two names: the one seen first is read
    order = sorted(range(len(rows)), key=lambda i: (rows[i]["first_seen"] or "9999", rows[i]["mtime"], rows[i]["name"]))
    first_by_sha: dict[str, int] = {}
    for i in order:
        r = rows[i]
        r["status"], r["duplicate_of"] = "", ""
        if not r["sha256"]:
            continue
        if r["sha256"] in first_by_sha:
            r["status"], r["duplicate_of"] = STATUS_DUPLICATE, rows[first_by_sha[r["sha256"]]]["name"]
        else:
            first_by_sha[r["sha256"]] = i
    # the same name with other bytes: earlier versions are shown under a name of their own
    by_name: dict[str, list[int]] = {}
    for i in order:
        if rows[i]["status"] != STATUS_DUPLICATE:
            by_name.setdefault(rows[i]["name"], []).append(i)
    for name, idx in by_name.items():
        inputs = [i for i in idx if rows[i]["origin"] == ORIGIN_INPUT]
        earlier = [i for i in idx if i not in inputs]
        if not inputs:
            inputs, earlier = earlier[-1:], earlier[:-1]
        for n, i in enumerate(earlier, start=1):
            rows[i]["src_file"] = _earlier_name(name, n, rules)
        for i in inputs:
            rows[i]["src_file"] = name
    for r in rows:
        r.setdefault("src_file", r["name"])
        if r["status"] == STATUS_DUPLICATE:
            r["src_file"] = r["name"]
            if r["origin"] == ORIGIN_INPUT:
                issues.append(Issue(rule="file-duplicate", file=r["name"], params={"original": r["duplicate_of"]}))
    candidates = pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)
    read = [r for r in rows if r["status"] != STATUS_DUPLICATE]
    read.sort(key=lambda r: r["src_file"])
    return StageResult(data={
        "paths": [r["path"] for r in read],
        # only the ledger's own copies need a name: input files are named by their place in input/
        "source_names": {r["path"]: r["src_file"] for r in read if r["origin"] == ORIGIN_STORED},
        "source_paths": {r["src_file"]: r["path"] for r in read if r["origin"] == ORIGIN_STORED},
        "candidates": candidates,
    }, issues=tuple(issues))


# --------------------------------------------------------------------------- versions

def _name_sort_date(name: str, rules: Any) -> tuple[int, int, int] | None:
    found = teams.name_date(name, rules)
    if not found:
        return None
    y, m, d = found
    return (y or 0, m, d or 0)          # year 0: the name gives none (11月28日)


def _file_date(name: str, fill: Any, rules: Any) -> tuple[int, int, int] | None:
    named = _name_sort_date(name, rules)
    if named and named[2]:
        return named
    if isinstance(fill, dt.date):
        return (fill.year, fill.month, fill.day)
    return named


def _union(parent: dict[str, str], a: str, b: str) -> None:
    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    ra, rb = root(a), root(b)
    if ra != rb:
        parent[max(ra, rb)] = min(ra, rb)


def _customer_names(records: pd.DataFrame) -> dict[str, frozenset]:
    if not len(records) or "name" not in records.columns:
        return {}
    return {f: frozenset(str(n).strip() for n in part["name"] if isinstance(n, str) and n.strip())
            for f, part in records.groupby("src_file", sort=True)}


def _groups(files: pd.DataFrame, candidates: pd.DataFrame, records: pd.DataFrame, rules: Any) -> list[list[str]]:
    """Files that are versions of one submission (only groups of two or more)."""
    names = dict(zip(candidates["src_file"], candidates["name"])) if len(candidates) else {}
    parent = {f: f for f in files["src_file"]}
    team_of = {f: (t if isinstance(t, str) else "") for f, t in
               zip(files["src_file"], files.get("team", pd.Series([""] * len(files))))}
    customers = _customer_names(records)
    # same team and base name: an explicit marker or date, the same file name, or a shared
    # customer makes them versions (two copies "(1)", "(2)" of a form for two customers are not)
    buckets: dict[tuple[str, str, str], list[str]] = {}
    for f in files["src_file"]:
        name = names.get(f, f)
        # without a known team the folder tells submissions apart (华东/名单.xlsx, 华北/名单.xlsx)
        folder = "" if team_of[f] else PurePosixPath(name).parent.as_posix()
        buckets.setdefault((team_of[f], folder, teams.base_name(name, team_of[f], rules)), []).append(f)
    for group in buckets.values():
        marked = {f: teams.version_rank(names.get(f, f), rules) > 1 for f in group}
        dated = {f: teams.name_date(names.get(f, f), rules) for f in group}
        for i, fa in enumerate(group):
            for fb in group[i + 1:]:
                na, nb = customers.get(fa, frozenset()), customers.get(fb, frozenset())
                explicit = marked[fa] or marked[fb] or dated[fa] != dated[fb]
                if names.get(fa, fa) == names.get(fb, fb) or explicit or not na or not nb or na & nb:
                    _union(parent, fa, fb)
    # same known team, same data sheets, list layouts, mostly the same customers
    share = teams.registry(rules).same_customers_share
    if len(records) and "name" in records.columns:
        lists = records[records["src_layout"] == "list"] if "src_layout" in records.columns else records
        info = {f: (team_of[f], frozenset(part["src_sheet"]), customers.get(f, frozenset()))
                for f, part in lists.groupby("src_file", sort=True) if team_of.get(f)}
        items = sorted(info.items())
        for i, (fa, (ta, sa, na)) in enumerate(items):
            for fb, (tb, sb, nb) in items[i + 1:]:
                if ta == tb and sa == sb and na and nb and len(na & nb) >= share * min(len(na), len(nb)):
                    _union(parent, fa, fb)
    out: dict[str, list[str]] = {}
    for f in parent:
        r = f
        while parent[r] != r:
            r = parent[r]
        out.setdefault(r, []).append(f)
    return [sorted(g) for g in out.values() if len(g) > 1]


def _newest_first(group: list[str], files: pd.DataFrame, candidates: pd.DataFrame, rules: Any) -> list[str]:
    by_file = files.set_index("src_file")
    cand = candidates.set_index("src_file") if len(candidates) else pd.DataFrame()
    info = {}
    for f in group:
        name = cand["name"].get(f, f) if len(cand) else f
        fill = by_file["fill_date"].get(f) if "fill_date" in by_file.columns else None
        mtime = float(cand["mtime"].get(f, 0.0)) if len(cand) else 0.0
        info[f] = (_file_date(name, fill, rules), teams.version_rank(name, rules), mtime)
    # dates decide when every version has one, all with a year or all without
    dated = all(v[0] is not None for v in info.values()) and len({v[0][0] == 0 for v in info.values()}) == 1
    key = (lambda f: (info[f][0], info[f][1], info[f][2])) if dated else (lambda f: (info[f][1], info[f][2]))
    return sorted(group, key=key, reverse=True)


def resolve_versions(records: pd.DataFrame, source_rows: pd.DataFrame, files: pd.DataFrame,
                     related: dict[str, pd.DataFrame], issues: list, candidates: pd.DataFrame,
                     rules: Any) -> StageResult:
    """Keep the newest version of each submission; see the module docstring."""
    notes = rules.notes["ledger"]
    groups = _groups(files, candidates, records, rules) if len(files) else []
    status = dict(zip(files["src_file"], files["status"])) if len(files) else {}
    replaced: dict[str, str] = {}
    for group in groups:
        ordered = _newest_first(group, files, candidates, rules)
        readable = [f for f in ordered if status.get(f) == "已处理"]
        if not readable:
            continue
        winner = readable[0]
        for f in ordered[ordered.index(winner) + 1:]:
            replaced[f] = winner
    dup_rows = [{"src_file": c["src_file"], "sha256": c["sha256"], "layout": "", "sheets": 0, "status": "已忽略",
                 "message": notes["duplicate"].format(original=c["duplicate_of"]), "team": "", "team_source": "",
                 "fill_date": None}
                for c in candidates.to_dict("records") if c["status"] == STATUS_DUPLICATE and c["origin"] == ORIGIN_INPUT]
    if dup_rows:
        files = pd.concat([files, pd.DataFrame(dup_rows, columns=list(dict.fromkeys([*files.columns, *dup_rows[0]])))],
                          ignore_index=True).astype({"sheets": "int64"})
    unknown = [Issue(rule="team-unknown", file=f) for f, st, t in
               zip(files["src_file"], files["status"], files.get("team", pd.Series([""] * len(files))))
               if st == "已处理" and f not in replaced and not (isinstance(t, str) and t)] if len(files) else []
    issues = [*issues, *unknown]
    data = {"records": records, "source_rows": source_rows, "files": files, "related": related,
            "issues": list(issues), "superseded": replaced}
    if not replaced:
        return StageResult(data=data)
    keep = ~records["src_file"].isin(list(replaced))
    old_ids = records.loc[keep, "row_id"].astype("int64").tolist()
    renumber = {old: new for new, old in enumerate(old_ids)}
    out_records = records[keep].reset_index(drop=True).copy()
    out_records["row_id"] = pd.Series(range(len(out_records)), dtype="int64")
    src = source_rows.copy()
    gone = src["src_file"].isin(list(replaced)) & src["row_id"].notna()
    src.loc[gone, "outcome"] = OUTCOME_SUPERSEDED
    src.loc[gone, "reason"] = [notes["superseded"].format(newer=replaced[f]) for f in src.loc[gone, "src_file"]]
    src["row_id"] = pd.array([renumber.get(int(r)) if pd.notna(r) and not g else None
                              for r, g in zip(src["row_id"], gone)], dtype="Int64")
    out_related = {}
    for name, frame in related.items():
        kept = frame[~frame["src_file"].isin(list(replaced))].copy() if len(frame) else frame.copy()
        if len(kept):
            kept["row_id"] = kept["row_id"].map(renumber).astype("int64")
        out_related[name] = kept.reset_index(drop=True)
    out_files = files.copy()
    mask = out_files["src_file"].isin(list(replaced))
    out_files.loc[mask, "status"] = "已忽略"
    out_files.loc[mask, "message"] = [notes["superseded"].format(newer=replaced[f]) for f in out_files.loc[mask, "src_file"]]
    kept_issues = []
    for issue in issues:
        if issue.file in replaced:
            continue
        if issue.row_id is not None and issue.row_id in renumber:
            issue = dataclasses.replace(issue, row_id=renumber[issue.row_id])
        kept_issues.append(issue)
    kept_issues.extend(Issue(rule="file-superseded", file=f, params={"newer": w}) for f, w in sorted(replaced.items()))
    data.update(records=out_records, source_rows=src, files=out_files, related=out_related, issues=kept_issues)
    return StageResult(data=data)


def ledger_rows(candidates: pd.DataFrame, files: pd.DataFrame, superseded: dict[str, str],
                month: str, now: str) -> list[dict[str, Any]]:
    """One ledger row per file looked at this run (history.save_ledger)."""
    by_file = files.set_index("src_file") if len(files) else pd.DataFrame()
    out = []
    for c in candidates.to_dict("records"):
        f = c["src_file"]
        team = by_file["team"].get(f, "") if len(by_file) and "team" in by_file.columns else ""
        team = team if isinstance(team, str) else ""
        st = by_file["status"].get(f, "") if len(by_file) else ""
        if c["status"] == STATUS_DUPLICATE:
            status, note = STATUS_DUPLICATE, c["duplicate_of"]
        elif f in superseded:
            status, note = STATUS_SUPERSEDED, superseded[f]
        elif st == "已处理":
            status, note = STATUS_READ, ""
        elif PurePosixPath(c["name"]).suffix.lower() not in SUBMISSION_EXTENSIONS:
            status, note = STATUS_UNSUPPORTED, ""
        else:
            status, note = STATUS_REJECTED, by_file["message"].get(f, "") if len(by_file) else ""
        fill = by_file["fill_date"].get(f) if len(by_file) and "fill_date" in by_file.columns else None
        out.append({"month": month, "src_file": c["name"], "sha256": c["sha256"] or "", "team": team,
                    "size": int(c["size"] or 0), "mtime": float(c["mtime"] or 0), "first_seen": c["first_seen"] or now,
                    "last_seen": now, "status": status, "note": note or "",
                    "fill_date": fill.isoformat() if isinstance(fill, dt.date) else "",
                    "origin": c["origin"], "path": str(c["path"])})
    return out


def files_not_read(files: pd.DataFrame) -> list[dict[str, str]]:
    """Every file of the run that was refused, skipped as a duplicate or replaced by a newer
    version, with the reason: the CLI summary names each one."""
    out = []
    if len(files):
        for f in files.to_dict("records"):
            if f["status"] in ("已拒收", "已忽略"):
                out.append({"file": f["src_file"], "status": f["status"], "reason": f.get("message") or ""})
    return out


def iter_store_copies(rows: Iterable[dict[str, Any]], output_dir: Path, month: str) -> Iterable[tuple[Path, Path]]:
    """(source, destination) of every file whose read-only copy the ledger still lacks."""
    for r in rows:
        if r["origin"] != ORIGIN_INPUT or not r["sha256"] or r["status"] in (STATUS_DUPLICATE, STATUS_UNSUPPORTED):
            continue
        dest = store_path(output_dir, month, r["sha256"], r["src_file"])
        if not dest.is_file():
            yield Path(r["path"]), dest


# --------------------------------------------------------------------------- since the last run

def compare_runs(customers: pd.DataFrame, files: pd.DataFrame, previous_run: dict[str, Any] | None,
                 run_no: int, rules: Any) -> StageResult:
    """What changed since the previous run of the same month (``run_changes``; empty dict on
    the month's first run): files added, replaced and no longer read; customers added, gone and
    changed, with the fields that changed most."""
    prev = previous_run or {}
    if not prev.get("run_no"):
        return StageResult(data={"run_changes": {}})
    before = {i["file"]: i.get("sha256", "") for i in prev.get("inputs") or [] if i.get("status") == "已处理"}
    now = {}
    if len(files):
        now = {f: s for f, s, st in zip(files["src_file"], files["sha256"], files["status"]) if st == "已处理"}
    snap = prev.get("snapshot")
    snap = snap if isinstance(snap, pd.DataFrame) and len(snap) else pd.DataFrame({"customer_id": []})
    keys = [f.key for f in rules.fields if f.key in customers.columns and f.key in snap.columns]
    keys += [c for c in customers.columns if str(c).startswith(EXT_PREFIX) and c in snap.columns]  # team-only columns
    names = {f.key: f.name for f in rules.fields} | {k: k[len(EXT_PREFIX):] for k in keys if k.startswith(EXT_PREFIX)}
    old = snap.drop_duplicates("customer_id", keep="last").set_index("customer_id")
    new = customers.drop_duplicates("customer_id", keep="last").set_index("customer_id") \
        if len(customers) else pd.DataFrame(index=pd.Index([], name="customer_id"))
    common = old.index.intersection(new.index)
    changed_fields: dict[str, int] = {}
    touched = np.zeros(len(common), dtype=bool)
    for k in keys:                               # whole columns, each distinct value judged once
        if k == "customer_id":                   # the key the rows are matched on
            continue
        diff = _texts(old[k].reindex(common).tolist()) != _texts(new[k].reindex(common).tolist())
        if diff.any():
            changed_fields[names.get(k, k)] = changed_fields.get(names.get(k, k), 0) + int(diff.sum())
            touched |= diff
    changed = int(touched.sum())
    old_ids, new_ids = set(old.index), set(new.index)
    top = sorted(changed_fields.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
    return StageResult(data={"run_changes": {
        "run": run_no, "previous_run": int(prev["run_no"]), "previous_finished": prev.get("finished") or "",
        "files_added": sorted(f for f in now if f not in before),
        "files_changed": sorted(f for f in now if f in before and before[f] != now[f]),
        "files_no_longer_read": sorted(f for f in before if f not in now),
        "customers_before": len(old_ids), "customers_after": len(new_ids),
        "customers_added": len(new_ids - old_ids), "customers_gone": len(old_ids - new_ids),
        "customers_changed": changed, "fields_changed": dict(top)}})


def _texts(values: list) -> np.ndarray:
    """:func:`_same_text` of every value, judged once per distinct value."""
    seen: dict = {}
    out = []
    for v in values:
        try:
            t = seen.get((v.__class__, v))
            if t is None:
                t = seen[(v.__class__, v)] = _same_text(v)
        except TypeError:                      # an unhashable value (a list)
            t = _same_text(v)
        out.append(t)
    return np.array(out, dtype=object)


def _same_text(value: Any) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, (list, tuple, set, frozenset)):
        return "|".join(sorted(str(v) for v in value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
