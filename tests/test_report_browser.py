"""report.html in a real browser (headless Chromium): no horizontal overflow at phone width
(390 px) or on a desktop (1400 px), and no script error. Skipped when Chromium is absent;
in CI (``CI`` set) it must run: .ci/run installs Debian's chromium and fonts-noto-cjk."""
from __future__ import annotations

import base64
import hashlib
import html as htmllib
import json
import os
import re
import shutil
import subprocess

import pytest

from pipeline.writers.report import build_report_html
from tests.report_fixtures import make_catalog, with_summary

BROWSER = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
if BROWSER is None:
    if os.environ.get("CI"):
        pytest.fail("CI must run the browser test: .ci/run installs chromium", pytrace=False)
    pytestmark = pytest.mark.skip(reason="Chromium is not installed")

#: runs first in the page: records script errors, then measures after load and hands the
#: result to the parent page (the report is loaded in a same-origin srcdoc iframe of the
#: wanted width: headless Chromium will not make its own window narrower than 500 px)
PROBE = """window.__errs=[];window.addEventListener('error',function(e){window.__errs.push(String(e.message));});
window.addEventListener('load',function(){var d=document.documentElement,v=d.clientWidth,wide=[];
Array.prototype.forEach.call(document.body.querySelectorAll('*'),function(el){var r=el.getBoundingClientRect();
if(r.right>v+1&&!el.closest('.tbl,.scroll')){wide.push(el.tagName+'.'+el.className);}});
var names=Array.prototype.map.call(document.querySelectorAll('td.file'),function(td){return td.getBoundingClientRect().width;});
parent.document.body.setAttribute('data-probe',JSON.stringify({scroll:d.scrollWidth,inner:v,errors:window.__errs,
wide:wide.slice(0,10),narrowest_name:names.length?Math.min.apply(null,names):null}));});"""


def _hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()


def measure(page: str, width: int, tmp_path, extra_script: str = "") -> dict:
    scripts = [PROBE] + ([extra_script] if extra_script else [])
    hashes = " ".join(f"'{_hash(s)}'" for s in scripts)
    page = page.replace("script-src '", f"script-src {hashes} '", 1)
    page = page.replace("<head>", "<head>" + "".join(f"<script>{s}</script>" for s in scripts), 1)
    wrapper = tmp_path / f"wrap{width}.html"
    wrapper.write_text(f'<!DOCTYPE html><html><body style="margin:0"><iframe style="border:0;width:{width}px;'
                       f'height:900px" srcdoc="{htmllib.escape(page, quote=True)}"></iframe></body></html>',
                       encoding="utf-8")
    out = subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                          "--window-size=1500,1000", "--virtual-time-budget=5000", "--dump-dom", wrapper.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    found = re.search(r'<body[^>]*data-probe="([^"]*)"', out)
    assert found, f"the page never finished loading: {out[:300]}"
    return json.loads(htmllib.unescape(found.group(1)))


@pytest.fixture(scope="module")
def page(rules):
    cat = make_catalog(rules, customers=60, issues=120)
    cat["files"].loc[0, "src_file"] = "华东销售部_2026年11月客户名单（含重点客户与新增客户）_最终修订版.xlsx"
    return build_report_html(with_summary(cat))


@pytest.mark.parametrize("width", [390, 1400])
def test_no_horizontal_overflow_and_no_script_error(page, width, tmp_path):
    got = measure(page, width, tmp_path)
    assert got["errors"] == []
    assert got["scroll"] <= got["inner"], got
    assert got["wide"] == [], got
    assert got["narrowest_name"] is None or got["narrowest_name"] >= 100   # names do not wrap per character


def test_the_probe_sees_overflow_and_errors(page, tmp_path):
    wide = page.replace('<section class="panel" id="overview">',
                        '<div style="width:900px">宽</div><section class="panel" id="overview">', 1)
    got = measure(wide, 390, tmp_path, extra_script="undefinedFunction();")
    assert got["scroll"] > got["inner"] and got["wide"]
    assert any("undefinedFunction" in e for e in got["errors"])
