"""Input files: listing, type sniffing, size limits, encryption and sha256.

Everything here runs before a workbook is parsed, so a broken, encrypted or oversized
file costs almost nothing and yields exactly one file-level issue. A zip is checked from its
directory (declared sizes, compression ratio) and the first bytes of each XML part (no DTD:
entity-expansion bombs are refused before any parser sees them).
"""
from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import msoffcrypto

from ..issues import Issue
from ..rule_types import FileRules
from ..rules import Rules

#: extensions intake has a reader for (a code fact, not a rule: adding one needs a reader);
#: python-calamine reads .ods (OpenDocument) and WPS .et (a BIFF workbook) like .xls
SUBMISSION_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".csv", ".ods", ".et")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class FileCheck:
    """The outcome of looking at one file before parsing it."""

    rel: str                     # path relative to the input folder (posix)
    kind: str                    # "xlsx" | "xls" | "ods" | "csv" | "" when rejected
    data: bytes = b""
    sha256: str = ""
    issue: Issue | None = None   # the one file-level issue when rejected


#: why a file in the input folder is not looked at (skipped_inputs)
SKIP_LOCK, SKIP_HIDDEN, SKIP_SYSTEM = "Excel 临时锁文件", "隐藏文件", "系统文件"


def _skip_reason(rel: Path, ignore: tuple[str, ...] = ()) -> str:
    if any(part.startswith(".") for part in rel.parts[:-1]) or rel.name.startswith("."):
        return SKIP_HIDDEN
    if rel.name.startswith("~$"):
        return SKIP_LOCK
    if rel.name in ignore:
        return SKIP_SYSTEM
    return ""


def _walk(input_dir: Path, ignore: tuple[str, ...]) -> tuple[list[Path], list[tuple[str, str]]]:
    root = Path(input_dir)
    if root.is_file():
        reason = _skip_reason(Path(root.name), ignore)
        return ([], [(root.name, reason)]) if reason else ([root], [])
    out, skipped = [], []
    for path in root.rglob("*"):
        if not (path.is_file() or path.is_symlink()):
            continue
        rel = path.relative_to(root)
        reason = _skip_reason(rel, ignore)
        if reason:
            skipped.append((rel.as_posix(), reason))
        else:
            out.append(path)
    return sorted(out, key=lambda p: p.relative_to(root).as_posix()), sorted(skipped)


def _ignored_names(rules: Rules | None) -> tuple[str, ...]:
    return rules.files.ignore if rules is not None else ()


def list_inputs(input_dir: Path, rules: Rules | None = None) -> list[Path]:
    """Sorted files under ``input_dir`` (recursive), whatever their type: :func:`check_file`
    refuses a type intake has no reader for with one ``file-unsupported`` issue.

    Hidden files and folders, Excel lock files (``~$*``) and the system files of
    rules/files.yaml ``ignore`` are left out; :func:`skipped_inputs` names them. Symbolic links
    are returned as they are: :func:`check_file` rejects those that point outside the input
    folder with one ``file-outside-input`` issue.
    """
    return _walk(input_dir, _ignored_names(rules))[0]


def skipped_inputs(input_dir: Path, rules: Rules | None = None) -> list[tuple[str, str]]:
    """(file relative to ``input_dir``, Chinese reason) of every file :func:`list_inputs` leaves out."""
    return _walk(input_dir, _ignored_names(rules))[1]


def unsupported_issue(rel: str, rules: Rules) -> Issue:
    """``file-unsupported`` for a file whose type intake cannot read, with what to send instead
    (rules/files.yaml)."""
    spec = rules.files if rules is not None else FileRules()
    ext = Path(rel).suffix.lower() or Path(rel).name
    kind, instead = spec.other.kind, spec.other.instead
    for group in spec.unsupported:
        if ext in [t.lower() for t in group.types]:
            kind, instead = group.kind, group.instead
            break
    return Issue(rule="file-unsupported", file=rel, params={"ext": ext, "kind": kind, "instead": instead})


def relative_name(path: Path, input_dir: Path) -> str:
    try:
        return Path(path).relative_to(input_dir).as_posix()
    except ValueError:
        return Path(path).name


def _size_text(n: float) -> str:
    return f"{n / 1048576:.1f} MB"


def _check_zip(data: bytes, rel: str, rules: Rules, ods: bool = False) -> Issue | None:
    """Zip directory checks (declared sizes, compression ratio) before anything is inflated."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, UnicodeDecodeError):
        return Issue(rule="file-unreadable", file=rel, params={"detail": "corrupt"})
    max_unpacked = float(rules.config.intake.max_unpacked_bytes)
    max_ratio = float(rules.config.intake.max_compression_ratio)
    floor = float(rules.config.intake.ratio_check_min_bytes)
    total = sum(i.file_size for i in infos)
    if total > max_unpacked:
        return Issue(rule="file-too-large", file=rel, params={
            "detail": "unpacked", "size": _size_text(total), "limit": _size_text(max_unpacked)})
    for info in infos:
        if info.file_size >= floor and info.file_size > max_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            return Issue(rule="file-too-large", file=rel, params={
                "detail": "ratio", "ratio": f"{ratio:.0f}", "limit": f"{max_ratio:.0f}"})
    if not ods and not any(i.filename.lower().startswith("xl/") for i in infos):
        return Issue(rule="file-unreadable", file=rel, params={"detail": "not_workbook"})
    for info in infos:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return Issue(rule="file-unreadable", file=rel, params={"detail": "compression"})
        if _inflates_beyond_declared(data, info):
            return Issue(rule="file-too-large", file=rel, params={
                "detail": "bomb", "name": info.filename, "size": info.file_size})
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        dtd = any(_declares_dtd(zf, i) for i in infos if i.filename.lower().endswith(_XML_PART_SUFFIXES))
    if dtd:
        return Issue(rule="file-unreadable", file=rel, params={"detail": "dtd"})
    return None


def _inflates_beyond_declared(data: bytes, info: zipfile.ZipInfo, out_chunk: int = 1 << 20) -> bool:
    """True when a part inflates to more than the size its directory entry declares (a
    lying zip bomb: every size check above trusts the directory). Inflated in 1 MB steps
    and thrown away, so memory stays flat; stored parts are compared directly."""
    if info.compress_type == zipfile.ZIP_STORED:
        return info.compress_size > info.file_size
    off = info.header_offset
    if data[off:off + 4] != ZIP_MAGIC:
        return False                   # a damaged header: the reader reports it
    name_len, extra_len = struct.unpack("<HH", data[off + 26:off + 30])
    start = off + 30 + name_len + extra_len
    src = memoryview(data)[start:start + info.compress_size]
    inflater = zlib.decompressobj(-15)
    total, pos, pending = 0, 0, b""
    try:
        while not inflater.eof:
            if not pending:
                if pos >= len(src):
                    break
                pending, pos = src[pos:pos + 65536], pos + 65536
            total += len(inflater.decompress(pending, out_chunk))
            if total > info.file_size:
                return True
            pending = inflater.unconsumed_tail
    except zlib.error:
        return False                   # damaged data: the reader reports it
    return False


_XML_PART_SUFFIXES = (".xml", ".rels", ".vml")
_COMMENT = re.compile(rb"<!--.*?-->", re.S)
_ROOT_START = re.compile(rb"<[A-Za-z_]")


def _declares_dtd(zf: zipfile.ZipFile, info: zipfile.ZipInfo, head_bytes: int = 65536) -> bool:
    """True when an XML part has a DOCTYPE (entity definitions: the billion-laughs bomb) or
    a prolog too long to check. OOXML never uses DTDs; only the part's first bytes are read."""
    try:
        with zf.open(info) as fh:
            head = fh.read(head_bytes)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError, RuntimeError, NotImplementedError):
        return False    # a damaged part: the reader decides whether the workbook is still usable
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    head = _COMMENT.sub(b"", head)
    root = _ROOT_START.search(head)
    prolog = head[: root.start()] if root else head
    if b"<!DOCTYPE" in prolog.upper() or b"<!ENTITY" in prolog.upper() or b"<!--" in prolog:
        return True
    return root is None and len(head) >= head_bytes // 2


def _is_encrypted(data: bytes) -> bool:
    try:
        return bool(msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted())
    except Exception:  # msoffcrypto raises assorted errors on OLE files it does not know
        return False


def check_file(path: Path, input_dir: Path, rules: Rules, rel: str | None = None) -> FileCheck:
    """Read the bytes of one file and decide how to parse it, or reject it with one issue.
    ``rel`` names a file kept outside the input folder by the run itself (the ledger's copy
    of an earlier submission, pipeline/ledger.py): shown under that name, not link-checked."""
    path = Path(path)
    own_copy = rel is not None
    rel = rel if own_copy else relative_name(path, input_dir)
    if path.suffix.lower() not in SUBMISSION_EXTENSIONS:
        return FileCheck(rel, "", issue=unsupported_issue(rel, rules))
    if not own_copy and (path.is_symlink() or any(p.is_symlink() for p in path.parents)):   # a link
        target = path.resolve()
        try:
            target.relative_to(Path(input_dir).resolve())
        except ValueError:
            return FileCheck(rel, "", issue=Issue(rule="file-outside-input", file=rel,
                                                  params={"target": str(target)}))
    try:
        size = path.stat().st_size
    except OSError as exc:
        return FileCheck(rel, "", issue=Issue(rule="file-unreadable", file=rel,
                                              params={"detail": "open_failed", "error": exc.strerror or exc}))
    max_bytes = float(rules.config.intake.max_file_bytes)
    if size > max_bytes:
        return FileCheck(rel, "", issue=Issue(rule="file-too-large", file=rel, params={
            "detail": "file", "size": _size_text(size), "limit": _size_text(max_bytes)}))
    try:
        data = path.read_bytes()
    except OSError as exc:
        return FileCheck(rel, "", issue=Issue(rule="file-unreadable", file=rel,
                                              params={"detail": "open_failed", "error": exc.strerror or exc}))
    sha = hashlib.sha256(data).hexdigest()
    suffix = path.suffix.lower()
    if not data.strip():
        return FileCheck(rel, "", data, sha, Issue(rule="file-empty", file=rel))
    if data.startswith(ZIP_MAGIC):
        ods = data[30:38] == b"mimetype" and ODS_MIMETYPE in data[38:160]
        issue = _check_zip(data, rel, rules, ods)
        return FileCheck(rel, "" if issue else ("ods" if ods else "xlsx"), data, sha, issue)
    if data.startswith(OLE_MAGIC):
        if _is_encrypted(data):
            return FileCheck(rel, "", data, sha, Issue(rule="file-encrypted", file=rel))
        return FileCheck(rel, "xls", data, sha)
    if suffix == ".csv":
        return FileCheck(rel, "csv", data, sha)
    return FileCheck(rel, "", data, sha, Issue(rule="file-unreadable", file=rel,
                                              params={"detail": "invalid"}))
