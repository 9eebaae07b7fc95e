"""Which month a run is for, when the steward does not say (``--as-of``/``AS_OF``).

The month written in the file names (``2026年11月``, ``2026-11``, ``202611``, ``11月``) or, for
a file without one, its 填表日期 cell (labels in rules/teams.yaml) or the month of the ledger
entry of the same submission; when every file that tells a month tells the same one, that
month (as of its last day, or today when it is the current month), else today. The choice
and its reason are shown by the CLI and kept in summary.json.
"""
from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from . import history, teams
from .intake.files import SUBMISSION_EXTENSIONS, relative_name
from .intake.readers import ReadError, decode_text

SOURCE_OPTION, SOURCE_FILES, SOURCE_TODAY = "指定", "提交文件", "今天"
EARLIEST = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class MonthChoice:
    as_of: dt.date
    source: str            # SOURCE_*
    reason: str            # Chinese, one line

    @property
    def month(self) -> str:
        return self.as_of.strftime("%Y-%m")


def check_as_of(as_of: dt.date, today: dt.date) -> str:
    """Why an explicit as-of date is refused ("" when it is fine): in the future or before 2000."""
    if as_of > today:
        return f"处理基准日期 {as_of.isoformat()} 在今天（{today.isoformat()}）之后"
    if as_of < EARLIEST:
        return f"处理基准日期 {as_of.isoformat()} 早于 {EARLIEST.isoformat()}"
    return ""


def _month_of_name(name: str, today: dt.date, rules: Any) -> tuple[int, int] | None:
    found = teams.name_date(name, rules)
    if not found:
        return None
    y, m, _ = found
    if y is None:                      # "11月": the latest such month not after today
        y = today.year if m <= today.month else today.year - 1
    return y, m


def _top_rows(path: Path, rows: int, rules: Any) -> list[list[list[Any]]]:
    """The first rows of each sheet, cheaply (python-calamine, csv as text); [] when unreadable."""
    try:
        data = path.read_bytes()
    except OSError:
        return []
    if path.suffix.lower() == ".csv":
        try:
            text = decode_text(data, rules)
        except ReadError:
            return []
        return [list(csv.reader(text.splitlines()[:rows]))]
    try:
        import python_calamine as pc

        book = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        try:
            return [book.get_sheet_by_name(n).to_python(nrows=rows) for n in book.sheet_names]
        finally:
            book.close()
    except Exception:       # damaged or encrypted: intake will say so; the month is not told
        return []


def _ledger_months(history_path: Path | None, rules: Any) -> dict[tuple[str, str], str]:
    """(team, base name) -> the latest month the ledger saw that submission in."""
    out: dict[tuple[str, str], str] = {}
    for entry in history.load_ledger_index(history_path):
        team = entry["team"] or teams.resolve_team(entry["src_file"], None, rules).team
        key = (team, teams.base_name(entry["src_file"], team, rules))
        out[key] = max(out.get(key, ""), entry["month"])
    return out


def infer_month(paths: Iterable[Path], input_dir: Path, today: dt.date, rules: Any,
                history_path: Path | None = None) -> MonthChoice:
    """The month of the submissions in ``paths`` when they agree, else today (see above)."""
    scan = teams.registry(rules).scan_rows
    months: dict[str, list[str]] = {}
    ledger = None
    for path in paths:
        path = Path(path)
        if path.suffix.lower() not in SUBMISSION_EXTENSIONS:
            continue
        name = relative_name(path, input_dir)
        ym = _month_of_name(name, today, rules)
        how = "文件名"
        if ym is None:
            tops = _top_rows(path, scan, rules)
            filled = teams.fill_date(tops, rules)
            if filled is not None:
                ym, how = (filled.year, filled.month), "填表日期"
            else:
                if ledger is None:
                    ledger = _ledger_months(history_path, rules)
                team = teams.resolve_team(name, tops, rules).team
                seen = ledger.get((team, teams.base_name(name, team, rules)))
                if seen:
                    ym, how = (int(seen[:4]), int(seen[5:7])), "台账中同一份提交"
        if ym is None:
            continue
        months.setdefault(f"{ym[0]:04d}-{ym[1]:02d}", []).append(how)
    if not months:
        return MonthChoice(today, SOURCE_TODAY, "文件名、填表日期和台账中都没有月份，按今天处理")
    if len(months) > 1:
        listed = "、".join(f"{m}（{len(v)} 个文件）" for m, v in sorted(months.items()))
        return MonthChoice(today, SOURCE_TODAY, f"提交文件的月份不一致：{listed}，按今天处理；请用 --as-of 指定")
    month, hows = next(iter(months.items()))
    year, mon = int(month[:4]), int(month[5:])
    if (year, mon) > (today.year, today.month):
        return MonthChoice(today, SOURCE_TODAY, f"提交文件写的月份 {month} 还没有到，按今天处理；请用 --as-of 指定")
    end = dt.date(year, mon, calendar.monthrange(year, mon)[1])
    basis = "、".join(f"{h} {hows.count(h)} 个" for h in dict.fromkeys(hows))
    who = "唯一的提交文件属于" if len(hows) == 1 else f"{len(hows)} 个提交文件都属于"
    return MonthChoice(min(end, today), SOURCE_FILES, f"{who} {month}（{basis}），处理基准日期取 {min(end, today).isoformat()}")
