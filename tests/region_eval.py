"""Scoring the region reader against annotated addresses (tests/data/regions/README.md).

An annotated span is what the address says (义乌, 江干区, 北京); a reading is right at a level
when its official name is the span, starts with it (义乌 → 义乌市, 石柱 → 石柱土家族自治县), is
what the span became (an obsolete name reported by ``region-obsolete``), is the unit's name and
城区 (瑞安市城区: the county's town, tagged at the county level), is a 新区 written without
its 区 (光明新: 光明新区, now 光明区), or the span's level is
empty and the reading is implied by a deeper annotated level (or by a municipality). A silent
miss is a wrong level on an address that got no region issue at all.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).parent / "data" / "regions"
LEVELS = ("province", "city", "district")
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "省直辖县级行政区", "直辖", "省直辖"}
#: the picker's 省直辖 tagged onto the county or city (湖北省直辖仙桃市: ``直辖仙桃市``, 阿拉尔市省直辖)
_DIRECT_MARK = re.compile(r"^(?:省直辖|直辖)(?=..)|(?<=..)(?:省直辖|直辖)$")


def load(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


_SUFFIX = ("地区", "市", "区", "县", "州", "旗", "盟", "省")


def _stem(name: str) -> str:
    for suffix in _SUFFIX:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _matches(spans: str, got: set[str], olds: set[str], aliases) -> bool:
    """An annotated span names one of the units read (at any level: annotators label the
    written word, 德令哈市 may be tagged city), or is a listed alias of it (颖东区 → 颍东区). A level
    tagged more than once (two addresses in one text, 湖北省黄冈市黄梅县中国浙江省杭州市…: both
    provinces tagged ``prov``) is right when the reading names one of them: the corpus does not
    say which is the address (the reader reads the later one, with ``region-multiple``)."""
    return any(_matches_one(span, got, olds, aliases) for span in dict.fromkeys(spans.split("|")))


_URBAN = "城区"              # 瑞安市城区, 瓯海区城区: the county's town, tagged as the county
_NEW_AREA = "新区"           # 光明新, 龙华新 (…光明新凤新路): a 新区 written without its 区, tagged so


def _matches_one(span: str, got: set[str], olds: set[str], aliases) -> bool:
    base = span[: -len(_URBAN)]
    if span.endswith(_URBAN) and len(base) >= 3 and base[-1] in "市区县" and base in got:
        return True
    stem = _stem(span)
    return (span in olds or stem in {_stem(o) for o in olds}
            or any(g == span or g.startswith(stem) for g in got)
            or any(e.unit.name in got for e in aliases(span))
            or (span.endswith(_NEW_AREA[0]) and any(e.unit.name in got for e in aliases(span + _NEW_AREA[1:]))))


@dataclass
class Score:
    rows: int = 0
    right: dict = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    silent: int = 0
    flagged: int = 0
    misses: list = field(default_factory=list)

    def rate(self, level: str) -> float:
        return self.right[level] / self.rows if self.rows else 0.0

    @property
    def silent_rate(self) -> float:
        return self.silent / self.rows if self.rows else 0.0


def _written(res) -> set[str]:
    """Words the reading names as written otherwise: obsolete names, and slips (菜山区 read as
    萧山区 with ``region-typo``) — the corpus tags such words as written."""
    return {f.params.get("old", "") for _, f in res.findings if f.rule == "region-obsolete"} | {
        f.params.get("word", "") for _, f in res.findings if f.rule == "region-typo"}


def score(resolver, rows: list[dict], strict: bool = False) -> Score:
    """``strict``: a place read from an address with no annotated place counts as wrong
    (the corpus does not tag places inside company names: 宁波伯豪华府大酒店)."""
    s = Score()
    for row in rows:
        res = resolver.resolve(None, None, None, row["address"])
        olds = _written(res)
        flagged = any(f.rule != "region-obsolete" for _, f in res.findings)
        got = {"province": res.province, "city": res.city, "district": res.district}
        s.rows += 1
        s.flagged += flagged
        wrong = []
        named = {g for g in got.values() if g}
        annotated = any(row[k] for k in LEVELS)
        for i, level in enumerate(LEVELS):
            # placeholder levels are no place, also inside repeated spans (市辖区|黄浦区)
            span = "|".join(_DIRECT_MARK.sub("", p) for p in row[level].split("|") if p not in PLACEHOLDERS)
            if span:
                ok = _matches(span, named, olds, lambda t: resolver.index.names.get(t, ()))
            elif not annotated:
                ok = got[level] is None or not strict
            else:
                ok = True                      # implied by what the address does say
            s.right[level] += ok
            if not ok:
                wrong.append(level)
        if wrong:
            s.misses.append((row["address"], {k: row[k] for k in LEVELS}, got, flagged))
            if not flagged:
                s.silent += 1
    return s


_DIRECT = ("省直辖县", "自治区直辖县")            # a registry 地区 naming no prefecture
_LABEL_SUFFIX = ("", "市", "区", "县", "州", "地区", "盟")


def _label_name(label: str, names) -> bool:
    """The registry's 地区 label is a place the tables know (not 自贸区, 洋浦经济开发区)."""
    base = label[:-1] if label.endswith("州") and len(label) > 2 else label
    return any(base + s in names for s in _LABEL_SUFFIX)


def score_registry(resolver, rows: list[dict]) -> Score:
    """Registered companies (tests/data/regions/README.md): the address against the registry's
    所在省份 and 地区 (the city, or the district in a municipality; labels naming no place —
    自贸区 — score the province only). ``right["district"]`` counts rows whose 地区 is right."""
    s = Score()
    names = resolver.index.names
    for row in rows:
        res = resolver.resolve(None, None, None, row["address"])
        olds = _written(res)
        flagged = any(f.rule != "region-obsolete" for _, f in res.findings)
        prov, area = row["province"], row["area"]
        p_ok = bool(res.province and res.province.startswith(prov))
        muni = res.province is not None and res.province == res.city
        if area.startswith(_DIRECT):
            a_ok = p_ok and res.city is not None and res.city == res.district
        elif not _label_name(area, names):
            a_ok = p_ok
        else:
            stem = area[:-1] if area.endswith("州") and len(area) > 2 else area
            got = res.district if muni else res.city
            a_ok = bool(got and got.startswith(stem)) or any(o.startswith(stem) for o in olds)
        s.rows += 1
        s.right["province"] += p_ok
        s.right["city"] += a_ok
        s.flagged += flagged
        if not (p_ok and a_ok):
            s.misses.append((row["address"], {"province": prov, "city": area}, res, flagged))
            if not flagged:
                s.silent += 1
    return s
