"""A small run catalog built in code for the writer tests (plus tests of summary.json).

Until pipeline/history.py and pipeline/writers/report.py exist, :func:`install_fakes`
puts tiny stand-ins into ``sys.modules`` (test-only; nothing is written under pipeline/).
"""
from __future__ import annotations

import datetime as dt
import importlib
import sys
import types
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from pipeline.issues import Issue
from pipeline.model import RunOptions
from tests.factories import uscc

AS_OF = dt.date(2026, 11, 30)
FILE = "华东/华东销售部.xlsx"
SHEET = "企业客户"
CODE1 = uscc("91110105MA01ABCD0")
CODE3 = uscc("91320594MA1W3XXR5")
SAVED_RUNS: list = []


def install_fakes() -> None:
    """Stand-ins for pipeline.history when it cannot be imported (the writers are tested on their own)."""
    try:
        importlib.import_module("pipeline.history")
    except ModuleNotFoundError:
        mod = types.ModuleType("pipeline.history")
        mod.save_run = lambda path, month, manifest, customers, identities: SAVED_RUNS.append((path, month))
        mod.load_history = lambda history_path, month: None
        sys.modules["pipeline.history"] = mod
        import pipeline
        pipeline.history = mod
    try:
        importlib.import_module("pipeline.writers.report")
    except ModuleNotFoundError:
        mod = types.ModuleType("pipeline.writers.report")
        mod.write_report = lambda path, data: Path(path).write_text("<html></html>", encoding="utf-8")
        sys.modules["pipeline.writers.report"] = mod


def make_submission(folder: Path) -> Path:
    """华东销售部.xlsx: merged title, header, 4 data rows, a 合计 row, a dropdown and a formula column."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(["华东销售部客户汇总表"])
    ws.merge_cells("A1:G1")
    ws.append(["客户名称", "统一社会信用代码", "省份", "手机号码", "年合作金额", "备注", "金额（万元）"])
    ws.append(["北京星河软件有限公司", CODE1, "北京", "13812345678", 600000, None, "=E3/10000"])
    ws.append(["北京星河软件有限公司", CODE1[:-1] + "0", "北京市", "1385678", 500000, None, "=E4/10000"])
    ws.append(["苏州恒瑞精密机械有限公司", CODE3, "苏州", "13912345678", 300000, None, "=E5/10000"])
    ws.append(["杭州云启网络科技有限公司", None, "浙江省", "13712345678", 80000, None, "=E6/10000"])
    ws.append(["合计", None, None, None, "=SUM(E3:E6)", None, None])
    for coord, text in (("F3", "=1+1"), ("F5", "@SUM(A1)")):
        ws[coord] = text
        ws[coord].data_type = "s"
    dv = DataValidation(type="list", formula1='"北京市,江苏省,浙江省"', allow_blank=True)
    dv.add("C3:C100")
    ws.add_data_validation(dv)
    ws.column_dimensions["A"].width = 33
    path = folder / FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def make_catalog(tmp_path: Path, rules) -> dict:
    inp, out = tmp_path / "input", tmp_path / "output"
    make_submission(inp)
    prov = dict(src_file=FILE, src_sheet=SHEET, src_sha256="ab" * 32, src_team="华东销售部", src_layout="list")
    records = pd.DataFrame([
        {"row_id": 0, "src_row": 3, **prov, "customer_type": "企业", "name": "北京星河软件有限公司", "uscc": CODE1,
         "province": "北京市", "mobile": "13812345678", "annual_amount": 600000.0, "remark": "=1+1"},
        {"row_id": 1, "src_row": 4, **prov, "customer_type": "企业", "name": "北京星河软件有限公司", "uscc": None,
         "province": "北京市", "mobile": None, "annual_amount": 500000.0, "remark": None},
        {"row_id": 2, "src_row": 5, **prov, "customer_type": "企业", "name": "苏州恒瑞精密机械有限公司", "uscc": CODE3,
         "province": "江苏省", "mobile": "13912345678", "annual_amount": 300000.0, "remark": "@SUM(A1)"},
        {"row_id": 3, "src_row": 6, **prov, "customer_type": "企业", "name": "杭州云启网络科技有限公司", "uscc": None,
         "province": "浙江省", "mobile": "13712345678", "annual_amount": 80000.0, "remark": None},
    ])
    source_rows = pd.DataFrame([
        {"src_file": FILE, "src_sheet": SHEET, "src_row": r, "row_id": rid, "outcome": "data", "reason": ""}
        for r, rid in ((3, 0), (4, 1), (5, 2), (6, 3))
    ] + [{"src_file": FILE, "src_sheet": SHEET, "src_row": 7, "row_id": pd.NA, "outcome": "跳过", "reason": "合计行"}])
    source_rows["row_id"] = source_rows["row_id"].astype("Int64")
    files = pd.DataFrame([{"src_file": FILE, "sha256": "ab" * 32, "layout": "list", "sheets": 1,
                           "status": "已处理", "message": ""}])
    columns = pd.DataFrame([
        {"src_file": FILE, "src_sheet": SHEET, "field": f, "column": c, "header": h, "unit": 1.0}
        for f, c, h in (("name", "A", "客户名称"), ("uscc", "B", "统一社会信用代码"), ("province", "C", "省份"),
                        ("mobile", "D", "手机号码"), ("annual_amount", "E", "年合作金额"), ("remark", "F", "备注"))
    ])
    fixes = pd.DataFrame([{"row_id": 0, "src_file": FILE, "src_sheet": SHEET, "src_row": 3, "field": "province",
                           "original": "北京", "fixed": "北京市"},
                          {"row_id": 2, "src_file": FILE, "src_sheet": SHEET, "src_row": 5, "field": "province",
                           "original": "苏州", "fixed": "江苏省"}])
    issues = [
        Issue("uscc-checksum", FILE, SHEET, 4, "uscc", CODE1[:-1] + "0", {"expected": CODE1[-1]}, row_id=1),
        Issue("mobile-invalid", FILE, SHEET, 4, "mobile", "1385678", {"detail": "位数不足"}, row_id=1),
        Issue("recommended-missing", FILE, SHEET, 4, "mobile", "", {"type": "企业"}, column="D", row_id=1),
        Issue("region-mismatch", FILE, SHEET, 5, "province", "苏州",
              {"city": "苏州市", "province": "苏州", "expected": "江苏省"}, row_id=2),
        Issue("column-missing", FILE, SHEET, None, "industry", "", {"count": 4}),
        Issue("enum-unknown", FILE, SHEET, 6, "remark", "=HYPERLINK(\"x\")", {"allowed": "a", "hint": "-1+2"},
              row_id=3),
    ]
    # row 3 is one more row of customer 1 in this catalog; the enum issue is info-free on purpose
    links = pd.DataFrame([
        {"row_id": 0, "customer_id": "KH00000001", "outcome": "并入主档", "reason": ""},
        {"row_id": 1, "customer_id": "KH00000001", "outcome": "并入主档", "reason": "名称相同"},
        {"row_id": 2, "customer_id": "KH00000002", "outcome": "并入主档", "reason": ""},
        {"row_id": 3, "customer_id": None, "outcome": "退回", "reason": "缺少信用代码且无法佐证"},
    ])
    customers = pd.DataFrame([
        {"customer_id": "KH00000001", "customer_type": "企业", "name": "北京星河软件有限公司", "uscc": CODE1,
         "province": "北京市", "city": "北京市", "industry": "软件和信息技术服务业", "industry_code": "I65",
         "mobile": "13812345678", "email": "zhang.san@example.com", "annual_amount": 600000.0,
         "total_amount": 2000000.0, "renewal_rate": 0.95, "satisfaction": 4.8, "last_coop": dt.date(2026, 11, 2),
         "abc": "A", "level": "S", "value_tier": "高价值", "remark": "=1+1", "src_count": 2, "row_ids": (0, 1)},
        {"customer_id": "KH00000002", "customer_type": "企业", "name": "苏州恒瑞精密机械有限公司", "uscc": CODE3,
         "province": "江苏省", "city": "苏州市", "mobile": "13912345678", "annual_amount": 300000.0,
         "total_amount": 900000.0, "renewal_rate": 0.85, "satisfaction": 4.1, "last_coop": dt.date(2026, 10, 10),
         "abc": "B", "level": "A", "value_tier": "中价值", "remark": "@SUM(A1)", "src_count": 1, "row_ids": (2,)},
        {"customer_id": "KH00000003", "customer_type": "个人", "name": "王芳", "mobile": "13612345678",
         "annual_amount": None, "abc": None, "level": None, "value_tier": "低价值", "remark": "-5",
         "src_count": 0, "row_ids": ()},
    ])
    merges = pd.DataFrame([{"customer_id": "KH00000001", "row_ids": (0, 1), "evidence": "客户名称相同且同城"}])
    conflicts = pd.DataFrame([{"customer_id": "KH00000001", "field": "annual_amount", "kept": 600000.0,
                               "other": (500000.0,), "sources": "华东/华东销售部.xlsx 第4行"}])
    related = {"互动记录": pd.DataFrame([{"row_id": 0, "src_file": FILE, "src_sheet": SHEET, "src_row": 3,
                                        "互动日期": dt.date(2026, 11, 1), "互动方式": "拜访", "沟通主题": "=续约"}])}
    reminders = pd.DataFrame([{"customer_id": "KH00000001", "name": "北京星河软件有限公司", "kind": "跟进到期",
                               "date": dt.date(2026, 12, 3), "note": "下次跟进时间 2026-12-03"}])
    identities = pd.DataFrame([{"key_type": "uscc", "key_value": CODE1, "customer_id": "KH00000001"}])
    return {
        "options": RunOptions(input_dir=inp, output_dir=out, as_of=AS_OF), "rules": rules,
        "paths": [inp / FILE], "records": records, "source_rows": source_rows, "files": files,
        "columns": columns, "related": related, "fixes": fixes, "customers": customers, "links": links,
        "merges": merges, "conflicts": conflicts, "identities": identities, "previous": None,
        "reminders": reminders, "issues": issues, "as_of": AS_OF, "month": "2026-11",
    }


# --- summary.json -------------------------------------------------------------------------

def test_summary_counts(tmp_path, rules):
    from pipeline.writers.summary import build_summary

    s = build_summary(make_catalog(tmp_path, rules))
    assert (s["files"], s["rows_read"], s["customers"]) == (1, 5, 3)
    assert (s["merged_rows"], s["rejected_rows"], s["skipped_rows"], s["duplicates_merged"]) == (3, 1, 1, 1)
    assert s["issues_by_severity"] == {"error": 3, "warning": 3, "info": 0}
    assert s["issues_by_rule"]["uscc-checksum"] == 1
    assert s["grades"]["abc"] == {"A": 1, "B": 1, "C": 0}
    assert s["grades"]["level"] == {"S": 1, "A": 1, "B": 0, "C": 0}
    assert s["grades"]["value_tier"] == {"高价值": 1, "中价值": 1, "低价值": 1}
    assert s["month"] == "2026-11" and s["as_of"] == "2026-11-30"
    assert s["manifest"]["inputs"] == [{"file": FILE, "sha256": "ab" * 32, "status": "已处理"}]
    assert s["manifest"]["rules_digest"] == rules.digest and s["manifest"]["version"] == "0.1.0"
