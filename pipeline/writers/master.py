"""customers.xlsx (README “Output contract”): the cleaned master workbook, written with xlsxwriter.

Sheets, always all present (headers only when empty): 客户主档, 来源明细, 合并记录, 字段冲突,
疑似重复 (the review queue, :func:`write_review_sheet`), 联系人, 互动记录, 需求与反馈, 维护计划, 提醒清单.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..merge.review import REVIEW_COLUMNS
from ..model import EXT_PREFIX, OUTCOME_MERGED, OUTCOME_NOT_READ, OUTCOME_REJECTED, OUTCOME_SKIPPED, OUTCOME_SUPERSEDED
from ..related import related_schema
from ..rules import FieldDef, Rules
from .xlsx import KIND_BY_TYPE, Formats, is_blank, open_workbook, text_of, write_table

STATUS_OPEN = "待核实"
STATUS_COMPLETE = "完整"
SOURCE_HEADERS = ["客户编号", "来源文件", "工作表", "行号", "处理结果", "说明"]
MERGE_HEADERS = ["客户编号", "客户名称", "合并行数", "来源行", "合并依据"]
CONFLICT_HEADERS = ["客户编号", "客户名称", "字段", "保留值", "其他值", "来源"]
REMINDER_HEADERS = ["客户编号", "客户名称", "负责销售", "提醒类型", "日期", "说明"]
REMINDER_KEYS = {"customer_id": "客户编号", "name": "客户名称", "owner": "负责销售", "kind": "提醒类型",
                 "type": "提醒类型", "date": "日期", "due": "日期", "note": "说明", "message": "说明", "detail": "说明"}
PROVENANCE_HEADERS = ["来源文件", "工作表", "行号"]


def _frame(value: Any, columns: Sequence[str] = ()) -> pd.DataFrame:
    return value if isinstance(value, pd.DataFrame) else pd.DataFrame(columns=list(columns))


def master_fields(rules: Rules) -> list[FieldDef]:
    """The 客户主档 columns: every field of schemas/fields.yaml, in that order."""
    return list(rules.fields)


#: FieldDef.type of an extension column (a team column no field knows, pipeline/model.py)
EXTENSION_TYPE = "extension"


def extension_fields(customers: pd.DataFrame) -> list[FieldDef]:
    """The extension columns of ``customers`` (``ext:<header>``), in the order intake met them;
    written after the fields, headed by the team's header."""
    return [FieldDef(key=c, name=c[len(EXT_PREFIX):], type=EXTENSION_TYPE, group=EXTENSION_TYPE)
            for c in customers.columns if isinstance(c, str) and c.startswith(EXT_PREFIX)]


def column_name(key: str, rules: Rules) -> str:
    """The Chinese header of a field key or an extension column."""
    return key[len(EXT_PREFIX):] if key.startswith(EXT_PREFIX) else rules.field_names.get(key, key)


def field_kind(fd: FieldDef) -> str:
    return "auto" if fd.type == EXTENSION_TYPE else KIND_BY_TYPE.get(fd.type, "text")


def row_customer_map(links: pd.DataFrame) -> dict[int, Any]:
    links = _frame(links, ["row_id", "customer_id"])
    return {int(r): (None if is_blank(c) else c) for r, c in zip(links["row_id"], links["customer_id"])}


def data_status(customers: pd.DataFrame, issue_table: pd.DataFrame, links: pd.DataFrame,
                source_rows: pd.DataFrame | None = None) -> pd.Series:
    """数据状态 per customer: 待核实 when an open issue (error or warning) concerns a row merged
    into it, else 完整. Issues are tied to rows by row_id, else by file/sheet/row."""
    by_row = row_customer_map(links)
    flagged: set = set()
    if issue_table is not None and len(issue_table):
        open_ = issue_table[issue_table["severity"].isin(["error", "warning"])]
        ids = open_["row_id"] if "row_id" in open_ else pd.Series([None] * len(open_))
        where: dict[tuple, int] = {}
        src = _frame(source_rows, ["src_file", "src_sheet", "src_row", "row_id"])
        for f, s, r, rid in zip(src["src_file"], src["src_sheet"], src["src_row"], src["row_id"]):
            if not is_blank(rid):
                where[(f, s, int(r))] = int(rid)
        for rid, f, s, r in zip(ids, open_["file"], open_["sheet"], open_["row"]):
            if is_blank(rid) and not is_blank(r):
                rid = where.get((f, s, int(r)))
            if not is_blank(rid) and by_row.get(int(rid)) is not None:
                flagged.add(by_row[int(rid)])
    return customers["customer_id"].map(lambda c: STATUS_OPEN if c in flagged else STATUS_COMPLETE)


class FrameColumns:
    """The values of ``fields`` of a frame, column by column and a chunk of rows at a time
    (what :func:`~pipeline.writers.xlsx.write_table` takes as ``columns``: memory stays
    bounded by the chunk, not the frame). None for a field the frame lacks.
    ``transform(field, value)`` (a role's masking) runs once per distinct non-blank value of
    the fields it changes — ``transform.fields`` when it names them, else every field."""

    def __init__(self, frame: pd.DataFrame, fields: Sequence[FieldDef], transform=None):
        self.frame, self.fields, self.transform = frame, list(fields), transform
        only = getattr(transform, "fields", None)
        self._changed = {f.key for f in self.fields if transform is not None and (only is None or f.key in only)}
        self._done: dict[str, dict] = {k: {} for k in self._changed}

    def __len__(self) -> int:
        return len(self.frame)

    def chunk(self, lo: int, hi: int) -> list[list]:
        out = []
        for f in self.fields:
            if f.key not in self.frame.columns:
                out.append([None] * (hi - lo))
                continue
            values = self.frame[f.key].iloc[lo:hi].tolist()
            if f.key in self._changed:
                values = self._apply(f, values)
            out.append(values)
        return out

    def _apply(self, f: FieldDef, values: list) -> list:
        done, out = self._done[f.key], []
        for v in values:
            if is_blank(v):
                out.append(v)
                continue
            try:
                w = done[(v.__class__, v)]
            except KeyError:
                w = done[(v.__class__, v)] = self.transform(f, v)
            except TypeError:                 # an unhashable value (a list)
                w = self.transform(f, v)
            out.append(w)
        return out


def write_customer_sheet(wb, fmt: Formats, name: str, customers: pd.DataFrame, fields: Sequence[FieldDef],
                         transform=None) -> None:
    write_table(wb, fmt, name, [f.name for f in fields], None, [field_kind(f) for f in fields],
                columns=FrameColumns(customers, fields, transform))


def _provenance(source_rows: pd.DataFrame, records: pd.DataFrame,
                wanted: set[int] | None = None) -> dict[int, tuple[str, str, Any]]:
    """row_id -> (file, sheet, row), for the ``wanted`` row ids only when given."""
    out: dict[int, tuple[str, str, Any]] = {}
    for frame in (_frame(records, ["row_id"]), _frame(source_rows, ["row_id"])):
        if not {"src_file", "src_sheet", "src_row"} <= set(frame.columns):
            continue
        if wanted is not None:
            frame = frame[pd.to_numeric(frame["row_id"], errors="coerce").isin(wanted)]
        for rid, f, s, r in zip(frame["row_id"], frame["src_file"], frame["src_sheet"], frame["src_row"]):
            if not is_blank(rid):
                out[int(rid)] = (f, s, r)
    return out


class TableColumns:
    """A frame's columns, a chunk of rows at a time (``columns`` of
    :func:`~pipeline.writers.xlsx.write_table`), for sheets made whole as a frame."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame

    def __len__(self) -> int:
        return len(self.frame)

    def chunk(self, lo: int, hi: int) -> list[list]:
        return [self.frame[c].iloc[lo:hi].tolist() for c in self.frame.columns]


def _texts(values: pd.Series) -> pd.Series:
    """text_of of each value, computed once per distinct value (reasons repeat)."""
    done: dict[Any, str] = {}

    def one(v: Any) -> str:
        try:
            return done[v]
        except KeyError:
            return done.setdefault(v, text_of(v))
        except TypeError:                  # a list
            return text_of(v)
    return pd.Series([one(v) for v in values], index=values.index, dtype=object)


def source_detail_frame(source_rows: pd.DataFrame, links: pd.DataFrame, files: pd.DataFrame) -> pd.DataFrame:
    """来源明细 (SOURCE_HEADERS, in order): every row intake looked at, with its outcome; files
    refused whole add one line. Column-wise: a million rows stay a few arrays, not a million lists."""
    src = _frame(source_rows, ["src_file", "src_sheet", "src_row", "row_id", "outcome", "reason"]).reset_index(drop=True)
    lk = _frame(links, ["row_id", "customer_id", "outcome", "reason"])
    rid = pd.to_numeric(src["row_id"], errors="coerce")
    lk_id = pd.to_numeric(lk["row_id"], errors="coerce")
    lk = lk[lk_id.notna()].assign(_rid=lk_id[lk_id.notna()].astype("int64")).drop_duplicates("_rid", keep="last")
    at = pd.Index(lk["_rid"]).get_indexer(rid.fillna(-1).astype("int64"))
    linked = at >= 0
    superseded = (src["outcome"] == OUTCOME_SUPERSEDED).to_numpy()
    skipped = ~superseded & ((src["outcome"] == OUTCOME_SKIPPED).to_numpy() | rid.isna().to_numpy())
    own = superseded | skipped                      # the row's own outcome and reason
    taken = ~own & linked
    pick = np.where(taken, at, 0)

    def from_links(col: str) -> np.ndarray:
        return lk[col].to_numpy(dtype=object)[pick] if len(lk) else np.full(len(src), None, dtype=object)
    cid = np.where(taken, from_links("customer_id"), "")
    cid = np.array(["" if is_blank(c) else c for c in cid], dtype=object) if len(cid) else cid
    outcome = np.where(superseded, OUTCOME_SUPERSEDED, np.where(skipped, OUTCOME_SKIPPED, OUTCOME_REJECTED)).astype(object)
    link_outcome = from_links("outcome")
    good = taken & np.array([not is_blank(o) and o != "" for o in link_outcome], dtype=bool)
    outcome[good] = link_outcome[good]
    reason = np.where(own, src["reason"].to_numpy(dtype=object),
                      np.where(taken, from_links("reason"), "未能归入任何客户"))
    out = pd.DataFrame({"customer_id": cid, "src_file": src["src_file"].to_numpy(dtype=object),
                        "src_sheet": src["src_sheet"].to_numpy(dtype=object),
                        "src_row": src["src_row"].to_numpy(dtype=object), "outcome": outcome,
                        "reason": _texts(pd.Series(reason, dtype=object)).to_numpy(dtype=object)})
    extra = []
    fl = _frame(files, ["src_file", "status", "message"])
    with_rows = set(src["src_file"])
    for f in fl.itertuples(index=False):
        if f.status == "已拒收":
            extra.append(["", f.src_file, "", None, OUTCOME_REJECTED, text_of(f.message) or "文件未处理"])
        elif f.status == "已忽略" and f.src_file not in with_rows:   # the same bytes as another file
            extra.append(["", f.src_file, "", None, OUTCOME_NOT_READ, text_of(f.message) or "文件未读取"])
    if extra:
        out = pd.concat([out, pd.DataFrame(extra, columns=out.columns, dtype=object)], ignore_index=True)
    return out


def merged_row_ids(merges: pd.DataFrame) -> set[int]:
    ids: set[int] = set()
    for r in _frame(merges, ["row_ids"])["row_ids"]:
        if isinstance(r, (list, tuple, set, frozenset)):
            ids.update(int(i) for i in r if not is_blank(i))
    return ids


def merge_rows(merges: pd.DataFrame, names: Mapping[Any, str], prov: Mapping[int, tuple]) -> list[list]:
    rows = []
    for m in _frame(merges, ["customer_id", "row_ids", "evidence"]).itertuples(index=False):
        ids = list(m.row_ids) if isinstance(m.row_ids, (list, tuple, set, frozenset)) else []
        where = "；".join(f"{p[0]}/{p[1]}/第{p[2]}行" if p[1] else f"{p[0]}/第{p[2]}行"
                         for p in (prov.get(int(i)) for i in ids) if p)
        rows.append([m.customer_id, names.get(m.customer_id, ""), len(ids), where, text_of(m.evidence)])
    return rows


def conflict_rows(conflicts: pd.DataFrame, names: Mapping[Any, str], rules: Rules) -> list[list]:
    return [[c.customer_id, names.get(c.customer_id, ""), column_name(str(c.field), rules), text_of(c.kept),
             text_of(c.other), text_of(c.sources)]
            for c in _frame(conflicts, ["customer_id", "field", "kept", "other", "sources"])
            .itertuples(index=False)]


def related_headers(rules: Rules) -> dict[str, list[str]]:
    """Related sheet -> its columns (schemas/related.yaml)."""
    return related_schema(rules).columns()


def related_rows(frame: pd.DataFrame, columns: Sequence[str], by_row: Mapping[int, Any],
                 names: Mapping[Any, str]) -> tuple[list[str], list[list]]:
    frame = _frame(frame)
    hidden = {"row_id", "src_file", "src_sheet", "src_row", "src_cells", "customer_id", "客户编号", "客户名称"}
    extra = [c for c in frame.columns if c not in hidden and c not in columns]
    headers = ["客户编号", "客户名称", *columns, *extra, *PROVENANCE_HEADERS]
    rows = []
    for rec in frame.to_dict("records"):
        rid = rec.get("row_id")
        cid = by_row.get(int(rid)) if not is_blank(rid) else rec.get("customer_id")
        cid = "" if is_blank(cid) else cid
        rows.append([cid, names.get(cid, ""), *(rec.get(c) for c in [*columns, *extra]),
                     rec.get("src_file"), rec.get("src_sheet"), rec.get("src_row")])
    return headers, rows


def reminder_rows(reminders: Any, names: Mapping[Any, str]) -> list[list]:
    frame = _frame(reminders)
    if frame.empty:
        return []
    frame = frame.rename(columns={k: v for k, v in REMINDER_KEYS.items() if k in frame.columns})
    frame = frame.loc[:, ~frame.columns.duplicated()]
    out = []
    for rec in frame.to_dict("records"):
        cid = rec.get("客户编号", "")
        name = rec.get("客户名称")
        out.append([cid, names.get(cid, "") if is_blank(name) else name, rec.get("负责销售") or "", rec.get("提醒类型"),
                    rec.get("日期"), rec.get("说明")])
    return out


def write_master(path: Path, catalog: Mapping[str, Any], customers: pd.DataFrame) -> Path:
    """Write customers.xlsx. ``customers`` already carries ``data_status``."""
    rules: Rules = catalog["rules"]
    links = _frame(catalog.get("links"), ["row_id", "customer_id", "outcome", "reason"])
    names = dict(zip(customers["customer_id"], customers["name"])) if "name" in customers else {}
    by_row = row_customer_map(links)
    prov = _provenance(catalog.get("source_rows"), catalog.get("records"), merged_row_ids(catalog.get("merges")))
    wb = open_workbook(path)
    fmt = Formats(wb)
    write_customer_sheet(wb, fmt, "客户主档", customers, master_fields(rules) + extension_fields(customers))
    write_table(wb, fmt, "来源明细", SOURCE_HEADERS, None, ["text", "text", "text", "number", "text", "text"],
                columns=TableColumns(source_detail_frame(catalog.get("source_rows"), links, catalog.get("files"))))
    write_table(wb, fmt, "合并记录", MERGE_HEADERS, merge_rows(catalog.get("merges"), names, prov),
                ["text", "text", "number", "text", "text"])
    write_table(wb, fmt, "字段冲突", CONFLICT_HEADERS, conflict_rows(catalog.get("conflicts"), names, rules),
                ["text"] * len(CONFLICT_HEADERS))
    write_review_sheet(wb, fmt, catalog.get("reviews"), rules)
    related = catalog.get("related") or {}
    for table, columns in related_headers(rules).items():
        headers, rows = related_rows(related.get(table), columns, by_row, names)
        write_table(wb, fmt, table, headers, rows, ["auto"] * len(headers))
    write_table(wb, fmt, "提醒清单", REMINDER_HEADERS, reminder_rows(catalog.get("reminders"), names),
                ["text", "text", "text", "text", "date", "text"])
    wb.close()
    return path


def write_review_sheet(wb: Any, fmt: Formats, reviews: Any, rules: Rules) -> None:
    """疑似重复: both records of each near pair, the evidence and the similarity, and a 决定
    column with a dropdown (rules/merge.yaml ``review``) the next run reads back
    (pipeline/intake/decisions.py)."""
    st = rules.merge.review
    headers = ["客户编号", st.name_a, st.code_a, "城市A", "手机号码A", "电子邮箱A", "来源A",
               "客户编号B", st.name_b, st.code_b, "城市B", "手机号码B", "电子邮箱B", "来源B",
               "名称相似度", "依据", st.decision_column, "备注"]
    frame = _frame(reviews, REVIEW_COLUMNS)
    rows = [[*rec[:14], rec[14], rec[15], "", ""] for rec in frame[REVIEW_COLUMNS].itertuples(index=False, name=None)]
    kinds = ["text"] * 14 + ["number", "text", "text", "text"]
    write_table(wb, fmt, st.sheet, headers, rows, kinds)
    ws = wb.get_worksheet_by_name(st.sheet)
    col = headers.index(st.decision_column)
    ws.data_validation(1, col, max(len(rows), 1) + 200, col,
                       {"validate": "list", "source": [st.same, st.not_same],
                        "input_title": st.decision_column, "input_message": f"{st.same} / {st.not_same}"})
