"""Normalize stays fast: distinct values are parsed once. Run this file as a script to
measure 200 000 rows: ``.venv/bin/python -m tests.test_normalize_bulk 200000``."""
from __future__ import annotations

import datetime as dt
import sys
import time

import numpy as np
import pandas as pd

from pipeline.normalize import normalize_records
from pipeline.validate import validate_records
from pipeline.normalize.codes import org_check_char
from tests.factories import uscc

PLACES = [("北京", "北京", "11"), ("江苏省", "苏州", "32"), ("广东", "深圳", "44"), ("浙江", "杭州市", "33"),
          ("上海市", "上海", "31"), (None, None, "32"), ("内蒙", "呼和浩特", "15"), ("广西", "南宁市", "45")]
ADDRESSES = ["江苏省苏州市工业园区星湖街328号", "广东深圳南山区科技园", "朝阳区建国路88号", "河南路100号", None]
INDUSTRIES = ["软件", "通用设备制造业", "C34", "制造业-通用设备制造业", "工业", "汽车零部件制造", "外星贸易", None]
STATUS = ["合作中", "战略客户", "潜在", "流失客户", "合做中", None]
AMOUNTS = ["120万", "12.5万元", "1,200,000", 350000.0, "约80万", -5, "abc", None]
DATES = ["2023/3/5", "2023-03", "20230305", dt.datetime(2021, 6, 1), 44990.0, "2023年3月5日", "2030-01-01", None]


CLEAN = {
    "province": "江苏省", "city": "苏州市", "address": "江苏省苏州市姑苏区人民路100号", "industry": "通用设备制造业",
    "office_phone": "0512-66881234", "email": "zhang@example.com", "status": "合作中客户", "source": "展会",
    "annual_amount": 350000.0, "total_amount": 1200000.0, "renewal_rate": 0.92, "satisfaction": 4.6,
    "founded": dt.datetime(2010, 5, 1), "first_coop": dt.datetime(2015, 6, 1), "last_coop": dt.datetime(2026, 10, 8),
}


def synthetic_records(n: int, seed: int = 7, mess: float = 1.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``mess`` is the share of cells drawn from the messy lists; the rest hold clean values."""
    rng = np.random.default_rng(seed)

    def pick(values, key=""):
        out = [values[i] for i in rng.integers(0, len(values), n)]
        if key in CLEAN and mess < 1.0:
            clean = rng.random(n) >= mess
            out = [CLEAN[key] if c else v for c, v in zip(clean, out)]
        return out

    place = rng.integers(0, len(PLACES), n)
    bodies = [f"MA{rng.integers(100000, 999999)}" for _ in range(min(n, 600))]
    codes = [[uscc(f"91{p[2]}0500{b}{org_check_char(b)}") for b in bodies] for p in PLACES]
    mobiles = [f"1{rng.integers(3, 10)}{rng.integers(0, 10**9):09d}" for _ in range(min(n, 50000))]
    frame = pd.DataFrame({
        "row_id": np.arange(n), "src_file": "华东销售部.xlsx", "src_sheet": "企业客户", "src_row": np.arange(2, n + 2),
        "customer_type": pick(["企业", "企业", "企业", "个人"]),
        "name": [f"苏州恒瑞{i % 20000}精密机械{'(苏州)' if i % 10 == 0 else ''}有限公司" for i in range(n)],
        "uscc": [codes[k][i % len(bodies)] if i % 50 else "9132059" for i, k in enumerate(place)],
        "province": [PLACES[i][0] for i in place], "city": [PLACES[i][1] for i in place],
        "address": pick(ADDRESSES, "address"),
        "industry": pick(INDUSTRIES, "industry"),
        "contact": pick(["王磊", "李 娜", None]), "position": pick(["经理", None]),
        "mobile": [m if i % 7 else f"+86 {m[:3]}-{m[3:7]}-{m[7:]}" for i, m in enumerate(pick(mobiles))],
        "office_phone": pick(["0512-66881234", "010-12345678转801", "4008001234", None, "66881234"], "office_phone"),
        "email": pick(["zhang@Example.com", "li＠example.cn", "bad@", None], "email"),
        "status": pick(STATUS, "status"), "source": pick(["展会", "老客户介绍", "抖音", "路过"], "source"),
        "annual_amount": pick(AMOUNTS, "annual_amount"), "total_amount": pick(AMOUNTS, "total_amount"),
        "renewal_rate": pick(["92%", 0.85, 92, "150%", None], "renewal_rate"), "satisfaction": pick(["4.6分", 4.1, "4.6/5", 7, None], "satisfaction"),
        "founded": pick(DATES, "founded"), "first_coop": pick(DATES, "first_coop"), "last_coop": pick(DATES, "last_coop"),
    })
    columns = pd.DataFrame([{"src_file": "华东销售部.xlsx", "src_sheet": "企业客户", "field": k, "column": "",
                             "header": k, "unit": 1.0} for k in frame.columns[4:]])
    return frame, columns


def test_normalize_20k_messy_rows_keeps_every_row(rules, as_of):
    # Speed is measured by `make bench`, not here: this checks that a large messy frame
    # comes through whole (one output row per input row, every row_id kept, issues found).
    records, columns = synthetic_records(20_000)
    result = normalize_records(records, columns, rules, as_of)
    out = result.data["records"]
    assert len(out) == 20_000
    assert sorted(out["row_id"]) == sorted(records["row_id"])
    assert len(result.issues) > 0


if __name__ == "__main__":
    from pipeline.rules import load_rules

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    mess = float(sys.argv[2]) if len(sys.argv) > 2 else 0.15
    rules = load_rules()
    records, columns = synthetic_records(size, mess=mess)
    print(f"{size} rows, {mess:.0%} of the cells messy")
    for name, run in (("validate", lambda: validate_records(records, columns, rules)),
                      ("normalize", lambda: normalize_records(records, columns, rules, dt.date(2026, 11, 30)))):
        start = time.perf_counter()
        result = run()
        extra = f", {len(result.data['fixes'])} fixes" if "fixes" in result.data else ""
        print(f"{name}: {time.perf_counter() - start:.2f}s, {len(result.issues)} issues{extra}")
