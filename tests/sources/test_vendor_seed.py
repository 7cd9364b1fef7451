"""The seed of public rate observations, and what a damaged copy of it produces."""

import csv
import io

import pytest

from sources.errors import SourceFormatError
from sources.vendor_seed import COLUMNS, parse_observations
from tests.shared_data import RAW, needs_shared_raw

SEED = RAW.parent / "seed"
HEADER = ",".join(COLUMNS)


@needs_shared_raw
def test_the_real_seed_parses_with_every_citation():
    content = (SEED / "vendor_rates_public.csv").read_bytes()
    records = len(list(csv.DictReader(io.StringIO(content.decode("utf-8")))))
    rates = parse_observations(content, "vendor_rates_public.csv")
    assert rates.height == records > 0 and rates["parse_error"].null_count() == records
    assert rates["url"].str.starts_with("http").all()
    row = rates.filter(country_iso3="POL", currency="EUR").row(0, named=True)
    assert (row["amount_low"], row["amount_high"], row["unit"]) == (35.0, 70.0, "hour")


def test_a_cell_that_is_not_a_number_keeps_its_row_with_the_reason():
    data = f"{HEADER}\nPHL,Customer service,eight,12,USD,hour,vendor_billing_rate,2O25,Vendor,https://x.test,\n"
    row = parse_observations(data.encode(), "seed.csv").row(0, named=True)
    assert row["amount_low"] is None and row["amount_high"] == 12.0
    assert row["parse_error"] == "rate_low 'eight' is not a number; reference_year '2O25' is not a year"


def test_a_renamed_column_names_the_file_and_the_columns():
    data = HEADER.replace("source_url", "page").encode() + b"\n"
    with pytest.raises(SourceFormatError, match=r"seed.csv: missing columns \['source_url'\]; expected .* found"):
        parse_observations(data, "seed.csv")
