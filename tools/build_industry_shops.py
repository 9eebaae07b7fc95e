"""Regenerate rules/industry_shops.csv: the shop and service names of a local-services merchant
category tree, each with the GB/T 4754-2017 divisions of the trade (足疗按摩 O80, 真人CS R90, 早教中心
P83, 奶茶 H62), from the three-level ``heyean_industry`` tree (21 groups, 427 categories: 美食 > 中餐 >
川菜, 休闲娱乐 > 足疗按摩, 美发/美容/美甲 > 美睫) published in the public repository hxkuan/webpack.hx,
``src/js/industry.js`` at commit 8952b08987ffb8d3d54e72531391d6851773f754 (a later commit moved it):

    python tools/build_industry_shops.py /path/to/webpack.hx(.git)

The tree gives no GB/T code; the concordance is the project's, tools/industry_heyean_gbt.csv: one row
per category of the first two levels and for the third-level ones that differ (``code`` the tree's
value; ``divisions`` as in tools/industry_amap_gbt.csv, ``-`` for a name that names no trade by itself —
goods (茶叶, 化妆品: making or selling), a subject that is training only in the menu's context (音乐 under
教育培训), a group —; ``subs`` ``kinds`` when the children read as the category, ``brands`` when they are
outlets or parts and are not taken). Names are written out as tools/build_industry_places.py does
(slash parts ending alike, a bracket of the same kind). Every category of the first two levels must have a
row, so a new edition fails here instead of going unread. The reader looks the names up whole like the
map's place names, which come first where both hold a name.
Two runs on the same checkout give identical files.
"""
from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

from build_industry_places import forms     # tools/ (the tools run as scripts from tools/)
from sources import read, write_table

ROOT = Path(__file__).resolve().parents[1]
PATH = "src/js/industry.js"
COMMIT = "8952b08987ffb8d3d54e72531391d6851773f754"
CONCORDANCE = Path(__file__).with_name("industry_heyean_gbt.csv")


def tree(text: str) -> list[dict]:
    """The ``heyean_industry`` array of the script, read as JSON (keys quoted, trailing commas dropped)."""
    body = text[text.index("["):text.rindex("]") + 1]
    body = re.sub(r"(\w+):", r'"\1":', body)
    return json.loads(re.sub(r",\s*([\]}])", r"\1", body))


def main(argv: list[str] | None = None) -> int:
    text, _ = read(Path((argv or sys.argv[1:])[0]), PATH, commit=COMMIT)
    with CONCORDANCE.open(encoding="utf-8", newline="") as fh:
        rows = {r["code"]: r for r in csv.DictReader(fh)}
    words: dict[str, dict[str, set[str]]] = {}
    seen: dict[str, str] = {}
    missing: list[str] = []
    def walk(nodes: list[dict], level: int, parent: dict | None) -> None:
        for node in nodes:
            code, name = node["value"], node["text"].strip()
            seen[code] = name
            own = rows.get(code)
            if own is None and level < 3:
                missing.append(f"{code} {name}")
            read_as = own["divisions"] if own else (parent["divisions"] if parent and parent["subs"] == "kinds" else "-")
            if read_as != "-":
                for form in forms(name):
                    words.setdefault(form, {}).setdefault(read_as, set()).add(code)
            walk(node["children"], level + 1, own or {"divisions": "-", "subs": ""})
    walk(tree(text), 1, None)
    wrong = [c for c, r in rows.items() if seen.get(c) != r["name"]]
    if wrong or missing:
        raise SystemExit(f"concordance rows not in the tree: {wrong}; categories without a row: {missing}")
    clash = {w: d for w, d in words.items() if len(d) > 1}
    if clash:
        raise SystemExit(f"names read as different divisions: {clash}")
    out = sorted((w, d, " ".join(sorted(cs, key=int))) for w, ds in words.items() for d, cs in ds.items())
    write_table(ROOT / "rules" / "industry_shops.csv", ["word", "divisions", "codes"], out)
    print(f"{len(out)} names", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
