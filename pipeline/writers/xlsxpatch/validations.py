"""Dropdown lists added to a worksheet's XML (``<dataValidations>``), where ECMA-376 puts them
(after conditional formats, before hyperlinks and everything that follows). A column that
already has a validation of the team's own keeps it."""
from __future__ import annotations

import re
from typing import Sequence
from xml.sax.saxutils import escape

from .package import qattr

#: worksheet children that follow <dataValidations> (CT_Worksheet order)
_AFTER = ("<hyperlinks", "<printOptions", "<pageMargins", "<pageSetup", "<headerFooter", "<rowBreaks",
          "<colBreaks", "<customProperties", "<cellWatches", "<ignoredErrors", "<smartTags", "<drawing",
          "<legacyDrawing", "<legacyDrawingHF", "<drawingHF", "<picture", "<oleObjects", "<controls",
          "<webPublishItems", "<tableParts", "<extLst", "</worksheet>")
_SQREF = re.compile(r'<dataValidation\b[^>]*\bsqref="([^"]*)"|<(?:\w+:)?sqref>([^<]*)</(?:\w+:)?sqref>')
_LETTERS = re.compile(r"\$?([A-Z]{1,3})\$?\d*")


def covered_columns(xml: str) -> set[str]:
    """Column letters that some existing validation (also Excel's x14 ones) covers."""
    out: set[str] = set()
    for a, b in _SQREF.findall(xml):
        for ref in (a or b).split():
            first, _, last = ref.partition(":")
            lo, hi = _LETTERS.match(first), _LETTERS.match(last or first)
            if lo and hi:
                out |= {lo.group(1), hi.group(1)}
    return out


def validation_xml(sqref: str, formula: str, prompt: str = "") -> str:
    return (f'<dataValidation type="list" errorStyle="warning" allowBlank="1" showInputMessage="1" '
            f'showErrorMessage="1" errorTitle="不在可选值中" error="{qattr("建议从下拉列表中选择")}"'
            + (f' prompt="{qattr(prompt)}"' if prompt else "")
            + f' sqref="{sqref}"><formula1>{escape(formula)}</formula1></dataValidation>')


def add_list_validations(xml: str, items: Sequence[tuple[str, str, str]]) -> str:
    """``items``: (column letter, sqref, list formula) — one dropdown per column not covered yet."""
    have = covered_columns(xml)
    new = [validation_xml(sqref, formula) for col, sqref, formula in items if col not in have]
    if not new:
        return xml
    m = re.search(r"<dataValidations\b([^>]*?)(/?)>", xml)
    if m and not m.group(2):
        close = xml.index("</dataValidations>", m.end())
        count = len(re.findall(r"<dataValidation\b", xml[m.end():close])) + len(new)
        head = re.sub(r'\scount="\d*"', "", m.group(0)[:-1]) + f' count="{count}">'
        return xml[:m.start()] + head + xml[m.end():close] + "".join(new) + xml[close:]
    block = f'<dataValidations count="{len(new)}">{"".join(new)}</dataValidations>'
    if m:                                               # <dataValidations/>: replace it
        return xml[:m.start()] + block + xml[m.end():]
    at = min((i for i in (xml.find(tag) for tag in _AFTER) if i >= 0), default=len(xml))
    return xml[:at] + block + xml[at:]
