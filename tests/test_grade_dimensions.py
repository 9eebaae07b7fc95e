"""A grade dimension is a section of rules/grading.yaml only (docs/where-things-go.md): a copy of
the rules with one more section grades every customer by it, in 客户主档 and in 分级依据."""
import csv
import datetime as dt
import json
import shutil

import pytest
from openpyxl import load_workbook

from pipeline.api import run_pipeline
from pipeline.model import RunOptions
from pipeline.rules import DEFAULT_RULES_DIR, RulesError, load_rules

AS_OF = dt.date(2026, 11, 30)
RISK = """
risk:
  name: 流失风险
  inputs: [satisfaction, renewal_rate, status]
  levels:
    - {grade: 高, satisfaction: {below: 3.0}}
    - grade: 高
      rule: 高.status
      any:
        - {status: {in: [流失客户, 潜在客户]}}
    - {grade: 中, renewal_rate: {at_most: 0.5}}
    - {grade: 低}
"""
ROWS = [  # 客户名称, 客户类型, 统一社会信用代码, 满意度, 续约率, 客户状态, expected 流失风险, its 分级依据 part
    ("苏州恒远精密机械有限公司", "企业", "91320505MA1X2Y3Z4A", "2.5", "90%", "合作中", "高", "满意度 2.5<3.0 → 高"),
    ("杭州明川软件有限公司", "企业", "91330106MA2B3C4D5E", "4.6", "40%", "合作中", "中", "续约率 40%≤50% → 中"),
    ("南京启航物流有限公司", "企业", "91320105MA3C4D5E6F", "4.2", "95%", "流失", "高", "客户状态为流失客户 → 高"),
    ("无锡宏达电子有限公司", "企业", "91320214MA4D5E6F7G", "4.8", "92%", "合作中", "低", "续约率 92%>50% → 低"),
]


def _rules_with_risk(tmp_path, extra=RISK):
    rules_dir = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules_dir)
    with (rules_dir / "grading.yaml").open("a", encoding="utf-8") as fh:
        fh.write(extra)
    return load_rules(rules_dir)


@pytest.fixture(scope="module")
def risk_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("risk")
    rules = _rules_with_risk(root)
    inp = root / "input"
    inp.mkdir()
    with (inp / "华东销售部_客户.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["客户名称", "客户类型", "统一社会信用代码", "满意度", "续约率", "客户状态"])
        w.writerows(r[:6] for r in ROWS)
    result = run_pipeline(RunOptions(input_dir=inp, output_dir=root / "output", as_of=AS_OF), rules)
    return result.output_dir


def test_new_dimension_is_a_column_of_the_master_sheet(risk_run):
    ws = load_workbook(risk_run / "customers.xlsx")["客户主档"]
    header = [c.value for c in ws[1]]
    assert "流失风险" in header and header.index("流失风险") < header.index("分级依据")
    rows = {r[header.index("客户名称")]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    for name, *_, grade, part in ROWS:
        assert rows[name][header.index("流失风险")] == grade, name
        assert part in rows[name][header.index("分级依据")], (name, rows[name][header.index("分级依据")])


def test_new_dimension_is_counted_in_the_summary(risk_run):
    grades = json.loads((risk_run / "summary.json").read_text(encoding="utf-8"))["grades"]
    assert grades["risk"] == {"高": 2, "中": 1, "低": 1}


def test_a_dimension_without_a_catch_all_or_with_an_undeclared_input_is_refused(tmp_path):
    broken = RISK.replace("    - {grade: 低}\n", "").replace("status]", "]")
    with pytest.raises(RulesError) as err:
        _rules_with_risk(tmp_path, broken)
    text = str(err.value)
    assert "risk.levels 最后一级必须是没有条件的兜底级别" in text
    assert "status 未列在 risk.inputs 中" in text


def test_a_value_outside_the_fields_enum_is_refused(tmp_path):
    with pytest.raises(RulesError) as err:
        _rules_with_risk(tmp_path, RISK.replace("[流失客户, 潜在客户]", "[流失客户, 停用了]"))
    assert "“停用了”不是枚举" in str(err.value)


def test_a_basis_placeholder_the_dimension_cannot_fill_is_refused(tmp_path):
    broken = RISK.replace("    - {grade: 低}\n", '    - {grade: 低, basis: "{values[remark]} {oops} → {grade}"}\n')
    with pytest.raises(RulesError) as err:
        _rules_with_risk(tmp_path, broken)
    text = str(err.value)
    assert "{values[remark]} 不是本维度 inputs 中的字段" in text and "{oops} 未知" in text
