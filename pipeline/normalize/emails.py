"""E-mail addresses: syntax only (email-validator, never a DNS lookup), lower-case domain."""
from __future__ import annotations

import re
from typing import Any

from email_validator import EmailNotValidError, validate_email

from .base import Parsed, as_text, failed

_CJK = re.compile(r"[\u2e80-\u9fff\uff00-\uffef]")


def _detail(text: str) -> str:
    if "@" not in text:
        return "缺少 @"
    if text.count("@") > 1:
        return "含有多个 @"
    if " " in text:
        return "含有空格"
    if _CJK.search(text):
        return "含有中文字符"
    local, _, domain = text.partition("@")
    if not local:
        return "@ 前面没有用户名"
    if "." not in domain:
        return "@ 后面的域名不完整"
    return "用户名或域名格式不正确"


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
