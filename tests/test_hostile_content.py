"""Hostile input (docs/security.md), content: formulas, markup, control characters, emoji and over-long cells in EVERY
field. Nothing executes (no formula from input in any workbook, no markup in the report),
nothing is lost (every source row in 来源明细 once), nothing crashes."""
import csv
import datetime as dt
import re

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from pipeline.api import run_pipeline, write_template
from pipeline.cli import cli
from pipeline.model import RunOptions
from pipeline.writers.xlsx import RISKY_PREFIXES
from tests.hostile_cases import (EMAIL, EXCEL_CELL_LIMIT, PAYLOADS, PHONE, formula_cells, hash_tree, long_cells,
                                 output_workbooks, payload_rows, small_workbook, source_detail, write_csv)

AS_OF = dt.date(2026, 11, 30)
EXTRA_HEADERS = ["=EXTRA()", "<b>列</b>", "@负责人"]


@pytest.fixture(scope="module")
def payload_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("payload")
    inp, out = root / "input", root / "output"
    rows = payload_rows(EXTRA_HEADERS)
    small_workbook(inp / "华东销售部_payload.xlsx", rows)
    write_csv(inp / "华南区域_payload.csv", rows)
    write_csv(inp / "华南区域_payload_gbk.csv", [[c.encode("gb18030", "replace").decode("gb18030")
                                               if isinstance(c, str) else c for c in r] for r in rows[:13]],
              encoding="gb18030")
    before = hash_tree(inp)
    result = run_pipeline(RunOptions(input_dir=inp, output_dir=out, as_of=AS_OF))
    return {"inp": inp, "out": out, "month": result.output_dir, "result": result, "rows": rows,
            "before": before}


def test_openpyxl_parses_xml_with_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def test_inputs_are_never_modified(payload_run):
    assert hash_tree(payload_run["inp"]) == payload_run["before"]


def test_every_output_workbook_opens_and_holds_no_formula(payload_run):
    books = output_workbooks(payload_run["month"])
    assert len(books) >= 6            # customers, 3 returns, 3 views
    for book in books:
        assert formula_cells(book) == [], book.name
        assert long_cells(book) == [], book.name     # no cell Excel refuses, no XML-illegal character


def test_payloads_are_stored_as_text(payload_run):
    wb = load_workbook(payload_run["month"] / "customers.xlsx")
    texts = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if c.data_type == "s" and isinstance(c.value, str)}
    for p in ('=HYPERLINK("http://x","点我")', "+1+1", "-2+3", "@SUM(A1)", "<script>alert(1)</script>"):
        assert any(p in t for t in texts), p
    returned = load_workbook(payload_run["month"] / "returns" / "华东销售部_payload.xlsx")
    ws = returned["企业客户"]
    for r in range(2, 2 + len(PAYLOADS)):
        for c in range(1, 10):
            cell = ws.cell(r, c)
            assert cell.data_type == "s", cell.coordinate     # submitted text stays text


def test_every_source_row_is_in_source_detail_exactly_once(payload_run):
    detail = source_detail(payload_run["month"])
    n = len(payload_run["rows"]) - 1
    for file, sheet, rows in (("华东销售部_payload.xlsx", "企业客户", n), ("华南区域_payload.csv", "", n),
                              ("华南区域_payload_gbk.csv", "", 12)):
        seen = [r for f, s, r, _ in detail if f == file and s == sheet]
        assert sorted(seen) == list(range(2, 2 + rows)), file
    assert len(detail) == len(set(detail))
    assert payload_run["result"].summary["rows_read"] == 2 * n + 12


def test_over_long_cells_are_cut_with_a_warning(payload_run):
    issues = payload_run["result"].issues
    cut = issues[issues["rule"] == "text-too-long"]
    assert len(cut) > 0 and set(cut["severity"]) == {"warning"}
    assert cut["file"].str.contains("payload").all()
    wb = load_workbook(payload_run["month"] / "customers.xlsx", read_only=True)
    longest = max(len(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                  for v in row if isinstance(v, str))
    assert longest <= EXCEL_CELL_LIMIT


def test_issues_csv_neutralises_formulas(payload_run):
    with (payload_run["month"] / "issues.csv").open(encoding="utf-8-sig", newline="") as fh:
        cells = [v for row in csv.reader(fh) for v in row]
    assert cells
    risky = [v for v in cells if v.startswith(RISKY_PREFIXES)]
    assert risky == []
    assert any(v.startswith("'=HYPERLINK") for v in cells)


def test_report_escapes_everything_and_has_a_strict_csp(payload_run):
    html = (payload_run["month"] / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html and "<svg onload" not in html
    assert "<b>列</b>" not in html
    assert html.count("<script") == 1                  # the report's own filter script only
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'none'" in csp and "script-src 'sha256-" in csp and "unsafe-eval" not in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert not re.search(r"""(src|href)=["']?https?:""", html)   # self-contained, nothing fetched
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", html)


def test_report_never_shows_full_phones_or_emails(payload_run):
    html = (payload_run["month"] / "report.html").read_text(encoding="utf-8")
    assert PHONE not in html and EMAIL not in html


def test_cli_logs_never_show_full_phones_or_emails(payload_run, tmp_path):
    small_workbook(tmp_path / "in" / "m.xlsx", [
        ["客户名称", "联系人", "手机号码", "电子邮箱", "备注"],
        ["某某公司", "王磊", PHONE[:-1], "zhang san@example.com", f"电话 {PHONE} 邮箱 {EMAIL}"],
        ["某某二公司", "李娜", PHONE + "0", EMAIL.replace("@", "@@"), ""],
    ])
    runner = CliRunner()
    checked = runner.invoke(cli, ["validate", str(tmp_path / "in"), "--as-of", "2026-11-30", "--limit", "100"])
    assert checked.exit_code == 0, checked.output
    assert "手机号码" in checked.output                  # the issues are listed …
    run = runner.invoke(cli, ["run", "--input", str(payload_run["inp"]), "--output", str(tmp_path / "out"),
                              "--as-of", "2026-11-30"])
    assert run.exit_code == 0, run.output
    for text in (checked.output, run.output):          # … but never a full number or address
        for secret in (PHONE, PHONE[:-1], EMAIL, "zhang san@example.com", "zhang.san@@example.com"):
            assert secret not in text


@pytest.mark.parametrize("kind,ctype", [("list", "企业"), ("list", "个人"), ("form", "企业")])
def test_templates_hold_no_formula_cells(tmp_path, kind, ctype):
    path = write_template(kind, ctype, tmp_path / "t.xlsx")
    assert formula_cells(path) == []
