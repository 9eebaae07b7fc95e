"""Regenerate rules/regions/towns.csv: the towns, townships and sub-district offices (乡级,
镇/乡/街道/苏木) of every county the region tables list, from the National Bureau of Statistics'
统计用区划代码 as published by the public mirror modood/Administrative-divisions-of-China
(``dist/streets.csv``: code, name, areaCode, provinceCode, cityCode; data as of 2023-06-30).

    python tools/build_towns.py /path/to/Administrative-divisions-of-China(.git)

A town counts only when its county code is a county of ``rules/regions/districts.csv`` or one
of the bureau's statistical zones (codes ``xx7x``: 苏州工业园区, 济南高新技术产业开发区, and its other
county-level areas the Ministry does not list: 加格达奇区; from ``dist/areas.csv``, written to
``rules/regions/stat_zones.csv`` with their province and city) and
its name ends in a town word. Written columns: ``name`` (as the bureau writes it), ``district``
(the county or zone code).
The reader uses them only inside a province or city it has already read (docs/normalize.md,
"Towns"). Two runs on the same checkout give identical files.

The cities the Ministry lists no county under (东莞市, 中山市, 儋州市, 嘉峪关市: the bureau files their
towns under one county-level code of the city itself, 441900, 620201) get their towns in
``rules/regions/city_towns.csv`` (code, province, city, name: the town's own 9-digit code; ``short``:
the name without its town word, 虎门; ``variants``: how an address picker writes a 街道 at the county
level, 东城区, 石岐区), read as the 区县 of such a city (docs/normalize.md "Cities without counties"),
and in ``towns.csv`` with the town's own code as ``district``.
"""
from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

from sources import read   # tools/sources.py (the tools run as scripts from tools/)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "rules" / "regions" / "towns.csv"
ZONES_OUT = ROOT / "rules" / "regions" / "stat_zones.csv"
CITY_TOWNS_OUT = ROOT / "rules" / "regions" / "city_towns.csv"
TOWN_END = re.compile(r"(?:镇|乡|街道|苏木)$")


#: county-level units of the bureau the Ministry's tables do not list, besides its zones: the areas
#: 大兴安岭地区 administers (加格达奇区, 松岭区, 新林区, 呼中区: codes 2327 6x) and 大柴旦行政委员会
#: (632857) — not 东莞市/中山市 (the city itself) nor the 三沙 island codes the Ministry replaced
_STREET_OFFICE, _DISTRICT = "街道", "区"
_OTHER_AREA = re.compile(r"(?:区|行政委员会)$")


def stat_zones(checkout: Path, cities: Path, districts: Path | None = None) -> list[dict]:
    """The statistical zones (county-level codes ``xx7x``) of the cities the tables list, and the
    bureau's other county-level areas the Ministry's tables do not list (``_OTHER_AREA``)."""
    with cities.open(encoding="utf-8", newline="") as fh:
        city = {r["code"]: r for r in csv.DictReader(fh)}
    listed: set[str] = set()
    if districts is not None:
        with districts.open(encoding="utf-8", newline="") as fh:
            listed = {r["code"] for r in csv.DictReader(fh)}
    text, _ = read(checkout, "dist/areas.csv", "utf-8-sig")
    rows = []
    for r in csv.DictReader(io.StringIO(text)):
        code, name = r["code"].strip(), r["name"].strip()
        other = districts is not None and code not in listed and bool(_OTHER_AREA.search(name))
        if (code[4:5] == "7" or other) and code[:4] in city:
            rows.append({"code": code, "province": city[code[:4]]["province"], "city": city[code[:4]]["name"],
                         "name": name})
    return sorted(rows, key=lambda r: r["code"])


def city_towns(checkout: Path, cities: Path, districts: Path) -> list[dict]:
    """The towns of the cities the tables list no county under (东莞市): the bureau files them under
    a county-level code of the city itself (441900, 620201); each one with its own code."""
    with cities.open(encoding="utf-8", newline="") as fh:
        city = {r["code"]: r for r in csv.DictReader(fh)}
    with districts.open(encoding="utf-8", newline="") as fh:
        with_counties = {r["code"][:4] for r in csv.DictReader(fh)}
    bare = {c for c in city if c not in with_counties and not c.endswith("00")}   # (not 香港, 澳门: 8100)
    text, _ = read(checkout, "dist/streets.csv", "utf-8-sig")
    rows = []
    for r in csv.DictReader(io.StringIO(text)):
        code, name, ckey = r["code"].strip(), r["name"].strip(), r["cityCode"].strip()
        if ckey in bare and TOWN_END.search(name) and len(name) >= 3:
            short = TOWN_END.sub("", name)
            short = short if len(short) >= 2 else ""
            # a 街道 written as a district (东城街道: 东城区; 东区街道: 东区)
            variant = "" if not short or not name.endswith(_STREET_OFFICE) or short.endswith(_DISTRICT) \
                else short + _DISTRICT
            rows.append({"code": code, "province": city[ckey]["province"], "city": city[ckey]["name"], "name": name,
                         "short": short if short != name else "", "variants": variant})
    return sorted(rows, key=lambda r: r["code"])


def build(checkout: Path, districts: Path, zones: list[dict] = (), own: list[dict] = ()) -> tuple[list[dict], str]:
    with districts.open(encoding="utf-8", newline="") as fh:
        counties = {r["code"] for r in csv.DictReader(fh)} | {z["code"] for z in zones}
    text, commit = read(checkout, "dist/streets.csv", "utf-8-sig")
    rows = []
    for r in csv.DictReader(io.StringIO(text)):
        name, county = r["name"].strip(), r["areaCode"].strip()
        if county in counties and TOWN_END.search(name) and len(name) >= 3:
            rows.append({"name": name, "district": county})
    rows += [{"name": t["name"], "district": t["code"]} for t in own]   # a town standing for the county
    rows.sort(key=lambda r: (r["district"], r["name"]))
    return rows, commit


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkout", type=Path, help="Administrative-divisions-of-China work tree or bare git directory")
    ap.add_argument("--districts", type=Path, default=ROOT / "rules" / "regions" / "districts.csv")
    ap.add_argument("--cities", type=Path, default=ROOT / "rules" / "regions" / "cities.csv")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--zones-out", type=Path, default=ZONES_OUT)
    ap.add_argument("--city-towns-out", type=Path, default=CITY_TOWNS_OUT)
    args = ap.parse_args(argv)
    zones = stat_zones(args.checkout, args.cities, args.districts)
    own = city_towns(args.checkout, args.cities, args.districts)
    rows, commit = build(args.checkout, args.districts, zones, own)
    for out, table, extra in ((args.zones_out, zones, []), (args.city_towns_out, own, ["short", "variants"])):
        with out.open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, ["code", "province", "city", "name", *extra], lineterminator="\n")
            w.writeheader()
            w.writerows(table)
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, ["name", "district"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"modood/Administrative-divisions-of-China {commit[:12]}: {len(rows)} towns, {len(zones)} zones, "
          f"{len(own)} towns of cities without counties", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
