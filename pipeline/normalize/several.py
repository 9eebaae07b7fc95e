"""One cell, several values: two phones (``13800138000/13900139000``), a phone with a note
(``13800138000 下午联系``), a name with a title (``张伟（采购经理）``), two names
(``张伟/李娜``). The first value fills the field; the rest is kept — further phones and
notes in 其他联系方式, a title in 职位 (when empty), further names as rows of the 联系人
sheet — and info issues say so (value-several, contact-title-split). Words come from
rules/values.yaml ``several``."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..related import related_schema
from ..rules import Rules
from .base import is_blank
from .compiled import ValueWords
from .sink import Sink

_NUMBER = re.compile(r"(?:\+?86[\s\-]?)?(?:\d[\s\-－—()（）]?){6,}\d")
_MASKED = re.compile(r"\d\s*[*＊xX×]|[*＊xX×]\s*\d")
_EXT = re.compile(r"\d\s*(?:转|分机|内线|ext)", re.IGNORECASE)
_PUNCT = " \t:：;；,，、/／|()（）[]【】-—"
_PLAIN = re.compile(r"^[\d\s+\-－—()（）.]*$")     # digits and dashes only: at most one number, no note


@dataclass(frozen=True)
class Split:
    first: Any
    rest: tuple[str, ...]


def split_phone(text: Any, words: ValueWords) -> Split | None:
    """The first number and what else the cell holds, or None when it holds one plain number."""
    if not isinstance(text, str) or _MASKED.search(text) or _EXT.search(text):
        return None
    found = list(_NUMBER.finditer(text))
    if len(found) < 2 and _PLAIN.match(text):      # the usual cell, 13812345678: fast path
        return None
    if not found:
        return None
    note = text
    for m in reversed(found):
        note = note[: m.start()] + " " + note[m.end():]
    for label in sorted(words.phone_labels, key=len, reverse=True):
        note = re.sub(re.escape(label) + r"\s*[:：]?", " ", note, flags=re.IGNORECASE)
    note = " ".join(p.strip(_PUNCT) for p in note.split() if p.strip(_PUNCT))
    if (len(found) == 1 and not note) or any(ch.isdigit() for ch in note):
        return None        # one plain number, or digits left over (1.38E10, an extension): the parser's case
    rest = tuple(m.group(0).strip() for m in found[1:]) + ((note,) if note else ())
    return Split(found[0].group(0).strip(), rest)


def split_contact(text: Any, words: ValueWords) -> tuple[str, str, tuple[str, ...]] | None:
    """(name, title, further names) when a contact cell holds more than one name."""
    if not isinstance(text, str) or not text.strip():
        return None
    value = text.strip()
    parts = [value]
    for sep in words.separators:
        parts = [q for p in parts for q in p.split(sep)]
    parts = [p.strip() for p in parts if p.strip()]
    first, title = parts[0] if parts else value, ""
    for left, right in words.title_brackets:
        m = re.fullmatch(rf"(.+?)\s*{re.escape(left)}\s*(.+?)\s*{re.escape(right)}", first)
        if m:
            first, title = m.group(1).strip(), m.group(2).strip()
            break
    else:
        m = re.fullmatch(r"(\S{1,12}?)\s*[\s\-—－:：]\s*(\S+)", first)
        if m and m.group(2).endswith(words.title_words):
            first, title = m.group(1), m.group(2)
    if not title and len(parts) < 2:
        return None
    return first, title, tuple(parts[1:])


def split_several(records: pd.DataFrame, rules: Rules, words: ValueWords, sink: Sink) -> tuple[pd.DataFrame, list]:
    """Records with several-value cells reduced to their first value (a new frame, the input
    is untouched) and the further contacts as 联系人 rows (dicts with provenance)."""
    names = rules.field_names
    by_type = {f.type: f.key for f in reversed(rules.fields) if not f.computed}
    rest_key = words.rest_field if words.rest_field in names else ""
    changed: dict[str, np.ndarray] = {}
    rest: dict[int, list[str]] = {}

    def column(key: str) -> np.ndarray:
        if key not in changed:
            changed[key] = records[key].to_numpy(dtype=object, copy=True)
        return changed[key]

    for ftype in ("mobile", "landline"):
        key = by_type.get(ftype, "")
        if key not in records.columns or not rest_key:
            continue
        values = records[key].to_numpy(dtype=object)
        hits = {}
        for u in pd.unique(values[[isinstance(v, str) for v in values]]) if len(values) else ():
            s = split_phone(u, words)
            if s is not None:
                hits[u] = s
        if not hits:
            continue
        col = column(key)
        for r in np.flatnonzero([isinstance(v, str) and v in hits for v in values]).tolist():
            s = hits[values[r]]
            col[r] = s.first
            sink.keep_cell(r, key)       # the returned workbook keeps the team's cell as written
            rest.setdefault(r, []).extend(s.rest)
            sink.add(np.array([r]), rule="value-several", field=key, value=values[r],
                     params={"first": s.first, "rest": "、".join(s.rest), "target": names[rest_key]})

    contacts: list[dict] = []
    contact_sheet, name_col = related_schema(rules).record_fields().get(words.contact_field, ("", ""))
    ckey, pkey = words.contact_field, words.title_field
    if ckey in records.columns:
        values = records[ckey].to_numpy(dtype=object)
        splits = {u: split_contact(u, words) for u in pd.unique(values[[isinstance(v, str) for v in values]])}
        prov = {c: records[c].tolist() if c in records.columns else [None] * len(records)
                for c in ("row_id", "src_file", "src_sheet", "src_row")}
        for r in np.flatnonzero([isinstance(v, str) and splits.get(v) is not None for v in values]).tolist():
            name, title, others = splits[values[r]]
            column(ckey)[r] = name
            sink.keep_cell(r, ckey)
            if title:
                if pkey in records.columns or pkey in changed:
                    pos = column(pkey)
                else:
                    pos = changed[pkey] = np.full(len(records), None, dtype=object)
                if is_blank(pos[r]):
                    pos[r] = title
                sink.add(np.array([r]), rule="contact-title-split", field=ckey, value=values[r],
                         params={"person": name, "title": title})
            if others:
                sink.add(np.array([r]), rule="value-several", field=ckey, value=values[r],
                         params={"first": name, "rest": "、".join(others), "target": contact_sheet})
                if name_col:
                    contacts.extend({"row_id": prov["row_id"][r], "src_file": prov["src_file"][r],
                                     "src_sheet": prov["src_sheet"][r], "src_row": prov["src_row"][r], name_col: o}
                                    for o in others)
    if rest:
        col = column(rest_key) if rest_key in records.columns else np.full(len(records), None, dtype=object)
        changed[rest_key] = col
        for r, items in rest.items():
            kept = [] if is_blank(col[r]) else [str(col[r])]
            col[r] = "；".join(kept + items)
    if not changed:
        return records, contacts
    return records.assign(**{k: pd.Series(v, index=records.index, dtype=object) for k, v in changed.items()}), contacts
