"""Rebuild the region test samples under tests/data/regions/ from public repositories
(see tests/data/regions/README.md for the repositories, paths and commits).

    python tools/make_region_samples.py ANNOTATED_GIT_DIR COMPANY_GIT_DIR

ANNOTATED_GIT_DIR: leodotnet/neural-chinese-address-parsing (data/dev.txt, data/test.txt:
character-level BIO tags prov/city/district); COMPANY_GIT_DIR: shibing624/addressparser
(tests/addr.csv: real company addresses, unlabelled). Only the address text and the prov /
city / district spans are kept.
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
            if tag.startswith("B-") or key not in spans:
                spans[key] = spans.get(key, "") + ("|" if key in spans else "") + token
            else:
                spans[key] += token


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
    raise SystemExit(main(*sys.argv[1:3]))
