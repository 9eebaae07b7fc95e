"""The slow half of saving a run, done while the workbooks are written.

Saving a run (:func:`pipeline.history.save_run`) encodes every customer of the month as a
snapshot row and every identity key as a row: at 200 000 rows that is most of the save
stage's time, spent in Python after the last workbook is written, while the write stage's
child processes have left a CPU idle. The write stage runs :func:`stage_save` as one of its
jobs instead (pipeline/writers/__init__.py): the rows go into a scratch SQLite file beside
the history store, and the save stage copies them with one ``INSERT … SELECT`` each inside
its transaction. The store itself is still written only by the save stage, after the
workbooks: a run that fails before it leaves the store as it was.
"""
from __future__ import annotations

import sqlite3
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from typing import Iterator

import pandas as pd

from .history import identity_rows, snapshot_rows

_TABLES = (
    "CREATE TABLE snapshots (month TEXT NOT NULL, customer_id TEXT NOT NULL, data TEXT NOT NULL)",
    "CREATE TABLE identities (key_type TEXT NOT NULL, key_value TEXT NOT NULL, customer_id TEXT NOT NULL, "
    "first_month TEXT NOT NULL)",
)


def staged_path(output_dir: Path, month: str) -> Path:
    """Where a run of ``month`` stages its save (hidden, beside history.sqlite)."""
    return Path(output_dir) / f".history-staged-{month}.sqlite"


def stage_save(path: Path, month: str, customers: pd.DataFrame, identities: pd.DataFrame | None) -> Path:
    """Encode the snapshot rows of ``customers`` and the identity keys into a new file at
    ``path`` (a file left there by a run that was stopped is replaced)."""
    path = Path(path)
    discard(path)
    with closing(sqlite3.connect(path, isolation_level=None)) as con:
        con.execute("PRAGMA journal_mode=OFF")    # a scratch file: a crash only means staging again
        con.execute("PRAGMA synchronous=OFF")
        con.execute("BEGIN")
        for table in _TABLES:
            con.execute(table)
        con.executemany("INSERT INTO snapshots VALUES (?, ?, ?)", snapshot_rows(month, customers))
        con.executemany("INSERT INTO identities VALUES (?, ?, ?, ?)", identity_rows(month, identities))
        con.execute("COMMIT")
    return path


def discard(path: Path | None) -> None:
    """Remove a staged file (and a journal SQLite may have left beside it)."""
    if path is None:
        return
    for p in (Path(path), Path(f"{path}-journal")):
        with suppress(FileNotFoundError):
            p.unlink()


@contextmanager
def discarded_on_error(path: Path | None) -> Iterator[None]:
    """Remove the staged file when the body raises (the save stage will not run)."""
    try:
        yield
    except BaseException:
        discard(path)
        raise
