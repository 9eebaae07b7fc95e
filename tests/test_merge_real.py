"""Merging real companies (tests/data/companies/): what tells firms apart, what joins variants.

Each labelled case is a pair of real-world-shaped rows with the answer a steward would give.
The measurements run on the real registry sample: every firm once (no merge is right) and
each firm with a realistic variant (every such pair must merge)."""
from __future__ import annotations

import pandas as pd
import pytest

from bench.merge_quality import false_merges, recall_by_kind
from pipeline.merge import merge_records
from tests.merge_real import registry_records, with_provenance

REP = "13900000001"   # one sales rep's own mobile, typed on every customer of the rep


def _merged(rules, rows: list[dict]) -> list[str]:
    frame = with_provenance(pd.DataFrame([{"customer_type": "企业", **r} for r in rows]))
    links = merge_records(frame, rules, pd.DataFrame()).data["links"]
    return links.sort_values("row_id")["customer_id"].tolist()


DIFFERENT = [  # pairs that are two firms: never one customer
    ("parent and listed subsidiary", {"name": "中国石油化工集团有限公司", "city": "北京市", "mobile": "13811110001"},
     {"name": "中国石油化工股份有限公司", "city": "北京市", "mobile": "13811110001"}),
    ("group without legal form", {"name": "海尔集团公司", "city": "青岛市"}, {"name": "青岛海尔股份有限公司", "city": "青岛市"}),
    ("group and 股份 of one brand", {"name": "南京栖霞建设集团有限公司", "city": "南京市"},
     {"name": "南京栖霞建设股份有限公司", "city": "南京市"}),
    ("rep's mobile on two banks", {"name": "中国银行股份有限公司", "city": "北京市", "mobile": REP},
     {"name": "中国建设银行股份有限公司", "city": "北京市", "mobile": REP}),
    ("numbered units", {"name": "沂源第一加油站", "city": "淄博市", "mobile": "13811110002"},
     {"name": "沂源第十三加油站", "city": "淄博市", "mobile": "13811110002"}),
    ("factory and its 经营部", {"name": "成都真空机械厂", "city": "成都市"}, {"name": "成都真空机械厂经营部", "city": "成都市"}),
    ("same name in two counties", {"name": "吉首市华星建材有限公司", "city": "湘西土家族苗族自治州"},
     {"name": "古丈县华星建材有限公司", "city": "湘西土家族苗族自治州"}),
    ("two districts of one city", {"name": "成都市锦江区食品公司", "city": "成都市"}, {"name": "成都市成华区食品公司", "city": "成都市"}),
    ("city firm and district firm", {"name": "成都市国有资产投资经营公司", "city": "成都市"},
     {"name": "成都市郫都区国有资产投资经营公司", "city": "成都市"}),
    ("two 支公司 of one insurer", {"name": "中国人寿保险股份有限公司成都市青羊区支公司", "city": "成都市"},
     {"name": "中国人寿保险股份有限公司成都市锦江区支公司", "city": "成都市"}),
    ("province firm and city firm", {"name": "四川保力实业有限责任公司", "city": "成都市"},
     {"name": "成都保力实业有限责任公司", "city": "成都市"}),
    ("2-character keys", {"name": "上海电气有限公司", "city": "上海市"}, {"name": "电气有限公司", "city": "上海市"}),
    ("one character apart, city only", {"name": "苏州华力电子有限公司", "city": "苏州市"},
     {"name": "苏州华立电子有限公司", "city": "苏州市"}),
    ("a factory and a company", {"name": "乐清市三星电器厂", "city": "温州市"}, {"name": "乐清市三星电器有限公司", "city": "温州市"}),
    ("district firm and unplaced firm", {"name": "宝安区松岗淇锋制品厂", "city": "深圳市"},
     {"name": "松岗淇锋制品厂", "city": "深圳市"}),
    ("national company and local one", {"name": "卡尔蔡司光学（中国）有限公司", "city": "广州市"},
     {"name": "卡尔蔡司光学（广州）有限公司", "city": "广州市"}),
    ("common words only", {"name": "成都市建筑工程公司", "city": "成都市"}, {"name": "成都建筑工程有限公司", "city": "成都市"}),
]

SAME = [  # a registered name and the way a rep wrote it: one customer
    ("Traditional characters", {"name": "深圳市華力電子科技有限公司", "city": "深圳市", "mobile": "13822220001"},
     {"name": "深圳市华力电子科技有限公司", "city": "深圳市", "mobile": "13822220001"}),
    ("Traditional, city only", {"name": "蘇州恆通精密機械有限公司", "city": "苏州市"}, {"name": "苏州恒通精密机械有限公司", "city": "苏州市"}),
    ("county-level city as infix", {"name": "国瑞科技（常熟）有限公司", "city": "苏州市", "mobile": "13822220002"},
     {"name": "常熟市国瑞科技有限公司", "city": "苏州市", "mobile": "13822220002"}),
    ("city dropped, county kept", {"name": "江苏省苏州市常熟市国瑞科技有限公司", "city": "苏州市"},
     {"name": "常熟市国瑞科技有限公司", "city": "苏州市"}),
    ("简称 with the mobile", {"name": "贵州茅台酒股份有限公司", "city": "遵义市", "mobile": "13822220003"},
     {"name": "贵州茅台", "city": "遵义市", "mobile": "13822220003"}),
    ("简称 with the e-mail", {"name": "浙江正泰电器股份有限公司", "city": "温州市", "email": "ir@chint.com"},
     {"name": "正泰电器", "city": "温州市", "email": "ir@chint.com"}),
    ("English and Chinese", {"name": "BYD比亚迪", "city": "深圳市", "mobile": "13822220004"},
     {"name": "比亚迪股份有限公司", "city": "深圳市", "mobile": "13822220004"}),
    ("steward alias table", {"name": "BYD", "city": "深圳市"}, {"name": "比亚迪股份有限公司", "city": "深圳市"}),
    ("股份 dropped", {"name": "苏州华力电子股份有限公司", "city": "苏州市"}, {"name": "华力电子有限公司", "city": "苏州市"}),
    ("one character dropped, same mobile", {"name": "成都天缘实业有限公司", "city": "成都市", "mobile": "13822220005"},
     {"name": "成都天缘实有限公司", "city": "成都市", "mobile": "13822220005"}),
]


@pytest.mark.parametrize("case, a, b", DIFFERENT, ids=[c[0] for c in DIFFERENT])
def test_different_firms_stay_apart(rules, case, a, b):
    # the rep's mobile also sits on other customers, as it does in a real list
    others = [{"name": f"{n}有限公司", "city": "北京市", "mobile": REP} for n in ("恒通物流", "金鼎食品", "瑞丰建材")]
    ids = _merged(rules, [a, b, *others])
    assert ids[0] != ids[1], case


@pytest.mark.parametrize("case, a, b", SAME, ids=[c[0] for c in SAME])
def test_variants_of_one_firm_merge(rules, case, a, b):
    ids = _merged(rules, [a, b])
    assert ids[0] == ids[1], case


@pytest.fixture(scope="module")
def registry():
    return registry_records()


def test_real_registry_firms_are_not_merged(rules, registry):
    firms, wrong, examples = false_merges(registry, rules)
    assert firms > 25_000
    assert wrong / firms * 10_000 <= 2, examples


def test_real_variants_are_found_per_kind(rules, registry):
    table = recall_by_kind(registry.sample(8_000, random_state=1), rules, per_kind=120)
    overall = (table["recall"] * table["firms"]).sum() / table["firms"].sum()
    assert overall >= 0.97, table
    assert (table["recall"] >= 0.9).all(), table
    assert table.attrs["false_customers"] <= 1, table.attrs["mixed"]
