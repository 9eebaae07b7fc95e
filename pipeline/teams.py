"""Which team a submission comes from, and which files are versions of one submission.

One resolver for everything that needs a team (intake's ``src_team``, the 所属团队 field, the
report): :func:`resolve_team` takes the file name (relative to the input folder) and the
cells of its sheets. The rules are data in ``rules/teams.yaml`` (registered teams, aliases,
file-name patterns, 填表部门 cell labels, version markers, date patterns); docs/monthly.md
("Teams and versions") explains them for a steward.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Iterable, Mapping, Sequence

from .values import date_of, fold as _fold, text as _text

#: where a team was found (TeamMatch.source)
SOURCE_CELL, SOURCE_NAME, SOURCE_SUFFIX, SOURCE_NONE = "单元格", "文件名", "团队后缀", ""

_CJK_RUN = re.compile(r"^[\u3400-\u9fff]+")
_SEPARATORS = re.compile(r"[\s\-_.·,，、()（）\[\]【】{}<>《》+&=~#@'\"“”‘’]+")
_LABEL_SPLIT = re.compile(r"[:：]")
#: a row holding a label cell and its value: at most this many filled cells (a list header
#: row with a 所属部门 column has many)
_LABEL_ROW_MAX_CELLS = 4


@dataclass(frozen=True)
class TeamMatch:
    team: str            # "" when unknown
    source: str          # SOURCE_* above
    detail: str = ""     # the text it was found in (a cell reference, the file or folder name)


@dataclass(frozen=True)
class Marker:
    pattern: re.Pattern
    rank: int | None     # None: the number the pattern captured


@dataclass(frozen=True)
class Registry:
    """rules/teams.yaml compiled."""

    names: Mapping[str, str]                 # folded name or alias -> registered name
    patterns: tuple[tuple[re.Pattern, str], ...]
    by_length: tuple[tuple[str, str], ...]   # (folded name/alias, team), longest first
    suffixes: tuple[str, ...]
    cell_labels: tuple[str, ...]
    date_labels: tuple[str, ...]
    scan_rows: int
    markers: tuple[Marker, ...]
    dates: tuple[re.Pattern, ...]
    same_customers_share: float


def check_teams(raw: Mapping[str, Any] | None) -> list[str]:
    """What the shape of rules/teams.yaml (``TeamRules`` in pipeline/rule_types.py: keys, types,
    regular expressions, ranks) cannot see, in Chinese: an empty team name, a word claimed by
    two teams, a date pattern without a month group. Empty when it is fine or absent."""
    problems: list[str] = []
    raw = raw or {}
    seen: dict[str, str] = {}
    for i, team in enumerate(raw.get("teams") or [], start=1):
        if not isinstance(team, Mapping) or "name" not in team:
            continue                                  # reported by the shape check
        if not str(team["name"] or "").strip():
            problems.append(f"teams.yaml: teams 第 {i} 项的 name 为空")
            continue
        for word in [team["name"], *(team.get("aliases") or [])]:
            key = _fold(word)
            if key in seen and seen[key] != team["name"]:
                problems.append(f"teams.yaml: “{word}”同时属于团队 {seen[key]} 和 {team['name']}")
            seen[key] = team["name"]
    versions = raw.get("versions") or {}
    for p in versions.get("dates") or [] if isinstance(versions, Mapping) else ():
        if "(?P<m>" not in str(p):
            problems.append(f"teams.yaml: versions.dates “{p}”缺少月份分组 (?P<m>…)")
    return problems


def registry(rules: Any) -> Registry:
    """The compiled registry of ``rules`` (``rules.teams``), compiled once per rules."""
    return rules.compiled(_build_registry)


def _build_registry(rules: Any) -> Registry:
    raw = rules.teams
    names: dict[str, str] = {}
    patterns = []
    for team in raw.teams:
        name = team.name.strip()
        for word in [name, *team.aliases]:
            names[_fold(word)] = name
        patterns.extend((re.compile(p, re.I), name) for p in team.patterns)
    versions = raw.versions
    markers = tuple(Marker(re.compile(str(m.pattern), re.I), None if m.rank == "n" else int(m.rank))
                    for m in versions.markers)
    reg = Registry(
        names=names, patterns=tuple(patterns),
        by_length=tuple(sorted(names.items(), key=lambda kv: -len(kv[0]))),
        suffixes=tuple(sorted(raw.suffixes, key=len, reverse=True)),
        cell_labels=tuple(_fold(x) for x in raw.cell_labels),
        date_labels=tuple(_fold(x) for x in raw.date_labels),
        scan_rows=raw.scan_rows, markers=markers,
        dates=tuple(re.compile(p) for p in versions.dates),
        same_customers_share=float(versions.same_customers_share))
    return reg


# --- cells ---

def labelled_value(sheets: Iterable[Sequence[Sequence[Any]]] | None, labels: Sequence[str],
                   scan_rows: int) -> tuple[Any, str] | None:
    """The value next to the first label of ``labels`` in the top rows of the sheets:
    ``填表部门：华东销售部`` in one cell, or the label in one cell and the value in the next
    filled one on a short row. Returns (value, "row:col" 1-based) or None."""
    for rows in sheets or ():
        for r, row in enumerate(list(rows)[:scan_rows]):
            cells = [(c, v) for c, v in enumerate(row) if _text(v)]
            for k, (c, v) in enumerate(cells):
                text = _text(v)
                head, *rest = _LABEL_SPLIT.split(text, maxsplit=1)
                if _fold(head) not in labels:
                    continue
                if rest and rest[0].strip():
                    return rest[0].strip(), f"{r + 1}:{c + 1}"
                if len(cells) <= _LABEL_ROW_MAX_CELLS and k + 1 < len(cells):
                    nc, nv = cells[k + 1]
                    return nv, f"{r + 1}:{nc + 1}"
    return None


def _cell_ref(at: str) -> str:
    from openpyxl.utils import get_column_letter

    r, c = (int(x) for x in at.split(":"))
    return f"{get_column_letter(c)}{r}"


# --- teams ---

def _canonical(text: str, reg: Registry) -> str:
    return reg.names.get(_fold(text), text)


def registered_team(text: str, rules: Any) -> str:
    """The registered name of ``text`` when it is a team name or alias of rules/teams.yaml
    (folded: case, width and spaces do not matter), else ""."""
    return registry(rules).names.get(_fold(text), "") if _text(text) else ""


def _from_suffix(text: str, reg: Registry) -> str:
    run = _CJK_RUN.match(text)
    if not run:
        return ""
    words = run.group(0)
    best = max((words.rfind(s) + len(s) for s in reg.suffixes if s in words), default=0)
    return words[:best] if best else ""


def resolve_team(name: str, sheets: Iterable[Sequence[Sequence[Any]]] | None, rules: Any) -> TeamMatch:
    """The team of the file ``name`` (relative to the input folder), given the rows of its
    sheets (``None`` or empty when not read). See rules/teams.yaml for the order."""
    reg = registry(rules)
    cell = labelled_value(sheets, reg.cell_labels, reg.scan_rows)
    if cell is not None and _text(cell[0]):
        return TeamMatch(_canonical(_text(cell[0]), reg), SOURCE_CELL, _cell_ref(cell[1]))
    path = PurePosixPath(name)
    texts = [path.stem] + [p for p in reversed(path.parent.parts) if p not in (".", "")]
    for text in texts:
        folded = _fold(text)
        for pattern, team in reg.patterns:
            if pattern.search(text):
                return TeamMatch(team, SOURCE_NAME, text)
        for word, team in reg.by_length:
            if word and word in folded:
                return TeamMatch(team, SOURCE_NAME, text)
    for text in texts:
        team = _from_suffix(text, reg)
        if team:
            return TeamMatch(_canonical(team, reg), SOURCE_SUFFIX, text)
    return TeamMatch("", SOURCE_NONE, path.name)


# --- dates and versions in names ---

def _date_parts(match: re.Match) -> tuple[int | None, int, int | None]:
    groups = match.groupdict()
    y = int(groups["y"]) if groups.get("y") else None
    d = int(groups["d"]) if groups.get("d") else None
    return y, int(groups["m"]), d


def name_date(name: str, rules: Any) -> tuple[int | None, int, int | None] | None:
    """(year or None, month, day or None) written in the file name, the most precise first
    pattern that matches; None when the name holds no date."""
    stem = PurePosixPath(name).stem
    for pattern in registry(rules).dates:
        for m in pattern.finditer(stem):
            y, mon, d = _date_parts(m)
            try:
                dt.date(y or 2000, mon, d or 1)
            except ValueError:
                continue
            return y, mon, d
    return None


def parse_date(value: Any, rules: Any) -> dt.date | None:
    """A 填表日期 cell: a date, a datetime, or text with a full date (2026-11-25, 2026年11月25日)."""
    day = date_of(value)
    if day is not None:
        return day
    text = _text(value)
    for pattern in registry(rules).dates:
        m = pattern.search(text)
        if m:
            y, mon, d = _date_parts(m)
            if y and d:
                try:
                    return dt.date(y, mon, d)
                except ValueError:
                    continue
    return None


def fill_date(sheets: Iterable[Sequence[Sequence[Any]]] | None, rules: Any) -> dt.date | None:
    """The 填表日期 (labels in rules/teams.yaml ``date_labels``) of a submission, if written."""
    reg = registry(rules)
    cell = labelled_value(sheets, reg.date_labels, reg.scan_rows)
    return parse_date(cell[0], rules) if cell is not None else None


def version_rank(name: str, rules: Any) -> int:
    """How late a version the file name says it is: 1 without a marker (or a copy marker),
    the marker's rank otherwise (v3 → 3, 修改版 → 2); the highest marker counts."""
    stem = PurePosixPath(name).stem
    best = 1
    for marker in registry(rules).markers:
        for m in marker.pattern.finditer(stem):
            rank = marker.rank if marker.rank is not None else int(m.group(1))
            best = max(best, rank)
    return best


def base_name(name: str, team: str, rules: Any) -> str:
    """The file name without its folder, extension, team, version markers and dates:
    two files with equal base names (and the same team) are versions of one submission."""
    reg = registry(rules)
    stem = unicodedata.normalize("NFKC", PurePosixPath(name).stem)
    for marker in reg.markers:
        stem = marker.pattern.sub(" ", stem)
    for pattern in reg.dates:
        stem = pattern.sub(" ", stem)
    folded = _fold(_SEPARATORS.sub(" ", stem))
    for word in sorted({_fold(team), *(w for w, t in reg.names.items() if t == team)} - {""}, key=len, reverse=True):
        folded = folded.replace(word, "")
    return _fold(_SEPARATORS.sub("", folded))
