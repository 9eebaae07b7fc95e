"""Grading (docs/grading.md): boundary tests for every threshold, ties, inactivity, missing inputs."""
import datetime as dt

import pandas as pd
import pytest

from pipeline.grade import add_months, derive_tags, grade_customers

AS_OF = dt.date(2026, 11, 30)
RECENT = dt.date(2026, 11, 2)


def _grade(rules, rows, as_of=AS_OF):
    frame = pd.DataFrame(rows)
    return grade_customers(frame, rules, as_of).data["customers"]


def _one(rules, **row):
    base = {"customer_id": "KH00000001", "customer_type": "企业", "last_coop": RECENT}
    return _grade(rules, [{**base, **row}]).iloc[0]


# ---------------------------------------------------------------- 客户等级

@pytest.mark.parametrize("annual, rate, score, expected", [
    (500_000.0, 0.90, 4.5, "S"),          # exactly every S threshold
    (499_999.0, 0.90, 4.5, "A"),          # amount just below
    (500_000.0, 0.89, 4.5, "A"),          # renewal just below
    (500_000.0, 0.90, 4.4, "A"),          # satisfaction just below
    (200_000.0, 0.80, 4.0, "A"),
    (199_999.0, 0.80, 4.0, "B"),
    (200_000.0, 0.79, 4.0, "B"),
    (200_000.0, 0.80, 3.9, "B"),
    (50_000.0, 0.60, 3.5, "B"),
    (49_999.0, 0.60, 3.5, "C"),
    (50_000.0, 0.59, 3.5, "C"),
    (50_000.0, 0.60, 3.4, "C"),
    (9_000_000.0, 1.0, 2.0, "C"),         # all three conditions must hold
])
def test_level_thresholds_are_inclusive(rules, annual, rate, score, expected):
    row = _one(rules, annual_amount=annual, renewal_rate=rate, satisfaction=score)
    assert row["level"] == expected
    assert row["level_rule"] == f"level.{expected}"


def test_level_rate_parsed_from_percent_meets_threshold(rules):
    row = _one(rules, annual_amount=500_000.0, renewal_rate=90 / 100, satisfaction=4.5)
    assert row["level"] == "S"


def test_basis_names_numbers(rules):
    row = _one(rules, annual_amount=620_000.0, renewal_rate=0.92, satisfaction=4.6,
               total_amount=1_000_000.0, strategic="否")
    assert row["grade_basis"].startswith("年合作金额 62.0万元≥50万，续约率 92%≥90%，满意度 4.6≥4.5 → S；")
    assert "年合作金额 62.0万元≥50万 → 高价值" in row["grade_basis"]


def test_catch_all_basis_says_what_fell_short(rules):
    row = _one(rules, annual_amount=30_000.0, renewal_rate=0.95, satisfaction=4.8)
    assert row["level"] == "C"
    assert "年合作金额 3.0万元<5万" in row["grade_basis"]
    assert "满意度" not in row["grade_basis"].split("；")[0]


def test_basis_does_not_round_across_a_threshold(rules):
    row = _one(rules, annual_amount=49_999.0, renewal_rate=0.6, satisfaction=3.5)
    assert "4.9999万元<5万" in row["grade_basis"]


# ---------------------------------------------------------------- inactivity

@pytest.mark.parametrize("day, months, expected", [
    (dt.date(2026, 8, 5), 3, dt.date(2026, 11, 5)),
    (dt.date(2026, 8, 31), 3, dt.date(2026, 11, 30)),   # clipped to the month's end
    (dt.date(2025, 11, 30), 3, dt.date(2026, 2, 28)),   # across a year end
    (dt.date(2026, 10, 15), 3, dt.date(2027, 1, 15)),
])
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def test_three_months_without_cooperation_by_date_makes_c_even_for_an_s_customer(rules):
    s_inputs = dict(annual_amount=900_000.0, renewal_rate=0.99, satisfaction=5.0)
    frame = _grade(rules, [
        {"customer_id": "a", "last_coop": dt.date(2026, 8, 31), **s_inputs},   # C from 11-30 (clipped)
        {"customer_id": "b", "last_coop": dt.date(2026, 8, 5), **s_inputs},    # C from 11-05
        {"customer_id": "c", "last_coop": dt.date(2026, 9, 1), **s_inputs},    # C from 12-01
    ], as_of=dt.date(2026, 11, 30))
    assert list(frame["level"]) == ["C", "C", "S"]
    assert frame.loc[1, "level_rule"] == "level.inactive"
    assert frame.loc[1, "grade_basis"].startswith("最近合作时间 2026-08-05，2026-11-05 起已连续3个月无合作 → C")


@pytest.mark.parametrize("as_of, level", [
    (dt.date(2026, 11, 4), "S"), (dt.date(2026, 11, 5), "C"), (dt.date(2026, 11, 6), "C")])
def test_three_month_boundary(rules, as_of, level):
    row = {"customer_id": "a", "customer_type": "企业", "last_coop": dt.date(2026, 8, 5),
           "annual_amount": 900_000.0, "renewal_rate": 0.99, "satisfaction": 5.0}
    assert _grade(rules, [row], as_of=as_of).iloc[0]["level"] == level


def test_inactivity_applies_even_when_inputs_are_missing(rules):
    row = _one(rules, last_coop=dt.date(2026, 1, 5))
    assert row["level"] == "C" and row["level_rule"] == "level.inactive"


# ---------------------------------------------------------------- missing inputs

def test_missing_inputs_name_the_fields(rules):
    row = _one(rules, annual_amount=600_000.0, renewal_rate=None, satisfaction=float("nan"))
    assert pd.isna(row["level"])
    assert row["level_rule"] == "level.missing"
    assert "缺少续约率、满意度" in row["grade_basis"]


def test_absent_columns_are_handled(rules):
    frame = _grade(rules, [{"customer_id": "KH1"}, {"customer_id": "KH2"}])
    assert frame["level"].isna().all() and frame["abc"].isna().all() and frame["value_tier"].isna().all()
    basis = frame.loc[0, "grade_basis"]
    assert "缺少年合作金额、续约率、满意度" in basis
    assert "缺少累计合作金额" in basis


def test_renewal_rate_not_required_for_individuals(rules):
    row = _one(rules, customer_type="个人", annual_amount=600_000.0, satisfaction=4.8)
    assert row["level"] == "S"
    assert "续约率" not in row["grade_basis"].split("；")[0]


def test_empty_frame(rules):
    out = grade_customers(pd.DataFrame({"customer_id": []}), rules, AS_OF).data["customers"]
    assert out.empty and "level" in out.columns and "grade_basis" in out.columns


def test_input_frame_is_not_mutated(rules):
    frame = pd.DataFrame([{"customer_id": "KH1", "annual_amount": 1.0}])
    before = frame.copy()
    grade_customers(frame, rules, AS_OF)
    pd.testing.assert_frame_equal(frame, before)


# ---------------------------------------------------------------- ABC

def test_abc_top_20_and_50_percent(rules):
    rows = [{"customer_id": f"K{i:02d}", "total_amount": float(1000 - i)} for i in range(10)]
    frame = _grade(rules, rows)
    assert list(frame["abc"]) == ["A"] * 2 + ["B"] * 3 + ["C"] * 5
    assert "累计合作金额排名前 10%（第 1/10）→ A" in frame.loc[0, "grade_basis"]


def test_abc_count_is_rounded_up(rules):
    # 7 customers: A = ceil(1.4) = 2, A+B = ceil(3.5) = 4
    rows = [{"customer_id": f"K{i}", "total_amount": float(100 - i)} for i in range(7)]
    assert list(_grade(rules, rows)["abc"]) == ["A", "A", "B", "B", "C", "C", "C"]
    # 35 customers: 20 % is 7 exactly (no float error may make it 8)
    rows = [{"customer_id": f"K{i}", "total_amount": float(1000 - i)} for i in range(35)]
    assert (_grade(rules, rows)["abc"] == "A").sum() == 7


def test_abc_ties_at_a_boundary_get_the_better_grade(rules):
    amounts = [900.0, 500.0, 500.0, 400.0, 300.0, 200.0, 100.0, 50.0, 20.0, 10.0]
    frame = _grade(rules, [{"customer_id": f"K{i}", "total_amount": a} for i, a in enumerate(amounts)])
    assert list(frame["abc"][:3]) == ["A", "A", "A"]      # 2nd and 3rd tie at the A boundary
    assert frame.loc[1, "abc"] == frame.loc[2, "abc"]
    assert "第 2/10" in frame.loc[2, "grade_basis"]


def test_abc_missing_and_zero_amounts(rules):
    frame = _grade(rules, [
        {"customer_id": "a", "total_amount": 100.0},
        {"customer_id": "b", "total_amount": None},
        {"customer_id": "c", "total_amount": 0.0},
    ])
    assert frame.loc[0, "abc"] == "A"
    assert pd.isna(frame.loc[1, "abc"]) and "缺少累计合作金额" in frame.loc[1, "grade_basis"]
    assert frame.loc[2, "abc"] == "C" and frame.loc[2, "abc_rule"] == "abc.zero"


# ---------------------------------------------------------------- 价值层级

@pytest.mark.parametrize("annual, strategic, tier", [
    (500_000.0, "否", "高价值"),
    (499_999.0, "否", "中价值"),
    (100_000.0, None, "中价值"),
    (99_999.0, "否", "低价值"),
    (1.0, "是", "高价值"),
    (None, "是", "高价值"),
])
def test_value_tier(rules, annual, strategic, tier):
    assert _one(rules, annual_amount=annual, strategic=strategic)["value_tier"] == tier


def test_value_tier_missing_amount(rules):
    row = _one(rules, annual_amount=None, strategic="否")
    assert pd.isna(row["value_tier"]) and row["value_rule"] == "value.missing"
    assert "缺少年合作金额，无法评定价值层级" in row["grade_basis"]


# ---------------------------------------------------------------- 需求标签

def test_need_tags_from_keywords_keep_submitted_tags(rules):
    row = _one(rules, core_need="希望降低采购成本，同时提升系统稳定性，需要定制开发", need_tags="服务优先")
    assert row["need_tags"] == "服务优先、成本敏感、技术导向、定制需求"


def test_need_tags_none_without_text(rules):
    spec = rules.tags
    assert derive_tags(None, None, spec) is None
    assert derive_tags("", "成本敏感,交付时效", spec) == "成本敏感、交付时效"
    assert derive_tags("ＡＰＩ对接", None, spec) == "技术导向"   # full-width letters folded
