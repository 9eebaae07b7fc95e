"""The review queue end to end: a near pair lands on 疑似重复, the steward picks 是同一客户 in
the workbook, the next run merges the pair and remembers the decision."""
from __future__ import annotations

import shutil

from click.testing import CliRunner
from openpyxl import load_workbook

from pipeline.cli import cli
from pipeline.history import read_table
from tests.factories import make_workbook

HEADER = ["客户名称", "所属行业", "省份", "城市", "联系人", "手机号码"]


def _run(inp, out, as_of="2026-11-30"):
    result = CliRunner().invoke(cli, ["run", "--input", str(inp), "--output", str(out), "--as-of", as_of, "--force", "-q"])
    assert result.exit_code == 0, result.output
    return load_workbook(out / as_of[:7] / "customers.xlsx")


def _submission(inp, *extra_rows):
    make_workbook(inp, "华东销售部.xlsx", sheets={"企业客户": [
        HEADER,
        ["苏州华力电子有限公司", "电子器件制造", "江苏", "苏州", "王磊", "13812345678"],
        ["苏州华立电子有限公司", "电子器件制造", "江苏", "苏州", "李娜", "13912345678"],
        *extra_rows,
    ]})


def _customers(wb) -> list[str]:
    ws = wb["客户主档"]
    col = [c.value for c in ws[1]].index("客户名称")
    return sorted(r[col] for r in ws.iter_rows(min_row=2, values_only=True) if r[col])


def test_steward_decides_a_near_pair_in_the_workbook(tmp_path):
    inp, out = tmp_path / "input", tmp_path / "output"
    _submission(inp, ["无锡恒通物流有限公司", "道路运输业", "江苏", "无锡", "赵强", "13712345678"])
    wb = _run(inp, out)
    assert "华立" in "".join(_customers(wb)) and len(_customers(wb)) == 3   # one character apart: not merged
    ws = wb["疑似重复"]
    header = [c.value for c in ws[1]]
    pair = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]
    assert len(pair) == 1
    row = dict(zip(header, pair[0]))
    assert {row["客户名称A"], row["客户名称B"]} == {"苏州华力电子有限公司", "苏州华立电子有限公司"}
    assert row["依据"] == "名称仅差一字，同在苏州市" and row["名称相似度"] == 75
    validations = ws.data_validations.dataValidation
    assert any('"是同一客户,不是同一客户"' in (v.formula1 or "") for v in validations)

    # the steward picks 是同一客户 in this month's workbook and runs the month again
    decision_col = header.index("决定") + 1
    path = out / "2026-11" / "customers.xlsx"
    ws.cell(row=2, column=decision_col, value="是同一客户")
    wb.save(path)
    again = _run(inp, out)
    assert len(_customers(again)) == 2
    assert [r for r in again["疑似重复"].iter_rows(min_row=2, values_only=True) if r[0]] == []
    remembered = read_table(out / "history.sqlite", "merge_decisions")
    assert remembered[["decision"]].to_dict("records") == [{"decision": "same"}]

    # next month: the decision comes from the history store, no workbook needed
    shutil.rmtree(out / "2026-11")
    assert len(_customers(_run(inp, out, "2026-12-31"))) == 2


def test_a_review_workbook_in_input_is_read_for_decisions_not_as_customers(tmp_path):
    inp, out = tmp_path / "input", tmp_path / "output"
    _submission(inp)
    wb = _run(inp, out)
    ws = wb["疑似重复"]
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("决定") + 1, value="不是同一客户")
    wb.save(inp / "疑似重复_已判定.xlsx")
    shutil.rmtree(out)
    again = _run(inp, out)
    assert len(_customers(again)) == 2                     # the copy added no customers
    sources = [r for r in again["来源明细"].iter_rows(min_row=2, values_only=True)]
    assert all(r[1] != "疑似重复_已判定.xlsx" for r in sources)
    assert [r for r in again["疑似重复"].iter_rows(min_row=2, values_only=True) if r[0]] == []  # decided
    issues = (out / "2026-11" / "issues.csv").read_text(encoding="utf-8-sig")
    assert "merge-review-file" in issues


def test_a_decision_typed_instead_of_picked_is_read_or_reported(tmp_path):
    """WPS or a paste bypasses the dropdown: 是 means 是同一客户 (rules/merge.yaml same_words);
    a 决定 the rules do not know (待定) is a warning naming the cell, not silently ignored."""
    inp, out = tmp_path / "input", tmp_path / "output"
    _submission(inp, ["无锡恒通物流有限公司", "道路运输业", "江苏", "无锡", "赵强", "13712345678"],
                ["无锡恒远物流有限公司", "道路运输业", "江苏", "无锡", "钱勇", "13612345678"])
    wb = _run(inp, out)
    ws = wb["疑似重复"]
    header = [c.value for c in ws[1]]
    rows = {r[header.index("客户名称A")]: n for n, r in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2)}
    col = header.index("决定") + 1
    ws.cell(row=rows["苏州华力电子有限公司"], column=col, value=" 是 ")
    ws.cell(row=rows["无锡恒通物流有限公司"], column=col, value="待定")
    wb.save(out / "2026-11" / "customers.xlsx")
    again = _run(inp, out)
    assert "苏州华立电子有限公司" not in _customers(again) and len(_customers(again)) == 3
    issues = (out / "2026-11" / "issues.csv").read_text(encoding="utf-8-sig").splitlines()
    unknown = [line for line in issues if "merge-review-decision-unknown" in line]
    letter = chr(ord("A") + col - 1)
    assert unknown == [f"2026-11/customers.xlsx,疑似重复,{rows['无锡恒通物流有限公司']},{letter},,"
                       "merge-review-decision-unknown,warning,待定,“决定”一栏填的是“待定”，无法判断是不是同一客户，"
                       "这一对本次未按人工判定处理,请在下拉框中选择“是同一客户”或“不是同一客户”后重新运行"]
