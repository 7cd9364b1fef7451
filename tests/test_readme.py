"""The README's data dictionary is generated from the contracts; this fails when one changes without the other."""

import subprocess
import sys

from tests.shared_data import PROJECT


def test_the_data_dictionary_in_the_readme_is_up_to_date():
    check = subprocess.run([sys.executable, "scripts/data_dictionary.py", "--check"], cwd=PROJECT)
    assert check.returncode == 0, "run: python scripts/data_dictionary.py"
