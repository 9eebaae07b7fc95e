"""``xl/styles.xml``: fills, fonts, number formats and cell formats are appended (existing
indices never move); an equal cell format already in the file is reused, so a workbook that
goes round every month does not grow a new format each time."""
from __future__ import annotations

import re
from typing import Mapping, Sequence

from .package import Dialect, Package, PatchUnsupported, attrs_of, qattr, set_attr, start_tag, unprefix

_ODD_ATTR = re.compile(r"<[^>]*(?:\s=|=\s|=')")
BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}


def _solid_rgb(fill: str) -> str:
    m = re.search(r'<fgColor\b[^>]*\brgb="(\w+)"', fill)
    return m.group(1).upper()[-6:] if m and 'patternType="solid"' in fill else ""


def _without_fill_attrs(xf: str) -> str:
    head = start_tag(xf)
    return set_attr(set_attr(head, "fillId", None), "applyFill", None) + xf[len(head):]


class Styles:
    """:meth:`xf` returns the index of a cell format equal to an existing one (``base``) with
    another fill, font or number format; :meth:`without_fill` undoes one of our fills."""

    def __init__(self, pkg: Package, part: str, fill_colours: Mapping[str, str], dialect: Dialect):
        self.pkg, self.part = pkg, part
        self.xml, own = unprefix(pkg.text(part), "styleSheet")
        if own != dialect or _ODD_ATTR.search(self.xml):
            raise PatchUnsupported("styles namespace or attributes")
        if "AlternateContent" in self.xml:
            # markup-compatibility blocks bind prefixes the rewrite does not keep: take the
            # checked openpyxl path (returns.py compares it with the submission) instead
            raise PatchUnsupported("styles with mc:AlternateContent")
        self.colours = dict(fill_colours)
        self.xfs = self._items("cellXfs", "xf")
        self.fonts = self._items("fonts", "font")
        fills = self._items("fills", "fill")
        self.n_fills = len(fills)
        self.our_rgb = {c.lstrip("#").upper()[-6:] for c in self.colours.values()}
        self.fill_rgb = {i: rgb for i, f in enumerate(fills) if (rgb := _solid_rgb(f))}
        self.our_fills = {i for i, rgb in self.fill_rgb.items() if rgb in self.our_rgb}
        block = re.search(r"<numFmts\b[^>]*>(.*?)</numFmts>", self.xml, re.S)
        own_fmts = [attrs_of(m) for m in re.findall(r"<numFmt\b[^>]*/>", block.group(1) if block else "")]
        self.n_numfmts = len(own_fmts)
        self.numfmts = {a.get("formatCode", ""): int(a.get("numFmtId", 0) or 0) for a in own_fmts}
        # ids in use anywhere (dxfs too): a new id must not collide with any of them
        self.max_numfmt = max([163] + [int(i) for i in re.findall(r'numFmtId="(\d+)"', self.xml)])
        self.new_fills: list[str] = []
        self.new_fonts: list[str] = []
        self.new_numfmts: list[tuple[int, str]] = []
        self.new_xfs: list[str] = []
        self.index = {xf: i for i, xf in reversed(list(enumerate(self.xfs)))}
        self.cache: dict[tuple, int] = {}
        self.fill_ids: dict[str, int] = {}
        self.font_ids: dict[str, int] = {}
        self._unfilled: dict[str, int] | None = None

    def _items(self, container: str, tag: str) -> list[str]:
        m = re.search(rf"<{container}\b[^>]*?(?:/>|>(.*?)</{container}>)", self.xml, re.S)
        if not m:
            raise PatchUnsupported(f"styles {container}")
        return re.findall(rf"<{tag}\b[^>]*?(?:/>|>.*?</{tag}>)", m.group(1) or "", re.S)

    def fill_id(self, kind: str) -> int:
        if kind not in self.fill_ids:
            rgb = "FF" + self.colours[kind].lstrip("#").upper()[-6:]
            same = [i for i, r in self.fill_rgb.items() if r == rgb[2:]]
            if same:                                     # ours from an earlier month
                self.fill_ids[kind] = same[0]
                return same[0]
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
        if code in BUILTIN_FORMATS:
            return BUILTIN_FORMATS[code]
        if code not in self.numfmts:
            self.max_numfmt += 1
            self.new_numfmts.append((self.max_numfmt, code))
            self.numfmts[code] = self.max_numfmt
        return self.numfmts[code]

    def _xf_at(self, i: int) -> str:
        if i < len(self.xfs):
            return self.xfs[i]
        if i - len(self.xfs) < len(self.new_xfs):
            return self.new_xfs[i - len(self.xfs)]
        return self.xfs[0] if self.xfs else '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'

    def _index_of(self, xf: str) -> int:
        if xf not in self.index:
            self.new_xfs.append(xf)
            self.index[xf] = len(self.xfs) + len(self.new_xfs) - 1
        return self.index[xf]

    def has_our_fill(self, i: int) -> bool:
        fill = attrs_of(start_tag(self._xf_at(i))).get("fillId", "0")
        return fill.isdigit() and int(fill) in self.our_fills

    def without_fill(self, i: int) -> int:
        """The format ``i`` had before one of our fills was put on it (a returned workbook
        submitted again): the same format with the workbook's own fill, else no fill."""
        if not self.has_our_fill(i):
            return i
        if self._unfilled is None:
            self._unfilled = {}
            for j, other in reversed(list(enumerate(self.xfs))):
                if not self.has_our_fill(j):
                    self._unfilled[_without_fill_attrs(other)] = j
        xf = self._xf_at(i)
        key = _without_fill_attrs(xf)
        if key in self._unfilled:
            return self._unfilled[key]
        head = start_tag(xf)
        return self._index_of(set_attr(set_attr(head, "fillId", "0"), "applyFill", None) + xf[len(head):])

    def xf(self, base: int = 0, fill: str | None = None, font: str | None = None, numfmt: str | None = None,
           align: str | None = None) -> int:
        """``align="wrap"``: text wraps, top-aligned (the sheets the product builds)."""
        key = (base, fill, font, numfmt, align)
        if key in self.cache:
            return self.cache[key]
        xf = self._xf_at(base)
        head = start_tag(xf)
        new_head = head
        if fill:
            new_head = set_attr(set_attr(new_head, "fillId", str(self.fill_id(fill))), "applyFill", "1")
        if font:
            new_head = set_attr(set_attr(new_head, "fontId", str(self.font_id(font))), "applyFont", "1")
        if numfmt:
            new_head = set_attr(set_attr(new_head, "numFmtId", str(self.numfmt_id(numfmt))), "applyNumberFormat", "1")
        body = xf[len(head):]
        if align == "wrap":
            new_head = set_attr(new_head, "applyAlignment", "1")
            alignment = '<alignment wrapText="1" vertical="top"/>'
            if re.search(r"<alignment\b[^>]*/>", body):
                body = re.sub(r"<alignment\b[^>]*/>", alignment, body, count=1)
            elif new_head.endswith("/>"):
                new_head, body = new_head[:-2].rstrip() + ">", alignment + "</xf>"
            else:
                body = alignment + body
        self.cache[key] = self._index_of(new_head + body)
        return self.cache[key]

    def _append(self, xml: str, container: str, items: Sequence[str], total: int) -> str:
        if not items:
            return xml
        m = re.search(rf"<{container}\b[^>]*?(/?)>", xml)
        head = set_attr(m.group(0), "count", str(total))
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
            items = [f'<numFmt numFmtId="{i}" formatCode="{qattr(c)}"/>' for i, c in self.new_numfmts]
            if re.search(r"<numFmts\b", xml):
                xml = self._append(xml, "numFmts", items, self.n_numfmts + len(items))
            else:
                m = re.search(r"<styleSheet\b[^>]*>", xml)
                xml = xml[: m.end()] + f'<numFmts count="{len(items)}">' + "".join(items) + "</numFmts>" + \
                    xml[m.end():]
        self.pkg.put(self.part, xml)
