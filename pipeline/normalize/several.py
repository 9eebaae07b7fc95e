"""One cell, several values: two phones (``13800138000/13900139000``), a phone with a note
(``13800138000 下午联系``), a name with a title (``张伟（采购经理）``), two names
(``张伟/李娜``), several people with their titles and phones (``王磊（总经理）/李娜（采购）
13900139000``). The first value fills the field; the rest is kept — further phones and notes
in 其他联系方式, a title in 职位 (when empty), further people as rows of the 联系人 sheet with
their own 职位 and 手机号码 (a phone cell holding one number per person gives each person
theirs) — and info issues say so (value-several, contact-title-split). Words come from
rules/values.yaml ``several``."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from ..related import related_schema
from ..rules import Rules
from .base import is_blank
from .phones import LANDLINE, MOBILE, parse_phone
from .compiled import ValueWords
from .sink import Sink

_NUMBER = re.compile(r"(?:\+?86[\s\-]?)?(?:\d[\s\-－—()（）]?){6,}\d")
_MASKED = re.compile(r"\d\s*[*＊xX×]|[*＊xX×]\s*\d")
_EXT = re.compile(r"\d\s*(?:转|分机|内线|ext)", re.IGNORECASE)
_PUNCT = " \t:：;；,，、/／|()（）[]【】-—"
_OTHER_KIND = {MOBILE: LANDLINE, LANDLINE: MOBILE}
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


@dataclass(frozen=True)
class Person:
    """One person written in a contact cell: name, title and phone as far as written."""
    name: str
    title: str = ""
    phone: str = ""


def _name_title(text: str, words: ValueWords) -> tuple[str, str]:
    for left, right in words.title_brackets:
        m = re.fullmatch(rf"(.+?)\s*{re.escape(left)}\s*(.+?)\s*{re.escape(right)}", text)
        if m:
            return m.group(1).strip(), m.group(2).strip()
    m = re.fullmatch(r"(\S{1,12}?)\s*[\s\-—－:：]\s*(\S+)", text)
    if m and m.group(2).endswith(words.title_words):
        return m.group(1), m.group(2)
    return text, ""


def _person(part: str, words: ValueWords) -> Person:
    phone = ""
    m = _NUMBER.search(part)
    if m and not _MASKED.search(part):
        phone = m.group(0).strip()
        part = " ".join((part[: m.start()] + " " + part[m.end():]).split()).strip(" :：-—－")
    name, title = _name_title(part, words)
    return Person(name, title, phone)


@lru_cache(maxsize=8)
def _marks(separators: tuple[str, ...], brackets: tuple[str, ...]) -> re.Pattern:
    """What a contact cell holding more than a plain name must contain: a separator, a bracket,
    a digit, a space or a dash (the usual cell, 张伟, has none: fast path)."""
    return re.compile("|".join(re.escape(m) for m in sorted({*separators, *brackets}, key=len, reverse=True))
                      + r"|\d|\s|[\-—－:：]")


def split_contact(text: Any, words: ValueWords) -> tuple[Person, tuple[Person, ...]] | None:
    """The first person and the further ones when a contact cell holds more than a plain name
    (a title, a phone, another person)."""
    if not isinstance(text, str) or not text.strip():
        return None
    value = text.strip()
    if not _marks(tuple(words.separators), tuple(left for left, _ in words.title_brackets)).search(value):
        return None
    parts = [value]
    for sep in words.separators:
        parts = [q for p in parts for q in p.split(sep)]
    people = [_person(p.strip(), words) for p in parts if p.strip()]
    people = [p for p in people if p.name] or [Person(value)]
    first = people[0]
    if not first.title and not first.phone and len(people) < 2:
        return None
    return first, tuple(people[1:])


def _numbers(rest: tuple[str, ...]) -> list[str]:
    return [r for r in rest if _NUMBER.fullmatch(r)]


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

    schema = related_schema(rules)
    contact_sheet, name_col = schema.record_fields().get(words.contact_field, ("", ""))
    table = schema.table(contact_sheet)
    sheet_cols = {f: c for f, (t, c) in schema.record_fields().items() if t == contact_sheet}
    ckey, pkey, mkey = words.contact_field, words.title_field, by_type.get("mobile", "")
    people: dict[int, tuple[Any, Person, list[Person]]] = {}    # row -> (cell, first person, further people)
    if ckey in records.columns:
        values = records[ckey].to_numpy(dtype=object)
        splits = {u: split_contact(u, words) for u in pd.unique(values[[isinstance(v, str) for v in values]])}
        for r in np.flatnonzero([isinstance(v, str) and splits.get(v) is not None for v in values]).tolist():
            first, others = splits[values[r]]
            people[r] = (values[r], first, list(others))

    def blank_column(key: str) -> np.ndarray:
        if key in records.columns or key in changed:
            return column(key)
        changed[key] = np.full(len(records), None, dtype=object)
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
            items, target = list(s.rest), names[rest_key]
            waiting = [p for p in people.get(r, (None, None, []))[2] if not p.phone]
            if ftype == "mobile" and waiting and len(_numbers(s.rest)) == len(waiting):
                numbers = iter(_numbers(s.rest))       # one number per further person, in order
                people[r][2][:] = [p if p.phone else Person(p.name, p.title, next(numbers)) for p in people[r][2]]
                items, target = [i for i in s.rest if not _NUMBER.fullmatch(i)], contact_sheet
            # a number of the other kind (a landline beside a mobile) fills that field when empty
            other = by_type.get(_OTHER_KIND[ftype], "")
            moved = next((i for i in items if _NUMBER.fullmatch(i) and parse_phone(i).kind == _OTHER_KIND[ftype]), None)
            told = list(s.rest)
            if other and moved is not None and is_blank(blank_column(other)[r]) and \
                    (other not in records.columns or is_blank(records[other].iat[r])):
                blank_column(other)[r] = moved
                sink.keep_cell(r, other)
                items.remove(moved)
                told.remove(moved)
                sink.add(np.array([r]), rule="value-several", field=key, value=values[r],
                         params={"first": s.first, "rest": moved, "target": names[other]})
            rest.setdefault(r, []).extend(items)
            if told:
                sink.add(np.array([r]), rule="value-several", field=key, value=values[r],
                         params={"first": s.first, "rest": "、".join(told), "target": target})

    contacts: list[dict] = []
    prov = {c: records[c].tolist() if c in records.columns else [None] * len(records)
            for c in ("row_id", "src_file", "src_sheet", "src_row")}
    for r, (cell, first, others) in people.items():
        column(ckey)[r] = first.name
        sink.keep_cell(r, ckey)
        if first.title:
            pos = blank_column(pkey)
            if is_blank(pos[r]):
                pos[r] = first.title
            sink.add(np.array([r]), rule="contact-title-split", field=ckey, value=cell,
                     params={"person": first.name, "title": first.title})
        if first.phone and mkey:
            phones = blank_column(mkey)
            digits = re.sub(r"\D", "", str(phones[r] or ""))
            target = names.get(mkey, mkey) if is_blank(phones[r]) else names.get(rest_key, "")
            if is_blank(phones[r]):
                phones[r] = first.phone
            elif rest_key and digits != re.sub(r"\D", "", first.phone):
                rest.setdefault(r, []).append(first.phone)
            sink.add(np.array([r]), rule="value-several", field=ckey, value=cell,
                     params={"first": first.name, "rest": first.phone, "target": target})
        if others:
            sink.add(np.array([r]), rule="value-several", field=ckey, value=cell,
                     params={"first": first.name, "rest": "、".join(p.name for p in others), "target": contact_sheet})
            if name_col and table is not None:
                row = {"row_id": prov["row_id"][r], "src_file": prov["src_file"][r], "src_sheet": prov["src_sheet"][r],
                       "src_row": prov["src_row"][r]}
                for p in others:
                    person = {**row, name_col: p.name}
                    for value, field in ((p.title, pkey), (p.phone, mkey)):
                        if value and sheet_cols.get(field):
                            person[sheet_cols[field]] = value
                    contacts.append(person)
    if rest:
        col = column(rest_key) if rest_key in records.columns else np.full(len(records), None, dtype=object)
        changed[rest_key] = col
        for r, items in rest.items():
            kept = [] if is_blank(col[r]) else [str(col[r])]
            col[r] = "；".join(kept + items)
    if not changed:
        return records, contacts
    return records.assign(**{k: pd.Series(v, index=records.index, dtype=object) for k, v in changed.items()}), contacts
