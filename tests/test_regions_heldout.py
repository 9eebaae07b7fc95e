"""The region reader on address sets held out from its development (tests/data/regions/README.md):
measured before any change was made for them; the floors sit at what the reader reaches."""
from __future__ import annotations

import pytest

from pipeline.normalize.compiled import compiled
from tests.region_eval import load, score


@pytest.fixture(scope="module")
def resolver(rules):
    return compiled(rules).regions


# set, rows, floors (province, city, district), most silent misses, most silent misses when
# places read where the corpus tags none count too (strict scoring: 1.26 %, 1.41 %, 1.03 % before
# a place read only after the street detail was flagged, region-after-number)
HELDOUT = [
    # (sixth round: district 0.9912 → 0.9915, silent 0.25 % → 0.20 %, strict 0.75 % → 0.67 %: zones where
    # the county belongs flagged, 绍兴袍江 read; eighth round 0.9996 / 0.9977 / 0.9915 → 0.9997 / 0.9981 /
    # 0.9917, silent 0.20 % → 0.13 %, strict 0.67 % → 0.59 %: slips above the names read flagged; 0.9920
    # once a level tagged twice is right for either span)
    # (ninth round: silent 0.13 % → 0.10 %, strict 0.59 % → 0.48 %: 湖州街, 杭州大厦 no longer read as the city)
    ("annotated_train.csv", 8957, (0.999, 0.998, 0.9915), 0.002, 0.005),
    # (strict silent 1.12 % → 0.94 % once a part of town where the county belongs is flagged: 温州市区;
    # sixth round 0.59 % → 0.53 %, strict 0.94 % → 0.88 %; eighth round unchanged by the reader, province
    # 0.9988 → 1.000 and district 0.9853 → 0.9859 once a level tagged twice is right for either span;
    # ninth round, its misses read (no longer held out): 0.9859 → 0.9882, silent 0.53 % → 0.24 %, strict
    # 0.88 % → 0.47 % — towns of 东莞/中山, 谢集乡, and 0.9871 at the old reader with 光明新 scored as 光明新区)
    ("ccks2021_dev.csv", 1701, (0.999, 0.995, 0.988), 0.003, 0.005),
    # (sixth round: district 0.9903 → 0.9909, silent 0.28 % → 0.20 %, strict 0.73 % → 0.59 %; eighth round
    # 0.9986 / 0.9972 / 0.9909 → 0.9987 / 0.9976 / 0.9910, silent 0.20 % → 0.14 %, strict 0.59 % → 0.53 %;
    # 0.9999 / 0.9986 / 0.9935, silent 0.06 %, strict 0.45 % with either span and 瑞安市城区 scored as 瑞安市)
    # (ninth round: strict 0.45 % → 0.37 %)
    ("ccks2021_train.csv", 7106, (0.999, 0.998, 0.993), 0.001, 0.004),   # (汉口 flagged: 0.04 %, strict 0.35 %)
    # e-commerce delivery addresses (swei412/address-matching), measured on arrival:
    # 1.000 / 0.9953 / 0.9880, silent 0.90 %; 0.9953 / 0.9957, 0.17 % once statistical zones are read;
    # 0.9963, 0.10 % once the picker's 直辖 tagged onto the county (直辖仙桃市) is no part of the span
    # ninth round: silent 0.10 % → 0.03 % (东莞/中山 areas read as their towns or flagged)
    ("address_matching_test.csv", 3000, (0.999, 0.995, 0.996), 0.001, 0.001),
    # the same corpus's dev split, held out in the sixth round: measured on arrival 0.9997 / 0.9970 /
    # 0.9943, silent 0.27 % (strict the same); eighth round (its misses still not looked at) 0.9947,
    # 0.23 % (an everyday word right after its city), 0.9957, 0.13 % with 直辖 dropped from the spans
    # ninth round (misses still not looked at): 0.9957 → 0.9967, 0.13 % → 0.03 % (东莞's 东城区, 莞城区 read)
    ("address_matching_dev.csv", 3000, (0.999, 0.997, 0.996), 0.001, 0.001),
]


@pytest.mark.parametrize("name, rows, floors, silent, strict_silent", HELDOUT, ids=[h[0] for h in HELDOUT])
def test_held_out_annotated_addresses(resolver, name, rows, floors, silent, strict_silent):
    s = score(resolver, load(name))
    assert s.rows == rows
    for level, floor in zip(("province", "city", "district"), floors):
        assert s.rate(level) >= floor, (level, s.misses[:10])
    assert s.silent_rate <= silent, [m for m in s.misses if not m[3]][:10]
    strict = score(resolver, load(name), strict=True)
    assert strict.silent_rate <= strict_silent, [m for m in strict.misses if not m[3]][:10]


def test_express_waybills_every_province(resolver):
    """Waybill addresses from every province, 台湾/香港/澳门 included (rules/regions/hmt.csv):
    measured 1.000 / 0.984 / 0.958 with 4.2 % silent misses before those tables."""
    s = score(resolver, load("express_waybills.csv"))
    assert s.rows == 1995
    assert s.rate("province") >= 0.999 and s.rate("city") >= 0.995 and s.rate("district") >= 0.995, s.misses[:10]
    assert s.silent_rate <= 0.002, [m for m in s.misses if not m[3]][:10]


def test_peer_suites_held_out_in_the_ninth_round(resolver):
    """peer_heldout_s9.csv (ax3353/cpca, akebe/address-parse test cases), annotated before the reader
    ran on it: measured on arrival 1.000 / 1.000 / 1.000 (lenient), no silent miss, 28 of 29 exactly as
    annotated (吉林省吉林开发区 is read as the zone 吉林经济开发区, with region-stat-zone)."""
    rows = load("peer_heldout_s9.csv")
    s = score(resolver, rows)
    assert s.rows == 29 and all(s.rate(level) == 1.0 for level in ("province", "city", "district")), s.misses
    assert s.silent == 0
    exact = [r["address"] for r in rows if tuple(x or "" for x in resolver.resolve(None, None, None, r["address"])[:3])
             == (r["province"], r["city"], r["district"])]
    assert len(exact) >= 28


def test_ccks2021_test_split_held_out_in_the_tenth_round(resolver):
    """ccks2021_test_heldout.csv (480 rows of the CCKS 2021 test split, tagged nowhere; annotated by hand
    against the division tables before the reader ran on it). Scored on the 437 rows that name a place:
    measured on arrival 0.9977 / 0.9977 / 0.9977 (one miss, flagged: 南城区 alone, 东莞's 南城 or 太原's
    南城区 of before 1997, read as the latter with region-ambiguous), no silent miss, 434 of 437 exactly as
    annotated (南市区 alone, Shanghai's or Baoding's, read as Baoding's with region-obsolete)."""
    rows = [r for r in load("ccks2021_test_heldout.csv") if any(r[k] for k in ("province", "city", "district"))]
    s = score(resolver, rows)
    assert s.rows == 437
    assert all(s.rate(level) >= 0.997 for level in ("province", "city", "district")), s.misses
    assert s.silent == 0, [m for m in s.misses if not m[3]]
    exact = [r["address"] for r in rows
             if all(got in want.split("|") for got, want in
                    zip((x or "" for x in resolver.resolve(None, None, None, r["address"])[:3]),
                        (r["province"], r["city"], r["district"])) if want)]
    assert len(exact) >= 434


def test_ccks2021_test_split_second_draw(resolver):
    """ccks2021_test_heldout_b.csv (520 more rows of the same split, annotated the same way, committed
    before the reader ran on it). On the 456 rows naming a place, measured on arrival 1.000 / 0.9978 /
    0.9934 with one silent miss (六安市寿县: 寿县 is 淮南's since 2015; the county was dropped with no issue —
    flagged region-county-elsewhere since, the figures otherwise unchanged)."""
    rows = [r for r in load("ccks2021_test_heldout_b.csv") if any(r[k] for k in ("province", "city", "district"))]
    s = score(resolver, rows)
    assert s.rows == 456
    assert s.rate("province") >= 0.999 and s.rate("city") >= 0.997 and s.rate("district") >= 0.993, s.misses
    assert s.silent == 0, [m for m in s.misses if not m[3]]
