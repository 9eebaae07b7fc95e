"""The OOXML package: parts, relationships and content types of a submitted workbook.

Parts are read whole (intake size-checks every submission first) and written back unchanged
unless :meth:`Package.put` replaced them. The small parts — ``[Content_Types].xml`` and the
``.rels`` files — are parsed with defusedxml and rewritten whole when they change; every part
the patcher adds gets a content type, whatever the producer declared (LibreOffice declares
each ``.rels`` part by name and has no ``<Default Extension="rels">``).
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from xml.sax.saxutils import escape, unescape

from defusedxml import ElementTree as SafeET

from ..xlsx import ZIP_LEVEL

NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_ATTR = re.compile(r"([\w:.-]+)\s*=\s*(\"[^\"]*\"|'[^']*')")


class PatchUnsupported(Exception):
    """The package holds something this module does not edit; use openpyxl instead."""


@dataclass(frozen=True)
class Dialect:
    """The namespaces of one workbook: transitional (what nearly every producer writes) or
    Strict OOXML (ISO/IEC 29500 strict: same structure, ``purl.oclc.org`` namespaces)."""
    main: str
    rel: str
    strict: bool

    def rel_type(self, kind: str) -> str:
        return f"{self.rel}/{kind}"


TRANSITIONAL = Dialect("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                       "http://schemas.openxmlformats.org/officeDocument/2006/relationships", False)
STRICT = Dialect("http://purl.oclc.org/ooxml/spreadsheetml/main",
                 "http://purl.oclc.org/ooxml/officeDocument/relationships", True)
DIALECTS = {d.main: d for d in (TRANSITIONAL, STRICT)}


def rel_kind(rel_type: str) -> str:
    """``worksheet`` for a worksheet relationship of either dialect (last path segment)."""
    return rel_type.rsplit("/", 1)[-1]


# --- text helpers -------------------------------------------------------------------------

def attrs_of(tag: str) -> dict[str, str]:
    return {k: unescape(v[1:-1], {"&quot;": '"', "&apos;": "'"}) for k, v in _ATTR.findall(tag)}


def raw_attrs(tag: str) -> dict[str, str]:
    """Attributes as written (entities not decoded)."""
    return {k: v[1:-1] for k, v in _ATTR.findall(tag)}


def start_tag(element: str) -> str:
    return element[: element.index(">") + 1]


def set_attr(tag: str, name: str, value: str | None) -> str:
    """``tag`` (a start tag) with attribute ``name`` set to ``value`` (removed when None)."""
    tag = re.sub(r"\s" + re.escape(name) + r"\s*=\s*(\"[^\"]*\"|'[^']*')", "", tag)
    if value is None:
        return tag
    end = len(tag) - (2 if tag.endswith("/>") else 1)
    return f'{tag[:end]} {name}="{value}"{tag[end:]}'


def qattr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def unprefix(xml: str, root: str, namespaces: Mapping[str, "Dialect"] = DIALECTS) -> tuple[str, Dialect]:
    """``xml`` with SpreadsheetML as the default namespace, and its dialect.

    Some producers (the Open XML SDK, ClosedXML) bind SpreadsheetML to a prefix
    (``<x:worksheet xmlns:x="…">``, ``<x:row>``). Such a part is rewritten without the prefix
    (the prefix stays declared for any attribute value naming it): the same XML, so every
    edit below handles one form."""
    m = re.search(r"<(?:(\w+):)?" + root + r"\b[^>]*>", xml)
    if not m:
        raise PatchUnsupported(f"no <{root}>")
    tag, prefix = m.group(0), m.group(1)
    decl = re.search(r"\sxmlns" + (":" + prefix if prefix else "") + r"\s*=\s*[\"']([^\"']*)[\"']", tag)
    if not decl or decl.group(1) not in namespaces:
        raise PatchUnsupported(f"<{root}> namespace")
    dialect = namespaces[decl.group(1)]
    if not prefix:
        return xml, dialect
    if re.search(r"\sxmlns\s*=", xml):
        raise PatchUnsupported(f"<{root}>: prefixed and default namespaces mixed")
    p = re.escape(prefix)
    xml = re.sub(r"<(/?)" + p + r":", r"<\1", xml)
    m = re.search(r"<" + root + r"\b", xml)
    at = m.end()
    return xml[:at] + f' xmlns="{dialect.main}"' + xml[at:], dialect


# --- package ------------------------------------------------------------------------------

def rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(base_part: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def relative(base_part: str, target_part: str) -> str:
    return posixpath.relpath(target_part, posixpath.dirname(base_part))


def read_content_types(data: bytes) -> tuple[dict[str, str], dict[str, str]]:
    """``[Content_Types].xml``: (extension -> type, part name -> type)."""
    defaults, overrides = {}, {}
    for el in SafeET.fromstring(data):
        local = el.tag.rsplit("}", 1)[-1]
        if local == "Default":
            defaults[el.get("Extension", "").lower()] = el.get("ContentType", "")
        elif local == "Override":
            overrides[el.get("PartName", "").lstrip("/")] = el.get("ContentType", "")
    return defaults, overrides


class Package:
    """The parts of an OOXML zip, their relationships and content types."""

    def __init__(self, path: Path):
        with zipfile.ZipFile(path) as zf:
            self.order = list(dict.fromkeys(i.filename for i in zf.infolist() if not i.is_dir()))
            self.parts = {name: zf.read(name) for name in self.order}
        self.changed: dict[str, bytes] = {}
        self.removed: set[str] = set()
        self._rels: dict[str, list[dict[str, str]]] = {}
        self._rels_dirty: set[str] = set()
        self.new_types: dict[str, str] = {}
        self.defaults, self.overrides = self._read_types()

    def _read_types(self) -> tuple[dict[str, str], dict[str, str]]:
        if "[Content_Types].xml" not in self.parts:
            raise PatchUnsupported("no [Content_Types].xml")
        return read_content_types(self.parts["[Content_Types].xml"])

    def text(self, name: str) -> str:
        data = self.changed.get(name, self.parts.get(name))
        if data is None or name in self.removed:
            raise PatchUnsupported(f"missing part {name}")
        return data.decode("utf-8")

    def has(self, name: str) -> bool:
        return (name in self.parts or name in self.changed) and name not in self.removed

    def content_type(self, name: str) -> str:
        if name in self.new_types:
            return self.new_types[name]
        return self.overrides.get(name) or self.defaults.get(name.rsplit(".", 1)[-1].lower(), "")

    def put(self, name: str, data: str | bytes, content_type: str | None = None) -> None:
        """Add or replace a part; a new part gets ``content_type`` (an Override unless a
        Default for its extension already says the same)."""
        self.changed[name] = data.encode("utf-8") if isinstance(data, str) else data
        self.removed.discard(name)
        if name not in self.order:
            self.order.append(name)
        if content_type:
            self.new_types[name] = content_type

    def remove(self, name: str) -> None:
        """Drop a part together with its own relationships part."""
        self.removed.add(name)
        self.removed.add(rels_path(name))
        self.new_types.pop(name, None)

    def unused(self, pattern: str) -> str:
        k = 1
        while self.has(pattern.format(k)) or pattern.format(k) in self.removed:
            k += 1
        return pattern.format(k)

    # relationships ------------------------------------------------------------------------

    def rels(self, source: str) -> list[dict[str, str]]:
        """The relationships of ``source`` (``""`` for the package): Id, Type, Target, TargetMode."""
        if source not in self._rels:
            name = rels_path(source) if source else "_rels/.rels"
            items = []
            if self.has(name):
                for el in SafeET.fromstring(self.text(name).encode("utf-8")):
                    if el.tag.rsplit("}", 1)[-1] == "Relationship":
                        items.append({k: v for k, v in el.attrib.items()})
            self._rels[source] = items
        return self._rels[source]

    def targets(self, source: str, kind: str) -> list[tuple[str, str]]:
        """(Id, part) of ``source``'s internal relationships of one kind (``comments`` …)."""
        return [(r.get("Id", ""), resolve(source, r.get("Target", ""))) for r in self.rels(source)
                if rel_kind(r.get("Type", "")) == kind and r.get("TargetMode") != "External"]

    def add_rel(self, source: str, rel_type: str, target_part: str) -> str:
        items = self.rels(source)
        used = {r.get("Id") for r in items}
        k = 1
        while f"rIdCrm{k}" in used:
            k += 1
        rid = f"rIdCrm{k}"
        items.append({"Id": rid, "Type": rel_type, "Target": relative(source, target_part)})
        self._rels_dirty.add(source)
        return rid

    def drop_rel(self, source: str, rid: str) -> None:
        items = self.rels(source)
        items[:] = [r for r in items if r.get("Id") != rid]
        self._rels_dirty.add(source)

    def _write_rels(self) -> None:
        for source in sorted(self._rels_dirty, key=lambda s: s or ""):   # a set: saved in a fixed order
            if source and source in self.removed:
                continue
            name = rels_path(source) if source else "_rels/.rels"
            body = "".join("<Relationship" + "".join(f' {k}="{qattr(v)}"' for k, v in r.items()) + "/>"
                           for r in self._rels[source])
            self.put(name, XML_DECL + f'<Relationships xmlns="{NS_PKG_REL}">{body}</Relationships>', CT_RELS)

    # saving ---------------------------------------------------------------------------------

    def _write_types(self, names: list[str]) -> None:
        overrides = {k: v for k, v in self.overrides.items() if k in names}
        changed = len(overrides) != len(self.overrides)
        for name in names:
            if name == "[Content_Types].xml":
                continue
            wanted = self.new_types.get(name)
            ext = name.rsplit(".", 1)[-1].lower()
            if wanted is None:
                if name in overrides or ext in self.defaults:
                    continue
                if ext != "rels":
                    continue                  # the producer left it untyped: not ours to guess
                wanted = CT_RELS
            if overrides.get(name) == wanted or (name not in overrides and self.defaults.get(ext) == wanted):
                continue
            overrides[name] = wanted
            changed = True
        if not changed:
            return
        body = "".join(f'<Default Extension="{qattr(e)}" ContentType="{qattr(t)}"/>' for e, t in self.defaults.items())
        body += "".join(f'<Override PartName="/{qattr(p)}" ContentType="{qattr(t)}"/>' for p, t in overrides.items())
        self.changed["[Content_Types].xml"] = (XML_DECL + f'<Types xmlns="{NS_CT}">{body}</Types>').encode("utf-8")

    def save(self, dest: Path) -> None:
        self._write_rels()
        names = [n for n in self.order if n not in self.removed]
        self._write_types(names)
        names.sort(key=lambda n: n != "[Content_Types].xml")
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as zf:
            for name in names:
                zf.writestr(name, self.changed.get(name, self.parts.get(name)))
