"""Realistic, messy sample submissions of a Chinese sales organisation for one month.

``write_demo_inputs(folder, seed, rows)`` writes the team files; ``demo_manifest(seed, rows)``
returns what was planted in them (duplicates, invalid cells, nameless rows …) without
writing anything. Same seed and rows → byte-identical files and the same manifest.

Default (``rows=None``, about 360 data rows):

1. ``华东销售部_2026年11月客户名单.xlsx`` — title, note, header at row 3, 万元 amounts, 合计 and
   signature rows, a 填写说明 sheet;
2. ``大客户部-重点客户.xlsx`` — synonym headers with line breaks/spaces, joined regions,
   mixed date/amount/rate spellings;
3. ``华南区域_客户资料.csv`` — GB18030 CSV;
4. ``线上渠道部_个人客户.xlsx`` — 个人客户 in pasted blocks (repeated headers, blank rows,
   小计) plus a small 企业客户 sheet;
5. ``大客户部_客户维护表_<客户>.xlsx`` — one label/value form (docs/intake.md, “Forms”).

Large ``rows`` add team files of about 5 000 rows each (more forms from 50 000 rows).
"""
from __future__ import annotations

import multiprocessing
import os
import random
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any, Callable

from .form import build_form
from .layouts import build_csv, build_east, build_key, build_online
from .plan import Manifest, build_plan
from .sheets import FileModel, write_csv, write_xlsx

__all__ = ["write_demo_inputs", "demo_manifest"]
PARALLEL_FROM_ROWS = 20000
_LAST: dict[tuple[int, int | None], Manifest] = {}   # manifest of the last generated set

BUILDERS: dict[str, Callable[..., FileModel]] = {
    "east": build_east, "key": build_key, "guide": build_key, "csv": build_csv, "online": build_online, "form": build_form,
}


def _generate(seed: int, rows: int | None, sink: Callable[[FileModel], None], files: int | None = None,
              nationwide: bool = False) -> Manifest:
    specs, pop, _ = build_plan(seed, rows, files, nationwide)
    manifest = Manifest(seed, rows)
    for index, spec in enumerate(specs):
        rng = random.Random(f"{seed}:{index}:{spec.layout}")
        manifest.add_file(spec)
        sink(BUILDERS[spec.layout](spec, pop, rng, manifest))
    manifest.lookalikes = list(pop.lookalike_pairs)
    return manifest


def _write_model(folder: Path, model: FileModel) -> Path:
    path = folder / model.name
    (write_csv if path.suffix == ".csv" else write_xlsx)(path, model)
    return path


def write_demo_inputs(folder: Path, seed: int = 20261123, rows: int | None = None,
                      files: int | None = None, nationwide: bool = False) -> list[Path]:
    """Write the demo submissions into ``folder`` (created if missing); returns the paths.
    ``files``: how many team list workbooks (default about one per 5 000 rows; at least 4).
    ``nationwide``: customers in every prefecture city of the region tables instead of the
    demo's 32 (``make bench``: the diversity of a real month; its manifest is not kept).

    Big requests write the files in worker processes while the next file is generated;
    each file is written whole by one process, so the bytes do not depend on scheduling.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    workers = min(4, os.cpu_count() or 1)
    if rows is None or rows < PARALLEL_FROM_ROWS or workers < 2:
        written: list[Path] = []
        _remember(seed, rows, _generate(seed, rows, lambda model: written.append(_write_model(folder, model)), files,
                                        nationwide), files, nationwide)
        return written
    futures: list[Future] = []
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        def sink(model: FileModel) -> None:
            futures.append(pool.submit(_write_model, folder, model))
            pending = [f for f in futures if not f.done()]
            if len(pending) > 2 * workers:      # bound the models held in memory
                wait(pending, return_when=FIRST_COMPLETED)

        _remember(seed, rows, _generate(seed, rows, sink, files, nationwide), files, nationwide)
        return [f.result() for f in futures]


def _remember(seed: int, rows: int | None, manifest: Manifest, files: int | None = None,
              nationwide: bool = False) -> None:
    _LAST.clear()
    if not files and not nationwide:     # demo_manifest knows the default plan only
        _LAST[(seed, rows)] = manifest


def demo_manifest(seed: int = 20261123, rows: int | None = None) -> dict[str, Any]:
    """What ``write_demo_inputs(folder, seed, rows)`` plants, as a JSON-ready dict.

    Generation is deterministic, so the manifest of the last written set is reused
    instead of generating everything again.
    """
    manifest = _LAST.get((seed, rows)) or _generate(seed, rows, lambda model: None)
    return manifest.to_dict()
