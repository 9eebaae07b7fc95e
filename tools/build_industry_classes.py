"""Regenerate rules/industry_classes.csv: the 中类 (4-character code) and 小类 (5-character)
names of GB/T 4754-2017, from the complete classification tree published in the public
repository qwer-of-div/1frontEnd (``example/9组件-指令/components/form/IndustryData.js``,
entries ``"title": "C3670-汽车零部件及配件制造"``).

    python tools/build_industry_classes.py /path/to/1frontEnd(.git)

The reader maps each name to its 大类 (the code's characters 2–3); rules/industries.csv keeps
the 97 大类 themselves. Two runs on the same checkout give identical files.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from sources import read, write_table   # tools/sources.py (the tools run as scripts from tools/)

ROOT = Path(__file__).resolve().parents[1]
PATH = "example/9组件-指令/components/form/IndustryData.js"
_TITLE = re.compile(r'"title":\s*"([A-T]\d{3,4})-([^"]+)"')


def main(argv: list[str] | None = None) -> int:
    text, _ = read(Path((argv or sys.argv[1:])[0]), PATH)
    rows = sorted(set(_TITLE.findall(text)))
    write_table(ROOT / "rules" / "industry_classes.csv", ["code", "name"], rows)
    print(f"{len(rows)} classes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
