"""Records at real-name scale for the merge stage, built in code (deterministic).

``scale_records(n)`` gives a records frame (after-normalize shape) whose diversity is what
breaks a merge on real data rather than on a demo: thousands of distinct name keys, hundreds
of real cities (from ``rules/regions/cities.csv``) and hundreds of distinct branch strings,
with duplicates submitted by several teams. Used by the scale test and ``bench/perf_merge.py``.
"""
from __future__ import annotations

import csv
import random
from pathlib import Path

import pandas as pd

from tests.factories import uscc

ROOT = Path(__file__).resolve().parent.parent
CHARS = ("华力恒通金鼎瑞丰博远盛达新锐鸿图天诚中科信润泽远航启明宏达汇丰源佳禾正泰隆海纳东方红嘉信联创凯瑞明德"
         "同心安泰永昌光华卓越星河华美德胜万通晨光蓝海银河锦程鼎盛宇航辰星雅康富强顺达利民兴旺腾飞百川")
TRADES = ["电子科技", "精密机械制造", "食品", "物流", "建材贸易", "医疗器械", "新材料科技", "软件技术", "环保工程",
          "纺织品进出口", "化工", "汽车零部件", "农业开发", "建筑工程", "文化传媒", "电气设备", "石油化工", "光伏能源"]
FORMS = ["有限公司", "股份有限公司", "有限责任公司", "集团有限公司"]
UNITS = ["分公司", "营业部", "办事处", "经营部", "支公司", "项目部"]
TEAMS = ["华东销售部", "大客户部", "华南销售部", "西南销售部", "华北销售部"]


def _places() -> list[tuple[str, str, str, list[str]]]:
    """(province, city, short, [district names]) for every city of the region tables."""
    districts: dict[str, list[str]] = {}
    with open(ROOT / "rules/regions/districts.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            districts.setdefault(row["city"], []).append(row["name"])
    with open(ROOT / "rules/regions/cities.csv", encoding="utf-8") as fh:
        return [(r["province"], r["name"], r["short"] or r["name"], districts.get(r["name"], ["城区"]))
                for r in csv.DictReader(fh)]


def scale_records(n: int, seed: int = 1) -> pd.DataFrame:
    """``n`` records of about ``0.55 n`` companies and persons (see the module docstring)."""
    rnd = random.Random(seed)
    places = _places()
    rows: list[dict] = []
    entity = 0
    while len(rows) < n:
        entity += 1
        prov, city, short, dists = rnd.choice(places)
        if rnd.random() < 0.85:
            brand = "".join(rnd.choice(CHARS) for _ in range(rnd.randint(2, 4)))
            base = f"{brand}{rnd.choice(TRADES)}"
            form = rnd.choice(FORMS)
            unit = f"{rnd.choice(dists)}{rnd.choice(UNITS)}" if rnd.random() < 0.2 else ""
            code = uscc(f"91{entity:015d}") if rnd.random() < 0.6 else None
            mobile = f"13{entity:09d}" if rnd.random() < 0.7 else None
            variants = [f"{short}{base}{form}{unit}", f"{base}（{short}）{form}{unit}", f"{city}{base}{form}{unit}"]
            for k in range(rnd.choice([1, 1, 2, 3])):
                rows.append({"customer_type": "企业", "name": variants[k], "uscc": code, "province": prov,
                             "city": city, "mobile": mobile if rnd.random() < 0.8 else None, "email": None,
                             "src_team": rnd.choice(TEAMS)})
        else:
            name = rnd.choice("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗") + "".join(
                rnd.choice(CHARS) for _ in range(rnd.randint(1, 2)))
            mobile = f"15{entity:09d}"
            for _ in range(rnd.choice([1, 1, 2])):
                rows.append({"customer_type": "个人", "name": name, "mobile": mobile, "city": city,
                             "src_team": rnd.choice(TEAMS)})
    frame = pd.DataFrame(rows[:n])
    frame.insert(0, "row_id", range(len(frame)))
    frame["src_file"], frame["src_sheet"] = frame["src_team"] + ".xlsx", "客户"
    frame["src_row"] = frame["row_id"] + 2
    frame["bad_fields"] = [frozenset()] * len(frame)
    return frame
