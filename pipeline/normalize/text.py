"""Free text, customer names, employee bands and tags."""
from __future__ import annotations

import re
from typing import Any

from .base import Parsed, as_text, failed

_CJK = r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]"
_SPACE_NEAR_CJK = re.compile(rf"\s+(?={_CJK})|(?<={_CJK})\s+")
_PARENS = str.maketrans({"(": "（", ")": "）"})


def parse_text(value: Any, max_length: int = 0) -> Parsed:
    """Trim, fold full-width letters/digits/@/spaces; numbers become their digits."""
    text = as_text(value)
    if not text:
        return Parsed()
    if max_length and len(text) > max_length:
        return failed(text[:max_length], "text-too-long", length=len(text))
    return Parsed(text)


def parse_name(value: Any) -> Parsed:
    """Company or person name: full-width parentheses, no spaces next to Chinese text
    (``ABC Trading`` keeps its inner space)."""
    text = as_text(value)
    if not text:
        return Parsed()
    text = _SPACE_NEAR_CJK.sub("", text.translate(_PARENS))
    return Parsed(text)


_HAN_WORDS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+(?:\s+[\u3400-\u9fff\uf900-\ufaff]+)+")


def _unpadded(words: str) -> str:
    """Chinese words separated by spaces, the padding between them dropped: a space with a lone
    character on either side pads a name to the column's width (``钱  敏``, ``王 小 明``, ``王 小明``);
    a space between two words of two characters or more separates people (``张三 李四``) and stays."""
    parts = words.split()
    out = parts[0]
    for prev, part in zip(parts, parts[1:]):
        out += part if len(prev) == 1 or len(part) == 1 else " " + part
    return out


def parse_person(value: Any, max_length: int = 0) -> Parsed:
    """A person's name, as :func:`parse_text`, with the padding inside a Chinese name dropped
    (:func:`_unpadded`); a name in Latin letters keeps its spaces (``David Wang``)."""
    parsed = parse_text(value, max_length)
    if isinstance(parsed.value, str) and not parsed.findings:
        return Parsed(_HAN_WORDS.sub(lambda m: _unpadded(m.group(0)), parsed.value))
    return parsed


_BAND = re.compile(r"^(\d+)\s*(?:人)?\s*(?:-|－|—|–|~|～|至|到)\s*(\d+)\s*(?:人)?$")
_COUNT = re.compile(r"^(\d+)\s*(?:人)?$")


def parse_band(value: Any) -> Parsed:
    """Employee band: ``100～200`` / ``100至200人`` → ``100-200人``; ``150`` → ``150人``."""
    text = as_text(value)
    if not text:
        return Parsed()
    m = _BAND.match(text)
    if m:
        return Parsed(f"{int(m.group(1))}-{int(m.group(2))}人")
    m = _COUNT.match(text)
    if m:
        return Parsed(f"{int(m.group(1))}人")
    return Parsed(text)


_TAG_SPLIT = re.compile(r"[,，、;；/|\s]+")


def parse_tags(value: Any, joiner: str = "、") -> Parsed:
    """Tags split on commas, 、, semicolons, slashes and spaces; de-duplicated, in order."""
    text = as_text(value)
    if not text:
        return Parsed()
    tags = list(dict.fromkeys(t for t in _TAG_SPLIT.split(text) if t))
    return Parsed(joiner.join(tags))


_URL = re.compile(r"^(?:(https?)://)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}|"
                  r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:中国|公司|网络|在线))(:\d{1,5})?(/[^\s]*)?$",
                  re.IGNORECASE)


def parse_url(value: Any) -> Parsed:
    """官网: ``WWW.Example.COM/`` → ``www.example.com``; the scheme is kept when written
    (``https://…``); a value that is no web address → url-invalid (kept as written)."""
    text = as_text(value).replace("。", ".").strip().rstrip("/")
    if not text:
        return Parsed()
    m = _URL.match(text)
    if not m:
        return failed(text, "url-invalid")
    scheme, host, port, path = m.group(1), m.group(2).lower(), m.group(3) or "", m.group(4) or ""
    return Parsed(f"{scheme.lower() + '://' if scheme else ''}{host}{port}{path}")
