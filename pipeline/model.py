"""Table contracts between stages, and the value objects every stage shares.

Stages are pure functions ``stage(**inputs) -> StageResult``: they take frames and the
compiled :class:`~pipeline.rules.Rules`, never read files (except intake, the input edge)
or global state, never mutate their inputs, and return new frames plus issues.
The runner (:mod:`pipeline.runner`) wires them together by the names below.

Frames (pandas DataFrames), by the name under which the runner passes them:

``records`` — one row per source data row (intake → validate → normalize → merge)
    row_id       int, unique in the run, 0..n-1 in reading order
    src_file     file name relative to the input folder (what a person sees)
    src_sheet    sheet name ("" for CSV)
    src_row      Excel row number a person sees (1-based); for forms, the row of the name
    src_sha256   sha256 of the file bytes
    src_team     team name (from the file name or title, e.g. "华东销售部"), "" when unknown
    src_layout   "list" | "form-label" | "form-fields" | "form-grid"
    customer_type  企业 / 个人 after intake's guess (sheet name, column, name shape)
    <field key>  one column per canonical field key of schemas/fields.yaml that the
                 submission had: raw cell values after intake (str, int, float, datetime,
                 None); after normalize: canonical values (str, float, datetime.date, None)
    extras       dict of unknown header -> value (kept, never dropped), or None
    src_cells    (forms only) dict field key -> cell ("C12") the value was read from, else None;
                 for list layouts the cell is column (``columns``) + src_row
    bad_fields   (after normalize) frozenset of field keys holding an error-level issue

``source_rows`` — every row intake looked at (README “Output contract”, 来源明细)
    src_file, src_sheet, src_row, row_id (Int64, <NA> for skipped rows),
    outcome ("data" | "跳过" | "已被新版本替代" after pipeline.ledger.resolve_versions),
    reason (Chinese, why skipped or which file replaced it)

``files`` — one row per input file
    src_file, sha256, layout ("list"/"form-label"/"form-fields"/"form-grid"/"" ), sheets (int),
    status ("已处理" | "已拒收" | "已忽略"), message (Chinese),
    optional team / team_source / fill_date (FILE_TEAM_COLUMNS, pipeline.teams: the team, where it was found, the 填表日期;
    empty for files that were not read)

``columns`` — the header map: src_file, src_sheet, field (key), column (letter),
    header (text as written), unit (multiplier from the header unit, 1.0 when none)

``column_map`` — the 列映射 table (report, returned workbooks): one row per column of a list
    and per label of a form: src_file, src_sheet, column (letter), header (as written;
    ``group/leaf`` for a multi-row header), field (the Chinese field name, or the extension
    column's name), method (how it was matched, rules/columns.yaml ``methods``), samples
    (up to three distinct values, joined by 、)

Extension columns: a column no field knows is a record column ``ext:<header>``
(``EXT_PREFIX``), carried through merge (same survivorship) into
``customers`` and written to 客户主档 after the fields.

``related`` — dict of table name -> frame for 联系人/互动记录/需求与反馈/维护计划 rows read
    from forms; each frame has row_id (the parent record), src_file, src_sheet, src_row
    and Chinese-named columns of that table.

``fixes`` — certain fixes made by normalize (for the returned workbooks):
    row_id, src_file, src_sheet, src_row, field (key), original, fixed; related-table fixes
    (normalize_related) add ``cell`` (e.g. "A20") and name the field ``表名·列名``

``customers`` — one row per customer (merge → grade → write): customer_id, every field key,
    plus src_count (rows merged), row_ids (tuple)

``links`` — row_id -> customer: row_id, customer_id (None when 退回), outcome
    ("并入主档" | "退回"), reason

``merges`` — 合并记录: customer_id, row_ids (tuple), evidence (Chinese)
``reviews`` — 疑似重复 (pipeline.merge.review.REVIEW_COLUMNS): customer_id_a, name_a, uscc_a, city_a,
    mobile_a, email_a, source_a, the same for _b, similarity (0–100), evidence (Chinese)
``review_decisions`` — steward decisions for merge (pipeline.intake.decisions): a, b, decision
    ("same" | "not_same"), note
``conflicts`` — 字段冲突: customer_id, field (key), kept, other (values), sources (Chinese)

``changes`` — month-over-month changes (pipeline.monthly): customer_id, name,
    change ("新增客户" | "流失客户" | "未再提交" | "等级变化" | "状态变化"), before, after,
    note (Chinese); empty when there is no previous snapshot
``reminders`` — 提醒清单 (pipeline.monthly): customer_id, name,
    kind ("跟进逾期" | "跟进到期" | "等级下降" | "季度更新提醒"), date (datetime.date),
    note (Chinese), owner (the customer's 负责销售, pipeline.monthly.owner_column; "" when
    no submission names one); overdue first, then by date
``resubmission`` — 复核结果 (pipeline.resubmit): src_file, src_sheet, src_row (Int64, this
    version; <NA> for a record that is gone), column (letter), previous_file, previous_month,
    record_key, name, field (Chinese name), rule, status ("已修正" | "仍存在" | "未要求的变更"),
    before, after, note (Chinese); empty when no file of the run is a resubmission
``submissions`` — this run's files as stored in history (pipeline.resubmit.SUBMISSION_COLUMNS):
    src_file, src_team, sha256, sheets, fields, issues, records (these four as the store's JSON,
    UTF-8 and deflated: pipeline.history.submission_json gives the text), previous_file,
    previous_month, previous_sha256 ("" when the file is not a resubmission)
``previous_submissions`` — earlier submissions from history (pipeline.history.load_history):
    month, src_file, sha256, src_team, sheets, fields, issues, records, seq
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .issues import Issue

PROVENANCE = ["row_id", "src_file", "src_sheet", "src_row", "src_sha256", "src_team", "src_layout"]
SOURCE_ROW_COLUMNS = ["src_file", "src_sheet", "src_row", "row_id", "outcome", "reason"]
FILE_COLUMNS = ["src_file", "sha256", "layout", "sheets", "status", "message"]
#: added by intake after FILE_COLUMNS (other producers of ``files`` may leave them out)
FILE_TEAM_COLUMNS = ["team", "team_source", "fill_date"]
COLUMN_MAP_COLUMNS = ["src_file", "src_sheet", "field", "column", "header", "unit"]
#: record/customer columns holding an extension column are named EXT_PREFIX + header
EXT_PREFIX = "ext:"
MAPPING_COLUMNS = ["src_file", "src_sheet", "column", "header", "field", "method", "samples"]
FIX_COLUMNS = ["row_id", "src_file", "src_sheet", "src_row", "field", "original", "fixed"]
LINK_COLUMNS = ["row_id", "customer_id", "outcome", "reason"]
MERGE_COLUMNS = ["customer_id", "row_ids", "evidence"]
CONFLICT_COLUMNS = ["customer_id", "field", "kept", "other", "sources"]
CHANGE_COLUMNS = ["customer_id", "name", "change", "before", "after", "note"]
REMINDER_COLUMNS = ["customer_id", "name", "kind", "date", "note", "owner"]

OUTCOME_MERGED = "并入主档"
OUTCOME_REJECTED = "退回"
OUTCOME_SKIPPED = "跳过"
OUTCOME_SUPERSEDED = "已被新版本替代"   # a row of an older version of a submission (pipeline/ledger.py)
OUTCOME_NOT_READ = "未读取"             # a file with the same bytes as another one


@dataclass(frozen=True)
class StageResult:
    """What every stage returns: named outputs and the issues it found."""

    data: Mapping[str, Any]
    issues: tuple[Issue, ...] = ()


@dataclass(frozen=True)
class RunOptions:
    input_dir: Path
    output_dir: Path
    as_of: dt.date
    fail_on: str = "never"          # error | warning | never
    write_master: bool = True       # False for `validate`
    progress: bool = False
    fresh: bool = False             # rebuild the month from input/ alone (no earlier submissions)

    @property
    def month(self) -> str:
        return self.as_of.strftime("%Y-%m")
