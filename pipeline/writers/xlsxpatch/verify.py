"""What a returned workbook kept of its submission: compared before a return built another way
than by the patcher (openpyxl) is handed out, so a team's file never comes back damaged.

:func:`losses` lists, as ``(code, params)``, everything the return lost:

- ``sheets``: a sheet of the submission is missing (our own earlier sheets excepted);
- ``values``: a cell value differs where the product wrote no note;
- ``formulas`` / ``formula_results``: fewer formulas, or fewer cached formula results (openpyxl
  writes formulas without their last computed values: the file shows empty cells until recalculated);
- ``parts``: fewer package parts of a kind (drawings, charts, pictures, pivots, controls, VBA,
  printer settings …) than the submission had;
- ``dangling``: a relationship pointing at a part the return does not contain;
- ``unreadable``: the return cannot be read back at all.
The codes' Chinese wording is in ``rules/template.yaml`` (``returns.reasons``).
"""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any, Mapping, Sequence

from defusedxml import ElementTree as SafeET
from python_calamine import CalamineWorkbook

from .package import read_content_types
from .sheetdata import coord_of

#: part kinds a return may legitimately rewrite, drop or add (ours, or rebuilt by Excel)
_REWRITTEN = ("calcChain", "sharedStrings", "worksheet", "comments", "vmlDrawing", "core-properties",
              "extended-properties", "styles", "sheet.main", "sheet.macroEnabled.main", "theme", "relationships")
_CELL_F = re.compile(r"<(?:\w+:)?c\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)


def _types(zf: zipfile.ZipFile) -> dict[str, str]:
    """Part name -> content type."""
    defaults, overrides = read_content_types(zf.read("[Content_Types].xml"))
    return {n: overrides.get(n) or defaults.get(n.rsplit(".", 1)[-1].lower(), "")
            for n in zf.namelist() if not n.endswith("/") and n != "[Content_Types].xml"}


def _kind(content_type: str) -> str:
    kind = content_type.split("/")[-1].split("+")[0]
    return kind.replace("vnd.openxmlformats-officedocument.", "").replace("vnd.openxmlformats-package.", "") \
        .replace("vnd.ms-excel.", "").replace("spreadsheetml.", "").replace("drawingml.", "") or "?"


def _dangling(zf: zipfile.ZipFile) -> int:
    names = set(zf.namelist())
    count = 0
    for name in names:
        if not name.endswith(".rels"):
            continue
        source = posixpath.join(posixpath.dirname(posixpath.dirname(name)), posixpath.basename(name)[:-5])
        for rel in SafeET.fromstring(zf.read(name)):
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External" or not target:
                continue
            full = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(posixpath.dirname(source), target))
            count += full not in names
    return count


def _formulas(zf: zipfile.ZipFile, types: Mapping[str, str]) -> tuple[int, int]:
    """(formulas, formulas with a cached result) over every worksheet."""
    formulas = cached = 0
    for name, ctype in types.items():
        if not ctype.endswith("worksheet+xml"):
            continue
        for m in _CELL_F.finditer(zf.read(name).decode("utf-8", "replace")):
            body = m.group(1) or ""
            if "<f" in body or ":f" in body:
                formulas += 1
                v = re.search(r"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>", body)
                cached += bool(v and v.group(1) != "")
    return formulas, cached


def _value(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, dt.datetime) and v.time() == dt.time():
        return v.date()
    return v


def _cells(book: CalamineWorkbook, name: str) -> dict[str, Any]:
    sheet = book.get_sheet_by_name(name)
    if sheet.start is None:
        return {}
    r0, c0 = sheet.start
    out = {}
    for i, row in enumerate(sheet.to_python()):
        for j, v in enumerate(row):
            if v != "" and v is not None:
                out[coord_of(r0 + i + 1, c0 + j + 1)] = _value(v)
    return out


def losses(src: Path, ret: Path, noted: Mapping[str, set[str]], replaced: Sequence[str] = (),
           renamed: Mapping[str, str] | None = None) -> list[tuple[str, dict[str, Any]]]:
    """What ``ret`` lost of ``src``. ``noted``: sheet -> cells the product wrote a note on (their
    values may change); ``replaced``: titles of our own earlier sheets (not the team's);
    ``renamed``: sheet in ``src`` -> its title in ``ret`` when they differ."""
    renamed = renamed or {}
    out: list[tuple[str, dict[str, Any]]] = []
    try:
        with zipfile.ZipFile(src) as a, zipfile.ZipFile(ret) as b:
            ta, tb = _types(a), _types(b)
            lost = Counter(_kind(t) for t in ta.values()) - Counter(_kind(t) for t in tb.values())
            lost = {k: n for k, n in lost.items() if k not in _REWRITTEN}
            if lost:
                out.append(("parts", {"count": sum(lost.values()), "kinds": "、".join(sorted(lost))}))
            fa, fb = _formulas(a, ta), _formulas(b, tb)
            if fb[0] < fa[0]:
                out.append(("formulas", {"count": fa[0] - fb[0]}))
            if fb[1] < fa[1]:
                out.append(("formula_results", {"count": fa[1] - fb[1]}))
            if _dangling(b) > _dangling(a):
                out.append(("dangling", {"count": _dangling(b) - _dangling(a)}))
        book_a, book_b = CalamineWorkbook.from_path(str(src)), CalamineWorkbook.from_path(str(ret))
    except Exception as exc:  # noqa: BLE001 — a return that cannot be read back is a loss
        return out + [("unreadable", {"detail": type(exc).__name__})]
    skip = {t.lower() for t in replaced}
    titles_b = set(book_b.sheet_names)
    missing = [n for n in book_a.sheet_names if n.lower() not in skip and renamed.get(n, n) not in titles_b]
    if missing:
        out.append(("sheets", {"count": len(missing), "names": "、".join(missing)}))
    changed = 0
    for name in book_a.sheet_names:
        if name.lower() in skip or name in missing:
            continue
        try:
            before, after = _cells(book_a, name), _cells(book_b, renamed.get(name, name))
        except Exception:  # noqa: BLE001 — calamine cannot read a sheet kind (chartsheet …)
            continue
        ok = noted.get(name, set())
        changed += sum(1 for c in before.keys() | after.keys() if c not in ok and before.get(c) != after.get(c))
    if changed:
        out.append(("values", {"count": changed}))
    return out
