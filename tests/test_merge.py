"""Merge stage: behaviour a steward or sales rep would notice (docs/merge.md)."""
from __future__ import annotations

import dataclasses
import datetime as dt
from types import MappingProxyType

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.issues import issues_frame
from pipeline.merge import merge_records
from pipeline.merge.cluster import cluster_records
from pipeline.merge.keys import key_builder
from tests.factories import uscc

CODE_A = uscc("91320594MA1W3AAA0")
CODE_B = uscc("91320594MA1W3BBB0")
CODE_C = uscc("91320594MA1W3CCC0")


def frame(*rows: dict) -> pd.DataFrame:
    out = pd.DataFrame(list(rows))
    out.insert(0, "row_id", range(len(out)))
    out["src_file"] = "华东销售部.xlsx"
    out["src_sheet"] = "客户"
    out["src_row"] = out["row_id"] + 2
    if "src_team" not in out.columns:
        out["src_team"] = "华东销售部"
    out["bad_fields"] = [frozenset(b) if isinstance(b, (set, frozenset, tuple, list)) else frozenset()
                         for b in out.get("bad_fields", [None] * len(out))]
    if "customer_type" not in out.columns:
        out["customer_type"] = "企业"
    return out


def run(records: pd.DataFrame, rules, known: pd.DataFrame | None = None):
    return merge_records(records, rules, known if known is not None else pd.DataFrame())


def customer_of(result, row_id: int):
    links = result.data["links"]
    return links.loc[links["row_id"] == row_id, "customer_id"].iat[0]


def with_merge_rules(rules, **changes):
    merged = {**dict(rules.extra.get("merge", {})), **changes}
    return dataclasses.replace(rules, extra=MappingProxyType({**dict(rules.extra), "merge": merged}))


def test_company_key_strips_region_legal_form_and_width(rules):
    kb = key_builder(rules.merge, rules.tables)
    names = ["苏州华力电子有限公司", "华力电子（苏州）有限责任公司", "江苏省苏州市华力电子股份有限公司", "苏州 华力电子 有限公司"]
    keys = {kb.company_key(n) for n in names}
    assert len(keys) == 1
    key = keys.pop()
    assert (key.key, key.city) == ("华力电子", "苏州市")
    assert kb.company_key("ＡＢＣ科技（北京）有限公司").key == "abc科技"
    branch = kb.company_key("华力电子有限公司无锡分公司")
    assert branch.key == "华力电子" and branch.branch == "无锡分公司" and branch.parent == "华力电子有限公司"
    # a city that contradicts the record's city is part of the brand
    assert kb.company_key("东方红环保工程有限公司", "苏州市").key == "东方红环保工程"


def test_company_key_without_region_tables(rules):
    kb = key_builder(rules.merge, {})
    assert kb.company_key("华力电子（中国）有限公司").key == "华力电子"


def test_same_valid_code_is_one_customer_and_fields_survive(rules):
    records = frame(
        {"name": "苏州华力电子有限公司", "uscc": CODE_A, "city": "苏州市", "mobile": "13812345678",
         "annual_amount": 100000.0, "last_coop": dt.date(2026, 3, 1), "src_team": "华东销售部"},
        {"name": "华力电子（苏州）有限公司", "uscc": CODE_A, "city": "苏州市", "mobile": "13912345678",
         "annual_amount": 200000.0, "last_coop": dt.date(2025, 3, 1), "src_team": "大客户部"},
        {"name": "华力电子有限公司", "uscc": CODE_A, "city": None, "mobile": "1381234", "bad_fields": {"mobile"},
         "annual_amount": None, "last_coop": dt.date(2026, 9, 1), "src_team": "华南销售部"},
    )
    result = run(records, rules)
    customers = result.data["customers"]
    assert len(customers) == 1
    c = customers.iloc[0]
    assert c["src_count"] == 3 and c["row_ids"] == (0, 1, 2)
    # source priority (大客户部 20 > 华东销售部 10) beats recency among valid values
    assert c["mobile"] == "13912345678" and c["annual_amount"] == 200000.0
    assert c["city"] == "苏州市"
    assert c["customer_id"].startswith("KH") and len(c["customer_id"]) == 10
    assert result.data["merges"]["evidence"].iat[0] == "信用代码一致"
    conflicts = result.data["conflicts"].set_index("field")
    assert conflicts.loc["mobile", "kept"] == "13912345678"
    assert conflicts.loc["mobile", "other"] == "13812345678"   # the invalid 1381234 is no conflict
    assert "华东销售部 第2行" in conflicts.loc["mobile", "sources"] and "大客户部 第3行" in conflicts.loc["mobile", "sources"]
    assert set(result.data["links"]["outcome"]) == {"并入主档"}


def test_valid_beats_invalid_then_recency_then_frequency(rules):
    records = frame(
        {"name": "恒通物流有限公司", "uscc": CODE_A, "email": "bad@", "bad_fields": {"email"}, "last_coop": dt.date(2026, 9, 1)},
        {"name": "恒通物流有限公司", "uscc": CODE_A, "email": "old@ht.com", "last_coop": dt.date(2024, 1, 1)},
        {"name": "恒通物流有限公司", "uscc": CODE_A, "email": "new@ht.com", "last_coop": dt.date(2026, 1, 1)},
    )
    c = run(records, rules).data["customers"].iloc[0]
    assert c["email"] == "new@ht.com"
    assert c["last_coop"] == dt.date(2026, 9, 1)
    assert "email" not in c["bad_fields"]


def test_name_match_needs_corroboration_and_same_city(rules):
    records = frame(
        {"name": "苏州瑞丰食品有限公司", "city": "苏州市"},
        {"name": "瑞丰食品有限公司", "city": "苏州市"},                 # same city: joins
        {"name": "无锡瑞丰食品有限公司", "city": "无锡市"},             # same brand, another city
        {"name": "瑞丰食品有限公司", "city": None},                     # no corroboration
        {"name": "瑞丰食品有限公司苏州分公司", "city": "苏州市"},       # a branch
        {"name": "瑞峰食品有限公司", "city": "苏州市"},                 # one character different
    )
    result = run(records, rules)
    ids = [customer_of(result, i) for i in range(6)]
    assert ids[0] == ids[1]
    assert len(set(ids)) == 5
    customers = result.data["customers"].set_index("customer_id")
    assert customers.loc[ids[4], "parent_name"] == "瑞丰食品有限公司"
    assert "分支机构" in result.data["links"].loc[4, "reason"]


def test_fuzzy_name_with_shared_mobile_joins(rules):
    records = frame(
        {"name": "博远精密机械制造有限公司", "mobile": "13800000001", "city": "杭州市"},
        {"name": "博远精密机械制遣有限公司", "mobile": "13800000001"},
        {"name": "博远精密机械制造有限公司", "mobile": "13800000002", "city": "深圳市"},
    )
    result = run(records, rules)
    assert customer_of(result, 0) == customer_of(result, 1) != customer_of(result, 2)
    assert "手机一致" in result.data["merges"]["evidence"].iat[0]


def test_same_name_different_codes_stay_apart_with_warning(rules):
    records = frame(
        {"name": "苏州华力电子有限公司", "uscc": CODE_A, "city": "苏州市"},
        {"name": "苏州华力电子有限公司", "uscc": CODE_B, "city": "苏州市"},
    )
    result = run(records, rules)
    assert customer_of(result, 0) != customer_of(result, 1)
    issues = issues_frame(result.issues, rules)
    warn = issues[issues["rule"] == "merge-same-name-different-code"]
    assert len(warn) == 1 and CODE_A in warn["message"].iat[0] and CODE_B in warn["message"].iat[0]


def test_same_code_different_name_merges_with_warning(rules):
    records = frame(
        {"name": "盛达医疗器械有限公司", "uscc": CODE_A, "src_team": "大客户部"},
        {"name": "新盛达集团有限公司", "uscc": CODE_A},
    )
    result = run(records, rules)
    assert customer_of(result, 0) == customer_of(result, 1)
    issues = issues_frame(result.issues, rules)
    warn = issues[issues["rule"] == "merge-same-code-different-name"]
    assert len(warn) == 1 and "新盛达集团有限公司" in warn["message"].iat[0] and "盛达医疗器械有限公司" in warn["message"].iat[0]


def test_cannot_link_chain_never_joins_two_codes(rules):
    # 0 ~ 1 by name and city, 1 ~ 2 by mobile and fuzzy name, 2 has another valid code
    records = frame(
        {"name": "金鼎建材贸易有限公司", "uscc": CODE_A, "city": "青岛市"},
        {"name": "金鼎建材贸易有限公司", "city": "青岛市", "mobile": "13700000001"},
        {"name": "金鼎建材商贸有限公司", "uscc": CODE_B, "mobile": "13700000001"},
    )
    result = run(records, rules)
    links = result.data["links"].merge(records[["row_id", "uscc"]], on="row_id")
    codes = links.dropna(subset=["uscc"]).groupby("customer_id")["uscc"].nunique()
    assert codes.max() == 1
    assert customer_of(result, 0) != customer_of(result, 2)


def test_union_find_refuses_conflicting_codes():
    matches = pd.DataFrame({"i_l": [0, 1, 2], "i_r": [1, 2, 3], "rank": [3, 3, 3],
                            "name_score": [100.0, 100.0, 100.0], "evidence": ["", "", ""]})
    clusters = cluster_records(4, matches, ["A", "", "B", ""])
    labels = clusters.labels
    assert labels[0] == labels[1] and labels[2] == labels[3] and labels[0] != labels[2]
    assert len(clusters.refused) == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["华力电子有限公司", "华力电子科技有限公司", "苏州华力电子有限公司", None]),
                          st.sampled_from([CODE_A, CODE_B, CODE_C, None]),
                          st.sampled_from(["苏州市", "无锡市", None]),
                          st.sampled_from(["13800000001", "13800000002", None])), min_size=1, max_size=12))
def test_no_customer_ever_holds_two_valid_codes(rules, rows):
    records = frame(*[{"name": n, "uscc": c, "city": ci, "mobile": m} for n, c, ci, m in rows])
    result = run(records, rules)
    links = result.data["links"]
    assert sorted(links["row_id"]) == list(range(len(rows)))          # every row accounted for
    joined = links.merge(records[["row_id", "uscc"]], on="row_id").dropna(subset=["customer_id", "uscc"])
    assert (joined.groupby("customer_id")["uscc"].nunique() <= 1).all()
    assert result.data["customers"]["customer_id"].is_unique


def test_persons_merge_by_mobile_unless_names_clearly_differ(rules):
    records = frame(
        {"customer_type": "个人", "name": "张伟", "mobile": "13900000001"},
        {"customer_type": "个人", "name": "张晓伟", "mobile": "13900000001"},
        {"customer_type": "个人", "name": "李娜", "mobile": "13900000001"},   # another person on that phone
        {"customer_type": "个人", "name": "张伟", "mobile": "13900000002"},   # namesake
        {"customer_type": "企业", "name": "张伟", "mobile": "13900000001"},   # never across types
    )
    result = run(records, rules)
    ids = [customer_of(result, i) for i in range(5)]
    assert ids[0] == ids[1] and len(set(ids)) == 4


def test_unidentifiable_rows_are_returned_with_reason(rules):
    records = frame(
        {"name": None, "uscc": None, "mobile": "13800000001"},
        {"name": None, "uscc": CODE_A},                                  # a valid code identifies
        {"customer_type": "个人", "name": None, "mobile": None, "email": "a@b.com"},
        {"name": "", "uscc": "91320594MA1W3XXR5X", "bad_fields": {"uscc"}},
    )
    result = run(records, rules)
    links = result.data["links"].set_index("row_id")
    assert list(links["outcome"]) == ["退回", "并入主档", "退回", "退回"]
    assert links.loc[0, "customer_id"] is None
    assert "统一社会信用代码" in links.loc[0, "reason"] and "手机号码" in links.loc[2, "reason"]
    issues = issues_frame(result.issues, rules)
    bad = issues[issues["rule"] == "row-unidentifiable"]
    assert list(bad["row"]) == [2, 4, 5]
    assert "和手机号码" in bad["message"].iat[1]


def test_absent_columns_are_handled(rules):
    records = pd.DataFrame({"row_id": [0, 1], "name": ["华力电子有限公司", "华力电子有限公司"]})
    result = run(records, rules)
    customers = result.data["customers"]
    assert len(customers) == 2            # no corroboration: not merged
    assert list(customers["customer_type"]) == ["企业", "企业"]


def test_known_identities_keep_numbers(rules):
    known = pd.DataFrame({"key_type": ["uscc", "name", "mobile"],
                          "key_value": [CODE_A, "华力电子@苏州市", "13900000001"],
                          "customer_id": ["KH00000007", "KH00000003", "KH00000012"]})
    records = frame(
        {"name": "苏州华力电子有限公司", "uscc": CODE_A, "city": "苏州市"},   # code wins over the older name id
        {"customer_type": "个人", "name": "王芳", "mobile": "13900000001"},
        {"name": "新客户有限公司", "city": "杭州市"},
    )
    result = run(records, rules, known)
    assert [customer_of(result, i) for i in range(3)] == ["KH00000007", "KH00000012", "KH00000013"]
    ident = result.data["identities"]
    assert {("uscc", CODE_A, "KH00000007"), ("name", "新客户@杭州市", "KH00000013")} <= set(map(tuple, ident.to_numpy()))


def test_steward_decisions_are_applied(rules):
    records = frame(
        {"name": "苏州华力电子有限公司", "uscc": CODE_A, "city": "苏州市"},
        {"name": "华力电子新材料有限公司", "uscc": CODE_B, "city": "苏州市"},
        {"name": "苏州恒通物流有限公司", "city": "苏州市"},
        {"name": "恒通物流有限公司", "city": "苏州市"},
    )
    decided = with_merge_rules(rules, decisions=[
        {"a": CODE_A, "b": CODE_B, "decision": "same"},
        {"a": "苏州恒通物流有限公司", "b": "恒通物流有限公司", "decision": "not_same"},
        {"a": "无此公司", "b": "也无此公司", "decision": "same"},
    ])
    before = run(records, rules)
    assert customer_of(before, 0) != customer_of(before, 1) and customer_of(before, 2) == customer_of(before, 3)
    after = run(records, decided)
    assert customer_of(after, 0) == customer_of(after, 1)
    assert customer_of(after, 2) != customer_of(after, 3)
    rules_issues = issues_frame(after.issues, decided)
    assert "merge-decision-unknown" in set(rules_issues["rule"])


def test_steward_not_same_separates_fuzzy_pair(rules):
    records = frame(
        {"name": "华力电子科技有限公司", "mobile": "13800000001"},
        {"name": "华力电子科枝有限公司", "mobile": "13800000001"},   # a typo, one character
    )
    assert customer_of(run(records, rules), 0) == customer_of(run(records, rules), 1)
    decided = with_merge_rules(rules, decisions=[
        {"a": "华力电子科技有限公司", "b": "华力电子科枝有限公司", "decision": "not_same"}])
    result = run(records, decided)
    assert customer_of(result, 0) != customer_of(result, 1)


def test_pairs_compared_stay_near_linear(rules):
    rng = np.random.default_rng(1)
    n = 3000
    records = frame(*[{"name": f"{'华力恒通金鼎瑞丰'[i % 8]}{i % 997}号电子有限公司", "city": ["苏州市", "无锡市"][i % 2],
                       "mobile": f"138{rng.integers(0, 10**8):08d}"} for i in range(n)])
    stats = run(records, rules).data["merge_stats"]
    assert stats["pairs_compared"] < 20 * n


def test_no_records_give_empty_tables(rules):
    result = run(pd.DataFrame({"row_id": pd.Series(dtype="int64"), "name": pd.Series(dtype=object)}), rules)
    assert result.data["customers"].empty and "customer_id" in result.data["customers"].columns
    assert list(result.data["links"].columns) == ["row_id", "customer_id", "outcome", "reason"]
    assert result.issues == ()
