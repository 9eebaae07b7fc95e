"""The resubmit stage (pipeline/resubmit.py) and the submissions kept in the history store."""
from __future__ import annotations

import dataclasses
import json
import sqlite3

import pandas as pd
import pytest

from pipeline import history
from pipeline.issues import Issue, issues_frame
from pipeline.resubmit import ENCODED, RESUBMISSION_COLUMNS, SUBMISSION_COLUMNS, compare_submissions
from tests.factories import uscc

CODE_A = uscc("91320594MA1W3AAA0")
CODE_B = uscc("91320594MA1W3BBB0")
BAD_A = CODE_A[:-1] + ("0" if CODE_A[-1] != "0" else "1")
FILE, SHEET, TEAM = "华东销售部.xlsx", "企业客户", "华东销售部"
COLUMNS = pd.DataFrame([(FILE, SHEET, k, c, h, 1.0) for k, c, h in (
    ("name", "A", "客户名称"), ("uscc", "B", "统一社会信用代码"), ("mobile", "C", "手机号码"),
    ("annual_amount", "D", "年合作金额"))], columns=["src_file", "src_sheet", "field", "column", "header", "unit"])


def records(rows: list[dict], file: str = FILE, sheet: str = SHEET, team: str = TEAM) -> pd.DataFrame:
    out = pd.DataFrame(rows)
    out.insert(0, "row_id", range(len(out)))
    out["src_file"], out["src_sheet"], out["src_team"] = file, sheet, team
    out["src_row"] = out["row_id"] + 2
    out["customer_type"] = "企业"
    if "bad_fields" not in out.columns:
        out["bad_fields"] = [frozenset()] * len(out)
    return out


def files(sha: str, file: str = FILE) -> pd.DataFrame:
    return pd.DataFrame([{"src_file": file, "sha256": sha, "layout": "list", "sheets": 1, "status": "已处理",
                          "message": ""}])


def stored(result, month: str, seq: int = 1) -> pd.DataFrame:
    """This run's submissions as load_history returns them."""
    subs = result.data["submissions"].drop(columns=["previous_file", "previous_month", "previous_sha256"])
    decoded = {c: subs[c].map(lambda v: json.loads(history.submission_json(v))) for c in ENCODED}
    return subs.assign(month=month, seq=range(seq, seq + len(subs)), **decoded)


V1 = [
    {"name": "苏州华力电子有限公司", "uscc": BAD_A, "mobile": "13912340001", "annual_amount": 600000.0,
     "bad_fields": frozenset({"uscc"})},
    {"name": "苏州恒瑞精密机械有限公司", "uscc": CODE_B, "mobile": "1391234", "annual_amount": 300000.0,
     "bad_fields": frozenset({"mobile"})},
    {"name": "苏州旧客户有限公司", "uscc": None, "mobile": "13912340009", "annual_amount": None},
]
V1_ISSUES = [
    Issue("uscc-checksum", FILE, SHEET, 2, "uscc", BAD_A, {"expected": CODE_A[-1]}, row_id=0),
    Issue("mobile-invalid", FILE, SHEET, 3, "mobile", "1391234", row_id=1),
    Issue("required-missing", FILE, SHEET, 4, "uscc", "", row_id=2),
    Issue("column-missing", FILE, "", None, "contact"),
]
V2 = [   # rows shifted; 华力's code fixed and amount changed; 恒瑞 still wrong; 旧客户 gone; 新客户 added
    {"name": "苏州恒瑞精密机械有限公司", "uscc": CODE_B, "mobile": "139123", "annual_amount": 300000.0,
     "bad_fields": frozenset({"mobile"})},
    {"name": "苏州新客户有限公司", "uscc": None, "mobile": "13912340005", "annual_amount": None},
    {"name": "苏州华力电子有限公司", "uscc": CODE_A, "mobile": "13912340001", "annual_amount": 650000.0},
]
V2_ISSUES = [
    Issue("mobile-invalid", FILE, SHEET, 2, "mobile", "139123", row_id=0),
    Issue("required-missing", FILE, SHEET, 3, "uscc", "", row_id=1),
]


def first_run(rules, month="2026-11"):
    return compare_submissions(records(V1), V1_ISSUES, None, files("a" * 64), COLUMNS, rules, month)


def test_no_previous_submission_gives_an_empty_comparison_and_describes_the_file(rules):
    result = first_run(rules)
    assert list(result.data["resubmission"].columns) == RESUBMISSION_COLUMNS
    assert result.data["resubmission"].empty and result.issues == ()
    subs = result.data["submissions"]
    assert list(subs.columns) == SUBMISSION_COLUMNS and len(subs) == 1
    sub = subs.iloc[0]
    sub = {**sub, **{c: json.loads(history.submission_json(sub[c])) for c in ENCODED}}      # held packed
    assert (sub["src_file"], sub["src_team"], sub["sha256"], sub["sheets"]) == (FILE, TEAM, "a" * 64, [SHEET])
    assert sub["fields"] == ["annual_amount", "mobile", "name", "uscc"]
    assert sub["previous_file"] == ""
    # a record is keyed by a valid code, else its name; an issue by (record, field, rule)
    assert [r["record_key"] for r in sub["records"]] == [
        "name:苏州华力电子有限公司", f"uscc:{CODE_B}", "name:苏州旧客户有限公司"]
    assert sub["records"][0]["values"]["annual_amount"] == "600000"
    assert sub["records"][0]["bad"] == ["uscc"]
    assert [(i["record_key"], i["field"], i["rule"]) for i in sub["issues"]] == [
        ("name:苏州华力电子有限公司", "uscc", "uscc-checksum"), (f"uscc:{CODE_B}", "mobile", "mobile-invalid"),
        ("name:苏州旧客户有限公司", "uscc", "required-missing"), ("", "contact", "column-missing")]


def test_fixed_still_wrong_and_unrequested_changes_with_shifted_rows(rules):
    previous = stored(first_run(rules), "2026-11")
    result = compare_submissions(records(V2), V2_ISSUES, previous, files("b" * 64), COLUMNS, rules, "2026-11")
    diff = result.data["resubmission"]
    got = [(r.status, r.name, r.field, r.rule, r.before, r.after, r.src_row, r.column) for r in diff.itertuples()]
    assert got == [
        ("已修正", "", "联系人", "column-missing", "", "", pd.NA, ""),           # file level first
        ("已修正", "苏州华力电子有限公司", "统一社会信用代码", "uscc-checksum", BAD_A, CODE_A, 4, "B"),
        ("仍存在", "苏州恒瑞精密机械有限公司", "手机号码", "mobile-invalid", "1391234", "139123", 2, "C"),
        ("未要求的变更", "苏州新客户有限公司", "", "", "", "苏州新客户有限公司", 3, ""),
        ("未要求的变更", "苏州华力电子有限公司", "年合作金额", "", "600000", "650000", 4, "D"),
        ("未要求的变更", "苏州旧客户有限公司", "", "", "苏州旧客户有限公司", "", pd.NA, ""),
    ]
    notes = dict(zip(zip(diff["status"], diff["name"], diff["field"]), diff["note"]))
    assert notes[("已修正", "苏州华力电子有限公司", "统一社会信用代码")] == "上次提交的问题已修正：信用代码校验位错误"
    assert notes[("已修正", "", "联系人")].startswith("上次提交的文件级问题已解决：")
    assert notes[("仍存在", "苏州恒瑞精密机械有限公司", "手机号码")].startswith("已修改，但仍有问题：")
    assert notes[("未要求的变更", "苏州旧客户有限公司", "")] == "上次提交中的这条记录本次未再出现（上次有 1 个问题）"
    assert set(diff["previous_file"]) == {FILE} and set(diff["previous_month"]) == {"2026-11"}
    sub = result.data["submissions"].iloc[0]
    assert (sub["previous_file"], sub["previous_month"], sub["previous_sha256"]) == (FILE, "2026-11", "a" * 64)


def test_a_cell_changed_into_another_problem_is_not_reported_fixed(rules):
    """华力's code had a wrong check digit; the team typed a 17-character code instead: the
    comparison must not say 已修正 for a cell that is still wrong."""
    previous = stored(first_run(rules), "2026-11")
    short = CODE_A[:17]
    v2 = [{**V1[0], "uscc": short}, *V1[1:]]
    v2_issues = [Issue("uscc-format", FILE, SHEET, 2, "uscc", short, row_id=0), *V1_ISSUES[1:]]
    diff = compare_submissions(records(v2), v2_issues, previous, files("b" * 64), COLUMNS, rules,
                               "2026-11").data["resubmission"]
    row = diff[(diff["name"] == "苏州华力电子有限公司") & (diff["field"] == "统一社会信用代码")]
    assert len(row) == 1
    row = row.iloc[0]
    assert (row.status, row.rule, row.before, row.after, row.column) == ("仍存在", "uscc-format", BAD_A, short, "B")
    assert row.note.startswith("已修改，上次的问题（信用代码校验位错误）已不存在，但出现新问题：")
    assert f"“{short}”格式不正确" in row.note
    assert "已修正" not in set(diff.loc[diff["name"] == "苏州华力电子有限公司", "status"])


def test_a_cell_sent_back_unchanged_is_not_said_to_be_edited_when_only_the_check_changed(rules):
    """Last month 24年3月5日 was date-invalid (the field left empty); this month the same text is
    read as 2024-03-05 with a date-two-digit-year warning: the team changed nothing, so the note
    says the check changed, never 已修改."""
    v1 = [{**V1[0], "last_coop": None}, *V1[1:]]
    v1_issues = [*V1_ISSUES, Issue("date-invalid", FILE, SHEET, 2, "last_coop", "24年3月5日", row_id=0)]
    previous = stored(compare_submissions(records(v1), v1_issues, None, files("a" * 64), COLUMNS, rules,
                                          "2026-11"), "2026-11")
    v2 = [{**V1[0], "last_coop": "2024-03-05"}, *V1[1:]]
    v2_issues = [*V1_ISSUES, Issue("date-two-digit-year", FILE, SHEET, 2, "last_coop", "24年3月5日",
                                   {"date": "2024-03-05"}, row_id=0)]
    diff = compare_submissions(records(v2), v2_issues, previous, files("b" * 64), COLUMNS, rules,
                               "2026-11").data["resubmission"]
    row = diff[(diff["name"] == "苏州华力电子有限公司") & (diff["field"] == "最近合作时间")]
    assert len(row) == 1
    row = row.iloc[0]
    assert (row.status, row.rule, row.before, row.after) == ("仍存在", "date-two-digit-year", "24年3月5日",
                                                             "2024-03-05")
    assert "已修改" not in row.note
    assert row.note.startswith("本次未修改此处；检查规则已调整，上次的问题（日期无效）已不存在，但出现新问题：")
    assert "年份只写了两位" in row.note


def test_the_issue_table_gives_the_same_result_as_the_issue_list(rules):
    previous = stored(first_run(rules), "2026-11")
    from_list = compare_submissions(records(V2), V2_ISSUES, previous, files("b" * 64), COLUMNS, rules, "2026-11")
    table = issues_frame(V2_ISSUES, rules, COLUMNS)
    from_table = compare_submissions(records(V2), table, previous, files("b" * 64), COLUMNS, rules, "2026-11")
    pd.testing.assert_frame_equal(from_list.data["resubmission"], from_table.data["resubmission"])


def test_the_same_bytes_again_is_a_rerun_not_a_resubmission(rules):
    previous = stored(first_run(rules), "2026-11")
    again = compare_submissions(records(V1), V1_ISSUES, previous, files("a" * 64), COLUMNS, rules, "2026-11")
    assert again.data["resubmission"].empty
    assert again.data["submissions"]["previous_file"].iat[0] == ""


@pytest.mark.parametrize("file,team,sheet,month,window,matched", [
    ("华东销售部-更正.xlsx", TEAM, SHEET, "2026-11", 1, True),        # same team, same sheets
    ("华东销售部.xlsx", "", "别的表", "2026-11", 1, True),             # same file name
    ("大客户部.xlsx", "大客户部", SHEET, "2026-11", 1, False),         # another team
    ("华东销售部-更正.xlsx", TEAM, "个人客户", "2026-11", 1, False),   # other sheets
    ("华东销售部.xlsx", TEAM, SHEET, "2026-12", 1, True),             # the next month
    ("华东销售部.xlsx", TEAM, SHEET, "2026-12", 0, False),            # window 0: same month only
    ("华东销售部.xlsx", TEAM, SHEET, "2027-01", 1, False),            # two months later
])
def test_which_previous_submission_is_matched(rules, file, team, sheet, month, window, matched):
    rules = dataclasses.replace(rules, settings={**rules.settings, "resubmit": {"window_months": window}})
    previous = stored(first_run(rules), "2026-11")
    cols = COLUMNS.assign(src_file=file, src_sheet=sheet)
    issues = [dataclasses.replace(i, file=file, sheet=sheet) for i in V2_ISSUES]
    result = compare_submissions(records(V2, file=file, sheet=sheet, team=team), issues, previous,
                                 files("b" * 64, file), cols, rules, month)
    assert (result.data["submissions"]["previous_file"].iat[0] == FILE) is matched
    assert (not result.data["resubmission"].empty) is matched


def test_the_previous_version_of_another_file_of_the_run_is_not_taken(rules):
    previous = stored(first_run(rules), "2026-11")
    # 华东销售部.xlsx is submitted again unchanged next to a new file of the same team and sheets
    both = pd.concat([files("a" * 64), files("c" * 64, "华东销售部-补充.xlsx")], ignore_index=True)
    recs = pd.concat([records(V1), records(V2, file="华东销售部-补充.xlsx")], ignore_index=True)
    recs["row_id"] = range(len(recs))
    cols = pd.concat([COLUMNS, COLUMNS.assign(src_file="华东销售部-补充.xlsx")], ignore_index=True)
    result = compare_submissions(recs, [], previous, both, cols, rules, "2026-11")
    assert list(result.data["submissions"]["previous_file"]) == ["", ""]
    assert result.data["resubmission"].empty


def test_inputs_are_not_mutated(rules):
    previous = stored(first_run(rules), "2026-11")
    recs, prev_copy = records(V2), previous.copy(deep=True)
    before = recs.copy(deep=True)
    compare_submissions(recs, V2_ISSUES, previous, files("b" * 64), COLUMNS, rules, "2026-11")
    pd.testing.assert_frame_equal(recs, before)
    pd.testing.assert_frame_equal(previous, prev_copy)


# --------------------------------------------------------------------------- history store

def _customers() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": ["KH00000001"], "name": ["苏州华力电子有限公司"]})


def test_submissions_round_trip_and_a_rerun_does_not_duplicate(tmp_path, rules):
    path = tmp_path / "history.sqlite"
    subs = first_run(rules).data["submissions"]
    manifest = {"as_of": "2026-11-30", "version": "0.1.0", "rules_digest": "d" * 64, "rows": 3,
                "inputs": [{"file": FILE, "sha256": "a" * 64, "status": "已处理"}], "counts": {"customers": 1}}
    history.save_run(path, "2026-11", manifest, _customers(), None, subs)
    history.save_run(path, "2026-11", manifest, _customers(), None, subs)      # a re-run
    loaded = history.load_history(path, "2026-11", rules).data["previous_submissions"]
    assert len(loaded) == 1
    rec = loaded.iloc[0]
    assert (rec["month"], rec["src_file"], rec["sha256"], rec["src_team"]) == ("2026-11", FILE, "a" * 64, TEAM)
    assert rec["records"] == json.loads(history.submission_json(subs["records"].iat[0]))
    assert rec["issues"] == json.loads(history.submission_json(subs["issues"].iat[0]))
    assert rec["records"][0]["values"]["name"] == "苏州华力电子有限公司"
    # next month still sees it (window 1), the month after does not
    assert len(history.load_history(path, "2026-12", rules).data["previous_submissions"]) == 1
    assert history.load_history(path, "2027-01", rules).data["previous_submissions"].empty
    runs = history.read_table(path, "runs")
    assert len(runs) == 1
    run = runs.iloc[0]
    assert (run["version"], run["rules_digest"], run["rows"]) == ("0.1.0", "d" * 64, 3)
    assert json.loads(run["inputs"]) == manifest["inputs"] and json.loads(run["counts"]) == {"customers": 1}


def test_a_version_1_store_gets_the_new_columns(tmp_path):
    path = tmp_path / "history.sqlite"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE runs (month TEXT PRIMARY KEY, as_of TEXT, started TEXT, finished TEXT, "
                    "manifest TEXT, customers INTEGER, rows INTEGER, identities_added INTEGER)")
        con.execute("INSERT INTO runs VALUES ('2026-10', '2026-10-31', NULL, NULL, '{}', 2, 2, 2)")
        con.execute("PRAGMA user_version = 1")
    assert history.load_history(path, "2026-11").data["previous_submissions"].empty
    history.save_run(path, "2026-11", {"version": "0.1.0"}, _customers(), None)
    runs = history.read_table(path, "runs").set_index("month")
    assert list(runs.index) == ["2026-10", "2026-11"]
    assert runs.loc["2026-11", "version"] == "0.1.0" and pd.isna(runs.loc["2026-10", "version"])
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION == 3


def test_a_file_listed_twice_is_one_submission_of_its_records(rules):
    twice = pd.concat([files("a" * 64), files("c" * 64)], ignore_index=True)
    subs = compare_submissions(records(V1), V1_ISSUES, None, twice, COLUMNS, rules, "2026-11").data["submissions"]
    assert list(subs["src_file"]) == [FILE] and list(subs["sha256"]) == ["c" * 64]
    assert len(json.loads(history.submission_json(subs.iloc[0]["records"]))) == len(V1)
