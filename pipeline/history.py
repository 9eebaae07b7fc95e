"""The history store (``output/history.sqlite``): who each customer is, month after month.

All SQL of the project lives here. Tables (schema version in ``PRAGMA user_version``):

* ``runs(month PK, as_of, started, finished, manifest JSON, customers, rows, identities_added,
  version, rules_digest, inputs JSON, counts JSON)`` — ``inputs`` lists every input file with
  its sha256 and status, ``counts`` the summary counts: enough to reproduce and audit a run.
* ``identities(key_type, key_value, customer_id, first_month; PK (key_type, key_value))`` —
  only ever added to: a key keeps the number it was first given.
* ``snapshots(month, customer_id, data JSON; PK (month, customer_id))`` — the customers
  table of that month; ``data`` holds every field key and extension column (``ext:<header>``,
  carried on by :func:`pipeline.monthly.carry_extensions`) (dates as ``YYYY-MM-DD``, listed
  under ``"__dates__"`` so they load back as ``datetime.date``; tuples as lists).

* ``submissions(month, src_file, sha256, src_team, sheets JSON, fields JSON, issues JSON,
  records JSON, seq; PK (month, src_file, sha256))`` — each submitted file as
  :mod:`pipeline.resubmit` describes it (issues keyed by record, field, rule; canonical values
  per record), so a corrected file sent again can be compared with it. A file sent again
  unchanged replaces its row; a changed file is a new row (``seq`` orders them).

* ``ledger(month, src_file, sha256, team, size, mtime, first_seen, last_seen, status, note,
  fill_date, run_no; PK (month, src_file, sha256))`` — the submission ledger: every file a run
  of the month looked at (status 已读取 / 已被新版本替代 / 重复文件 / 已拒收 / 不支持的文件类型 /
  未纳入; ``note`` names the newer version or the earlier file with the same bytes). The bytes
  of each submission are kept read-only beside the store (:mod:`pipeline.ledger`).
* ``month_runs(month, run_no, as_of, finished, customers, inputs JSON, counts JSON, kept_as;
  PK (month, run_no))`` — every run of a month; ``kept_as`` is the folder the outputs of that
  run were moved to when the next run replaced them.

Re-running a month replaces its run row and snapshot in one transaction (with its ledger
rows and its month_runs row).
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import sqlite3
import zlib
from contextlib import closing
from pathlib import Path
from typing import Any

import pandas as pd

from .model import StageResult
from .values import months_before as _months_before

SCHEMA_VERSION = 3
ID_PREFIX = "KH"
ID_DIGITS = 8
KNOWN_COLUMNS = ["key_type", "key_value", "customer_id"]
_ID_RE = re.compile(rf"^{ID_PREFIX}(\d{{{ID_DIGITS}}})$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    month TEXT PRIMARY KEY, as_of TEXT, started TEXT, finished TEXT, manifest TEXT,
    customers INTEGER, rows INTEGER, identities_added INTEGER,
    version TEXT, rules_digest TEXT, inputs TEXT, counts TEXT);
CREATE TABLE IF NOT EXISTS identities (
    key_type TEXT NOT NULL, key_value TEXT NOT NULL, customer_id TEXT NOT NULL,
    first_month TEXT NOT NULL, PRIMARY KEY (key_type, key_value));
CREATE INDEX IF NOT EXISTS identities_customer ON identities(customer_id);
CREATE TABLE IF NOT EXISTS snapshots (
    month TEXT NOT NULL, customer_id TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (month, customer_id));
CREATE TABLE IF NOT EXISTS merge_decisions (
    a TEXT NOT NULL, b TEXT NOT NULL, decision TEXT NOT NULL, note TEXT, month TEXT NOT NULL,
    PRIMARY KEY (a, b));
CREATE TABLE IF NOT EXISTS submissions (
    month TEXT NOT NULL, src_file TEXT NOT NULL, sha256 TEXT NOT NULL, src_team TEXT,
    sheets TEXT, fields TEXT, issues TEXT, records TEXT, seq INTEGER NOT NULL,
    PRIMARY KEY (month, src_file, sha256));
CREATE TABLE IF NOT EXISTS ledger (
    month TEXT NOT NULL, src_file TEXT NOT NULL, sha256 TEXT NOT NULL, team TEXT, size INTEGER,
    mtime REAL, first_seen TEXT, last_seen TEXT, status TEXT, note TEXT, fill_date TEXT, run_no INTEGER,
    PRIMARY KEY (month, src_file, sha256));
CREATE TABLE IF NOT EXISTS month_runs (
    month TEXT NOT NULL, run_no INTEGER NOT NULL, as_of TEXT, finished TEXT, customers INTEGER,
    inputs TEXT, counts TEXT, kept_as TEXT, PRIMARY KEY (month, run_no));
"""
LEDGER_COLUMNS = ["month", "src_file", "sha256", "team", "size", "mtime", "first_seen", "last_seen", "status",
                  "note", "fill_date", "run_no"]
#: ledger statuses of files a cumulative rerun reads again (the others are not submissions)
LEDGER_REREAD = ("已读取", "已被新版本替代", "已拒收")
LEDGER_DROPPED = "未纳入"
#: columns added to ``runs`` after schema version 1 (added in place to an older store)
_RUN_COLUMNS_V2 = {"version": "TEXT", "rules_digest": "TEXT", "inputs": "TEXT", "counts": "TEXT"}
SUBMISSION_TABLE_COLUMNS = ["month", "src_file", "sha256", "src_team", "sheets", "fields", "issues", "records", "seq"]
_SUBMISSION_JSON = ("sheets", "fields", "issues", "records")


def format_customer_id(number: int) -> str:
    return f"{ID_PREFIX}{number:0{ID_DIGITS}d}"


def next_customer_number(known: pd.DataFrame | None) -> int:
    """The number after the largest ``KH…`` ever assigned (1 for an empty history)."""
    if known is None or not len(known) or "customer_id" not in known.columns:
        return 1
    numbers = known["customer_id"].astype(str).str.extract(_ID_RE)[0].dropna()
    return int(numbers.astype("int64").max()) + 1 if len(numbers) else 1


def _empty_known() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in KNOWN_COLUMNS})


def _empty_submissions() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in SUBMISSION_TABLE_COLUMNS})


def load_history(history_path: Path | None, month: str, rules: Any = None) -> StageResult:
    """``known`` identities, the ``previous`` snapshot (latest month before ``month``), the
    ``runs`` (month, counts) of every month recorded, and the ``previous_submissions`` of this month and the ``resubmit.window_months`` months before
    (rules/settings.yaml; 1 without ``rules``), oldest first, JSON columns decoded.

    Read-only: a missing file (or ``None``) gives empty frames and creates nothing.
    """
    previous = pd.DataFrame({"customer_id": pd.Series(dtype=object)})
    submissions = _empty_submissions()
    window = rules.config.resubmit.window_months if rules is not None else 1
    runs = pd.DataFrame({"month": pd.Series(dtype=object), "counts": pd.Series(dtype=object)})
    if history_path is None or not Path(history_path).is_file():
        return StageResult(data={"known": _empty_known(), "previous": previous, "previous_submissions": submissions,
                                 "runs": runs, "decisions_known": []})
    uri = Path(history_path).resolve().as_uri() + "?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as con:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        known = _empty_known()
        if "identities" in tables:
            known = pd.read_sql_query(
                "SELECT key_type, key_value, customer_id FROM identities ORDER BY customer_id, key_type", con)
        if "snapshots" in tables:
            row = con.execute("SELECT MAX(month) FROM snapshots WHERE month < ?", (month,)).fetchone()
            if row and row[0]:
                rows = con.execute("SELECT customer_id, data FROM snapshots WHERE month = ? ORDER BY customer_id",
                                   (row[0],)).fetchall()
                previous = pd.DataFrame([{"customer_id": cid, **_decode(data)} for cid, data in rows])
                previous.attrs["month"] = row[0]
        if "submissions" in tables:
            rows = con.execute(
                f"SELECT {', '.join(SUBMISSION_TABLE_COLUMNS)} FROM submissions WHERE month >= ? AND month <= ? "
                "ORDER BY month, seq", (_months_before(month, max(window, 0)), month)).fetchall()
            if rows:
                submissions = pd.DataFrame(rows, columns=SUBMISSION_TABLE_COLUMNS)
                for c in _SUBMISSION_JSON:
                    submissions[c] = submissions[c].map(lambda t: json.loads(t) if t else [])
        run_columns = {r[1] for r in con.execute("PRAGMA table_info(runs)")} if "runs" in tables else set()
        if "counts" in run_columns:   # the counts of every month recorded, for the report's trend
            rows = con.execute("SELECT month, counts FROM runs ORDER BY month").fetchall()
            if rows:
                runs = pd.DataFrame({"month": [m for m, _ in rows],
                                     "counts": [json.loads(c) if c else {} for _, c in rows]})
        decisions = []
        if "merge_decisions" in tables:   # the steward's 疑似重复 decisions (pipeline/intake/decisions.py)
            decisions = [{"a": a, "b": b, "decision": d, "note": n or ""} for a, b, d, n in con.execute(
                "SELECT a, b, decision, note FROM merge_decisions ORDER BY month, a, b")]
    return StageResult(data={"known": known, "previous": previous, "previous_submissions": submissions,
                             "runs": runs, "decisions_known": decisions})


def _read_only(history_path: Path | None):
    if history_path is None or not Path(history_path).is_file():
        return None
    return closing(sqlite3.connect(Path(history_path).resolve().as_uri() + "?mode=ro", uri=True))


class HistoryUnusable(Exception):
    """The history store cannot be used safely (the message is the steward's, in Chinese):
    damaged, or missing or empty while the output folder holds earlier months' results — a run
    would then give every customer a new 客户编号 without saying so."""


_MONTH_DIR = re.compile(r"^\d{4}-\d{2}$")


def _months_written(output_dir: Path) -> list[str]:
    """The months whose outputs (``<YYYY-MM>/summary.json``) are in ``output_dir``."""
    root = Path(output_dir)
    if not root.is_dir():
        return []
    return sorted(d.name for d in root.iterdir()
                  if _MONTH_DIR.match(d.name) and (d / "summary.json").is_file())


def check_store(output_dir: Path, *, need_runs: bool = True) -> None:
    """Refuse (:class:`HistoryUnusable`) before anything is read or written when
    ``output_dir/history.sqlite`` cannot be read, or (``need_runs``) records no run while
    ``output_dir`` holds results of earlier months: the store was lost, moved or replaced by an
    empty file, and a run would renumber every customer silently. Only cheap reads: the schema
    and the run tables."""
    path = Path(output_dir) / "history.sqlite"
    runs = 0
    if path.is_file():
        try:
            with closing(sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)) as con:
                tables = _tables(con)
                con.execute("PRAGMA user_version").fetchone()
                for table in ("runs", "month_runs"):
                    if table in tables:
                        runs += con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise HistoryUnusable(
                f"历史记录文件 {path} 已损坏或不是本系统的历史记录，无法读取。本次没有处理，输出目录未作任何改动。"
                f"请从备份恢复这个文件后重新运行；没有备份时，把整个输出目录移走再运行（所有客户编号会重新分配）。") from exc
    if not need_runs or runs:
        return
    months = _months_written(output_dir)
    if months:
        state = "是空的" if path.is_file() else "不存在"
        raise HistoryUnusable(
            f"历史记录文件 {path} {state}，但输出目录 {output_dir} 中已有 {'、'.join(months)} 的处理结果。"
            f"没有历史记录，所有客户编号会重新分配，与上月的对比和已判定的疑似重复也会丢失。本次没有处理，输出目录未作任何改动。"
            f"请把原来的 history.sqlite 放回这个位置（或从备份恢复）后重新运行；确需从头开始，请换一个新的输出目录。")


def _tables(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _ledger_query(history_path: Path | None, sql: str, args: tuple = ()) -> list[tuple]:
    handle = _read_only(history_path)
    if handle is None:
        return []
    with handle as con:
        return con.execute(sql, args).fetchall() if "ledger" in _tables(con) else []


def load_ledger(history_path: Path | None, month: str) -> list[dict[str, Any]]:
    """The month's submissions a cumulative rerun reads again (statuses LEDGER_REREAD), in the
    order they were first seen; [] without a store."""
    marks = ", ".join("?" * len(LEDGER_REREAD))
    rows = _ledger_query(history_path, f"SELECT {', '.join(LEDGER_COLUMNS)} FROM ledger WHERE month = ? AND "
                         f"status IN ({marks}) ORDER BY first_seen, src_file", (month, *LEDGER_REREAD))
    return [dict(zip(LEDGER_COLUMNS, r)) for r in rows]


def load_ledger_index(history_path: Path | None) -> list[dict[str, Any]]:
    """(month, src_file, team) of every submission the ledger read, newest month first."""
    rows = _ledger_query(history_path, "SELECT DISTINCT month, src_file, team FROM ledger WHERE status IN "
                         "('已读取', '已被新版本替代') ORDER BY month DESC, src_file")
    return [{"month": m, "src_file": f, "team": t or ""} for m, f, t in rows]


def load_previous_run(history_path: Path | None, month: str) -> dict[str, Any]:
    """The last run of ``month`` (run_no, finished, inputs, counts, customers snapshot as a
    frame), or {"run_no": 0} when the month was never run."""
    handle = _read_only(history_path)
    if handle is None:
        return {"run_no": 0}
    with handle as con:
        tables = _tables(con)
        row = None
        if "month_runs" in tables:
            row = con.execute("SELECT run_no, as_of, finished, inputs, counts FROM month_runs WHERE month = ? "
                              "ORDER BY run_no DESC LIMIT 1", (month,)).fetchone()
        if row is None and "runs" in tables:       # a store from before month_runs: its one run
            old = con.execute("SELECT 1, as_of, finished, inputs, counts FROM runs WHERE month = ?", (month,)).fetchone()
            row = old
        if row is None:
            return {"run_no": 0}
        snap = con.execute("SELECT customer_id, data FROM snapshots WHERE month = ? ORDER BY customer_id",
                           (month,)).fetchall() if "snapshots" in tables else []
    return {"run_no": int(row[0]), "as_of": row[1], "finished": row[2],
            "inputs": json.loads(row[3]) if row[3] else [], "counts": json.loads(row[4]) if row[4] else {},
            "snapshot": pd.DataFrame([{"customer_id": cid, **_decode(data)} for cid, data in snap])}


#: SQLite's page cache while a run is saved (KiB; its default is 2 MiB). A million customers add
#: ~2.5 M identity keys in random key order: with the default cache the B-tree pages spill to the
#: file mid-transaction (2.5 M keys: 26 s CPU, 99 s wall; with 256 MiB: 14.5 s, 45 s)
SAVE_CACHE_KIB = 262_144


def save_run(history_path: Path, month: str, manifest: dict, customers: pd.DataFrame,
             identities: pd.DataFrame | None, submissions: pd.DataFrame | None = None,
             ledger: list[dict[str, Any]] | None = None, run: dict[str, Any] | None = None,
             fresh: bool = False, decisions: list[dict] | None = None, staged: Path | None = None) -> None:
    """Record one month in one transaction: replace its run row and snapshot, add new
    identities (existing keys keep their number), add or replace this run's ``submissions``
    (:func:`pipeline.resubmit.compare_submissions`; keyed by month, file and sha256).
    ``manifest`` keys read: ``as_of``, ``started``, ``finished``, ``rows``, ``version``,
    ``rules_digest``, ``inputs``, ``counts`` (all optional); the whole manifest is stored as JSON.
    ``ledger`` rows (LEDGER_COLUMNS keys) are added or updated; with ``fresh`` the month's other
    rows become 未纳入. ``run`` (run_no, kept_as) adds this run to ``month_runs``. ``staged``: a
    file :func:`pipeline.history_staged.stage_save` made from the same ``customers`` and
    ``identities`` (their rows are then copied from it, not encoded here)."""
    history_path = Path(history_path)
    history_path.parent.mkdir(parents=True, exist_ok=True)
    snap = ident = ()
    if staged is None:
        snap, ident = snapshot_rows(month, customers), identity_rows(month, identities)
    # each submission's JSON texts are unpacked as its row is inserted: unpacked all at once, a
    # million rows' records held two gigabytes beside the month (bench/README.md, "Tenth session")
    subs = ((month, str(rec.get("src_file") or ""), str(rec.get("sha256") or ""), str(rec.get("src_team") or ""),
             *(submission_json(rec.get(c)) for c in _SUBMISSION_JSON))
            for rec in (submissions.to_dict("records") if submissions is not None and len(submissions) else ()))
    with closing(sqlite3.connect(history_path, isolation_level=None)) as con:
        con.execute("PRAGMA journal_mode=DELETE")
        con.execute(f"PRAGMA cache_size = {-SAVE_CACHE_KIB}")
        if staged is not None:
            con.execute("ATTACH DATABASE ? AS staged", (str(staged),))   # not allowed inside a transaction
        con.execute("BEGIN IMMEDIATE")
        try:
            for statement in filter(str.strip, _SCHEMA.split(";")):
                con.execute(statement)  # executescript would commit the open transaction
            have = {r[1] for r in con.execute("PRAGMA table_info(runs)")}
            for name, kind in _RUN_COLUMNS_V2.items():
                if name not in have:       # a version-1 store: add the columns in place
                    con.execute(f"ALTER TABLE runs ADD COLUMN {name} {kind}")
            con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            before = con.execute("SELECT COUNT(*) FROM identities").fetchone()[0]
            con.executemany("INSERT OR IGNORE INTO identities VALUES (?, ?, ?, ?)", ident)
            if staged is not None:       # in the order they were staged, as executemany would add them
                con.execute("INSERT OR IGNORE INTO identities SELECT key_type, key_value, customer_id, first_month "
                            "FROM staged.identities WHERE first_month = ? ORDER BY rowid", (month,))
            added = con.execute("SELECT COUNT(*) FROM identities").fetchone()[0] - before
            con.execute("DELETE FROM snapshots WHERE month = ?", (month,))
            con.executemany("INSERT INTO snapshots VALUES (?, ?, ?)", snap)
            if staged is not None:
                copied = con.execute("INSERT INTO snapshots SELECT month, customer_id, data FROM staged.snapshots "
                                     "WHERE month = ? ORDER BY rowid", (month,)).rowcount
                if copied != len(customers):
                    raise RuntimeError(f"{staged} holds {copied} customers of {month}, the run {len(customers)}")
            seq = con.execute("SELECT COALESCE(MAX(seq), 0) FROM submissions").fetchone()[0]
            for i, row in enumerate(subs, start=1):
                con.execute("INSERT OR REPLACE INTO submissions "
                            f"({', '.join(SUBMISSION_TABLE_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (*row, seq + i))
            _save_ledger(con, month, ledger or [], run, fresh, manifest, len(customers))
            con.executemany("INSERT OR REPLACE INTO merge_decisions VALUES (?, ?, ?, ?, ?)",
                            [(str(d["a"]), str(d["b"]), str(d["decision"]), str(d.get("note") or ""), month)
                             for d in decisions or ()])
            con.execute("DELETE FROM runs WHERE month = ?", (month,))
            con.execute(
                "INSERT INTO runs (month, as_of, started, finished, manifest, customers, rows, identities_added, "
                "version, rules_digest, inputs, counts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (
                    month, _sql_text(manifest.get("as_of")), _sql_text(manifest.get("started")),
                    _sql_text(manifest.get("finished")), json.dumps(manifest, ensure_ascii=False, default=_json_default),
                    len(customers), manifest.get("rows"), added, _sql_text(manifest.get("version")),
                    _sql_text(manifest.get("rules_digest")),
                    json.dumps(manifest.get("inputs") or [], ensure_ascii=False, default=_json_default),
                    json.dumps(manifest.get("counts") or {}, ensure_ascii=False, sort_keys=True,
                               default=_json_default)))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


def load_snapshots(history_path: Path, months: list[str] | None = None) -> pd.DataFrame:
    """The customers of ``months`` (every month when None) as stored: month, customer_id and
    every field key, dates as dates. Read-only; empty when the store or the months are absent."""
    empty = pd.DataFrame({"month": pd.Series(dtype=object), "customer_id": pd.Series(dtype=object)})
    if not Path(history_path).is_file():
        return empty
    uri = Path(history_path).resolve().as_uri() + "?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as con:
        if not con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='snapshots'").fetchone():
            return empty
        if months is None:
            rows = con.execute("SELECT month, customer_id, data FROM snapshots ORDER BY month, customer_id").fetchall()
        else:
            marks = ", ".join("?" * len(months))
            rows = con.execute(f"SELECT month, customer_id, data FROM snapshots WHERE month IN ({marks}) "
                               "ORDER BY month, customer_id", list(months)).fetchall()
    if not rows:
        return empty
    return pd.DataFrame([{"month": m, "customer_id": cid, **_decode(data)} for m, cid, data in rows])


def _save_ledger(con, month: str, rows: list[dict[str, Any]], run: dict[str, Any] | None, fresh: bool,
                 manifest: dict, customers: int) -> None:
    run_no = int((run or {}).get("run_no") or 0)
    if fresh and rows:
        keep = {(r["src_file"], r["sha256"]) for r in rows}
        for f, sha in con.execute("SELECT src_file, sha256 FROM ledger WHERE month = ?", (month,)).fetchall():
            if (f, sha) not in keep:
                con.execute("UPDATE ledger SET status = ?, note = ? WHERE month = ? AND src_file = ? AND sha256 = ?",
                            (LEDGER_DROPPED, (run or {}).get("fresh_note", ""), month, f, sha))
    for r in rows:
        con.execute(
            "INSERT INTO ledger (month, src_file, sha256, team, size, mtime, first_seen, last_seen, status, note, "
            "fill_date, run_no) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(month, src_file, sha256) DO "
            "UPDATE SET team = excluded.team, last_seen = excluded.last_seen, status = excluded.status, "
            "note = excluded.note, fill_date = excluded.fill_date, run_no = excluded.run_no",
            (month, r["src_file"], r["sha256"], r.get("team") or "", int(r.get("size") or 0),
             float(r.get("mtime") or 0), r.get("first_seen") or "", r.get("last_seen") or "", r.get("status") or "",
             r.get("note") or "", r.get("fill_date") or "", run_no))
    if run:
        if run.get("kept_as") and run_no > 1:
            con.execute("UPDATE month_runs SET kept_as = ? WHERE month = ? AND run_no = ?",
                        (str(run["kept_as"]), month, run_no - 1))
        for n, kept in (run.get("earlier_kept") or {}).items():   # a run stopped before it saved moved these
            con.execute("UPDATE month_runs SET kept_as = ? WHERE month = ? AND run_no = ? AND "
                        "COALESCE(kept_as, '') = ''", (str(kept), month, int(n)))
        con.execute("INSERT OR REPLACE INTO month_runs (month, run_no, as_of, finished, customers, inputs, counts, "
                    "kept_as) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (
                        month, run_no, _sql_text(manifest.get("as_of")), _sql_text(manifest.get("finished")), customers,
                        json.dumps(manifest.get("inputs") or [], ensure_ascii=False, default=_json_default),
                        json.dumps(manifest.get("counts") or {}, ensure_ascii=False, sort_keys=True,
                                   default=_json_default), ""))


def read_table(history_path: Path, table: str) -> pd.DataFrame:
    """A whole history table (runs, identities, snapshots, submissions, ledger, month_runs,
    merge_decisions) — for reports and tests."""
    if table not in {"runs", "identities", "snapshots", "submissions", "ledger", "month_runs", "merge_decisions"}:
        raise ValueError(f"unknown history table {table!r}")
    uri = Path(history_path).resolve().as_uri() + "?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as con:
        return pd.read_sql_query(f"SELECT * FROM {table}", con)


def _sql_text(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def pack_submission(value: Any) -> bytes:
    """A submission's sheets, fields, issues or records as held until the run is saved: the
    store's JSON, UTF-8, deflated (a Python text of Chinese JSON takes two bytes a character;
    the dicts took more than the records themselves)."""
    return zlib.compress(submission_json(value).encode("utf-8"), 1)


def submission_json(value: Any) -> str:
    """A submission's sheets, fields, issues or records as the history store keeps them (JSON
    text), from the values, or from :func:`pack_submission`'s bytes."""
    if isinstance(value, bytes):
        return zlib.decompress(value).decode("utf-8")
    if isinstance(value, str):
        return value
    return json.dumps(value or [], ensure_ascii=False, sort_keys=True, default=_json_default)


#: customers encoded at a time when a snapshot is saved (the JSON texts of one chunk are held)
SNAPSHOT_CHUNK = 20_000
_SKIP = object()


def _stored(value: Any) -> tuple[Any, bool]:
    """(what the snapshot keeps of ``value``, whether it is a date); ``_SKIP`` for a missing value."""
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return _SKIP, False
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat(), True
    return value, False


#: distinct values remembered per column while encoding (a column of unique names gains nothing)
_CACHE_VALUES = 50_000
_MISSING = (_SKIP, False)


def _stored_column(values: list, cache: dict) -> list:
    """:func:`_stored` of every value, judged once per distinct value."""
    out = []
    for v in values:
        if v is None or (v.__class__ is float and v != v):
            out.append(_MISSING)
            continue
        try:
            key = (v.__class__, v)
            hit = cache.get(key)
        except TypeError:                    # an unhashable value (a list)
            out.append(_stored(v))
            continue
        if hit is None:
            hit = _stored(v)
            if len(cache) < _CACHE_VALUES:
                cache[key] = hit
        out.append(hit)
    return out


def snapshot_rows(month: str, customers: pd.DataFrame):
    """(month, customer_id, data JSON) per customer, encoded column by column a chunk at a time
    (missing values left out, dates as ``YYYY-MM-DD`` listed under ``__dates__``): a generator, so the texts of a million
    customers are never all held at once."""
    fields = [c for c in customers.columns if c != "customer_id"]
    caches: list[dict] = [{} for _ in fields]
    dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=_json_default).encode
    for lo in range(0, len(customers), SNAPSHOT_CHUNK):
        part = customers.iloc[lo: lo + SNAPSHOT_CHUNK]
        ids = part["customer_id"].tolist()
        columns = [_stored_column(part[f].tolist(), cache) for f, cache in zip(fields, caches)]
        for i, cid in enumerate(ids):
            data: dict[str, Any] = {}
            dates = []
            for f, col in zip(fields, columns):
                v, is_date = col[i]
                if v is _SKIP:
                    continue
                data[f] = v
                if is_date:
                    dates.append(f)
            if dates:
                data["__dates__"] = dates
            yield month, str(cid), dumps(data)


def identity_rows(month: str, identities: pd.DataFrame | None) -> list[tuple[str, str, str, str]]:
    """(key_type, key_value, customer_id, first_month) per identity key of the run."""
    if identities is None or not len(identities):
        return []
    return [(str(t), str(v), str(c), month) for t, v, c in identities[KNOWN_COLUMNS].itertuples(index=False, name=None)]


def _decode(text: str) -> dict[str, Any]:
    data = json.loads(text)
    for k in data.pop("__dates__", []):
        if k in data:
            data[k] = dt.date.fromisoformat(data[k])
    return data


#: what the SAVE stage reads from the run's data catalog (pipeline/runner.py)
SAVE_INPUTS = ("options", "rules", "started", "summary", "candidates", "files", "superseded", "keep_previous", "run_no",
               "customers_written", "identities", "submissions", "review_decisions", "save_staged")


def record_run(options: Any, rules: Any, started: str | None, summary: dict[str, Any], candidates: pd.DataFrame,
               files: pd.DataFrame | None, superseded: dict[str, str] | None, keep_previous: Path | None,
               run_no: int, customers_written: pd.DataFrame, identities: pd.DataFrame | None,
               submissions: pd.DataFrame | None, review_decisions: list[dict] | None = None,
               save_staged: Path | None = None) -> StageResult:
    """The SAVE stage (after WRITE): keep the read-only copies of this run's new submissions,
    then record the run — snapshot (the customers as written), identities, submissions, ledger
    rows and the month's run list — in one transaction. A run killed before this leaves the
    store as it was. ``save_staged``: the snapshot and identity rows the write stage encoded
    (:mod:`pipeline.history_staged`); the file is removed afterwards."""
    from .history_staged import discard
    from .ledger import iter_store_copies, ledger_rows
    from .writers import run_record
    from .writers.store import keep_copies

    out_root, month = Path(options.output_dir), options.month
    now = started or dt.datetime.now().isoformat(timespec="seconds")
    rows = ledger_rows(candidates, files if files is not None else pd.DataFrame(columns=["src_file"]),
                       superseded or {}, month, now)
    kept = keep_copies(iter_store_copies(rows, out_root, month))
    record = run_record({"started": started}, summary)
    run = {"run_no": run_no or 1, "fresh_note": rules.notes["ledger"]["fresh_dropped"],
           "kept_as": Path(keep_previous).relative_to(out_root).as_posix()
           if keep_previous and Path(keep_previous).exists() else "",
           "earlier_kept": ((summary.get("ledger") or {}).get("interrupted") or {}).get("earlier_kept") or {}}
    try:
        save_run(out_root / "history.sqlite", month, record, customers_written, identities, submissions,
                 ledger=rows, run=run, fresh=bool(getattr(options, "fresh", False)), decisions=review_decisions,
                 staged=save_staged)
    finally:
        discard(save_staged)
    return StageResult(data={"saved": {"ledger_rows": len(rows), "copies_kept": kept, "run": run["run_no"]}})
