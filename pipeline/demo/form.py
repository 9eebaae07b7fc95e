"""The label/value customer form (docs/intake.md, “Forms”) (one customer per workbook)."""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

from . import data
from .plan import FileSpec, Manifest
from .population import Company, Population, make_landline, make_person_name
from .sheets import FileModel, SheetModel

LAST_COL = 6   # columns A..G


def _section(sheet: SheetModel, title: str) -> None:
    sheet.add("data", [])
    sheet.add("section", [title], merge_to=LAST_COL)


def build_form(spec: FileSpec, pop: Population, rng: random.Random, manifest: Manifest) -> FileModel:
    entry = spec.entries[0]
    c: Company = entry.entity
    sheet = SheetModel("客户维护表", widths=[18, 30, 22, 26, 22, 24, 12])
    sheet.add("title", ["客户信息维护与收集表"], merge_to=LAST_COL)
    sheet.add("note", ["填表部门：大客户部", None, None, "填表日期：2026-11-20"])
    _section(sheet, "一、客户基础信息")
    sheet.add("header", ["项目", "填写内容", "备注（填写说明）"])
    status = "战略客户" if c.strategic else rng.choice(("合作中", "老客户", "合作中客户"))
    basics: list[tuple[str, Any, str]] = [
        ("客户名称", c.name, "企业客户需填写全称"),
        ("统一社会信用代码", c.uscc, "企业客户填写，便于核实资质"),
        ("所属行业", c.industry, "如“零售业-连锁超市”"),
        ("客户状态", status, "新客户/老客户/重点客户/其他"),
        ("客户来源", c.source, "展会/转介绍/线上推广/其他"),
        ("所在地区", c.address, ""),
        ("员工规模", c.employees, ""),
        ("联系人", c.contact, "客户主要对接人"),
        ("职位", c.position, "如“采购总监”"),
        ("手机号码", c.mobile, ""),
        ("办公电话", c.office_phone, "（选填）"),
        ("电子邮箱", c.email, "保证邮箱格式正确"),
        ("首次合作时间", c.first_coop, "记录客户首次合作的时间"),
        ("最近合作时间", c.last_coop, ""),
        ("年合作金额", c.annual, "单位：元"),
        ("累计合作金额", c.total, "单位：元"),
        ("续约率", f"{round((c.renewal or 0.9) * 100)}%", ""),
        ("满意度", c.satisfaction, "1-5分，5分为非常满意"),
    ]
    name_row = None
    for label, value, hint in basics:
        row = sheet.add("data", [label, value, hint or None])
        if label == "客户名称":
            name_row = row
    loc = {"file": spec.name, "sheet": sheet.name, "row": name_row}
    manifest.row(c.key, loc)

    _section(sheet, "二、联系人信息")
    sheet.add("header", ["姓名", "职位", "手机号码", "办公电话", "电子邮箱", "备注"])
    sheet.add("data", [c.contact, c.position, c.mobile, c.office_phone, c.email, "主要对接人"])
    second, py = make_person_name(rng)
    masked = f"{rng.choice(('138', '139', '186'))}****{rng.randrange(10000):04d}"
    row = sheet.add("data", [second, rng.choice(data.POSITIONS), masked, make_landline(rng, c.city.area_code),
                             f"{py}@{c.domain}", "新任对接人"])
    manifest.cell("invalid", "mobile_masked", {**loc, "row": row, "table": "联系人"}, "mobile", "C", masked)

    _section(sheet, "三、互动记录（可添加多条）")
    sheet.add("header", ["互动日期", "互动方式", "沟通主题", "沟通内容摘要", "参与人员", "下一步行动", "完成状态"])
    day = dt.date(2026, 8, 1) + dt.timedelta(days=rng.randrange(20))
    for i in range(3):
        day += dt.timedelta(days=rng.randrange(15, 35))
        sheet.add("data", [day, rng.choice(("电话", "拜访", "线上会议", "邮件")), rng.choice(data.INTERACTION_TOPICS),
                           rng.choice(data.INTERACTION_SUMMARIES), f"王磊、{c.contact}", rng.choice(data.NEXT_ACTIONS),
                           "待处理" if i == 2 else "已完成"])

    _section(sheet, "四、需求与反馈")
    sheet.add("header", ["需求描述", "优先级", "需求状态", "预计解决时间", "满意度", "建议/投诉"])
    for demand in rng.sample(data.DEMANDS, 2):
        sheet.add("data", [demand, rng.choice(("高", "中", "低")), rng.choice(("待处理", "处理中", "已完成")),
                           dt.date(2026, 12, 1) + dt.timedelta(days=rng.randrange(60)), round(rng.uniform(3.5, 5), 1),
                           rng.choice(("希望增加数据导出格式选项，支持Excel与CSV格式", "交付周期偏长", "无"))])

    _section(sheet, "五、维护计划")
    sheet.add("header", ["维护负责人", "下次跟进时间", "跟进目标", "沟通方式", "注意事项"])
    sheet.add("data", ["王磊", c.next_follow or dt.date(2026, 12, 10), "确认需求方案反馈", rng.choice(("电话", "拜访", "线上会议")),
                       "客户近期组织架构调整，需对接新负责人"])

    _section(sheet, "六、备注（其他需说明事项）")
    sheet.add("data", ["客户为行业头部企业，后续合作潜力大，需重点维护"], merge_to=LAST_COL)
    manifest.sheet(spec.name, sheet.name, None, 1)
    return FileModel(spec.name, [sheet], author="王磊", title="客户信息维护与收集表")
