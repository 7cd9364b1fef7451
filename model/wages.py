"""Wages per country, business function and benchmark year, in US$, by the best method the data allows.

Methods, best first, recorded in `wage_method`:
- `oews_direct`: the US wage of the function's SOC occupations (BLS OEWS), weighted by their employment.
- `ilostat_occupation`: the country's ILOSTAT mean earnings of the function's ISCO-08 major group, in US$.
- `national_mean_x_relativity`: the country's mean earnings (ILOSTAT, else the OECD average wage) in US$, times the
  major group's relativity to the mean, estimated from the countries that publish earnings by occupation.
A wage observed in another year is brought to the benchmark year by the country's own indices (model.carry), never by
dividing one survey's figure by another's.
"""

from __future__ import annotations

import polars as pl

from model.carry import carry_to_year, index_series
from model.files import files_by, merged_files
from model.reference import ModelSettings, ReferenceData
from model.within_group import within_group_factors
from schemas.vocabulary import BASIS_ORDER_FOR_RATIOS, BASIS_ORDER_FOR_USD, OCCUPATION_INDICATOR, WAGE_METHODS

POOLED = "all countries"
# WAGE_METHODS lists the methods best first.
METHOD_RANK = {method: rank for rank, method in enumerate(WAGE_METHODS)}


def basis_preference(order: tuple[str, ...]) -> pl.Expr:
    """The rank of each row's currency basis in `order`: 0 for the basis to prefer."""
    return pl.col("currency_basis").replace_strict({basis: rank for rank, basis in enumerate(order)})


def converted_to_usd(
    earnings: pl.DataFrame, fx: pl.DataFrame, ppp: pl.DataFrame, max_price_level_ratio: float
) -> pl.DataFrame:
    """Every earnings row in monthly US$, each indicator and currency basis kept apart, with the raw files of the
    earnings, the exchange rate and the PPP factor (`raw_file`, `fx_file`, `ppp_file`; `_conversion_files` lists those
    a row's value depends on).

    PPP $ are converted only where the price level ratio (PPP factor / exchange rate) is plausible: outside
    [1/max, max] the two World Bank series are in different units and the result would be off by orders of magnitude."""
    price_level = pl.col("lcu_per_intl_dollar") / pl.col("lcu_per_usd")
    plausible = price_level.is_between(1 / max_price_level_ratio, max_price_level_ratio)
    return (
        earnings.join(fx.rename({"raw_file": "fx_file"}), on=["iso3", "year"], how="left")
        .join(ppp.rename({"raw_file": "ppp_file"}), on=["iso3", "year"], how="left")
        .with_columns(
            monthly_usd=pl.when(pl.col("currency_basis") == "USD")
            .then("monthly_earnings")
            .when(pl.col("currency_basis") == "LCU")
            .then(pl.col("monthly_earnings") / pl.col("lcu_per_usd"))
            .when(plausible)
            .then(pl.col("monthly_earnings") * price_level),
            priority=basis_preference(BASIS_ORDER_FOR_USD),
        )
        .filter(pl.col("monthly_usd").is_not_null())
        # Only what later steps read: this table lives through the whole wage layer, at every earnings row.
        .select(
            "iso3",
            "year",
            "occupation",
            "indicator",
            "currency_basis",
            "monthly_usd",
            "priority",
            "raw_file",
            "fx_file",
            "ppp_file",
        )
    )


def _conversion_files() -> pl.Expr:
    """The raw files a converted row's value depends on: the earnings', and the exchange rate's and PPP factor's where
    its currency basis needs them. Built only for the rows a table keeps: a list of paths per earnings row is most
    of what the converted earnings would hold."""
    return pl.concat_list(
        "raw_file",
        pl.when(pl.col("currency_basis") != "USD").then("fx_file"),
        pl.when(pl.col("currency_basis") == "PPP").then("ppp_file"),
    ).list.drop_nulls()


SURVEY = ["iso3", "year", "indicator", "currency_basis"]


def implausible_surveys(converted: pl.DataFrame, gdp: pl.DataFrame, settings: ModelSettings) -> pl.DataFrame:
    """The (country, year, indicator, currency basis) blocks of earnings whose level cannot be right: mean annual
    earnings of employees (the block's TOTAL, else the median of its groups) below `min_earnings_to_gdp_per_capita` or
    above `max_earnings_to_gdp_per_capita` times GDP per capita. Published blocks of that kind are off by a unit (CRI
    2018 about a twelfth of its neighbours, COL 2008-2009 in thousands of pesos, AUS 2016 about 30x), not a market;
    a block without GDP per capita for its year is kept."""
    level = converted.group_by(SURVEY).agg(
        monthly_usd=pl.coalesce(
            pl.col("monthly_usd").filter(pl.col("occupation") == "TOTAL").first(), pl.col("monthly_usd").median()
        )
    )
    return (
        level.join(gdp.select("iso3", "year", "gdp_per_capita_usd"), on=["iso3", "year"])
        .with_columns(earnings_to_gdp_per_capita=pl.col("monthly_usd") * 12 / pl.col("gdp_per_capita_usd"))
        .filter(
            ~pl.col("earnings_to_gdp_per_capita").is_between(
                settings.min_earnings_to_gdp_per_capita, settings.max_earnings_to_gdp_per_capita
            )
        )
        .sort(SURVEY)
    )


def earnings_in_usd(converted: pl.DataFrame) -> pl.DataFrame:
    """One monthly US$ value per country, year and occupation, from the most direct currency basis available."""
    return (
        converted.sort("priority")
        .unique(["iso3", "year", "occupation"], keep="first", maintain_order=True)
        .select("iso3", "year", "occupation", "indicator", "currency_basis", "monthly_usd", sources=_conversion_files())
    )


def national_means(
    earnings_usd: pl.DataFrame, average_wages: pl.DataFrame, fx: pl.DataFrame, ppp: pl.DataFrame, oecd_base_year: int
) -> pl.DataFrame:
    """Mean monthly earnings in US$ per country and year: ILOSTAT's national mean, else the OECD average wage.

    The OECD series is in US$ PPP at constant prices of its base year, so only that year converts to current US$
    (through the PPP factor and the exchange rate of that year) without a deflator we do not have."""
    ilostat = earnings_usd.filter(pl.col("occupation") == "TOTAL").select(
        "iso3",
        "year",
        "monthly_usd",
        pl.format("ILOSTAT mean earnings ({})", "currency_basis").alias("mean_basis"),
        "sources",
    )
    oecd = (
        average_wages.filter(pl.col("year") == oecd_base_year)
        .join(fx.rename({"raw_file": "fx_file"}), on=["iso3", "year"])
        .join(ppp.rename({"raw_file": "ppp_file"}), on=["iso3", "year"])
        .select(
            "iso3",
            "year",
            (pl.col("annual_wage") / 12 * pl.col("lcu_per_intl_dollar") / pl.col("lcu_per_usd")).alias("monthly_usd"),
            pl.lit("OECD average annual wage").alias("mean_basis"),
            pl.concat_list("raw_file", "ppp_file", "fx_file").alias("sources"),
        )
    )
    return pl.concat([ilostat, oecd]).unique(["iso3", "year"], keep="first", maintain_order=True)


def relativities(earnings: pl.DataFrame, countries: pl.DataFrame, settings: ModelSettings) -> pl.DataFrame:
    """Each ISCO-08 major group's earnings relative to the national mean, by World Bank income group.

    A country's ratio comes from one survey, year and currency (its latest); ratios are summarised by income group,
    and over all countries where an income group has too few. Relativities differ a lot between countries (clerical
    workers earn above the mean where formal office jobs are scarce), so a single US ratio would mislead."""
    # One lazy query: eager, each step held another copy of the occupation rows, and the sort that chose a country's
    # row held all of them at once (1 GB at 100x the sample, 7 GB at 1000x). The groups and the totals are filtered
    # from the earnings apart (a filtered table that both read would be held in full), and each country's row is
    # chosen within its own group.
    by_occupation = pl.col("indicator") == OCCUPATION_INDICATOR
    totals = (
        earnings.lazy()
        .filter(by_occupation & (pl.col("occupation") == "TOTAL"))
        .select("iso3", "year", "currency_basis", pl.col("monthly_earnings").alias("total"))
    )
    ratios = (
        earnings.lazy()
        .filter(by_occupation & (pl.col("occupation") != "TOTAL"))
        .join(totals, on=["iso3", "year", "currency_basis"])
        .select(
            "iso3",
            "year",
            "occupation",
            "raw_file",
            ratio=pl.col("monthly_earnings") / pl.col("total"),
            priority=basis_preference(BASIS_ORDER_FOR_RATIOS),
        )
    )
    # A country's latest year, in the most preferred basis of that year: one row, as earnings are unique per (iso3,
    # year, occupation, currency_basis).
    latest_first = pl.col("year", "raw_file", "ratio").sort_by(["year", "priority"], descending=[True, False])
    per_country = (
        ratios.group_by("iso3", "occupation")
        .agg(latest_first.first())
        .join(countries.lazy().select("iso3", "income_group"), on="iso3", how="left")
        .with_columns(pl.col("income_group").fill_null("unclassified"))
        .collect()
    )
    summary = [
        pl.len().alias("n_countries"),
        pl.col("ratio").median().alias("relativity"),
        pl.col("ratio").quantile(0.25, "linear").alias("relativity_p25"),
        pl.col("ratio").quantile(0.75, "linear").alias("relativity_p75"),
        pl.col("ratio").min().alias("relativity_min"),
        pl.col("ratio").max().alias("relativity_max"),
        pl.format("{} {}", "iso3", "year").sort().alias("observations"),
        pl.col("raw_file").unique().sort().alias("sources"),
    ]
    by_income = per_country.group_by("occupation", "income_group").agg(summary)
    pooled = per_country.group_by("occupation").agg(summary).with_columns(income_group=pl.lit(POOLED))
    return (
        pl.concat([by_income, pooled.select(by_income.columns)])
        .with_columns(
            usable=(pl.col("income_group") == POOLED)
            | (pl.col("n_countries") >= settings.min_countries_per_income_group)
        )
        .rename({"occupation": "isco08_major_group"})
        .sort("isco08_major_group", "income_group")
    )


def _nearest(frame: pl.DataFrame, keys: list[str], year: int, settings: ModelSettings) -> pl.DataFrame:
    """The observation per key nearest `year` within the allowed age, the earlier of two equally near. One after the
    year is brought back to it by model.carry's index, as one before is brought forward: a survey two years later
    says more about the year than one nine years before it."""
    age = settings.max_wage_age_years
    return (
        frame.filter(pl.col("year").is_between(year - age, year + age))
        .sort((pl.col("year") - year).abs(), pl.col("year") > year)
        .unique(keys, keep="first", maintain_order=True)
        .rename({"year": "wage_source_year"})
    )


# BLS turns hourly into annual wages with 2,080 hours (40 x 52); the OEWS method follows the publisher's convention.
OEWS_HOURS_PER_YEAR = 2080


def oews_direct(functions: pl.DataFrame, us_wages: pl.DataFrame, year: int, settings: ModelSettings) -> pl.DataFrame:
    """US wages of each function: its SOC occupations' mean hourly wages, weighted by their employment."""
    occupations = functions.select("function_id", "us_soc_codes").explode("us_soc_codes")
    observed = us_wages.filter(pl.col("hourly_mean").is_not_null() & pl.col("employment").is_not_null())
    return (
        _nearest(
            occupations.join(observed, left_on="us_soc_codes", right_on="soc_code"),
            ["function_id", "us_soc_codes"],
            year,
            settings,
        )
        .group_by("function_id")
        .agg(
            monthly_usd=(pl.col("hourly_mean") * pl.col("employment")).sum()
            / pl.col("employment").sum()
            * OEWS_HOURS_PER_YEAR
            / 12,
            wage_source_year=pl.col("wage_source_year").min(),
            sources=pl.col("raw_file").unique().sort(),
        )
        .with_columns(country_iso3=pl.lit("USA"), wage_method=pl.lit("oews_direct"))
    )


def function_groups(functions: pl.DataFrame, factors: pl.DataFrame) -> pl.DataFrame:
    """(function_id, isco08_major_groups) pairs, each with its within-group factor (1 where there is none)."""
    return (
        functions.select("function_id", "isco08_major_groups")
        .explode("isco08_major_groups")
        .join(
            factors,
            left_on=["function_id", "isco08_major_groups"],
            right_on=["function_id", "isco08_major_group"],
            how="left",
        )
        .with_columns(pl.col("within_group_factor").fill_null(1.0))
    )


def _with_factor_columns(frame: pl.DataFrame, unfactored: str) -> pl.DataFrame:
    """within_group_factor as the ratio of the factored to the `unfactored` value, and the factors' basis."""
    return frame.with_columns(
        within_group_factor=pl.col("monthly_usd") / pl.col(unfactored),
        within_group_basis=pl.when(pl.col("within_group_basis") != "").then("within_group_basis"),
    )


def ilostat_occupation(
    functions: pl.DataFrame, earnings_usd: pl.DataFrame, factors: pl.DataFrame, year: int, settings: ModelSettings
) -> pl.DataFrame:
    """The country's own earnings for the function's major groups (each times the function's within-group factor),
    from one year in which all of them are published."""
    n_groups = functions.select("function_id", n_required=pl.col("isco08_major_groups").list.len())
    # Only years _nearest can choose: each year's groups are summed apart, so the others would be summed for nothing.
    age = settings.max_wage_age_years
    in_reach = earnings_usd.filter(pl.col("year").is_between(year - age, year + age))
    keys = ["function_id", "iso3", "year"]
    groups = function_groups(functions, factors)
    # A year is used only with every group of the function, each once, so its basis is the function's, in the order
    # of the function's groups.
    basis = groups.group_by("function_id", maintain_order=True).agg(
        within_group_basis=pl.col("within_group_basis").drop_nulls().str.join("; ")
    )
    rows = groups.join(in_reach, left_on="isco08_major_groups", right_on="occupation")
    by_year = (
        rows.group_by(keys)
        .agg(
            monthly_usd=(pl.col("monthly_usd") * pl.col("within_group_factor")).mean(),
            group_usd=pl.col("monthly_usd").mean(),
            n_groups=pl.len(),
        )
        .join(n_groups, on="function_id")
        .filter(pl.col("n_groups") == pl.col("n_required"))
        .join(basis, on="function_id")
    )
    nearest = _nearest(by_year, ["function_id", "iso3"], year, settings)
    # The raw files of the chosen year only, gathered once for all of them.
    chosen_rows = rows.join(
        nearest.select("function_id", "iso3", pl.col("wage_source_year").alias("year")), on=keys, how="semi"
    )
    nearest = nearest.join(
        files_by(chosen_rows, ["function_id", "iso3"], "sources", "within_group_sources"),
        on=["function_id", "iso3"],
        how="left",
    ).with_columns(pl.col("sources").fill_null(pl.lit([], pl.List(pl.String))))
    return _with_factor_columns(
        nearest.rename({"iso3": "country_iso3"}).with_columns(wage_method=pl.lit("ilostat_occupation")),
        "group_usd",
    ).select(
        "function_id",
        "country_iso3",
        "monthly_usd",
        "wage_source_year",
        "sources",
        "wage_method",
        "within_group_factor",
        "within_group_basis",
    )


def national_mean_x_relativity(
    functions: pl.DataFrame,
    means: pl.DataFrame,
    relativity: pl.DataFrame,
    countries: pl.DataFrame,
    factors: pl.DataFrame,
    year: int,
    settings: ModelSettings,
) -> pl.DataFrame:
    """The country's mean earnings times the relativity of the function's major groups in its income group (or, where
    that group has too few countries with data, over all countries), each times the function's within-group factor."""
    # Only what a row needs: a relativity's list of observations grows with the countries and would be copied to every
    # country's rows.
    usable = relativity.filter("usable").select(
        "isco08_major_group", "income_group", "relativity", "n_countries", "sources"
    )
    own = usable.filter(pl.col("income_group") != POOLED)
    pooled = usable.filter(pl.col("income_group") == POOLED).drop("income_group")
    groups = function_groups(functions, factors)
    # Every figure of a row depends on the country's income group only: worked out per income group and function,
    # then given to each of the group's countries.
    income = countries.select("iso3", pl.col("income_group").fill_null("unclassified"))
    per_group = (
        income.select("income_group")
        .unique(maintain_order=True)
        .join(groups, how="cross")
        .join(
            own,
            left_on=["isco08_major_groups", "income_group"],
            right_on=["isco08_major_group", "income_group"],
            how="left",
        )
        .join(pooled, left_on="isco08_major_groups", right_on="isco08_major_group", how="left", suffix="_pooled")
        .with_columns(
            relativity_pooled=pl.col("relativity").is_null(),
            relativity=pl.coalesce("relativity", "relativity_pooled"),
            relativity_basis=pl.when(pl.col("relativity").is_null())
            .then(
                pl.format(
                    "occupation_relativities ISCO {} / {}: median of {} countries",
                    "isco08_major_groups",
                    pl.lit(POOLED),
                    "n_countries_pooled",
                )
            )
            .otherwise(
                pl.format(
                    "occupation_relativities ISCO {} / {}: median of {} countries",
                    "isco08_major_groups",
                    "income_group",
                    "n_countries",
                )
            ),
            relativity_sources=pl.coalesce("sources", "sources_pooled"),
        )
    )
    per_function = per_group.group_by("income_group", "function_id").agg(
        pl.col("relativity").mean(),
        factored=(pl.col("relativity") * pl.col("within_group_factor")).mean(),
        relativity_pooled=pl.col("relativity_pooled").any(),
        relativity_basis=pl.col("relativity_basis").str.join("; "),
        within_group_basis=pl.col("within_group_basis").drop_nulls().str.join("; "),
        relativity_sources=pl.concat_list("relativity_sources", pl.col("within_group_sources").fill_null([]))
        .list.explode(keep_nulls=False, empty_as_null=False)
        .unique()
        .sort(),
    )
    nearest_means = _nearest(means, ["iso3"], year, settings)
    return (
        income.join(per_function, on="income_group")
        .join(nearest_means, on="iso3")
        .filter(pl.col("relativity").is_not_null())
        .select(
            "function_id",
            pl.col("iso3").alias("country_iso3"),
            (pl.col("monthly_usd") * pl.col("factored")).alias("monthly_usd"),
            (pl.col("factored") / pl.col("relativity")).alias("within_group_factor"),
            pl.when(pl.col("within_group_basis") != "").then("within_group_basis").alias("within_group_basis"),
            "wage_source_year",
            merged_files("sources", "relativity_sources").alias("sources"),
            pl.lit("national_mean_x_relativity").alias("wage_method"),
            "relativity",
            "relativity_basis",
            "relativity_pooled",
            "mean_basis",
        )
    )


# The staging tables wage_candidates reads (`staging` maps each name to its table).
WAGE_INPUTS = (
    "earnings",
    "exchange_rates",
    "ppp_factors",
    "average_wages",
    "countries",
    "us_occupation_wages",
    "gdp_per_capita",
    "gdp",
    "population",
)


def usd_earnings_and_index(
    staging: dict[str, pl.DataFrame], settings: ModelSettings
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The plausible earnings in US$, one per country, year and occupation (earnings_in_usd), and the growth index
    (model.carry) over the years a carry can start or end in. The converted earnings behind both are the largest table
    of the wage layer: they live in this function only, so they are freed before the wages are chosen."""
    converted = converted_to_usd(
        staging["earnings"], staging["exchange_rates"], staging["ppp_factors"], settings.max_price_level_ratio
    )
    converted = converted.join(
        implausible_surveys(converted, staging["gdp_per_capita"], settings), on=SURVEY, how="anti"
    )
    # A wage observed up to max_wage_age_years from a benchmark year is carried from that year to one not after the
    # last benchmark year: index years outside that span can neither start nor end a carry. The inputs are cut to the
    # span before the index is built (an index row has the year of the input rows it comes from), so the files of the
    # decades before it are never listed.
    years, age = settings.benchmark_years, settings.max_wage_age_years
    in_span = pl.col("year").is_between(min(years) - age, max(years) + age)
    index = index_series(
        *(
            frame.filter(in_span)
            for frame in (
                converted,
                staging["gdp_per_capita"],
                staging["gdp"],
                staging["population"],
                staging["exchange_rates"],
            )
        )
    )
    return earnings_in_usd(converted), index


def wage_candidates(staging: dict[str, pl.DataFrame], reference: ReferenceData) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per benchmark year (`year`), country and function, the wage of the best method available, as observed in its
    source year; and the growth index (model.carry) that brings it to the benchmark year."""
    functions, settings = reference.functions, reference.settings
    earnings_usd, index = usd_earnings_and_index(staging, settings)
    means = national_means(
        earnings_usd,
        staging["average_wages"],
        staging["exchange_rates"],
        staging["ppp_factors"],
        settings.oecd_price_base_year,
    )
    relativity = relativities(staging["earnings"], staging["countries"], settings)
    frames = []
    for year in settings.benchmark_years:
        factors = within_group_factors(
            functions, staging["us_occupation_wages"], reference.isco_soc_major_groups, year, settings
        )
        candidates = pl.concat(
            [
                oews_direct(functions, staging["us_occupation_wages"], year, settings),
                ilostat_occupation(functions, earnings_usd, factors, year, settings),
                national_mean_x_relativity(functions, means, relativity, staging["countries"], factors, year, settings),
            ],
            how="diagonal_relaxed",
        )
        best = (
            candidates.with_columns(rank=pl.col("wage_method").replace_strict(METHOD_RANK))
            .sort("rank")
            .unique(["country_iso3", "function_id"], keep="first", maintain_order=True)
            .drop("rank")
        )
        frames.append(best.with_columns(year=pl.lit(year, pl.Int32)))
    return pl.concat(frames, how="diagonal_relaxed"), index


def carried_wages(
    candidates: pl.DataFrame, index: pl.DataFrame, gdp_distorted: pl.DataFrame, years: list[int]
) -> pl.DataFrame:
    """Each benchmark year's wages (wage_candidates) brought to the year by model.carry."""
    return pl.concat(
        [
            carry_to_year(
                candidates.filter(pl.col("year") == year).drop("year"), index, gdp_distorted, year
            ).with_columns(year=pl.lit(year, pl.Int32))
            for year in years
        ],
        how="diagonal_relaxed",
    )


def function_wages(staging: dict[str, pl.DataFrame], reference: ReferenceData) -> pl.DataFrame:
    """Every (benchmark year, country, function) with a usable wage, by the best method available for it."""
    candidates, index = wage_candidates(staging, reference)
    return carried_wages(candidates, index, reference.gdp_distorted, reference.settings.benchmark_years)
