"""Regenerate rules/industry_goods.csv: goods names with the GB/T 4754-2017 division that makes
them, from the Chinese trademark classification (类似商品和服务区分表: 45 classes, the goods of classes
1–34 in 390 groups, ``0101 工业气体，单质`` … ``3407 电子香烟及其部件``, 10 520 goods) as published in the
public repository xovel/trademark-classification, ``data/d/01.json`` … ``data/d/34.json``, at commit
f10c6941a2e21857441c591e067d8a7aaff2e044:

    python tools/build_industry_goods.py /path/to/trademark-classification(.git)

The table says nothing of GB/T 4754; the concordance is the project's, tools/industry_nice_gbt.csv:
``code`` a 2-digit class or a 4-digit group that differs from its class, ``divisions`` the 大类,
several divisions separated by a space for goods GB/T places in several (0601 普通金属 ``31 32``: 黑色 or
有色金属冶炼和压延加工; 1105 制冷、冷藏设备 ``34 38``: 制冷设备 or 家用制冷电器具), ``-`` for goods whose divisions
the group does not say (class 09 as a whole, 0919 安全救护器具); a ``code`` ``~word``
drops the names holding the word (~软件: recorded software is no goods, I65), ``19~塑`` only in class 19
(塑钢门窗, plastic building goods, are C29, not the class's C30); such a row with divisions instead of ``-``
gives the names holding the word those divisions (``0742~刀`` ``33``: the cutting tools of 金属切削机床，切削工具
are C3321 切削工具, its machine tools C34). A group name is
split at ，；、 into its parts (工业气体，单质 → 工业气体, 单质); a good or part of groups of several
divisions gets them all (``31|32``), flagged by the reader with them as candidates, or ``-`` when a group
of it names none; the reader takes the words of neither as one division's goods (各种型材 of 0601: 型材 is no
plastics word alone). The services (classes 35–45) are not read. Two runs give identical files.
"""
from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

from sources import read, write_table   # tools/sources.py (the tools run as scripts from tools/)

ROOT = Path(__file__).resolve().parents[1]
COMMIT = "f10c6941a2e21857441c591e067d8a7aaff2e044"
CONCORDANCE = Path(__file__).with_name("industry_nice_gbt.csv")
_PARTS = re.compile(r"[，,；;]")
_LIST = "、"                               # a list of goods, or of what one head is for (建筑、铁道用机械)
_SHARED_HEAD = re.compile(r".[用的及制].")   # a last list item with a head the items before share
_NOTE = re.compile(r"[（(][^）)]*[）)]")     # （不包括…）: what the group leaves out


def concordance() -> dict[str, str]:
    with CONCORDANCE.open(encoding="utf-8", newline="") as fh:
        return {r["code"]: r["divisions"] for r in csv.DictReader(fh)}


def names(text: str, whole: set[str] = frozenset()) -> list[str]:
    """The label forms of a group or goods name: without its bracketed note, and its parts. A part
    is split at 、 only when its last item has no head the items before share (建筑、铁道、土木工程用机械
    is one name: 铁道 is no goods), and an item before the last only when it is a goods or group name on
    its own (``whole``: 干燥、通风、空调设备 gives 空调设备, not 干燥 or 通风)."""
    plain = _NOTE.sub("", text).strip()
    found = [plain]
    for part in (p.strip() for p in _PARTS.split(plain)):
        found.append(part)
        items = [i.strip() for i in part.split(_LIST)]
        if len(items) > 1 and not _SHARED_HEAD.search(items[-1]):
            found += [i for i in items[:-1] if i in whole] + [items[-1]]
    return [n for n in dict.fromkeys(found) if len(n) >= 2]


def whole_names(rows: list[dict]) -> set[str]:
    """The goods and group names of the classification and their parts at ，；, without notes: what
    names goods on its own."""
    return {p.strip() for r in rows for p in [_NOTE.sub("", r["name"]).strip(), *_PARTS.split(_NOTE.sub("", r["name"]))]}


def candidates(divisions: set[str]) -> str:
    """The ``division`` cell of a good: its one division, the candidates of its groups joined by ``|``
    (0601 普通金属 ``31 32``: 31|32; a good of a 34 group and a 38 group: 34|38), or ``-`` when a group
    of it names none."""
    if "-" in divisions:
        return "-"
    found = sorted({d for cell in divisions for d in cell.split()})
    return "|".join(found)


def main(argv: list[str] | None = None) -> int:
    checkout = Path((argv or sys.argv[1:])[0])
    where = concordance()
    by_word = [(*c.split("~", 1), d) for c, d in where.items() if "~" in c]     # (class or group, word, divisions)
    found: dict[str, set[str]] = {}
    groups: dict[str, set[str]] = {}
    classes = [json.loads(read(checkout, f"data/d/{cls:02d}.json", commit=COMMIT)[0]) for cls in range(1, 35)]
    whole = whole_names([r for rows in classes for r in rows])
    for rows in classes:
        group_code = {r["id"]: r["code"] for r in rows if r.get("isParent") == "true"}
        for r in rows:
            group = r["code"] if r.get("isParent") == "true" else group_code.get(r.get("pid", ""), "")
            if not group:
                continue
            division = where.get(group, where.get(group[:2], "-"))
            for name in names(r["name"], whole):
                said = [d for scope, w, d in by_word if w in name and group.startswith(scope)]
                if "-" in said:
                    continue
                found.setdefault(name, set()).add(said[0] if said else division)
                groups.setdefault(name, set()).add(group)
    out = sorted((n, candidates(d), "|".join(sorted(groups[n]))) for n, d in found.items())
    write_table(ROOT / "rules" / "industry_goods.csv", ["word", "division", "groups"], out)
    one = sum(d != "-" and "|" not in d for _, d, _ in out)
    print(f"{one} goods of one division, {sum('|' in d for _, d, _ in out)} of named candidates, of {len(out)} names")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
