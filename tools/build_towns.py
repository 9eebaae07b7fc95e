"""Regenerate rules/regions/towns.csv: the towns, townships and sub-district offices (乡级,
镇/乡/街道/苏木) of every county the region tables list, from the National Bureau of Statistics'
统计用区划代码 as published by the public mirror modood/Administrative-divisions-of-China
(``dist/streets.csv``: code, name, areaCode, provinceCode, cityCode; data as of 2023-06-30).

    python tools/build_towns.py /path/to/Administrative-divisions-of-China(.git)

A town counts only when its county code is a county of ``rules/regions/districts.csv`` (the
statistical zones, codes ``xx7x``, are no counties and are left out) and its name ends in a
town word. Written columns: ``name`` (as the bureau writes it), ``district`` (the county code).
The reader uses them only inside a province or city it has already read (docs/normalize.md,
"Towns"). Two runs on the same checkout give identical files.
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
TOWN_END = re.compile(r"(?:镇|乡|街道|苏木)$")


def build(checkout: Path, districts: Path) -> tuple[list[dict], str]:
    with districts.open(encoding="utf-8", newline="") as fh:
        counties = {r["code"] for r in csv.DictReader(fh)}
    text, commit = read(checkout, "dist/streets.csv", "utf-8-sig")
    rows = []
    for r in csv.DictReader(io.StringIO(text)):
        name, county = r["name"].strip(), r["areaCode"].strip()
        if county in counties and TOWN_END.search(name) and len(name) >= 3:
            rows.append({"name": name, "district": county})
    rows.sort(key=lambda r: (r["district"], r["name"]))
    return rows, commit


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkout", type=Path, help="Administrative-divisions-of-China work tree or bare git directory")
    ap.add_argument("--districts", type=Path, default=ROOT / "rules" / "regions" / "districts.csv")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    rows, commit = build(args.checkout, args.districts)
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, ["name", "district"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"modood/Administrative-divisions-of-China {commit[:12]}: {len(rows)} towns", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
