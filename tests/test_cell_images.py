"""A WPS in-cell image (=DISPIMG("ID_…",1)) is a picture, not a value: it stays out of the
master with an info issue on its cell, and the returned workbook keeps the picture."""
from __future__ import annotations

import csv
import datetime as dt
import shutil
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from pipeline.api import run_pipeline
from pipeline.model import RunOptions

DATA = Path(__file__).resolve().parent / "data" / "wps"
FILE = "西南区_客户名单_WPS.xlsx"


def test_wps_cell_image_is_kept_out_of_the_master_and_named_by_an_issue(tmp_path):
    (tmp_path / "in").mkdir()
    shutil.copy(DATA / FILE, tmp_path / "in")
    run_pipeline(RunOptions(input_dir=tmp_path / "in", output_dir=tmp_path / "out", as_of=dt.date(2024, 3, 31)))
    month = tmp_path / "out" / "2024-03"
    rows = list(load_workbook(month / "customers.xlsx", read_only=True)["客户主档"].iter_rows(values_only=True))
    assert not [v for r in rows for v in r if "DISPIMG" in str(v)]
    with open(month / "issues.csv", encoding="utf-8-sig") as fh:
        images = [(i["row"], i["column"], i["severity"]) for i in csv.DictReader(fh) if i["rule"] == "cell-image"]
    assert images == [("2", "F", "info"), ("3", "F", "info")]
    with zipfile.ZipFile(month / "returns" / FILE) as zf:
        names = set(zf.namelist())
        assert {"xl/cellimages.xml", "xl/media/image1.png", "xl/media/image2.png"} <= names
        assert b"DISPIMG" in zf.read("xl/worksheets/sheet1.xml")
