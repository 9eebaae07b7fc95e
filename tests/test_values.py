"""The one value layer: what counts as blank, how text, numbers, dates, months and keys are read."""
import datetime as dt
import math
import unicodedata

import pandas as pd
import pytest

from pipeline import values
from pipeline.merge.keys import fold_text
from pipeline.rules import fold


@pytest.mark.parametrize("value", [None, math.nan, pd.NA, pd.NaT])
def test_missing_values_are_missing_empty_and_blank(value):
    assert values.is_missing(value) and values.is_empty(value) and values.is_blank(value)
    assert values.text(value) == "" and values.to_int(value) is None and values.to_number(value) is None


def test_spaces_are_blank_but_not_empty():
    # a workbook keeps a cell of spaces; a person reading a form sees nothing filled in
    assert values.is_blank("  ") and not values.is_empty("  ")
    assert values.is_empty("") and not values.is_blank("0") and not values.is_blank(0)


def test_text_numbers_and_dates():
    assert values.text("  苏州 ") == "苏州" and values.text(12) == "12"
    assert values.to_int("7") == 7 and values.to_int("七") is None and values.to_int(3.0) == 3
    assert values.to_number("1.5") == 1.5 and values.to_number("约") is None
    assert values.to_date("2026-11-30 08:00") == dt.date(2026, 11, 30)
    assert values.to_date(pd.Timestamp("2026-01-02 13:00")) == dt.date(2026, 1, 2)
    assert values.to_date("十一月") is None


def test_months():
    assert values.months_before("2026-01", 2) == "2025-11"
    assert values.months_before("2026-11", 0) == "2026-11"
    assert values.full_months_between(dt.date(2026, 7, 31), dt.date(2026, 11, 30)) == 3


def test_one_fold_for_labels_and_name_keys():
    for text in ["客户 名称", "ＡＢＣ\n有限公司", "Email", "  x\u3000y "]:
        assert fold(text) == fold_text(text) == values.fold(text)
    assert values.fold("ＡＢＣ 公司") == "abc公司"


def test_brackets_cover_half_and_full_width_forms():
    for raw in ["年合作金额（万元）", "年合作金额[万元]", "年合作金额【万元】", "年合作金额《万元》"]:
        assert values.strip_brackets(unicodedata.normalize("NFKC", raw)) == "年合作金额"
