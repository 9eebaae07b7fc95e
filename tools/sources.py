"""Reading a file of a public repository the table builders use: from a work tree, or with
``git show`` from a bare git directory (what the ``fetch`` mirrors are); writing the table."""
from __future__ import annotations

import csv
import subprocess
from pathlib import Path
from typing import Iterable, Sequence


def read(checkout: Path, path: str, encoding: str = "utf-8", commit: str = "HEAD") -> tuple[str, str]:
    """The file's text and the commit it was read at (``commit``: a file a later commit removed)."""
    checkout = Path(checkout)
    git = ["git", f"--git-dir={checkout}"] if (checkout / "HEAD").exists() and not (checkout / path).exists() \
        else ["git", "-C", str(checkout)]
    if (checkout / path).exists() and commit == "HEAD":
        text = (checkout / path).read_text(encoding=encoding)
    else:
        text = subprocess.run([*git, "show", f"{commit}:{path}"], check=True, capture_output=True).stdout.decode(encoding)
    commit = subprocess.run([*git, "rev-parse", commit], capture_output=True, text=True).stdout.strip()
    return text, commit


def write_table(path: Path, header: Sequence[str], rows: Iterable[Sequence]) -> None:
    """A rules/ table: UTF-8, ``\\n`` line ends (the same bytes on every machine)."""
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def read_bytes(checkout: Path, path: str, commit: str = "HEAD") -> tuple[bytes, str]:
    """A binary file (a workbook) and the commit it was read at, from a bare git directory or a
    work tree's history."""
    checkout = Path(checkout)
    git = ["git", f"--git-dir={checkout}"] if (checkout / "HEAD").exists() else ["git", "-C", str(checkout)]
    data = subprocess.run([*git, "show", f"{commit}:{path}"], check=True, capture_output=True).stdout
    commit = subprocess.run([*git, "rev-parse", commit], capture_output=True, text=True).stdout.strip()
    return data, commit
