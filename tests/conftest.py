import datetime as dt
import os
from pathlib import Path

import pytest

from pipeline.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
AS_OF = dt.date(2026, 11, 30)

# built indexes (pipeline/buildcache.py) go to the project's own pytest cache, not the user's
# home; the command-line tests' child processes inherit it
os.environ["CRM_PIPELINE_CACHE_DIR"] = str(ROOT / ".pytest_cache" / "crm-pipeline-build")


@pytest.fixture(scope="session")
def rules():
    return load_rules()


@pytest.fixture
def as_of():
    return AS_OF
