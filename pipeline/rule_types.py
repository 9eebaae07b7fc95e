"""Rule files that stages read as typed, frozen objects: each key declared once, with its type,
its check and its default.

``rules.tags`` (rules/tags.yaml), ``rules.template`` (rules/template.yaml), ``rules.merge``
(rules/merge.yaml), ``rules.confirm`` (rules/confirm.yaml), ``rules.teams`` (rules/teams.yaml),
``rules.files`` (rules/files.yaml), ``rules.values`` (rules/values.yaml), ``rules.forms``
(rules/forms.yaml), ``rules.columns`` (rules/columns.yaml) and ``rules.column_pins``
(rules/column_pins.yaml) are built from these classes once per :class:`pipeline.rules.Rules`; their shape (unknown keys, types, field keys, related tables, regular expressions) is derived from
the same classes by :func:`pipeline.rule_shapes.shape_of`. A new key in one of these files is
one line in its class below (``name: type = default  # meaning``); ``Annotated[str, FIELD]``
says that a text is a field key of schemas/fields.yaml. A key written ``class`` in the file is
the attribute ``class_``. See docs/where-things-go.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Annotated, Any, Mapping

from .rule_shapes import CUSTOMER_TYPE, FIELD, INT, TABLE, choice, either, regex

_EMPTY: Mapping = MappingProxyType({})


def _empty() -> Any:
    """An empty mapping as a default (a dataclass default must be hashable)."""
    return field(default_factory=lambda: _EMPTY)


CustomerType = Annotated[str, CUSTOMER_TYPE]
FieldKey = Annotated[str, FIELD]
TableName = Annotated[str, TABLE]
Pattern = Annotated[str, regex]


# --- rules/tags.yaml ---------------------------------------------------------------------

@dataclass(frozen=True)
class TagRules:
    """需求标签 keyword rules (docs/grading.md)."""
    separator: str = "、"                              # between tags in 需求标签
    tags: Mapping[str, tuple[str, ...]] = _empty()        # tag -> keywords of 核心需求, in file order


# --- rules/grading.yaml: the sections that are not grade dimensions (pipeline/dimensions.py) ----

@dataclass(frozen=True)
class ComboPart:
    label: str                                          # 客户价值 …
    field: FieldKey
    values: Mapping[str, str] = _empty()                # a value shortened for the tag


@dataclass(frozen=True)
class TagCombo:
    """标签组合: the classification dimensions in one tag (客户价值:高价值+需求阶段:成交意向)."""
    joiner: str = "+"
    parts: tuple[ComboPart, ...] = ()


@dataclass(frozen=True)
class ReviewLevel:
    label: str = ""                                     # 核心客户 …
    strategy: str = ""                                  # its 管理策略


@dataclass(frozen=True)
class ReviewRules:
    """季度客户评审 (crm-pipeline review): what each 客户等级 means."""
    levels: Mapping[str, ReviewLevel] = _empty()


# --- rules/template.yaml -----------------------------------------------------------------

@dataclass(frozen=True)
class TemplateTitles:
    list: str = "{type}客户信息登记表"                  # title row of the list template ({type}: 企业/个人)
    form: str = "客户信息维护与收集表"                  # title row of the form template


@dataclass(frozen=True)
class FormSection:
    title: str                                          # 一、客户基础信息 …
    fields: tuple[FieldKey, ...] = ()                   # label rows, in order
    table: TableName = ""                               # or a related table (schemas/related.yaml)
    rows: int = 3                                       # its empty rows


@dataclass(frozen=True)
class ReturnTexts:
    """How each submitted file comes back (summary.json ``returns``, docs/outputs.md)."""
    issue_list_suffix: str = "_问题清单"                 # <file>_问题清单.xlsx beside a file returned untouched
    methods: Mapping[str, str] = _empty()                 # method code -> Chinese
    reasons: Mapping[str, str] = _empty()                 # reason code -> Chinese template


@dataclass(frozen=True)
class TemplateRules:
    """Blank templates (pipeline/template.py) and the look of returned workbooks."""
    fields: Mapping[CustomerType, tuple[FieldKey, ...]] = _empty()    # list template columns per type
    hints: Mapping[FieldKey, str] = _empty()              # input prompt of a field's cells
    list_rows: int = 500                                # rows with validations in the list template
    titles: TemplateTitles = TemplateTitles()
    version_stamp: str = "模板版本：crm-pipeline {version} / 规则 {digest}"
    instructions: tuple[str, ...] = ()                  # lines of the 填写说明 sheet
    form_sections: Mapping[CustomerType, tuple[FormSection, ...]] = _empty()
    fills: Mapping[str, str] = _empty()                   # fixed/error/warning/info -> RGB fill
    issue_sheet: str = "问题清单"
    fix_marking: Annotated[str, choice("fill", "comment", "list")] = "comment"
    comparison_sheet: str = "与上次提交对比"            # returned workbook of a resubmitted file
    returns: ReturnTexts = ReturnTexts()
    mapping_sheet: str = "列映射"                       # how each column was read


# --- rules/merge.yaml --------------------------------------------------------------------

@dataclass(frozen=True)
class FormClass:
    class_: str                                         # written ``class``: group, factory …
    words: tuple[str, ...]


@dataclass(frozen=True)
class ReviewSheet:
    """The 疑似重复 sheet of customers.xlsx and how a steward's 决定 is read back."""
    sheet: str = "疑似重复"
    decision_column: str = "决定"
    same: str = "是同一客户"
    not_same: str = "不是同一客户"
    same_words: tuple[str, ...] = ()                    # other ways a steward writes 是同一客户 (是, Y …)
    not_same_words: tuple[str, ...] = ()                # … and 不是同一客户 (否, N …)
    name_a: str = "客户名称A"
    name_b: str = "客户名称B"
    code_a: str = "统一社会信用代码A"
    code_b: str = "统一社会信用代码B"
    max_pairs: int = 5000                               # pairs listed at most


@dataclass(frozen=True)
class Decision:
    a: str                                              # a name as written, or a credit code
    b: str
    decision: Annotated[str, choice("same", "not_same")]
    note: str = ""


@dataclass(frozen=True)
class MergeRules:
    """Company-name keys and bulk decisions of the merge stage (docs/merge.md)."""
    legal_forms: tuple[str, ...] = ()
    region_words: tuple[str, ...] = ()
    branch_words: tuple[str, ...] = ()
    form_classes: tuple[FormClass, ...] = ()
    unit_words: tuple[str, ...] = ()
    unit_number_patterns: tuple[Pattern, ...] = ()
    county_short_suffixes: tuple[str, ...] = ()
    common_words: tuple[str, ...] = ()
    review: ReviewSheet = ReviewSheet()
    decisions: tuple[Decision, ...] = ()


# --- rules/confirm.yaml ------------------------------------------------------------------

@dataclass(frozen=True)
class ConfirmRules:
    """客户信息确认单 (crm-pipeline confirm, docs/使用指南.md)."""
    groups: tuple[str, ...] = ()                        # field groups shown, in order
    group_labels: Mapping[str, str] = _empty()          # group -> section title
    exclude: tuple[FieldKey, ...] = ()                  # fields never shown
    mask: tuple[FieldKey, ...] = ()                     # fields shown masked
    show_empty: bool = True                             # empty fields shown (to be filled in)
    title: str = "客户信息确认单"
    intro: str = ""
    signature: tuple[str, ...] = ()                     # signature lines
    footer: str = ""


# --- rules/values.yaml -------------------------------------------------------------------

@dataclass(frozen=True)
class BudgetValues:
    """A budget written as a range (100-200万, 50万以上) fills 预算下限 / 预算上限."""
    targets: tuple[FieldKey, ...] = ("budget_min", "budget_max")
    range_separators: tuple[str, ...] = ("-", "~", "至", "到")
    lower_prefixes: tuple[str, ...] = ("不低于", "至少")
    lower_suffixes: tuple[str, ...] = ("以上", "起")
    upper_prefixes: tuple[str, ...] = ("不超过", "最多")
    upper_suffixes: tuple[str, ...] = ("以内", "以下")
    undecided: tuple[str, ...] = ()                     # 面议 …: kept as written, no bounds, no error


@dataclass(frozen=True)
class FoundedYears:
    """成立年限 (成立10年以上) gives 成立时间 its year."""
    target: FieldKey = "founded"
    words: tuple[str, ...] = ("年",)
    approx_prefixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SeveralValues:
    """Several phones or people in one cell."""
    rest_field: FieldKey = "other_contact"              # the second and further phones and notes
    contact_field: FieldKey = "contact"                 # further names become 联系人 rows
    title_field: FieldKey = "position"                  # a title written with the name
    separators: tuple[str, ...] = ("/",)
    phone_labels: tuple[str, ...] = ()
    title_words: tuple[str, ...] = ()
    title_brackets: tuple[tuple[str, ...], ...] = (("（", "）"), ("(", ")"))


@dataclass(frozen=True)
class NameValues:
    """Company names cut short (苏州恒远精密机械有限 → name-truncated)."""
    complete: tuple[str, ...] = ()
    min_prefix: int = 2
    not_truncated: tuple[str, ...] = ()


@dataclass(frozen=True)
class ValueRules:
    """How normalize reads values written in words (pipeline/normalize/compiled.py)."""
    budget: BudgetValues = BudgetValues()
    founded_years: FoundedYears = FoundedYears()
    several: SeveralValues = SeveralValues()
    names: NameValues = NameValues()
    weak_rules: tuple[str, ...] = ()                    # rules whose fix leaves the field "weak"


# --- rules/files.yaml --------------------------------------------------------------------

@dataclass(frozen=True)
class FileKind:
    kind: str                                           # 文本文件, 图片或截图 …
    types: tuple[str, ...]                              # suffixes (.txt, .png …)
    instead: str                                        # what to send instead


@dataclass(frozen=True)
class OtherFile:
    kind: str = "无法识别的文件"
    instead: str = "请提交 Excel 工作簿（.xlsx）"


@dataclass(frozen=True)
class FileRules:
    """Files intake cannot read and what the team should send (issue file-unsupported)."""
    unsupported: tuple[FileKind, ...] = ()
    other: OtherFile = OtherFile()
    ignore: tuple[str, ...] = ()                        # names never read nor reported (Thumbs.db …)


# --- rules/teams.yaml --------------------------------------------------------------------

@dataclass(frozen=True)
class Team:
    name: str                                           # the registered name 所属团队 gets
    aliases: tuple[str, ...] = ()                       # other names of the team (file names, cells)
    patterns: tuple[Pattern, ...] = ()                  # regular expressions on the file name


@dataclass(frozen=True)
class VersionMarker:
    pattern: Pattern                                    # case-insensitive, on the file name
    rank: Annotated[Any, either(INT, choice("n"))]      # a number, or n: the number the pattern captured


@dataclass(frozen=True)
class Versions:
    same_customers_share: float = 0.5                   # of the smaller file's 客户名称 (same submission)
    markers: tuple[VersionMarker, ...] = ()
    dates: tuple[Pattern, ...] = ()                     # groups y (optional), m, d (optional)


@dataclass(frozen=True)
class TeamRules:
    """The team registry and version markers (pipeline/teams.py, docs/monthly.md)."""
    teams: tuple[Team, ...] = ()
    suffixes: tuple[str, ...] = ()                      # a team name in a file name ends with one
    cell_labels: tuple[str, ...] = ()                   # 填表部门 …: a cell naming the team
    date_labels: tuple[str, ...] = ()                   # 填表日期 …: a cell giving the fill-in date
    scan_rows: int = 8                                  # rows searched for those cells
    versions: Versions = Versions()


# --- rules/forms.yaml --------------------------------------------------------------------

FieldOrNone = Annotated[str, either(FIELD, choice(""))]


@dataclass(frozen=True)
class FieldList:
    """The field-list form (字段名称 | 填写内容 [| 备注]), one record per 客户编号 group."""
    label: tuple[str, ...] = ()                         # the column holding the field label
    value: tuple[str, ...] = ()                         # the column holding the value
    group: tuple[str, ...] = ()                         # one record per distinct value
    carried: Mapping[FieldKey, tuple[str, ...]] = _empty()   # columns that also fill a field


@dataclass(frozen=True)
class FormSectionRule:
    """A numbered section of a label form (一、基本信息 …)."""
    words: tuple[str, ...] = ()                         # words of its title
    table: TableName = ""                               # the related table its rows fill
    labels: Mapping[str, FieldOrNone] = _empty()        # a label read in this section -> field


@dataclass(frozen=True)
class LabelForm:
    """The label form (项目 | 填写内容 [| 备注（填写说明）]) with numbered sections."""
    label: tuple[str, ...] = ()
    value: tuple[str, ...] = ()
    section_pattern: Pattern = r"^\s*[一二三四五六七八九十]+\s*[、.．]"
    sections: Mapping[str, FormSectionRule] = _empty()
    label_rows_to_table: Mapping[TableName, Mapping[FieldKey, str]] = _empty()


@dataclass(frozen=True)
class GridForm:
    """A card of label/value pairs side by side (pipeline/intake/grid.py)."""
    scan_rows: int = 40
    min_pair_rows: int = 3
    list_check_rows: int = 3
    min_label_column_rows: int = 2


@dataclass(frozen=True)
class Checkbox:
    empty: tuple[str, ...] = ()                         # an unticked box
    checked: tuple[str, ...] = ()                       # a ticked box


@dataclass(frozen=True)
class FormNotes:
    """A form's remark column: a rep's remark reaches 备注, the template's instructions do not."""
    columns: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    patterns: tuple[Pattern, ...] = ()


@dataclass(frozen=True)
class FormsFile:
    """How the form layouts are recognised and read (pipeline/intake/forms.py, grid.py, layout.py)."""
    field_list: FieldList = FieldList()
    label_form: LabelForm = LabelForm()
    grid_form: GridForm = GridForm()
    placeholders: tuple[Pattern, ...] = ()              # template placeholders read as blank
    checkbox: Checkbox = Checkbox()
    notes: FormNotes = FormNotes()


# --- rules/columns.yaml, rules/column_pins.yaml ------------------------------------------

@dataclass(frozen=True)
class ValueKind:
    kind: str                                           # email, mobile, landline, date, number
    pattern: Pattern


@dataclass(frozen=True)
class ColumnSplit:
    """A contact column split by what each value is (联系方式 → 手机号码 / 办公电话 / 电子邮箱)."""
    fields: tuple[FieldKey, ...] = ()
    kinds: Mapping[str, FieldKey] = _empty()            # value kind -> the field it fills


@dataclass(frozen=True)
class ExtensionNames:
    computed_suffix: str = "（原表）"                    # a team column named like a computed field
    duplicate_suffix: str = "（重复列）"                  # a second column mapped to the same field


@dataclass(frozen=True)
class ColumnsFile:
    """Column judging by values (pipeline/intake/columns.py, docs/intake.md)."""
    value_kinds: tuple[ValueKind, ...] = ()
    min_share: float = 0.6                              # of a column's values for a judgement
    reroute: Mapping[FieldKey, tuple[FieldKey, ...]] = _empty()
    split: ColumnSplit = ColumnSplit()
    pattern_guards: Mapping[FieldKey, Pattern] = _empty()
    verify_types: Mapping[str, tuple[str, ...]] = _empty()
    extension: ExtensionNames = ExtensionNames()
    methods: Mapping[str, str] = _empty()               # method code -> Chinese (列映射 匹配方式)
    header_year: Pattern = r"(?<!\d)(?:19|20)\d{2}(?!\d)"    # 2023年金额: the year a column is about
    year_label: Pattern = r"(?:19|20)\d{2}\s*(?:年度|年)?"       # a sub-header that is only a year (2024年)


PinTarget = Annotated[str, either(FIELD, choice("extension"))]


@dataclass(frozen=True)
class ColumnPins:
    """A steward's fixed column mappings: team -> header -> field key or ``extension``."""
    pins: Mapping[str, Mapping[str, PinTarget]] = _empty()


# The rule files built from the classes above (each read as an attribute of Rules).
TYPED_FILES: dict[str, type] = {"tags.yaml": TagRules, "template.yaml": TemplateRules, "merge.yaml": MergeRules,
                                "confirm.yaml": ConfirmRules, "teams.yaml": TeamRules, "files.yaml": FileRules,
                                "values.yaml": ValueRules, "forms.yaml": FormsFile, "columns.yaml": ColumnsFile,
                                "column_pins.yaml": ColumnPins}
