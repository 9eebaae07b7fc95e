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
        legacy = next(ws.iter(MAIN + "legacyDrawing"), None)      # Strict: inside mc:AlternateContent
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


# --- what a package holds, for round-trip comparisons ------------------------------------

OURS_AUTHOR = "crm-pipeline"
_CELL_XML = re.compile(r"<(?:\w+:)?c\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)


def _value(v):
    import datetime as dt
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, dt.datetime) and v.time() == dt.time():
        return v.date()
    return v


def package_facts(path: Path) -> dict:
    """Content types, parts by kind, formulas and cached results, dangling relationships,
    sheet values (python-calamine) and comments per sheet title: {cell: (author, text)}."""
    from collections import Counter

    from python_calamine import CalamineWorkbook

    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist() if not n.endswith("/")}
    types = ET.fromstring(parts["[Content_Types].xml"])
    defaults = {d.get("Extension").lower(): d.get("ContentType") for d in types.iter(CT + "Default")}
    overrides = {o.get("PartName").lstrip("/"): o.get("ContentType") for o in types.iter(CT + "Override")}
    ctype = {n: overrides.get(n) or defaults.get(n.rsplit(".", 1)[-1].lower()) for n in parts if n != "[Content_Types].xml"}
    facts = {"untyped": sorted(n for n, t in ctype.items() if not t),
             "kinds": Counter((t or "").split("/")[-1] for t in ctype.values()), "dangling": [],
             "formulas": 0, "cached": 0, "comments": {}}
    rels = {}
    for name in parts:
        if not name.endswith(".rels"):
            continue
        source = posixpath.join(posixpath.dirname(posixpath.dirname(name)), posixpath.basename(name)[:-5])
        for rel in ET.fromstring(parts[name]).iter(REL + "Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target")
            full = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(posixpath.dirname(source), target))
            if full not in parts:
                facts["dangling"].append(f"{name} -> {full}")
            rels.setdefault(source, {})[rel.get("Id")] = (rel.get("Type").rsplit("/", 1)[-1], full)
    for name, t in ctype.items():
        if t and t.endswith("worksheet+xml"):
            for m in _CELL_XML.finditer(parts[name].decode("utf-8", "replace")):
                body = m.group(1) or ""
                if re.search(r"<(?:\w+:)?f\b", body):
                    facts["formulas"] += 1
                    v = re.search(r"<(?:\w+:)?v>([^<]*)</", body)
                    facts["cached"] += bool(v and v.group(1))
    book = next(p for k, p in rels[""].values() if k == "officeDocument")
    wb = ET.fromstring(parts[book])
    for sheet in wb.iter():
        if _local(sheet.tag) != "sheet":
            continue
        rid = next(v for k, v in sheet.attrib.items() if k.endswith("}id"))
        part = rels[book][rid][1]
        for kind, target in rels.get(part, {}).values():
            if kind != "comments":
                continue
            doc = ET.fromstring(parts[target])
            authors = [a.text or "" for a in doc.iter() if _local(a.tag) == "author"]
            notes = {}
            for c in doc.iter():
                if _local(c.tag) == "comment":
                    text = "".join(t.text or "" for t in c.iter() if _local(t.tag) == "t")
                    notes[c.get("ref")] = (authors[int(c.get("authorId", 0))], text)
            facts["comments"][sheet.get("name")] = notes
    cal = CalamineWorkbook.from_path(str(path))
    facts["sheets"] = list(cal.sheet_names)
    facts["values"] = {}
    for name in cal.sheet_names:
        try:
            sh = cal.get_sheet_by_name(name)
        except Exception:  # noqa: BLE001 — a chartsheet
            continue
        cells = {}
        if sh.start is not None:
            r0, c0 = sh.start
            for i, row in enumerate(sh.to_python()):
                for j, v in enumerate(row):
                    if v != "" and v is not None:
                        from openpyxl.utils import get_column_letter
                        cells[f"{get_column_letter(c0 + j + 1)}{r0 + i + 1}"] = _value(v)
        facts["values"][name] = cells
    return facts


def our_notes(facts: dict) -> dict[str, set[str]]:
    return {t: {c for c, (a, _) in notes.items() if a == OURS_AUTHOR} for t, notes in facts["comments"].items()}


def round_trip_losses(sub: dict, ret: dict, own_sheets=("问题清单", "与上次提交对比", "列映射"),
                      also_noted=None) -> list[str]:
    """Everything ``ret`` (a return) lost or changed of ``sub`` (its submission), as text.
    ``also_noted``: sheet -> cells an earlier return put a note on (its fixes may stay)."""
    out = []
    own = {t.lower() for t in own_sheets}
    out += [f"no content type: {n}" for n in ret["untyped"] if n not in sub["untyped"]]
    out += [f"dangling: {d}" for d in ret["dangling"] if d not in sub["dangling"]]
    if ret["formulas"] < sub["formulas"]:
        out.append(f"formulas {sub['formulas']} -> {ret['formulas']}")
    if ret["cached"] < sub["cached"]:
        out.append(f"formula results {sub['cached']} -> {ret['cached']}")
    skip = {"calcChain+xml", "vnd.openxmlformats-officedocument.spreadsheetml.comments+xml",
            "vnd.openxmlformats-officedocument.vmlDrawing", "vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"}
    for kind, n in (sub["kinds"] - ret["kinds"]).items():
        if not any(kind.endswith(s) for s in skip):
            out.append(f"parts lost: {n} x {kind}")
    for title in sub["sheets"]:
        if title.lower() not in own and title not in ret["sheets"]:
            out.append(f"sheet lost: {title}")
    for title, cells in sub["values"].items():
        if title.lower() in own or title not in ret["values"]:
            continue
        ours = our_notes(ret).get(title, set()) | (also_noted or {}).get(title, set())
        after = ret["values"][title]
        changed = [c for c in cells.keys() | after.keys() if c not in ours and cells.get(c) != after.get(c)]
        if changed:
            out.append(f"{title}: {len(changed)} values changed without our note, e.g. {sorted(changed)[:3]}")
    for title, notes in sub["comments"].items():
        kept = ret["comments"].get(title, {})
        for cell, (author, text) in notes.items():
            if author.startswith("tc=") or (author == OURS_AUTHOR and "\n——原批注：" not in text):
                continue
            own_text = text.split("\n——原批注：")[-1]      # a team note folded into ours must survive too
            if cell not in kept or own_text.strip() not in kept[cell][1]:
                out.append(f"{title}!{cell}: team note lost")
    return out
