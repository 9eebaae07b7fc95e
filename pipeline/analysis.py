"""The analysis stage and the figures of the quality report: run counts, per-file and
per-team quality (:mod:`pipeline.quality`), distributions, the amount Pareto by ABC class,
demand hot words and issues grouped by rule.

:func:`analyze_run` is a pure stage: its ``analysis`` output is the one source of the counts
that summary.json holds, the report shows and the CLI prints. No file output, no printing.
"""
from __future__ import annotations

import logging
import math
import os
import re
import sqlite3
import sys
import tempfile
from collections import Counter
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

import pandas as pd

from . import quality
from .issues import SEVERITY_ORDER, issues_frame
from .model import OUTCOME_MERGED, OUTCOME_REJECTED, OUTCOME_SKIPPED, OUTCOME_SUPERSEDED, StageResult
from .rules import Rules
from .values import text as _text


def _import_jieba():
    """jieba, imported without ``pkg_resources``: its ``_compat`` imports that deprecated module
    (~0.07–0.15 s) only to open jieba's own data files, and opens them by path when it is
    missing. Nothing else is changed; a ``pkg_resources`` already imported is used as it is."""
    hide = "pkg_resources" not in sys.modules
    if hide:
        sys.modules["pkg_resources"] = None       # an import of it raises ImportError
    try:
        import jieba as module
    finally:
        if hide:
            del sys.modules["pkg_resources"]
    return module


jieba = _import_jieba()

BLANK = "未填写"
UNKNOWN_TEAM = quality.UNKNOWN_TEAM
SEVERITIES = quality.SEVERITIES
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


# ----------------------------------------------------------------------------- counts

def count_by(frame: pd.DataFrame | None, column: str, order: Iterable[str] = (), top: int | None = None,
             blank: str = BLANK) -> list[tuple[str, int]]:
    """(label, count) pairs, most frequent first (or in ``order`` when given); values beyond
    ``top`` are summed into 其他; empty values are counted under ``blank``."""
    if frame is None or frame.empty or column not in frame.columns:
        return []
    labels = frame[column].map(_text).replace("", blank)
    counts = labels.value_counts(sort=False)
    order = list(order)
    if order:
        known = [(k, int(counts[k])) for k in order if k in counts.index]
        rest = sorted(((str(k), int(v)) for k, v in counts.items() if k not in order and k != blank),
                      key=lambda kv: (-kv[1], kv[0]))
        items = known + rest
    else:
        items = sorted(((str(k), int(v)) for k, v in counts.items() if k != blank), key=lambda kv: (-kv[1], kv[0]))
    if top is not None and len(items) > top:
        items = items[:top] + [("其他", sum(v for _, v in items[top:]))]
    if blank in counts.index:
        items.append((blank, int(counts[blank])))
    return items


def band_order(labels: Iterable[str]) -> list[str]:
    """员工规模 bands in numeric order (``少于50人`` < ``50-100人`` < ``1000人以上``)."""
    def key(label: str):
        m = _NUMBER.search(label)
        first = float(m.group()) if m else math.inf
        return (first, 0 if ("少于" in label or "以下" in label or "<" in label) else 1, label)
    return sorted(set(labels), key=key)


def grade_counts(customers: pd.DataFrame | None, column: str, grades: Iterable[str]) -> dict[str, int]:
    """Counts per grade in table order, plus 未评定 for blanks."""
    out = {g: 0 for g in grades}
    if customers is None or customers.empty or column not in customers.columns:
        return out
    values = customers[column].map(_text)
    for g, n in values.value_counts().items():
        out[g or "未评定"] = out.get(g or "未评定", 0) + int(n)
    return out


# ----------------------------------------------------------------------------- Pareto

def amount_pareto(customers: pd.DataFrame | None, rules: Rules, points: int = 120) -> dict[str, Any]:
    """Share of 累计合作金额 by ABC class and the cumulative curve (customers sorted by amount,
    descending; x = share of customers, y = share of amount), thinned to ``points`` points."""
    abc = next((d for d in rules.dimensions if d.field == "abc" and d.rank_fields), None)
    key = abc.rank_fields[0] if abc else ""
    grades = list(rules.grade_orders.get("abc", ()))
    empty = {"classes": [], "curve": [], "total": 0.0, "ranked": 0}
    if customers is None or customers.empty or key not in customers.columns:
        return empty
    amounts = pd.to_numeric(customers[key], errors="coerce")
    abc = customers["abc"].map(_text) if "abc" in customers.columns else pd.Series("", index=customers.index)
    valid = amounts.notna() & (amounts > 0)
    total = float(amounts[valid].sum())
    if not valid.any() or total <= 0:
        return empty
    n = int(valid.sum())
    classes = []
    cumulative = 0.0
    for g in grades:
        mask = valid & (abc == g)
        amount = float(amounts[mask].sum())
        cumulative += amount
        classes.append({"grade": g, "customers": int(mask.sum()), "customer_share": mask.sum() / n,
                        "amount": amount, "share": amount / total, "cumulative": cumulative / total})
    ordered = amounts[valid].sort_values(ascending=False).to_numpy()
    cum = ordered.cumsum() / total
    step = max(1, n // points)
    idx = list(range(0, n, step))
    if idx[-1] != n - 1:
        idx.append(n - 1)
    curve = [(0.0, 0.0)] + [((i + 1) / n, float(cum[i])) for i in idx]
    return {"classes": classes, "curve": curve, "total": total, "ranked": n}


# ----------------------------------------------------------------------------- hot words

_TFIDF_CACHE: dict[str, Any] = {}

@dataclass(frozen=True)
class _HotWordModel:
    tokenizer: Any
    idf: _IdfTable
    stop_words: frozenset[str]
    prefixes: Any = None                 # _PrefixTable the tokenizer's FREQ is filled from
    asked: set = None                    # substrings already looked up there

    def cover(self, texts: Iterable[str]) -> None:
        """Make the tokenizer know every dictionary entry the texts can meet (see _PrefixTable)."""
        if self.prefixes is None or _WHOLE in self.asked:
            return
        needed = {s for t in texts for s in _substrings(t, self.prefixes.longest)} - self.asked
        if len(needed) > _PREFIX_LOOKUPS:     # many texts: jieba's whole table is cheaper
            _load_whole_dictionary(self.tokenizer, self.prefixes)
            self.asked.add(_WHOLE)
            return
        freq = self.tokenizer.FREQ
        for word, value in self.prefixes.lookup(needed).items():
            freq.setdefault(word, value)      # a word of the domain dictionary keeps its frequency
        self.asked.update(needed)


def _cache_dir() -> Path:
    tmp = Path(tempfile.gettempdir()) / "crm-pipeline-jieba"
    tmp.mkdir(parents=True, exist_ok=True)
    return tmp


class _IdfTable:
    """jieba's IDF table (jieba/analyse/idf.txt, 270 000 words), looked up only for the words a
    month's texts contain. Parsing the file takes about a second, so it is parsed once into an
    SQLite file in the cache folder (keyed by the file's size and mtime); later runs open it
    and read the few hundred words they need. Importing ``jieba.analyse`` is avoided
    altogether: it also loads the POS tagger and parses the table itself."""

    def __init__(self) -> None:
        source = Path(jieba.__file__).parent / "analyse" / "idf.txt"
        stat = source.stat()
        self.path = _cache_dir() / f"idf-{stat.st_size}-{int(stat.st_mtime)}.sqlite"
        if not self.path.exists():
            self._build(source)
        with closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)) as db:
            self.median = float(db.execute("SELECT value FROM meta WHERE key = 'median'").fetchone()[0])

    def _build(self, source: Path) -> None:
        rows = []
        for line in source.read_text("utf-8").splitlines():
            word, _, freq = line.strip().rpartition(" ")
            if word:
                rows.append((word, float(freq)))
        values = sorted(v for _, v in rows)
        median = values[len(values) // 2] if values else 0.0
        part = self.path.with_suffix(f".{os.getpid()}.part")
        part.unlink(missing_ok=True)
        with closing(sqlite3.connect(part)) as db:
            db.execute("CREATE TABLE idf (word TEXT PRIMARY KEY, value REAL) WITHOUT ROWID")
            db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value)")
            db.executemany("INSERT OR REPLACE INTO idf VALUES (?, ?)", rows)
            db.execute("INSERT INTO meta VALUES ('median', ?)", (median,))
            db.commit()
        os.replace(part, self.path)          # whole or not at all: parallel runs may race here

    def lookup(self, words: Iterable[str]) -> dict[str, float]:
        words = list(dict.fromkeys(words))
        found: dict[str, float] = {}
        with closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)) as db:
            for i in range(0, len(words), 500):
                chunk = words[i:i + 500]
                marks = ",".join("?" * len(chunk))
                found.update(db.execute(f"SELECT word, value FROM idf WHERE word IN ({marks})", chunk))
        return found


#: above this many substrings to look up, the tokenizer loads jieba's whole table instead
_PREFIX_LOOKUPS = 400_000
_WHOLE = object()                        # in _HotWordModel.asked once the whole table is loaded


def _substrings(text: str, longest: int) -> Iterable[str]:
    n = len(text)
    for i in range(n):
        for j in range(i + 1, min(n, i + longest) + 1):
            yield text[i:j]


class _PrefixTable:
    """jieba's main dictionary as its tokenizer's prefix table (word -> frequency; every prefix
    of a word listed with 0), in an SQLite file of the cache folder, built once. Loading the
    whole table (jieba's own cache, 500 000 entries) costs about 0.7 s CPU a run, while
    segmenting a text only ever looks up substrings of it (``Tokenizer.get_DAG``, ``calc``,
    ``__cut_DAG``) no longer than the longest word: a run reads just those, and the words the
    tokenizer finds are the same."""

    def __init__(self) -> None:
        source = Path(jieba.__file__).parent / "dict.txt"
        stat = source.stat()
        self.path = _cache_dir() / f"prefix-{stat.st_size}-{int(stat.st_mtime)}.sqlite"
        if not self.path.exists():
            self._build(source)
        with closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)) as db:
            meta = dict(db.execute("SELECT key, value FROM meta"))
        self.total, self.longest = int(meta["total"]), int(meta["longest"])

    def _build(self, source: Path) -> None:
        with open(source, "rb") as fh:
            freq, total = jieba.Tokenizer.gen_pfdict(fh)
        part = self.path.with_suffix(f".{os.getpid()}.part")
        part.unlink(missing_ok=True)
        with closing(sqlite3.connect(part)) as db:
            db.execute("CREATE TABLE freq (word TEXT PRIMARY KEY, value INTEGER) WITHOUT ROWID")
            db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value)")
            db.executemany("INSERT OR REPLACE INTO freq VALUES (?, ?)", freq.items())
            db.executemany("INSERT INTO meta VALUES (?, ?)", [("total", total), ("longest", max(map(len, freq)))])
            db.commit()
        os.replace(part, self.path)          # whole or not at all: parallel runs may race here

    def lookup(self, words: Iterable[str]) -> dict[str, int]:
        words = list(words)
        found: dict[str, int] = {}
        with closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)) as db:
            for i in range(0, len(words), 500):
                chunk = words[i:i + 500]
                found.update(db.execute(f"SELECT word, value FROM freq WHERE word IN ({','.join('?' * len(chunk))})",
                                        chunk))
        return found

    def whole(self) -> dict[str, int]:
        with closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)) as db:
            return dict(db.execute("SELECT word, value FROM freq"))


def _load_whole_dictionary(tokenizer: Any, prefixes: _PrefixTable) -> None:
    """Every entry of jieba's table into ``tokenizer.FREQ`` (the domain words keep theirs)."""
    freq = tokenizer.FREQ
    for word, value in prefixes.whole().items():
        freq.setdefault(word, value)


def _extractor(rules: Rules) -> _HotWordModel:
    """A jieba tokenizer with the domain dictionary and stop words of rules/hotwords/, and
    jieba's IDF table. Built once per rule set, only when there is demand text; jieba's log
    goes quiet and its dictionary cache goes to a temp folder of our own (kept across runs)."""
    if rules.digest in _TFIDF_CACHE:
        return _TFIDF_CACHE[rules.digest]
    jieba.setLogLevel(logging.WARNING)
    tmp = _cache_dir()
    jieba.dt.tmp_dir = str(tmp)
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(tmp)
    domain = [row for row in rules.tables.get("hotwords/dictionary", ()) if (row.get("word") or "").strip()]
    # the tokenizer starts with the dictionary entries the domain words meet; hot_words adds
    # those of the month's texts (_HotWordModel.cover) before segmenting them
    prefixes = _PrefixTable()
    asked = {s for row in domain for s in _substrings(row["word"].strip(), prefixes.longest)}
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = prefixes.lookup(asked), prefixes.total, True
    for row in domain:
        freq = int(row["freq"]) if (row.get("freq") or "").strip().isdigit() else None
        tokenizer.add_word(row["word"].strip(), freq, (row.get("tag") or "").strip() or None)
    stop = {(r.get("word") or "").strip().lower() for r in rules.tables.get("hotwords/stopwords", ())}
    model = _HotWordModel(tokenizer, _IdfTable(), frozenset(stop), prefixes, asked)
    _TFIDF_CACHE[rules.digest] = model
    return model


def hot_words(texts: Iterable[Any], rules: Rules, top: int = 20, max_texts: int | None = None) -> list[dict[str, Any]]:
    """Top demand keywords (TF-IDF over all texts: term frequency × jieba's IDF), each with the
    number and share of texts containing it as a word, most mentioned first. Each distinct
    text is segmented once (``max_texts`` caps the distinct texts, most frequent first).
    Empty when there is no text (jieba is then never loaded)."""
    counts = Counter(t for t in (_text(x) for x in texts) if t)
    if not counts:
        return []
    n_docs = sum(counts.values())
    extractor = _extractor(rules)
    stop = extractor.stop_words
    tf: Counter = Counter()
    df: Counter = Counter()
    chosen = counts.most_common(max_texts)
    extractor.cover(text for text, _ in chosen)
    for text, mult in chosen:
        words = [w for w in extractor.tokenizer.cut(text)
                 if len(w.strip()) >= 2 and w.lower() not in stop and not _NUMBER.fullmatch(w)]
        for w in words:
            tf[w] += mult
        for w in set(words):
            df[w] += mult
    total = sum(tf.values()) or 1
    idf, median = extractor.idf.lookup(tf), extractor.idf.median
    scored = sorted(((c * idf.get(w, median) / total, w) for w, c in tf.items()), reverse=True)[:top]
    out = [{"word": w, "weight": float(score), "customers": df[w], "share": df[w] / n_docs} for score, w in scored]
    out.sort(key=lambda w: (-w["customers"], -w["weight"]))
    return out


# ----------------------------------------------------------------------------- issues

def issue_groups(issue_table: pd.DataFrame | None, rules: Rules, examples: int = 5) -> list[dict[str, Any]]:
    """One entry per rule: code, title, severity, count, files affected and the first examples
    (rows of the issue table), most severe first then most frequent."""
    if issue_table is None or issue_table.empty:
        return []
    groups = []
    for code, part in issue_table.groupby("rule", sort=False):
        rule = rules.catalog.get(code)
        severity = part["severity"].iloc[0]
        groups.append({
            "rule": code, "title": rule.title if rule else code, "severity": severity,
            "count": len(part), "files": int(part["file"].nunique()),
            "examples": part.head(examples).to_dict("records"),
        })
    groups.sort(key=lambda g: (SEVERITY_ORDER.get(g["severity"], 9), -g["count"], g["rule"]))
    return groups


def severity_counts(issue_table: pd.DataFrame | None) -> dict[str, int]:
    out = {"error": 0, "warning": 0, "info": 0}
    if issue_table is not None and not issue_table.empty:
        for sev, n in issue_table["severity"].value_counts().items():
            out[sev] = int(n)
    return out


# ----------------------------------------------------------------------------- the stage

def _frame(value: Any) -> pd.DataFrame:
    return value if isinstance(value, pd.DataFrame) else pd.DataFrame()


def _counts(series: pd.Series, keys: Iterable[str]) -> dict[str, int]:
    counts = {k: 0 for k in keys}
    for v, n in series.map(_text).value_counts().items():
        if v:
            counts[str(v)] = counts.get(str(v), 0) + int(n)
    return counts


def run_counts(files: Any, source_rows: Any, links: Any, customers: Any, issue_table: pd.DataFrame,
               rules: Rules, merge_stats: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The headline counts: files, rows read / merged / rejected / skipped, duplicates merged,
    customers, issues by severity and rule, grades."""
    src, links, customers = _frame(source_rows), _frame(links), _frame(customers)
    merged_links = links[links["outcome"] == OUTCOME_MERGED] if "outcome" in links else links.iloc[0:0]
    merged = len(merged_links)
    with_rows = merged_links["customer_id"].nunique() if merged else 0
    empty = pd.Series([], dtype=object)
    by_rule = {str(k): int(v) for k, v in issue_table["rule"].value_counts().sort_index().items()} \
        if len(issue_table) else {}
    return {
        "files": len(_frame(files)), "rows_read": len(src), "customers": len(customers),
        "merged_rows": merged,
        "rejected_rows": int((links["outcome"] == OUTCOME_REJECTED).sum()) if "outcome" in links else 0,
        "skipped_rows": int((src["outcome"] == OUTCOME_SKIPPED).sum()) if "outcome" in src else 0,
        "superseded_rows": int((src["outcome"] == OUTCOME_SUPERSEDED).sum()) if "outcome" in src else 0,
        "duplicates_merged": int(merged - with_rows),
        "pairs_compared": int((merge_stats or {}).get("pairs_compared", 0) or 0),
        "issues_by_severity": _counts(issue_table["severity"] if len(issue_table) else empty, SEVERITIES),
        "issues_by_rule": by_rule,
        "grades": {k: _counts(customers.get(k, empty), order) for k, order in rules.grade_orders.items()},
    }


def analyze(data: Mapping[str, Any]) -> dict[str, Any]:
    """Every figure of the run from its catalog (frames and rules): ``counts`` plus the file
    table, the teams (worst first), what each month keeps per team, completeness, why
    customers are 未评定 and the trend. JSON-ready."""
    from .writers.returns import returned_names   # the names the write stage gives the returns

    rules = data["rules"]
    table = data.get("issue_table")
    if table is None:
        table = issues_frame(data.get("issues", ()), rules, data.get("columns"))
    counts = run_counts(data.get("files"), data.get("source_rows"), data.get("links"), data.get("customers"),
                        table, rules, data.get("merge_stats"))
    files = _frame(data.get("files"))
    records = _frame(data.get("records"))
    rows = quality.file_rows(files, _frame(data.get("source_rows")), _frame(data.get("links")), table,
                             data.get("fixes"), records, returned_names(files), rules, data.get("fixes_written"))
    teams = quality.team_rows(rows, table, rules)
    team_counts = quality.team_counts(teams)
    month = str(data.get("month") or "")
    return {
        "counts": counts, "file_table": rows, "teams": teams, "team_counts": team_counts,
        # of the submitted rows: the write stage's second analysis keeps the first one's (its
        # records hold only the columns the writers read, WRITE_RECORD_COLUMNS)
        "completeness": (data.get("analysis") or {}).get("completeness")
        or quality.completeness(records, {r["file"]: r["team"] for r in rows}, rules),
        "ungraded": quality.ungraded(_frame(data.get("customers")), rules),
        "trend": quality.trend(data.get("runs"), month, {**counts, "team_counts": team_counts}),
        "teams_missing": quality.teams_missing(data.get("runs"), month, team_counts),
    }


def analyze_run(issues: Any, columns: Any, records: Any, customers: Any, source_rows: Any, links: Any,
                files: Any, fixes: Any, rules: Rules, runs: Any, month: str,
                merge_stats: Any = None) -> StageResult:
    """The analysis stage: the issue table and :func:`analyze` of the run so far."""
    table = issues_frame(issues, rules, columns)
    catalog = {"issue_table": table, "rules": rules, "records": records, "customers": customers,
               "source_rows": source_rows, "links": links, "files": files, "fixes": fixes, "runs": runs,
               "month": month, "merge_stats": merge_stats}
    return StageResult(data={"analysis": analyze(catalog), "issue_table": table})
