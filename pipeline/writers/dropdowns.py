"""What a returned sheet of the team's own layout gains: the template's dropdowns and, for a
CSV/.xls rebuilt from its values, readable widths with the header frozen and filtered.

The dropdowns: for every column a list sheet maps to an
enumeration field (rules/enums.yaml), the same list as ``crm-pipeline template`` offers, over
the sheet's data rows (plus room for new ones). Only inline lists (≤ 255 characters): a
returned workbook never gets an extra sheet for them."""
from __future__ import annotations

from typing import Mapping

import pandas as pd

from ..rules import Rules
from .. import template  # a module, not its names: pipeline.template imports pipeline.writers

#: rows below the last data row that get the dropdown too (new customers)
SPARE_ROWS = 200


def list_formula(values: list[str]) -> str | None:
    inline = '"' + ",".join(values) + '"'
    if not values or len(inline) > template.INLINE_LIST_LIMIT or any("," in v or '"' in v for v in values):
        return None
    return inline


def enum_dropdowns(columns: pd.DataFrame | None, rules: Rules) -> dict[str, list[tuple[str, str, str]]]:
    """sheet -> [(column letter, sqref, list formula)] from a file's column map with the
    sheet's data rows (``first_row``/``last_row``, list layouts only)."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    if columns is None or not len(columns) or "first_row" not in columns.columns:
        return out
    fields: Mapping[str, object] = {f.key: f for f in rules.fields if f.enum and not f.computed}
    for rec in columns.itertuples(index=False):
        fd = fields.get(rec.field)
        col = str(rec.column or "")
        if fd is None or not col.isalpha() or pd.isna(rec.first_row):
            continue
        formula = list_formula(template.field_choices(rules, fd)[0])
        if formula is None:
            continue
        first, last = int(rec.first_row), int(rec.last_row) + SPARE_ROWS
        out.setdefault(str(rec.src_sheet), []).append((col, f"{col}{first}:{col}{last}", formula))
    return out


def data_rows(records: pd.DataFrame | None) -> pd.DataFrame:
    """(src_file, src_sheet, first_row, last_row) of the list-layout records."""
    cols = ["src_file", "src_sheet", "first_row", "last_row"]
    if records is None or not len(records) or "src_row" not in records.columns:
        return pd.DataFrame(columns=cols)
    rows = records
    if "src_layout" in records.columns:
        rows = records[records["src_layout"] == "list"]
    rows = rows[pd.to_numeric(rows["src_row"], errors="coerce").notna()]
    if not len(rows):
        return pd.DataFrame(columns=cols)
    grouped = rows.assign(_r=pd.to_numeric(rows["src_row"])).groupby(["src_file", "src_sheet"])["_r"]
    return pd.DataFrame({"first_row": grouped.min(), "last_row": grouped.max()}).reset_index()[cols]


def add_openpyxl_dropdowns(ws, items: list[tuple[str, str, str]]) -> None:
    """The same dropdowns on an openpyxl worksheet (columns with a validation keep theirs)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    have = set()
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            have |= {rng.coord.split(":")[0].rstrip("0123456789"), rng.coord.split(":")[-1].rstrip("0123456789")}
    for col, sqref, formula in items:
        if col in have:
            continue
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, errorStyle="warning",
                            showErrorMessage=True, errorTitle="不在可选值中", error="建议从下拉列表中选择")
        dv.add(sqref)
        ws.add_data_validation(dv)


def first_data_row(columns: pd.DataFrame | None, sheet: str) -> int | None:
    """The first data row of a list sheet (``first_row`` of the column map, from the records)."""
    if columns is None or "first_row" not in columns.columns:
        return None
    rows = columns.loc[columns["src_sheet"] == sheet, "first_row"].dropna()
    return int(rows.min()) if len(rows) else None


def readable(ws, first_row: int | None) -> None:
    """Columns as wide as their text, the header (the row above ``first_row``) frozen and filtered."""
    from openpyxl.utils import get_column_letter

    from .xlsx import column_widths

    values = [[c.value for c in row] for row in ws.iter_rows(max_row=min(ws.max_row, 300))]
    if not values:
        return
    width = max(len(r) for r in values)
    for j, w in enumerate(column_widths([""] * width, values), start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    if first_row and first_row > 1:
        ws.freeze_panes = f"A{first_row}"
        ws.auto_filter.ref = f"A{first_row - 1}:{get_column_letter(width)}{max(ws.max_row, first_row)}"
