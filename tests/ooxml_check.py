"""Structural checks of an .xlsx package, stricter than openpyxl's reader: the things that
make Microsoft Excel say "We found a problem with some content" (ECMA-376 element order,
dangling or duplicate relationships, counts, style indices, duplicate defined names,
comments without a VML shape). Used on every workbook the patcher writes."""
from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

from defusedxml import ElementTree as ET

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
STRICT_MAIN = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"
STRICT_R_ID = "{http://purl.oclc.org/ooxml/officeDocument/relationships}id"

WORKSHEET_ORDER = [
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr", "sheetProtection",
    "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate", "customSheetViews", "mergeCells",
    "phoneticPr", "conditionalFormatting", "dataValidations", "hyperlinks", "printOptions", "pageMargins",
    "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors",
    "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
    "webPublishItems", "tableParts", "extLst"]
WORKBOOK_ORDER = [
    "fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets", "functionGroups",
    "externalReferences", "definedNames", "calcPr", "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr",
    "smartTagTypes", "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst"]
STYLES_ORDER = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
                "tableStyles", "colors", "extLst"]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _in_order(children, order, where, main=MAIN):
    """Children of a MAIN-namespace element follow ``order`` (mc:AlternateContent skipped)."""
    seen = [_local(c.tag) for c in children if c.tag.startswith(main)]
    ranks = [order.index(n) for n in seen]
    assert ranks == sorted(ranks), f"{where}: child order {seen}"


def _col(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def check_package(path: Path) -> None:
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert len(names) == len(set(names)), f"{path.name}: duplicate zip entries"
        parts = {n: zf.read(n) for n in names}
    types = ET.fromstring(parts["[Content_Types].xml"])
    defaults = {d.get("Extension").lower() for d in types.iter(CT + "Default")}
    overrides = {o.get("PartName").lstrip("/") for o in types.iter(CT + "Override")}
    for name in names:
        if name != "[Content_Types].xml" and not name.endswith("/"):
            assert name in overrides or name.rsplit(".", 1)[-1].lower() in defaults, f"no content type: {name}"
    assert overrides <= set(names), f"content type for a missing part: {overrides - set(names)}"

    rels_of: dict[str, dict[str, tuple[str, str]]] = {}
    for name in names:
        if not name.endswith(".rels"):
            continue
        folder = posixpath.dirname(posixpath.dirname(name))
        source = posixpath.join(folder, posixpath.basename(name)[: -len(".rels")])
        ids = {}
        for rel in ET.fromstring(parts[name]).iter(REL + "Relationship"):
            rid = rel.get("Id")
            assert rid not in ids, f"{name}: duplicate relationship id {rid}"
            target = rel.get("Target")
            if rel.get("TargetMode") != "External":
                full = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join(posixpath.dirname(source), target))
                assert full in parts, f"{name}: {rid} points at missing {full}"
                ids[rid] = (rel.get("Type").rsplit("/", 1)[-1], full)
        rels_of[source] = ids

    root_rels = ET.fromstring(parts["_rels/.rels"])
    book = next(r.get("Target").lstrip("/") for r in root_rels.iter(REL + "Relationship")
                if r.get("Type").endswith("/officeDocument"))
    wb = ET.fromstring(parts[book])
    MAIN, R_ID = (STRICT_MAIN, STRICT_R_ID) if wb.tag.startswith(STRICT_MAIN) else (globals()["MAIN"], globals()["R_ID"])
    _in_order(list(wb), WORKBOOK_ORDER, book, MAIN)
    sheets = wb.find(MAIN + "sheets")
    titles = [s.get("name") for s in sheets]
    assert len({t.lower() for t in titles}) == len(titles), "duplicate sheet names"
    ids = [s.get("sheetId") for s in sheets]
    assert len(set(ids)) == len(ids), "duplicate sheetId"
    defined = wb.find(MAIN + "definedNames")
    keys = [(d.get("name").lower(), d.get("localSheetId")) for d in (defined if defined is not None else [])]
    assert len(set(keys)) == len(keys), f"duplicate defined names {keys}"
    assert all(k[1] is None or int(k[1]) < len(titles) for k in keys)

    style_part = next(p for t, p in rels_of[book].values() if t == "styles")
    st = ET.fromstring(parts[style_part])
    _in_order(list(st), STYLES_ORDER, style_part, MAIN)
    count = {}
    for container in ("numFmts", "fonts", "fills", "borders", "cellXfs"):
        el = st.find(MAIN + container)
        n = len(el) if el is not None else 0
        if el is not None and el.get("count") is not None:
            assert int(el.get("count")) == n, f"{container} count {el.get('count')} != {n}"
        count[container] = n
    fmts = st.find(MAIN + "numFmts")
    own_fmts = {int(f.get("numFmtId")) for f in (list(fmts) if fmts is not None else [])}
    for xf in st.find(MAIN + "cellXfs"):
        assert int(xf.get("fontId", 0)) < count["fonts"] and int(xf.get("fillId", 0)) < count["fills"]
        fmt = int(xf.get("numFmtId", 0))
        assert fmt < 164 or fmt in own_fmts, f"numFmtId {fmt} not defined in <numFmts>"

    shape_ids: set[str] = set()
    for sheet in sheets:
        kind, part = rels_of[book][sheet.get(R_ID)]
        if kind != "worksheet":
            continue
        ws = ET.fromstring(parts[part])
        _in_order(list(ws), WORKSHEET_ORDER, part, MAIN)
        last_row = 0
        for row in ws.find(MAIN + "sheetData"):
            r = int(row.get("r"))
            assert r > last_row, f"{part}: row {r} out of order"
            last_row, last_col = r, 0
            for c in row.findall(MAIN + "c"):
                col = _col(c.get("r"))
                assert col > last_col and c.get("r").endswith(str(r)), f"{part}: cell {c.get('r')} out of order"
                last_col = col
                assert int(c.get("s", 0)) < count["cellXfs"], f"{part}: style {c.get('s')} out of range"
        sheet_rels = rels_of.get(part, {})
        comments = [p for t, p in sheet_rels.values() if t == "comments"]
        legacy = ws.find(MAIN + "legacyDrawing")
        vml = [sheet_rels[legacy.get(R_ID)][1]] if legacy is not None and legacy.get(R_ID) in sheet_rels else []
        if comments:
            assert len(vml) == 1, f"{part}: comments without VML"
            refs = {c.get("ref") for c in ET.fromstring(parts[comments[0]]).iter(MAIN + "comment")}
            text = parts[vml[0]].decode("utf-8")
            anchors = set(re.findall(r"<(?:\w+:)?Row>(\d+)</(?:\w+:)?Row>\s*<(?:\w+:)?Column>(\d+)</(?:\w+:)?Column>",
                                     text))
            for ref in refs:
                r, c = int(re.search(r"\d+", ref).group(0)), _col(ref)
                assert (str(r - 1), str(c - 1)) in anchors, f"{part}: comment {ref} has no shape"
            ids_here = set(re.findall(r'id="(_x0000_s\d+)"', text))
            assert not ids_here & shape_ids, "VML shape ids repeat across sheets"
            shape_ids |= ids_here
