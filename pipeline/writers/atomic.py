"""Build outputs aside, move them into place whole (docs/security.md, “Nothing is lost”).

``output/.<YYYY-MM>.tmp-XXXX`` is filled first; then the previous ``output/<YYYY-MM>`` is
renamed aside (``.<YYYY-MM>.old-XXXX``), the new folder renamed in, and the old one deleted.
A crash before the swap leaves the previous outputs untouched; a crash between the two
renames is repaired by the next run (:func:`recover`), which restores the old folder.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator


def _leftovers(dest: Path, kind: str) -> list[Path]:
    return sorted(dest.parent.glob(f".{dest.name}.{kind}-*"))


def recover(dest: Path) -> None:
    """Clean up after a crashed run (call while holding the month lock)."""
    old = _leftovers(dest, "old")
    if not dest.exists() and old:
        os.replace(old[-1], dest)       # crash between the renames: put the previous outputs back
        old = old[:-1]
    for path in old + _leftovers(dest, "tmp"):
        shutil.rmtree(path, ignore_errors=True)


def replace_dir(new: Path, dest: Path, keep: Path | None = None) -> None:
    """Swap ``new`` in for ``dest`` (two renames on one file system). With ``keep`` the
    previous ``dest`` is moved there (a numbered version of the month) instead of deleted."""
    old = None
    if keep is not None and dest.exists():
        keep.parent.mkdir(parents=True, exist_ok=True)
        os.replace(dest, keep)
        os.replace(new, dest)
        return
    if dest.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
        old.rmdir()
        os.replace(dest, old)
    try:
        os.replace(new, dest)
    except BaseException:
        if old is not None and not dest.exists():
            os.replace(old, dest)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def build_aside(dest: Path, keep: Path | None = None) -> Iterator[Path]:
    """Yield an empty temp folder beside ``dest``; on success it replaces ``dest`` whole
    (the previous ``dest`` moved to ``keep`` when given), on any exception it is deleted and
    ``dest`` stays as it was."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    recover(dest)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)      # mkdtemp makes 0700; the month folder is shared like any other
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    replace_dir(tmp, dest, keep)
