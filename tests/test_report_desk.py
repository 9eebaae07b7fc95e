"""The report as the steward's work list: 本月待办, the team scorecard, field completeness, why
customers are 未评定 and the trend read back from report.html and checked against
summary.json, issues.csv and customers.xlsx of a two-month demo run."""
from __future__ import annotations

import csv
import datetime as dt
import html as htmllib
import json
import re
import shutil
from collections import Counter

import pytest
from openpyxl import load_workbook

from pipeline.api import run_pipeline, write_demo
from pipeline.model import RunOptions
from pipeline.quality import headline_text

OCT, NOV = dt.date(2026, 10, 31), dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def run(tmp_path_factory, rules):
    root = tmp_path_factory.mktemp("desk")
    write_demo(root / "input")
    out = root / "output"
    run_pipeline(RunOptions(input_dir=root / "input", output_dir=out, as_of=OCT), rules)
    # November: one team does not submit, the others send the same files again
    gone = sorted((root / "input").glob("线上渠道部*"))[0]
    shutil.move(gone, root / gone.name)
    result = run_pipeline(RunOptions(input_dir=root / "input", output_dir=out, as_of=NOV), rules)
    month = out / "2026-11"
    return {"summary": json.loads((month / "summary.json").read_text(encoding="utf-8")),
            "october": json.loads((out / "2026-10" / "summary.json").read_text(encoding="utf-8")),
            "html": (month / "report.html").read_text(encoding="utf-8"), "month": month, "result": result}


def _attrs(html: str, marker: str) -> list[dict[str, str]]:
    """The attributes of every tag carrying ``marker`` (e.g. data-todo), in page order."""
    out = []
    for tag in re.findall(rf"<[a-z0-9]+ [^>]*\b{marker}=[^>]*>", html):
        out.append({k: htmllib.unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', tag)})
    return out


def test_todo_lists_every_team_worst_first_with_what_to_send(run):
    summary, html = run["summary"], run["html"]
    todo = _attrs(html, "data-todo")
    assert [t["data-todo"] for t in todo] == [t["team"] for t in summary["teams"]]
    assert html.index('id="todo"') < html.index('id="overview"')          # the page opens with it
    rates = [t["errors_per100"] or 0 for t in summary["teams"]]
    assert rates == sorted(rates, reverse=True)
    for t, card in zip(summary["teams"], todo):
        assert int(card["data-errors"]) == t["error"] and int(card["data-warnings"]) == t["warning"]
        assert int(card["data-fixed"]) == t["fixed"] and int(card["data-info"]) == t["info"]
        for f in t["files"]:
            assert f"returns/{f['returned']}" in html and (run["month"] / "returns" / f["returned"]).is_file()
    assert sum(t["error"] for t in summary["teams"]) == summary["issues_by_severity"]["error"]
    assert "线上渠道部" not in {t["team"] for t in summary["teams"]}     # did not submit in November


def test_team_errors_by_field_match_issues_csv(run):
    summary = run["summary"]
    team_of = {r["file"]: r["team"] for r in summary["file_table"]}
    with open(run["month"] / "issues.csv", encoding="utf-8-sig") as fh:
        issues = list(csv.DictReader(fh))
    expected = Counter((team_of[i["file"]], i["field"] or "整个文件") for i in issues if i["severity"] == "error")
    for t in summary["teams"]:
        assert {f: n for f, n in t["error_fields"]} == {f: n for (team, f), n in expected.items() if team == t["team"]}
        card = re.search(rf'data-todo="{re.escape(t["team"])}".*?</article>', run["html"], re.S).group(0)
        field, n = t["error_fields"][0]
        assert f"{field} {n}" in card


def test_scorecard_rows_match_the_file_table_and_source_rows(run):
    summary = run["summary"]
    wb = load_workbook(run["month"] / "customers.xlsx", read_only=True)
    ws = wb["来源明细"]
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    col = header.index("来源文件")
    read = Counter(r[col] for r in ws.iter_rows(min_row=2, values_only=True))
    team_of = {r["file"]: r["team"] for r in summary["file_table"]}
    by_team = Counter()
    for f, n in read.items():
        by_team[team_of[f]] += n
    rows = {a["data-team"]: int(a["data-rows"]) for a in _attrs(run["html"], "data-team")}
    for t in summary["teams"]:
        assert t["read"] == by_team[t["team"]] == rows[t["team"]]
        assert t["read"] == t["merged"] + t["rejected"] + t["skipped"]


def test_completeness_cells_match_summary(run):
    summary, html = run["summary"], run["html"]
    comp = summary["completeness"]
    assert "客户名称" in comp["fields"] and "统一社会信用代码" in comp["fields"]
    cells = {}
    for tr in re.findall(r'<tr data-completeness="([^"]+)">(.*?)</tr>', html, re.S):
        cells[htmllib.unescape(tr[0])] = {htmllib.unescape(f): (int(a), int(b)) for f, a, b in
                                          re.findall(r'data-field="([^"]+)" data-filled="(\d+)" data-of="(\d+)"', tr[1])}
    for team in comp["teams"]:
        for field, c in team["fields"].items():
            assert cells[team["team"]][field] == (c["filled"], c["rows"])
    total = cells["全部团队"]
    for field, c in comp["total"].items():
        assert total[field] == (c["filled"], c["rows"])
        assert c["filled"] == sum(t["fields"][field]["filled"] for t in comp["teams"])


def test_ungraded_reasons_count_blank_levels(run):
    summary = run["summary"]
    wb = load_workbook(run["month"] / "customers.xlsx", read_only=True)
    rows = list(wb["客户主档"].iter_rows(values_only=True))
    level = rows[0].index("客户等级")
    blank = sum(1 for r in rows[1:] if r[level] in (None, ""))
    ug = summary["ungraded"]["level"]
    assert ug["total"] == blank > 0
    box = _attrs(run["html"], "data-ungraded")[0]
    assert int(box["data-ungraded"]) == blank
    missing = {a["data-missing"]: int(a["data-value"]) for a in _attrs(run["html"], "data-missing")}
    assert missing == {f: n for f, n in ug["by_field"]}
    assert max(missing.values()) <= blank <= sum(missing.values())


def test_trend_has_both_months_per_team_and_organisation(run):
    summary, october, html = run["summary"], run["october"], run["html"]
    assert summary["trend"]["months"] == ["2026-10", "2026-11"]
    months = {a["data-trend-month"]: int(a["data-errors"]) for a in _attrs(html, "data-trend-month")}
    assert months == {"2026-10": october["issues_by_severity"]["error"],
                      "2026-11": summary["issues_by_severity"]["error"]}
    for row in re.findall(r'<tr data-trend-team="([^"]+)">(.*?)</tr>', html, re.S):
        team = htmllib.unescape(row[0])
        cells = dict(re.findall(r'data-month="([^"]+)" data-errors="(\d*)"', row[1]))
        for label, month in (("2026-10", october), ("2026-11", summary)):
            t = month["team_counts"].get(team)
            assert cells[label] == ("" if t is None else str(t["error"])), (team, label)
    assert "线上渠道部" in html.split('id="trend"')[1]             # October only: still on the trend


def test_cli_line_and_headline_use_the_same_counts(run):
    summary, html = run["summary"], run["html"]
    line = headline_text(summary)
    figures = {k: int(v) for k, v in re.findall(r'data-figure="([^"]+)" data-value="(\d+)"', html)}
    for key, word in (("merged_rows", "并入主档"), ("duplicates_merged", "重复合并"), ("rejected_rows", "退回"),
                      ("skipped_rows", "跳过"), ("customers", "客户")):
        assert f"{word} {summary[key]} " in line and figures[key] == summary[key]
    assert summary["rows_read"] == summary["merged_rows"] + summary["rejected_rows"] + summary["skipped_rows"]


def test_hot_words_have_no_junk(run):
    words = [htmllib.unescape(w) for w in re.findall(r"<tr data-hot-word><td>([^<]+)</td>", run["html"])]
    assert words and not {"两周", "开具", "Excel", "excel"} & set(words)


def test_review_and_confirm_commands_read_the_history(run):
    from click.testing import CliRunner

    from pipeline.cli import cli

    out = run["month"].parent
    result = CliRunner().invoke(cli, ["review", "--quarter", "2026Q4", "--output", str(out)])
    assert result.exit_code == 0, result.output
    ws = load_workbook(out / "2026Q4" / "季度客户评审.xlsx")["季度评审"]
    header = [c.value for c in ws[1]]
    assert header[5:7] == ["10月等级", "11月等级"]
    assert ws.max_row - 1 >= run["summary"]["customers"]           # October's customers too
    bad = CliRunner().invoke(cli, ["review", "--quarter", "2025Q1", "--output", str(out)])
    assert bad.exit_code == 2 and "没有 2025Q1" in bad.output
    team = run["summary"]["teams"][0]["team"]
    done = CliRunner().invoke(cli, ["confirm", "--team", team, "--output", str(out), "--format", "html"])
    assert done.exit_code == 0, done.output
    pages = sorted((out / "确认单" / "2026-11").glob("*.html"))
    assert pages and f"已生成 {len(pages)} 份" in done.output
    assert CliRunner().invoke(cli, ["confirm", "--output", str(out)]).exit_code == 2
