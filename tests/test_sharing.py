"""Repeated values stored once (pipeline/sharing.py): the frames the run keeps to the write
stage read exactly as before — same values, same types, missing cells untouched — while a
column of a few distinct texts holds one object per text."""
import datetime as dt
import math

import pandas as pd

from pipeline.sharing import share_repeated


def _texts(n: int) -> list[str]:
    return ["".join(["广州", "市"]) if i % 2 else "".join(["深圳", "市"]) for i in range(n)]


def test_repeated_texts_become_one_object_and_read_the_same():
    city = _texts(10) + [None, float("nan")]
    frame = pd.DataFrame({"city": city, "n": range(12)})
    before = frame["city"].tolist()
    share_repeated(frame)
    after = frame["city"].tolist()
    assert after[:10] == before[:10]
    assert len({id(v) for v in after[:10]}) == 2
    assert after[10] is None and isinstance(after[11], float) and math.isnan(after[11])
    assert frame["n"].tolist() == list(range(12)) and frame["city"].dtype == object


def test_only_equal_values_of_one_type_are_merged():
    mixed = pd.DataFrame({"v": [1, 1.0, True, "1", 1, 1.0, True, "1"],
                          "d": [dt.date(2026, 1, 1), dt.datetime(2026, 1, 1)] * 4})
    before = [(type(v), v) for v in mixed["v"]] + [(type(v), v) for v in mixed["d"]]
    share_repeated(mixed)
    assert [(type(v), v) for v in mixed["v"]] + [(type(v), v) for v in mixed["d"]] == before


def test_text_sets_and_tuples_are_shared_others_left_alone():
    bad = [frozenset(["mobile", "email"]) for _ in range(6)]
    teams = [tuple(["华南" + "一组"[:i % 1 + 2]]) for i in range(6)]
    numbers = [tuple([i % 1]) for i in range(6)]
    frame = pd.DataFrame({"bad": bad, "teams": teams, "numbers": numbers})
    assert len({id(v) for v in frame["teams"]}) == 6
    share_repeated(frame)
    assert len({id(v) for v in frame["bad"]}) == 1 and frame["bad"].tolist() == bad
    assert len({id(v) for v in frame["teams"]}) == 1 and frame["teams"].tolist() == teams
    assert len({id(v) for v in frame["numbers"]}) == 6          # not texts: untouched


def test_mostly_distinct_columns_are_left_as_they_are():
    names = [f"客户{i}" for i in range(10)]
    frame = pd.DataFrame({"name": names})
    objects = [id(v) for v in frame["name"]]
    share_repeated(frame)
    assert [id(v) for v in frame["name"]] == objects
