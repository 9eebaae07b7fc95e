"""The row renderer (pipeline/writers/sheetrows.py) writes the same workbook, byte for byte,
as writing each cell through xlsxwriter."""
from __future__ import annotations

import datetime as dt
import math
import zipfile
from decimal import Decimal

import pandas as pd
import pytest

from pipeline.writers import sheetrows, xlsx

TRICKY = [
    "华东销售部", "  前后有空格 ", "A&B <有限> \"公司\"", "=SUM(A1:A2)", "+8613812345678", "-5", "@home",
    "控制\x01字符\x1f", "_x0041_ 已转义", "<r>富文本</r>", "行一\n行二", "\tTab", "长" * 40000, "", None,
    "𠀀" * 20000, "x", "\u3000全角空格", "末尾全角\u3000", '引号"在中间', "字" * 8001, "a_xb", "_x00", "中\u2028文",
]
VALUES = [
    1, 0, -3.5, 1e20, 1234567.891, True, False, math.nan, math.inf, Decimal("2.5"),
    dt.date(2026, 11, 30), dt.datetime(2026, 11, 30), dt.datetime(2026, 11, 30, 8, 30), pd.Timestamp("2025-01-02"),
    pd.NaT, pd.NA, ["a", "b"], ("甲", None, "乙"), {"x"}, [], 0.92, 4.6,
]


def _rows(n: int) -> list[list]:
    pool = TRICKY + VALUES
    rows = [[pool[(i * 7 + j * 3) % len(pool)] for j in range(8)] for i in range(min(n, 300))]
    # past the tricky rows: many distinct values (more than a column's cache holds), few huge texts
    rows += [[f"客户{i}", dt.date(2026, 1, 1) + dt.timedelta(days=i % 500), i * 1.5, (i % 100) / 100, i % 5,
              i, f"行{i % 1000}", None if i % 3 else dt.datetime(2026, 1, 1, i % 24)] for i in range(300, n)]
    return rows


def _write(path, rows, fast: bool, monkeypatch, used: list) -> dict[str, bytes]:
    monkeypatch.setattr(sheetrows, "supported", (lambda ws: sheetrows_supported(ws)) if fast else (lambda ws: False))
    monkeypatch.setattr(sheetrows, "write_rows", lambda *a, **k: (used.append(1), sheetrows_write_rows(*a, **k)))
    wb = xlsx.open_workbook(path)
    fmt = xlsx.Formats(wb)
    kinds = ["text", "date", "amount", "percent", "score", "number", "auto", "auto"]
    xlsx.write_table(wb, fmt, "客户主档", [f"列{j}" for j in range(8)], rows, kinds)
    xlsx.write_table(wb, fmt, "空表", ["甲", "乙"], [], ["text", "auto"])
    xlsx.write_table(wb, fmt, "第二张", ["日期", "金额", "文本"], [[r[1], r[2], r[0]] for r in rows[:50]],
                     ["date", "amount", "text"])
    wb.close()
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


sheetrows_supported, sheetrows_write_rows = sheetrows.supported, sheetrows.write_rows


@pytest.mark.parametrize("n, unique_from", [(1, 1000), (300, 1000), (2017, 1000), (2017, 100)])
def test_rendered_rows_equal_cell_by_cell_writing(tmp_path, monkeypatch, n, unique_from):
    monkeypatch.setattr(sheetrows, "CHUNK_ROWS", 500)       # several chunks
    monkeypatch.setattr(sheetrows, "CACHE_VALUES", 400)     # columns with more distinct values than a cache holds
    monkeypatch.setattr(sheetrows, "UNIQUE_FROM_ROWS", unique_from)   # 100: columns of unique values keep no cache
    rows = _rows(n)
    if unique_from < 1000:
        rows = rows[::-1]          # the unique values first: their columns stop caching after chunk one
    used_fast, used_slow = [], []
    fast = _write(tmp_path / "fast.xlsx", rows, True, monkeypatch, used_fast)
    slow = _write(tmp_path / "slow.xlsx", rows, False, monkeypatch, used_slow)
    assert len(used_fast) == 3 and not used_slow
    assert fast.keys() == slow.keys()
    for name in slow:
        assert fast[name] == slow[name], name
    assert b"inlineStr" in fast["xl/worksheets/sheet1.xml"]


def test_a_worksheet_it_does_not_know_goes_cell_by_cell(tmp_path):
    wb = xlsx.open_workbook(tmp_path / "a.xlsx", constant_memory=False)
    ws = wb.add_worksheet("x")
    ws.write_string(0, 0, "表头")
    assert not sheetrows.supported(ws)
    wb.close()
