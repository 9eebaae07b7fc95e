"""report.html: figures match summary.json, nothing from a submission becomes HTML, phones and
e-mails are masked, the page is self-contained and stays small with 50 000 issues."""
import base64
import hashlib
import re

import pandas as pd
import pytest

from pipeline.analysis import hot_words
from pipeline.quality import file_rows, team_rows
from pipeline.issues import ISSUE_COLUMNS
from pipeline.writers.report import build_report_html, write_report
from tests.report_fixtures import make_catalog, with_summary

FIGURE = re.compile(r'data-figure="([^"]+)" data-value="(\d+)"')
EVIL = '<script>alert(1)</script>=HYPERLINK("http://evil.example/x","点我")'


def _figures(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in FIGURE.findall(html)}


@pytest.fixture(scope="module")
def catalog(rules):
    return with_summary(make_catalog(rules, customers=40, issues=60, core_need=False))


@pytest.fixture(scope="module")
def html(catalog):
    return build_report_html(catalog)


def test_headline_figures_match_summary(catalog, html):
    summary = catalog["summary"]
    figures = _figures(html)
    for key in ("files", "rows_read", "customers", "merged_rows", "rejected_rows", "skipped_rows"):
        assert figures[key] == summary[key], key
    for sev in ("error", "warning", "info"):
        assert figures[sev] == summary["issues_by_severity"][sev]
    for kind, counts in summary["grades"].items():
        for grade, n in counts.items():
            assert figures[f"grade-{kind}-{grade}"] == n, (kind, grade)
    assert summary["customers"] == 40 and summary["issues_by_severity"]["error"] > 0


def test_issue_counts_by_rule_match(catalog, html):
    for code, n in catalog["summary"]["issues_by_rule"].items():
        assert f'data-rule="{code}" data-count="{n}"' in html


def test_file_table_counts_rows_per_file(catalog, html):
    rows = re.findall(r"<tr data-file-row[^>]*>(.*?)</tr>", html, re.S)
    assert len(rows) == len(catalog["files"])
    first = catalog["files"]["src_file"].iloc[0]
    expected = int((catalog["source_rows"]["src_file"] == first).sum())
    row = next(r for r in rows if first in r)
    cells = re.findall(r'<td class="n">([^<]*)</td>', row)
    assert cells[1] == f"{expected:,}"          # 读取行
    assert "已拒收" in html and "文件无法读取" in html


def test_page_is_self_contained_with_a_strict_csp(html):
    assert "default-src 'none'" in html and "img-src data:" in html
    assert not re.search(r"<(link|iframe|img|object|embed)\b", html)
    assert not re.search(r"\b(src|href)=\"(https?:)?//", html)
    assert "@import" not in html and "url(" not in html
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode("utf-8")).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in html   # the browser would refuse the filter otherwise


def test_nothing_from_a_submission_becomes_html(rules):
    cat = make_catalog(rules, customers=12, issues=10, core_need=False)
    cat["files"].loc[0, "src_file"] = EVIL + ".xlsx"
    cat["files"].loc[0, "message"] = EVIL
    cat["customers"].loc[0, "province"] = EVIL
    cat["customers"].loc[1, "industry_section"] = EVIL
    cat["records"].loc[0, "src_team"] = EVIL
    cat["issue_table"].loc[0, ["value", "message", "file"]] = [EVIL, f"“{EVIL}”无效", EVIL]
    cat["changes"] = pd.DataFrame([{"customer_id": "KH00000001", "name": EVIL, "change": "新增"}])
    html = build_report_html(with_summary(cat))
    assert "<script>alert" not in html
    assert html.count("<script>") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "=HYPERLINK(&#34;http://evil.example/x&#34;" in html   # shown as text, quotes escaped
    assert 'href="http://evil' not in html


def test_phones_and_emails_are_masked_everywhere(rules):
    cat = make_catalog(rules, customers=8, issues=0, core_need=False)
    issues = [
        {"file": "华东销售部_13912345678.xlsx", "sheet": "企业客户", "row": 5, "column": "G", "field": "手机号码",
         "rule": "mobile-invalid", "severity": "error", "value": "13812345678",
         "message": "手机号码“13812345678”无效：号段不存在", "suggestion": ""},
        {"file": "a.xlsx", "sheet": "企业客户", "row": 6, "column": "G", "field": "手机号码",
         "rule": "mobile-invalid", "severity": "error", "value": "1385678",
         "message": "手机号码“1385678”无效：位数不对", "suggestion": ""},
        {"file": "a.xlsx", "sheet": "企业客户", "row": 7, "column": "H", "field": "电子邮箱",
         "rule": "email-invalid", "severity": "error", "value": "zhang.san@example.com",
         "message": "电子邮箱“zhang.san@example.com”格式不正确：域名无效", "suggestion": ""},
        {"file": "a.xlsx", "sheet": "企业客户", "row": 8, "column": "Q", "field": "备注",
         "rule": "text-too-long", "severity": "warning", "value": "请联系 0512-66881234 或 13712345678",
         "message": "“备注”内容过长", "suggestion": ""},
    ]
    cat["issue_table"] = pd.DataFrame(issues, columns=ISSUE_COLUMNS)
    cat["reminders"] = pd.DataFrame([{"customer_id": "KH1", "mobile": "13612345678", "email": "li.si@corp.cn"}])
    html = build_report_html(with_summary(cat))
    for raw in ("13812345678", "13912345678", "1385678", "zhang.san@", "66881234", "13712345678",
                "13612345678", "li.si@"):
        assert raw not in html, raw
    for masked in ("138****5678", "139****5678", "z***@example.com", "0512-****1234", "l***@corp.cn"):
        assert masked in html, masked
    assert "手机号码" in html  # reminder headers in Chinese


def test_catalog_help_text_is_not_garbled(rules):
    cat = make_catalog(rules, customers=4, issues=0, core_need=False)
    rule = rules.catalog["mobile-invalid"]
    cat["issue_table"] = pd.DataFrame([{
        "file": "a.xlsx", "sheet": "s", "row": 3, "column": "F", "field": "手机号码", "rule": "mobile-invalid",
        "severity": "error", "value": "123", "message": "手机号码“123”无效：位数不对", "suggestion": rule.suggestion,
    }], columns=ISSUE_COLUMNS)
    html = build_report_html(with_summary(cat))
    assert rule.suggestion in html   # a template without data ("例如 13812345678") is shown as written


def test_fifty_thousand_issues_stay_small_and_capped(rules, tmp_path):
    cat = with_summary(make_catalog(rules, customers=2000, issues=50_000, core_need=False))
    path = tmp_path / "report.html"
    write_report(path, cat)
    size = path.stat().st_size
    html = path.read_text(encoding="utf-8")
    assert html.count('<tr data-sev="') == 2000                 # the detail table is capped
    assert "共 50,000 条问题" in html and "issues.csv" in html
    assert _figures(html)["error"] == cat["summary"]["issues_by_severity"]["error"]
    assert size < 2_500_000, size


def test_detail_table_lists_errors_first_when_capped(rules):
    cat = make_catalog(rules, customers=4, issues=0, core_need=False)
    rows = [{"file": "a.xlsx", "sheet": "s", "row": i, "column": "A", "field": "所属行业", "rule": "industry-vague",
             "severity": "warning", "value": "科技", "message": "m", "suggestion": ""} for i in range(2500)]
    rows.append({"file": "z.xlsx", "sheet": "s", "row": 1, "column": "B", "field": "统一社会信用代码",
                 "rule": "uscc-checksum", "severity": "error", "value": "x", "message": "m", "suggestion": ""})
    cat["issue_table"] = pd.DataFrame(rows, columns=ISSUE_COLUMNS)
    html = build_report_html(with_summary(cat))
    first = re.search(r'<tr data-sev="(\w+)" data-rule="([\w-]+)">', html)
    assert first.groups() == ("error", "uscc-checksum")


def test_minimal_catalog_renders(rules, as_of):
    from pathlib import Path

    from pipeline.model import RunOptions

    data = {"rules": rules, "options": RunOptions(Path("in"), Path("out"), as_of),
            "issue_table": pd.DataFrame(columns=ISSUE_COLUMNS), "customers": pd.DataFrame()}
    html = build_report_html(data)
    assert "客户数据质量报告 · 2026-11" in html
    assert _figures(html)["customers"] == 0
    assert "没有发现问题" in html


def test_optional_month_over_month_sections(rules):
    cat = make_catalog(rules, customers=6, issues=3, core_need=False)
    plain = build_report_html(with_summary(cat))
    assert 'id="changes"' not in plain and 'id="reminders"' not in plain
    cat["changes"] = pd.DataFrame([{"customer_id": "KH00000001", "change": "等级变化", "before": "A", "after": "S"}])
    cat["reminders"] = pd.DataFrame([{"customer_id": "KH00000002", "kind": "跟进逾期", "next_follow": "2026-11-01"}])
    html = build_report_html(with_summary(cat))
    assert 'id="changes"' in html and "等级变化" in html
    assert 'id="reminders"' in html and "下次跟进时间" in html and "跟进逾期" in html
    assert _figures(html)["changes-等级变化"] == 1 and "变化前" in html


def test_team_scorecard_ranks_by_errors_not_hints_or_fixes(rules):
    files = pd.DataFrame({"src_file": ["a.xlsx", "b.xlsx"], "status": ["已处理"] * 2})
    records = pd.DataFrame({"src_file": ["a.xlsx"] * 50 + ["b.xlsx"] * 10, "row_id": range(60),
                            "src_team": ["华东销售部"] * 50 + ["大客户部"] * 10})
    source = pd.DataFrame({"src_file": records["src_file"], "row_id": records["row_id"], "outcome": "data"})
    links = pd.DataFrame({"row_id": range(60), "customer_id": [f"K{i}" for i in range(60)], "outcome": "并入主档"})
    issues = pd.DataFrame(
        [{"file": "a.xlsx", "rule": "mobile-invalid", "severity": "error", "field": "手机号码"}] * 5
        + [{"file": "b.xlsx", "rule": "phone-moved", "severity": "info", "field": "手机号码"}] * 40
        + [{"file": "b.xlsx", "rule": "industry-vague", "severity": "warning", "field": "所属行业"}] * 4)
    fixes = pd.DataFrame({"src_file": ["b.xlsx"] * 30, "original": ["x"] * 30, "fixed": ["y"] * 30})
    teams = team_rows(file_rows(files, source, links, issues, fixes, records), issues, rules)
    cards = {c["team"]: c for c in teams}
    assert [c["team"] for c in teams] == ["华东销售部", "大客户部"]       # errors rank, hints and fixes do not
    assert cards["华东销售部"]["errors_per100"] == pytest.approx(10.0)
    assert cards["华东销售部"]["error_fields"] == [["手机号码", 5]] and cards["华东销售部"]["action"] == "退回修正"
    assert cards["大客户部"]["error"] == 0 and cards["大客户部"]["warning"] == 4 and cards["大客户部"]["info"] == 40
    assert cards["大客户部"]["fixed"] == 30 and cards["大客户部"]["action"] == "建议核实"
    assert cards["大客户部"]["top_rules"][0][:2] == ["industry-vague", "行业过于笼统"]   # 提示 items are not "problems"
    assert cards["大客户部"]["read"] == 10 and cards["大客户部"]["merged"] == 10


def test_hot_words_use_domain_dictionary_and_stop_words(rules):
    texts = ["希望提升系统兼容性，降低采购成本", "系统兼容性差，需要尽快解决", "关注交付周期", "需要系统兼容性", None, ""]
    words = {w["word"]: w for w in hot_words(texts, rules, top=10)}
    assert "系统兼容性" in words                      # one dictionary word, not 系统 + 兼容性
    assert words["系统兼容性"]["customers"] == 3
    assert words["系统兼容性"]["share"] == pytest.approx(3 / 4)
    assert "需要" not in words and "希望" not in words   # stop words
    assert hot_words([None, ""], rules) == []
