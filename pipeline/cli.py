"""Command line: parse arguments, call one public function, render the result. Chinese help."""
from __future__ import annotations

import datetime as dt
import gc
import sys
import time
import traceback
from pathlib import Path

import click

from . import __version__
from .cli_zh import install as _install_chinese
from .collector import RUN_GC_THRESHOLDS

_install_chinese()

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_THRESHOLD = 0, 1, 2, 3
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _parse_date(ctx, param, value):
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期“{value}”无效，应为 YYYY-MM-DD，例如 2026-11-30")


as_of_option = click.option("--as-of", "as_of", callback=_parse_date, metavar="YYYY-MM-DD",
                            help="处理基准日期（决定输出月份、账龄与提醒），默认今天。")


def _fail(message: str, code: int) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(code)


def _load_rules():
    from .rules import RulesError, load_rules

    try:
        return load_rules()
    except RulesError as exc:
        _fail(str(exc), EXIT_USAGE)


def _headline(summary: dict) -> str:
    from .quality import headline_text   # the same words and numbers as the report

    return headline_text(summary)


def _print_summary(summary: dict) -> None:
    click.echo(_headline(summary))
    missing = summary.get("teams_missing") or ()
    if missing:
        click.echo(f"本月未提交的团队 {len(missing)} 个（上月提交过）："
                   + "、".join(f"{t['team']}（上次提交在 {t['last_month']}）" for t in missing))


class _Progress:
    """One line per stage; inside a long stage at most one line every ``every`` seconds."""

    def __init__(self, every: float = 10.0):
        self.every, self.last = every, 0.0

    def before(self, stage):
        click.echo(f"  · {stage.label}…", err=True)
        self.last = time.monotonic()

    def step(self, stage, done, total, what):
        if time.monotonic() - self.last >= self.every:
            self.last = time.monotonic()
            of = f"/{total}" if total else ""
            click.echo(f"    进度 {done}{of}（{what}）", err=True)

    def after(self, stage, seconds, result):
        click.echo(f"    完成（{seconds:.1f} 秒，发现问题 {len(result.issues)} 条）", err=True)


@click.group(context_settings=CONTEXT, options_metavar="[选项]", subcommand_metavar="命令 [参数]...", help="客户资料月度处理流水线：校验、规范化、合并去重、客户分级，并退回带批注的工作簿。")
@click.version_option(__version__, "-V", "--version", message="crm-pipeline %(version)s")
def cli() -> None:
    pass


def _parse_optional_date(ctx, param, value):
    return None if value is None else _parse_date(ctx, param, value)


_STATUS_WORD = {"已拒收": "未处理", "已忽略": "未采用"}


def _print_files(summary: dict, skipped: list[tuple[str, str]]) -> None:
    """Every file that was refused, skipped, a duplicate or replaced by a newer version, by name."""
    lines = [f"  · {f['file']}：{_STATUS_WORD.get(f['status'], f['status'])}——{f['reason'] or f['status']}"
             for f in summary.get("files_not_read") or []]
    lines += [f"  · {name}：已跳过——{reason}" for name, reason in skipped]
    if lines:
        click.echo(f"未读取或未采用的文件 {len(lines)} 个：")
        for line in lines:
            click.echo(line)


def _print_rerun(summary: dict, output_dir: Path) -> None:
    ledger = summary.get("ledger") or {}
    changes = ledger.get("since_previous_run") or {}
    stopped = ledger.get("interrupted") or {}
    if stopped:
        since = f"（开始于 {stopped['since']}）" if stopped.get("since") else ""
        if stopped.get("unsaved_run"):
            click.echo(f"注意：本月第 {stopped['unsaved_run']} 次运行{since}写出结果后、保存历史记录前被中断，"
                       f"它的结果已保留在 {output_dir / stopped.get('unsaved_kept_as', '')}；"
                       f"历史记录停在它之前的状态，本次已重新处理并补记。")
        else:
            click.echo(f"注意：上次运行{since}没有正常结束（被中断），它未完成的文件已清理；"
                       f"本月的结果和历史记录仍是那次运行之前的状态，本次已重新处理。")
    if ledger.get("kept_previous_as"):
        click.echo(f"本月第 {ledger.get('run')} 次运行；上次运行的结果已保留在 {output_dir / ledger['kept_previous_as']}")
    if changes:
        parts = []
        for key, word in (("files_added", "新增文件"), ("files_changed", "文件内容有变化"),
                          ("files_no_longer_read", "不再采用")):
            if changes.get(key):
                parts.append(f"{word}：{'、'.join(changes[key])}")
        parts.append(f"客户 {changes.get('customers_before', 0)} → {changes.get('customers_after', 0)} 个"
                     f"（新增 {changes.get('customers_added', 0)}，减少 {changes.get('customers_gone', 0)}，"
                     f"有变化 {changes.get('customers_changed', 0)}）")
        click.echo("与本月上次运行相比：" + "；".join(parts))


@cli.command("run", context_settings=CONTEXT, options_metavar="[选项]")
@click.option("--input", "input_dir", default="input", show_default=True, type=click.Path(path_type=Path),
              help="提交文件所在目录。")
@click.option("--output", "output_dir", default="output", show_default=True, type=click.Path(path_type=Path),
              help="输出目录，结果写入 <输出目录>/<YYYY-MM>/。")
@click.option("--as-of", "as_of", callback=_parse_optional_date, metavar="YYYY-MM-DD",
              help="处理基准日期（决定输出月份、账龄与提醒）；不指定时按提交文件的月份，月份不一致时按今天。")
@click.option("--fresh", is_flag=True,
              help="只用输入目录中的文件重建本月（默认会合并本月已提交过的文件，每个团队以最新版本为准）。")
@click.option("--force", is_flag=True, help="接受未来或 2000 年以前的处理基准日期。")
@click.option("--fail-on", type=click.Choice(["error", "warning", "never"]), default="never", show_default=True,
              help="出现该级别及以上的问题时以退出码 3 结束（用于自动化检查）。")
@click.option("--quiet", "-q", is_flag=True, help="不显示进度。")
def run_cmd(input_dir: Path, output_dir: Path, as_of: dt.date | None, fresh: bool, force: bool, fail_on: str,
            quiet: bool) -> None:
    """处理本月的全部提交文件，写出主档、问题清单、质量报告和退回文件。

    \b
    默认累计处理：本月以前提交过的文件（保存在 <输出目录>/submissions/）加上输入目录中的新文件，
    每个团队以最新版本为准；上次运行的结果保留在 <输出目录>/versions/<YYYY-MM>/<N>/。
    示例：
      crm-pipeline run --input input --output output --as-of 2026-11-30
      crm-pipeline run --fresh            # 只用输入目录重建本月
    """
    from .api import run_pipeline
    from .intake import list_inputs, skipped_inputs
    from .model import RunOptions
    from .month import SOURCE_OPTION, MonthChoice, check_as_of, infer_month
    from .history import HistoryUnusable, check_store
    from .writers.lock import RunLocked

    if not input_dir.is_dir():
        _fail(f"输入目录不存在：{input_dir}", EXIT_USAGE)
    rules = _load_rules()
    today = dt.date.today()
    paths, skipped = list_inputs(input_dir, rules), skipped_inputs(input_dir, rules)
    if not paths:
        click.echo(f"输入目录 {input_dir} 中没有可处理的文件，本次没有处理，也没有记录任何内容。")
        _print_files({}, skipped)
        return
    try:
        check_store(output_dir)
    except HistoryUnusable as exc:
        _fail(str(exc), EXIT_USAGE)
    if as_of is not None:
        refused = check_as_of(as_of, today)
        if refused and not force:
            _fail(f"{refused}，通常是输入有误。确需使用请加 --force。", EXIT_USAGE)
        choice = MonthChoice(as_of, SOURCE_OPTION, f"按 --as-of {as_of.isoformat()}" + ("（--force）" if refused else ""))
    else:
        choice = infer_month(paths, input_dir, today, rules, output_dir / "history.sqlite")
    click.echo(f"处理月份：{choice.month}（{choice.reason}）")
    options = RunOptions(input_dir=input_dir, output_dir=output_dir, as_of=choice.as_of, fail_on=fail_on, fresh=fresh)
    try:
        result = run_pipeline(options, rules, hooks=() if quiet else (_Progress(),),
                              month_choice={"source": choice.source, "reason": choice.reason})
    except (RunLocked, HistoryUnusable) as exc:
        _fail(str(exc), EXIT_USAGE)
    _print_summary(result.summary)
    _print_files(result.summary, skipped)
    _print_rerun(result.summary, output_dir)
    click.echo(f"输出：{result.output_dir}")
    if result.threshold_reached(fail_on):
        click.echo(f"存在 {fail_on} 级别的问题，按 --fail-on 设置以退出码 3 结束。", err=True)
        sys.exit(EXIT_THRESHOLD)


@cli.command("validate", context_settings=CONTEXT, options_metavar="[选项]")
@click.argument("paths", nargs=-1, required=True, metavar="路径...", type=click.Path(exists=True, path_type=Path))
@as_of_option
@click.option("--fail-on", type=click.Choice(["error", "warning", "never"]), default="never", show_default=True,
              help="出现该级别及以上的问题时以退出码 3 结束。")
@click.option("--limit", default=20, show_default=True, help="最多列出多少条问题。")
def validate_cmd(paths: tuple[Path, ...], as_of: dt.date, fail_on: str, limit: int) -> None:
    """只检查文件（或目录），打印问题摘要，不写入任何结果。

    \b
    示例：
      crm-pipeline validate input/华东销售部_2026-11.xlsx
    """
    from .api import validate_paths

    from .mask import mask_issue_message

    rules = _load_rules()
    result = validate_paths(list(paths), as_of, rules)
    _print_validation(result, rules, limit)
    if result.threshold_reached(fail_on):
        sys.exit(EXIT_THRESHOLD)


def _print_validation(result, rules, limit: int) -> None:
    """Errors first (then warnings, then hints; by file and position within each), at most
    ``limit`` lines; then one line per file; then the total."""
    from .issues import SEVERITY_ORDER, SEVERITY_ZH
    from .mask import mask_issue_message

    types = {f.name: f.type for f in rules.fields}
    table = result.issues
    shown = 0
    if len(table):
        ordered = table.assign(_s=table["severity"].map(SEVERITY_ORDER).fillna(9)).sort_values("_s", kind="stable")
        for sev, part in ordered.groupby("_s", sort=True):
            name = SEVERITY_ZH.get(part["severity"].iloc[0], part["severity"].iloc[0])
            room = max(limit - shown, 0)
            if not room:
                click.echo(f"{name}：{len(part)} 条（未列出）")
                continue
            click.echo(f"{name}（{len(part)} 条{f'，列出前 {room} 条' if len(part) > room else ''}）：")
            for r in part.head(room).itertuples():
                row = "" if r.row is None or str(r.row) in ("<NA>", "nan") else r.row   # file-level issues
                where = "/".join(str(x) for x in (r.file, r.sheet, f"{r.column or ''}{row}") if x)
                message = mask_issue_message(r.message, r.value, types.get(r.field, ""))  # never full phones/e-mails
                click.echo(f"  [{name}] {where} {message}")
            shown += min(room, len(part))
    if len(table) > shown:
        click.echo(f"  …… 另有 {len(table) - shown} 条未列出（--limit 调整条数）")
    click.echo("按文件：")
    for f in result.summary.get("file_table") or ():
        team = f"（{f['team']}）" if f.get("team") else ""
        click.echo(f"  {f['file']}{team}：{f.get('status', '')}，读取 {f['read']} 行，"
                   f"错误 {f['error']}，警告 {f['warning']}，提示 {f['info']}")
    click.echo("合计：" + _headline(result.summary))


@cli.command("template", context_settings=CONTEXT, options_metavar="[选项]")
@click.option("--kind", type=click.Choice(["list", "form"]), default="list", show_default=True,
              help="list：一行一个客户的清单；form：一个客户一张的表单。")
@click.option("--type", "customer_type", type=click.Choice(["企业", "个人"]), default="企业", show_default=True,
              help="客户类型。")
@click.option("-o", "--output", "path", required=True, type=click.Path(path_type=Path), help="模板保存路径（.xlsx）。")
def template_cmd(kind: str, customer_type: str, path: Path) -> None:
    """生成空白提交模板：必填标记、下拉选项、填写提示和填写说明。

    \b
    示例：
      crm-pipeline template --kind list --type 企业 -o 企业客户模板.xlsx
    """
    from .api import write_template

    out = write_template(kind, customer_type, path, _load_rules())
    click.echo(f"模板已生成：{out}")


@cli.command("demo", context_settings=CONTEXT, options_metavar="[选项]")
@click.argument("folder", default="demo/input", metavar="[目录]", type=click.Path(path_type=Path))
@click.option("--seed", default=20261123, show_default=True, help="随机种子（相同种子生成相同文件）。")
@click.option("--rows", default=None, type=int, help="大致总行数（默认约 360 行）。")
def demo_cmd(folder: Path, seed: int, rows: int | None) -> None:
    """生成带有常见问题的示例提交文件（多个销售团队）。

    \b
    示例：
      crm-pipeline demo demo/input && crm-pipeline run --input demo/input --output demo/output
    """
    from .api import write_demo

    written = write_demo(folder, seed=seed, rows=rows)
    click.echo(f"已生成 {len(written)} 个示例文件：{folder}")


from . import cli_desk  # noqa: E402,F401  (registers `review` and `confirm` on the group)


def main() -> None:
    """Console entry point: click handles usage errors (exit 2); anything unexpected is an
    internal failure (exit 1) with the trace kept for the developer. The process runs with
    the collector's run thresholds from the start (imports and rule loading allocate too)."""
    gc.set_threshold(*RUN_GC_THRESHOLDS)
    try:
        cli.main(prog_name="crm-pipeline")
    except SystemExit:
        raise
    except Exception:
        traceback.print_exc()
        click.echo("内部错误：处理中断，请把上面的错误信息发给维护人员。", err=True)
        sys.exit(EXIT_INTERNAL)
