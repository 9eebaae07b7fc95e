"""Generate rules/regions/hmt.csv: the cities and counties of 台湾省 and the districts of the
香港 and 澳门 special administrative regions, which the Ministry of Civil Affairs codes
(tools/build_regions.py) do not list below the province.

    python tools/build_hmt.py MOHW_GIT_DIR

MOHW_GIT_DIR: a local checkout (work tree or bare git dir) of cctwFHIRterm/MOHW_TWCoreIG_Build;
``input/fsh/terminologies/CodeSystem_TWPostalCode3.fsh`` at commit ``COMMIT`` lists the 中华邮政
three-digit postal areas, one per 乡镇市区 (县市 + 乡镇市区, traditional characters; converted
with OpenCC ``t2s``). 新竹市 and 嘉义市 are one postal area each, so their districts, the HK and
Macau districts and a few old names come from ``tools/regions_hmt_hand.csv``. Codes are made
here (71cc / 71ccdd, 8101dd, 8201dd: in order of the source); the national standard has none.
Two runs give identical files.
"""
from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import opencc

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "rules" / "regions" / "hmt.csv"
HAND = Path(__file__).resolve().parent / "regions_hmt_hand.csv"
COMMIT = "0da9332ac98e86d60c1771e675d452adaf0cf6ee"
PATH = "input/fsh/terminologies/CodeSystem_TWPostalCode3.fsh"
_ENTRY = re.compile(r'^/?\* #(\d{3}) "([^"]+)"', re.M)
_CITY = re.compile(r"^(.{2}[市縣])(.+)$")
_SKIP = ("南海島",)                              # 东沙/南沙 islands: no county of their own
COLUMNS = ["level", "code", "province", "city", "name", "short", "aliases", "note"]
TW = "台湾省"


def _source(checkout: str) -> str:
    git = Path(checkout)
    args = ["git", f"--git-dir={git}"] if (git / "HEAD").exists() and not (git / ".git").exists() else ["git", "-C", str(git)]
    return subprocess.run([*args, "show", f"{COMMIT}:{PATH}"], check=True, capture_output=True).stdout.decode("utf-8")


def _short(name: str) -> str:
    return name[:-1] if len(name) >= 3 and name[-1] in "市县" else ""


def build(checkout: str) -> list[dict]:
    t2s = opencc.OpenCC("t2s")
    cities: dict[str, list[tuple[str, str]]] = {}       # simplified city -> [(district, traditional)]
    traditional: dict[str, str] = {}
    for _, text in _ENTRY.findall(_source(checkout)):
        m = _CITY.match(text)
        if not m or text.startswith(_SKIP):
            continue
        city, district = t2s.convert(m.group(1)), t2s.convert(m.group(2))
        traditional[city] = m.group(1)
        cities.setdefault(city, [])
        if district not in (d for d, _ in cities[city]):
            cities[city].append((district, m.group(2)))
    with HAND.open(encoding="utf-8", newline="") as fh:
        hand = list(csv.DictReader(fh))
    for row in hand:
        if row["level"] == "district" and row["province"] == TW and \
                row["name"] not in (d for d, _ in cities.setdefault(row["city"], [])):
            cities[row["city"]].append((row["name"], ""))
    extra = {(r["level"], r["province"], r["city"], r["name"]): r for r in hand}
    rows = []
    for i, (city, districts) in enumerate(cities.items(), 1):
        code = f"71{i:02d}"
        h = extra.get(("city", TW, "", city), {})
        aliases = [a for a in [traditional.get(city, "")] + (h.get("aliases") or "").split("|") if a and a != city]
        rows.append({"level": "city", "code": code, "province": TW, "city": "", "name": city, "short": _short(city),
                     "aliases": "|".join(aliases), "note": h.get("note", "")})
        for j, (district, trad) in enumerate(districts, 1):
            h = extra.get(("district", TW, city, district), {})
            aliases = [a for a in [t2s.convert(trad) != trad and trad or ""] + (h.get("aliases") or "").split("|") if a]
            rows.append({"level": "district", "code": f"{code}{j:02d}", "province": TW, "city": city, "name": district,
                         "short": h.get("short", ""), "aliases": "|".join(aliases), "note": h.get("note", "")})
    for prov, code in (("香港特别行政区", "8101"), ("澳门特别行政区", "8201")):
        for j, r in enumerate((r for r in hand if r["province"] == prov), 1):
            rows.append({"level": "district", "code": f"{code}{j:02d}", "province": prov, "city": prov,
                         "name": r["name"], "short": r["short"], "aliases": r["aliases"], "note": r["note"]})
    return rows


def main(checkout: str) -> int:
    rows = build(checkout)
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"{OUT.relative_to(ROOT)}: {sum(r['level'] == 'city' for r in rows)} cities, "
          f"{sum(r['level'] == 'district' for r in rows)} districts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:2]))
