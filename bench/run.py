"""`make bench`: generate N rows across M team workbooks, run the pipeline, and compare each
stage with the I/O floor measured in the same run.

    python -m bench.run --rows 200000 --files 40

Floor = reading every input sheet with python-calamine + writing the same number of cells
(master + returned copies) with xlsxwriter in constant-memory mode. No timed assertions
anywhere: this prints figures; bench/README.md records them.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import tempfile
import threading
import time
from pathlib import Path


class RssSampler:
    """Peak resident memory per stage, sampled from /proc (cheap, no tracing overhead)."""

    def __init__(self, interval: float = 0.05):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    @staticmethod
    def rss() -> int:
        try:
            with open("/proc/self/statm") as fh:
                return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def _loop(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.rss())
            time.sleep(self.interval)

    def reset(self):
        self.peak = self.rss()

    def start(self):
        self._thread.start()

    def stop(self):
        self._stop.set()


class StageHook:
    def __init__(self, sampler: RssSampler):
        self.sampler, self.rows = sampler, []

    def before(self, stage):
        self.sampler.reset()

    def after(self, stage, seconds, result):
        self.rows.append((stage.name, seconds, max(self.sampler.peak, self.sampler.rss())))


def measure_floor(inputs: list[Path], cells_to_write: int, workdir: Path) -> tuple[float, float, int]:
    """Read every sheet with calamine; write ``cells_to_write`` string cells with xlsxwriter."""
    import python_calamine
    import xlsxwriter

    t0 = time.perf_counter()
    cells = 0
    for path in inputs:
        if path.suffix.lower() == ".csv":
            cells += sum(1 for _ in path.open("rb"))
            continue
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            data = wb.get_sheet_by_name(name).to_python()
            cells += sum(len(r) for r in data)
    read_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    wb = xlsxwriter.Workbook(str(workdir / "floor.xlsx"), {"constant_memory": True})
    ws = wb.add_worksheet("floor")
    width = 25
    for i in range(cells_to_write // width + 1):
        ws.write_row(i, 0, ["客户资料示例文本"] * width)
    wb.close()
    write_s = time.perf_counter() - t0
    return read_s, write_s, cells


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--files", type=int, default=None, help="team workbooks (default: rows / 5000)")
    parser.add_argument("--keep", action="store_true", help="keep the generated folder")
    args = parser.parse_args(argv)

    from pipeline.api import run_pipeline
    from pipeline.demo import write_demo_inputs
    from pipeline.model import RunOptions
    from pipeline.rules import load_rules

    work = Path(tempfile.mkdtemp(prefix="crm-bench-"))
    sampler = RssSampler()
    sampler.start()
    try:
        t0 = time.perf_counter()
        kwargs = {"rows": args.rows}
        if args.files:
            kwargs["files"] = args.files
        inputs = write_demo_inputs(work / "input", seed=7, **kwargs)
        gen_s = time.perf_counter() - t0
        rules = load_rules()
        hook = StageHook(sampler)
        options = RunOptions(input_dir=work / "input", output_dir=work / "output", as_of=dt.date(2026, 11, 30))
        t0 = time.perf_counter()
        result = run_pipeline(options, rules, hooks=(hook,))
        run_s = time.perf_counter() - t0
        s = result.summary
        rows_read = s.get("rows_read", 0)
        n_fields = len([f for f in rules.fields])
        cells = s.get("customers", 0) * n_fields + rows_read * 2 * 25  # master + returned copies (+ source list)
        read_s, write_s, in_cells = measure_floor(inputs, cells, work)
        floor = read_s + write_s
        peak = max(r[2] for r in hook.rows)
        print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
        print(f"input: {len(inputs)} files, {rows_read} rows read, {in_cells} cells; generated in {gen_s:.1f} s")
        print(f"{'stage':<10} {'seconds':>8} {'rows/s':>10} {'peak RSS MB':>12}")
        for name, sec, rss in hook.rows:
            print(f"{name:<10} {sec:8.2f} {rows_read / sec if sec else 0:10.0f} {rss / 2**20:12.0f}")
        print(f"{'total':<10} {run_s:8.2f} {rows_read / run_s:10.0f} {peak / 2**20:12.0f}")
        print(f"floor: read {read_s:.2f} s + write {write_s:.2f} s ({cells} cells) = {floor:.2f} s")
        print(f"run/floor = {run_s / floor:.2f}")
        print(f"customers {s.get('customers')}, merged rows {s.get('merged_rows')}, "
              f"pairs compared {s.get('pairs_compared', 'n/a')}, issues {sum(s.get('issues_by_severity', {}).values())}")
    finally:
        sampler.stop()
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
