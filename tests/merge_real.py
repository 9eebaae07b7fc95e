"""Real company names for the merge stage: the registry sample and its variants.

``registry_records()`` reads ``tests/data/companies/registry_sample.csv`` (real firms, one
row each, see its README) into a records frame of the after-normalize shape, with the
official province and city names of ``rules/regions/``. ``variant_pairs()`` writes each
firm again the way a sales rep would (Traditional characters, 简称, county-level city as an
infix, the city dropped but the county kept, an English alias) with the same mobile, for
recall measurement. Used by the labelled tests and ``bench/merge_quality.py``.
"""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import opencc
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests/data/companies/registry_sample.csv"
_S2T = opencc.OpenCC("s2t")


@lru_cache(maxsize=1)
def _regions() -> tuple[dict[str, str], dict[tuple[str, str], str], dict[str, tuple[str, str]]]:
    """province short → official; (province, city short) → official city; district → (province, city)."""
    prov: dict[str, str] = {}
    with open(ROOT / "rules/regions/provinces.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            for n in [r["name"], r["short"], *filter(None, (r.get("aliases") or "").split("|"))]:
                prov[n] = r["name"]
    city: dict[tuple[str, str], str] = {}
    with open(ROOT / "rules/regions/cities.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            for n in [r["name"], r["short"], *filter(None, (r.get("aliases") or "").split("|"))]:
                if n:
                    city[(r["province"], n)] = r["name"]
    district: dict[str, tuple[str, str]] = {}
    with open(ROOT / "rules/regions/districts.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            for n in (r["name"], r["name"][:-1]):
                district.setdefault(f"{r['province']}|{n}", (r["province"], r["city"]))
    return prov, city, district


def official_place(province: str, area: str) -> tuple[str, str]:
    """("湖南", "邵阳") → ("湖南省", "邵阳市"); a municipality's district → the municipality."""
    prov_of, city_of, district_of = _regions()
    p = prov_of.get(province, "")
    c = city_of.get((p, area), "")
    if not c and p:
        c = district_of.get(f"{p}|{area}", ("", ""))[1]
    return p, c


def registry_records(path: Path = SAMPLE, limit: int | None = None) -> pd.DataFrame:
    """The registry sample as records (customer_type 企业, name, uscc, province, city, truth)."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, nrows=limit)
    places = [official_place(p, a) for p, a in zip(raw["所在省份"], raw["地区"])]
    frame = pd.DataFrame({"customer_type": "企业", "name": raw["企业名称"], "uscc": raw["统一社会信用代码"],
                          "province": [p for p, _ in places], "city": [c for _, c in places]})
    frame["truth"] = range(1, len(frame) + 1)
    return with_provenance(frame)


def with_provenance(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reset_index(drop=True).copy()
    out.insert(0, "row_id", range(len(out)))
    out["src_team"] = "大客户部"
    out["src_file"], out["src_sheet"] = "大客户部.xlsx", "客户"
    out["src_row"] = out["row_id"] + 2
    out["bad_fields"] = [frozenset()] * len(out)
    return out


LEGAL_TAILS = ("股份有限公司", "有限责任公司", "有限公司", "总公司", "公司", "厂")
KINDS = ("traditional", "short", "county_infix", "county_kept", "english", "legal_form", "typo")


@lru_cache(maxsize=1)
def _counties() -> dict[str, tuple[str, str]]:
    """county-level city / county full name → (province, city), unambiguous ones only."""
    seen: dict[str, list[tuple[str, str]]] = {}
    with open(ROOT / "rules/regions/districts.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if len(r["name"]) >= 3 and r["name"][-1] in "市县":
                seen.setdefault(r["name"], []).append((r["province"], r["city"]))
    return {k: v[0] for k, v in seen.items() if len(v) == 1}


UNIT_HINTS = ("分公司", "支公司", "支行", "分行", "营业部", "门市", "分理处", "支局", "分局", "办事处", "邮政所",
              "代销", "经营部", "加油站", "第", "（", "(", "集团", "总公司")


@lru_cache(maxsize=1)
def _districts() -> list[str]:
    with open(ROOT / "rules/regions/districts.csv", encoding="utf-8") as fh:
        return sorted({r["name"] for r in csv.DictReader(fh) if len(r["name"]) >= 3}, key=len, reverse=True)


@lru_cache(maxsize=None)
def _provinces_of(city: str) -> list[str]:
    prov_of, city_of, _ = _regions()
    provs = {p for (p, _), c in city_of.items() if c == city}
    return tuple(sorted({n for n, p in prov_of.items() if p in provs}, key=len, reverse=True))


def _split(name: str) -> tuple[str, str]:
    for tail in LEGAL_TAILS:
        if name.endswith(tail) and len(name) > len(tail) + 2:
            return name[: -len(tail)], tail
    return name, ""


def _variant(kind: str, name: str, city: str, k: int) -> str | None:
    """One realistic rewriting of ``name`` (None when the kind does not apply to it)."""
    body, tail = _split(name)
    city_short = city[:-1] if city.endswith("市") else city
    county = next((c for c in _counties() if body.startswith(c)), "")
    if kind == "traditional":
        out = _S2T.convert(name)
        return out if out != name else None
    if kind == "legal_form":
        if not tail.endswith("有限公司") and tail != "有限责任公司" or "分" in body[-3:]:
            return None
        return body + ("有限责任公司" if tail != "有限责任公司" else "有限公司")
    if kind == "typo":
        if any(w in name for w in UNIT_HINTS):
            return None
        core = body[len(city_short):] if body.startswith(city_short) else body
        if len(core) < 5:
            return None
        pos = len(body) - len(core) + 2 + k % (len(core) - 3)
        return body[:pos] + body[pos + 1:] + tail  # one character dropped
    # the rest start from the brand: the body without its leading places
    for place in _provinces_of(city):
        if body.startswith(place):
            body = body[len(place):]
            break
    for place in (city, city_short):
        if place and body.startswith(place):
            body = body[len(place):]
            break
    district = next((d for d in _districts() if body.startswith(d)), "")
    body = body[len(district):]
    if len(body) < 3 or any(w in name for w in UNIT_HINTS):
        return None
    if kind == "short":
        if len(city_short) > 4:
            return None
        return [body[:4], city_short + body[:2], body[:2] + body[-2:]][k % 3] if len(body) >= 4 else None
    if kind == "english":
        letters = "".join(chr(65 + (ord(ch) * 7 + k) % 26) for ch in body[:3])
        return letters + body + tail
    if kind == "county_infix" and county:
        return f"{body}（{county[:-1]}）{tail}"
    if kind == "county_kept" and county:
        return f"{city}{county}{body}{tail}" if not name.startswith(city) else f"{county}{body}{tail}"
    return None


def variant_pairs(records: pd.DataFrame, per_kind: int = 300, seed: int = 14) -> pd.DataFrame:
    """For each kind of variant, ``per_kind`` firms written twice — as registered and as the
    variant — with the same city and the same (firm-specific) mobile. ``truth`` is shared by
    the two rows of a firm; ``kind`` names the variant."""
    rows: list[dict] = []
    pool = records.sample(frac=1.0, random_state=seed)
    used: set[str] = set()
    for kind in KINDS:
        count = 0
        for k, r in enumerate(pool.itertuples(index=False)):
            if count >= per_kind:
                break
            if r.uscc in used or not r.city:
                continue
            v = _variant(kind, r.name, r.city, k)
            if not v or v == r.name:
                continue
            used.add(r.uscc)
            count += 1
            mobile = f"13{len(rows) // 2:09d}"
            for nm in (r.name, v):
                rows.append({"customer_type": "企业", "name": nm, "province": r.province, "city": r.city,
                             "mobile": mobile, "truth": r.truth, "kind": kind})
    return with_provenance(pd.DataFrame(rows))
