"""The ledger's read-only copies of the month's submissions (``output/submissions/<YYYY-MM>/``,
content-addressed: the file name is the sha256 of the bytes; see pipeline/ledger.py)."""
from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Iterable


def keep_copies(pairs: Iterable[tuple[Path, Path]]) -> int:
    """Copy each (source, destination) not yet kept, keeping the modification time, and make
    it read-only; written aside and renamed so a killed run never leaves half a copy."""
    n = 0
    for src, dest in pairs:
        if dest.is_file():
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".copy-", dir=dest.parent)
        os.close(fd)
        try:
            shutil.copy2(src, tmp)
            os.chmod(tmp, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
            os.replace(tmp, dest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        n += 1
    return n
