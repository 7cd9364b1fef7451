"""Vendor rates: wording mapped by reference data only, amounts converted to US$ in staging and spread over
productive hours by the model, markups."""

import math

import polars as pl
import pytest

from assets.staging.vendor_rates import in_usd, map_services
from model.reference import load_reference
from model.vendor_rates import per_productive_hour, rates_for_year, vendor_rates
from tests.shared_data import REFERENCE as REFERENCE_FOLDER

REFERENCE = load_reference(REFERENCE_FOLDER)
COUNTRIES = pl.DataFrame(
    {
        "iso3": ["PHL", "DEU", "FRA", "USA", "IND"],
        "currency_code": ["PHP", "EUR", "EUR", "USD", "INR"],
        "income_group": ["Lower middle income", "High income", "High income", "High income", "Lower middle income"],
    }
)
FX = pl.DataFrame(
    {
        "iso3": ["PHL", "PHL", "DEU", "FRA", "USA", "IND"],
        "year": pl.Series([2022, 2023, 2023, 2023, 2023, 2023], dtype=pl.Int32),
        "lcu_per_usd": [54.48, 55.63, 0.92, 0.92, 1.0, 82.6],
        "raw_file": ["raw/fx"] * 6,
    }
)


def normalise(frame: pl.DataFrame) -> pl.DataFrame:
    """Both steps: US$ at the year's rate (staging), then per productive hour (model)."""
    return per_productive_hour(in_usd(frame, COUNTRIES, FX), REFERENCE.cost_parameters)


def observations(**columns):
    base = {
        "country_iso3": ["PHL"],
        "service_label": ["Customer service"],
        "function_id": pl.Series([None], dtype=pl.String),
        "amount_low": [20000.0],
        "amount_high": [25000.0],
        "currency": ["PHP"],
        "unit": ["month"],
        "reference_year": pl.Series([2022], dtype=pl.Int32),
        "raw_file": ["raw/seed"],
    }
    return pl.DataFrame(base | columns)


def test_wording_maps_through_the_reference_table_and_unknown_wording_stays_unmapped():
    table = pl.DataFrame(
        {
            "service_label": ["Customer service", "Generic BPO"],
            "function_id": ["customer_support", None],
            "seniority": [None, None],
        }
    )
    frame = observations(
        service_label=["  customer SERVICE ", "Generic BPO", "Widget polishing"],
        country_iso3=["PHL"] * 3,
        function_id=pl.Series([None] * 3, dtype=pl.String),
        amount_low=[1.0] * 3,
        amount_high=[1.0] * 3,
        currency=["USD"] * 3,
        unit=["hour"] * 3,
        reference_year=pl.Series([None] * 3, dtype=pl.Int32),
        raw_file=["raw/seed"] * 3,
    )
    mapped = map_services(frame, table)
    assert mapped["function_id"].to_list() == ["customer_support", None, None]
    assert mapped["label_known"].to_list() == [True, True, False]


def test_a_monthly_amount_in_pesos_becomes_dollars_per_productive_hour():
    rates = normalise(observations(function_id=["customer_support"]))
    row = rates.row(0, named=True)
    assert row["fx_year"] == 2022
    assert row["rate_low_usd_hour"] == pytest.approx(20000 / 54.48 / (1800 / 12))
    assert row["raw_files"] == ["raw/seed", "raw/fx"]


def test_an_undated_euro_rate_uses_the_latest_euro_exchange_rate_and_an_hourly_one_stays_hourly():
    frame = observations(
        country_iso3=["DEU"],
        currency=["EUR"],
        unit=["hour"],
        amount_low=[38.0],
        amount_high=[55.0],
        reference_year=pl.Series([None], dtype=pl.Int32),
    )
    row = normalise(frame).row(0, named=True)
    assert row["fx_year"] == 2023 and row["rate_high_usd_hour"] == pytest.approx(55.0 / 0.92)


def test_a_rate_dated_after_the_latest_exchange_rate_uses_that_latest_rate():
    frame = observations(
        currency=["USD"],
        unit=["hour"],
        amount_low=[10.0],
        amount_high=[18.0],
        reference_year=pl.Series([2026], dtype=pl.Int32),
    )
    assert normalise(frame)["fx_year"].item() == 2023


def pair_frame(markups, country="GBR", weights=None):
    """Published front-office rates of one country in a high-income group, as log markups over a cost of 10."""
    n = len(markups)
    return pl.DataFrame(
        {
            "country_iso3": [country] * n,
            "function_id": ["customer_support"] * n,
            "office": ["front"] * n,
            "income_group": ["High income"] * n,
            "log_ratio": [math.log(m) for m in markups],
            "weight": weights or [1.0] * n,
            "reference_year": pl.Series([2023] * n, dtype=pl.Int32),
            "source": [f"https://{country.lower()}.test/{i}" for i in range(n)],
        }
    )


COSTS = pl.DataFrame(
    {
        "country_iso3": ["GBR", "FRA", "USA", "IND"],
        "function_id": ["customer_support"] * 3 + ["payroll"],
        "office": ["front"] * 3 + ["back"],
        "income_group": ["High income"] * 3 + ["Lower middle income"],
        "cost_per_productive_hour_usd": [10.0, 10.0, 10.0, 2.0],
    }
)


def test_one_odd_page_cannot_set_a_countrys_rate_alone():
    group = pair_frame([2.0] * 8, country="USA")
    odd = pair_frame([0.5], country="GBR")  # a rate below the UK minimum wage, say
    rates = {
        r["country_iso3"]: r
        for r in rates_for_year(pl.concat([group, odd]), COSTS, REFERENCE.settings).iter_rows(named=True)
    }
    gbr = rates["GBR"]
    assert gbr["basis"] == "observed" and gbr["n_observations"] == 1
    assert 0.5 < gbr["markup_ratio"] < 2.0 and gbr["markup_ratio"] > 1.0  # nearer its group than its one page
    # France publishes nothing: it takes its office and income group's pooled markup.
    assert rates["FRA"]["basis"] == "modelled"
    assert rates["FRA"]["markup_ratio"] == pytest.approx(rates["FRA"]["rate_mid_usd_hour"] / 10.0)
    assert 1.5 < rates["FRA"]["markup_ratio"] <= 2.0


def test_an_office_without_pairs_takes_the_markup_of_all_observed_work():
    rates = rates_for_year(pair_frame([2.0, 2.0]), COSTS, REFERENCE.settings).filter(country_iso3="IND")
    assert rates["markup_ratio"].item() == pytest.approx(2.0)
    assert rates["basis"].item() == "modelled"


def test_old_rates_are_kept_as_observations_but_not_benchmarked():
    observed = pl.DataFrame(
        {
            "country_iso3": ["IND", "IND"],
            "function_id": ["accounting", "accounting"],
            "price_type": ["vendor_billing_rate"] * 2,
            "reference_year": pl.Series([2004, None], dtype=pl.Int32),
            "unit": ["hour", "hour"],
            "amount_low_usd": [8.0, 10.0],
            "amount_high_usd": [8.0, 14.0],
            "url": ["https://old", "https://new"],
            "raw_files": [["raw/seed"], ["raw/seed"]],
            "note": pl.Series([None, None], dtype=pl.String),
        }
    )
    costs = pl.DataFrame(
        {
            "year": pl.Series([2023], dtype=pl.Int32),
            "country_iso3": ["IND"],
            "function_id": ["accounting"],
            "office": ["back"],
            "cost_per_productive_hour_usd": [2.0],
        }
    )
    row = vendor_rates(
        observed, costs, COUNTRIES, REFERENCE.cost_parameters, REFERENCE.weak_evidence_phrases, REFERENCE.settings
    ).row(0, named=True)
    assert row["basis"] == "observed" and row["n_observations"] == 1 and row["sources"] == ["https://new"]
    assert row["rate_mid_usd_hour"] == 12.0 and row["markup_ratio"] == 6.0


def test_an_observed_quote_is_traced_to_its_raw_file():
    quote = pl.DataFrame(
        {
            "country_iso3": ["COL"],
            "function_id": ["accounting"],
            "price_type": ["vendor_billing_rate"],
            "reference_year": pl.Series([2025], dtype=pl.Int32),
            "unit": ["hour"],
            "amount_low_usd": [9.0],
            "amount_high_usd": [11.0],
            "url": pl.Series([None], dtype=pl.String),
            "raw_files": [["raw/vendor_quotes/2026-11-27/q.csv", "raw/fx"]],
            "note": pl.Series([None], dtype=pl.String),
        }
    )
    costs = pl.DataFrame(
        {
            "year": pl.Series([2023], dtype=pl.Int32),
            "country_iso3": ["COL"],
            "function_id": ["accounting"],
            "office": ["back"],
            "cost_per_productive_hour_usd": [4.0],
        }
    )
    row = vendor_rates(
        quote, costs, COUNTRIES, REFERENCE.cost_parameters, REFERENCE.weak_evidence_phrases, REFERENCE.settings
    ).row(0, named=True)
    assert row["sources"] == ["raw/vendor_quotes/2026-11-27/q.csv"]


def test_a_rate_dated_beyond_the_window_after_the_benchmark_year_is_not_used():
    late = pl.DataFrame(
        {
            "country_iso3": ["COL"],
            "function_id": ["accounting"],
            "price_type": ["vendor_billing_rate"],
            "reference_year": pl.Series([2030], dtype=pl.Int32),
            "unit": ["hour"],
            "amount_low_usd": [9.0],
            "amount_high_usd": [11.0],
            "url": ["https://late"],
            "raw_files": [["raw/seed"]],
            "note": pl.Series([None], dtype=pl.String),
        }
    )
    costs = pl.DataFrame(
        {
            "year": pl.Series([2023], dtype=pl.Int32),
            "country_iso3": ["COL"],
            "function_id": ["accounting"],
            "office": ["back"],
            "cost_per_productive_hour_usd": [4.0],
        }
    )
    assert vendor_rates(
        late, costs, COUNTRIES, REFERENCE.cost_parameters, REFERENCE.weak_evidence_phrases, REFERENCE.settings
    ).is_empty()
