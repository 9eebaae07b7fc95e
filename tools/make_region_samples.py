"""Rebuild the region test samples under tests/data/regions/ from public repositories
(see tests/data/regions/README.md for the repositories, paths and commits).

    python tools/make_region_samples.py ANNOTATED_GIT_DIR COMPANY_GIT_DIR
    python tools/make_region_samples.py heldout ANNOTATED_GIT_DIR CCKS_GIT_DIR
    python tools/make_region_samples.py waybills EXTRACTED_DIR [test|dev]

ANNOTATED_GIT_DIR: leodotnet/neural-chinese-address-parsing (data/dev.txt, data/test.txt:
character-level BIO tags prov/city/district); COMPANY_GIT_DIR: shibing624/addressparser
(tests/addr.csv: real company addresses, unlabelled). Only the address text and the prov /
city / district spans are kept.

``heldout``: the corpus's train split (data/train.txt), and from CCKS_GIT_DIR
(qq1065507891/ChineseAddressNER) the CCKS 2021 address corpus (paddle_ner/data/CCKS2021/
{dev,train}.conll, BIOES tags; rows also in the first corpus left out) and the express-waybill
set (paddle_ner/data/express_ner/*.txt: A1/A2/A3 = province/city/district, names and phone
numbers dropped).

``waybills``: EXTRACTED_DIR holds dev.txt, test.txt, train.txt unpacked from
swei412/address-matching data/dataset_v2/data.7z (any 7-Zip tool, or the py7zr package): BMES
tags over BERT word pieces (``##2`` continues a number); 3 000 random rows (seed 20) of its test
split (``dev``: of its dev split, address_matching_dev.csv), none holding an ``[UNK]`` piece, none
in another sample here.
"""
from __future__ import annotations

import csv
import io
import random
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "regions"


def show(git_dir: str, path: str) -> str:
    return subprocess.run(["git", f"--git-dir={git_dir}", "show", f"HEAD:{path}"], check=True,
                          capture_output=True).stdout.decode("utf-8-sig")


def conll_rows(text: str):
    chars, spans = [], {}
    for line in text.splitlines() + [""]:
        if not line.strip():
            if chars:
                yield "".join(chars), spans
            chars, spans = [], {}
            continue
        token, _, tag = line.rpartition(" ")
        chars.append(token)
        if tag[2:] in ("prov", "city", "district"):
            key = tag[2:]
            if tag[:2] in ("B-", "S-") or key not in spans:
                spans[key] = spans.get(key, "") + ("|" if key in spans else "") + token
            else:
                spans[key] += token


def _write(name: str, rows) -> None:
    with (OUT / name).open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["address", "province", "city", "district"])
        w.writerows(rows)


def _express(text: str):
    """Lines ``chars<TAB>tags``, both joined by \\x02; A1–A4 are the address parts."""
    for line in text.splitlines()[1:]:
        chars = line.partition("\t")[0].split("\x02")
        tags = line.partition("\t")[2].split("\x02")
        if len(chars) != len(tags):
            continue
        spans: dict[str, str] = {}
        for ch, tag in zip(chars, tags):
            key = tag[2:]
            spans[key] = spans.get(key, "") + ("|" if tag.startswith("B-") and key in spans else "") + ch
        yield "".join(c for c, t in zip(chars, tags) if t[2:] in ("A1", "A2", "A3", "A4")), spans


def heldout(annotated: str, ccks: str) -> int:
    seen = {addr for split in ("dev", "test", "train") for addr, _ in conll_rows(show(annotated, f"data/{split}.txt"))}
    _write("annotated_train.csv", ([a, s.get("prov", ""), s.get("city", ""), s.get("district", "")]
                                   for a, s in conll_rows(show(annotated, "data/train.txt"))))
    for split in ("dev", "train"):
        _write(f"ccks2021_{split}.csv", ([a, s.get("prov", ""), s.get("city", ""), s.get("district", "")]
                                         for a, s in conll_rows(show(ccks, f"paddle_ner/data/CCKS2021/{split}.conll"))
                                         if a not in seen))
    rows, done = [], set()
    for split in ("train", "dev", "test"):
        for a, s in _express(show(ccks, f"paddle_ner/data/express_ner/{split}.txt")):
            if a not in done:
                done.add(a)
                rows.append([a, s.get("A1", ""), s.get("A2", ""), s.get("A3", "")])
    _write("express_waybills.csv", rows)
    return 0


def waybills(extracted: str, split: str = "test") -> int:
    name = f"address_matching_{split}.csv"
    seen = {r["address"] for f in OUT.glob("*.csv") if f.name != name
            for r in csv.DictReader(f.open(encoding="utf-8")) if "address" in r}
    text = (Path(extracted) / f"{split}.txt").read_text(encoding="utf-8")
    text = "\n".join(line[2:] if line.startswith("##") else line for line in text.splitlines())
    rows = {a: s for a, s in conll_rows(text) if "[UNK]" not in a and a not in seen}
    picked = sorted(rows)
    random.Random(20).shuffle(picked)
    _write(name, ([a, rows[a].get("prov", ""), rows[a].get("city", ""), rows[a].get("district", "")]
                  for a in picked[:3000]))
    return 0


def main(annotated: str, companies: str) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for split in ("dev", "test"):
        with (OUT / f"annotated_{split}.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["address", "province", "city", "district"])
            for addr, spans in conll_rows(show(annotated, f"data/{split}.txt")):
                w.writerow([addr, spans.get("prov", ""), spans.get("city", ""), spans.get("district", "")])
    rows = list(csv.DictReader(io.StringIO(show(companies, "tests/addr.csv"))))
    addrs = sorted({r["原始地址"].strip() for r in rows if r["原始地址"].strip()})
    random.Random(20).shuffle(addrs)
    with (OUT / "company_addresses.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["address"])
        w.writerows([a] for a in addrs[:5000])
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["waybills"]:
        raise SystemExit(waybills(*sys.argv[2:4]))
    if sys.argv[1:2] == ["heldout"]:
        raise SystemExit(heldout(*sys.argv[2:4]))
    raise SystemExit(main(*sys.argv[1:3]))
