"""The rerun comparison (pipeline/ledger.py compare_runs) counts changed customers and fields
column by column: blanks of any kind are equal, a date equals the same day's midnight, tags
compare as sets, 1.0 equals 1."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from pipeline.ledger import compare_runs


def test_changed_customers_and_fields(rules):
    before = pd.DataFrame({
        "customer_id": ["KH1", "KH2", "KH3", "KH4"],
        "name": ["甲公司", "乙公司", "丙公司", "丁公司"],
        "city": ["苏州市", None, "杭州市", "南京市"],
        "last_coop_date": [dt.date(2026, 10, 1), None, math.nan, dt.date(2026, 9, 1)],
        "annual_amount": [1.0, 2.0, math.nan, 5.0],
    })
    after = pd.DataFrame({
        "customer_id": ["KH1", "KH2", "KH3", "KH5"],
        "name": ["甲公司", "乙公司 ", "丙公司（新）", "戊公司"],
        "city": ["苏州市", math.nan, "杭州市", "上海市"],
        "last_coop_date": [pd.Timestamp("2026-10-01"), pd.NaT, None, None],
        "annual_amount": [1, 3.0, None, 1.0],
    })
    files = pd.DataFrame({"src_file": [], "sha256": [], "status": []})
    out = compare_runs(after, files, {"run_no": 1, "snapshot": before, "inputs": []}, 2, rules).data["run_changes"]
    assert (out["customers_before"], out["customers_after"], out["customers_added"], out["customers_gone"]) == (4, 4, 1, 1)
    assert out["customers_changed"] == 2                      # KH2 (amount) and KH3 (name); KH1 unchanged
    names = rules.field_names
    assert out["fields_changed"] == {names["name"]: 1, names["annual_amount"]: 1}
