"""Inline SVG charts for the HTML report, drawn server-side (no JavaScript libraries).

Every text that comes from data is masked (phones, e-mails) and escaped here; the functions
return :class:`markupsafe.Markup` so the template can embed them as they are.
"""
from __future__ import annotations

import math
import re
from typing import Any, Callable, Sequence

from markupsafe import Markup, escape

from ..mask import mask_text

PALETTE = ["#3b6fb6", "#5b9bd5", "#8fbbe3", "#c4dbf0"]
GRADE_COLORS = {"S": "#1f4e8c", "A": "#3b6fb6", "B": "#7aa7d9", "C": "#b9cfe8", "未评定": "#d9d9d9",
                "高价值": "#1f4e8c", "中价值": "#5b9bd5", "低价值": "#b9cfe8"}
MUTED = "#d9d9d9"


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _t(text: Any) -> Markup:
    return escape(_CONTROL.sub("", mask_text(text)))


def _fmt_int(v: float) -> str:
    return f"{int(round(v)):,}"


def _shorten(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(items: Sequence[tuple[str, float]], *, title: str = "", color: str = PALETTE[0],
              colors: dict[str, str] | None = None, value_fmt: Callable[[float], str] = _fmt_int,
              width: int = 440, label_chars: int = 9) -> Markup:
    """Horizontal bars, one row per (label, value); empty when there is nothing to draw."""
    if not items:
        return Markup('<p class="empty">暂无数据</p>')
    row_h, top, label_w, value_w = 24, 6, 14 * label_chars + 8, 64
    bar_w = width - label_w - value_w
    height = top * 2 + row_h * len(items)
    peak = max((v for _, v in items), default=0) or 1
    total = sum(v for _, v in items) or 1
    parts = [f'<svg class="chart" role="img" aria-label="{_t(title)}" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">']
    for i, (label, value) in enumerate(items):
        y = top + i * row_h
        w = max(1.0, bar_w * value / peak) if value else 0
        fill = (colors or {}).get(str(label), MUTED if label in ("未填写", "其他", "未评定") else color)
        text = str(label)
        parts.append(
            f'<g><title>{_t(text)}：{escape(value_fmt(value))}（{value / total:.0%}）</title>'
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" class="lbl">{_t(_shorten(text, label_chars))}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" rx="3" fill="{fill}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 16}" class="val">{escape(value_fmt(value))}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


def pareto_chart(pareto: dict[str, Any], *, width: int = 440, height: int = 260) -> Markup:
    """Cumulative share of 累计合作金额 over the share of customers (sorted by amount,
    descending), with the ABC class boundaries marked."""
    curve = pareto.get("curve") or []
    if len(curve) < 2:
        return Markup('<p class="empty">暂无累计合作金额数据</p>')
    left, right, top, bottom = 44, 12, 12, 42
    pw, ph = width - left - right, height - top - bottom

    def xy(x: float, y: float) -> tuple[float, float]:
        return left + x * pw, top + (1 - y) * ph

    parts = [f'<svg class="chart" role="img" aria-label="累计合作金额帕累托曲线" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">']
    for k in range(0, 5):
        gx, gy = xy(0, k / 4)
        parts.append(f'<line x1="{left}" y1="{gy:.1f}" x2="{left + pw}" y2="{gy:.1f}" class="grid"/>'
                     f'<text x="{left - 6}" y="{gy + 4:.1f}" text-anchor="end" class="axis">{k * 25}%</text>')
    # class bands along x (customer share)
    x0 = 0.0
    for i, cls in enumerate(pareto.get("classes") or []):
        x1 = min(1.0, x0 + cls["customer_share"])
        ax, _ = xy(x0, 0)
        bx, _ = xy(x1, 0)
        fill = GRADE_COLORS.get(cls["grade"], PALETTE[i % len(PALETTE)])
        parts.append(f'<rect x="{ax:.1f}" y="{top}" width="{max(0.0, bx - ax):.1f}" height="{ph}" fill="{fill}" '
                     f'opacity="0.13"/>')
        if bx - ax > 24:
            parts.append(f'<text x="{(ax + bx) / 2:.1f}" y="{top + ph + 34}" text-anchor="middle" class="band">'
                         f'{escape(cls["grade"])}类 {cls["share"]:.0%}</text>')
        if 0 < x1 < 1:
            parts.append(f'<line x1="{bx:.1f}" y1="{top}" x2="{bx:.1f}" y2="{top + ph}" class="cut"/>')
        x0 = x1
    points = " ".join(f"{px:.1f},{py:.1f}" for px, py in (xy(x, y) for x, y in curve))
    ax, ay = xy(0, 0)
    bx, by = xy(1, 0)
    parts.append(f'<polygon points="{ax:.1f},{ay:.1f} {points} {bx:.1f},{by:.1f}" fill="{PALETTE[0]}" opacity="0.18"/>')
    parts.append(f'<polyline points="{points}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>')
    for k in range(0, 5):
        gx, _ = xy(k / 4, 0)
        parts.append(f'<text x="{gx:.1f}" y="{top + ph + 14}" text-anchor="middle" class="axis">{k * 25}%</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], str]], *,
               title: str = "", width: int = 440, height: int = 220) -> Markup:
    """One line per (name, values, colour) over the x ``labels`` (months); a missing value
    breaks the line. A single month is drawn as dots. Empty when there is nothing to draw."""
    values = [v for _, vs, _ in series for v in vs if v is not None]
    if not labels or not values:
        return Markup("")
    left, right, top, bottom = 40, 12, 14, 46
    pw, ph = width - left - right, height - top - bottom
    peak = max(max(values), 1)
    step = pw / max(len(labels) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        x = left + (i * step if len(labels) > 1 else pw / 2)
        return x, top + (1 - v / peak) * ph

    parts = [f'<svg class="chart" role="img" aria-label="{_t(title)}" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">']
    for k in range(0, 5):
        _, gy = xy(0, peak * k / 4)
        parts.append(f'<line x1="{left}" y1="{gy:.1f}" x2="{left + pw}" y2="{gy:.1f}" class="grid"/>'
                     f'<text x="{left - 6}" y="{gy + 4:.1f}" text-anchor="end" class="axis">{_fmt_int(peak * k / 4)}</text>')
    every = max(1, math.ceil(len(labels) / 6))
    for i, label in enumerate(labels):
        if i % every == 0 or i == len(labels) - 1:
            x, _ = xy(i, 0)
            parts.append(f'<text x="{x:.1f}" y="{top + ph + 16}" text-anchor="middle" class="axis">{_t(label)}</text>')
    for s, (name, vs, colour) in enumerate(series):
        runs: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(vs):
            if v is None:
                runs.append([])
            else:
                runs[-1].append(xy(i, v))
        for run in runs:
            if len(run) > 1:
                pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"/>')
            for x, y in run:
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
        lx = left + s * 110
        parts.append(f'<rect x="{lx}" y="{height - 14}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{lx + 14}" y="{height - 5}" class="axis">{_t(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def sparkline(values: Sequence[float | None], *, colour: str = "#b03a2e", width: int = 110, height: int = 26,
              title: str = "") -> Markup:
    """A tiny trend line (one point per month; a missing month breaks the line)."""
    known = [v for v in values if v is not None]
    if len(values) < 2 or not known:
        return Markup("")
    peak = max(max(known), 1)
    step = (width - 6) / (len(values) - 1)
    pts = [None if v is None else (3 + i * step, height - 3 - (v / peak) * (height - 6)) for i, v in enumerate(values)]
    parts = [f'<svg class="spark" role="img" aria-label="{_t(title)}" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" xmlns="http://www.w3.org/2000/svg">']
    run: list[tuple[float, float]] = []
    for p in pts + [None]:
        if p is None:
            if len(run) > 1:
                parts.append('<polyline points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                             + f'" fill="none" stroke="{colour}" stroke-width="1.6"/>')
            run = []
        else:
            run.append(p)
    x, y = next(p for p in reversed(pts) if p is not None)
    parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.4" fill="{colour}"/></svg>')
    return Markup("".join(parts))
