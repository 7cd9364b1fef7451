"""Tier benchmarks: for each buyer, function and tier, the spread of delivery locations' costs per productive hour,
and what the tier saves against doing the work onshore.

A tier counts the delivery locations only (`is_delivery_location`: countries with evidence that buyers outsource to
them), and the buyer itself onshore: a country with no outsourcing industry has a labour cost but no offer to buy."""

from __future__ import annotations

import polars as pl

from schemas.vocabulary import TIERS

CHEAPEST_SHOWN = 3
# A delivery location whose loaded cost is more than this multiple of what its economy predicts, or less than that
# prediction divided by it, is flagged for an analyst to look at: such a gap is more often a data problem than a market.
OUTLIER_FACTOR = 3.0


def costs_by_tier(costs: pl.DataFrame, tiers: pl.DataFrame) -> pl.DataFrame:
    """Each delivery location's cost in each buyer's tiers; the buyer's own cost is always its onshore tier."""
    return (
        costs.select(
            "year",
            "country_iso3",
            "country_name",
            "function_id",
            "cost_per_productive_hour_usd",
            "is_delivery_location",
        )
        .join(tiers.select("buyer_iso3", "country_iso3", "tier"), on="country_iso3")
        .filter(pl.col("is_delivery_location") | (pl.col("tier") == "onshore"))
        .drop("is_delivery_location")
    )


def tier_function_benchmarks(costs: pl.DataFrame, tiers: pl.DataFrame, vendor_rates: pl.DataFrame) -> pl.DataFrame:
    cost = pl.col("cost_per_productive_hour_usd")
    rates = vendor_rates.select("year", "country_iso3", "function_id", "rate_mid_usd_hour")
    summary = (
        costs_by_tier(costs, tiers)
        .join(rates, on=["year", "country_iso3", "function_id"], how="left")
        .group_by("year", "buyer_iso3", "function_id", "tier")
        .agg(
            n_countries=pl.len(),
            cost_per_hour_p25_usd=cost.quantile(0.25, "linear"),
            cost_per_hour_p50_usd=cost.median(),
            cost_per_hour_p75_usd=cost.quantile(0.75, "linear"),
            cheapest_countries=pl.col("country_iso3").sort_by(cost).head(CHEAPEST_SHOWN),
            cheapest_country_names=pl.col("country_name").sort_by(cost).head(CHEAPEST_SHOWN),
            vendor_rate_p50_usd_hour=pl.col("rate_mid_usd_hour").median(),
        )
    )
    key = ["year", "buyer_iso3", "function_id"]
    onshore = summary.filter(pl.col("tier") == "onshore").select(
        *key,
        pl.col("cost_per_hour_p50_usd").alias("onshore_p50"),
        pl.col("vendor_rate_p50_usd_hour").alias("onshore_rate"),
    )
    return (
        summary.join(onshore, on=key, how="left")
        .with_columns(
            savings_vs_onshore_pct=100 * (1 - pl.col("cost_per_hour_p50_usd") / pl.col("onshore_p50")),
            vendor_savings_vs_onshore_pct=100 * (1 - pl.col("vendor_rate_p50_usd_hour") / pl.col("onshore_rate")),
        )
        .drop("onshore_p50", "onshore_rate")
        .with_columns(pl.col("tier").cast(pl.Enum(TIERS)))
        .sort("year", "buyer_iso3", "function_id", "tier")
        .with_columns(pl.col("tier").cast(pl.String))
    )


def missing_tiers(
    benchmarks: pl.DataFrame, buyers: list[str], function_ids: list[str], years: list[int]
) -> pl.DataFrame:
    """(year, buyer, function, tier) combinations that a complete benchmark must have and this one lacks."""
    expected = (
        pl.DataFrame({"year": years}, schema={"year": pl.Int32})
        .join(pl.DataFrame({"buyer_iso3": buyers}), how="cross")
        .join(pl.DataFrame({"function_id": function_ids}), how="cross")
        .join(pl.DataFrame({"tier": list(TIERS)}), how="cross")
    )
    return expected.join(benchmarks, on=["year", "buyer_iso3", "function_id", "tier"], how="anti")


def gdp_per_head(gdp_per_capita: pl.DataFrame, gdp: pl.DataFrame, population: pl.DataFrame) -> pl.DataFrame:
    """(country_iso3, year, gdp_per_head_usd): the World Bank's stated GDP per capita, else GDP over population (the
    later vintage, reaching the years the stated series does not)."""
    computed = gdp.join(population, on=["iso3", "year"]).select(
        "iso3", "year", computed=pl.col("gdp_usd") / pl.col("population")
    )
    return (
        gdp_per_capita.select("iso3", "year", "gdp_per_capita_usd")
        .join(computed, on=["iso3", "year"], how="full", coalesce=True)
        .select(
            pl.col("iso3").alias("country_iso3"),
            "year",
            gdp_per_head_usd=pl.coalesce("gdp_per_capita_usd", "computed"),
        )
    )


def costs_out_of_line(costs: pl.DataFrame, gdp_per_head: pl.DataFrame) -> pl.DataFrame:
    """Delivery locations whose loaded cost lies more than OUTLIER_FACTOR from what their economy predicts.

    The prediction is a least-squares line of log loaded cost on log GDP per head, fitted for each function and year
    across the delivery locations: labour costs follow income closely (residuals within 0.4-3x on the sample), while a
    unit, scale or survey error moves one country off the line. Comparing with the tier's own spread instead flagged
    every high-wage country in a tier of cheap ones (Canada among a European buyer's offshore locations), a market fact
    rather than a data fault. `gdp_per_head` is (country_iso3, year, gdp_per_head_usd); locations without it are not
    tested."""
    log_cost, log_income = pl.col("loaded_cost_annual_usd").log(), pl.col("gdp_per_head_usd").log()
    group = ["year", "function_id"]
    slope = (pl.cov(log_cost, log_income) / log_income.var()).over(group)
    intercept = (log_cost.mean() - slope * log_income.mean()).over(group)
    return (
        costs.filter("is_delivery_location")
        .join(gdp_per_head, on=["country_iso3", "year"])
        .filter(pl.col("gdp_per_head_usd") > 0)
        .with_columns(predicted_cost_annual_usd=(intercept + slope * log_income).exp())
        .with_columns(times_predicted=pl.col("loaded_cost_annual_usd") / pl.col("predicted_cost_annual_usd"))
        .filter(~pl.col("times_predicted").is_between(1 / OUTLIER_FACTOR, OUTLIER_FACTOR))
        .select(
            "year",
            "country_iso3",
            "function_id",
            "loaded_cost_annual_usd",
            "predicted_cost_annual_usd",
            "times_predicted",
            "gdp_per_head_usd",
            "wage_method",
            "wage_source_year",
        )
        .sort("country_iso3", "year", "function_id")
    )


def acknowledged(flagged: pl.DataFrame, acknowledgements: pl.DataFrame, check: str) -> tuple[pl.DataFrame, ...]:
    """`flagged` rows (with country_iso3 and wage_source_year) split into those an analyst has let stand for `check`
    (reference/acknowledged_warnings.csv), with their `reason`, and the rest; and the acknowledgements for `check` that
    match no flagged row any more. The key holds the wage's source year, so rows resting on a newer source are new."""
    key = ["country_iso3", "wage_source_year"]
    mine = acknowledgements.filter(pl.col("check") == check).select(*key, "reason")
    marked = flagged.join(mine, on=key, how="left")
    return (
        marked.filter(pl.col("reason").is_not_null()),
        marked.filter(pl.col("reason").is_null()).drop("reason"),
        mine.join(flagged.select(key).unique(), on=key, how="anti").sort(key),
    )


def dearer_than_onshore(benchmarks: pl.DataFrame) -> pl.DataFrame:
    """Nearshore and offshore tiers whose median costs more than onshore, with `unexpected`: true for an offshore
    tier, whose only case is saving money. A nearshore tier may be at parity, since a high-wage buyer's neighbours are
    often high-wage too (New Zealand is Australia's only nearshore delivery location)."""
    return benchmarks.filter((pl.col("tier") != "onshore") & (pl.col("savings_vs_onshore_pct") < 0)).select(
        "year",
        "buyer_iso3",
        "function_id",
        "tier",
        "savings_vs_onshore_pct",
        unexpected=pl.col("tier") == "offshore",
    )
