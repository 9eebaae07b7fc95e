"""The sales guides' own fields reach 客户主档 and the role views: workbooks laid out and
filled the way the guides show them (a list with the sales-tool field list, the field-list
form with its example values)."""
import csv
import datetime as dt

import pytest
from openpyxl import load_workbook

from pipeline.api import run_pipeline
from pipeline.model import RunOptions
from tests.factories import make_workbook, uscc

CODE = uscc("91320594MA1W3XXR5")
AS_OF = dt.date(2026, 11, 30)

# The sales tool's example form fields, as a list (one customer per row).
SALES_TOOL = [
    ["客户全称", "统一社会信用代码", "所属行业", "决策人姓名", "职位", "手机号码", "核心需求描述", "预算范围",
     "需求阶段", "决策链", "最近跟进时间", "客户反馈", "客户编号", "负责销售", "客户分类", "沟通偏好",
     "官网", "注册地址", "注册资本", "首次接触时间", "其他联系方式"],
    ["苏州恒信精密机械有限公司", CODE, "通用设备制造业", "张总", "采购总监", "13800138000", "降本增效",
     "10-20万", "成交意向", "复杂决策", "2026-11-20", "感兴趣", "HD-0012", "王磊", "老客户", "电话",
     "www.hengxin.com", "江苏省苏州市工业园区星湖街328号", "500万元", "2026年3月5日", "wx_zhang"],
]


def _run(tmp_path, files):
    inp, out = tmp_path / "input", tmp_path / "output"
    for name, sheets in files.items():
        make_workbook(inp, name, sheets)
    res = run_pipeline(RunOptions(input_dir=inp, output_dir=out, as_of=AS_OF))
    return res, out / "2026-11"


def _sheet(path, name):
    ws = load_workbook(path, read_only=True)[name]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]], list(rows[0])


@pytest.fixture
def sales_tool(tmp_path):
    return _run(tmp_path, {"华东销售部_客户信息.xlsx": {"客户": SALES_TOOL}})


def test_seed_fields_reach_the_master(sales_tool):
    res, month = sales_tool
    rows, header = _sheet(month / "customers.xlsx", "客户主档")
    assert header[:8] == ["客户编号", "客户类型", "客户名称", "统一社会信用代码", "省份", "城市", "所属行业", "行业代码"]
    row = rows[0]
    assert row["客户编号"].startswith("KH") and row["原客户编号"] == "HD-0012"
    assert (row["联系人"], row["职位"]) == ("张总", "采购总监")
    assert (row["需求阶段"], row["决策链"], row["客户反馈"]) == ("成交意向", "复杂决策", "感兴趣")
    assert row["最近跟进时间"].date() == dt.date(2026, 11, 20) and row["下次跟进时间"] is None
    assert row["首次接触时间"].date() == dt.date(2026, 3, 5)
    assert (row["负责销售"], row["所属团队"], row["客户分类"], row["沟通偏好"]) == ("王磊", "华东销售部", "老客户", "电话")
    assert row["注册地址"] == "江苏省苏州市工业园区星湖街328号" and row["注册资本"] == 5000000
    assert row["其他联系方式"] == "wx_zhang" and row["客户类型"] == "企业"
    # 最近跟进时间 is a follow-up that happened: never an overdue planned one
    with open(month / "issues.csv", encoding="utf-8-sig") as fh:
        rules_hit = {r["rule"] for r in csv.DictReader(fh)}
    assert "column-unknown" not in rules_hit
    reminders, _ = _sheet(month / "customers.xlsx", "提醒清单")
    assert not [r for r in reminders if r["提醒类型"] == "跟进逾期"]


def test_seed_fields_in_role_views(sales_tool):
    _, month = sales_tool
    wb = load_workbook(month / "views" / "销售部.xlsx", read_only=True)
    header = [c for c in next(wb[wb.sheetnames[0]].iter_rows(values_only=True))]
    assert {"需求阶段", "决策链", "客户反馈", "负责销售", "原客户编号", "最近跟进时间"} <= set(header)
    wb = load_workbook(month / "views" / "财务部.xlsx", read_only=True)
    header = [c for c in next(wb[wb.sheetnames[0]].iter_rows(values_only=True))]
    assert "原客户编号" in header and "需求阶段" not in header and "沟通偏好" not in header
