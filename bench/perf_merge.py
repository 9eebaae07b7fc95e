"""Measure the merge stage on synthetic data: ``python -m bench.perf_merge 10000 100000``.

Not collected by pytest (no ``test_`` prefix). Rows come from ~0.6 × n companies and persons;
each is submitted 1–3 times with name variants, some codes missing or mistyped.
"""
from __future__ import annotations

import datetime as dt
import random
import sys
import time

import pandas as pd

from pipeline.merge import merge_records
from pipeline.rules import load_rules
from tests.factories import uscc

POOL = "华力恒通金鼎瑞丰博远盛达新锐鸿图天诚中科信润泽远航启明宏达汇丰源佳禾正泰隆海纳东方红嘉信联创凯瑞明德同心安泰永昌光华卓越星河华美德胜万通"
TRADES = ["电子科技", "精密机械制造", "食品", "物流", "建材贸易", "医疗器械", "新材料科技", "软件技术", "环保工程", "纺织品进出口"]
CITIES = [("江苏省", "苏州市", "苏州"), ("江苏省", "无锡市", "无锡"), ("浙江省", "杭州市", "杭州"), ("广东省", "深圳市", "深圳"),
          ("上海市", "上海市", "上海"), ("山东省", "青岛市", "青岛"), ("四川省", "成都市", "成都"), ("湖北省", "武汉市", "武汉")]
TEAMS = ["华东销售部", "大客户部", "华南销售部", "西南销售部"]


def synthetic(n: int, seed: int = 1) -> pd.DataFrame:
    rnd = random.Random(seed)
    rows: list[dict] = []
    entity = 0
    while len(rows) < n:
        entity += 1
        if rnd.random() < 0.8:
            brand = "".join(rnd.choice(POOL) for _ in range(rnd.randint(2, 3)))
            trade = rnd.choice(TRADES)
            prov, city, short = rnd.choice(CITIES)
            code = uscc(f"91{entity:015d}") if rnd.random() < 0.7 else None
            mobile = f"13{entity:09d}"
            variants = [f"{short}{brand}{trade}有限公司", f"{brand}{trade}（{short}）有限公司", f"{brand}{trade}有限公司"]
            for k in range(rnd.choice([1, 1, 2, 3])):
                bad = rnd.random() < 0.05
                rows.append({"customer_type": "企业", "name": variants[k], "uscc": (code[:-1] + "0") if bad and code else code,
                             "bad_fields": frozenset({"uscc"}) if bad and code else frozenset(),
                             "province": prov, "city": city, "mobile": mobile if rnd.random() < 0.6 else None,
                             "email": None, "src_team": rnd.choice(TEAMS), "annual_amount": float(rnd.randint(1, 900) * 1000),
                             "last_coop": dt.date(2026, rnd.randint(1, 10), 1)})
        else:
            name = rnd.choice("王李张刘陈杨黄赵吴周") + "".join(rnd.choice(POOL) for _ in range(rnd.randint(1, 2)))
            mobile = f"15{entity:09d}"
            for _ in range(rnd.choice([1, 1, 2])):
                rows.append({"customer_type": "个人", "name": name, "mobile": mobile, "city": rnd.choice(CITIES)[1],
                             "src_team": rnd.choice(TEAMS), "bad_fields": frozenset(), "last_coop": None})
    frame = pd.DataFrame(rows[:n])
    frame.insert(0, "row_id", range(len(frame)))
    frame["src_file"], frame["src_sheet"] = frame["src_team"] + ".xlsx", "客户"
    frame["src_row"] = frame["row_id"] + 2
    return frame


def main(sizes: list[int]) -> None:
    rules = load_rules()
    for n in sizes:
        records = synthetic(n)
        start, cpu = time.perf_counter(), time.process_time()
        result = merge_records(records, rules, pd.DataFrame())
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        stats = result.data["merge_stats"]
        print(f"{n:>7} rows: {seconds:6.2f} s wall, {cpu:6.2f} s CPU, pairs compared {stats['pairs_compared']:>8} "
              f"({stats['pairs_compared'] / n:.2f}/row), matched {stats['pairs_matched']}, "
              f"customers {stats['customers']}, issues {len(result.issues)}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
