"""Choosing the unit a text's place names support best (``choose``), for ``regions.Resolver``.

Every current unit a token may stand for is tried as the answer; the tokens that name it or one
of its ancestors fill its levels (a token fills one level, the highest still open) and add their
strength; a province or city named before the first supporting token and disagreeing subtracts
its strength. The best total wins; a tie between different units is no answer (``Reading.tied``).
"""
from __future__ import annotations

from typing import NamedTuple, Sequence

from .regions_index import FULL, NAMED, SHORT, STRENGTH, WEAK, Entry, RegionIndex as Index, Token, Unit

__all__ = ["REPEAT", "Reading", "choose"]


class Reading(NamedTuple):
    """What a list of tokens says: the unit decided (None when tied), its support, and the
    tied units when the text does not decide."""

    unit: Unit | None
    score: float
    used: tuple[tuple[Token, Entry], ...] = ()
    tied: tuple[Unit, ...] = ()
    common: Unit | None = None


def _common(units: Sequence[Unit], index: Index) -> Unit | None:
    first = units[0]
    for level, key in ((2, first.ckey), (1, first.pcode)):
        if level <= first.level and all(u.level >= level and (u.ckey if level == 2 else u.pcode) == key
                                        for u in units):
            return index.units.get(key)
    return None


REPEAT = 0.25          # a unit named again later in the text (湖州…湖州分公司)


def _plausible(filled: dict[int, tuple[Token, Entry]]) -> bool:
    """A reading no other name agrees with must not rest on an everyday word (东方新家园) nor
    on a county short form inside a word (五马村, 瓯北镇); one starting the text is read
    (义乌国际商贸城)."""
    if len(filled) > 1:
        return True
    token, entry = next(iter(filled.values()))
    if entry.kind == WEAK:
        return False
    county = entry.unit.level == 3 or entry.unit.code == entry.unit.ckey and len(entry.unit.code) == 6
    return entry.kind in NAMED or not county or token.lead


def _shared(deepest: tuple[Token, Entry]) -> bool:
    """The deepest name a reading rests on is written alike by several units of its level
    (新城区: 呼和浩特 and 西安; 鼓楼区): on its own it points to none of them."""
    token, entry = deepest
    return sum(e.unit.level == entry.unit.level and e.kind == entry.kind for e in token.entries) > 1


def choose(tokens: Sequence[Token], index: Index, anchor: Unit | None = None) -> Reading | None:
    """The unit the tokens support best, consistent with ``anchor`` (what earlier cells decided)."""
    best: dict[str, tuple[tuple, Unit, tuple]] = {}
    seen: set[str] = set()
    twins = index.twins
    for token in tokens:
        for cand in token.entries:
            u = cand.unit
            if u.code in seen:
                continue
            seen.add(u.code)
            if anchor is not None and not (u.within(anchor) or anchor.within(u)):
                continue
            filled: dict[int, tuple[Token, Entry]] = {}
            score = 0.0
            last_end = -9                            # the end of the previous token that agreed
            first = -1                               # the start of the first token that filled a level
                                                     # (tokens come left to right)
            keys = u.keys
            for t in tokens:
                if t.keys.isdisjoint(keys):
                    continue
                # entries come highest level first, strongest first; an everyday word needs its
                # parent right before it
                start = t.start
                after = last_end >= 0 and start - last_end <= 1
                weak_ok = (anchor is not None and start == 0) or after
                last_end = t.end
                for e in t.entries:
                    if e.key in keys and e.key[0] not in filled and (weak_ok or e.kind != WEAK):
                        break
                else:
                    score += REPEAT
                    continue
                if e.kind == WEAK and after and e.key[0] - 1 in filled:
                    # right after its parent an everyday word is the unit's name (青岛市市南区…胶南市:
                    # 市南区, not the obsolete 胶南市's 黄岛区)
                    score += STRENGTH[FULL] if t.text == e.unit.name else STRENGTH[SHORT]
                else:
                    score += e.strength
                filled[e.key[0]] = (t, e)
                if first < 0:
                    first = start
            if not filled or (anchor is None and len(filled) == 1 and not _plausible(filled)):
                continue
            levels = sorted(filled)
            deepest = filled[levels[-1]][1].unit
            deepest = twins.get(deepest.code, deepest)
            if first > tokens[0].start:              # 台湾台南市安平区, 银川新市区: a province or city
                for t in tokens:                     # named before disagrees
                    if t.start >= first:
                        break
                    most = 0.0                       # its strongest entry, when all are such
                    for e in t.entries:
                        if e.unit.level > 2 or e.kind == WEAK:
                            break
                        if e.strength > most:
                            most = e.strength
                    else:
                        if most:
                            score -= most
            rank = (score, -first, -levels[0])
            old = best.get(deepest.code)
            if old is None or rank > old[0]:
                best[deepest.code] = (rank, deepest, tuple(filled[k] for k in levels))
    if not best:
        return None
    if len(best) == 1:
        (rank, unit, used), = best.values()
        return Reading(unit, rank[0], used)
    top_rank = max(r[0] for r in best.values())
    top = [r for r in best.values() if r[0] == top_rank]
    if len(top) > 1:                               # 赤峰市新城区: 新城区 is 呼和浩特's and 西安's too
        own = [r for r in top if not _shared(r[2][-1])]
        if len(own) == 1 and own[0][1].level < max(r[1].level for r in top):
            top = own
    if len(top) == 1:
        rank, unit, used = top[0]
        return Reading(unit, rank[0], used)
    units = tuple(r[1] for r in top)
    return Reading(None, top[0][0][0], (), units, _common(units, index))
