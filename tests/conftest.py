import datetime as dt
from pathlib import Path

import pytest

from pipeline.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
AS_OF = dt.date(2026, 11, 30)


@pytest.fixture(scope="session")
def rules():
    return load_rules()


@pytest.fixture
def as_of():
    return AS_OF
