"""One returned workbook, both ways: the part-by-part patch and the openpyxl round trip.

    .venv/bin/python -m bench.returns [--rows 10000] [--cols 22]

A submission of ``rows`` x ``cols`` Chinese text cells is returned once without issues and
once with one issue per row (a comment, a fill and a 问题清单 row with a link each), first
through pipeline.writers.xlsxpatch, then with the patcher refused (openpyxl). Prints seconds.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from pipeline.issues import Issue, issues_frame
from pipeline.rules import load_rules
from pipeline.writers import returns


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--cols", type=int, default=22)
    args = ap.parse_args()
    rules = load_rules()
    with tempfile.TemporaryDirectory() as tmp:
        src, dest = Path(tmp) / "big.xlsx", Path(tmp) / "out.xlsx"
        wb = Workbook()
        ws = wb.active
        ws.title = "企业客户"
        ws.append(["客户名称", "手机号码"] + [f"字段{j}" for j in range(args.cols - 2)])
        for i in range(args.rows):
            ws.append([f"上海某某科技有限公司{i}", "123"] + [f"值{i}-{j}" for j in range(args.cols - 2)])
        wb.save(src)
        table = issues_frame([Issue("mobile-invalid", src.name, "企业客户", r, "mobile", "123",
                                    {"detail": "位数不足"}, column="B") for r in range(2, args.rows + 2)], rules)
        cases = (("无问题", table.iloc[0:0]), (f"{args.rows} 条问题", table))

        def timed(issues) -> float:
            t = time.perf_counter()
            returns.return_workbook(src, dest, "已处理", issues, None, None, rules)
            return time.perf_counter() - t

        patched = [timed(issues) for _, issues in cases]
        original = returns._patch_submission

        def refuse(*a, **k):
            raise returns.PatchUnsupported("bench: openpyxl path")
        returns._patch_submission = refuse
        try:
            plain = [timed(issues) for _, issues in cases]
        finally:
            returns._patch_submission = original
    print(f"{args.rows} x {args.cols} cells")
    for (label, _), a, b in zip(cases, patched, plain):
        print(f"{label:>12}: patch {a:6.2f} s   openpyxl {b:6.2f} s   ({b / a:.1f}x)")


if __name__ == "__main__":
    main()
