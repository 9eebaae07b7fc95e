"""Cell comments (notes) of one worksheet and their legacy VML drawing.

A sheet may already have comments (a team's own notes, or ours from an earlier return) and
a VML drawing (those notes' boxes, form controls). The product's notes are merged into them:

- our earlier notes (author ``crm-pipeline``) are removed; a team note that an earlier return
  had folded into ours (after ``——原批注：``) is restored first, so it survives every month;
- a cell that gets a note and already has a team note gets one comment: ours, then
  ``——原批注：`` and the team's text (Excel holds one comment per cell);
- every other comment is copied as written (rich text included), every other VML shape
  (form controls, pictures) too; new note boxes get shape ids in a block no drawing of the
  workbook uses;
- a threaded comment (Excel 365 conversations) is left alone: its cell is filled and listed
  in 问题清单, but its comment is not rewritten (Excel would show the conversation only).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Mapping
from xml.sax.saxutils import escape, unescape

from ..xlsx import clean_text
from .package import (CT_COMMENTS, CT_VML, TRANSITIONAL, XML_DECL, Dialect, Package, PatchUnsupported, attrs_of, resolve,
                      unprefix)
from .sheetdata import coord_of, split_coord

MARK = "\n——原批注："
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_VML_NS = {"v": "urn:schemas-microsoft-com:vml", "o": "urn:schemas-microsoft-com:office:office",
           "x": "urn:schemas-microsoft-com:office:excel"}
_VML_HEAD = (
    '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:x="urn:schemas-microsoft-com:office:excel">{layout}{shapetype}')
_LAYOUT = '<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{blocks}"/></o:shapelayout>'
_SHAPETYPE = (
    '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
    'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" '
    'o:connecttype="rect"/></v:shapetype>')
_VML_SHAPE = (
    '<v:shape id="_x0000_s{id}" type="#_x0000_t202" style="position:absolute; margin-left:59.25pt;'
    'margin-top:1.5pt;width:{width}px;height:{height}px;z-index:1;visibility:hidden" fillcolor="#ffffe1" '
    'o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow color="black" obscured="t"/>'
    '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left"/>'
    '</v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
    '<x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row><x:Column>{col}</x:Column></x:ClientData></v:shape>')
#: elements that must follow <legacyDrawing> in a worksheet (ECMA-376 CT_Worksheet order)
_AFTER_LEGACY = ("<legacyDrawingHF", "<drawingHF", "<picture", "<oleObjects", "<controls", "<mc:AlternateContent",
                 "<webPublishItems", "<tableParts", "<extLst", "</worksheet>")
#: worksheet children before <legacyDrawing> that may hold an <extLst> of their own (data bars …)
_BEFORE_LEGACY_ENDS = ("</sheetData>", "</conditionalFormatting>", "</autoFilter>", "</sortState>",
                       "</customSheetViews>", "</dataValidations>", "</hyperlinks>", "</ignoredErrors>",
                       "<drawing ")
_LEGACY = re.compile(r"<legacyDrawing\b[^>]*?\b[\w]+:id=\"([^\"]+)\"[^>]*/>")
_COMMENT = re.compile(r"<comment\b[^>]*?(?:/>|>.*?</comment>)", re.S)
_SHAPE_ID = re.compile(r"_x0000_s(\d+)")

Box = Callable[[str, str], tuple[str, int, int]]


def plain_text(comment_xml: str) -> str:
    body = re.sub(r"<rPh\b.*?</rPh>", "", comment_xml, flags=re.S)
    return unescape("".join(re.findall(r"<t\b[^>]*>(.*?)</t>", body, re.S)), {"&quot;": '"', "&apos;": "'"})


def used_vml_blocks(pkg: Package) -> int:
    """The highest 1 024-id shape block any VML drawing of the package uses."""
    top = 0
    for name in pkg.order:
        if pkg.has(name) and name.lower().endswith(".vml"):
            text = pkg.text(name)
            for data in re.findall(r"idmap\b[^>]*\bdata=\"([^\"]*)\"", text):
                top = max([top] + [int(b) for b in re.findall(r"\d+", data)])
            top = max([top] + [int(n) // 1024 for n in _SHAPE_ID.findall(text)])
    return top


def _vml_prefixes(text: str) -> tuple[str, dict[str, str]]:
    """The drawing's own prefixes for the VML, Office and Excel namespaces (openpyxl writes
    ``ns0``…``ns2``), declaring on the root the ones it lacks."""
    found = {}
    for want, ns in _VML_NS.items():
        bound = re.findall(r"xmlns:(\w+)=\"" + re.escape(ns) + '"', text)
        if bound:
            found[want] = bound[0]
            continue
        name = want if not re.search(rf"xmlns:{want}=", text) else want + "crm"
        text = re.sub(r"<xml\b", lambda m: m.group(0) + f' xmlns:{name}="{ns}"', text, count=1)
        found[want] = name
    return text, found


def _prefixed(snippet: str, prefixes: Mapping[str, str]) -> str:
    """A template written with ``v:``/``o:``/``x:`` in a drawing's own prefixes."""
    if all(k == v for k, v in prefixes.items()):
        return snippet
    return re.sub(r"(</?|\s)([vox]):", lambda m: m.group(1) + prefixes[m.group(2)] + ":", snippet)


@dataclass
class _Item:
    ref: str
    author: str
    xml: str


class SheetComments:
    """The comments and VML drawing of one worksheet, merged with the product's notes."""

    def __init__(self, pkg: Package, sheet_part: str, dialect: Dialect, author: str):
        self.pkg, self.sheet, self.dialect, self.author = pkg, sheet_part, dialect, author
        found = pkg.targets(sheet_part, "comments")
        self.comments_rel, self.comments_part = found[0] if found else ("", "")
        self.root = ""
        self.authors: list[str] = []
        self.items: list[_Item] = []
        if self.comments_part:
            xml, own = unprefix(pkg.text(self.comments_part), "comments")
            if own != dialect:
                raise PatchUnsupported("comments namespace")
            self.root = re.search(r"<comments\b[^>]*>", xml).group(0)
            block = re.search(r"<authors\b[^>]*>(.*?)</authors>", xml, re.S)
            self.authors = [plain_text(f"<t>{a}</t>") for a in    # <author/>: an empty name holds an index too
                            re.findall(r"<author\b[^>]*?(?:/>|>(.*?)</author>)", block.group(1) if block else "", re.S)]
            for m in _COMMENT.finditer(xml):
                a = attrs_of(m.group(0)[: m.group(0).index(">") + 1])
                k = int(a.get("authorId", 0) or 0)
                self.items.append(_Item(a.get("ref", ""), self.authors[k] if k < len(self.authors) else "", m.group(0)))

    def previous(self) -> set[str]:
        """Cells holding a note of an earlier return (ours)."""
        return {i.ref for i in self.items if i.author == self.author}

    def threaded(self) -> set[str]:
        return {i.ref for i in self.items if i.author.startswith("tc=")}

    def merge(self, sheet_xml: str, notes: Mapping[str, str], box: Box, next_block: int) -> tuple[str, int]:
        """The sheet XML after writing ``notes`` (cell -> our text) into its comments; returns it
        and the next free VML block."""
        keep: list[_Item] = []
        foreign: dict[str, str] = {}
        for item in self.items:
            if item.author == self.author:
                text = plain_text(item.xml)
                if MARK in text:                              # a team note an earlier return folded in
                    foreign[item.ref] = text.split(MARK, 1)[1]
                    if item.ref not in notes:
                        keep.append(self._own_item(item.ref, foreign[item.ref], self._foreign_author()))
            elif item.ref in notes and not item.author.startswith("tc="):
                foreign[item.ref] = plain_text(item.xml)
            else:
                keep.append(item)
        kept_refs = {i.ref for i in keep}
        ours: dict[str, tuple[str, int, int]] = {}
        for coord, text in notes.items():
            if coord in kept_refs:                    # a threaded comment: left as it is
                continue
            ours[coord] = box(text, foreign.get(coord, ""))
        final = keep + [self._own_item(c, t, self.author) for c, (t, _, _) in ours.items()]
        final.sort(key=lambda i: split_coord(i.ref) if re.fullmatch(r"[A-Z]{1,3}\d+", i.ref) else (0, 0))
        self._write_comments(final)
        note_refs = {i.ref for i in keep}
        return self._write_vml(sheet_xml, note_refs, ours, next_block)

    def _foreign_author(self) -> str:
        return next((a for a in self.authors if a != self.author and not a.startswith("tc=")), "")

    def _own_item(self, coord: str, text: str, author: str) -> _Item:
        return _Item(coord, author, f'<comment ref="{coord}" authorId="{{aid}}" shapeId="0"><text>'
                                    f'<t xml:space="preserve">{escape(clean_text(text))}</t></text></comment>')

    def _write_comments(self, items: list[_Item]) -> None:
        pkg = self.pkg
        if not items:
            if self.comments_part:
                pkg.remove(self.comments_part)
                pkg.drop_rel(self.sheet, self.comments_rel)
            return
        authors = list(self.authors)
        for item in items:
            if "{aid}" in item.xml and item.author not in authors:
                authors.append(item.author)
        body = "".join(i.xml.replace("{aid}", str(authors.index(i.author))) if "{aid}" in i.xml else i.xml
                       for i in items)
        root = self.root or f'<comments xmlns="{self.dialect.main}">'
        xml = (XML_DECL + root + "<authors>" + "".join(f"<author>{escape(a)}</author>" for a in authors)
               + f"</authors><commentList>{body}</commentList></comments>")
        if self.comments_part:
            pkg.put(self.comments_part, xml)
        else:
            self.comments_part = pkg.unused("xl/comments_crm{}.xml")
            pkg.put(self.comments_part, xml, CT_COMMENTS)
            self.comments_rel = pkg.add_rel(self.sheet, self.dialect.rel_type("comments"), self.comments_part)

    def _write_vml(self, sheet_xml: str, keep_refs: set[str], ours: Mapping[str, tuple[str, int, int]],
                   block: int) -> tuple[str, int]:
        pkg = self.pkg
        legacy = _LEGACY.search(sheet_xml)
        vml_part = ""
        if legacy:
            rel = next((r for r in pkg.rels(self.sheet) if r.get("Id") == legacy.group(1)), None)
            if rel is None:
                raise PatchUnsupported("legacyDrawing without relationship")
            vml_part = resolve(self.sheet, rel.get("Target", ""))
        shapes = []
        blocks = (len(ours) + 2) // 1024 + 1
        for k, (coord, (_, width, height)) in enumerate(ours.items()):
            r, c = split_coord(coord)
            shapes.append(_VML_SHAPE.format(id=block * 1024 + 2 + k, width=width, height=height, row=r - 1, col=c - 1))
        new_blocks = ",".join(str(b) for b in range(block, block + blocks))
        if not vml_part:
            if not shapes:
                return sheet_xml, block
            vml_part = pkg.unused("xl/drawings/vmlDrawing_crm{}.vml")
            pkg.put(vml_part, _VML_HEAD.format(layout=_LAYOUT.format(blocks=new_blocks), shapetype=_SHAPETYPE)
                    + "".join(shapes) + "</xml>", CT_VML)
            # VML is not part of Strict OOXML: Excel links it with the transitional type and wraps
            # <legacyDrawing> in mc:AlternateContent there
            rid = pkg.add_rel(self.sheet, TRANSITIONAL.rel_type("vmlDrawing"), vml_part)
            start = max(sheet_xml.rfind(t) for t in _BEFORE_LEGACY_ENDS)
            at = min(i for i in (sheet_xml.find(t, start) for t in _AFTER_LEGACY) if i >= 0)
            tag = f'<legacyDrawing xmlns:r="{self.dialect.rel}" r:id="{rid}"/>'
            if self.dialect.strict:
                tag = (f'<mc:AlternateContent xmlns:mc="{_MC}" xmlns:v="{_VML_NS["v"]}"><mc:Choice Requires="v">'
                       f"{tag}</mc:Choice></mc:AlternateContent>")
            return sheet_xml[:at] + tag + sheet_xml[at:], block + blocks
        text, px = _vml_prefixes(pkg.text(vml_part))
        v, o, x = (re.escape(px[k]) for k in "vox")

        def note_shape(m: re.Match) -> str:
            shape = m.group(0)
            if not re.search(r"ObjectType=\"Note\"", shape):
                return shape
            row = re.search(rf"<{x}:Row>\s*(\d+)\s*</{x}:Row>", shape)
            col = re.search(rf"<{x}:Column>\s*(\d+)\s*</{x}:Column>", shape)
            if not (row and col):
                return shape
            return shape if coord_of(int(row.group(1)) + 1, int(col.group(1)) + 1) in keep_refs else ""
        text = re.sub(rf"<{v}:shape\b(?:[^>]*/>|.*?</{v}:shape>)", note_shape, text, flags=re.S)
        if not re.search(rf"<{v}:shape\b", text) and not shapes:          # nothing left: drop the drawing
            pkg.remove(vml_part)
            pkg.drop_rel(self.sheet, legacy.group(1))
            return sheet_xml[: legacy.start()] + sheet_xml[legacy.end():], block
        if shapes:
            if 'id="_x0000_t202"' not in text:
                text = re.sub(rf"(<xml\b[^>]*>(?:\s*<{o}:shapelayout\b.*?</{o}:shapelayout>)?)",
                              lambda m: m.group(1) + _prefixed(_SHAPETYPE, px), text, count=1, flags=re.S)
            if re.search(rf"<{o}:idmap\b[^>]*\bdata=\"", text):
                text = re.sub(rf"(<{o}:idmap\b[^>]*\bdata=\")([^\"]*)\"",
                              lambda m: f'{m.group(1)}{m.group(2)},{new_blocks}"' if m.group(2) else
                              f'{m.group(1)}{new_blocks}"', text, count=1)
            else:
                text = re.sub(r"<xml\b[^>]*>", lambda m: m.group(0) + _prefixed(_LAYOUT.format(blocks=new_blocks), px),
                              text, count=1)
            close = text.rfind("</xml>")
            if close < 0:
                raise PatchUnsupported("VML without </xml>")
            text = text[:close] + _prefixed("".join(shapes), px) + text[close:]
        pkg.put(vml_part, text)
        return sheet_xml, block + (blocks if shapes else 0)
