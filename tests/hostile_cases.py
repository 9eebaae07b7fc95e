"""Hostile and broken submissions built in code (docs/security.md), and the checks every hostile run
must pass: no formula from input in any output workbook, every source row in 来源明细 once.

Nothing here is committed as a binary: payload workbooks, bombs and mutants are generated
from seeds in a few milliseconds.
"""
from __future__ import annotations

import csv
import hashlib
import io
import random
import re
import resource
import struct
import zipfile
from pathlib import Path
from typing import Any, Iterable, Sequence

from openpyxl import Workbook, load_workbook

#: text a spreadsheet or a browser could execute, put into every field of a submission
PAYLOADS = [
    '=HYPERLINK("http://x","点我")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1+1",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "{{7*7}}", "${jndi:ldap://x}",
    "=cmd|' /C calc'!A0", '"><svg onload=alert(1)>',
]
#: control characters openpyxl refuses (IllegalCharacterError) and XML 1.0 cannot hold
CONTROL = "名称\x00带\x01控制\x08字符\x0b\x0c\x1b\x1f结尾"
EMOJI = "🏭客户😀👨‍👩‍👧‍👦🇨🇳"
#: beyond Excel's 32 767-character cell limit (varied, so the zip does not compress it like a bomb)
LONG = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(40_000))
EXCEL_CELL_LIMIT = 32_767

#: the headers of schemas/fields.yaml a list submission uses (every data field a team can fill)
HEADERS = ["客户类型", "客户名称", "统一社会信用代码", "省份", "城市", "所属行业", "区县", "详细地址", "员工规模",
           "成立时间", "联系人", "职位", "手机号码", "办公电话", "电子邮箱", "客户状态", "战略客户", "状态变更原因",
           "客户来源", "紧急程度", "核心需求", "需求标签", "预算下限", "预算上限", "年合作金额", "累计合作金额",
           "续约率", "满意度", "首次合作时间", "最近合作时间", "下次跟进时间", "备注"]

PHONE, EMAIL = "13955556666", "zhang.san@example.com"


def payload_rows(extra_headers: Sequence[str] = ()) -> list[list[Any]]:
    """A header row plus one row per payload with the payload in EVERY cell, one row with
    control characters, one with emoji, one with a 40 000-character cell, and one readable
    row that carries a full phone number and e-mail (for the masking checks)."""
    header = [*HEADERS, *extra_headers]
    rows: list[list[Any]] = [header]
    for p in PAYLOADS:
        rows.append([p] * len(header))
    rows.append([CONTROL] * len(header))
    rows.append([EMOJI] * len(header))
    rows.append(["企业", LONG, *([LONG] * (len(header) - 2))])
    good = {"客户类型": "企业", "客户名称": "=北京星河软件有限公司", "手机号码": PHONE, "电子邮箱": EMAIL,
            "联系人": "@王磊", "备注": f"联系 {PHONE} / {EMAIL}", "所属行业": "软件和信息技术服务业"}
    rows.append([good.get(h, "") for h in header])
    return rows


def write_xlsx_raw(path: Path, parts: dict[str, bytes | str]) -> Path:
    """Write a zip with exactly these parts (a hand-made xlsx)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def rewrite_parts(src: Path, dest: Path, edit) -> Path:
    """Copy an xlsx, passing each part through ``edit(name, bytes) -> bytes | None`` (None drops it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = edit(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(out.getvalue())
    return dest


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def ooxml_escape(value: Any) -> Any:
    """Control characters as Excel stores them in XML (``_x0001_``); readers decode them back."""
    if isinstance(value, str):
        return _ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    return value


def small_workbook(path: Path, rows: Sequence[Sequence[Any]], sheet: str = "企业客户") -> Path:
    """An xlsx holding ``rows`` as written (text stays text; control characters escaped;
    texts over Excel's limit patched into the XML, since openpyxl would cut them)."""
    from xml.sax.saxutils import escape

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    longs: dict[bytes, bytes] = {}
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            cell = ws.cell(r, c)
            if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT:
                key = f"@@LONG{len(longs)}@@".encode()
                longs[key] = escape(ooxml_escape(value)).encode("utf-8")
                value = key.decode()
            cell.value = ooxml_escape(value)
            if isinstance(value, str):
                cell.data_type = "s"      # "=..." stays text, as a team typing '=... would get
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    if longs:
        def edit(name: str, data: bytes) -> bytes:
            for key, text in longs.items():
                data = data.replace(key, text)
            return data
        rewrite_parts(path, path, edit)
    return path


TINY_ROWS = [
    ["客户名称", "统一社会信用代码", "所属行业", "城市", "联系人", "手机号码", "年合作金额", "备注"],
    ["北京星河软件有限公司", "91110105MA01ABCD0X", "软件和信息技术服务业", "北京", "王磊", "13812345678", 600000, "=1+1"],
    ["苏州恒瑞精密机械有限公司", "", "通用设备制造业", "苏州", "李娜", "13912345678", "120万", "@x"],
    ["", "", "", "", "", "", "", "合计"],
]


def billion_laughs_xlsx(path: Path, levels: int = 10) -> Path:
    """A valid small xlsx whose sharedStrings.xml defines a billion-laughs entity chain."""
    import xlsxwriter

    base = path.with_suffix(".base.xlsx")
    base.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(base))            # xlsxwriter always writes sharedStrings.xml
    ws = wb.add_worksheet("企业客户")
    for r, row in enumerate(TINY_ROWS):
        ws.write_row(r, 0, row)
    wb.close()
    ents = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{"".join(f"&lol{i - 1};" for _ in range(10))}">' for i in range(1, levels)]
    dtd = f'<!DOCTYPE sst [{"".join(ents)}]>'

    def edit(name: str, data: bytes) -> bytes:
        if name == "xl/sharedStrings.xml":
            text = data.decode("utf-8")
            head, _, body = text.partition("?>")
            assert "<t>北京星河软件有限公司</t>" in body
            body = body.replace("<t>北京星河软件有限公司</t>", f"<t>&lol{levels - 1};</t>", 1)
            return f"{head}?>{dtd}{body}".encode("utf-8")
        return data

    out = rewrite_parts(base, path, edit)
    base.unlink()
    return out


def zip_bomb_xlsx(path: Path, inflated_mb: int = 200) -> Path:
    """A highly compressed huge sheet: a worksheet part of ``inflated_mb`` MB of blank
    rows that deflates to a few hundred KB (streamed, never held inflated in memory)."""
    base = small_workbook(path.with_suffix(".base.xlsx"), TINY_ROWS)
    with zipfile.ZipFile(base) as zin:
        parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    base.unlink()
    sheet = parts["xl/worksheets/sheet1.xml"]
    head, _, tail = sheet.partition(b"</sheetData>")
    filler = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>' + b"A" * 1024 * 1024 + b"</t></is></c></row>"
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            if name != "xl/worksheets/sheet1.xml":
                zf.writestr(name, data)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(head)
            chunk = b"<!--" + b"0" * (1024 * 1024 - 7) + b"-->"
            for _ in range(inflated_mb):
                fh.write(chunk)
            fh.write(b"</sheetData>" + tail)
    return path


def lying_zip_bomb_xlsx(path: Path, inflated_mb: int = 200) -> Path:
    """A zip whose directory LIES: the sheet part declares its small original size but its
    deflate stream inflates to ``inflated_mb`` MB (every size check that trusts the
    directory passes; only inflating with a cap catches it)."""
    import zlib

    base = small_workbook(path.with_suffix(".base.xlsx"), TINY_ROWS)
    with zipfile.ZipFile(base) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    base.unlink()
    sheet = parts["xl/worksheets/sheet1.xml"]
    head, _, tail = sheet.partition(b"</sheetData>")
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b"<!--" + b"0" * (1 << 20) + b"-->"
    bomb = b"".join([comp.compress(head), *(comp.compress(chunk) for _ in range(inflated_mb)),
                     comp.compress(b"</sheetData>" + tail), comp.flush()])
    out, central = io.BytesIO(), []
    for name, data in parts.items():
        if name == "xl/worksheets/sheet1.xml":
            packed, size, crc = bomb, len(sheet), zlib.crc32(sheet)
        else:
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            packed, size, crc = c.compress(data) + c.flush(), len(data), zlib.crc32(data)
        offset, raw = out.tell(), name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(packed), size, len(raw), 0)
                  + raw + packed)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(packed), size,
                                   len(raw), 0, 0, 0, 0, 0, offset) + raw)
    start, directory = out.tell(), b"".join(central)
    out.write(directory + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), len(directory),
                                      start, 0))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())
    return path


def encrypted_xlsx(src: Path, dest: Path, password: str = "secret") -> Path:
    """``src`` encrypted with a password the way Excel does (an OLE container)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    buf = io.BytesIO()
    with open(src, "rb") as fh:
        OOXMLFile(fh).encrypt(password, buf)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(buf.getvalue())
    return dest


def mutants(data: bytes, n: int, seed: int) -> Iterable[tuple[str, bytes]]:
    """Seeded random damage: flipped bytes, truncation, inserted garbage, zeroed runs."""
    rng = random.Random(seed)
    for i in range(n):
        buf = bytearray(data)
        kind = rng.choice(["flip", "flip", "truncate", "insert", "zero"])
        if kind == "flip":
            for _ in range(rng.randint(1, 12)):
                buf[rng.randrange(len(buf))] = rng.randrange(256)
        elif kind == "truncate":
            del buf[rng.randrange(1, len(buf)):]
        elif kind == "insert":
            pos = rng.randrange(len(buf))
            buf[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
        else:
            pos = rng.randrange(len(buf))
            buf[pos:pos + rng.randint(1, 256)] = bytes(min(256, len(buf) - pos))
        yield f"{i:03d}_{kind}", bytes(buf)


def duplicate_entries(src: Path, dest: Path) -> Path:
    """The same xlsx with every part stored twice (second copy empty)."""
    import warnings

    out = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for info in zin.infolist():
                zout.writestr(info.filename, zin.read(info.filename))
                zout.writestr(info.filename, b"")
    dest.write_bytes(out.getvalue())
    return dest


def write_csv(path: Path, rows: Sequence[Sequence[Any]], encoding: str = "utf-8-sig") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


# --- checks ----------------------------------------------------------------------------------

def hash_tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(folder).rglob("*")) if p.is_file() and not p.is_symlink()}


_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def scan_workbook(path: Path) -> tuple[list[str], list[str]]:
    """One pass over a workbook: its formula cells ("sheet!A1 =…") and the cells Excel cannot
    open (over 32 767 characters, or XML-illegal characters)."""
    wb = load_workbook(path, read_only=True)
    formulas, bad = [], []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    formulas.append(f"{ws.title}!{c.coordinate} {c.value}")
                elif isinstance(c.value, str) and (len(c.value) > EXCEL_CELL_LIMIT or _XML_ILLEGAL.search(c.value)):
                    bad.append(f"{ws.title}!{c.coordinate}")
    wb.close()
    return formulas, bad


def formula_cells(path: Path) -> list[str]:
    return scan_workbook(path)[0]


def long_cells(path: Path) -> list[str]:
    return scan_workbook(path)[1]


def output_workbooks(month_dir: Path) -> list[Path]:
    return sorted(Path(month_dir).rglob("*.xlsx"))


def source_detail(month_dir: Path) -> list[tuple]:
    """来源明细 rows as (来源文件, 工作表, 行号, 处理结果)."""
    wb = load_workbook(Path(month_dir) / "customers.xlsx", read_only=True)
    rows = list(wb["来源明细"].iter_rows(min_row=2, values_only=True))
    wb.close()
    return [(r[1], r[2] or "", r[3], r[4]) for r in rows]


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
