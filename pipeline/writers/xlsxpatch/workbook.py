"""A submitted workbook opened for patching: its sheets, the edits, the new sheets."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping, Sequence

from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH
from xml.sax.saxutils import escape

from .comments import Box, SheetComments, used_vml_blocks
from .newsheet import NewSheet, new_sheet_xml, sheet_ref
from .package import CT_WORKSHEET, Package, PatchUnsupported, attrs_of, rel_kind, resolve, set_attr, unprefix
from .sheetdata import CellEdit, formula_cells, merged_ranges, patch_sheet_xml
from .styles import Styles
from .validations import add_list_validations

_SHEET_KINDS = {"worksheet", "chartsheet", "dialogsheet", "xlMacrosheet", "xlIntlMacrosheet"}
#: an attribute not written ``name="value"`` (single quotes, spaces around ``=``): the patcher's
#: text edits assume the canonical form every mainstream writer uses
_ODD_ATTR = re.compile(r"<[^>]*(?:\s=|=\s|=')")
_DEFINED_NAME = re.compile(r"<definedName\b([^>]*?)(?:/>|>.*?</definedName>)", re.S)
_TAB_SELECTED = re.compile(r"\stabSelected\s*=\s*[\"'](1|true)[\"']")


class Workbook:
    """Sheet titles -> worksheet parts of a submitted workbook, its date system and dialect."""

    def __init__(self, path: Path):
        self.pkg = Package(path)
        main = self.pkg.targets("", "officeDocument")
        if not main:
            raise PatchUnsupported("no workbook part")
        self.part = main[0][1]
        self.xml, self.dialect = unprefix(self.pkg.text(self.part), "workbook")
        if _ODD_ATTR.search(self.xml):
            raise PatchUnsupported("workbook attributes")
        self.date1904 = bool(re.search(r"<workbookPr\b[^>]*\bdate1904=\"(1|true)\"", self.xml))
        self.epoch = CALENDAR_MAC_1904 if self.date1904 else WINDOWS_EPOCH
        root = re.search(r"<workbook\b[^>]*>", self.xml).group(0)
        found = re.search(r"\sxmlns:(\w+)=\"" + re.escape(self.dialect.rel) + '"', root)
        self.r = found.group(1) if found else "r"
        self._merged: dict[str, list] = {}
        self._formulas: dict[str, set[str]] = {}
        self._read_sheets()

    def _read_sheets(self) -> None:
        rels = {r.get("Id"): r for r in self.pkg.rels(self.part)}
        self.sheet_tags = re.findall(r"<sheet\b[^>]*/>", self.xml)
        self.sheets: dict[str, str] = {}            # title -> worksheet part
        self.titles: list[str] = []
        for tag in self.sheet_tags:
            a = attrs_of(tag)
            rel = rels.get(a.get(f"{self.r}:id", ""))
            if rel is None or rel_kind(rel.get("Type", "")) not in _SHEET_KINDS:
                raise PatchUnsupported(f"sheet relationship {a}")
            title = a.get("name", "")
            self.titles.append(title)
            if rel_kind(rel["Type"]) == "worksheet":
                self.sheets[title] = resolve(self.part, rel["Target"])

    def merged(self, title: str) -> list[tuple[int, int, int, int]]:
        if title not in self._merged:
            self._merged[title] = merged_ranges(unprefix(self.pkg.text(self.sheets[title]), "worksheet")[0])
        return self._merged[title]

    def has_formula(self, title: str, coord: str) -> bool:
        """Whether cell ``coord`` of sheet ``title`` holds a formula (the patcher keeps it)."""
        if title not in self.sheets:
            return False
        if title not in self._formulas:
            self._formulas[title] = formula_cells(unprefix(self.pkg.text(self.sheets[title]), "worksheet")[0])
        return coord in self._formulas[title]

    def remove_sheets(self, titles: Sequence[str]) -> list[str]:
        """Remove the sheets an earlier return added (``问题清单`` …: a returned workbook
        submitted again) so they can be replaced; returns the titles removed."""
        wanted = {t.lower() for t in titles}
        removed = []
        for idx in reversed(range(len(self.sheet_tags))):
            if self.titles[idx].lower() not in wanted:
                continue
            tag = self.sheet_tags[idx]
            rid = attrs_of(tag).get(f"{self.r}:id", "")
            part = next((p for i, p in self.pkg.targets(self.part, rel_kind(self._rel_type(rid))) if i == rid), "")
            xml = self.xml.replace(tag, "", 1)

            xml = _DEFINED_NAME.sub(lambda m: _shift_local(m.group(0), m.group(1), idx), xml)
            self.xml = xml
            self.pkg.drop_rel(self.part, rid)
            if part:
                self.pkg.remove(part)
            self._merged.pop(self.titles[idx], None)
            self.sheets.pop(self.titles[idx], None)
            removed.append(self.titles[idx])
            del self.sheet_tags[idx]
            del self.titles[idx]
        if removed:
            self.xml = re.sub(r"<definedNames>\s*</definedNames>", "", self.xml)
            self.pkg.put(self.part, self.xml)
        return removed

    def _rel_type(self, rid: str) -> str:
        return next((r.get("Type", "") for r in self.pkg.rels(self.part) if r.get("Id") == rid), "")

    def sheet_xml(self, part: str) -> str:
        xml, dialect = unprefix(self.pkg.text(part), "worksheet")
        if dialect != self.dialect or _ODD_ATTR.search(xml):
            raise PatchUnsupported("worksheet namespace or attributes")
        return xml

    def apply(self, edits: Mapping[str, Mapping[str, CellEdit]], new_sheets: Sequence[NewSheet],
              fill_colours: Mapping[str, str], author: str, box: Box, dest: Path,
              dropdowns: Mapping[str, Sequence[tuple[str, str, str]]] | None = None) -> None:
        """Write the patched workbook to ``dest``. ``edits``: sheet title -> cell -> edit (a
        comment is our text; ``box(text, team_note)`` makes the final text and its size);
        ``dropdowns``: sheet title -> (column, sqref, list formula) added where the column has
        no validation of its own (:mod:`.validations`)."""
        pkg = self.pkg
        style_part = self.pkg.targets(self.part, "styles")
        if not style_part:
            raise PatchUnsupported("no styles")
        styles = Styles(pkg, style_part[0][1], fill_colours, self.dialect)
        block = used_vml_blocks(pkg) + 1
        for title, part in self.sheets.items():
            original = pkg.text(part)
            cells = dict(edits.get(title) or {})
            has_comments = bool(pkg.targets(part, "comments"))
            xml = original
            if cells or has_comments:
                xml = self.sheet_xml(part)
                notes = SheetComments(pkg, part, self.dialect, author)
                for coord in notes.previous():             # our notes of an earlier return: undo their fill
                    edit = cells[coord] = CellEdit(**vars(cells[coord])) if coord in cells else CellEdit()
                    edit.clear_fill = True
                if cells:
                    if "<sheetData" not in xml:
                        raise PatchUnsupported(f"no sheetData in {part}")
                    xml = patch_sheet_xml(xml, cells, styles, self.epoch)
                texts = {c: e.comment for c, e in cells.items() if e.comment}
                if texts or notes.items:
                    xml, block = notes.merge(xml, texts, box, block)
            if (dropdowns or {}).get(title):
                if xml is original:
                    xml = self.sheet_xml(part)
                xml = add_list_validations(xml, dropdowns[title])
            cut = xml.find("<sheetData")
            if cut < 0:
                cut = len(xml)
            xml = _TAB_SELECTED.sub("", xml[:cut]) + xml[cut:]
            if xml != original:
                pkg.put(part, xml)
        self._add_sheets(new_sheets, styles)
        styles.save()
        for rid, calc in pkg.targets(self.part, "calcChain"):
            pkg.remove(calc)
            pkg.drop_rel(self.part, rid)
        pkg.save(dest)

    def _add_sheets(self, new_sheets: Sequence[NewSheet], styles: Styles) -> None:
        if not new_sheets:
            return
        pkg, xml, dialect = self.pkg, self.xml, self.dialect
        ids = [int(attrs_of(t).get("sheetId", 0) or 0) for t in self.sheet_tags]
        next_id = max(ids + [0]) + 1
        tags, names = [], []
        for k, sheet in enumerate(new_sheets):
            part = pkg.unused("xl/worksheets/crm_sheet{}.xml")
            pkg.put(part, new_sheet_xml(sheet, styles, dialect), CT_WORKSHEET)
            rid = pkg.add_rel(self.part, dialect.rel_type("worksheet"), part)
            tags.append(f'<sheet xmlns:r="{dialect.rel}" name="{escape(sheet.title, {chr(34): "&quot;"})}" '
                        f'sheetId="{next_id + k}" r:id="{rid}"/>')
            last = max(len(sheet.rows) + 1, 2)
            ref = sheet_ref(sheet.title)
            col = get_column_letter(len(sheet.headers))
            names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{k}" hidden="1">'
                         f"{escape(ref)}!$A$1:${col}${last}</definedName>")
            names.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{k}">{escape(ref)}!$1:$1'
                         "</definedName>")
        n = len(new_sheets)
        xml = re.sub(r'localSheetId="(\d+)"', lambda m: f'localSheetId="{int(m.group(1)) + n}"', xml)
        m = re.search(r"<sheets\b[^>]*>", xml)
        if not m:
            raise PatchUnsupported("no sheets element")
        xml = xml[: m.end()] + "".join(tags) + xml[m.end():]
        m = re.search(r"<definedNames\b[^>]*?(/?)>", xml)
        if m and not m.group(1):
            xml = xml[: m.end()] + "".join(names) + xml[m.end():]
        elif m:                                                      # <definedNames/>
            xml = xml[: m.start()] + "<definedNames>" + "".join(names) + "</definedNames>" + xml[m.end():]
        else:       # CT_Workbook order: sheets, functionGroups, externalReferences, definedNames
            at = max(e.end() for e in re.finditer(
                r"</sheets>|<functionGroups\b[^>]*/>|</functionGroups>|</externalReferences>", xml))
            xml = xml[:at] + "<definedNames>" + "".join(names) + "</definedNames>" + xml[at:]
        # the new first sheet is the active one (activeTab/firstSheet default to 0)
        xml = re.sub(r"<workbookView\b[^>]*>", lambda v: set_attr(set_attr(v.group(0), "activeTab", None),
                                                                 "firstSheet", None), xml)
        self.xml = xml
        pkg.put(self.part, xml)


def _shift_local(name: str, attrs: str, removed: int) -> str:
    """A defined name after sheet ``removed`` is gone: dropped when local to it, its
    ``localSheetId`` moved down when local to a later sheet."""
    local = re.search(r'localSheetId="(\d+)"', attrs)
    if not local:
        return name
    n = int(local.group(1))
    if n == removed:
        return ""
    return name if n < removed else name.replace(f'localSheetId="{n}"', f'localSheetId="{n - 1}"', 1)
