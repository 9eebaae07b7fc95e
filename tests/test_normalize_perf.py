"""Normalize stays fast: distinct values are parsed once. Run this file as a script to
measure 200 000 rows: ``.venv/bin/python -m tests.test_normalize_perf 200000``."""
from __future__ import annotations

import datetime as dt
import sys
import time

import numpy as np
import pandas as pd

from pipeline.normalize import normalize_records
from pipeline.validate import validate_records
from tests.factories import uscc

PROVINCES = ["北京", "江苏省", "广东", "浙江", "上海市", None, "内蒙", "广西"]
CITIES = ["北京", "苏州", "深圳", "杭州市", "上海", None, "呼和浩特", "南宁市"]
ADDRESSES = ["江苏省苏州市工业园区星湖街328号", "广东深圳南山区科技园", "朝阳区建国路88号", "河南路100号", None]
INDUSTRIES = ["软件", "通用设备制造业", "C34", "制造业-通用设备制造业", "工业", "汽车零部件制造", "外星贸易", None]
STATUS = ["合作中", "战略客户", "潜在", "流失客户", "合做中", None]
AMOUNTS = ["120万", "12.5万元", "1,200,000", 350000.0, "约80万", -5, "abc", None]
DATES = ["2023/3/5", "2023-03", "20230305", dt.datetime(2021, 6, 1), 44990.0, "2023年3月5日", "2030-01-01", None]


def synthetic_records(n: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    pick = lambda values: [values[i] for i in rng.integers(0, len(values), n)]  # noqa: E731
    codes = [uscc(f"91{rng.integers(11, 66)}0000MA{rng.integers(1000000, 9999999)}") for _ in range(min(n, 5000))]
    mobiles = [f"1{rng.integers(3, 10)}{rng.integers(0, 10**9):09d}" for _ in range(min(n, 50000))]
    frame = pd.DataFrame({
        "row_id": np.arange(n), "src_file": "华东销售部.xlsx", "src_sheet": "企业客户", "src_row": np.arange(2, n + 2),
        "customer_type": pick(["企业", "企业", "企业", "个人"]),
        "name": [f"苏州恒瑞{i % 20000}精密机械(有限)公司" for i in range(n)],
        "uscc": pick(codes + ["9132059", None]),
        "province": pick(PROVINCES), "city": pick(CITIES), "address": pick(ADDRESSES),
        "industry": pick(INDUSTRIES),
        "contact": pick(["王磊", "李 娜", None]), "position": pick(["经理", None]),
        "mobile": [m if i % 7 else f"+86 {m[:3]}-{m[3:7]}-{m[7:]}" for i, m in enumerate(pick(mobiles))],
        "office_phone": pick(["0512-66881234", "010-12345678转801", "4008001234", None, "66881234"]),
        "email": pick(["zhang@Example.com", "li＠example.cn", "bad@", None]),
        "status": pick(STATUS), "source": pick(["展会", "老客户介绍", "抖音", "路过"]),
        "annual_amount": pick(AMOUNTS), "total_amount": pick(AMOUNTS),
        "renewal_rate": pick(["92%", 0.85, 92, "150%", None]), "satisfaction": pick(["4.6分", 4.1, "4.6/5", 7, None]),
        "founded": pick(DATES), "first_coop": pick(DATES), "last_coop": pick(DATES),
    })
    columns = pd.DataFrame([{"src_file": "华东销售部.xlsx", "src_sheet": "企业客户", "field": k, "column": "",
                             "header": k, "unit": 1.0} for k in frame.columns[4:]])
    return frame, columns


def test_normalize_20k_rows_is_fast(rules, as_of):
    records, columns = synthetic_records(20_000)
    start = time.perf_counter()
    result = normalize_records(records, columns, rules, as_of)
    elapsed = time.perf_counter() - start
    assert len(result.data["records"]) == 20_000
    assert elapsed < 10, f"normalize took {elapsed:.1f}s for 20 000 rows"


if __name__ == "__main__":
    from pipeline.rules import load_rules

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    rules = load_rules()
    records, columns = synthetic_records(size)
    for name, run in (("validate", lambda: validate_records(records, columns, rules)),
                      ("normalize", lambda: normalize_records(records, columns, rules, dt.date(2026, 11, 30)))):
        start = time.perf_counter()
        result = run()
        print(f"{name}: {size} rows in {time.perf_counter() - start:.2f}s, {len(result.issues)} issues")
