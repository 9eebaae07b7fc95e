"""A labelled set of records for the merge stage, built in code (deterministic).

``labelled_records()`` returns a records frame (after-normalize shape) with a ``truth``
column: rows with the same truth are the same real customer. Scenarios mirror what sales
teams submit: name variants of one company (region prefix, ``（苏州）`` infix, legal-form
variants, full-width letters), invalid codes, typos, renamed companies, and near misses —
the same brand in another city, branches, one-character differences, the same name with
two different credit codes, namesakes among persons.
"""
from __future__ import annotations

import datetime as dt
import random

import pandas as pd

from tests.factories import uscc

BRANDS = ["华力", "恒通", "金鼎", "瑞丰", "博远", "盛达", "新锐", "鸿图", "天诚", "中科信", "润泽", "远航",
          "启明", "宏达", "汇丰源", "佳禾", "正泰隆", "海纳", "东方红", "嘉信", "联创", "凯瑞", "明德", "同心",
          "安泰", "永昌", "光华", "卓越", "星河", "华美", "德胜", "万通", "诚信达", "美嘉", "兴业", "合众",
          "晨光", "蓝海", "银河", "锦程"]
TRADES = ["电子科技", "精密机械制造", "食品", "物流", "建材贸易", "医疗器械", "新材料科技", "软件技术",
          "环保工程", "纺织品进出口"]
CITIES = [("江苏省", "苏州市", "苏州"), ("江苏省", "无锡市", "无锡"), ("浙江省", "杭州市", "杭州"),
          ("广东省", "深圳市", "深圳"), ("上海市", "上海市", "上海"), ("山东省", "青岛市", "青岛")]
TEAMS = ["华东销售部", "大客户部", "华南销售部"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超"]


class _Builder:
    def __init__(self, seed: int):
        self.rnd = random.Random(seed)
        self.rows: list[dict] = []
        self.truth = 0
        self.codes = 0
        self.phones = 0

    def code(self) -> str:
        self.codes += 1
        return uscc(f"913205{self.codes:04d}MA1W{self.codes:03d}".ljust(17, "0")[:17])

    def mobile(self) -> str:
        self.phones += 1
        return f"139{self.phones:08d}"

    def add(self, truth: int, **values) -> None:
        row = {"truth": truth, "customer_type": "企业", "name": None, "uscc": None, "province": None,
               "city": None, "mobile": None, "email": None, "bad": (), "src_team": self.rnd.choice(TEAMS),
               "last_coop": dt.date(2026, self.rnd.randint(1, 10), 1)}
        row.update(values)
        self.rows.append(row)

    def new(self) -> int:
        self.truth += 1
        return self.truth


def _company(b: _Builder, brand: str, trade: str, place: tuple[str, str, str]) -> None:
    """One company submitted 2–4 times with name variants, same code (sometimes missing)."""
    prov, city, short = place
    t, code, phone = b.new(), b.code(), b.mobile()
    variants = [f"{short}{brand}{trade}有限公司", f"{brand}{trade}（{short}）有限公司",
                f"{prov if prov != city else ''}{city}{brand}{trade}有限公司", f"{short}{brand}{trade}股份有限公司"]
    k = b.rnd.randint(2, 4)
    for j, name in enumerate(variants[:k]):
        b.add(t, name=name, uscc=code, province=prov, city=city, mobile=phone if j % 2 == 0 else None)
    # a row with a mistyped code (invalid) but same name and city
    b.add(t, name=variants[0], uscc=code[:-1] + ("0" if code[-1] != "0" else "1"), bad=("uscc",),
          province=prov, city=city)


def labelled_records(seed: int = 7) -> pd.DataFrame:
    b = _Builder(seed)
    rnd = b.rnd
    for i, brand in enumerate(BRANDS):
        trade = TRADES[i % len(TRADES)]
        place = CITIES[i % len(CITIES)]
        other = CITIES[(i + 1) % len(CITIES)]
        _company(b, brand, trade, place)
        kind = i % 8
        if kind == 0:    # same brand in another city: another company
            b.add(b.new(), name=f"{other[2]}{brand}{trade}有限公司", province=other[0], city=other[1])
        elif kind == 1:  # a branch, reported twice; not its parent
            t = b.new()
            for _ in range(2):
                b.add(t, name=f"{place[2]}{brand}{trade}有限公司{other[2]}分公司", province=other[0], city=other[1])
        elif kind == 2:  # one character different, same city, no shared contact: another company
            b.add(b.new(), name=f"{place[2]}{brand[:-1]}钧{trade}有限公司", province=place[0], city=place[1],
                  mobile=b.mobile())
        elif kind == 3:  # same name, a different valid code: another company
            b.add(b.new(), name=f"{place[2]}{brand}{trade}有限公司", uscc=b.code(), province=place[0], city=place[1])
        elif kind == 4:  # typo, corroborated by the same mobile, no code
            t = b.new()
            phone = b.mobile()
            b.add(t, name=f"{brand}{trade}有限公司", uscc=b.code(), city=other[1], mobile=phone)
            typo = f"{brand}{trade[:-1]}{'计' if trade[-1] != '计' else '记'}有限公司"
            b.add(t, name=typo, city=other[1], mobile=phone)
        elif kind == 5:  # renamed company: same code, new name
            t = b.new()
            code = b.code()
            b.add(t, name=f"{brand}{trade}有限公司", uscc=code, city=other[1])
            b.add(t, name=f"新{brand}集团有限公司", uscc=code, city=other[1])
        elif kind == 6:  # dropped character, same city, e-mail corroborates
            t = b.new()
            b.add(t, name=f"{other[2]}{brand}{trade}有限公司", city=other[1], email=f"info@{i}x.com")
            b.add(t, name=f"{other[2]}{brand}{trade[1:]}有限公司", city=other[1], email=f"info@{i}x.com")
        else:            # same name, no code, the same city: one company submitted twice
            t = b.new()
            for _ in range(2):
                b.add(t, name=f"{brand}{trade}有限公司", province=other[0], city=other[1])
    # persons
    for i in range(30):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)]
        t, phone = b.new(), b.mobile()
        b.add(t, customer_type="个人", name=name, mobile=phone, city=CITIES[i % 6][1])
        if i % 3 == 0:    # reported again by another team, same mobile
            b.add(t, customer_type="个人", name=name, mobile=phone)
        elif i % 3 == 1:  # namesake with another mobile: another person
            b.add(b.new(), customer_type="个人", name=name, mobile=b.mobile(), city=CITIES[i % 6][1])
        else:             # typo in the given name, same mobile
            b.add(t, customer_type="个人", name=name[0] + "晓" + name[1:], mobile=phone)
    # unidentifiable rows
    b.add(0, name=None, uscc=None, city="苏州市", mobile=b.mobile())
    b.add(0, customer_type="个人", name=None, mobile=None, email="x@y.com")
    rnd.shuffle(b.rows)
    frame = pd.DataFrame(b.rows)
    frame.insert(0, "row_id", range(len(frame)))
    frame["src_file"] = frame["src_team"] + ".xlsx"
    frame["src_sheet"] = "客户"
    frame["src_row"] = frame["row_id"] + 3
    frame["bad_fields"] = [frozenset(x) for x in frame.pop("bad")]
    return frame
