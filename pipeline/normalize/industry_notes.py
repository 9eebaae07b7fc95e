"""Reading a label with the product and activity words of the GB/T 4754-2017 explanatory notes
(rules/industry_notes.csv, tools/build_industry_notes.py): the reader's last try before
``industry-unknown`` (``IndustryIndex._noted``)."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .industry import IndustryIndex

Piece = tuple[str, tuple[str, ...]]     # a word of the label, the divisions it names


def notes_reading(idx: "IndustryIndex", key: str) -> tuple[str, ...]:
    """The divisions of a label the notes' words cover whole, with known names between them, the
    ``ignore_words`` (和, 及) and 、 joining them and a tail (制造) at the end: the divisions all its
    words share (千斤顶和电动叉车 → C34), else all of them as candidates (at most ``max_candidates``).
    A product the notes of a maker and of shops name is the maker's (吸尘器 C38, not F52: as
    ``_starts_classes``). Nothing is read when no word comes from the notes (the reader has read
    the others already), when a notes word's parts are held by GB/T names of other divisions only
    (投资管理: a J68 note names it, the class names holding 投资 are J67 and L72), from one
    two-character word alone (辅料), or when a service follows goods words (``_serves_goods``)."""
    tail = max((t for t in idx.head_tails if key.endswith(t) and len(key) > len(t)), key=len, default="")
    pieces = _cover(idx, key[:len(key) - len(tail)].replace("、", ""))
    noted = [(w, ds) for w, ds in pieces if w in idx.notes and not _known(idx, w)]
    if not noted or any(_placed_elsewhere(idx, w, ds) for w, ds in noted):
        return ()
    read = [set(ds) for _, ds in pieces if ds]
    shared = set.intersection(*read)
    found = tuple(dict.fromkeys(d for _, ds in pieces for d in ds if not shared or d in shared))
    if len(found) == 1 and not idx._sure(key, found):
        return ()
    if idx._serves_goods(key, found):
        return idx._goods_service(found)
    return found if len(found) <= idx.max_candidates else ()


def _cover(idx: "IndustryIndex", body: str) -> tuple[Piece, ...]:
    """The fewest words (notes words, known names, joining words) that make up ``body``, or ()."""
    n = len(body)
    best: list[tuple[Piece, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(i + 1, n + 1):
            w = body[i:j]
            if w in idx.ignore_words:
                piece: Piece = (w, ())
            elif j - i < idx.min_contain:
                continue
            elif (known := _known(idx, w)) or w in idx.notes:
                made = tuple(d for d in idx.notes.get(w, ()) if d not in idx.trade_divisions)
                piece = (w, known or made or idx.notes[w])
            else:
                continue
            if best[j] is None or len(best[i]) + 1 < len(best[j]):
                best[j] = (*best[i], piece)
    return best[n] or ()


def _known(idx: "IndustryIndex", word: str) -> tuple[str, ...]:
    """The divisions a name, alias, class name or multi label ``word`` names (``_one`` without its
    code and plain-form readings, which no part of a label needs: this runs on every substring)."""
    found = idx.names.get(word) or idx.classes.get(word)
    return (found,) if found else idx.multi.get(word) or idx.older.get(word) or ()


def _placed_elsewhere(idx: "IndustryIndex", word: str, divisions: tuple[str, ...]) -> bool:
    """GB/T class names hold parts of ``word`` and none of them names one of its divisions
    (计量仪表 is read: 仪表 is in C40 names, though 计量 only in M74's 计量服务)."""
    held = [h for i in range(len(word) - idx.min_contain + 1) if (h := idx._in_classes(word[i:i + idx.min_contain]))]
    return bool(held) and not any(set(h) & set(divisions) for h in held)
