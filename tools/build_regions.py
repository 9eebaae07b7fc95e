"""Regenerate rules/regions/*.csv from the Ministry of Civil Affairs division codes.

Source: a local checkout of the public mirror yescallop/areacodes (CC0) — ``data/<year>.txt``
(``code name`` per line, one file per year, as of 31 December) and ``result.csv`` (every code
ever used, its period and its successors). The product reads only the generated CSVs; it
never needs the network or the mirror at run time.

    python tools/build_regions.py /path/to/areacodes            # a work tree
    python tools/build_regions.py /path/to/areacodes.git        # or a bare git directory

Written (see docs/normalize.md, "Region tables"):

* ``provinces.csv``  code, name, short, aliases, region
* ``cities.csv``     code, province, name, short, variants, aliases  (prefecture level;
  municipalities and county-level units directly under a province appear as their own city)
* ``districts.csv``  code, province, city, name, short, variants, aliases  (county level)
* ``history.csv``    name, code, province, city, level, until, successor, successor_name,
  successor_city, also — every obsolete name with the current unit it became (a prefecture
  split up without one successor, 柳州地区, has none: the reader knows it is no current place)

``short`` and ``variants`` (other short forms: 石柱县, 浦东区, 延边州) are computed. Hand-kept
columns are carried over from the existing files by code and never computed: ``aliases``
(呼市, 锡盟, HK …), ``region`` (大区), and the rows of 台湾/香港/澳门, which the MCA file lists
without detail. Two runs on the same checkout give identical files.
"""
from __future__ import annotations

import argparse
import csv
import io
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "rules" / "regions"

# The 56 officially recognised ethnic groups, longest first (names in autonomous units).
ETHNIC = sorted("""汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族
哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族
布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族
京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族""".split(), key=len, reverse=True)
# In unit names the 族 is often left out (博尔塔拉蒙古自治州, 伊犁哈萨克自治州, 新疆维吾尔自治区).
_ETHNIC_FORMS = sorted({*ETHNIC, *(e[:-1] for e in ETHNIC if len(e) >= 3)}, key=len, reverse=True)
_ETHNIC_RUN = "(?:" + "|".join(_ETHNIC_FORMS) + ")+"
_AUTONOMOUS = re.compile(rf"^(.{{2,}}?){_ETHNIC_RUN}(自治县|自治旗|自治州|自治区)$")
_ETHNIC_DISTRICT = re.compile(rf"^(.{{2,}}?){_ETHNIC_RUN}区$")      # 管城回族区 → 管城区
_PROVINCE_SUFFIX = re.compile(r"(?:省|市|特别行政区|自治区)$")
_CITY_SUFFIX = re.compile(r"(?:市|地区|盟)$")
_COUNTY_SUFFIX = re.compile(r"(?:新区|林区|特区|矿区|区|县|市|旗)$")
# Not unit names at all, though the history lists them.
GENERIC = {"市区", "新区", "开发区", "城关镇"}


class Source:
    """Files of the areacodes checkout: a work tree or a bare git directory."""

    def __init__(self, path: Path):
        self.path = path
        self.bare = not (path / "result.csv").exists()

    def read(self, name: str) -> str:
        if not self.bare:
            return (self.path / name).read_text(encoding="utf-8-sig")
        out = subprocess.run(["git", f"--git-dir={self.path}", "show", f"HEAD:{name}"],
                             check=True, capture_output=True)
        return out.stdout.decode("utf-8-sig")

    def years(self) -> list[int]:
        if not self.bare:
            names = [p.name for p in (self.path / "data").glob("*.txt")]
        else:
            out = subprocess.run(["git", f"--git-dir={self.path}", "ls-tree", "--name-only", "HEAD", "data/"],
                                 check=True, capture_output=True, text=True)
            names = [Path(n).name for n in out.stdout.split()]
        return sorted(int(n[:4]) for n in names if re.fullmatch(r"\d{4}\.txt", n))

    def commit(self) -> str:
        git = ["git", f"--git-dir={self.path}"] if self.bare else ["git", "-C", str(self.path)]
        try:
            return subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True,
                                  text=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""


def strip_autonomous(name: str) -> str:
    m = _AUTONOMOUS.match(name)
    return m.group(1) if m else name


def province_short(name: str) -> str:
    return _PROVINCE_SUFFIX.sub("", strip_autonomous(name)) or name


def city_shorts(name: str) -> list[str]:
    base = strip_autonomous(name)
    out = []
    if base != name:                                   # 延边朝鲜族自治州 → 延边, 延边州
        out += [base, base + "州"]
    else:
        short = _CITY_SUFFIX.sub("", name)
        if short != name and len(short) >= 2:
            out.append(short)
    return [s for s in out if len(s) >= 2 and s != name]


def county_shorts(name: str) -> list[str]:
    base = strip_autonomous(name)
    if base != name:                                   # 石柱土家族自治县 → 石柱, 石柱县
        kind = "旗" if name.endswith("旗") else "县"
        out = [base, base + kind]
    elif _ETHNIC_DISTRICT.match(name):
        base = _ETHNIC_DISTRICT.match(name).group(1)
        out = [base, base + "区"]
    else:
        short = _COUNTY_SUFFIX.sub("", name)
        out = [short] if short != name else []
        if name.endswith("新区") and short:            # 浦东新区 → 浦东, 浦东区
            out.append(short + "区")
    return [s for s in out if len(s) >= 2 and s != name]


def read_current(src: Source, year: int) -> dict[str, str]:
    codes = {}
    for line in src.read(f"data/{year}.txt").splitlines():
        parts = line.split(None, 1)
        if len(parts) == 2 and re.fullmatch(r"\d{6}", parts[0]):
            codes[parts[0]] = parts[1].strip()
    return codes


def read_existing(name: str) -> dict[str, dict]:
    path = OUT / name
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {r["code"]: r for r in csv.DictReader(fh)}


def join(values) -> str:
    return "|".join(dict.fromkeys(v for v in values if v))


def build(src: Source) -> dict[str, list[dict]]:
    year = src.years()[-1]
    cur = read_current(src, year)
    old_p, old_c, old_d = read_existing("provinces.csv"), read_existing("cities.csv"), read_existing("districts.csv")
    pname = {c[:2]: n for c, n in cur.items() if c.endswith("0000")}
    provinces = []
    for code2, name in sorted(pname.items()):
        provinces.append({"code": code2, "name": name, "short": province_short(name),
                          "aliases": old_p.get(code2, {}).get("aliases", ""),
                          "region": old_p.get(code2, {}).get("region", "")})
    for code2, kept in sorted(old_p.items()):          # 台湾 / 香港 / 澳门 without MCA detail stay as kept
        if code2 not in pname:
            provinces.append({k: kept.get(k, "") for k in COLUMNS["provinces"]})
            pname[code2] = kept["name"]
    provinces.sort(key=lambda r: r["code"])

    cities, districts = [], []
    prefecture = {c[:4]: n for c, n in cur.items() if c[4:] == "00" and not c.endswith("0000")}
    municipalities = {c2 for c2 in pname if c2 in {"11", "12", "31", "50"}}

    def city_row(code: str, prov: str, name: str) -> dict:
        if code[:2] in municipalities:
            shorts = [province_short(name)]
        elif len(code) == 6:                           # a county-level unit directly under the province
            shorts = county_shorts(name)
        else:
            shorts = city_shorts(name)
        return {"code": code, "province": prov, "name": name, "short": shorts[0] if shorts else "",
                "variants": join(shorts[1:]), "aliases": old_c.get(code, {}).get("aliases", "")}

    for c2 in sorted(municipalities):
        cities.append(city_row(c2 + "00", pname[c2], pname[c2]))
    for c4, name in sorted(prefecture.items()):
        cities.append(city_row(c4, pname[c4[:2]], name))
    for code, name in sorted(cur.items()):
        if code.endswith("00") or code[:2] not in pname:
            continue
        prov = pname[code[:2]]
        if code[:2] in municipalities:
            city = prov
        elif code[2:4] == "90" or code[:4] not in prefecture:   # directly under the province
            city = name
            cities.append(city_row(code, prov, name))
        else:
            city = prefecture[code[:4]]
        shorts = county_shorts(name)
        districts.append({"code": code, "province": prov, "city": city, "name": name,
                          "short": shorts[0] if shorts else "",
                          "variants": join(shorts[1:]), "aliases": old_d.get(code, {}).get("aliases", "")})
    listed = {r["code"][:2] for r in cities}
    for code, kept in sorted(old_c.items()):           # kept rows the MCA file does not list (港澳台)
        if code[:2] not in listed:
            cities.append({k: kept.get(k, "") for k in COLUMNS["cities"]})
    cities.sort(key=lambda r: r["code"])
    history = build_history(src, cur, pname, prefecture, municipalities)
    return {"provinces": provinces, "cities": cities, "districts": districts, "history": history}


def build_history(src: Source, cur: dict[str, str], pname, prefecture, municipalities) -> list[dict]:
    """Every name no longer in use → the current unit its area belongs to now."""
    rows = list(csv.DictReader(io.StringIO(src.read("result.csv"))))
    by_code: dict[str, list[dict]] = {}
    for r in rows:
        by_code.setdefault(r["代码"], []).append(r)

    def successors(code: str, since: int, seen: frozenset = frozenset()) -> list[str]:
        """Current codes for ``code`` as used until ``since`` (follows chains of changes)."""
        if code in cur:
            later = [r for r in by_code.get(code, ()) if r["状态"] != "在用" and int(r["启用时间"]) >= since]
            if not later:
                return [code]
        out: list[str] = []
        for r in sorted(by_code.get(code, ()), key=lambda r: int(r["启用时间"])):
            if r["状态"] == "在用" or int(r["变更/弃用时间"] or 0) < since:
                continue
            for part in (r["新代码"] or "").split(";"):
                if not part or "[" in part:               # bracketed: an earlier partial transfer
                    continue
                key = (part, int(r["变更/弃用时间"]))
                if part == code and part in cur:
                    out.append(part)
                elif key not in seen:
                    out += successors(part, int(r["变更/弃用时间"]), seen | {key})
            if r["状态"] == "变更" and code in cur and not out:
                out.append(code)
        return list(dict.fromkeys(out))

    def place(code: str) -> tuple[str, str]:
        prov = pname.get(code[:2], "")
        if code.endswith("0000"):
            return prov, ""
        if code[:2] in municipalities:
            return prov, prov
        if code.endswith("00"):
            return prov, prefecture.get(code[:4], cur.get(code, ""))
        if code[2:4] == "90" or code[:4] not in prefecture:
            return prov, cur.get(code, "")
        return prov, prefecture[code[:4]]

    current_names = set(cur.values())
    started = {r["代码"]: r["启用时间"] for r in rows if r["状态"] == "在用"}
    overrides = {(o["name"], o["code"]): o["successor"] for o in read_overrides()}

    def main_first(name: str, code: str, until: int, succ: list[str]) -> list[str]:
        """The successor that took the unit over first: a hand choice (tools/regions_successors.csv),
        the same name still in use (和县), the same name with a new level word (文登市 → 文登区),
        a unit created at that change (绍兴县 → 柯桥区 2013), then the source's order."""
        stem = _COUNTY_SUFFIX.sub("", name)
        fixed = overrides.get((name, code))

        def rank(s: str) -> tuple:
            return (s != fixed, cur[s] != name, _COUNTY_SUFFIX.sub("", cur[s]) != stem,
                    started.get(s) != str(until))
        return sorted(succ, key=rank)

    out = []
    for r in rows:
        if r["状态"] == "在用" or r["级别"] == "省级":
            continue
        name, code = r["名称"].strip(), r["代码"]
        if name in GENERIC or len(name) < 2:
            continue
        until = int(r["变更/弃用时间"])
        succ = [s for s in successors(code, until) if s in cur]
        level = "city" if r["级别"] == "地级" else "district"
        if level == "city":
            succ = [s for s in succ if s.endswith("00")] or [s[:4] + "00" for s in succ if s[:4] + "00" in cur]
        else:
            succ = [s for s in succ if not s.endswith("00")]
        succ = main_first(name, code, until, list(dict.fromkeys(succ)))
        if not succ:
            if level == "city" and name not in current_names:   # 柳州地区: split up, no single successor
                out.append({"name": name, "code": code, "province": r["一级行政区"], "city": "", "level": level,
                            "until": until, "successor": "", "successor_name": "", "successor_city": "",
                            "also": "", "current": ""})
            continue
        if cur.get(succ[0]) == name:
            continue                                   # the name is still that unit's name
        prov, city = place(succ[0])
        out.append({"name": name, "code": code, "province": r["一级行政区"],
                    "city": r["二级行政区"] if level == "district" else "", "level": level, "until": until,
                    "successor": succ[0], "successor_name": cur[succ[0]], "successor_city": city,
                    "also": join(cur[s] for s in succ[1:]), "current": "是" if name in current_names else ""})
    out.sort(key=lambda r: (r["code"], r["until"], r["name"]))
    uniq, seen = [], set()
    for r in out:
        key = (r["name"], r["successor"], r["city"])
        if key not in seen:
            seen.add(key)
            uniq.append(r)
    return uniq


def read_overrides() -> list[dict]:
    """Hand-chosen main successors where the rule in ``main_first`` picks a part that split off."""
    path = Path(__file__).with_name("regions_successors.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


COLUMNS = {
    "provinces": ["code", "name", "short", "aliases", "region"],
    "cities": ["code", "province", "name", "short", "variants", "aliases"],
    "districts": ["code", "province", "city", "name", "short", "variants", "aliases"],
    "history": ["name", "code", "province", "city", "level", "until", "successor", "successor_name",
                "successor_city", "also", "current"],
}


def write(tables: dict[str, list[dict]], out: Path = OUT) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for stem, rows in tables.items():
        with (out / f"{stem}.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, COLUMNS[stem], lineterminator="\n", extrasaction="ignore")
            w.writeheader()
            w.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkout", type=Path, help="areacodes work tree or bare git directory")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    src = Source(args.checkout)
    tables = build(src)
    write(tables, args.out)
    commit = src.commit()
    print(f"areacodes {commit[:12] or '?'} ({src.years()[-1]}): "
          + ", ".join(f"{k} {len(v)}" for k, v in tables.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
