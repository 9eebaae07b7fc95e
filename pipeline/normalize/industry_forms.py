"""How industry labels are written around the words the reader reads (``industry.py``): codes
before names (``C39计算机…``, a registry chain ``C 制造业 / C39 …``), separators and brackets, level
marks of stock classifications (``白酒Ⅱ``), short forms written out (``交运`` → 交通运输)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Sequence

from ..rules import fold

if TYPE_CHECKING:
    from .industry import Industry, IndustryIndex

_CODE = re.compile(r"^([a-tA-T])?\s*(\d{2})(\d{0,2})$")
_CODE_NAME = re.compile(r"^([a-tA-T])?(\d{2})\d{0,2}\s*[-－—:：.、]?\s*(\D.*)$")
_SECTION = re.compile(r"^[a-tA-T]$")
_SECTION_NAME = re.compile(r"^([a-tA-T])(\D{2,})$")     # c制造业: a 门类 letter and its name
_BRACKET = re.compile(r"^(.+?)[(（](.+)[)）]$")
_SEPARATORS = re.compile(r"[-－—–/|>＞·:：\s,，;；()（）\[\]【】]+")
_PEERS = re.compile(r"[-－—–/|>＞:：()（）\[\]【】]")   # separators a final head word does not reach across
_HIERARCHY = re.compile(r"[-－—–>＞:：]")        # 门类-大类: the later part narrows the earlier one
_SOFT = re.compile(r"、+|(?<=.{2})(?:和|及|与|&)(?=.{2})")    # inside a part, unless the part is a name
_AND_END = re.compile(r"(?<=.{2})(?:和|及|与|&)$")     # a modifier ending in 和: the head is its peer


def code_named(idx: "IndustryIndex", key: str) -> tuple[str, str] | None:
    """The division and name of ``key`` written as a 大类 code and a name that agrees with it
    (``C39计算机、通信和其他电子设备制造业``, ``3971电子元件及组件制造``)."""
    m = _CODE_NAME.match(key)
    if not m or m.group(2) not in idx.divisions:
        return None
    letter = idx.divisions[m.group(2)][1]
    name = fold(m.group(3))
    official = fold(idx.divisions[m.group(2)][0])
    agrees = idx._one(name) == (m.group(2),) or name in official or official in name
    return (m.group(2), name) if (not m.group(1) or m.group(1).upper() == letter) and agrees else None


def uncoded(idx: "IndustryIndex", part: str) -> str:
    """A part of a label without the code before its name, when the two agree: ``c39计算机、通信…``
    is the 大类 name, ``c制造业`` the 门类 name (a registry chain ``C 制造业 / C39 …``)."""
    coded = code_named(idx, part)
    if coded:
        return coded[1]
    m = _SECTION_NAME.match(part)
    section = m and idx.sections.get(m.group(2))
    return m.group(2) if section and section[0] == m.group(1).upper() else part


def unmarked(marks: Sequence[str], key: str) -> str:
    """``key`` without a level mark of a stock classification ending it after a Chinese character
    (申万 二级 ``特钢Ⅱ``, 三级 ``…Ⅲ``; folded to ii, iii)."""
    for mark in marks:
        if key.endswith(mark) and len(key) > len(mark) + 1 and not key[-len(mark) - 1].isascii():
            return key[:-len(mark)]
    return key


def written_out(idx: "IndustryIndex", key: str) -> "Industry | None":
    """The reading of ``key`` with its short forms written out (``abbreviations``), when that
    reads; a short form whose long form the label already holds stays (旅客运输 holds 客运)."""
    long = key
    for short, full in sorted(idx.abbreviations.items(), key=lambda kv: -len(kv[0])):
        if short in long and full not in long:
            long = long.replace(short, full)
    if long == key:
        return None
    read = idx.parse(long)
    return read if read.code or read.candidates else None


def bracket(idx: "IndustryIndex", text: str, key: str) -> "Industry | None":
    """``X（Y）``: the bracket explains the words before it. A bracket agreeing with the one
    division before it keeps it (制药（生物/化学）); a bracket naming one division that the
    words before it allow, or that explains words naming nothing, narrows to it
    (专业服务/咨询(财会/法律/人力资源等), 在线生活服务（O2O）); several in both stay several."""
    m = _BRACKET.match(key)
    if not m:
        return None
    if m.group(2) in idx.heads:                # 办公及商务家具（批发商）: the bracket is the head
        if idx.head_kinds.get(m.group(2)) == "shop" and _PEERS.search(m.group(1)):   # of every
            return idx._multi(text, idx.heads[m.group(2)])          # item listed (文具/办公用品（批发商）)
        joined = idx.parse(m.group(1) + m.group(2))
        return idx._multi(text, joined.divisions) if joined.divisions else None
    inner, outer = idx.parse(m.group(2)), idx.parse(m.group(1))
    if outer.code and outer.code[1:] in inner.divisions:
        return idx._found(outer.code[1:])
    unread = any(f.rule == "industry-unknown" for f in outer.findings)
    named = bool(idx._one(m.group(2))) and not idx._one(m.group(1))    # 在线生活服务（O2O）: a
    if inner.code and (named or inner.code[1:] in outer.divisions or unread):   # name explains a guess
        return idx._found(inner.code[1:])
    return None
