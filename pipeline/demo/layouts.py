"""The list layouts of the four kinds of team files (one row per customer)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any

from . import data, messy
from .messy import Formula
from .plan import Entry, FileSpec, Manifest
from .population import Company, Person, Population
from .sheets import FileModel, SheetModel, col_letter

COLUMNS: dict[str, list[tuple[str, str]]] = {
    "east": [("*客户名称", "name"), ("*统一社会信用代码", "uscc"), ("所属行业", "industry"), ("省份", "province"),
             ("城市", "city"), ("联系人", "contact"), ("职位", "position"), ("*手机号码", "mobile"),
             ("办公电话", "office_phone"), ("电子邮箱", "email"), ("客户状态", "status"), ("客户来源", "source"),
             ("年合作金额（万元）", "annual_amount"), ("累计合作金额", "total_amount"), ("续约率", "renewal_rate"),
             ("满意度", "satisfaction"), ("首次合作时间", "first_coop"), ("最近合作时间", "last_coop"),
             ("下次跟进时间", "next_follow"), ("核心需求", "core_need"), ("备注", "remark")],
    "key": [("序号", "seq"), ("公司\n名称", "name"), ("信用代码", "uscc"), ("行  业", "industry"),
            ("所在地区", "address"), ("对接人", "contact"), ("联系电话", "mobile"), ("邮箱", "email"),
            ("合作状态", "status"), ("年度合作金额", "annual_amount"), ("累计交易额", "total_amount"),
            ("续约率", "renewal_rate"), ("满意度", "satisfaction"), ("首次合作\n时间", "first_coop"),
            ("最近合作 时间", "last_coop"), ("下次跟进", "next_follow"), ("需求描述", "core_need"),
            ("负责销售", "owner"), ("备注", "remark")],
    # the key-account list kept with the sales tool's own fields (需求阶段, 决策链, 预算范围 …) and a
    # column only this team keeps (微信号)
    "csv": [("企业名称", "name"), ("统一社会信用代码", "uscc"), ("所属行业", "industry"), ("省份", "province"),
            ("城市", "city"), ("联系人", "contact"), ("手机", "mobile"), ("座机", "office_phone"), ("Email", "email"),
            ("客户状态", "status"), ("获客渠道", "source"), ("年合作金额", "annual_amount"),
            ("累计合作金额", "total_amount"), ("续约率", "renewal_rate"), ("满意度", "satisfaction"),
            ("成立时间", "founded"), ("首次合作时间", "first_coop"), ("最近合作时间", "last_coop"),
            ("下次跟进时间", "next_follow"), ("核心需求", "core_need"), ("备注", "remark")],
    "online": [("客户名称", "name"), ("统一社会信用代码", "uscc"), ("行业", "industry"), ("城市", "city"),
               ("联系人", "contact"), ("手机号码", "mobile"), ("客户状态", "status"), ("累计合作金额", "total_amount"),
               ("备注", "remark")],
    "person": [("序号", "seq"), ("姓名", "name"), ("手机号码", "mobile"), ("常用地址", "address"), ("核心需求", "core_need"),
               ("客户来源", "source"), ("客户状态", "status"), ("满意度", "satisfaction"), ("累计合作金额", "total_amount"),
               ("最近合作时间", "last_coop"), ("备注", "remark")],
}
# the key-account list kept with the sales tool's own fields (原客户编号, 需求阶段, 决策链, 预算范围 …)
# and a column only this team keeps (微信号)
COLUMNS["guide"] = COLUMNS["key"][:-1] + [
    ("客户编号", "source_id"), ("需求阶段", "demand_stage"), ("决策链", "decision_chain"), ("预算范围", "budget"),
    ("最近跟进时间", "last_follow"), ("客户反馈", "feedback"), ("微信号", "wechat"), ("备注", "remark")]
LAYOUT_FIELDS = {k: {f for _, f in v} for k, v in COLUMNS.items()}
TEAM_CITIES = {"华东销售部": data.TEAM_CITIES["east"], "华东二区": data.TEAM_CITIES["east"],
               "华南区域": data.TEAM_CITIES["south"]}
SPECIAL_REMARKS = {"east": ("formula_like", "=点击查看合同"), "key": ("html", "<b>重点</b>客户，优先保障"),
                   "guide": ("html", "<b>重点</b>客户，优先保障"),
                   "csv": ("formula_like", "@李经理 请尽快回访"), "online": ("formula_like", "-已签约-")}
INSTRUCTIONS = (
    "填写说明",
    "1. 带*的列为必填项；客户名称请填写与营业执照一致的全称。",
    "2. 统一社会信用代码为18位，请勿填写组织机构代码或注册号。",
    "3. 手机号码填写11位号码，不要加空格或“-”。",
    "4. 年合作金额以万元为单位；累计合作金额以元为单位。",
    "5. 日期格式：2026-11-28。",
    "6. 客户状态：潜在客户 / 意向客户 / 合作中客户 / 流失客户。",
)


def _date(d, style: str):
    return None if d is None else messy.date_text(d, style)


def company_values(layout: str, c: Company, rng: random.Random) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """What a team of this layout writes for company ``c``; also the warning kinds planted."""
    warns: list[tuple[str, str]] = []
    industry, w = messy.industry_text(c, rng)
    if w:
        warns.append(("industry", w))
    keyed = layout in ("key", "guide")          # the key-account list, with or without the guide's fields
    status = data.STATUS_BY_STAGE[c.stage]["key" if keyed else layout]
    v: dict[str, Any] = {"name": c.name, "uscc": c.uscc, "industry": industry, "contact": c.contact,
                         "mobile": c.mobile, "status": status, "core_need": c.need, "remark": c.remark or None}
    if layout == "east":
        v.update(province=messy.province_text(c, rng), city=messy.city_text(c, rng), position=c.position,
                 office_phone=c.office_phone if rng.random() < 0.6 else None,
                 email=c.email if rng.random() < 0.7 else None, source=c.source if rng.random() < 0.8 else None,
                 annual_amount=None if c.annual is None else round(c.annual / 10000, 2), total_amount=c.total,
                 renewal_rate=c.renewal, satisfaction=c.satisfaction, first_coop=c.first_coop,
                 last_coop=c.last_coop, next_follow=c.next_follow)
        if c.strategic:
            v["remark"] = "战略客户"
    elif keyed:
        r = rng.random()
        mobile: Any = c.mobile if r < 0.7 else (int(c.mobile) if r < 0.8 else c.office_phone)
        styles = [rng.choice(messy.MIXED_DATE_STYLES) for _ in range(3)]
        for f, s, d in zip(("first_coop", "last_coop", "next_follow"), styles, (c.first_coop, c.last_coop, c.next_follow)):
            v[f] = _date(d, s)
            if s == "month" and d is not None:
                warns.append((f, "month_only_date"))
        total = None
        if c.total is not None:
            total, w = messy.amount_text(c.total, rng)
            if w:
                warns.append(("total_amount", w))
        v.update(address=messy.joined_region(c, rng), mobile=mobile, email=c.email if rng.random() < 0.8 else None,
                 status="战略客户" if c.strategic else status, annual_amount=c.annual, total_amount=total,
                 renewal_rate=None if c.renewal is None else messy.rate_text(c.renewal, rng),
                 satisfaction=None if c.satisfaction is None else messy.score_text(c.satisfaction, rng),
                 owner=rng.choice(("王磊", "陈静", "刘洋", "赵敏", "孙浩")))
        if layout == "guide":
            v.update(guide_values(c, rng))
    elif layout == "csv":
        style = "iso" if rng.random() < 0.7 else "slash"
        v.update(province=messy.province_text(c, rng), city=messy.city_text(c, rng),
                 office_phone=c.office_phone if rng.random() < 0.5 else None,
                 email=c.email if rng.random() < 0.6 else None,
                 source=rng.choice((c.source, c.source, rng.choice(data.SOURCE_SYNONYMS))),
                 annual_amount=None if c.annual is None else rng.choice((f"{c.annual:.0f}", f"{c.annual:.2f}")),
                 total_amount=None if c.total is None else f"{c.total:.0f}",
                 renewal_rate=None if c.renewal is None else f"{round(c.renewal * 100)}%",
                 satisfaction=None if c.satisfaction is None else f"{c.satisfaction}",
                 founded=_date(c.founded, style) if rng.random() < 0.6 else None,
                 first_coop=_date(c.first_coop, style), last_coop=_date(c.last_coop, style),
                 next_follow=_date(c.next_follow, style))
    elif layout == "online":
        v.update(city=messy.city_text(c, rng), total_amount=c.total)
    return v, warns


def guide_values(c: Company, rng: random.Random) -> dict[str, Any]:
    """The sales tool's own fields as a rep fills them: the team's customer number, the stage and
    decision chain (canonical words or the synonyms reps use), a budget range, the last follow-up."""
    low = rng.choice((5, 10, 20, 30, 50))
    budget = rng.choice((f"{low}-{low * 2}万", f"{low}万以上", f"{low}万以内", f"约{low}万", None))
    last = dt.date(2026, 11, 25) - dt.timedelta(days=rng.randrange(3, 80))
    return {"source_id": f"DK-{rng.randrange(1, 9999):04d}", "demand_stage": data.DEMAND_STAGE_BY_STAGE[c.stage],
            "decision_chain": rng.choice(("简单决策", "复杂决策", "复杂", "单一决策人", "多部门协同")),
            "budget": budget, "last_follow": last if rng.random() < 0.8 else None,
            "feedback": rng.choice(("感兴趣", "需进一步评估", "价格偏高", "满意", "暂无需求", None)),
            "wechat": f"wx_{c.contact_pinyin}" if rng.random() < 0.7 else None}


def person_values(p: Person, rng: random.Random) -> dict[str, Any]:
    return {"name": p.name, "mobile": p.mobile, "address": p.address, "core_need": p.need, "source": p.source,
            "status": data.STATUS_BY_STAGE[p.stage]["online"], "satisfaction": p.satisfaction,
            "total_amount": p.total, "last_coop": p.last_coop, "remark": p.remark or None}


class ListRenderer:
    """Renders the entries of one sheet, recording every planted cell in the manifest."""

    def __init__(self, spec: FileSpec, sheet: SheetModel, layout: str, pop: Population,
                 rng: random.Random, manifest: Manifest):
        self.spec, self.sheet, self.layout, self.pop, self.rng, self.manifest = spec, sheet, layout, pop, rng, manifest
        self.columns = COLUMNS[layout]
        self.index = {f: i for i, (_, f) in enumerate(self.columns)}
        self.count = 0
        self.people: list[Person] = []

    def loc(self, row: int) -> dict[str, Any]:
        return {"file": self.spec.name, "sheet": self.sheet.name, "row": row}

    def _cell(self, category: str, kind: str, row: int, field: str, value: Any) -> None:
        self.manifest.cell(category, kind, self.loc(row), field, col_letter(self.index[field]), value)

    def _override(self, values: dict[str, Any], entry: Entry, base: Company | Person) -> list:
        marks = []
        if entry.invalid:
            target, make = messy.INVALID[entry.invalid]
            if target == "date":
                target = self.rng.choice([f for f in messy.DATE_FIELDS if f in self.index])
            values[target] = make(getattr(base, target, ""), self.rng)
            marks.append(("invalid", entry.invalid, target, values[target]))
        if entry.fixable:
            target, make = messy.FIXABLE[entry.fixable]
            values[target] = make(getattr(base, target), self.rng)
            marks.append(("fixable", entry.fixable, target, values[target]))
        return marks

    def company_row(self, entry: Entry, special: tuple[str, str] | None = None) -> None:
        rng = self.rng
        if entry.role in ("own", "noname"):
            c = self.pop.company(TEAM_CITIES.get(self.spec.team))
        else:
            c = entry.entity
        if entry.variant == "other_contact":
            name, py, mobile = messy.other_contact(rng)
            c = dataclasses.replace(c, contact=name, mobile=mobile, email=f"{py}@{c.domain}")
        if entry.role == "copy" and c.annual is not None and rng.random() < 0.3:
            c = dataclasses.replace(c, annual=round(c.annual * rng.uniform(0.8, 1.2), -3))
        values, warns = company_values(self.layout, c, rng)
        if entry.variant in ("infix", "ascii_parens", "spaces"):
            values["name"] = messy.name_variant(c, entry.variant, rng)
        if entry.variant == "no_code":
            values["uscc"] = None
            values["mobile"] = c.mobile
        if entry.role == "noname":
            values["name"] = values["uscc"] = None
        marks = self._override(values, entry, c)
        if special:
            values["remark"] = special[1]
        self.count += 1
        values["seq"] = self.count
        row = self.sheet.add("data", [values.get(f) for _, f in self.columns])
        loc = self.loc(row)
        if entry.role == "noname":
            self.manifest.row(None, loc)
        else:
            self.manifest.row(c.key, {**loc, "variant": entry.variant} if entry.role == "copy" else loc)
        for field, kind in warns:
            self._cell("warning", kind, row, field, values[field])
        for category, kind, field, value in marks:
            self._cell(category, kind, row, field, value)
        if special:
            self._cell("special", special[0], row, "remark", special[1])

    def person_row(self, entry: Entry, special: tuple[str, str] | None = None) -> None:
        rng = self.rng
        variant = None
        if entry.role == "copy" and self.people:
            p = rng.choice(self.people)
            variant = rng.choice(("same", "spaces", "mobile_plus86", "address"))
        else:
            p = self.pop.person()
        values = person_values(p, rng)
        if variant == "spaces":
            values["name"] = p.name + " "
        elif variant == "mobile_plus86":
            values["mobile"] = messy.FIXABLE["mobile_plus86"][1](p.mobile, rng)
        elif variant == "address":
            values["address"] = p.address.split("号")[0] + "号"
        if entry.role == "noname":
            values["name"] = values["mobile"] = None
        marks = self._override(values, entry, p)
        if special:
            values["remark"] = special[1]
        self.count += 1
        values["seq"] = self.count
        row = self.sheet.add("data", [values.get(f) for _, f in self.columns])
        loc = self.loc(row)
        if entry.role == "noname":
            self.manifest.row(None, loc)
        else:
            self.manifest.row(p.key, {**loc, "variant": variant} if variant else loc)
            if variant is None:
                self.people.append(p)
        for category, kind, field, value in marks:
            self._cell(category, kind, row, field, value)
        if special:
            self._cell("special", special[0], row, "remark", special[1])


def _special_index(entries: list[Entry]) -> int | None:
    for i, e in enumerate(entries):
        if e.role == "own" and not e.invalid and not e.fixable:
            return i
    return None


def _render(renderer: ListRenderer, entries: list[Entry], special: tuple[str, str] | None, person: bool = False,
            between=None) -> None:
    at = _special_index(entries) if special else None
    for i, entry in enumerate(entries):
        if between:
            between(i)
        (renderer.person_row if person else renderer.company_row)(entry, special if i == at else None)


def _widths(layout: str) -> list[float]:
    return [24 if f in ("name", "address", "core_need") else 20 if f == "uscc" else 12 for _, f in COLUMNS[layout]]


def _total_row(sheet: SheetModel, layout: str, first: int, last: int, label: str, fields: tuple[str, ...]) -> None:
    cells: list[Any] = [None] * len(COLUMNS[layout])
    cells[0] = label
    for f in fields:
        i = [k for _, k in COLUMNS[layout]].index(f)
        col = col_letter(i)
        total = 0.0
        for _, row in sheet.rows[first - 1:last]:
            value = row[i] if i < len(row) else None
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                total += value
        cells[i] = Formula(f"=SUM({col}{first}:{col}{last})", round(total, 2))
    sheet.add("total", cells)


def build_east(spec: FileSpec, pop: Population, rng: random.Random, manifest: Manifest) -> FileModel:
    sheet = SheetModel("企业客户", widths=_widths("east"), freeze=(3, 1),
                       col_formats={12: "wan", 13: "money", 14: "percent", 15: "score"})
    last_col = len(COLUMNS["east"]) - 1
    sheet.add("title", [f"{spec.team}客户信息汇总表（2026年11月）"], merge_to=last_col)
    sheet.add("note", ["填表说明：带*为必填；年合作金额单位为万元，累计合作金额单位为元。"], merge_to=last_col)
    header = sheet.add("header", [h for h, _ in COLUMNS["east"]])
    _render(ListRenderer(spec, sheet, "east", pop, rng, manifest), spec.entries, SPECIAL_REMARKS["east"])
    _total_row(sheet, "east", header + 1, len(sheet.rows), "合计", ("annual_amount", "total_amount"))
    sheet.add("sign", ["填表人：张敏  日期：2026-11-28"])
    manifest.sheet(spec.name, sheet.name, header, len(spec.entries))
    notes = SheetModel("填写说明", widths=[80])
    for line in INSTRUCTIONS:
        notes.add("note" if line != INSTRUCTIONS[0] else "title", [line])
    return FileModel(spec.name, [sheet, notes], author="张敏", title=f"{spec.team}客户信息汇总表")


def build_key(spec: FileSpec, pop: Population, rng: random.Random, manifest: Manifest) -> FileModel:
    """The key-account list (layout ``key``, or ``guide`` with the sales tool's own fields)."""
    layout = spec.layout
    sheet = SheetModel("重点客户", widths=_widths(layout), freeze=(1, 2), col_formats={9: "money"})
    header = sheet.add("header", [h for h, _ in COLUMNS[layout]])
    _render(ListRenderer(spec, sheet, layout, pop, rng, manifest), spec.entries, SPECIAL_REMARKS[layout])
    manifest.sheet(spec.name, sheet.name, header, len(spec.entries))
    return FileModel(spec.name, [sheet], author="王磊", title=f"{spec.team}重点客户")


def build_csv(spec: FileSpec, pop: Population, rng: random.Random, manifest: Manifest) -> FileModel:
    sheet = SheetModel("")
    header = sheet.add("header", [h for h, _ in COLUMNS["csv"]])
    _render(ListRenderer(spec, sheet, "csv", pop, rng, manifest), spec.entries, SPECIAL_REMARKS["csv"])
    manifest.sheet(spec.name, sheet.name, header, len(spec.entries))
    return FileModel(spec.name, [sheet])


def build_online(spec: FileSpec, pop: Population, rng: random.Random, manifest: Manifest) -> FileModel:
    people = SheetModel("个人客户", widths=_widths("person"), freeze=(1, 2), col_formats={8: "money", 7: "score"})
    headers = [h for h, _ in COLUMNS["person"]]
    first_header = people.add("header", headers)
    renderer = ListRenderer(spec, people, "person", pop, rng, manifest)
    n = len(spec.person_entries)
    block = max(20, min(800, n // 6))
    breaks = set(range(block + rng.randrange(block // 2), n, block))

    def between(i: int) -> None:     # pasted blocks: a blank row, then the header again
        if i in breaks:
            if rng.random() < 0.6:
                people.add("data", [])
            people.add("header", headers)

    _render(renderer, spec.person_entries, SPECIAL_REMARKS["online"], person=True, between=between)
    people.add("data", [])
    _total_row(people, "person", first_header + 1, len(people.rows), "小计", ("total_amount",))
    manifest.sheet(spec.name, people.name, first_header, n)
    companies = SheetModel("企业客户", widths=_widths("online"), freeze=(1, 1))
    header = companies.add("header", [h for h, _ in COLUMNS["online"]])
    _render(ListRenderer(spec, companies, "online", pop, rng, manifest), spec.entries, None)
    manifest.sheet(spec.name, companies.name, header, len(spec.entries))
    return FileModel(spec.name, [people, companies], author="刘洋", title=f"{spec.team}客户")
