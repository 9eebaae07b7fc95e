"""Blank submission templates (`crm-pipeline template`, docs/outputs.md, “Templates”).

``list``: one customer per row — a title row with a version stamp, a header row with
required markers (``* 客户名称``), dropdowns for every enumeration (long lists on a hidden
``选项`` sheet, referenced by range: Excel's inline list limit is 255 characters), date,
amount, rate and score validations, input hints, frozen header, a ``填写说明`` sheet.
``form``: the label/value form (sections ``一、客户基础信息`` with rows
``项目 | 填写内容 | 备注``, then tables 互动记录, 需求与反馈, 维护计划); labels are the
canonical Chinese field names so intake reads them back. Texts and layout: rules/template.yaml.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from . import __version__
from .related import related_schema
from .rules import FieldDef, Rules
from .writers.xlsx import AMOUNT_FORMAT, DATE_FORMAT, display_width

KINDS = ("list", "form")
OPTIONS_SHEET = "选项"
INSTRUCTIONS_SHEET = "填写说明"
VERSION_NAME = "crm_template_version"
INLINE_LIST_LIMIT = 255
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FONT = Font(bold=True, color="C00000")
_BOLD = Font(bold=True)
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


class TemplateError(ValueError):
    """Unknown template kind or customer type."""


def version_stamp(rules: Rules) -> str:
    text = rules.template.version_stamp
    return text.format(version=__version__, digest=rules.digest[:8])


def template_fields(rules: Rules, customer_type: str) -> list[FieldDef]:
    keys = rules.template.fields.get(customer_type)
    by_key = rules.field_by_key
    if keys:
        return [by_key[k] for k in keys if k in by_key and not by_key[k].computed]
    return [f for f in rules.fields if not f.computed and f.key != "customer_type"]


class _Options:
    """Lists for dropdowns: inline when short, else a column of the hidden 选项 sheet."""

    def __init__(self, wb: Workbook):
        self.wb = wb
        self.ws = None
        self.columns: dict[str, str] = {}

    def formula(self, title: str, values: Sequence[str]) -> str:
        inline = '"' + ",".join(values) + '"'
        if len(inline) <= INLINE_LIST_LIMIT and not any("," in v or '"' in v for v in values):
            return inline
        if title not in self.columns:
            if self.ws is None:
                self.ws = self.wb.create_sheet(OPTIONS_SHEET)
                self.ws.sheet_state = "hidden"
            col = len(self.columns) + 1
            self.ws.cell(1, col, title)
            for i, v in enumerate(values, start=2):
                self.ws.cell(i, col, v).data_type = "s"
            letter = get_column_letter(col)
            self.columns[title] = f"{quote_sheetname(OPTIONS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
        return self.columns[title]


def field_choices(rules: Rules, fd: FieldDef) -> tuple[list[str], bool]:
    """Dropdown values of a field and whether other values are allowed (a warning only)."""
    if fd.enum:
        return list(rules.enum_values.get(fd.enum, ())), False
    if fd.type == "industry":
        names = list(dict.fromkeys(r["division_name"] for r in rules.tables.get("industries", ()) if r.get("division_name")))
        return names, True
    if fd.type == "province":
        return [r["name"] for r in rules.tables.get("regions/provinces", ()) if r.get("name")], True
    return [], True


def field_validation(rules: Rules, fd: FieldDef, options: _Options) -> tuple[DataValidation, str | None]:
    """The validation (with input hint) of one field and the number format of its cells."""
    hint = rules.template.hints.get(fd.key, "")
    number_format = None
    choices, lenient = field_choices(rules, fd)
    if choices:
        dv = DataValidation(type="list", formula1=options.formula(fd.name, choices), allow_blank=True)
        dv.errorStyle = "warning" if lenient else "stop"
    elif fd.type == "date":
        dv = DataValidation(type="date", operator="greaterThanOrEqual", formula1="1", allow_blank=True)
        number_format = DATE_FORMAT
    elif fd.type == "amount":
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        number_format = AMOUNT_FORMAT
    elif fd.type == "rate":
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="1", allow_blank=True)
        number_format = "0%"
    elif fd.type == "score":
        dv = DataValidation(type="decimal", operator="between", formula1="1", formula2="5", allow_blank=True)
    elif fd.type == "mobile":
        dv = DataValidation(type="textLength", operator="equal", formula1="11", allow_blank=True)
        number_format = "@"
    elif fd.type == "uscc":
        dv = DataValidation(type="textLength", operator="equal", formula1="18", allow_blank=True)
        number_format = "@"
    else:
        dv = DataValidation(allow_blank=True)
        number_format = "@" if fd.type in ("landline", "text", "name", "person") else None
    dv.showInputMessage = True
    dv.showErrorMessage = dv.type is not None
    dv.promptTitle = fd.name[:32]
    dv.prompt = hint[:255]
    dv.errorTitle = "输入有误"
    dv.error = (f"“{fd.name}”填写有误。{hint}")[:255]
    return dv, number_format


def _title_row(ws, title: str, stamp: str, title_cols: int, last_col: int) -> None:
    """Title merged over the first ``title_cols`` columns, the version stamp merged over the
    rest up to ``last_col`` (wrapped, so printing stays within the used columns)."""
    ws.cell(1, 1, title).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(vertical="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=title_cols)
    stamp_cell = ws.cell(1, title_cols + 1, stamp)
    stamp_cell.data_type = "s"
    stamp_cell.font = Font(size=9, color="808080")
    stamp_cell.alignment = Alignment(horizontal="right", vertical="center", wrap_text=True)
    if last_col > title_cols + 1:
        ws.merge_cells(start_row=1, start_column=title_cols + 1, end_row=1, end_column=last_col)
    ws.row_dimensions[1].height = 32


def _printable(ws, landscape: bool) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _add_version_name(wb: Workbook, stamp: str) -> None:
    value = stamp.split("：", 1)[-1].replace('"', "'")
    wb.defined_names[VERSION_NAME] = DefinedName(VERSION_NAME, attr_text=f'"{value}"')


def _instructions(wb: Workbook, rules: Rules, customer_type: str, fields: Sequence[FieldDef]) -> None:
    ws = wb.create_sheet(INSTRUCTIONS_SHEET)
    settings = rules.template
    ws.cell(1, 1, f"{customer_type}客户资料填写说明").font = Font(bold=True, size=14)
    ws.cell(2, 1, version_stamp(rules)).font = Font(size=9, color="808080")
    row = 4
    for line in settings.instructions:
        ws.cell(row, 1, f"{row - 3}. {line}")
        row += 1
    row += 1
    for j, h in enumerate(["字段", "是否必填", "填写说明", "可选值"], start=1):
        c = ws.cell(row, j, h)
        c.font, c.fill, c.border = _BOLD, _HEADER_FILL, _BORDER
    hints = settings.hints
    for fd in fields:
        row += 1
        choices, _ = field_choices(rules, fd)
        required = "必填" if customer_type in fd.required else (
            "二选一" if fd.one_of and customer_type in fd.one_of_types else
            "建议填写" if customer_type in fd.recommended else "选填")
        shown = "、".join(choices) if fd.enum else ("见下拉列表" if choices else "")
        for j, v in enumerate([fd.name, required, hints.get(fd.key, ""), shown], start=1):
            c = ws.cell(row, j, v)
            c.border = _BORDER
            c.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCD", (18, 10, 60, 40)):
        ws.column_dimensions[letter].width = width


def build_list(wb: Workbook, rules: Rules, customer_type: str) -> None:
    settings = rules.template
    fields = template_fields(rules, customer_type)
    ws = wb.active
    ws.title = f"{customer_type}客户"
    title = settings.titles.list.format(type=customer_type)
    _title_row(ws, title, version_stamp(rules), 6, max(len(fields), 10))
    options = _Options(wb)
    last = 2 + settings.list_rows
    for j, fd in enumerate(fields, start=1):
        letter = get_column_letter(j)
        required = customer_type in fd.required
        cell = ws.cell(2, j, f"* {fd.name}" if required else fd.name)
        cell.font = _REQUIRED_FONT if required else _BOLD
        cell.fill, cell.border = _HEADER_FILL, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        dv, number_format = field_validation(rules, fd, options)
        dv.add(f"{letter}3:{letter}{last}")
        ws.add_data_validation(dv)
        if number_format:
            for r in range(3, last + 1):
                ws.cell(r, j).number_format = number_format
        ws.column_dimensions[letter].width = max(display_width(fd.name) + 4, 12 if fd.type != "name" else 30)
    ws.row_dimensions[2].height = 30
    ws.freeze_panes = "B3"
    ws.print_title_rows = "2:2"
    _printable(ws, landscape=True)
    _instructions(wb, rules, customer_type, fields)
    if options.ws is not None:        # keep the hidden options sheet last
        wb.move_sheet(options.ws, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(OPTIONS_SHEET))


def _form_header(ws, row: int, headers: Sequence[str]) -> None:
    for j, h in enumerate(headers, start=1):
        c = ws.cell(row, j, h)
        c.font, c.fill, c.border = _BOLD, _HEADER_FILL, _BORDER
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def build_form(wb: Workbook, rules: Rules, customer_type: str) -> None:
    settings = rules.template
    sections = settings.form_sections.get(customer_type, ())
    schema = related_schema(rules)             # columns, dropdowns and dates: schemas/related.yaml
    tables = schema.columns()
    kinds = {(t.name, c.name): c for t in schema.tables for c in t.columns}
    hints = settings.hints
    by_key = rules.field_by_key
    ws = wb.active
    ws.title = f"{customer_type}客户信息表"
    width = max([7, *(len(tables.get(s.table, ())) for s in sections)])
    _title_row(ws, settings.titles.form, version_stamp(rules),
               width - 3, width)
    options = _Options(wb)
    row = 3
    for section in sections:
        ws.cell(row, 1, section.title).font = Font(bold=True, size=12)
        row += 1
        if section.table:
            columns = tables.get(section.table, [])
            _form_header(ws, row, columns)
            first, last = row + 1, row + section.rows
            for j, col in enumerate(columns, start=1):
                letter = get_column_letter(j)
                spec = kinds[(section.table, col)]
                if spec.type == "enum":
                    values = list(rules.enum_values.get(spec.enum, ()))
                    dv = DataValidation(type="list", formula1=options.formula(col, values), allow_blank=True)
                elif spec.type == "date":
                    dv = DataValidation(type="date", operator="greaterThanOrEqual", formula1="1", allow_blank=True)
                    for r in range(first, last + 1):
                        ws.cell(r, j).number_format = DATE_FORMAT
                elif spec.type == "score":
                    low, high = rules.config.normalize.score_min, rules.config.normalize.score_max
                    dv = DataValidation(type="decimal", operator="between", formula1=f"{low:g}", formula2=f"{high:g}",
                                        allow_blank=True)
                else:
                    continue
                dv.add(f"{letter}{first}:{letter}{last}")
                ws.add_data_validation(dv)
            for r in range(first, last + 1):
                for j in range(1, len(columns) + 1):
                    ws.cell(r, j).border = _BORDER
            row = last + 2
            continue
        _form_header(ws, row, ["项目", "填写内容", "备注（填写说明）"])
        for key in section.fields:
            fd = by_key.get(key)
            if fd is None:
                continue
            row += 1
            ws.cell(row, 1, fd.name).border = _BORDER
            value = ws.cell(row, 2)
            value.border = _BORDER
            note = ("必填。" if customer_type in fd.required else "") + str(hints.get(key, ""))
            ws.cell(row, 3, note).border = _BORDER
            ws.cell(row, 3).alignment = Alignment(wrap_text=True, vertical="top")
            if customer_type in fd.required:
                ws.cell(row, 1).font = _REQUIRED_FONT
            dv, number_format = field_validation(rules, fd, options)
            dv.add(value.coordinate)
            ws.add_data_validation(dv)
            if number_format:
                value.number_format = number_format
        row += 2
    for letter, w in zip("ABCDEFG", (18, 30, 40, 16, 24, 18, 12)):
        ws.column_dimensions[letter].width = w
    _printable(ws, landscape=False)
    _instructions(wb, rules, customer_type, [by_key[k] for s in sections for k in s.fields if k in by_key])
    if options.ws is not None:
        wb.move_sheet(options.ws, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(OPTIONS_SHEET))


def build_template(kind: str, customer_type: str, path: Path, rules: Rules) -> Path:
    """Write a blank ``list`` or ``form`` template for 企业 or 个人 customers to ``path``."""
    if kind not in KINDS:
        raise TemplateError(f"模板类型“{kind}”无效，应为 list 或 form")
    if customer_type not in ("企业", "个人"):
        raise TemplateError(f"客户类型“{customer_type}”无效，应为 企业 或 个人")
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    wb = Workbook()
    (build_list if kind == "list" else build_form)(wb, rules, customer_type)
    _add_version_name(wb, version_stamp(rules))
    wb.active = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
