"""Annotate a submitted .xlsx/.xlsm by editing its XML parts in place (issue 9).

openpyxl loads every cell of a workbook into Python objects and writes them all back:
for a returned workbook that costs about eight times writing the same cells from scratch,
although only the cells with a fix or an issue change. This module copies every part of
the package unchanged except:

- the worksheets with edits: only the ``<row>`` elements holding an edited cell are
  rewritten (value, style index); every other byte is copied;
- ``xl/styles.xml``: fills, fonts, number formats and cell formats are appended (existing
  indices never move);
- new parts: comments + their VML drawing per annotated sheet (the markup Excel and openpyxl
  write), the new sheets (``问题清单`` and ``与上次提交对比``), their
  relationships, content types and defined names; ``calcChain.xml`` is dropped (Excel
  rebuilds it, as after openpyxl).

Anything this module does not understand raises :class:`PatchUnsupported` *before* the
destination is written; the caller then falls back to openpyxl. Unsupported on purpose:
prefixed SpreadsheetML (``<x:row>``), rows or cells without ``r``, sheets that already
carry comments, sheet names that clash with the new sheets, an edit on a shared or
array formula's master cell, 1904-dated workbooks.
"""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence
from xml.sax.saxutils import escape, unescape

from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import to_excel

from .xlsx import as_date, as_number, clean_text, text_of

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_WORKSHEET = NS_REL + "/worksheet"
REL_COMMENTS = NS_REL + "/comments"
REL_VML = NS_REL + "/vmlDrawing"
REL_CALCCHAIN = NS_REL + "/calcChain"
_SHEET_TYPES = {NS_REL + "/" + t for t in ("worksheet", "chartsheet", "dialogsheet", "xlMacrosheet",
                                           "xlIntlMacrosheet")}
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"

_ROW_START = re.compile(r"<row\b([^>]*)>")
_R_ATTR = re.compile(r"\sr\s*=\s*[\"']([A-Z]*)(\d+)[\"']")
_CELL = re.compile(r"<c\b[^>]*?(?:/>|>.*?</c>)", re.S)
_ATTR = re.compile(r"([\w:.-]+)\s*=\s*(\"[^\"]*\"|'[^']*')")
_COORD = re.compile(r"^([A-Z]{1,3})(\d+)$")
_REL = re.compile(r"<Relationship\b[^>]*?/?>", re.S)
#: elements that must follow <legacyDrawing> in a worksheet (ECMA-376 CT_Worksheet order)
_AFTER_LEGACY = ("<legacyDrawingHF", "<drawingHF", "<picture", "<oleObjects", "<controls", "<mc:AlternateContent",
                 "<webPublishItems", "<tableParts", "<extLst", "</worksheet>")
#: worksheet children before <legacyDrawing> that may hold an <extLst> of their own (data bars …)
_BEFORE_LEGACY_ENDS = ("</sheetData>", "</conditionalFormatting>", "</autoFilter>", "</sortState>",
                       "</customSheetViews>", "</dataValidations>", "</hyperlinks>", "</ignoredErrors>")
#: an attribute not written ``name="value"`` (single quotes, spaces around ``=``): the patcher's
#: text edits assume the canonical form every mainstream writer uses
_ODD_ATTR = re.compile(r"<[^>]*(?:\s=|=\s|=')")
_ILLEGAL_OR_LONG = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\s\S]{32768}").search
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


class PatchUnsupported(Exception):
    """The package holds something this module does not edit; use openpyxl instead."""


@dataclass
class CellEdit:
    """What changes in one cell: a new value (``set_value``), a number format, a fill kind
    (key of the fill colours) and a comment ``(text, width px, height px)``."""
    value: Any = None
    set_value: bool = False
    number_format: str | None = None
    fill: str | None = None
    comment: tuple[str, int, int] | None = None


@dataclass
class NewSheet:
    """A sheet built from scratch: header row (bold, light blue), text rows, fills and
    internal links per (row index, column index) of ``rows``, column widths."""
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    widths: Sequence[float]
    fills: Mapping[tuple[int, int], str] = field(default_factory=dict)
    links: Mapping[tuple[int, int], str] = field(default_factory=dict)
    selected: bool = False


def attrs_of(tag: str) -> dict[str, str]:
    return {k: v[1:-1] for k, v in _ATTR.findall(tag)}


def _start_tag(element: str) -> str:
    return element[: element.index(">") + 1]


def _set_attr(tag: str, name: str, value: str | None) -> str:
    """``tag`` (a start tag) with attribute ``name`` set to ``value`` (removed when None)."""
    tag = re.sub(r"\s" + re.escape(name) + r"\s*=\s*(\"[^\"]*\"|'[^']*')", "", tag)
    if value is None:
        return tag
    end = len(tag) - (2 if tag.endswith("/>") else 1)
    return f'{tag[:end]} {name}="{value}"{tag[end:]}'


def _qattr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def sheet_ref(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def split_coord(coord: str) -> tuple[int, int]:
    m = _COORD.match(coord)
    if not m:
        raise PatchUnsupported(f"cell {coord!r}")
    return int(m.group(2)), column_index_from_string(m.group(1))


# --- package --------------------------------------------------------------------------

class Package:
    """The parts of an OOXML zip, read whole (submissions are size-checked by intake)."""

    def __init__(self, path: Path):
        with zipfile.ZipFile(path) as zf:
            self.order = list(dict.fromkeys(i.filename for i in zf.infolist() if not i.is_dir()))
            self.parts = {name: zf.read(name) for name in self.order}
        self.changed: dict[str, bytes] = {}
        self.removed: set[str] = set()

    def text(self, name: str) -> str:
        data = self.changed.get(name, self.parts.get(name))
        if data is None:
            raise PatchUnsupported(f"missing part {name}")
        return data.decode("utf-8")

    def has(self, name: str) -> bool:
        return (name in self.parts or name in self.changed) and name not in self.removed

    def put(self, name: str, data: str | bytes) -> None:
        self.changed[name] = data.encode("utf-8") if isinstance(data, str) else data
        self.removed.discard(name)
        if name not in self.order:
            self.order.append(name)

    def remove(self, name: str) -> None:
        self.removed.add(name)

    def unused(self, pattern: str) -> str:
        k = 1
        while self.has(pattern.format(k)):
            k += 1
        return pattern.format(k)

    def save(self, dest: Path) -> None:
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
            names = [n for n in self.order if n not in self.removed]
            names.sort(key=lambda n: n != "[Content_Types].xml")
            for name in names:
                zf.writestr(name, self.changed.get(name, self.parts.get(name)))


def rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(base_part: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def relative(base_part: str, target_part: str) -> str:
    return posixpath.relpath(target_part, posixpath.dirname(base_part))


def read_rels(pkg: Package, part: str) -> list[dict[str, str]]:
    name = rels_path(part)
    if not pkg.has(name):
        return []
    return [attrs_of(m.group(0)) for m in _REL.finditer(pkg.text(name))]


def add_rels(pkg: Package, part: str, rels: Sequence[tuple[str, str, str]]) -> None:
    """Append relationships ``(id, type, target)`` to ``part``'s .rels (created if missing)."""
    name = rels_path(part)
    xml = pkg.text(name) if pkg.has(name) else \
        _XML_DECL + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>'
    new = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{_qattr(g)}"/>' for i, t, g in rels)
    if "</Relationships>" not in xml:
        raise PatchUnsupported(f"rels {name}")
    pkg.put(name, xml.replace("</Relationships>", new + "</Relationships>", 1))


def new_rel_id(existing: Sequence[dict[str, str]], stem: str = "rIdCrm") -> Callable[[], str]:
    used = {r.get("Id") for r in existing}
    counter = iter(range(1, 10 ** 6))

    def make() -> str:
        while True:
            rid = f"{stem}{next(counter)}"
            if rid not in used:
                used.add(rid)
                return rid
    return make


def add_content_types(pkg: Package, overrides: Sequence[tuple[str, str]], defaults: Sequence[tuple[str, str]] = (),
                      drop: Sequence[str] = ()) -> None:
    xml = pkg.text("[Content_Types].xml")
    for part in drop:
        xml = re.sub(r'<Override\b[^>]*PartName="/' + re.escape(part) + r'"[^>]*/>', "", xml)
    add = ""
    for ext, ctype in defaults:
        if not re.search(r'<Default\b[^>]*Extension="' + re.escape(ext) + '"', xml, re.I):
            add += f'<Default Extension="{ext}" ContentType="{ctype}"/>'
    for part, ctype in overrides:
        add += f'<Override PartName="/{_qattr(part)}" ContentType="{ctype}"/>'
    if "</Types>" not in xml:
        raise PatchUnsupported("content types")
    pkg.put("[Content_Types].xml", xml.replace("</Types>", add + "</Types>", 1))


# --- styles ---------------------------------------------------------------------------

class Styles:
    """Appends formats to ``xl/styles.xml``; :meth:`xf` returns the index of a cell format
    equal to an existing one (``base``) with another fill, font or number format."""

    def __init__(self, pkg: Package, part: str, fill_colours: Mapping[str, str]):
        self.pkg, self.part = pkg, part
        self.xml = pkg.text(part)
        if not re.search(r'<styleSheet\b[^>]*\sxmlns="' + re.escape(NS_MAIN) + '"', self.xml) \
                or _ODD_ATTR.search(self.xml):
            raise PatchUnsupported("styles namespace or attributes")
        self.colours = dict(fill_colours)
        self.xfs = self._items("cellXfs", "xf")
        self.fonts = self._items("fonts", "font")
        self.n_fills = len(self._items("fills", "fill"))
        block = re.search(r"<numFmts\b[^>]*>(.*?)</numFmts>", self.xml, re.S)
        own = [attrs_of(m) for m in re.findall(r"<numFmt\b[^>]*/>", block.group(1) if block else "")]
        self.n_numfmts = len(own)
        self.numfmts = {a.get("formatCode", ""): int(a.get("numFmtId", 0) or 0) for a in own}
        # ids in use anywhere (dxfs too): a new id must not collide with any of them
        self.max_numfmt = max([163] + [int(i) for i in re.findall(r'numFmtId="(\d+)"', self.xml)])
        self.new_fills: list[str] = []
        self.new_fonts: list[str] = []
        self.new_numfmts: list[tuple[int, str]] = []
        self.new_xfs: list[str] = []
        self.cache: dict[tuple, int] = {}
        self.fill_ids: dict[str, int] = {}
        self.font_ids: dict[str, int] = {}

    def _items(self, container: str, tag: str) -> list[str]:
        m = re.search(rf"<{container}\b[^>]*?(?:/>|>(.*?)</{container}>)", self.xml, re.S)
        if not m:
            raise PatchUnsupported(f"styles {container}")
        return re.findall(rf"<{tag}\b[^>]*?(?:/>|>.*?</{tag}>)", m.group(1) or "", re.S)

    def fill_id(self, kind: str) -> int:
        if kind not in self.fill_ids:
            rgb = "FF" + self.colours[kind].lstrip("#").upper()[-6:]
            self.new_fills.append(f'<fill><patternFill patternType="solid"><fgColor rgb="{rgb}"/>'
                                  f'<bgColor indexed="64"/></patternFill></fill>')
            self.fill_ids[kind] = self.n_fills + len(self.new_fills) - 1
        return self.fill_ids[kind]

    def font_id(self, kind: str) -> int:
        """``bold`` or ``link`` (blue, underlined), built on the workbook's default font."""
        if kind not in self.font_ids:
            base = self.fonts[0] if self.fonts else "<font/>"
            keep = {t: "".join(re.findall(rf"<{t}\b[^>]*/>", base)) for t in ("sz", "name", "family", "charset", "scheme")}
            tail = keep["name"] + keep["family"] + keep["charset"] + keep["scheme"]
            if kind == "bold":     # ECMA-376 CT_Font order: b … u … sz, color, name, family, charset, scheme
                font = f"<font><b/>{keep['sz']}{tail}</font>"
            else:
                font = f'<font><u/>{keep["sz"]}<color rgb="FF0563C1"/>{tail}</font>'
            self.new_fonts.append(font)
            self.font_ids[kind] = len(self.fonts) + len(self.new_fonts) - 1
        return self.font_ids[kind]

    def numfmt_id(self, code: str) -> int:
        builtin = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}
        if code in builtin:
            return builtin[code]
        if code not in self.numfmts:
            self.max_numfmt += 1
            new_id = self.max_numfmt
            self.new_numfmts.append((new_id, code))
            self.numfmts[code] = new_id
        return self.numfmts[code]

    def xf(self, base: int = 0, fill: str | None = None, font: str | None = None, numfmt: str | None = None) -> int:
        key = (base, fill, font, numfmt)
        if key in self.cache:
            return self.cache[key]
        if base >= len(self.xfs):
            base = 0
        xf = self.xfs[base] if self.xfs else '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        head = _start_tag(xf)
        new_head = head
        if fill:
            new_head = _set_attr(_set_attr(new_head, "fillId", str(self.fill_id(fill))), "applyFill", "1")
        if font:
            new_head = _set_attr(_set_attr(new_head, "fontId", str(self.font_id(font))), "applyFont", "1")
        if numfmt:
            new_head = _set_attr(_set_attr(new_head, "numFmtId", str(self.numfmt_id(numfmt))),
                                 "applyNumberFormat", "1")
        self.new_xfs.append(new_head + xf[len(head):])
        self.cache[key] = len(self.xfs) + len(self.new_xfs) - 1
        return self.cache[key]

    def _append(self, xml: str, container: str, items: Sequence[str], total: int) -> str:
        if not items:
            return xml
        m = re.search(rf"<{container}\b[^>]*?(/?)>", xml)
        head = _set_attr(m.group(0), "count", str(total))
        if m.group(1):                                   # <cellXfs/>: open it
            head = head[:-2].rstrip() + ">"
            return xml[: m.start()] + head + "".join(items) + f"</{container}>" + xml[m.end():]
        close = xml.index(f"</{container}>", m.end())
        return xml[: m.start()] + head + xml[m.end(): close] + "".join(items) + xml[close:]

    def save(self) -> None:
        if not (self.new_fills or self.new_fonts or self.new_xfs or self.new_numfmts):
            return
        xml = self.xml
        xml = self._append(xml, "fonts", self.new_fonts, len(self.fonts) + len(self.new_fonts))
        xml = self._append(xml, "fills", self.new_fills, self.n_fills + len(self.new_fills))
        xml = self._append(xml, "cellXfs", self.new_xfs, len(self.xfs) + len(self.new_xfs))
        if self.new_numfmts:
            items = [f'<numFmt numFmtId="{i}" formatCode="{_qattr(c)}"/>' for i, c in self.new_numfmts]
            if re.search(r"<numFmts\b", xml):
                xml = self._append(xml, "numFmts", items, self.n_numfmts + len(items))
            else:
                m = re.search(r"<styleSheet\b[^>]*>", xml)
                xml = xml[: m.end()] + f'<numFmts count="{len(items)}">' + "".join(items) + "</numFmts>" + \
                    xml[m.end():]
        self.pkg.put(self.part, xml)


# --- cells ----------------------------------------------------------------------------

def cell_xml(coord: str, value: Any, style: int | None) -> str:
    """One ``<c>``: numbers and dates as numbers, every other value as an inline string."""
    s = f' s="{style}"' if style else ""
    d = as_date(value)
    if d is not None:
        d = d if isinstance(d, dt.datetime) else dt.datetime.combine(d, dt.time())
        return f'<c r="{coord}"{s}><v>{to_excel(d)!r}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{coord}"{s} t="b"><v>{int(value)}</v></c>'
    n = as_number(value)
    if n is not None and n == n and abs(n) != float("inf"):
        return f'<c r="{coord}"{s}><v>{n!r}</v></c>'
    return text_cell(coord, text_of(value), style)


def text_cell(coord: str, text: str, style: int | None) -> str:
    s = f' s="{style}"' if style else ""
    if _ILLEGAL_OR_LONG(text):
        text = clean_text(text)
    if text == "":
        return f'<c r="{coord}"{s}/>'
    return f'<c r="{coord}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def _edit_cell(old: str | None, coord: str, edit: CellEdit, styles: Styles) -> str:
    tag = _start_tag(old) if old else f'<c r="{coord}">'
    attrs = attrs_of(tag)
    base = int(attrs.get("s", 0) or 0)
    style = styles.xf(base, edit.fill, None, edit.number_format) if (edit.fill or edit.number_format) else base
    if edit.set_value:
        if old and re.search(r"<f\b[^>]*\bref\s*=", old):
            raise PatchUnsupported(f"formula master {coord}")
        return cell_xml(coord, edit.value, style)
    if old is None:
        return f'<c r="{coord}" s="{style}"/>'
    new_tag = _set_attr(tag, "s", str(style) if style else None)
    return new_tag + old[len(tag):]


_COLUMNS: dict[str, int] = {}


def _column(letters: str) -> int:
    col = _COLUMNS.get(letters)
    if col is None:
        col = _COLUMNS[letters] = column_index_from_string(letters)
    return col


def _edit_row(row_xml: str | None, r: int, edits: Mapping[int, tuple[str, CellEdit]], styles: Styles) -> str:
    """``row_xml`` (None: a new row) with the cells of ``edits`` (column -> (coord, edit)) changed."""
    if row_xml is None:
        head, body, tail = f'<row r="{r}">', "", "</row>"
    elif row_xml.endswith("/>") and row_xml.index(">") == len(row_xml) - 1:
        head, body, tail = row_xml[:-2].rstrip() + ">", "", "</row>"
    else:
        head = _start_tag(row_xml)
        body, tail = row_xml[len(head): -len("</row>")], "</row>"
    out, pos, pending = [], 0, sorted(edits.items())
    for m in _CELL.finditer(body):
        if not pending:
            break
        ref = _R_ATTR.search(m.group(0), 0, m.group(0).find(">") + 1)
        if not ref or not ref.group(1):
            raise PatchUnsupported("cell without r")
        col = _column(ref.group(1))
        out.append(body[pos:m.start()])
        while pending and pending[0][0] < col:                  # new cells before this one
            _, (coord, edit) = pending.pop(0)
            out.append(_edit_cell(None, coord, edit, styles))
        if pending and pending[0][0] == col:
            _, (coord, edit) = pending.pop(0)
            out.append(_edit_cell(m.group(0), coord, edit, styles))
        else:
            out.append(m.group(0))
        pos = m.end()
    out.extend(_edit_cell(None, coord, edit, styles) for _, (coord, edit) in pending)
    out.append(body[pos:])
    if "spans" in head:                                    # spans are optional hints; drop a wrong one
        head = _set_attr(head, "spans", None)
    return head + "".join(out) + tail


def patch_sheet_xml(xml: str, edits: Mapping[str, CellEdit], styles: Styles) -> str:
    """The worksheet ``xml`` with ``edits`` (coordinate -> CellEdit) applied."""
    by_row: dict[int, dict[int, tuple[str, CellEdit]]] = {}
    for coord, edit in edits.items():
        r, c = split_coord(coord)
        by_row.setdefault(r, {})[c] = (coord, edit)
    m = re.search(r"<sheetData\b[^>]*?(/?)>", xml)
    if not m:
        raise PatchUnsupported("no sheetData")
    if m.group(1):                                              # <sheetData/>
        xml = xml[: m.start()] + "<sheetData>" + "</sheetData>" + xml[m.end():]
        start = end = m.start() + len("<sheetData>")
    else:
        start, end = m.end(), xml.index("</sheetData>", m.end())
    data = xml[start:end]
    out, pos, todo = [], 0, sorted(by_row)
    for rm in _ROW_START.finditer(data):
        if not todo:
            break
        ref = _R_ATTR.search(rm.group(1))
        if not ref or ref.group(1):
            raise PatchUnsupported("row without r")
        r = int(ref.group(2))
        while todo and todo[0] < r:                                 # rows the sheet does not have
            out.append(data[pos:rm.start()])
            pos = rm.start()
            out.append(_edit_row(None, todo[0], by_row[todo.pop(0)], styles))
        if todo and todo[0] == r:
            row_end = rm.end() if rm.group(1).endswith("/") else data.index("</row>", rm.end()) + len("</row>")
            out.append(data[pos:rm.start()])
            out.append(_edit_row(data[rm.start():row_end], r, by_row[todo.pop(0)], styles))
            pos = row_end
    out.append(data[pos:])
    out.extend(_edit_row(None, r, by_row[r], styles) for r in todo)
    return xml[:start] + "".join(out) + xml[end:]


def merged_ranges(xml: str) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col) of every merged range of a worksheet."""
    out = []
    for ref in re.findall(r"<mergeCell\b[^>]*\bref=\"([A-Z]+\d+):([A-Z]+\d+)\"", xml):
        (r0, c0), (r1, c1) = split_coord(ref[0]), split_coord(ref[1])
        out.append((r0, c0, r1, c1))
    return out


def anchor_of(coord: str, ranges: Sequence[tuple[int, int, int, int]]) -> str:
    """The top-left cell of the merged range holding ``coord`` (``coord`` itself otherwise)."""
    r, c = split_coord(coord)
    for r0, c0, r1, c1 in ranges:
        if r0 <= r <= r1 and c0 <= c <= c1:
            return f"{get_column_letter(c0)}{r0}"
    return coord


# --- comments -------------------------------------------------------------------------
# The comment part and its legacy VML drawing, as Excel and openpyxl write them (templates:
# openpyxl's ElementTree serialiser cost 0.27 ms per comment).

_VML_HEAD = (
    '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" '
    'data="{blocks}"/></o:shapelayout><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
    'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" '
    'o:connecttype="rect"/></v:shapetype>')
_VML_SHAPE = (
    '<v:shape id="_x0000_s{id}" type="#_x0000_t202" style="position:absolute; margin-left:59.25pt;'
    'margin-top:1.5pt;width:{width}px;height:{height}px;z-index:1;visibility:hidden" fillcolor="#ffffe1" '
    'o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow color="black" obscured="t"/>'
    '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left"/>'
    '</v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
    '<x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row><x:Column>{col}</x:Column></x:ClientData></v:shape>')


def comments_xml(comments: Mapping[str, tuple[str, int, int]], author: str) -> str:
    items = "".join(f'<comment ref="{coord}" authorId="0" shapeId="0"><text><t xml:space="preserve">'
                    f"{escape(clean_text(text))}</t></text></comment>"
                    for coord, (text, _, _) in comments.items())
    return (_XML_DECL + f'<comments xmlns="{NS_MAIN}"><authors><author>{escape(author)}</author></authors>'
            f"<commentList>{items}</commentList></comments>")


def vml_blocks(n: int) -> int:
    """1 024-id blocks needed for ``n`` shapes numbered from the block's id + 2."""
    return (n + 2) // 1024 + 1


def comments_vml(comments: Mapping[str, tuple[str, int, int]], first_block: int) -> str:
    """``first_block``: the first 1 024-id block this drawing may use (unique per workbook)."""
    blocks = vml_blocks(len(comments))
    shapes = []
    for k, (coord, (_, width, height)) in enumerate(comments.items()):
        r, c = split_coord(coord)
        shapes.append(_VML_SHAPE.format(id=first_block * 1024 + 2 + k, width=width, height=height,
                                        row=r - 1, col=c - 1))
    data = ",".join(str(b) for b in range(first_block, first_block + blocks))
    return _VML_HEAD.format(blocks=data) + "".join(shapes) + "</xml>"


# --- new sheets -----------------------------------------------------------------------

def new_sheet_xml(sheet: NewSheet, styles: Styles) -> str:
    ncols = len(sheet.headers)
    last = max(len(sheet.rows) + 1, 2)
    col = get_column_letter(ncols)
    head_style = styles.xf(0, "header", "bold")
    rows = ['<row r="1">' + "".join(text_cell(f"{get_column_letter(j)}1", h, head_style)
                                    for j, h in enumerate(sheet.headers, start=1)) + "</row>"]
    links = []
    letters = [get_column_letter(j + 1) for j in range(max(ncols, max(map(len, sheet.rows), default=0)))]
    fills, hrefs = sheet.fills, sheet.links
    for i, values in enumerate(sheet.rows):
        r = i + 2
        cells = []
        for j, v in enumerate(values):
            text = v if v.__class__ is str else text_of(v)
            key = (i, j)
            fill, link = fills.get(key), hrefs.get(key)
            if not (fill or link):
                if text:
                    cells.append(text_cell(f"{letters[j]}{r}", text, None))
                continue
            coord = f"{letters[j]}{r}"
            cells.append(text_cell(coord, text, styles.xf(0, fill, "link" if link else None)))
            if link:
                links.append(f'<hyperlink ref="{coord}" location="{_qattr(link)}" display="{_qattr(text)}"/>')
        rows.append(f'<row r="{r}">' + "".join(cells) + "</row>")
    cols = "".join(f'<col min="{j}" max="{j}" width="{w}" customWidth="1"/>'
                   for j, w in enumerate(sheet.widths, start=1))
    selected = ' tabSelected="1"' if sheet.selected else ""
    return (
        _XML_DECL + f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<dimension ref="A1:{col}{last}"/>'
        f'<sheetViews><sheetView{selected} workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{cols}</cols><sheetData>{''.join(rows)}</sheetData>"
        f'<autoFilter ref="A1:{col}{last}"/>'
        + (f"<hyperlinks>{''.join(links)}</hyperlinks>" if links else "")
        + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/></worksheet>'
    )


# --- the whole workbook ---------------------------------------------------------------

class Workbook:
    """A submitted workbook opened for patching: sheet titles -> worksheet parts."""

    def __init__(self, path: Path):
        self.pkg = Package(path)
        root_rels = [attrs_of(m.group(0)) for m in _REL.finditer(self.pkg.text("_rels/.rels"))]
        main = [r for r in root_rels if r.get("Type", "").endswith("/officeDocument")]
        if not main:
            raise PatchUnsupported("no workbook part")
        self.part = resolve("", main[0]["Target"])
        self.xml = self.pkg.text(self.part)
        if not re.search(r'<workbook\b[^>]*\sxmlns="' + re.escape(NS_MAIN) + '"', self.xml) \
                or re.search(r'date1904="(1|true)"', self.xml) or _ODD_ATTR.search(self.xml):
            raise PatchUnsupported("workbook namespace, attributes or 1904 dates")
        self.rels = read_rels(self.pkg, self.part)
        targets = {r.get("Id"): r for r in self.rels}
        self.sheets: dict[str, str] = {}            # title -> worksheet part
        self.sheet_tags = re.findall(r"<sheet\b[^>]*/>", self.xml)
        for tag in self.sheet_tags:
            a = attrs_of(tag)
            rel = targets.get(a.get("r:id", ""))
            if rel is None or rel.get("Type") not in _SHEET_TYPES:      # strict OOXML, another prefix
                raise PatchUnsupported(f"sheet relationship {a}")
            if rel.get("Type") == REL_WORKSHEET:
                self.sheets[_unescape(a.get("name", ""))] = resolve(self.part, rel["Target"])
        self.titles = [_unescape(attrs_of(t).get("name", "")) for t in self.sheet_tags]
        self._merged: dict[str, list] = {}
        self._vml_block = 1          # VML shape ids: block k holds ids 1024·k … 1024·k + 1023

    def merged(self, title: str) -> list[tuple[int, int, int, int]]:
        if title not in self._merged:
            self._merged[title] = merged_ranges(self.pkg.text(self.sheets[title]))
        return self._merged[title]

    def check(self, reserved: Sequence[str]) -> None:
        clash = {t.lower() for t in self.titles} & {t.lower() for t in reserved}
        if clash:
            raise PatchUnsupported(f"sheet name {clash}")
        for title, part in self.sheets.items():
            xml = self.pkg.text(part)
            if not re.search(r'<worksheet\b[^>]*\sxmlns="' + re.escape(NS_MAIN) + '"', xml[:4000]) \
                    or _ODD_ATTR.search(xml):
                raise PatchUnsupported("worksheet namespace or attributes")
            if any(r.get("Type") in (REL_COMMENTS, REL_VML) for r in read_rels(self.pkg, part)):
                raise PatchUnsupported("sheet has comments")

    def apply(self, edits: Mapping[str, Mapping[str, CellEdit]], new_sheets: Sequence[NewSheet],
              fill_colours: Mapping[str, str], author: str, dest: Path) -> None:
        pkg = self.pkg
        style_rel = [r for r in self.rels if r.get("Type", "").endswith("/styles")]
        if not style_rel:
            raise PatchUnsupported("no styles")
        styles = Styles(pkg, resolve(self.part, style_rel[0]["Target"]), fill_colours)
        overrides: list[tuple[str, str]] = []
        for title, part in self.sheets.items():
            original = xml = pkg.text(part)
            cut = xml.find("<sheetData")
            if cut < 0:
                raise PatchUnsupported(f"no sheetData in {part}")
            head = re.sub(r"\stabSelected\s*=\s*\"(1|true)\"", "", xml[:cut])
            xml = head + xml[cut:]
            cells = edits.get(title) or {}
            if cells:
                xml = patch_sheet_xml(xml, cells, styles)
                comments = {c: e.comment for c, e in cells.items() if e.comment}
                if comments:
                    xml = self._add_comments(part, xml, comments, author, overrides)
            if xml != original:
                pkg.put(part, xml)
        self._add_sheets(new_sheets, styles, overrides)
        styles.save()
        calc = [r for r in self.rels if r.get("Type") == REL_CALCCHAIN]
        drop = []
        if calc:
            calc_part = resolve(self.part, calc[0]["Target"])
            pkg.remove(calc_part)
            drop.append(calc_part)
            rels_xml = pkg.text(rels_path(self.part))
            rels_xml = re.sub(r'<Relationship\b[^>]*Id="' + re.escape(calc[0]["Id"]) + r'"[^>]*/>', "", rels_xml)
            pkg.put(rels_path(self.part), rels_xml)
        add_content_types(pkg, overrides, [("vml", CT_VML)], drop)
        pkg.save(dest)

    def _add_comments(self, part: str, xml: str, comments: Mapping[str, tuple[str, int, int]], author: str,
                      overrides: list) -> str:
        comments_part = self.pkg.unused("xl/comments_crm{}.xml")
        vml_part = self.pkg.unused("xl/drawings/vmlDrawing_crm{}.vml")
        self.pkg.put(comments_part, comments_xml(comments, author))
        self.pkg.put(vml_part, comments_vml(comments, self._vml_block))
        self._vml_block += vml_blocks(len(comments))
        make = new_rel_id(read_rels(self.pkg, part))
        rid_c, rid_v = make(), make()
        add_rels(self.pkg, part, [(rid_c, REL_COMMENTS, relative(part, comments_part)),
                                  (rid_v, REL_VML, relative(part, vml_part))])
        overrides.append((comments_part, CT_COMMENTS))
        start = max(xml.rfind(t) for t in _BEFORE_LEGACY_ENDS)
        at = min(i for i in (xml.find(t, start) for t in _AFTER_LEGACY) if i >= 0)
        return xml[:at] + f'<legacyDrawing xmlns:r="{NS_REL}" r:id="{rid_v}"/>' + xml[at:]

    def _add_sheets(self, new_sheets: Sequence[NewSheet], styles: Styles, overrides: list) -> None:
        if not new_sheets:
            return
        pkg, xml = self.pkg, self.xml
        make = new_rel_id(self.rels)
        ids = [int(attrs_of(t).get("sheetId", 0) or 0) for t in self.sheet_tags]
        next_id = max(ids + [0]) + 1
        tags, rels, names = [], [], []
        for k, sheet in enumerate(new_sheets):
            part = pkg.unused("xl/worksheets/crm_sheet{}.xml")
            pkg.put(part, new_sheet_xml(sheet, styles))
            rid = make()
            rels.append((rid, REL_WORKSHEET, relative(self.part, part)))
            overrides.append((part, CT_WORKSHEET))
            tags.append(f'<sheet xmlns:r="{NS_REL}" name="{_qattr(sheet.title)}" sheetId="{next_id + k}" '
                        f'r:id="{rid}"/>')
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
        xml = re.sub(r"<workbookView\b[^>]*>", lambda v: _set_attr(_set_attr(v.group(0), "activeTab", None),
                                                                  "firstSheet", None), xml)
        pkg.put(self.part, xml)
        add_rels(pkg, self.part, rels)


def _unescape(text: str) -> str:
    return unescape(text, {"&quot;": '"', "&apos;": "'"})
