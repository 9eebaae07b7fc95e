"""Regenerate rules/industry_classes_2011.csv: the GB/T 4754-2011 大类, 中类 and 小类 names that
GB/T 4754-2017 no longer uses (registries still write them: 农业服务业, 开采辅助活动,
纸和纸板容器的制造), each with the 2017 大类 it reads as. Source: the complete 2011 tree in the
public repository dreambt/rcuinfomanager (``dbscript/industry.sql``, rows
``values (…,'农业服务业',null,…,'051','A051',…)``).

    python tools/build_industry_classes_2011.py /path/to/rcuinfomanager(.git)

2017 inserted 大类 79 土地管理业: a 2011 大类 code 79 or above is the 2017 code plus one (2011
O79 居民服务业 is 2017 O80 … T96 is T97). Names that 2017 also uses (rules/industries.csv,
rules/industry_classes.csv) are left out. Two runs on the same checkout give identical files.
"""
from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

from sources import read, write_table   # tools/sources.py (the tools run as scripts from tools/)

ROOT = Path(__file__).resolve().parents[1]
PATH = "dbscript/industry.sql"
_ROW = re.compile(r"values \(\d+,'([^']+)',(?:null|'[^']*'),(?:null|\d+),'\d+','([A-T]\d{2,4})'")
INSERTED = 79          # 2017 大类 土地管理业, new in 2017


def division_2017(code2011: str) -> str:
    n = int(code2011[1:3])
    return f"{n + 1 if n >= INSERTED else n:02d}"


def main(argv: list[str] | None = None) -> int:
    text, _ = read(Path((argv or sys.argv[1:])[0]), PATH)
    used = set()
    for name in ("industries.csv", "industry_classes.csv"):
        with (ROOT / "rules" / name).open(encoding="utf-8", newline="") as fh:
            used |= {(r.get("name") or r.get("division_name") or "").strip() for r in csv.DictReader(fh)}
    rows = sorted({(code, name.strip(), division_2017(code)) for name, code in _ROW.findall(text)
                   if name.strip() not in used})
    write_table(ROOT / "rules" / "industry_classes_2011.csv", ["code", "name", "division"], rows)
    print(f"{len(rows)} GB/T 4754-2011 names not used by 2017", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
