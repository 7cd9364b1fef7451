"""Price a team scenario file against the current published version of a warehouse and print a readable table.

    python3 tasks.py scenario scenarios/example.csv     # the warehouse of BPO_WAREHOUSE, default ./warehouse

Run the pipeline first (python3 tasks.py pipeline): the scenario is priced from its published tables.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import polars as pl
from upath import UPath

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from model.reference import load_reference  # noqa: E402
from model.scenarios import ScenarioError, read_scenarios, scenario_costs  # noqa: E402
from storage import versions  # noqa: E402


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    root = UPath(os.environ.get("BPO_WAREHOUSE", str(PROJECT / "warehouse")))
    reference = load_reference(PROJECT / "reference")
    try:
        tables = {
            name: versions.read_table(root, None, name)
            for name in ("location_function_costs", "vendor_rates", "location_tiers", "tier_function_benchmarks")
        }
        countries = set(tables["location_function_costs"]["country_iso3"]) | set(tables["location_tiers"]["buyer_iso3"])
        teams = read_scenarios(
            Path(argv[0]), set(reference.functions["function_id"]), countries, reference.coverage_rules
        )
    except (FileNotFoundError, ScenarioError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    year = max(reference.settings.benchmark_years)
    result = scenario_costs(
        teams,
        reference.coverage_rules,
        tables["location_function_costs"],
        tables["vendor_rates"],
        tables["location_tiers"],
        tables["tier_function_benchmarks"],
        year,
    )
    shown = result.select(
        "scenario_id",
        "function_id",
        "seats",
        "coverage",
        "kind",
        "location",
        pl.col("paid_ftes").round(1),
        *(
            pl.col(c).round(0).cast(pl.Int64)
            for c in ("labour_cost_low_usd", "labour_cost_mid_usd", "labour_cost_high_usd", "vendor_price_mid_usd")
        ),
        pl.col("savings_vs_onshore_pct").round(0),
    )
    with pl.Config(
        tbl_rows=200, tbl_cols=20, tbl_width_chars=200, thousands_separator=True, tbl_hide_dataframe_shape=True
    ):
        print(f"Team scenarios of {argv[0]}, priced for {year}, US$ a year:")
        print(shown)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
