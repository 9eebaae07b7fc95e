"""Snapshots are encoded column by column, a chunk at a time, into the same JSON the store has
always held (a row-by-row encoder kept here as the reference), and load back as written."""
from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd

from pipeline import history


def _reference(row: dict) -> str:
    """The store's snapshot format: missing values left out, dates as YYYY-MM-DD listed
    under __dates__, sorted keys, Chinese kept as is."""
    data, dates = {}, []
    for k, v in row.items():
        if v is None or v is pd.NaT or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            continue
        if isinstance(v, dt.datetime):
            v = v.date()
        if isinstance(v, dt.date):
            dates.append(k)
            v = v.isoformat()
        data[k] = v
    if dates:
        data["__dates__"] = dates
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=history._json_default)


def _customers(n: int) -> pd.DataFrame:
    pool = ["华东销售部", None, math.nan, pd.NaT, pd.NA, dt.date(2026, 11, 30), dt.datetime(2026, 1, 2, 8, 0),
            pd.Timestamp("2025-03-04"), 12.5, 3, np.int64(7), np.float64("nan"), True, ("甲", "乙"), ["x"], {"b", "a"},
            "", "  空格 "]
    return pd.DataFrame({
        "customer_id": [f"KH{i:08d}" for i in range(n)],
        "name": [f"客户{i}" for i in range(n)],
        "mixed": [pool[i % len(pool)] for i in range(n)],
        "other": [pool[(i * 5) % len(pool)] for i in range(n)],
        "amount": [float(i) if i % 3 else math.nan for i in range(n)],
        "last_coop": pd.to_datetime([f"2026-{1 + i % 12:02d}-01" if i % 4 else None for i in range(n)]),
    })


def test_snapshot_rows_hold_the_stores_json_format(monkeypatch):
    monkeypatch.setattr(history, "SNAPSHOT_CHUNK", 7)          # several chunks
    frame = _customers(40)
    got = list(history.snapshot_rows("2026-11", frame))
    fields = [c for c in frame.columns if c != "customer_id"]
    want = [("2026-11", cid, _reference(dict(zip(fields, vals))))
            for cid, *vals in frame[["customer_id", *fields]].itertuples(index=False, name=None)]
    assert got == want


def test_a_saved_snapshot_loads_back_as_written(tmp_path):
    frame = _customers(25)
    path = tmp_path / "history.sqlite"
    history.save_run(path, "2026-11", {"as_of": "2026-11-30"}, frame, None)
    back = history.load_snapshots(path, ["2026-11"]).set_index("customer_id")
    row = back.loc["KH00000005"]
    assert row["name"] == "客户5" and row["mixed"] == dt.date(2026, 11, 30)
    assert back.loc["KH00000007", "mixed"] == dt.date(2025, 3, 4)          # a Timestamp kept as its date
    assert back.loc["KH00000013", "mixed"] == ["甲", "乙"]
    assert pd.isna(back.loc["KH00000001", "mixed"])                           # missing stays missing
    assert len(back) == 25
