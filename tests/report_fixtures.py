"""A run catalog built in code for the report tests (and for looking at the page)."""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pandas as pd

from pipeline.grade import grade_customers
from pipeline.issues import ISSUE_COLUMNS
from pipeline.model import FILE_COLUMNS, RunOptions

AS_OF = dt.date(2026, 11, 30)
TEAMS = ["华东销售部", "大客户部", "华南销售部", "西南销售部"]
PROVINCES = [("江苏省", "华东"), ("浙江省", "华东"), ("上海市", "华东"), ("广东省", "华南"), ("四川省", "西南"),
             ("北京市", "华北"), ("湖北省", "华中"), ("辽宁省", "东北"), ("陕西省", "西北")]
SECTIONS = ["制造业", "信息传输、软件和信息技术服务业", "批发和零售业", "建筑业", "金融业", "交通运输、仓储和邮政业"]
BANDS = ["少于50人", "50-100人", "100-200人", "200-500人", "500-1000人", "1000人以上"]
NEEDS = ["希望降低采购成本，提升系统稳定性", "需要提高系统兼容性，支持与ERP对接", "关注交付周期和售后服务",
         "要求私有化部署，保证数据安全", "希望有专人驻场培训，响应速度要快", "需要定制开发报表功能", "预算有限，关注性价比"]
ISSUE_KINDS = [("mobile-invalid", "error", "手机号码", "1385678", "手机号码“1385678”无效：位数不对", "应为 11 位手机号，以 13–19 开头，例如 13812345678"),
               ("uscc-checksum", "error", "统一社会信用代码", "91320594MA1W3XXR5B", "统一社会信用代码“91320594MA1W3XXR5B”校验位错误", "校验位应为 A，请核对营业执照"),
               ("industry-vague", "warning", "所属行业", "科技", "行业“科技”过于笼统，无法确定行业大类", "请填写具体行业，例如“软件和信息技术服务业”"),
               ("email-invalid", "error", "电子邮箱", "zhang.san@@example.com", "电子邮箱“zhang.san@@example.com”格式不正确：多个 @", "应类似 name@example.com"),
               ("date-month-only", "warning", "最近合作时间", "2026-05", "“最近合作时间”只填写了年月“2026-05”，已按当月 1 日（2026-05-01）处理", "如知道具体日期请补充"),
               ("column-unknown", "info", "", "", "无法识别的列“客户经理”，已作为扩展列保留在客户主档", "")]


def make_catalog(rules, customers: int = 60, issues: int = 120, seed: int = 7, core_need: bool = True) -> dict:
    rnd = random.Random(seed)
    files = [f"{t}_2026年11月客户信息.xlsx" for t in TEAMS]
    cust_rows, records, source_rows, links = [], [], [], []
    row_id = 0
    for i in range(customers):
        f = files[i % len(files)]
        province, region = rnd.choice(PROVINCES)
        amount = rnd.choice([None] + [rnd.lognormvariate(12, 1.2) for _ in range(6)])
        cust_rows.append({
            "customer_id": f"KH{i + 1:08d}", "customer_type": "企业" if i % 5 else "个人",
            "name": f"苏州测试科技有限公司{i}", "province": province, "region": region,
            "industry_section": rnd.choice(SECTIONS), "employees": rnd.choice(BANDS + [None]),
            "mobile": f"138{rnd.randrange(10**8):08d}", "email": f"user{i}@example.com",
            "annual_amount": None if amount is None else amount / 3, "total_amount": amount,
            "renewal_rate": rnd.choice([None, 0.5, 0.7, 0.85, 0.95]), "satisfaction": rnd.choice([3.0, 3.8, 4.2, 4.7]),
            "last_coop": AS_OF - dt.timedelta(days=rnd.randrange(0, 200)), "strategic": rnd.choice(["是", "否", None]),
            "core_need": rnd.choice(NEEDS) if core_need else None, "need_tags": None,
        })
        for _ in range(rnd.choice([1, 1, 2])):
            records.append({"row_id": row_id, "src_file": f, "src_sheet": "企业客户", "src_row": row_id + 3,
                            "src_team": TEAMS[files.index(f)]})
            source_rows.append({"src_file": f, "src_sheet": "企业客户", "src_row": row_id + 3, "row_id": row_id,
                                "outcome": "data", "reason": ""})
            links.append({"row_id": row_id, "customer_id": f"KH{i + 1:08d}", "outcome": "并入主档", "reason": ""})
            row_id += 1
    for f in files[:2]:
        records.append({"row_id": row_id, "src_file": f, "src_sheet": "企业客户", "src_row": row_id + 3, "src_team": ""})
        source_rows.append({"src_file": f, "src_sheet": "企业客户", "src_row": row_id + 3, "row_id": row_id,
                            "outcome": "data", "reason": ""})
        links.append({"row_id": row_id, "customer_id": None, "outcome": "退回", "reason": "没有客户名称和信用代码"})
        row_id += 1
        source_rows.append({"src_file": f, "src_sheet": "企业客户", "src_row": 999, "row_id": pd.NA,
                            "outcome": "跳过", "reason": "合计行"})
    customer_frame = grade_customers(pd.DataFrame(cust_rows), rules, AS_OF).data["customers"]
    issue_rows = []
    for k in range(issues):
        code, sev, field, value, message, suggestion = ISSUE_KINDS[rnd.randrange(len(ISSUE_KINDS))] if k % 3 else ISSUE_KINDS[k % 2]
        issue_rows.append({"file": files[rnd.randrange(len(files))] if k % 4 else files[0], "sheet": "企业客户",
                           "row": rnd.randrange(3, 300), "column": "F", "field": field, "rule": code,
                           "severity": sev, "value": value, "message": message, "suggestion": suggestion})
    issue_table = pd.DataFrame(issue_rows, columns=ISSUE_COLUMNS)
    file_frame = pd.DataFrame([{"src_file": f, "sha256": "0" * 64, "layout": "list", "sheets": 2,
                                "status": "已处理", "message": ""} for f in files], columns=FILE_COLUMNS)
    file_frame.loc[len(file_frame)] = ["损坏的文件.xlsx", "1" * 64, "", 0, "已拒收", "文件无法读取（不是有效的 xlsx）"]
    catalog = {
        "rules": rules, "as_of": AS_OF, "month": AS_OF.strftime("%Y-%m"),
        "options": RunOptions(input_dir=Path("input"), output_dir=Path("output"), as_of=AS_OF),
        "issue_table": issue_table, "customers": customer_frame, "files": file_frame,
        "records": pd.DataFrame(records), "source_rows": pd.DataFrame(source_rows), "links": pd.DataFrame(links),
        "merges": pd.DataFrame(columns=["customer_id", "row_ids", "evidence"]),
        "conflicts": pd.DataFrame(columns=["customer_id", "field", "kept", "other", "sources"]),
    }
    return catalog


def with_summary(catalog: dict) -> dict:
    from pipeline.writers.summary import build_summary

    return {**catalog, "summary": build_summary(catalog)}
