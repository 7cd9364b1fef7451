"""Where the real public files of ../shared/data/raw are, and the marker for tests that need them."""

import os
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
REFERENCE = PROJECT / "reference"
RAW = Path(os.environ.get("BPO_SHARED_RAW", PROJECT.parent / "shared" / "data" / "raw"))

needs_shared_raw = pytest.mark.skipif(
    not RAW.exists(), reason=f"{RAW} is absent: the parser tests on the real public files are skipped"
)
