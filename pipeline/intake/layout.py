"""Layout: which row is the header, what each header means, which layout a sheet has,
which rows are not data, and the guesses intake makes (customer type, team).

All words come from rules (headers.yaml synonyms and units, settings.yaml ``intake.*``,
forms.yaml); nothing here names a field in Chinese.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from openpyxl.utils import get_column_letter
from rapidfuzz import fuzz, process

from ..issues import Issue, render_template
from ..rules import Rules, fold, fold_header
from ..values import BRACKETS as _BRACKETS, is_blank  # noqa: F401  (is_blank: imported from here by intake)


LAYOUT_LIST = "list"
LAYOUT_LABEL = "form-label"
LAYOUT_FIELDS = "form-fields"
LAYOUT_GRID = "form-grid"


def column_letter(col0: int) -> str:
    return get_column_letter(col0 + 1)


def raw_value(value: Any) -> Any:
    """A calamine/csv cell as a raw record value: "" -> None, integral float -> int
    (Excel stores every number as a float; a person sees 13812345678, not 1.3812345678e10)."""
    if value == "" or value is None:
        return None
    if type(value) is float and value.is_integer() and abs(value) < 1e16:
        return int(value)
    return value


#: how a header was matched (``HeaderMatch.method``)
MATCH_EXACT, MATCH_PATTERN = "exact", "pattern"


@dataclass(frozen=True)
class HeaderMatch:
    key: str | None        # canonical field key, None when unknown
    unit: float = 1.0      # multiplier from a money unit in the header
    folded: str = ""
    method: str = MATCH_EXACT   # MATCH_EXACT (a synonym) or MATCH_PATTERN (rules/headers.yaml patterns)


class HeaderMatcher:
    """Maps header texts to field keys (cached per distinct text)."""

    def __init__(self, rules: Rules, synonyms: Mapping[str, str] | None = None):
        self.rules = rules
        self.synonyms = dict(rules.header_synonyms if synonyms is None else synonyms)
        self.units = {fold_header(k): float(v) for k, v in rules.units.items()}
        self.types = {f.key: f.type for f in rules.fields}
        # a pattern hit is refused when the header holds a guard word of that field
        # (rules/columns.yaml pattern_guards: 最近跟进时间 is no 下次跟进时间)
        self.guards = {k: re.compile(v) for k, v in rules.columns.pattern_guards.items() if v}
        self.year_label = re.compile(rules.columns.year_label)
        self._cache: dict[Any, HeaderMatch] = {}

    def year(self, value: Any) -> str:
        """The text of a header cell that is only a year (rules/columns.yaml ``year_label``:
        ``2024年``, ``2024年度``, the number 2024), else ""."""
        if isinstance(value, bool):
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip() if isinstance(value, (str, int)) else ""
        return text if text and self.year_label.fullmatch(text) else ""

    def match(self, text: Any) -> HeaderMatch:
        if not isinstance(text, str):
            return HeaderMatch(None)
        hit = self._cache.get(text)
        if hit is None:
            hit = self._cache[text] = self._match(text)
        return hit

    def _match(self, text: str) -> HeaderMatch:
        folded = fold_header(text)
        if not folded or len(folded) > 40:
            return HeaderMatch(None, folded=folded)
        key = self.synonyms.get(folded)
        method = MATCH_EXACT
        unit_words = [u.strip() for u in _BRACKETS.findall(folded)]
        if key is None:
            bare = _BRACKETS.sub("", folded)
            key = self.synonyms.get(bare)
            if key is None and "/" in bare:
                left, _, right = bare.rpartition("/")
                if right in self.units:
                    key, unit_words = self.synonyms.get(left), unit_words + [right]
            if key is None:
                for unit in sorted(self.units, key=len, reverse=True):
                    if unit and bare.endswith(unit) and bare[: -len(unit)] in self.synonyms:
                        key, unit_words = self.synonyms[bare[: -len(unit)]], unit_words + [unit]
                        break
            if key is None and len(bare) <= self.rules.header_pattern_max:
                key = next((k for rx, k in self.rules.header_patterns if rx.search(bare)
                            and not (k in self.guards and self.guards[k].search(bare))), None)
                method = MATCH_PATTERN
        unit = 1.0
        if key is not None and self.types.get(key) in ("amount", "budget"):
            for word in unit_words:
                if word in self.units:
                    unit = self.units[word]
                    break
        return HeaderMatch(key, unit, folded, method)

    def suggestion(self, header: str) -> str:
        """`你是不是想填“手机号码”` for the nearest known header, "" when nothing is close."""
        folded = fold_header(header)
        if not folded or not self.synonyms:
            return ""
        cutoff = float(self.rules.config.intake.suggest_min_score)
        best = process.extractOne(folded, list(self.synonyms), scorer=fuzz.ratio, score_cutoff=cutoff)
        if best is None:
            return ""
        name = self.rules.field_names.get(self.synonyms[best[0]], best[0])
        return render_template(self.rules.config.intake.suggest_hint, {"name": name})


def find_header(rows: list[list[Any]], matcher: HeaderMatcher, rules: Rules) -> int | None:
    """Index of the header row: the row among the first ``intake.header_scan_rows`` with the
    most cells naming known fields (at least ``intake.header_min_matches``)."""
    scan = rules.config.intake.header_scan_rows
    need = rules.config.intake.header_min_matches
    best, best_count = None, 0
    for i, row in enumerate(rows[:scan]):
        count = len({m.key for m in (matcher.match(v) for v in row) if m.key})
        if count > best_count:
            best, best_count = i, count
    return best if best_count >= need else None


def _labels(words: Iterable[str]) -> set[str]:
    return {fold_header(w) for w in words}


def detect_form(rows: list[list[Any]], rules: Rules) -> tuple[str, int] | None:
    """(layout, header row index) when the sheet is one of the two form layouts."""
    scan = rules.config.intake.header_scan_rows
    fl, lf = rules.forms.field_list, rules.forms.label_form
    fl_label, fl_value = _labels(fl.label), _labels(fl.value)
    lf_label, lf_value = _labels(lf.label), _labels(lf.value)
    for i, row in enumerate(rows[:scan]):
        cells = {fold_header(v) for v in row if isinstance(v, str) and v.strip()}
        bare = {_BRACKETS.sub("", c) for c in cells}
        if cells & fl_label and cells & fl_value and (bare & _labels(fl.group)):
            return LAYOUT_FIELDS, i
        if cells & lf_label and cells & lf_value:
            return LAYOUT_LABEL, i
    return None


def find_columns(header: list[Any], labels: Iterable[str], skip: Iterable[int | None] = ()) -> int | None:
    """The first column of ``header`` holding one of ``labels`` (folded; brackets ignored when
    the full text is none of them), not one of the columns in ``skip``."""
    wanted, skip = _labels(labels), set(skip)
    for i, v in enumerate(header):
        if i not in skip and isinstance(v, str) and (fold_header(v) in wanted or _BRACKETS.sub("", fold_header(v)) in wanted):
            return i
    return None


# --- rows that are not data ---

@dataclass
class RowClassifier:
    """Decides whether a row below the header is data, and if not, why it is skipped."""

    rules: Rules
    header: list[Any] = field(default_factory=list)
    header_keys: dict[int, str] = field(default_factory=dict)   # col0 -> key of the header
    matcher: HeaderMatcher | None = None
    ignore_cols: frozenset[int] = frozenset()                   # 序号-like columns

    def __post_init__(self) -> None:
        reasons = self.rules.config.intake.skip_row_reasons
        self.markers: list[tuple[str, str]] = []
        for marker in self.rules.config.intake.skip_row_markers:
            reason = next((r for r, ms in reasons.items() if marker in ms), "说明行")
            self.markers.append((self._probe(marker), reason))
        self.markers.sort(key=lambda m: -len(m[0]))
        self.prefixes = tuple(m for m, _ in self.markers)
        self.need = min(self.rules.config.intake.header_min_matches, max(len(self.header_keys), 1))
        self.known_texts = {v.strip() for v in self.header if isinstance(v, str) and v.strip()}
        self.known_texts |= {f.name for f in self.rules.fields}
        if self.matcher is not None:
            self.known_texts |= set(self.matcher.synonyms)

    @staticmethod
    def _probe(text: str) -> str:
        return text.replace(" ", "").replace("\u3000", "").replace(":", "：")[:12]

    def skip_reason(self, row: list[Any], merged_cols: frozenset[int] | set[int] = frozenset(),
                    note: bool = False) -> str | None:
        """None for a data row, else the Chinese reason (空行 / 合计行 / 签字行 / 重复表头 / 说明行).

        The first non-empty cell decides 合计/签字/说明 rows (a number in an ignored
        column such as 序号 does not count, nor a value merged down from the rows above:
        ``merged_cols``, a 大区 over its 小计 row). ``note``: the row's only content is one
        cell merged across the sheet (a note or a group title inside the list)."""
        first = None
        for i, v in enumerate(row):
            if not is_blank(v) and (i not in self.ignore_cols or isinstance(v, str)) and i not in merged_cols:
                first = v
                break
        if first is None and merged_cols:
            return self.skip_reason(row)
        if first is None:
            return "空行"
        if note:
            return "说明行"
        if isinstance(first, str):
            probe = self._probe(first.strip())
            if probe.startswith(self.prefixes):
                return next(r for m, r in self.markers if probe.startswith(m))
            if first.strip() in self.known_texts and self._repeats_header(row):
                return "重复表头"
        if not any(not is_blank(row[i]) for i in self.header_keys if i < len(row)):
            return "空行"
        return None

    def _repeats_header(self, row: list[Any]) -> bool:
        """At least ``need`` cells of mapped columns hold a header text (exact, trimmed)."""
        known = self.known_texts
        hits = 0
        for i in self.header_keys:
            v = row[i] if i < len(row) else None
            if isinstance(v, str) and v.strip() in known:
                hits += 1
                if hits >= self.need:
                    return True
        return False


# --- guesses ---

def sheet_type(words_from: Iterable[str], rules: Rules) -> str | None:
    """企业/个人 from sheet (or file) name words, personal words first."""
    personal = list(rules.config.intake.personal_sheet_words)
    company = list(rules.config.intake.company_sheet_words)
    for text in words_from:
        if not text:
            continue
        if any(w in text for w in personal):
            return "个人"
        if any(w in text for w in company):
            return "企业"
    return None


class TypeGuesser:
    """customer_type per record: the 客户类型 cell (mapped with enums.customer_type; an
    unknown value is kept raw for normalize to flag), else the sheet guess, else the name."""

    def __init__(self, rules: Rules):
        self.enum = rules.enums.get("customer_type", {})
        self.suffixes = rules.config.intake.company_name_suffixes
        self._names: dict[Any, str] = {}

    def from_cell(self, value: Any) -> Any:
        if is_blank(value):
            return None
        return self.enum.get(fold(value), value)

    def from_name(self, name: Any) -> str:
        hit = self._names.get(name)
        if hit is None:
            text = str(name).strip() if not is_blank(name) else ""
            hit = self._names[name] = "企业" if text.endswith(self.suffixes) else "个人"
        return hit


def team_from_path(rel: str, rules: Rules) -> str:
    """The team from the file and folder names alone (:func:`pipeline.teams.resolve_team`
    without cells); "" when unknown."""
    from ..teams import resolve_team

    return resolve_team(rel, None, rules).team


def unknown_column_issue(matcher: HeaderMatcher, rel: str, sheet: str, col0: int | None, header: str,
                         row: int | None = None) -> Issue:
    return Issue(rule="column-unknown", file=rel, sheet=sheet, row=row,
                 column=column_letter(col0) if col0 is not None else "",
                 params={"header": header, "hint": matcher.suggestion(header)})
