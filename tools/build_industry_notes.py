"""Regenerate rules/industry_notes.csv: the product and activity words of the GB/T 4754-2017
explanatory notes (国民经济行业分类注释: each class's “指……, 包括……” text), each with the
divisions whose notes name it, from the classification tree with notes published in the
public repository zmshe/capital (``src/utils/category.js`` at commit
0b8f1ae480aadd9f35aca2fd0efb934e9a7101e8; the file was removed in a later commit, so the
commit is fixed here):

    python tools/build_industry_notes.py /path/to/capital(.git)

A note is cut at every punctuation mark and function word (、 和 及 或 的 等 包括 指 …); the
“不包括……” clauses are dropped (they name what the class is not). What is left of a piece, after
leading quantifiers (各种, 其他) and trailing activity words (制造, 生产活动, 服务) are stripped, is a
word when it is 2–6 Chinese characters and holds no clause word (用于, 进行, 以上) and no bare
generic noun (设备, 产品, 材料: the equipment and product readings of the reader decide those).
A word the notes of more than ``MAX_DIVISIONS`` divisions name is dropped: it names nothing; so is
a word the GB/T names themselves (rules/industries.csv, rules/industry_classes.csv) use in several
divisions beyond the notes' own (化学, 工程, 专业: names of many divisions hold them).
The reader uses the table only for labels it could not read otherwise, and a word of several
divisions gives them as candidates (industry-multi), never one of them.
Two runs on the same checkout give identical files.
"""
from __future__ import annotations

import csv
import re
import sys
from collections import defaultdict
from pathlib import Path

from sources import read, write_table   # tools/sources.py (the tools run as scripts from tools/)

ROOT = Path(__file__).resolve().parents[1]
PATH = "src/utils/category.js"
COMMIT = "0b8f1ae480aadd9f35aca2fd0efb934e9a7101e8"
MAX_DIVISIONS = 3

_ITEM = re.compile(r"\{\s*class4: '([^']*)',\s*class3: '([^']*)',\s*level: '(\d)',\s*class2: '([^']*)',"
                   r"\s*class1: '([^']*)',\s*name: '([^']*)',\s*remark:\s*'([^']*)'\s*\}")
_EXCLUDED = re.compile(r"(?:但|也|并|且)?不包括[^；。;]*")
_CUT = re.compile(r"[，。；;：:、,（）()“”\"‘’《》〈〉\s/]+|以及|或者|还包括|也包括|包括|本类|其中|例如|如|即|等|和|及|或|与|的|指|含")
_LEADING = re.compile(r"^(?:各种|各类|多种|一般|普通|其他|专门|主要|专用|单独|相关|用于|作为|供|对|从事|以|将|为)+")
_TRAILING = re.compile(r"(?:生产活动|的生产|生产|制造|制作|加工|活动|服务|产品|制品|行为|业务|工作|设施|类)+$")
_CLAUSE = re.compile(r"用于|进行|通过|经过|利用|使用|按照|以上|以下|上述|未列明|为主|主要|方法|方式|其他|一定|目的|"
                     r"提供|可以|具有|能够|所需|需要|组成|构成|部门|单位|机构|人员|场所|范围|领域|过程|各种|各类|所有|"
                     r"一切|一种|专门|原料|原材料|材料|零件|部件|配件|附件|设备|装置|器具|制品|产品|用品")
_WORD = re.compile(r"[\u4e00-\u9fff]{2,6}")


def words(note: str) -> list[str]:
    """The product and activity words of one note, in order."""
    found = []
    for piece in _CUT.split(_EXCLUDED.sub("，", note)):
        piece = _TRAILING.sub("", _LEADING.sub("", piece))
        if _WORD.fullmatch(piece) and not _CLAUSE.search(piece):
            found.append(piece)
    return found


def official_names() -> list[tuple[str, str]]:
    """The 2017 division and class names of the rules tables, each with its division."""
    with (ROOT / "rules" / "industries.csv").open(encoding="utf-8", newline="") as fh:
        names = [(r["division_name"], r["division"].zfill(2)) for r in csv.DictReader(fh)]
    with (ROOT / "rules" / "industry_classes.csv").open(encoding="utf-8", newline="") as fh:
        return names + [(r["name"], r["code"][1:3]) for r in csv.DictReader(fh)]


def main(argv: list[str] | None = None) -> int:
    text, _ = read(Path((argv or sys.argv[1:])[0]), PATH, commit=COMMIT)
    names = official_names()
    named: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for class4, class3, _level, division, section, _name, note in _ITEM.findall(text):
        if note and division:
            for word in words(note):
                named[word][division].add(section + (class4 or class3 or division))
    def specific(word: str, divisions: set[str]) -> bool:
        held = {d for name, d in names if word in name}
        return len(held) <= 1 or held <= divisions
    rows = sorted((w, "|".join(sorted(d)), " ".join(sorted(c for cs in d.values() for c in cs)))
                  for w, d in named.items() if len(d) <= MAX_DIVISIONS and specific(w, set(d)))
    write_table(ROOT / "rules" / "industry_notes.csv", ["word", "divisions", "classes"], rows)
    print(f"{len(rows)} words", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
