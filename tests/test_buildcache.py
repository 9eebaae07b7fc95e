"""The region and industry indexes kept across runs (pipeline/buildcache.py): a second run reads it back and
reads addresses the same; a changed table is a new index, never a stale one; a damaged file is
rebuilt."""
from __future__ import annotations

import shutil

import pytest

from pipeline.buildcache import ENV
from pipeline.normalize.compiled import compiled
from pipeline.rules import DEFAULT_RULES_DIR, DEFAULT_SCHEMAS_DIR, load_rules

ADDRESS = (None, None, None, "浙江省杭州市西湖区文三路 90 号")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(ENV, str(folder))
    return folder


def _read(rules, address=ADDRESS):
    hit = compiled(rules).regions.resolve(*address)
    return hit.province, hit.city, hit.district


def test_a_second_run_reads_the_kept_index_and_places_addresses_alike(cache):
    first = _read(load_rules())
    kept = sorted(cache.glob("regions-*.pickle"))
    assert len(kept) == 1 and first == ("浙江省", "杭州市", "西湖区")
    stamp = kept[0].stat().st_mtime_ns
    assert _read(load_rules()) == first                       # a new Rules object: read back
    assert [p.stat().st_mtime_ns for p in cache.glob("regions-*.pickle")] == [stamp]


def test_a_changed_region_table_builds_a_new_index(cache, tmp_path):
    assert _read(load_rules(), (None, None, None, "浙江省杭州市未来科技城"))[2] is None
    rules_dir = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules_dir)
    zones = rules_dir / "regions" / "zones.csv"
    header = zones.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    row = {"name": "未来科技城", "district": "330110", "note": "test"}
    zones.write_text(zones.read_text(encoding="utf-8-sig").rstrip("\n") + "\n"
                     + ",".join(row.get(c, "") for c in header) + "\n", encoding="utf-8")
    changed = load_rules(rules_dir, DEFAULT_SCHEMAS_DIR)
    assert _read(changed, (None, None, None, "浙江省杭州市未来科技城"))[2] == "余杭区"
    assert len(list(cache.glob("regions-*.pickle"))) == 2


def test_a_damaged_index_file_is_rebuilt(cache):
    first = _read(load_rules())
    (kept,) = cache.glob("regions-*.pickle")
    kept.write_bytes(kept.read_bytes()[:1000])
    assert _read(load_rules()) == first
    assert kept.stat().st_size > 1_000_000


def test_caching_off_keeps_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _read(load_rules()) == ("浙江省", "杭州市", "西湖区")
    assert not list(tmp_path.rglob("*.pickle"))


def test_the_report_template_is_compiled_once_and_renders_alike(cache, rules):
    from pipeline.writers import report
    from tests.report_fixtures import make_catalog, with_summary

    context = report.build_context(with_summary(make_catalog(rules, customers=5, issues=8, core_need=False)))
    first = report._environment().get_template(report.TEMPLATE).render(**context)
    kept = sorted((cache / "jinja").iterdir())
    assert len(kept) == 1
    again = report._environment().get_template(report.TEMPLATE).render(**context)  # a new run
    assert sorted((cache / "jinja").iterdir()) == kept and again == first and "客户" in first


def test_installation_builds_the_kept_index_and_template(cache):
    from pipeline.buildcache import warm

    warm()                                              # `make install` runs it
    assert len(list(cache.glob("regions-*.pickle"))) == 1 and len(list((cache / "jinja").iterdir())) == 1
    assert len(list(cache.glob("industry-*.pickle"))) == 1


def _industry(rules, label):
    return compiled(rules).industry.parse(label).divisions


def test_the_industry_index_is_kept_too_and_a_new_alias_builds_a_new_one(cache, tmp_path):
    label = "小龙虾养殖基地运营"
    first = _industry(load_rules(), "汽车零部件制造")
    (kept,) = cache.glob("industry-*.pickle")
    stamp = kept.stat().st_mtime_ns
    assert first and _industry(load_rules(), "汽车零部件制造") == first     # read back
    assert kept.stat().st_mtime_ns == stamp
    before = _industry(load_rules(), label)
    rules_dir = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules_dir)
    aliases = rules_dir / "industry_aliases.csv"
    aliases.write_text(aliases.read_text(encoding="utf-8-sig").rstrip("\n") + f"\n{label},04\n", encoding="utf-8")
    assert _industry(load_rules(rules_dir, DEFAULT_SCHEMAS_DIR), label) == ("04",) != before
    assert len(list(cache.glob("industry-*.pickle"))) == 2
