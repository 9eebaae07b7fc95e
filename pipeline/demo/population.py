"""Fictional customers: companies (B端) and persons (C端) with consistent, valid values."""
from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path


from . import data

TODAY = dt.date(2026, 11, 23)
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
                   "155", "156", "157", "158", "159", "166", "173", "176", "177", "180", "181", "182",
                   "183", "185", "186", "187", "188", "189", "198", "199")
ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"   # GB 11714 body chars allowed in a USCC (no I O S V Z)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class City:
    province: str
    province_short: str
    name: str
    short: str
    area_code: str
    district_code: str
    district: str


@dataclass(frozen=True)
class Company:
    key: str                 # entity id used by the manifest (C00001)
    name: str
    brand: str
    legal: str
    industry_word: str
    industry: str            # GB/T 4754 大类 name
    industry_alias: str | None
    city: City
    address: str
    uscc: str
    domain: str
    contact: str
    contact_pinyin: str
    position: str
    mobile: str
    office_phone: str
    email: str
    stage: str               # potential / intent / active / lost
    strategic: bool
    source: str
    employees: str
    founded: dt.date
    annual: float | None
    total: float | None
    renewal: float | None    # 0..1
    satisfaction: float | None
    first_coop: dt.date | None
    last_coop: dt.date | None
    next_follow: dt.date | None
    need: str
    remark: str


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    mobile: str
    address: str
    need: str
    source: str
    stage: str
    satisfaction: float | None
    total: float | None
    last_coop: dt.date | None
    remark: str


ORG_VALUES = {c: (int(c) if c.isdigit() else ord(c) - 55) for c in ORG_CHARS}
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_VALUES = {c: i for i, c in enumerate(USCC_ALPHABET)}
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def org_check_char(body8: str) -> str:
    """GB 11714 check character of an 8-char organisation code body."""
    total = sum(ORG_VALUES[c] * w for c, w in zip(body8, ORG_WEIGHTS))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def uscc_check_char(body17: str) -> str:
    """GB 32100 check character (same result as ``stdnum.cn.uscc.calc_check_digit``)."""
    total = sum(USCC_VALUES[c] * w for c, w in zip(body17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total) % 31]


_PREFIX_SUMS: dict[str, int] = {}
_ORG_INDEXES = [(c, ORG_VALUES[c], USCC_VALUES[c]) for c in ORG_CHARS]


def make_uscc(rng: random.Random, region_code: str) -> str:
    """A credit code with valid GB 32100 and GB 11714 check characters."""
    prefix = "91" + region_code
    head = _PREFIX_SUMS.get(prefix)
    if head is None:
        head = _PREFIX_SUMS[prefix] = sum(USCC_VALUES[c] * w for c, w in zip(prefix, USCC_WEIGHTS))
    picks = rng.choices(_ORG_INDEXES, k=8)
    org = sum(p[1] * w for p, w in zip(picks, ORG_WEIGHTS))
    check = 11 - org % 11
    check_char = "X" if check == 10 else "0" if check == 11 else str(check)
    total = head + sum(p[2] * w for p, w in zip(picks, USCC_WEIGHTS[8:])) + USCC_VALUES[check_char] * USCC_WEIGHTS[16]
    body17 = prefix + "".join(p[0] for p in picks) + check_char
    return body17 + USCC_ALPHABET[(31 - total) % 31]


def make_mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}"


SEVEN_DIGIT_AREAS = {"0592", "0771", "0471"}     # 厦门, 南宁, 呼和浩特 still dial 7 digits


def make_landline(rng: random.Random, area_code: str) -> str:
    """``区号-号码``: 8-digit local numbers (7 in a few cities), never starting with 0/1/9."""
    rest = 6 if area_code in SEVEN_DIGIT_AREAS else 7
    return f"{area_code}-{rng.randrange(2, 9)}{rng.randrange(10 ** rest):0{rest}d}"


def make_person_name(rng: random.Random) -> tuple[str, str]:
    surname, sp = rng.choice(data.SURNAMES)
    if rng.random() < 0.33:
        g, gp = rng.choice(data.GIVEN_CHARS)
        return surname + g, sp + gp
    (g1, p1), (g2, p2) = rng.choices(data.GIVEN_CHARS, k=2)
    return surname + g1 + g2, sp + p1 + p2


class _Weighted:
    """Weighted choice with precomputed cumulative weights (fast for many draws)."""

    def __init__(self, items, weights):
        self.items = list(items)
        self.cum = list(itertools.accumulate(weights))

    def pick(self, rng: random.Random):
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]


INDUSTRY_PICK = _Weighted(data.INDUSTRY_WORDS, data.INDUSTRY_WEIGHTS)
LEGAL_PICK = _Weighted([x for x, _ in data.LEGAL_FORMS], [w for _, w in data.LEGAL_FORMS])
STAGE_COMPANY = _Weighted(("potential", "intent", "active", "lost"), (15, 20, 55, 10))
STAGE_PERSON = _Weighted(("potential", "intent", "active", "lost"), (25, 25, 42, 8))
_CITY_PICKS: dict[tuple, _Weighted] = {}

#: landline area codes of the provinces data.CITIES has no city of (their capitals' codes)
CAPITAL_AREA_CODES = {"河北": "0311", "山西": "0351", "吉林": "0431", "江西": "0791", "海南": "0898",
                      "甘肃": "0931", "青海": "0971", "宁夏": "0951", "新疆": "0991", "西藏": "0891"}
#: nationwide: the share of companies that are a branch (…分公司) of an earlier one
BRANCH_SHARE = 0.04
#: districts of a city in the nationwide table (the first ones by code)
NATIONWIDE_DISTRICTS = 6


@lru_cache(maxsize=1)
def nationwide_cities() -> tuple[tuple, ...]:
    """Every prefecture-level city of the product's region tables (rules/regions/, read as
    data) in the shape of data.CITIES: the demo's own cities keep their weights (×3), every
    other city weighs 1 and has up to six of its counties. For benchmarks that need the
    diversity of a real month (hundreds of cities, thousands of counties). Built once: the
    city pickers are cached by the table's identity."""
    import csv

    from ..rules import DEFAULT_RULES_DIR

    folder = Path(DEFAULT_RULES_DIR) / "regions"
    with open(folder / "provinces.csv", encoding="utf-8") as fh:
        short = {r["name"]: r["short"] for r in csv.DictReader(fh)}
    counties: dict[tuple[str, str], list[tuple[str, str]]] = {}
    with open(folder / "districts.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            counties.setdefault((r["province"], r["city"]), []).append((r["code"], r["name"]))
    own = {c[2]: c for c in data.CITIES}
    area = {c[1]: c[4] for c in reversed(data.CITIES)}         # a province's first demo city
    out = [(*c[:5], c[5] * 3, c[6]) for c in data.CITIES]
    with open(folder / "cities.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            ps = short.get(r["province"], r["province"][:2])
            districts = tuple(sorted(counties.get((r["province"], r["name"]), ()))[:NATIONWIDE_DISTRICTS])
            if r["name"] in own or not districts or ps not in area and ps not in CAPITAL_AREA_CODES:
                continue
            out.append((r["province"], ps, r["name"], r["short"] or r["name"], area.get(ps) or CAPITAL_AREA_CODES[ps],
                        1, districts))
    return tuple(out)


def pick_city(rng: random.Random, shorts: tuple[str, ...] | None = None,
              table: tuple[tuple, ...] = data.CITIES) -> City:
    key = (id(table), shorts)
    picker = _CITY_PICKS.get(key)
    if picker is None:
        rows = [c for c in table if shorts is None or c[3] in shorts]
        picker = _CITY_PICKS[key] = _Weighted(
            [[City(c[0], c[1], c[2], c[3], c[4], code, d) for code, d in c[6]] for c in rows], [c[5] for c in rows])
    return rng.choice(picker.pick(rng))


def make_address(rng: random.Random, city: City) -> str:
    town = city.name if city.name != city.province else ""
    return f"{city.province}{town}{city.district}{rng.choice(data.STREETS)}{rng.randrange(1, 999)}号"


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    first = start.toordinal()
    return dt.date.fromordinal(first + rng.randrange(max(1, end.toordinal() - first + 1)))


class Population:
    """Draws unique companies and persons (names, codes and mobiles never repeat)."""

    def __init__(self, rng: random.Random, cities: tuple[tuple, ...] = data.CITIES):
        self.rng = rng
        self.cities = cities                 # data.CITIES, or nationwide_cities() for benchmarks
        self._recent: list[str] = []         # names a nationwide branch may be of
        self.names: set[str] = set()
        self.brands: set[tuple[str, str, str]] = set()
        self.codes: set[str] = set()
        self.mobiles: set[str] = set()
        self.n_companies = 0
        self.n_persons = 0
        self.lookalike_pairs: list[tuple[str, str]] = []

    def _unique_mobile(self) -> str:
        while True:
            m = make_mobile(self.rng)
            if m not in self.mobiles:
                self.mobiles.add(m)
                return m

    def company(self, cities: tuple[str, ...] | None = None, stage: str | None = None) -> Company:
        rng = self.rng
        city = pick_city(rng, cities, self.cities)
        word, industry, alias, dom_suffix = INDUSTRY_PICK.pick(rng)
        legal = LEGAL_PICK.pick(rng)
        while True:
            chars = rng.choices(data.BRAND_CHARS, k=3 if rng.random() < 0.1 else 2)
            if chars[0] == chars[1]:
                continue
            brand = "".join(ch for ch, _ in chars)
            prefix = city.short + ("市" if rng.random() < 0.15 and city.short != city.province_short else "")
            name = f"{prefix}{brand}{word}{legal}"
            if name not in self.names and (brand, city.short, word) not in self.brands:
                break
        if self.cities is not data.CITIES:           # nationwide: some customers are a branch of another
            if self._recent and rng.random() < BRANCH_SHARE:
                branch = f"{rng.choice(self._recent)}{city.short}分公司"
                if branch not in self.names:
                    name = branch
            if not name.endswith("分公司"):
                self._recent.append(name)
                del self._recent[:-1000]
        self.names.add(name)
        self.brands.add((brand, city.short, word))
        while True:
            code = make_uscc(rng, city.district_code)
            if code not in self.codes:
                self.codes.add(code)
                break
        pinyin = "".join(py for _, py in chars)
        domain = rng.choice((f"{pinyin}-{dom_suffix}.com", f"{pinyin}.com.cn", f"{pinyin}{dom_suffix}.com", f"{pinyin}.cn"))
        contact, cpy = make_person_name(rng)
        local = rng.choice((cpy, cpy, f"{cpy[:1]}{rng.randrange(10, 99)}", cpy + str(rng.randrange(1, 9))))
        stage = stage or STAGE_COMPANY.pick(rng)
        founded = _date_between(rng, dt.date(1995, 1, 1), dt.date(2022, 12, 31))
        annual = total = renewal = sat = first = last = None
        if stage in ("active", "lost"):
            annual = float(round(rng.lognormvariate(12.2, 1.0) / 1000) * 1000)
            annual = min(max(annual, 10000.0), 3000000.0)
            first = _date_between(rng, max(founded, dt.date(2015, 1, 1)), dt.date(2025, 12, 31))
            years = max(1, (TODAY - first).days // 365)
            total = float(round(annual * rng.uniform(1.0, years + 0.5) / 100) * 100)
            renewal = round(rng.uniform(0.5, 1.0), 2)
            sat = round(rng.uniform(3.0, 5.0), 1)
            if stage == "lost":
                last = _date_between(rng, max(first, dt.date(2024, 1, 1)), dt.date(2026, 5, 31))
            else:
                recent = rng.random() < 0.8
                last = _date_between(rng, dt.date(2026, 8, 24) if recent else dt.date(2025, 10, 1),
                                     TODAY if recent else dt.date(2026, 8, 20))
            last = max(last, first)
        follow = None
        if stage != "lost" or rng.random() < 0.3:
            follow = _date_between(rng, dt.date(2026, 11, 1), dt.date(2027, 1, 31))
        address = make_address(rng, city)
        self.n_companies += 1
        return Company(
            key=f"C{self.n_companies:06d}", name=name, brand=brand, legal=legal, industry_word=word,
            industry=industry, industry_alias=alias, city=city, address=address, uscc=code, domain=domain,
            contact=contact, contact_pinyin=cpy, position=rng.choice(data.POSITIONS),
            mobile=self._unique_mobile(), office_phone=make_landline(rng, city.area_code),
            email=f"{local}@{domain}", stage=stage, strategic=stage == "active" and rng.random() < 0.08,
            source=rng.choice(data.SOURCES), employees=rng.choice(data.EMPLOYEE_BANDS), founded=founded,
            annual=annual, total=total, renewal=renewal, satisfaction=sat, first_coop=first, last_coop=last,
            next_follow=follow, need=rng.choice(data.ENTERPRISE_NEEDS), remark=rng.choice(data.REMARKS),
        )

    def person(self) -> Person:
        rng = self.rng
        name, _ = make_person_name(rng)
        city = pick_city(rng)
        stage = STAGE_PERSON.pick(rng)
        sat = total = last = None
        if stage in ("active", "lost"):
            total = float(rng.randrange(2, 500) * 100)
            sat = round(rng.uniform(3.0, 5.0), 1)
            last = _date_between(rng, dt.date(2024, 6, 1), TODAY)
        address = f"{city.name if rng.random() < 0.7 else city.short}{city.district}{rng.choice(data.STREETS)}{rng.randrange(1, 300)}号"
        if rng.random() < 0.5:
            address += f"{rng.randrange(1, 30)}栋{rng.randrange(1, 30)}0{rng.randrange(1, 6)}室"
        self.n_persons += 1
        return Person(key=f"P{self.n_persons:06d}", name=name, mobile=self._unique_mobile(), address=address,
                      need=rng.choice(data.PERSON_NEEDS), source=rng.choice(data.SOURCES + data.SOURCE_SYNONYMS),
                      stage=stage, satisfaction=sat, total=total, last_coop=last, remark=rng.choice(data.REMARKS))

    def lookalike(self, company: Company) -> Company:
        """Same brand and industry in another city: a different company (must not be merged)."""
        other = self.company(stage=company.stage)
        city = other.city
        if city.short == company.city.short:
            city = pick_city(self.rng, tuple(c[3] for c in self.cities if c[3] != company.city.short), self.cities)
        name = f"{city.short}{company.brand}{company.industry_word}{company.legal}"
        if name in self.names:
            self.lookalike_pairs.append((company.key, other.key))
            return other
        self.names.add(name)
        code = make_uscc(self.rng, city.district_code)
        self.codes.add(code)
        self.lookalike_pairs.append((company.key, other.key))
        return replace(other, name=name, brand=company.brand, industry_word=company.industry_word,
                       industry=company.industry, industry_alias=company.industry_alias, city=city, uscc=code,
                       address=make_address(self.rng, city),
                       office_phone=make_landline(self.rng, city.area_code))
