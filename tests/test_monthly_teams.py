"""A team that sent its file last month and nothing this month: the steward is told so (CLI,
本月待办, summary.json) instead of learning it from a list of customers marked 未再提交."""
from __future__ import annotations

import json

from click.testing import CliRunner

from pipeline.cli import cli
from tests.factories import make_workbook

HEADER = ["客户名称", "手机号码", "城市", "所属行业"]


def _run(inp, out, as_of):
    result = CliRunner().invoke(cli, ["run", "-q", "--input", str(inp), "--output", str(out), "--as-of", as_of])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_team_that_did_not_submit_this_month_is_on_the_to_do_list(tmp_path):
    nov, dec, out = tmp_path / "nov", tmp_path / "dec", tmp_path / "output"
    make_workbook(nov, "华东销售部_客户名单.xlsx", {"企业客户": [HEADER, ["苏州华力电子有限公司", "13912340001", "苏州", "软件"]]})
    make_workbook(nov, "华南区域_客户资料.xlsx", {"企业客户": [HEADER, ["厦门盛天信息技术有限公司", "13112340001", "厦门", "软件"],
                                                          ["广州润天化工有限责任公司", "13112340002", "广州", "化工"]]})
    first = _run(nov, out, "2026-11-30")
    assert "本月未提交" not in first                                  # no earlier month: nothing to miss
    make_workbook(dec, "华东销售部_客户名单.xlsx", {"企业客户": [HEADER, ["苏州华力电子有限公司", "13912340001", "苏州", "软件"]]})
    second = _run(dec, out, "2026-12-03")
    assert "本月未提交的团队 1 个（上月提交过）：华南区域（上次提交在 2026-11）" in second
    summary = json.loads((out / "2026-12" / "summary.json").read_text(encoding="utf-8"))
    assert summary["teams_missing"] == [{"team": "华南区域", "last_month": "2026-11", "rows": 2}]
    html = (out / "2026-12" / "report.html").read_text(encoding="utf-8")
    card = html[html.index('data-todo-missing="华南区域"'):]
    card = card[:card.index("</article>")]
    assert "本月未提交" in card and "上次提交在 2026-11（2 行）" in card
    # the team's file arrives: rerun the month, the card is gone
    make_workbook(dec, "华南区域_客户资料.xlsx", {"企业客户": [HEADER, ["厦门盛天信息技术有限公司", "13112340001", "厦门", "软件"]]})
    third = _run(dec, out, "2026-12-03")
    assert "本月未提交" not in third
    assert "data-todo-missing" not in (out / "2026-12" / "report.html").read_text(encoding="utf-8")


def test_a_csv_team_sending_back_its_returned_workbook_gets_the_comparison(tmp_path):
    """A .csv comes back as .xlsx (returns/…); the team corrects that workbook and sends it in:
    it replaces the .csv and is compared with it, as the guide promises (复核结果)."""
    from openpyxl import load_workbook

    from tests.factories import make_csv

    first, second, out = tmp_path / "first", tmp_path / "second", tmp_path / "output"
    make_csv(first, "华南区域_客户资料.csv", [HEADER, ["厦门盛天信息技术有限公司", "1391234", "厦门", "软件"],
                                            ["广州润天化工有限责任公司", "13112340002", "广州", "化工"]])
    _run(first, out, "2026-11-30")
    wb = load_workbook(out / "2026-11" / "returns" / "华南区域_客户资料.xlsx")
    data = wb[[n for n in wb.sheetnames if n not in ("问题清单", "列映射")][0]]
    assert data["B2"].value == "1391234"
    data["B2"] = "13912340001"                                         # the short mobile fixed
    second.mkdir()
    wb.save(second / "华南区域_客户资料.xlsx")
    output = _run(second, out, "2026-11-30")
    assert "华南区域_客户资料.csv：未采用——已被新版本“华南区域_客户资料.xlsx”替代" in output
    back = load_workbook(out / "2026-11" / "returns" / "华南区域_客户资料.xlsx", read_only=True)
    assert "与上次提交对比" in back.sheetnames
    rows = list(back["与上次提交对比"].iter_rows(values_only=True))
    head = rows[0]
    fixed = [dict(zip(head, r)) for r in rows[1:] if r[0] == "已修正"]
    assert [(r["客户名称"], r["字段"], r["上次的值"], r["本次的值"], r["上次提交"]) for r in fixed] == [
        ("厦门盛天信息技术有限公司", "手机号码", "1391234", "13912340001", "华南区域_客户资料.csv（2026-11）")]
