"""Build submissions in code (few committed binaries).

``make_workbook(tmp_path, "华东销售部.xlsx", sheets={"企业客户": rows}, merged={"企业客户": ["A1:F1"]})``
writes an .xlsx whose sheets hold ``rows`` (lists of cell values, first list = Excel row 1).
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from openpyxl import Workbook


def make_workbook(folder: Path, name: str, sheets: Mapping[str, Sequence[Sequence[Any]]],
                  merged: Mapping[str, Iterable[str]] | None = None, freeze: Mapping[str, str] | None = None) -> Path:
    """``freeze``: sheet -> the first cell below and right of the frozen panes ("A4")."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(list(row))
        for rng in (merged or {}).get(title, ()):
            ws.merge_cells(rng)
        if freeze and title in freeze:
            ws.freeze_panes = freeze[title]
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def make_csv(folder: Path, name: str, rows: Sequence[Sequence[Any]], encoding: str = "utf-8-sig") -> Path:
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


#: a valid credit code (check digit correct) for tests: 91320594MA1W3XXR5A is not real;
#: use stdnum to compute check digits instead of hard-coding them.
def uscc(body17: str) -> str:
    from stdnum.cn import uscc as _u

    return body17 + _u.calc_check_digit(body17)
