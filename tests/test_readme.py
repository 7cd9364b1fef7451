"""Files generated from others (the README's data dictionary from the contracts, the delivery locations from the
seed): each fails its test when one changes without the other."""

import subprocess
import sys

from tests.shared_data import PROJECT


def test_the_data_dictionary_in_the_readme_is_up_to_date():
    check = subprocess.run([sys.executable, "scripts/data_dictionary.py", "--check"], cwd=PROJECT)
    assert check.returncode == 0, "run: python scripts/data_dictionary.py"


def test_the_delivery_locations_are_up_to_date_with_the_bundled_seed():
    check = subprocess.run([sys.executable, "scripts/delivery_locations.py", "--check"], cwd=PROJECT)
    assert check.returncode == 0, "run: python scripts/delivery_locations.py"
