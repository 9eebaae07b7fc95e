"""`make bench`: generate N rows across M team workbooks, run the pipeline, and compare the
run with the I/O floor measured in the same run.

    python -m bench.run --rows 200000 --files 40
    make bench BENCH_ARGS="--rows 100000"

The floor is what no implementation can avoid on this machine:

- **read**: every input sheet read with python-calamine (``to_python``); CSV files decoded
  and split with the ``csv`` module;
- **write**: the cells the run actually wrote — counted afterwards in every output workbook
  (customers.xlsx, views/, returns/; strings, numbers and dates separately) — written again
  with xlsxwriter in its default mode (strings of the outputs' mean length), plus the
  other output files (issues.csv, report.html, summary.json) copied byte for byte; and the
  same cells once more with rustpy-xlsxwriter (Rust) when the ``bench`` extra is installed.

run/floor is the whole ``run_pipeline`` wall time divided by that floor. Peak memory is the
proportional set size (PSS) of this process plus its child processes, sampled every 0.1 s. No timed
assertions anywhere: this prints figures; bench/README.md records them.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _rss(pid: int | str) -> int:
    """Proportional set size (shared copy-on-write pages of forked children counted once
    across the tree), else the resident set size."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0


def _children(pid: int | str) -> list[str]:
    out: list[str] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out.extend(fh.read().split())
    except OSError:
        pass
    return out


def tree_rss(pid: int | str = "self") -> int:
    """Memory of ``pid`` and all its descendants (Linux /proc; 0 elsewhere)."""
    total, todo = 0, [str(os.getpid()) if pid == "self" else str(pid)]
    while todo:
        p = todo.pop()
        total += _rss(p)
        todo.extend(_children(p))
    return total


class RssSampler:
    """Peak memory (PSS of the process tree), sampled from /proc in a thread.

    Reading ``smaps_rollup`` walks the process's page tables: ~50 ms for a 2.6 GB process
    here, so at a million rows (a 6 GB parent and two forked children) one sample of the tree
    took ~0.3 s, and sampling every 0.1 s kept most of a core busy in the kernel (charged to
    this process's CPU time) — the bench measured its sampler. The sampler now waits at least
    ``1 / budget`` times as long as its last sample took (at most ~5 % of one core); the
    printed ``sampler`` line says what it cost. The stage hooks read its last sample, not
    the tree (a stage shorter than one interval shows the memory around it)."""

    def __init__(self, interval: float = 0.1, budget: float = 0.05):
        self.interval, self.budget = interval, budget
        self.peak = self.overall = self.last = 0
        self.reads, self.read_s = 0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def sample(self) -> float:
        """One reading of the tree; returns the seconds it took."""
        t = time.perf_counter()
        now = tree_rss()
        took = time.perf_counter() - t
        self.reads, self.read_s, self.last = self.reads + 1, self.read_s + took, now
        self.peak, self.overall = max(self.peak, now), max(self.overall, now)
        return took

    def _loop(self) -> None:
        while not self._stop.is_set():
            took = self.sample()
            self._stop.wait(max(self.interval, took / self.budget))

    def reset(self) -> None:
        self.peak = self.last

    def start(self) -> None:
        self.sample()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


class StageHook:
    """Runner hook: wall time, CPU time (user + system, with the stage's ended child
    processes) and peak memory per stage."""

    def __init__(self, sampler: RssSampler):
        self.sampler, self.rows, self._cpu0 = sampler, [], 0.0

    def before(self, stage) -> None:
        self.sampler.reset()
        self._cpu0 = _cpu()
        print(f"  · {stage.name}…", file=sys.stderr, flush=True)

    def after(self, stage, seconds, result) -> None:
        self.rows.append((stage.name, seconds, _cpu() - self._cpu0, max(self.sampler.peak, self.sampler.last)))
        name, wall, cpu, peak = self.rows[-1]           # as it happens: a long run cut short keeps these
        print(f"    {name}: {wall:.1f} s wall, {cpu:.1f} s CPU, peak {peak / 2**20:.0f} MB; load "
              f"{os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)


@dataclass
class CellCount:
    strings: int = 0
    numbers: int = 0
    dates: int = 0
    chars: int = 0
    per_file: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.strings + self.numbers + self.dates


def count_output_cells(folder: Path) -> tuple[CellCount, int]:
    """Non-empty cells of every workbook under ``folder`` by type, and the bytes of the other files."""
    import python_calamine

    count, other_bytes = CellCount(), 0
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix.lower() != ".xlsx":
            other_bytes += path.stat().st_size
            continue
        n = 0
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            for row in wb.get_sheet_by_name(name).to_python(skip_empty_area=False):
                for v in row:
                    if v is None or v == "":
                        continue
                    n += 1
                    if isinstance(v, str):
                        count.strings += 1
                        count.chars += len(v)
                    elif isinstance(v, (dt.date, dt.datetime, dt.time, dt.timedelta)):
                        count.dates += 1
                    else:
                        count.numbers += 1
        count.per_file[str(path.relative_to(folder))] = n
    return count, other_bytes


def floor_read(inputs: list[Path]) -> tuple[float, int]:
    """Seconds to read every input sheet with python-calamine (CSV: decode + csv module)."""
    import python_calamine

    t0 = time.perf_counter()
    cells = 0
    for path in inputs:
        if path.suffix.lower() == ".csv":
            raw = path.read_bytes()
            for enc in ("utf-8-sig", "gb18030"):
                try:
                    text = raw.decode(enc)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                text = raw.decode("latin-1")
            cells += sum(len(r) for r in csv.reader(io.StringIO(text)))
            continue
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            cells += sum(len(r) for r in wb.get_sheet_by_name(name).to_python())
    return time.perf_counter() - t0, cells


#: cells per floor workbook: the outputs are many workbooks, and xlsxwriter's default mode
#: holds a whole workbook in memory, so the floor writes the same cells in workbooks of this size
FLOOR_CELLS_PER_BOOK = 2_000_000


def _floor_rows(count: CellCount, width: int = 25):
    """Rows of ``width`` cells with the outputs' mix of text / dates / numbers and their mean
    text length, ``count.total`` cells in all, grouped into workbooks of FLOOR_CELLS_PER_BOOK."""
    mean = max(1, round(count.chars / count.strings)) if count.strings else 8
    text = ("客户资料示例文本" * (mean // 8 + 1))[:mean]
    day = dt.datetime(2026, 11, 30)
    n_total = count.total
    s_cols = round(width * (count.strings / n_total)) if n_total else width
    d_cols = min(width - s_cols, round(width * (count.dates / n_total))) if n_total else 0
    row = [text] * s_cols + [day] * d_cols + [1234.5] * (width - s_cols - d_cols)
    rows_per_book = FLOOR_CELLS_PER_BOOK // width
    left = -(-n_total // width)                      # whole rows, rounded up
    while left > 0:
        n = min(left, rows_per_book)
        yield row, n
        left -= n


def _write_other(other_bytes: int, workdir: Path) -> None:
    with open(workdir / "floor.bin", "wb") as fh:
        block = b"x" * (1 << 20)
        left = other_bytes
        while left > 0:
            fh.write(block[: min(left, len(block))])
            left -= len(block)


def floor_write(count: CellCount, other_bytes: int, workdir: Path) -> float:
    """Seconds to write ``count`` cells (same types, mean string length) with xlsxwriter in its
    default mode (on this machine faster than its ``constant_memory`` mode), plus
    ``other_bytes`` of plain file output."""
    import xlsxwriter

    t0 = time.perf_counter()
    for book, (row, n) in enumerate(_floor_rows(count)):
        wb = xlsxwriter.Workbook(str(workdir / f"floor{book}.xlsx"))
        ws = wb.add_worksheet("floor")
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        for r in range(n):
            for c, v in enumerate(row):
                if isinstance(v, str):
                    ws.write_string(r, c, v)
                elif isinstance(v, dt.datetime):
                    ws.write_datetime(r, c, v, date_fmt)
                else:
                    ws.write_number(r, c, v)
        wb.close()
    _write_other(other_bytes, workdir)
    return time.perf_counter() - t0


def floor_write_actual(folder: Path, other_bytes: int, workdir: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of xlsxwriter (default mode) writing the very values the run wrote:
    every output workbook under ``folder`` is read back with python-calamine (not timed) and
    its cells written again sheet by sheet — same strings, so the shared-string table is as
    diverse as the outputs' — in workbooks of at most FLOOR_CELLS_PER_BOOK cells. Only the
    xlsxwriter calls (and ``other_bytes`` of plain output) are timed."""
    import python_calamine
    import xlsxwriter

    wall = cpu = 0.0
    book, cells, wb, ws, row_no, date_fmt = 0, 0, None, None, 0, None

    def timed(func, *args):
        nonlocal wall, cpu
        w0, c0 = time.perf_counter(), time.process_time()
        out = func(*args)
        wall += time.perf_counter() - w0
        cpu += time.process_time() - c0
        return out

    def new_book():
        nonlocal book, cells, wb, ws, row_no, date_fmt
        if wb is not None:
            timed(wb.close)
        wb = xlsxwriter.Workbook(str(workdir / f"floor-actual{book}.xlsx"), {
            "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        book, cells, row_no = book + 1, 0, 0
        ws = wb.add_worksheet("floor")

    def write_rows(rows):
        nonlocal cells, row_no
        ws_s, ws_n, ws_d, ws_b = ws.write_string, ws.write_number, ws.write_datetime, ws.write_boolean
        for row in rows:
            for c, v in enumerate(row):
                if v is None or v == "":
                    continue
                cls = v.__class__
                if cls is str:
                    ws_s(row_no, c, v)
                elif cls is bool:
                    ws_b(row_no, c, v)
                elif cls in (int, float):
                    ws_n(row_no, c, v)
                elif isinstance(v, (dt.date, dt.datetime, dt.time, dt.timedelta)):
                    ws_d(row_no, c, v, date_fmt)
                else:
                    ws_s(row_no, c, str(v))
                cells += 1
            row_no += 1

    new_book()
    for path in sorted(folder.rglob("*.xlsx")):
        wb_in = python_calamine.CalamineWorkbook.from_path(str(path))
        for name in wb_in.sheet_names:
            batch: list = []
            for row in wb_in.get_sheet_by_name(name).iter_rows():
                batch.append(row)
                if len(batch) >= 5000:
                    timed(write_rows, batch)
                    batch = []
                    if cells >= FLOOR_CELLS_PER_BOOK:
                        new_book()
            timed(write_rows, batch)
            if cells >= FLOOR_CELLS_PER_BOOK:
                new_book()
    timed(wb.close)
    timed(_write_other, other_bytes, workdir)
    return wall, cpu


def floor_write_rust(count: CellCount, other_bytes: int, workdir: Path) -> float | None:
    """The same cells with the fastest maintained writer found on the registry
    (rustpy-xlsxwriter, a binding of rust_xlsxwriter; `pip install '.[bench]'`); None when
    it is not installed."""
    try:
        import rustpy_xlsxwriter
    except ImportError:
        return None
    t0 = time.perf_counter()
    for book, (row, n) in enumerate(_floor_rows(count)):
        keys = [f"c{i}" for i in range(len(row))]
        record = dict(zip(keys, row))
        rustpy_xlsxwriter.FastExcel(str(workdir / f"floor-rust{book}.xlsx")).sheet(
            "floor", [dict(record) for _ in range(n)]).save()
    _write_other(other_bytes, workdir)
    return time.perf_counter() - t0


def diversity(customers) -> str:
    """How varied the month was: distinct names, cities, counties, branches among the customers."""
    if customers is None or not len(customers):
        return "diversity: no customers"
    def n(col):
        return customers[col].nunique() if col in customers else 0
    branches = int(customers["name"].astype(str).str.endswith("分公司").sum()) if "name" in customers else 0
    return (f"diversity: {n('name')} distinct 客户名称, {n('city')} 城市, {n('district')} 区县, "
            f"{branches} 分公司 among {len(customers)} customers")


def _cpu() -> float:
    """User + system CPU seconds of this process and its ended children."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def generate(folder: Path, rows: int, files: int | None, seed: int, nationwide: bool = True) -> list[Path]:
    import inspect

    from pipeline.demo import write_demo_inputs

    kwargs = {"rows": rows}
    if nationwide and "nationwide" in inspect.signature(write_demo_inputs).parameters:
        kwargs["nationwide"] = True
    if files:
        if "files" not in inspect.signature(write_demo_inputs).parameters:
            raise SystemExit("write_demo_inputs() of this version takes no files= argument")
        kwargs["files"] = files
    return write_demo_inputs(folder, seed=seed, **kwargs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000, help="data rows to generate (default 200000)")
    parser.add_argument("--files", type=int, default=None,
                        help="team list workbooks (default: one per 5 000 rows, at least 4)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--input", type=Path, default=None,
                        help="use this folder of submissions instead of generating one")
    parser.add_argument("--workdir", type=Path, default=None, help="where to generate and write (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the generated folder and outputs")
    parser.add_argument("--demo-cities", action="store_true",
                        help="customers in the demo's 32 cities only (default: every prefecture city of rules/regions)")
    parser.add_argument("--no-floors", action="store_true",
                        help="per-stage figures only, without the floors (quick A/B of a change)")
    args = parser.parse_args(argv)
    if args.rows <= 0 or (args.files is not None and args.files <= 0):
        parser.error("--rows and --files must be positive")

    from pipeline import intake
    from pipeline.api import run_pipeline
    from pipeline.model import RunOptions
    from pipeline.rules import load_rules

    work = Path(args.workdir or tempfile.mkdtemp(prefix="crm-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    sampler = RssSampler()
    sampler.start()
    try:
        t0 = time.perf_counter()
        if args.input:
            input_dir, gen_s = args.input, 0.0
        else:
            input_dir = work / "input"
            shutil.rmtree(input_dir, ignore_errors=True)
            generate(input_dir, args.rows, args.files, args.seed, not args.demo_cities)
            gen_s = time.perf_counter() - t0
        inputs = intake.list_inputs(input_dir)
        output_dir = work / "output"
        shutil.rmtree(output_dir, ignore_errors=True)
        rules = load_rules()
        hook = StageHook(sampler)
        options = RunOptions(input_dir=input_dir, output_dir=output_dir, as_of=dt.date(2026, 11, 30))
        base_rss = tree_rss()
        sampler.overall, sampler.reads, sampler.read_s = 0, 0, 0.0
        t0, cpu0 = time.perf_counter(), _cpu()
        result = run_pipeline(options, rules, hooks=(hook,))
        run_s, run_cpu = time.perf_counter() - t0, _cpu() - cpu0
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        peak = max([sampler.overall, *(r[3] for r in hook.rows)])
        s = result.summary
        rows_read = s.get("rows_read", 0) or 0
        pairs = (result.catalog.get("merge_stats") or {}).get("pairs_compared", s.get("pairs_compared"))
        sampled = (f"memory sampler: {sampler.reads} samples, {sampler.read_s:.1f} s of reading "
                   f"({sampler.read_s / max(run_s, 1e-9):.1%} of the run's wall time, in its CPU time)")

        if args.no_floors:
            print(diversity(result.catalog.get("customers")))
            print(f"{'stage':<18} {'wall s':>8} {'CPU s':>8} {'peak MB PSS':>12}")
            for name, sec, cpu, rss in hook.rows:
                print(f"{name:<18} {sec:8.2f} {cpu:8.2f} {rss / 2**20:12.0f}")
            print(f"{'total':<18} {run_s:8.2f} {run_cpu:8.2f} {peak / 2**20:12.0f}   "
                  f"{rows_read} rows read; load average at the end {load:.1f}")
            print(sampled)
            return 0
        count, other_bytes = count_output_cells(result.output_dir)
        c0 = _cpu()
        read_s, in_cells = floor_read(inputs)
        c1 = _cpu()
        write_s = floor_write(count, other_bytes, work)
        c2 = _cpu()
        rust_s = floor_write_rust(count, other_bytes, work)
        c3 = _cpu()
        actual_s, actual_cpu = floor_write_actual(result.output_dir, other_bytes, work)
        floor = read_s + write_s
        floor_cpu, rust_cpu = c2 - c0, (c1 - c0) + (c3 - c2)

        def rate(sec: float) -> str:
            return f"{rows_read / sec:10.0f}" if sec > 0 else f"{'-':>10}"

        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
              f"{platform.system()} {platform.release()}")
        print(f"input: {len(inputs)} files, {rows_read} rows read, {in_cells} cells"
              + (f"; generated in {gen_s:.1f} s" if gen_s else ""))
        print(f"{'stage':<18} {'wall s':>8} {'CPU s':>8} {'rows/CPU s':>10} {'peak MB PSS':>12}")
        for name, sec, cpu, rss in hook.rows:
            print(f"{name:<18} {sec:8.2f} {cpu:8.2f} {rate(cpu)} {rss / 2**20:12.0f}")
        print(f"{'total':<18} {run_s:8.2f} {run_cpu:8.2f} {rate(run_cpu)} {peak / 2**20:12.0f}"
              f"   (before the run: {base_rss / 2**20:.0f} MB)")
        print(f"CPU time of the run (with child processes): {run_cpu:.1f} s; load average at the end {load:.1f}")
        print(sampled)
        print(f"cells written: {count.total} ({count.strings} text, {count.numbers} numbers, {count.dates} dates; "
              f"mean text {count.chars / max(count.strings, 1):.1f} chars) + {other_bytes / 2**20:.1f} MB other files")
        for name, n in sorted(count.per_file.items(), key=lambda kv: -kv[1])[:5]:
            print(f"    {n:>9}  {name}")
        print(f"floor (xlsxwriter default mode, synthetic cells): read {read_s:.2f} s + write {write_s:.2f} s = {floor:.2f} s"
              f"   run/floor = {run_s / floor:.2f}; CPU {floor_cpu:.1f} s, run/floor CPU = {run_cpu / floor_cpu:.2f}")
        print(f"floor (xlsxwriter default mode, the outputs' own values): read {read_s:.2f} s + write "
              f"{actual_s:.2f} s = {read_s + actual_s:.2f} s   run/floor = {run_s / (read_s + actual_s):.2f}; "
              f"CPU {(c1 - c0) + actual_cpu:.1f} s, run/floor CPU = {run_cpu / ((c1 - c0) + actual_cpu):.2f}")
        if rust_s is None:
            print("floor (rustpy-xlsxwriter): not installed (pip install '.[bench]')")
        else:
            print(f"floor (rustpy-xlsxwriter):       read {read_s:.2f} s + write {rust_s:.2f} s = "
                  f"{read_s + rust_s:.2f} s   run/floor = {run_s / (read_s + rust_s):.2f}; "
                  f"CPU {rust_cpu:.1f} s, run/floor CPU = {run_cpu / rust_cpu:.2f}")
        print(f"customers {s.get('customers')}, merged rows {s.get('merged_rows')}, pairs compared {pairs}, "
              f"issues {sum((s.get('issues_by_severity') or {}).values())}")
        print(diversity(result.catalog.get("customers")))
        return 0
    finally:
        sampler.stop()
        if args.keep or args.workdir:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
