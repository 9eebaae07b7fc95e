"""Enumerations: synonyms from rules/enums.yaml; unknown values get the nearest allowed
value as a suggestion (rapidfuzz)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from rapidfuzz import fuzz, process

from ..rules import fold
from .base import Parsed, as_text, failed


@dataclass(frozen=True)
class EnumParser:
    name: str
    synonyms: Mapping[str, str]        # folded synonym -> canonical
    allowed: tuple[str, ...]
    flags: Mapping[str, Mapping[str, str]]   # folded flag value -> {field key: value}
    hint: str                          # template with {value}
    no_hint: str
    min_score: float

    def __call__(self, value: Any) -> Parsed:
        text = as_text(value)
        if not text:
            return Parsed()
        key = fold(text)
        if key in self.synonyms:
            return Parsed(self.synonyms[key])
        if key in self.flags:        # e.g. 战略客户: handled with the flag by normalize
            return Parsed(text)
        return failed(text, "enum-unknown", allowed="、".join(self.allowed), hint=self.suggest(key))

    def suggest(self, key: str) -> str:
        if not self.synonyms:
            return self.no_hint
        best = process.extractOne(key, list(self.synonyms), scorer=fuzz.WRatio)
        if best and best[1] >= self.min_score:
            return self.hint.format(value=self.synonyms[best[0]])
        return self.no_hint


def compile_enum(name: str, synonyms: Mapping[str, str], allowed: tuple[str, ...],
                 flags: Mapping[str, Mapping[str, str]] | None, hint: str, no_hint: str, min_score: float) -> EnumParser:
    folded_flags = {fold(k): dict(v) for k, v in (flags or {}).items()}
    return EnumParser(name, dict(synonyms), allowed, folded_flags, hint, no_hint, min_score)
