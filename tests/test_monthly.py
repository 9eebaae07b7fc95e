"""Monthly operations (docs/monthly.md): October → November → November again, with small frames."""
import dataclasses
import datetime as dt
from types import MappingProxyType

import pandas as pd
import pytest

from pipeline.issues import issues_frame
from pipeline.model import CHANGE_COLUMNS, REMINDER_COLUMNS
from pipeline.monthly import compare_months

D = dt.date
OCT, NOV = D(2026, 10, 31), D(2026, 11, 30)
CUSTOMER_COLUMNS = ["customer_id", "customer_type", "name", "status", "status_reason", "level",
                    "last_coop", "next_follow", "row_ids"]


def customers(*rows):
    return pd.DataFrame([dict(zip(CUSTOMER_COLUMNS, r)) for r in rows], columns=CUSTOMER_COLUMNS)


def october():
    return customers(
        ("KH00000001", "企业", "北京星河软件有限公司", "合作中客户", None, "A", D(2026, 10, 20), D(2026, 11, 5), (0,)),
        ("KH00000002", "企业", "苏州恒瑞精密机械有限公司", "合作中客户", None, "B", D(2026, 6, 1), None, (1,)),
        ("KH00000003", "企业", "杭州云启网络科技有限公司", "意向客户", None, "C", D(2026, 9, 1), None, (2,)),
        ("KH00000004", "个人", "张伟", "潜在客户", None, None, None, None, (3,)),
        ("KH00000005", "企业", "宁波明达贸易有限公司", "合作中客户", None, "B", D(2026, 10, 1), D(2026, 10, 28), (4,)),
    )


def november(reason_for_3=None):
    return customers(
        ("KH00000001", "企业", "北京星河软件有限公司", "合作中客户", None, "B", D(2026, 11, 2), D(2026, 12, 7), (0,)),
        ("KH00000002", "企业", "苏州恒瑞精密机械有限公司", "流失客户", "竞争对手合作", "B", D(2026, 6, 1),
         D(2026, 12, 8), (1,)),
        ("KH00000003", "企业", "杭州云启网络科技有限公司", "合作中客户", reason_for_3, "A", D(2026, 11, 15), None, (2, 3)),
        ("KH00000004", "个人", "张伟", "潜在客户", None, None, None, None, (4,)),
        ("KH00000006", "企业", "上海青禾食品有限公司", "意向客户", None, None, D(2026, 8, 30), D(2026, 11, 20), (5,)),
    )


def november_records():
    return pd.DataFrame({
        "row_id": [0, 1, 2, 3, 4, 5],
        "src_file": ["华东销售部.xlsx"] * 3 + ["大客户部.xlsx", "个人客户.csv", "华东销售部.xlsx"],
        "src_sheet": ["企业客户"] * 4 + ["", "企业客户"],
        "src_row": [3, 4, 5, 2, 2, 6],
        "status": ["合作中客户", "流失客户", None, "合作中客户", "潜在客户", "意向客户"],
    })


def november_related():
    return {
        "互动记录": pd.DataFrame({"row_id": [4, 2], "src_file": ["个人客户.csv", "华东销售部.xlsx"],
                              "src_sheet": ["", "企业客户"], "src_row": [2, 5],
                              "互动日期": ["2026-08-01", D(2026, 7, 1)]}),
        "维护计划": pd.DataFrame({"row_id": [4], "src_file": ["个人客户.csv"], "src_sheet": [""], "src_row": [2],
                              "维护负责人": ["李娜"], "下次跟进时间": ["2026/12/03"], "跟进目标": ["确认装修预算"]}),
    }


def rows(frame):
    """The rows without 负责销售 (owner: tests/test_seed_fields.py)."""
    return [tuple(r) for r in frame.drop(columns=["owner"], errors="ignore").itertuples(index=False)]


def test_first_month_has_no_baseline_but_lists_reminders(rules):
    result = compare_months(october(), pd.DataFrame(), None, {}, rules, OCT)
    assert list(result.data["changes"].columns) == CHANGE_COLUMNS
    assert result.data["changes"].empty
    assert result.issues == ()
    assert list(result.data["reminders"].columns) == REMINDER_COLUMNS
    assert rows(result.data["reminders"]) == [
        ("KH00000005", "宁波明达贸易有限公司", "跟进逾期", D(2026, 10, 28), "下次跟进时间 2026-10-28，已逾期 3 天"),
        ("KH00000002", "苏州恒瑞精密机械有限公司", "季度更新提醒", D(2026, 6, 1),
         "最近一次合作或互动为 2026-06-01，已 152 天未更新（超过 92 天），请联系客户核实并更新资料"),
        ("KH00000001", "北京星河软件有限公司", "跟进到期", D(2026, 11, 5), "下次跟进时间 2026-11-05，还有 5 天"),
    ]


def test_november_changes_against_october(rules):
    result = compare_months(november(), october(), november_records(), november_related(), rules, NOV)
    assert rows(result.data["changes"]) == [
        ("KH00000006", "上海青禾食品有限公司", "新增客户", "", "意向客户", "本月首次出现的企业客户"),
        ("KH00000002", "苏州恒瑞精密机械有限公司", "流失客户", "合作中客户", "流失客户",
         "客户状态由“合作中客户”变为“流失客户”，原因：竞争对手合作"),
        ("KH00000005", "宁波明达贸易有限公司", "未再提交", "合作中客户", "",
         "上期在册（客户状态“合作中客户”），本月各团队均未再提交，请确认是否已流失"),
        ("KH00000001", "北京星河软件有限公司", "等级变化", "A", "B", "客户等级由 A 下降为 B"),
        ("KH00000003", "杭州云启网络科技有限公司", "等级变化", "C", "A", "客户等级由 C 上升为 A"),
        ("KH00000003", "杭州云启网络科技有限公司", "状态变化", "意向客户", "合作中客户",
         "客户状态由“意向客户”变为“合作中客户”，未填写状态变更原因"),
    ]


def test_status_change_without_reason_points_at_the_row_with_the_new_status(rules):
    result = compare_months(november(), october(), november_records(), november_related(), rules, NOV)
    table = issues_frame(result.issues, rules)
    assert len(table) == 1
    issue = table.iloc[0]
    # row_ids (2, 3): row 2 has no status, row 3 (大客户部, Excel row 2) carries 合作中客户
    assert (issue["file"], issue["sheet"], issue["row"], issue["row_id"]) == ("大客户部.xlsx", "企业客户", 2, 3)
    assert (issue["rule"], issue["severity"], issue["field"], issue["value"]) == (
        "status-change-no-reason", "warning", "客户状态", "合作中客户")
    assert issue["message"] == "客户“杭州云启网络科技有限公司”的客户状态由“意向客户”变为“合作中客户”，但未填写状态变更原因"
    assert "状态变更原因" in issue["suggestion"]


def test_november_reminders(rules):
    result = compare_months(november(), october(), november_records(), november_related(), rules, NOV)
    assert rows(result.data["reminders"]) == [
        # overdue first
        ("KH00000006", "上海青禾食品有限公司", "跟进逾期", D(2026, 11, 20), "下次跟进时间 2026-11-20，已逾期 10 天"),
        # then by date; 张伟's last contact is the 互动记录 of 2026-08-01 (121 days > 92);
        # 上海青禾 (2026-08-30, exactly 92 days) is not stale; 苏州恒瑞 is 流失客户: no update reminder
        ("KH00000004", "张伟", "季度更新提醒", D(2026, 8, 1),
         "最近一次合作或互动为 2026-08-01，已 121 天未更新（超过 92 天），请联系客户核实并更新资料"),
        ("KH00000001", "北京星河软件有限公司", "等级下降", NOV, "客户等级由 A 下降为 B"),
        ("KH00000004", "张伟", "跟进到期", D(2026, 12, 3),
         "维护计划：下次跟进时间 2026-12-03，还有 3 天，跟进目标：确认装修预算，负责人：李娜"),
        # exactly 7 days → due; 苏州恒瑞's 2026-12-08 (8 days) is not listed
        ("KH00000001", "北京星河软件有限公司", "跟进到期", D(2026, 12, 7), "下次跟进时间 2026-12-07，还有 7 天"),
    ]


def test_november_again_with_the_reason_filled_in(rules):
    first = compare_months(november(), october(), november_records(), november_related(), rules, NOV)
    again = compare_months(november(), october(), november_records(), november_related(), rules, NOV)
    pd.testing.assert_frame_equal(first.data["changes"], again.data["changes"])
    pd.testing.assert_frame_equal(first.data["reminders"], again.data["reminders"])
    assert first.issues == again.issues

    fixed = compare_months(november("签订合同"), october(), november_records(), november_related(), rules, NOV)
    assert fixed.issues == ()
    status_rows = fixed.data["changes"][fixed.data["changes"]["change"] == "状态变化"]
    assert rows(status_rows) == [("KH00000003", "杭州云启网络科技有限公司", "状态变化", "意向客户", "合作中客户",
                                  "客户状态由“意向客户”变为“合作中客户”，原因：签订合同")]


def test_lost_without_reason_is_flagged_and_issue_has_no_cell_without_records(rules):
    prev = customers(("KH00000009", "企业", "甲公司", "合作中客户", None, "B", None, None, (0,)))
    cur = customers(("KH00000009", "企业", "甲公司", "流失客户", None, "B", None, None, (0,)))
    result = compare_months(cur, prev, None, {}, rules, NOV)
    assert rows(result.data["changes"]) == [("KH00000009", "甲公司", "流失客户", "合作中客户", "流失客户",
                                             "客户状态由“合作中客户”变为“流失客户”，未填写状态变更原因")]
    (issue,) = result.issues
    assert (issue.rule, issue.file, issue.row, issue.field) == ("status-change-no-reason", "", None, "status")


def test_grade_gained_or_lost_is_a_change_but_not_a_drop(rules):
    prev = customers(("KH1", "企业", "甲", "合作中客户", None, "", None, None, (0,)),
                     ("KH2", "企业", "乙", "合作中客户", None, "S", None, None, (1,)))
    cur = customers(("KH1", "企业", "甲", "合作中客户", None, "B", None, None, (0,)),
                    ("KH2", "企业", "乙", "合作中客户", None, None, None, None, (1,)))
    result = compare_months(cur, prev, None, {}, rules, NOV)
    assert rows(result.data["changes"]) == [
        ("KH1", "甲", "等级变化", "", "B", "本月首次定级为 B"),
        ("KH2", "乙", "等级变化", "S", "", "本月缺少分级数据，无法定级（上期为 S）"),
    ]
    assert result.data["reminders"].empty and result.issues == ()


def test_overdue_follow_up_done_by_a_later_interaction_is_not_reminded(rules):
    cur = customers(("KH1", "企业", "甲", "合作中客户", None, "B", None, D(2026, 11, 10), (7,)),
                    ("KH2", "企业", "乙", "合作中客户", None, "B", None, D(2026, 11, 10), (8,)))
    related = {"互动记录": pd.DataFrame({"row_id": [7, 8], "互动日期": [D(2026, 11, 12), D(2026, 11, 9)]})}
    result = compare_months(cur, pd.DataFrame(), None, related, rules, NOV)
    assert rows(result.data["reminders"]) == [
        ("KH2", "乙", "跟进逾期", D(2026, 11, 10), "下次跟进时间 2026-11-10，已逾期 20 天")]


def test_window_comes_from_settings(rules):
    settings = {**rules.settings, "reminders": MappingProxyType({"follow_up_window_days": 8, "stale_after_days": 92})}
    wider = dataclasses.replace(rules, settings=MappingProxyType(settings))
    cur = customers(("KH1", "企业", "甲", "合作中客户", None, "B", None, D(2026, 12, 8), (0,)),
                    ("KH2", "企业", "乙", "合作中客户", None, "B", None, NOV, (1,)))
    assert rows(compare_months(cur, pd.DataFrame(), None, {}, rules, NOV).data["reminders"]) == [
        ("KH2", "乙", "跟进到期", NOV, "下次跟进时间 2026-11-30，今天到期")]
    assert [r[0] for r in rows(compare_months(cur, pd.DataFrame(), None, {}, wider, NOV).data["reminders"])] == [
        "KH2", "KH1"]


def test_inputs_are_not_mutated(rules):
    cur, prev, recs = november(), october(), november_records()
    before = (cur.copy(), prev.copy(), recs.copy())
    compare_months(cur, prev, recs, november_related(), rules, NOV)
    for a, b in zip((cur, prev, recs), before):
        pd.testing.assert_frame_equal(a, b)
