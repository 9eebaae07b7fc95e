"""E-mail addresses: syntax only (email-validator, never a DNS lookup), lower-case domain."""
from __future__ import annotations

import re
from typing import Any

from email_validator import EmailNotValidError, validate_email

from .base import Parsed, as_text, failed

_CJK = re.compile(r"[\u2e80-\u9fff\uff00-\uffef]")


def _detail(text: str) -> str:
    """Why ``text`` is no e-mail address: a sub-code of email-invalid (rules/issues/core.yaml)."""
    if "@" not in text:
        return "no_at"
    if text.count("@") > 1:
        return "many_at"
    if " " in text:
        return "space"
    if _CJK.search(text):
        return "chinese"
    local, _, domain = text.partition("@")
    if not local:
        return "no_user"
    if "." not in domain:
        return "no_domain"
    return "other"


def parse_email(value: Any) -> Parsed:
    text = as_text(value).replace("。", ".")
    if not text:
        return Parsed()
    text = re.sub(r"^(?:mailto:)", "", text, flags=re.IGNORECASE)
    try:
        info = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return failed(text, "email-invalid", detail=_detail(text))
    return Parsed(f"{info.local_part}@{info.domain.lower()}")
