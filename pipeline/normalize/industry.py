"""Industry (GB/T 4754-2017): 大类 name, ``门类-大类``, codes, aliases, vague words,
unambiguous containment. Tables: rules/industries.csv, industry_aliases.csv, industry_vague.csv."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from rapidfuzz import fuzz, process

from ..rules import fold
from .base import Finding, as_text

_CODE = re.compile(r"^([a-tA-T])?\s*(\d{2})(\d{0,2})$")
_SECTION = re.compile(r"^[a-tA-T]$")
_SEPARATORS = re.compile(r"[-－—–/|、>＞·:：\s]+")


@dataclass(frozen=True)
class Industry:
    """``name`` (大类 name or the text kept), ``code`` (``C34``) and ``section`` (门类 name)."""

    name: str | None
    code: str | None = None
    section: str | None = None
    findings: tuple[Finding, ...] = ()

    @property
    def value(self) -> str | None:
        return self.name

    @property
    def certain(self) -> bool:
        return self.code is not None and not self.findings


@dataclass
class IndustryIndex:
    divisions: dict[str, tuple[str, str, str]] = field(default_factory=dict)   # "34" -> (name, section, section_name)
    names: dict[str, str] = field(default_factory=dict)          # folded 大类 name / alias -> division
    sections: dict[str, tuple[str, str]] = field(default_factory=dict)  # folded 门类 name / letter -> (letter, name)
    vague: frozenset[str] = frozenset()
    hint: str = "你是不是想填“{name}”"
    no_hint: str = "请填写国民经济行业分类大类名称，例如“{example}”"
    example: str = "通用设备制造业"
    min_score: float = 60
    min_contain: int = 2

    def _found(self, division: str) -> Industry:
        name, letter, section = self.divisions[division]
        return Industry(name, f"{letter}{division}", section)

    def _vague(self, text: str, section: tuple[str, str] | None = None) -> Industry:
        example = self.example
        same = [n for n, letter, _ in self.divisions.values() if section and letter == section[0]]
        if same and example not in same:
            example = same[0]
        return Industry(text, None, section[1] if section else None, (Finding("industry-vague", {"example": example}),))

    def parse(self, value: Any) -> Industry:
        text = as_text(value)
        if not text:
            return Industry(None)
        key = fold(text)
        if key in self.names:
            return self._found(self.names[key])
        m = _CODE.match(key)
        if m and m.group(2) in self.divisions:
            found = self._found(m.group(2))
            if not m.group(1) or found.code[0] == m.group(1).upper():
                return found
        if _SECTION.match(key) or key in self.sections:
            return self._vague(text, self.sections.get(key) or self.sections.get(key.upper()))
        if key in self.vague:
            return self._vague(text)
        parts = [p for p in _SEPARATORS.split(key) if p]
        if len(parts) > 1:
            for part in reversed(parts):           # 制造业-通用设备制造业: the most specific part
                if part in self.names:
                    return self._found(self.names[part])
        contained = self._contained(key)
        if contained:
            return self._found(contained)
        return Industry(text, None, None, (Finding("industry-unknown", {"hint": self._hint(key)}),))

    def _contained(self, key: str) -> str:
        """The one division whose name or alias the text contains (or which contains the text)."""
        hits = {d for k, d in self.names.items() if len(k) >= self.min_contain and k in key}
        if not hits and len(key) >= self.min_contain + 1:
            hits = {d for k, d in self.names.items() if key in k}
        return hits.pop() if len(hits) == 1 else ""

    def _hint(self, key: str) -> str:
        choices = [n for n, _, _ in self.divisions.values()]
        best = process.extractOne(key, choices, scorer=fuzz.partial_ratio) if choices else None
        if best and best[1] >= self.min_score:
            return self.hint.format(name=best[0])
        return self.no_hint.format(example=self.example)


def build_industry_index(tables: Mapping[str, Sequence[Mapping[str, str]]], **options: Any) -> IndustryIndex:
    idx = IndustryIndex(**{k: v for k, v in options.items() if v is not None})
    for row in tables.get("industries", ()):
        division = row["division"].strip().zfill(2)
        letter = row["section"].strip().upper()
        idx.divisions[division] = (row["division_name"].strip(), letter, row["section_name"].strip())
        idx.names[fold(row["division_name"])] = division
        idx.sections[fold(row["section_name"])] = (letter, row["section_name"].strip())
        idx.sections[letter.lower()] = (letter, row["section_name"].strip())
    for row in tables.get("industry_aliases", ()):
        division = row["division"].strip().zfill(2)
        if division in idx.divisions:
            idx.names.setdefault(fold(row["alias"]), division)
    idx.vague = frozenset(fold(r["word"]) for r in tables.get("industry_vague", ()) if r.get("word"))
    return idx
