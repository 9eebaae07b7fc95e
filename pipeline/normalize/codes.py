"""统一社会信用代码 (GB 32100-2015) and its embedded organisation code (GB 11714)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from stdnum.cn import uscc as _stdnum_uscc

from .base import Parsed, as_text, failed, finding

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"     # GB 32100: no I, O, S, V, Z
_STRIP = re.compile(r"[\s\-_—－–·.]+")
_SHAPE = re.compile(rf"^[{ALPHABET}]{{2}}\d{{6}}[{ALPHABET}]{{10}}$")
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def compact(value: Any) -> str:
    """Upper case, folded full-width, no spaces or dashes."""
    return _STRIP.sub("", as_text(value)).upper()


def check_digit(body17: str) -> str:
    """GB 32100 check character. stdnum's ``validate`` rejects codes whose first two
    characters are letters (``N2…``, ``Y1…``) although its ``calc_check_digit`` is right
    for them, so only the latter is used."""
    return _stdnum_uscc.calc_check_digit(body17)


def org_check_char(body8: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, _ORG_WEIGHTS))
    r = 11 - total % 11
    return "X" if r == 10 else "0" if r == 11 else str(r)


def parse_uscc(value: Any) -> Parsed:
    code = compact(value)
    if not code:
        return Parsed()
    if len(code) != 18:
        return failed(code, "uscc-format", detail="length", length=len(code))
    if not _SHAPE.match(code):
        bad = next((c for c in code if c not in ALPHABET), "")
        if bad:
            return failed(code, "uscc-format", detail="char", char=bad)
        return failed(code, "uscc-format", detail="region")
    expected = check_digit(code[:17])
    if code[17] != expected:
        return failed(code, "uscc-checksum", expected=expected)
    if org_check_char(code[8:16]) != code[16]:
        return Parsed(code, (finding("uscc-org-checksum"),))
    return Parsed(code)


# --- entity type (characters 1–2) against the name's legal form ---

@dataclass(frozen=True)
class NameForm:
    form: str
    words: tuple[str, ...]
    prefixes: tuple[str, ...]       # credit-code prefixes compatible with this form
    unless: tuple[str, ...] = ()    # a name also holding one of these is not judged (工会…委员会)


def compile_name_forms(raw: Sequence[Mapping[str, Any]]) -> tuple[NameForm, ...]:
    return tuple(NameForm(str(r["form"]), tuple(r.get("words", ())), tuple(str(p) for p in r.get("prefixes", ())),
                          tuple(r.get("unless", ())))
                 for r in raw or ())


def name_form_pattern(forms: Sequence[NameForm]) -> re.Pattern:
    """Matches the legal-form word that ends a name (a closing bracket may follow:
    …合伙企业（有限合伙）); the earliest-starting, i.e. longest, such word."""
    words = sorted({w for f in forms for w in f.words}, key=len, reverse=True)
    if not words:
        return re.compile("(?!)")
    return re.compile("(?:" + "|".join(map(re.escape, words)) + r")(?=[)）]?\s*$)")


def code_entity(code: str, kinds: Mapping[str, str]) -> str:
    """Entity label of a credit code by its longest matching prefix (``92`` → 个体工商户)."""
    for n in (2, 1):
        label = kinds.get(code[:n])
        if label:
            return label
    return ""
