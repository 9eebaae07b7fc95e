"""History store: stable customer numbers across months; reruns replace, never duplicate."""
from __future__ import annotations

import datetime as dt
import sqlite3

import pandas as pd
import pytest

from pipeline import history
from pipeline.merge import merge_records
from tests.factories import uscc

CODE_A = uscc("91320594MA1W3AAA0")
CODE_B = uscc("91320594MA1W3BBB0")


def frame(rows: list[dict]) -> pd.DataFrame:
    out = pd.DataFrame(rows)
    out.insert(0, "row_id", range(len(out)))
    out["src_file"], out["src_sheet"], out["src_team"] = "华东销售部.xlsx", "客户", "华东销售部"
    out["src_row"] = out["row_id"] + 2
    out["bad_fields"] = [frozenset()] * len(out)
    return out


MONTH_1 = [
    {"customer_type": "企业", "name": "苏州华力电子有限公司", "uscc": CODE_A, "city": "苏州市", "last_coop": dt.date(2026, 9, 3)},
    {"customer_type": "企业", "name": "华力电子（苏州）有限公司", "uscc": CODE_A, "city": "苏州市", "last_coop": None},
    {"customer_type": "企业", "name": "恒通物流有限公司", "uscc": None, "city": "杭州市", "last_coop": None},
    {"customer_type": "个人", "name": "王芳", "mobile": "13900000001", "city": "上海市", "last_coop": None},
]
MONTH_2 = [
    {"customer_type": "个人", "name": "王芳", "mobile": "13900000001", "city": None, "last_coop": dt.date(2026, 10, 8)},
    {"customer_type": "企业", "name": "新客户科技有限公司", "uscc": CODE_B, "city": "无锡市", "last_coop": None},
    {"customer_type": "企业", "name": "杭州恒通物流有限公司", "uscc": None, "city": "杭州市", "last_coop": None},
    {"customer_type": "企业", "name": "华力电子有限公司", "uscc": CODE_A, "city": None, "last_coop": None},
]


def run_month(path, month: str, rows: list[dict], rules) -> pd.DataFrame:
    loaded = history.load_history(path, month).data
    result = merge_records(frame(rows), rules, loaded["known"]).data
    history.save_run(path, month, {"as_of": f"{month}-28", "rows": len(rows)}, result["customers"],
                     result["identities"])
    return result["links"]


def counts(path) -> dict[str, int]:
    with sqlite3.connect(path) as con:
        return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("runs", "identities", "snapshots")}


def test_missing_history_is_empty_and_not_created(tmp_path):
    path = tmp_path / "history.sqlite"
    data = history.load_history(path, "2026-11").data
    assert data["known"].empty and list(data["known"].columns) == ["key_type", "key_value", "customer_id"]
    assert data["previous"].empty
    assert not path.exists()
    assert history.load_history(None, "2026-11").data["known"].empty


def test_two_months_and_a_rerun_keep_numbers_without_duplicates(tmp_path, rules):
    path = tmp_path / "out" / "history.sqlite"
    first = run_month(path, "2026-10", MONTH_1, rules).set_index("row_id")["customer_id"]
    assert list(first) == ["KH00000001", "KH00000001", "KH00000002", "KH00000003"]
    after_first = counts(path)
    assert after_first["runs"] == 1 and after_first["snapshots"] == 3

    second = run_month(path, "2026-11", MONTH_2, rules).set_index("row_id")["customer_id"]
    # 王芳 by mobile, 恒通 by name key and city, 华力 by code; the new company gets the next number
    assert list(second) == ["KH00000003", "KH00000004", "KH00000002", "KH00000001"]
    after_second = counts(path)
    assert after_second["runs"] == 2 and after_second["snapshots"] == 3 + 4

    rerun = run_month(path, "2026-11", MONTH_2, rules).set_index("row_id")["customer_id"]
    assert list(rerun) == list(second)
    assert counts(path) == after_second          # replaced, not duplicated
    runs = history.read_table(path, "runs")
    assert sorted(runs["month"]) == ["2026-10", "2026-11"]
    assert runs.set_index("month").loc["2026-11", "customers"] == 4

    previous = history.load_history(path, "2026-11").data["previous"].set_index("customer_id")
    assert previous.attrs["month"] == "2026-10"
    assert previous.loc["KH00000001", "last_coop"] == dt.date(2026, 9, 3)     # dates come back as dates
    assert list(previous.loc["KH00000001", "row_ids"]) == [0, 1]
    assert len(history.load_history(path, "2026-12").data["previous"]) == 4

    identities = history.read_table(path, "identities")
    assert not identities.duplicated(["key_type", "key_value"]).any()
    assert identities.set_index(["key_type", "key_value"]).loc[("uscc", CODE_A), "first_month"] == "2026-10"


def test_a_failed_save_changes_nothing(tmp_path, rules):
    path = tmp_path / "history.sqlite"
    run_month(path, "2026-10", MONTH_1, rules)
    before = counts(path)
    loaded = history.load_history(path, "2026-11").data
    result = merge_records(frame(MONTH_2), rules, loaded["known"]).data
    broken = pd.concat([result["customers"], result["customers"].head(1)])   # duplicate customer_id
    with pytest.raises(sqlite3.IntegrityError):
        history.save_run(path, "2026-11", {}, broken, result["identities"])
    assert counts(path) == before


def test_next_customer_number():
    assert history.next_customer_number(None) == 1
    known = pd.DataFrame({"key_type": ["uscc", "name"], "key_value": ["x", "y"],
                          "customer_id": ["KH00000041", "KH00000007"]})
    assert history.next_customer_number(known) == 42
    assert history.format_customer_id(42) == "KH00000042"
