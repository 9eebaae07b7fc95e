"""Hostile input (docs/security.md), files: broken and malicious files — seeded byte mutants of a small workbook and
csv, truncated, encrypted, duplicated zip entries, a billion-laughs sharedStrings.xml, a
highly compressed huge sheet and a zip whose directory lies about sizes. One in-process run
over all of them: no exception escapes, bombs are refused before they inflate, memory stays
bounded, inputs are untouched, every row is accounted for and no formula appears."""
import datetime as dt
import time

import pytest
from openpyxl import load_workbook

from pipeline.api import run_pipeline
from pipeline.model import RunOptions
from tests.hostile_cases import (TINY_ROWS, billion_laughs_xlsx, duplicate_entries, encrypted_xlsx, formula_cells,
                                 hash_tree, lying_zip_bomb_xlsx, mutants, output_workbooks, peak_rss_mb,
                                 scan_workbook, small_workbook, source_detail, write_csv,
                                 zip_bomb_xlsx)

AS_OF = dt.date(2026, 11, 30)
XLSX_MUTANTS, CSV_MUTANTS = 120, 50
BOMBS = {"bomb_laughs.xlsx": "file-unreadable", "bomb_zip.xlsx": "file-too-large",
         "bomb_lying.xlsx": "file-too-large", "encrypted.xlsx": "file-encrypted",
         "truncated.xlsx": "file-unreadable", "empty.xlsx": "file-empty", "text_named.xlsx": "file-unreadable"}


@pytest.fixture(scope="module")
def broken_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("broken")
    inp, out = root / "input", root / "output"
    tiny = small_workbook(root / "tiny.xlsx", TINY_ROWS)
    tiny_csv = write_csv(root / "tiny.csv", TINY_ROWS)
    small_workbook(inp / "valid.xlsx", TINY_ROWS)
    billion_laughs_xlsx(inp / "bomb_laughs.xlsx")
    zip_bomb_xlsx(inp / "bomb_zip.xlsx", inflated_mb=300)
    lying_zip_bomb_xlsx(inp / "bomb_lying.xlsx", inflated_mb=300)
    encrypted_xlsx(tiny, inp / "encrypted.xlsx")
    (inp / "truncated.xlsx").write_bytes(tiny.read_bytes()[:700])
    (inp / "empty.xlsx").write_bytes(b"")
    (inp / "text_named.xlsx").write_text("客户名称,手机号码\n某公司,13800000000\n", encoding="utf-8")
    duplicate_entries(tiny, inp / "dup_entries.xlsx")
    for name, data in mutants(tiny.read_bytes(), XLSX_MUTANTS, seed=10):
        (inp / "mut" / f"{name}.xlsx").parent.mkdir(parents=True, exist_ok=True)
        (inp / "mut" / f"{name}.xlsx").write_bytes(data)
    for name, data in mutants(tiny_csv.read_bytes(), CSV_MUTANTS, seed=11):
        (inp / "mutcsv" / f"{name}.csv").parent.mkdir(parents=True, exist_ok=True)
        (inp / "mutcsv" / f"{name}.csv").write_bytes(data)
    before = hash_tree(inp)
    rss_before, start = peak_rss_mb(), time.perf_counter()
    result = run_pipeline(RunOptions(input_dir=inp, output_dir=out, as_of=AS_OF))
    seconds, rss_after = time.perf_counter() - start, peak_rss_mb()
    print(f"\nhostile files: {len(before)} inputs in {seconds:.1f} s, peak RSS {rss_before:.0f} MB -> "
          f"{rss_after:.0f} MB (+{rss_after - rss_before:.0f} MB)")
    return {"inp": inp, "month": result.output_dir, "result": result, "before": before,
            "rss_delta": rss_after - rss_before, "rss_peak": rss_after}


def test_every_file_is_listed_once(broken_run):
    files = broken_run["result"].catalog["files"]
    assert len(files) == len(broken_run["before"]) == 9 + XLSX_MUTANTS + CSV_MUTANTS
    assert files["src_file"].is_unique
    assert set(files["status"]) <= {"已处理", "已拒收"}


def test_bombs_and_broken_files_get_one_file_level_issue(broken_run):
    issues = broken_run["result"].issues
    files = broken_run["result"].catalog["files"].set_index("src_file")
    for name, rule in BOMBS.items():
        assert files.loc[name, "status"] == "已拒收", name
        mine = issues[issues["file"] == name]
        assert list(mine["rule"]) == [rule], (name, list(mine["rule"]))
        assert mine["row"].isna().all()
    assert files.loc["valid.xlsx", "status"] == "已处理"


def test_bombs_are_refused_before_they_inflate(broken_run):
    # 3 × 300 MB of inflated XML; refused from the zip directory / a capped streaming inflate
    assert broken_run["rss_delta"] < 1024, f"peak RSS grew by {broken_run['rss_delta']:.0f} MB"


def test_inputs_are_never_modified(broken_run):
    assert hash_tree(broken_run["inp"]) == broken_run["before"]


def test_no_row_is_lost(broken_run):
    catalog = broken_run["result"].catalog
    detail = source_detail(broken_run["month"])
    assert len(detail) == len(set(detail))
    read = {(f, s, int(r)) for f, s, r in zip(catalog["source_rows"]["src_file"], catalog["source_rows"]["src_sheet"],
                                                catalog["source_rows"]["src_row"])}
    listed = {(f, s, r) for f, s, r, _ in detail if r is not None}
    assert read == listed
    rejected = set(catalog["files"].loc[catalog["files"]["status"] == "已拒收", "src_file"])
    whole = [f for f, _, r, outcome in detail if r is None]
    assert sorted(whole) == sorted(rejected)            # a refused file is one 退回 line
    assert broken_run["result"].summary["rows_read"] == len(catalog["source_rows"])


def test_outputs_open_and_hold_no_formula_from_input(broken_run):
    books = output_workbooks(broken_run["month"])
    returns = broken_run["month"] / "returns"
    lists = [b for b in books if b.name.endswith("_问题清单.xlsx")]
    back = [b for b in returns.rglob("*") if b.is_file() and b not in lists]
    assert len(back) == len(broken_run["before"])         # every submission comes back, once
    for book in books:
        src = broken_run["inp"] / book.relative_to(returns) if returns in book.parents else None
        if src is not None and src.is_file() and src.read_bytes() == book.read_bytes():
            # a refused file comes back untouched, its 问题清单 next to it
            assert book.with_name(book.stem + "_问题清单.xlsx") in lists, book.name
            continue
        found, unopenable = scan_workbook(book)
        assert unopenable == [], book.name
        if returns not in book.parents:
            assert found == [], book.name
            continue
        if not found:
            continue
        # a returned workbook may keep the submission's own formulas (docs/outputs.md), never new ones
        src = broken_run["inp"] / book.relative_to(returns)
        try:
            own = set(formula_cells(src)) if src.suffix == ".xlsx" else set()
        except Exception:  # noqa: BLE001 — openpyxl cannot read it: the return was rebuilt from values
            own = set()
        assert set(found) <= own, (book.name, found)


def test_summary_counts_match(broken_run):
    s = broken_run["result"].summary
    assert s["files"] == len(broken_run["before"])
    wb = load_workbook(broken_run["month"] / "customers.xlsx", read_only=True)
    assert wb["客户主档"].max_row - 1 == s["customers"]
