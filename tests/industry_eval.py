"""Scoring the industry reader against labelled free-text labels (tests/data/industry/README.md).

``expect`` is one code (``C39``), several codes (``F51|F52``: the label spans divisions and
must be flagged ``industry-multi``), or ``vague`` (no division can be named: it must get an
issue and no code)."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).parent / "data" / "industry"


def load(name: str = "labels.csv") -> list[dict]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@dataclass
class Score:
    single: int = 0
    mapped: int = 0
    wrong: int = 0
    answered: int = 0
    multi: int = 0
    flagged: int = 0
    vague: int = 0
    vague_ok: int = 0
    misses: list = field(default_factory=list)

    @property
    def mapped_rate(self) -> float:
        return self.mapped / self.single if self.single else 0.0

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.answered if self.answered else 0.0


def score(index, rows: list[dict]) -> Score:
    s = Score()
    for row in rows:
        got = index.parse(row["label"])
        expect = row["expect"]
        rules = {f.rule for f in got.findings}
        if got.code is not None:
            s.answered += 1
        if expect == "vague":
            s.vague += 1
            ok = got.code is None and bool(rules)
            s.vague_ok += ok
            if got.code is not None:
                s.wrong += 1
        elif "|" in expect:
            s.multi += 1
            ok = got.code is None and "industry-multi" in rules
            s.flagged += ok
            if got.code is not None and got.code not in expect.split("|"):
                s.wrong += 1
        else:
            s.single += 1
            ok = got.code == expect
            s.mapped += ok
            if got.code is not None and not ok:
                s.wrong += 1
        if not ok:
            s.misses.append((row["label"], expect, got.code, sorted(rules)))
    return s
