"""The steward's commands beyond the monthly run: `review` (季度客户评审) and `confirm`
(客户信息确认单). Thin: parse, call one public function of :mod:`pipeline.api`, print."""
from __future__ import annotations

from pathlib import Path

import click

from .cli import CONTEXT, EXIT_USAGE, _fail, _load_rules, cli


@cli.command("review", context_settings=CONTEXT, options_metavar="[选项]")
@click.option("--quarter", required=True, metavar="YYYYQn", help="评审的季度，例如 2026Q4。")
@click.option("--output", "output_dir", default="output", show_default=True, type=click.Path(path_type=Path),
              help="月度输出目录（其中的 history.sqlite 保存各月客户等级）。")
@click.option("-o", "path", default=None, type=click.Path(path_type=Path),
              help="评审表保存路径，默认 <输出目录>/<季度>/季度客户评审.xlsx。")
def review_cmd(quarter: str, output_dir: Path, path: Path | None) -> None:
    """生成季度客户评审表：每个客户本季度各月的客户等级、建议最终等级及其管理策略，变化处标色。

    \b
    示例：
      crm-pipeline review --quarter 2026Q4
    """
    from .api import write_review
    from .history import HistoryUnusable
    from .review import ReviewError

    try:
        out = write_review(quarter, output_dir, _load_rules(), path)
    except (ReviewError, HistoryUnusable) as exc:
        _fail(str(exc), EXIT_USAGE)
    click.echo(f"季度客户评审表已生成：{out}")


@cli.command("confirm", context_settings=CONTEXT, options_metavar="[选项]")
@click.option("--customer", "customers", multiple=True, metavar="KH…", help="客户编号（可重复）。")
@click.option("--team", default="", help="为该团队的全部客户生成。")
@click.option("--month", default="", metavar="YYYY-MM", help="使用哪个月的客户资料，默认最近一个月。")
@click.option("--format", "kind", type=click.Choice(["xlsx", "html"]), default="xlsx", show_default=True,
              help="xlsx：Excel 表格；html：可直接打印或另存为 PDF 的网页。")
@click.option("--output", "output_dir", default="output", show_default=True, type=click.Path(path_type=Path),
              help="月度输出目录。")
@click.option("-o", "folder", default=None, type=click.Path(path_type=Path),
              help="确认单保存目录，默认 <输出目录>/确认单/<月份>/。")
def confirm_cmd(customers: tuple[str, ...], team: str, month: str, kind: str, output_dir: Path,
                folder: Path | None) -> None:
    """生成客户信息确认单（每个客户一页），发给客户核对资料。

    \b
    示例：
      crm-pipeline confirm --customer KH00000001 --format html
      crm-pipeline confirm --team 华东销售部
    """
    from .api import write_confirmations
    from .history import HistoryUnusable
    from .review import ReviewError

    if not customers and not team:
        _fail("请用 --customer 指定客户编号，或用 --team 指定团队", EXIT_USAGE)
    try:
        paths = write_confirmations(output_dir, customers, team, month, kind, _load_rules(), folder)
    except (ReviewError, HistoryUnusable) as exc:
        _fail(str(exc), EXIT_USAGE)
    where = paths[0].parent if paths else folder
    click.echo(f"已生成 {len(paths)} 份客户信息确认单：{where}")
