"""Regenerate rules/industry_classes_2002.csv: the GB/T 4754-2002 大类, 中类 and 小类 names that
neither 2011 nor 2017 uses (registries and old customer records still write them: 计算机系统服务,
保险辅助服务, 风景名胜区管理), each with the 2017 大类 it reads as. Source: the 2002 tree in the
public repository mestatrit/yesidc (``51job/DB/basecode.industry.sql``, rows of T_CODE under the
门类 A–T: ``values (14530, 14529, '0111', …, '谷物的种植', …, 4, …)``), commit
082f37db073c11fe8c09d945e0f2205c269f7447.

    python tools/build_industry_classes_2002.py /path/to/yesidc(.git)

The 2017 大类 comes from tools/industry_2002_2017.csv: the longest 2002 code prefix listed there
decides (``30`` 塑料制品业 → 29, ``3081`` 塑料鞋 → 19). A prefix with no division (a class whose
repair part went to C43 in 2011, 武器弹药) leaves its names out; a 2002 大类 that 2017 splits gives
several divisions (``47`` 房屋和土木工程建筑业 → 47|48), which the reader flags as several. Names that
2011 or 2017 also uses (rules/industries.csv, industry_classes.csv, industry_classes_2011.csv) are
left out. Two runs on the same checkout give identical files.
"""
from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

from sources import read, write_table   # tools/sources.py (the tools run as scripts from tools/)

ROOT = Path(__file__).resolve().parents[1]
PATH = "51job/DB/basecode.industry.sql"
_ROW = re.compile(r"insert into T_CODE \(.*?\)\s*values \((\d+), (\d+|null), '([^']*)', [^,]*, [^,]*, "
                  r"(?:'[^']*'|null), '([^']*)', [^,]*, (?:null|'.*?'), (\d), ", re.S)


def concordance() -> dict[str, str]:
    with (ROOT / "tools" / "industry_2002_2017.csv").open(encoding="utf-8", newline="") as fh:
        return {r["code"]: r["divisions"] for r in csv.DictReader(fh)}


def divisions_2017(code: str, table: dict[str, str]) -> str:
    """The 2017 大类 of a 2002 code ("" when the 2002 class has none of its own)."""
    prefix = max((p for p in table if code.startswith(p)), key=len)
    return table[prefix]


def main(argv: list[str] | None = None) -> int:
    text, _ = read(Path((argv or sys.argv[1:])[0]), PATH)
    used = set()
    for name in ("industries.csv", "industry_classes.csv", "industry_classes_2011.csv"):
        with (ROOT / "rules" / name).open(encoding="utf-8", newline="") as fh:
            used |= {(r.get("name") or r.get("division_name") or "").strip() for r in csv.DictReader(fh)}
    table = concordance()
    parent = {}
    rows = []
    for row_id, parent_id, code, name, level in _ROW.findall(text):
        parent[row_id] = parent_id
        rows.append((row_id, code, name.strip(), level))
    ids = {row_id: code for row_id, code, _, _ in rows}

    def under_a_section(row_id: str) -> bool:         # the GB/T tree, not 51job's own lists
        while row_id in parent:
            if re.fullmatch(r"[A-T]", ids.get(row_id, "")):
                return True
            row_id = parent[row_id]
        return False
    out = sorted({(code, name, divisions_2017(code, table)) for row_id, code, name, level in rows
                  if level in "234" and re.fullmatch(r"\d{2,4}", code) and under_a_section(row_id)
                  and name and name not in used})
    kept = [r for r in out if r[2]]
    write_table(ROOT / "rules" / "industry_classes_2002.csv", ["code", "name", "divisions"], kept)
    print(f"{len(kept)} GB/T 4754-2002 names not used by 2011 or 2017 ({len(out) - len(kept)} left out)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
