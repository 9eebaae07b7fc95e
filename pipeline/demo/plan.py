"""Which files exist, which customers appear in which file, and the manifest of planted mess.

The plan is drawn from one seeded ``random.Random`` and the files are rendered in a fixed
order, so the same (seed, rows) always gives the same files and the same manifest.
"""
from __future__ import annotations

import copy
import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from . import data, messy
from .population import Company, Person, Population, nationwide_cities

DEFAULT_ROWS = 360
ROWS_PER_FILE = 5000
DUPLICATE_SHARE = 0.08        # extra copies of a company, as a share of enterprise rows
PERSON_DUPLICATE_SHARE = 0.03
INVALID_SHARE = 0.05
FIXABLE_SHARE = 0.04
NO_NAME_SHARE = 0.01

# The four standard team files (layout, team, file name) and their share of the rows.
STANDARD_FILES = (
    ("east", "华东销售部", "华东销售部_2026年11月客户名单.xlsx", 0.31),
    ("guide", "大客户部", "大客户部-重点客户.xlsx", 0.19),       # the key-account list with the guide's fields
    ("csv", "华南区域", "华南区域_客户资料.csv", 0.26),
    ("online", "线上渠道部", "线上渠道部_个人客户.xlsx", 0.24),
)
EXTRA_TEAMS = (
    ("east", "华北销售部"), ("key", "行业客户部"), ("csv", "西南区域"), ("online", "电商运营部"),
    ("east", "华中销售部"), ("key", "政企客户部"), ("csv", "西北区域"), ("online", "新零售部"),
    ("east", "东北销售部"), ("key", "战略合作部"), ("csv", "华东二区"), ("online", "会员运营部"),
)
EXTRA_NAMES = {
    "east": "{team}_2026年11月客户名单{suffix}.xlsx",
    "key": "{team}-重点客户{suffix}.xlsx",
    "csv": "{team}_客户资料{suffix}.csv",
    "online": "{team}_个人客户{suffix}.xlsx",
}


@dataclass
class Entry:
    """One data row to render: a customer (or none) and what to do to it."""

    role: str                               # own | shared | copy | noname | lookalike
    entity: Company | Person | None = None
    variant: str | None = None              # duplicate spelling for copies
    invalid: str | None = None
    fixable: str | None = None


@dataclass
class FileSpec:
    layout: str                             # east | key | guide | csv | online | form
    team: str
    name: str
    rows: int                               # data rows (enterprise rows for list layouts)
    person_rows: int = 0                    # online layout: rows of the 个人客户 sheet
    entries: list[Entry] = field(default_factory=list)
    person_entries: list[Entry] = field(default_factory=list)


class Manifest:
    """Counts and locations of everything planted; ``to_dict`` is JSON-ready."""

    def __init__(self, seed: int, rows: int):
        self.seed, self.rows = seed, rows
        self.files: list[dict[str, Any]] = []
        self.cells: dict[str, list[dict]] = defaultdict(list)     # invalid / fixable / warning / special
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.locations: dict[str, list[dict]] = defaultdict(list)  # entity key -> rows
        self.no_name: list[dict] = []
        self.lookalikes: list[tuple[str, str]] = []

    def add_file(self, spec: FileSpec) -> dict:
        info = {"file": spec.name, "layout": spec.layout, "team": spec.team, "sheets": {}}
        self.files.append(info)
        return info

    def sheet(self, file: str, sheet: str, header_row: int | None, data_rows: int) -> None:
        for info in self.files:
            if info["file"] == file:
                info["sheets"][sheet] = {"header_row": header_row, "data_rows": data_rows}

    def row(self, entity_key: str | None, loc: dict) -> None:
        if entity_key is None:
            self.no_name.append(loc)
        else:
            self.locations[entity_key].append(loc)

    def cell(self, category: str, kind: str, loc: dict, field_key: str, column: str, value: Any) -> None:
        self.counts[category][kind] += 1
        self.cells[category].append({**loc, "column": column, "field": field_key, "kind": kind,
                                     "value": value if isinstance(value, (str, int, float)) else str(value)})

    def to_dict(self) -> dict[str, Any]:
        groups = [locs for locs in self.locations.values() if len(locs) > 1]
        companies = sum(1 for k in self.locations if k.startswith("C"))
        persons = sum(1 for k in self.locations if k.startswith("P"))
        data_rows = sum(s["data_rows"] for f in self.files for s in f["sheets"].values())
        return copy.deepcopy({
            "seed": self.seed,
            "rows_requested": self.rows,
            "data_rows": data_rows,
            "files": self.files,
            "customers": {"企业": companies, "个人": persons},
            "duplicates": {
                "groups": len(groups),
                "rows": sum(len(g) - 1 for g in groups),
                "members": groups,
            },
            "lookalikes": [[self.locations[a][0], self.locations[b][0]] for a, b in self.lookalikes
                           if self.locations.get(a) and self.locations.get(b)],
            "no_name_rows": self.no_name,
            "invalid": dict(sorted(self.counts["invalid"].items())),
            "fixable": dict(sorted(self.counts["fixable"].items())),
            "warnings": dict(sorted(self.counts["warning"].items())),
            "special": dict(sorted(self.counts["special"].items())),
            "invalid_cells": self.cells["invalid"],
            "fixable_cells": self.cells["fixable"],
            "warning_cells": self.cells["warning"],
            "special_cells": self.cells["special"],
        })


def plan_files(total: int, files: int | None = None) -> list[FileSpec]:
    """File list and row counts; the standard four files first, then extra teams.
    ``files``: how many list workbooks (at least 4; default one per ``ROWS_PER_FILE`` rows)."""
    n_forms = 1 + min(4, total // 50000)
    list_rows = max(total - n_forms, 40)
    n_list = max(4, int(files) if files else math.ceil(list_rows / ROWS_PER_FILE))
    if n_list == 4:
        shares = [s for *_, s in STANDARD_FILES]
    else:
        shares = [1 / n_list] * n_list
    counts = [int(list_rows * s) for s in shares]
    for i in range(list_rows - sum(counts)):
        counts[i % n_list] += 1
    specs = []
    for i, n in enumerate(counts):
        if i < 4:
            layout, team, name, _ = STANDARD_FILES[i]
        else:
            layout, team = EXTRA_TEAMS[(i - 4) % len(EXTRA_TEAMS)]
            batch = (i - 4) // len(EXTRA_TEAMS)
            name = EXTRA_NAMES[layout].format(team=team, suffix=f"_第{batch + 1}批" if batch else "")
        if layout == "online":
            ent = max(4, round(n * 0.08))
            specs.append(FileSpec(layout, team, name, rows=ent, person_rows=n - ent))
        else:
            specs.append(FileSpec(layout, team, name, rows=n))
    for i in range(n_forms):
        specs.append(FileSpec("form", "大客户部", "", rows=1))
    return specs


def _pick_files(rng: random.Random, specs: list[FileSpec], free: dict[int, int], k: int) -> list[int]:
    chosen: list[int] = []
    for _ in range(k):
        options = [i for i, n in free.items() if n > 0 and i not in chosen]
        if not options:
            break
        i = rng.choices(options, weights=[free[j] for j in options], k=1)[0]
        chosen.append(i)
        free[i] -= 1
    return sorted(chosen)


def _kinds(rng: random.Random, n: int, allowed: list[str], unused: list[str]) -> list[str]:
    """``n`` kinds: those no earlier file planted come first, then random ones."""
    first = [k for k in unused if k in allowed][:n]
    for k in first:
        unused.remove(k)
    return first + [rng.choice(allowed) for _ in range(n - len(first))] if allowed else []


def _mark(rng: random.Random, entries: list[Entry], fields: set[str], unused: dict[str, list[str]]) -> None:
    """Plant invalid and fixable values on rows that are neither copies nor nameless."""
    own = [e for e in entries if e.role == "own"]
    if len(own) < 20:
        return
    n_invalid = max(1, round(len(entries) * INVALID_SHARE))
    kinds = _kinds(rng, n_invalid, messy.applicable_invalids(fields), unused["invalid"])
    for e, kind in zip(rng.sample(own, len(kinds)), kinds):
        e.invalid = kind
    rest = [e for e in own if e.invalid is None]
    n_fixable = max(1, round(len(entries) * FIXABLE_SHARE))
    kinds = _kinds(rng, n_fixable, messy.applicable_fixables(fields), unused["fixable"])
    for e, kind in zip(rng.sample(rest, len(kinds)), kinds):
        e.fixable = kind


def build_plan(seed: int, rows: int | None, files: int | None = None,
               nationwide: bool = False) -> tuple[list[FileSpec], Population, random.Random]:
    """Decide every file's entries (companies shared across teams, nameless rows, marks);
    ``nationwide``: customers in every city of the region tables (benchmarks)."""
    from .layouts import LAYOUT_FIELDS

    total = DEFAULT_ROWS if rows is None else max(int(rows), 40)
    rng = random.Random(seed)
    pop = Population(rng, nationwide_cities() if nationwide else data.CITIES)
    specs = plan_files(total, files)
    lists = [i for i, s in enumerate(specs) if s.layout != "form"]
    forms = [i for i, s in enumerate(specs) if s.layout == "form"]
    slots: dict[int, list[Entry]] = {i: [] for i in range(len(specs))}

    # Forms: key customers that also appear in a key-account list.
    key_files = [i for i in lists if specs[i].layout in ("key", "guide")]
    for i in forms:
        c = pop.company(stage="active")
        specs[i].name = f"大客户部_客户维护表_{c.city.short}{c.brand}{c.industry_word[:2]}.xlsx"
        slots[i].append(Entry("shared", c))
        j = key_files[(i - forms[0]) % len(key_files)]
        slots[j].append(Entry("copy", c, variant=rng.choice(("spaces", "other_contact", None))))

    # Companies shared by two or three teams.
    enterprise_rows = sum(specs[i].rows for i in lists)
    free = {i: int(specs[i].rows * 0.4) for i in lists}
    n_shared = round(enterprise_rows * DUPLICATE_SHARE / 1.2)
    for _ in range(n_shared):
        k = 3 if rng.random() < 0.2 else 2
        chosen = _pick_files(rng, specs, free, k)
        if len(chosen) < 2:
            for i in chosen:
                free[i] += 1
            break
        c = pop.company()
        for n, i in enumerate(chosen):
            variant = None if n == 0 else rng.choice(messy.DUP_VARIANTS)
            slots[i].append(Entry("shared" if n == 0 else "copy", c, variant=variant))

    # Same brand in another city: look alike, must stay two customers.
    for _ in range(max(2, round(enterprise_rows * 0.01))):
        chosen = _pick_files(rng, specs, free, 2)
        if len(chosen) < 2:
            break
        base = pop.company()
        other = pop.lookalike(base)
        slots[chosen[0]].append(Entry("lookalike", base))
        slots[chosen[1]].append(Entry("lookalike", other))

    # every kind at least once in the set (the rarest targets first), then at random
    unused = {"invalid": sorted(messy.INVALID, key=lambda k: k != "founded_future"), "fixable": list(messy.FIXABLE)}
    for i in lists:
        spec = specs[i]
        entries = slots[i][: spec.rows]
        n_noname = max(1, round(spec.rows * NO_NAME_SHARE))
        entries += [Entry("noname") for _ in range(min(n_noname, spec.rows - len(entries)))]
        entries += [Entry("own") for _ in range(spec.rows - len(entries))]
        rng.shuffle(entries)
        _mark(rng, entries, LAYOUT_FIELDS[spec.layout], unused)
        spec.entries = entries
        if spec.person_rows:
            people = _person_entries(rng, spec.person_rows)
            _mark(rng, people, LAYOUT_FIELDS["person"], unused)
            spec.person_entries = people
    for i in forms:
        specs[i].entries = slots[i]
    return specs, pop, rng


def _person_entries(rng: random.Random, n: int) -> list[Entry]:
    n_dup = round(n * PERSON_DUPLICATE_SHARE)
    n_noname = max(1, round(n * NO_NAME_SHARE / 2))
    entries = [Entry("own") for _ in range(n - n_dup - n_noname)] + [Entry("noname") for _ in range(n_noname)]
    rng.shuffle(entries)
    # A duplicate repeats an earlier person (copy-pasted twice); filled in when rendered.
    for _ in range(n_dup):
        entries.insert(rng.randrange(len(entries) // 2, len(entries) + 1), Entry("copy"))
    return entries
