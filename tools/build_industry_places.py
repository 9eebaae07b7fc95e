"""Regenerate rules/industry_places.csv: the place and shop names of a map's POI type tree, each
with the GB/T 4754-2017 divisions of the trade run there (照相馆-style labels: 摄影冲印店 O80,
停车场 G54, 加气站 F52, 典当行 J66), from 高德地图's POI classification (``amap_poicode.xlsx``,
“POI分类与编码（中英文）”, 870 types in 23 大类 and 265 中类, table of 2017-08-10) as published in
the public repository Benbinbin/city-walker at commit 8c135bcff40a90ecd91e729580122602998bd921:

    python tools/build_industry_places.py /path/to/city-walker(.git)

The map says nothing of GB/T 4754; the concordance is the project's, written per 中类 in
tools/industry_amap_gbt.csv (``code`` a 4-digit 中类 or a 6-digit type that differs from its 中类;
a 2-digit 大类 for the 中类 of a 大类 with no row of their own;
``divisions`` the 大类 numbers, several when the place is run by several trades — 商场 is retail or
the mall's management, L7222 —, ``-`` for a place that names no trade: roads, sights, buildings,
doors, group names; ``subs`` ``kinds`` when the 小类 are kinds of the 中类 and read as it, ``brands``
when they are brands, chains or parts of one place and are not taken; ``kinds only`` when the 中类 name
itself is a bare kind word whose trade its modifier decides — 事务所: 律师事务所 L72, 建筑事务所 M74 — and only
the 小类 are taken). A name written with a slash
gives its parts when they end alike (便民商店/便利店, not 汽车养护/装饰); a bracket repeating the name's kind gives the short form
(四川菜(川菜) → 四川菜, 川菜). Every concordance row must name a type of the table and every 中类 must
have a row, so a new edition of the table fails here instead of going unread.
Two runs on the same checkout give identical files.
"""
from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

from sources import read_bytes, write_table   # tools/sources.py (the tools run as scripts from tools/)

ROOT = Path(__file__).resolve().parents[1]
PATH = "amap_poicode.xlsx"
COMMIT = "8c135bcff40a90ecd91e729580122602998bd921"
SHEET = "POI分类与编码（中英文）"
CONCORDANCE = Path(__file__).with_name("industry_amap_gbt.csv")
_BRACKET = re.compile(r"^(.+?)[(（]([^()（）]+)[)）]$")


def types(data: bytes) -> list[tuple[str, str, str, str]]:
    """(type code, 大类, 中类, 小类) of every row of the workbook's code sheet."""
    import openpyxl
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    rows = list(book[SHEET].iter_rows(values_only=True))
    return [(str(r[1]).zfill(6), *(str(c).strip() for c in r[2:5])) for r in rows[1:] if r[1] and r[4]]


def forms(name: str) -> list[str]:
    """The label forms of one type name: itself, its slash parts, a bracket of the same kind."""
    parts = name.split("/")
    found = [name, *(parts if len({p[-1] for p in parts}) == 1 and len(parts) > 1 else ())]
    for part in list(found):
        m = _BRACKET.match(part)
        if m:
            found.append(m.group(1))
            if m.group(2)[-1] == m.group(1)[-1]:
                found.append(m.group(2))
    return [f for f in dict.fromkeys(found) if len(f) >= 2]


def main(argv: list[str] | None = None) -> int:
    data, _ = read_bytes(Path((argv or sys.argv[1:])[0]), PATH, commit=COMMIT)
    table = types(data)
    with CONCORDANCE.open(encoding="utf-8", newline="") as fh:
        rows = {r["code"]: r for r in csv.DictReader(fh)}
    known = {c for c, *_ in table} | {c[:4] for c, *_ in table} | {c[:2] for c, *_ in table}
    names = {c: n for c, _, _, n in table} | {c[:4]: m for c, _, m, _ in table} | {c[:2]: b for c, b, _, _ in table}
    wrong = [c for c, r in rows.items() if c not in known or names[c] != r["name"]]
    missing = sorted({c[:4] for c, *_ in table if c[:4] not in rows and c[:2] not in rows})
    if wrong or missing:
        raise SystemExit(f"concordance rows not in the table: {wrong}; 中类 without a row: {missing}")
    words: dict[str, dict[str, set[str]]] = {}
    def take(name: str, divisions: str, code: str) -> None:
        if divisions != "-":
            for form in forms(name):
                words.setdefault(form, {}).setdefault(divisions, set()).add(code)
    for code, _big, mid, sub in table:
        group, own = rows.get(code[:4]) or rows[code[:2]], rows.get(code)
        if group["subs"] != "kinds only":
            take(mid, group["divisions"], code[:4] + "00")
        if own:
            take(sub, own["divisions"], code)
        elif group["subs"] == "kinds" or group["subs"] == "kinds only" and sub != mid:
            take(sub, group["divisions"], code)
    clash = {w: d for w, d in words.items() if len(d) > 1}
    if clash:
        raise SystemExit(f"names read as different divisions: {clash}")
    out = sorted((w, d, " ".join(sorted(cs))) for w, ds in words.items() for d, cs in ds.items())
    write_table(ROOT / "rules" / "industry_places.csv", ["word", "divisions", "types"], out)
    print(f"{len(out)} names", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
