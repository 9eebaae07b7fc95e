"""views/<role>.xlsx (rules/roles.yaml, docs/security.md): the 客户主档 limited to a role's field groups,
with the role's masked fields shown as 138****5678 / z***@example.com.

Roles live in rules/roles.yaml: ``groups`` (field groups of schemas/fields.yaml) and
``mask`` (field keys).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..mask import mask_text, mask_value
from ..rules import FieldDef, Rules
from .master import EXTENSION_TYPE, extension_fields, write_customer_sheet
from ..parallel import JobPool
from .returns import safe_relative
from .xlsx import Formats, open_workbook

VIEW_SHEET = "客户主档"


def role_fields(rules: Rules, role: str) -> list[FieldDef]:
    spec = (rules.roles.get("roles") or {}).get(role) or {}
    groups = set(spec.get("groups") or ())
    return [f for f in rules.fields if f.group in groups]


def _words_match(rule: Any, header: str) -> bool:
    """rules/roles.yaml ``extensions`` / ``mask_extensions``: all, none, or header words."""
    if rule == "all":
        return True
    if not rule or rule == "none":
        return False
    return any(str(w) in header for w in rule)


def role_extensions(rules: Rules, role: str, customers: pd.DataFrame) -> list[FieldDef]:
    """The extension columns a role sees (rules/roles.yaml ``extensions``)."""
    spec = (rules.roles.get("roles") or {}).get(role) or {}
    return [f for f in extension_fields(customers) if _words_match(spec.get("extensions"), f.name)]


def write_view(path: Path, customers: pd.DataFrame, rules: Rules, role: str) -> Path:
    spec = (rules.roles.get("roles") or {}).get(role) or {}
    masked = set(spec.get("mask") or ())
    fields = role_fields(rules, role) + role_extensions(rules, role, customers)
    masked |= {f.key for f in fields if f.type == EXTENSION_TYPE and _words_match(spec.get("mask_extensions"), f.name)}

    def transform(fd: FieldDef, value: Any) -> Any:
        if fd.key not in masked:
            return value
        return mask_text(value) if fd.type == EXTENSION_TYPE else mask_value(value, fd.type)
    transform.fields = masked          # FrameColumns calls it on these columns only

    wb = open_workbook(path)
    write_customer_sheet(wb, Formats(wb), VIEW_SHEET, customers, fields, transform)
    wb.close()
    return path


def write_views(folder: Path, customers: pd.DataFrame, rules: Rules, pool: JobPool | None = None) -> list[Path]:
    """One workbook per role; with a ``pool`` they are submitted there (and exist once the
    pool has finished)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for role in (rules.roles.get("roles") or {}):
        path = folder / f"{safe_relative(role).name}.xlsx"
        if pool is not None:
            pool.submit(write_view, path, customers, rules, role, heavy=True)
        else:
            write_view(path, customers, rules, role)
        paths.append(path)
    return paths
