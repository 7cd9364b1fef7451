"""Synthetic staging inputs at a multiple of the bundled sample, for scripts/scale_benchmark.py.

Every country of the sample's staging tables is cloned `scale - 1` times under a new code (the ISO3 code followed by
the clone's number: PHL, PHL1, PHL2, ...), with its values jittered by factors drawn once per clone and country, so a
clone's series keep their shape (growth, earnings against GDP per capita, price levels) and the model takes the same
paths through them as through the original. Nothing is typed in: every row is a row of the sample's own tables. A
clone's neighbours are the same clone's copies of the original's neighbours, so borders stay within one copy of the
world. US occupation wages (OEWS, by SOC code) are not per country and are kept once; the buyers stay the sample's.

The reference lists that name countries (delivery locations, GDP-distorted countries) are extended with the clones
of the countries they name, so clones of delivery locations are delivery locations too.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl

from model.reference import ReferenceData

# Staging tables keyed by a country code in this column, and the tables taken as they are.
BY_COUNTRY = {
    "countries": "iso3",
    "earnings": "iso3",
    "exchange_rates": "iso3",
    "ppp_factors": "iso3",
    "gdp_per_capita": "iso3",
    "gdp": "iso3",
    "population": "iso3",
    "governance": "iso3",
    "average_wages": "iso3",
    "employer_costs": "iso3",
    "vendor_rate_observations": "country_iso3",
}
UNCHANGED = ["us_occupation_wages"]
TABLES = [*BY_COUNTRY, *UNCHANGED]
# Spread (standard deviation) of the jitter: of the logarithm for levels, additive for bounded scores and coordinates.
LEVEL_SIGMA = 0.1
PRICE_SIGMA = 0.05
GOVERNANCE_SIGMA = 0.1
SHARE_SIGMA_POINTS = 1.0
COORDINATE_SIGMA_DEGREES = 0.5


def read_sample(staging: Path) -> dict[str, pl.DataFrame]:
    """The sample's staging tables from a pipeline run's warehouse (`<warehouse>/staging`)."""
    missing = [name for name in TABLES if not (staging / name / f"{name}.parquet").exists()]
    if missing:
        raise SystemExit(
            f"{staging}: no staging table(s) {', '.join(missing)}; run the pipeline on the bundled sample first "
            "(python3 tasks.py pipeline) or point --staging at a warehouse's staging folder"
        )
    return {name: pl.read_parquet(staging / name / f"{name}.parquet") for name in TABLES}


def clone_codes(countries: pl.DataFrame, scale: int, seed: int) -> pl.DataFrame:
    """One row per (original country, clone): iso3, clone, code, and the clone's jitter factors, each drawn uniformly
    from a hash of the code (so the same seed gives the same inputs). Clone 0 is the original, unjittered."""
    clones = pl.DataFrame({"clone": list(range(scale))}, schema={"clone": pl.Int32})
    frame = countries.select("iso3").join(clones, how="cross").with_columns(code=_code(pl.col("iso3"), pl.col("clone")))
    original = pl.col("clone") == 0

    def draw(salt: int, spread: float, log: bool) -> pl.Expr:
        # Uniform on [-spread, spread] x sqrt(3): the standard deviation is `spread`.
        unit = pl.col("code").hash(seed + salt).cast(pl.Float64) / float(2**64)
        step = (2 * unit - 1) * spread * 3**0.5
        return pl.when(original).then(0.0).otherwise(step).pipe(lambda e: e.exp() if log else e)

    return frame.with_columns(
        level=draw(1, LEVEL_SIGMA, log=True),
        people=draw(2, LEVEL_SIGMA, log=True),
        price=draw(3, PRICE_SIGMA, log=True),
        governance=draw(4, GOVERNANCE_SIGMA, log=False),
        share=draw(5, SHARE_SIGMA_POINTS, log=False),
        lat=draw(6, COORDINATE_SIGMA_DEGREES, log=False),
        lon=draw(7, COORDINATE_SIGMA_DEGREES, log=False),
    )


def _code(code: pl.Expr, clone: pl.Expr) -> pl.Expr:
    """The clone's code: the original's for clone 0, else the original's followed by the clone's number."""
    return pl.when(clone == 0).then(code).otherwise(pl.concat_str(code, clone.cast(pl.String)))


def _cloned(frame: pl.DataFrame, key: str, clones: pl.DataFrame) -> pl.LazyFrame:
    """Every row once per clone of its country, the country column holding the clone's code."""
    return (
        frame.lazy()
        .join(clones.lazy(), left_on=key, right_on="iso3")
        .with_columns(pl.col("code").alias(key))
        .drop("code", strict=False)
    )


def _jittered(name: str, rows: pl.LazyFrame) -> pl.LazyFrame:
    """The table's values moved by its clone's factors: money by `level` (exchange rates and PPP factors by `price`,
    population by `people`), bounded figures by an additive step kept within their range."""
    level, price = pl.col("level"), pl.col("price")
    changes = {
        "countries": [
            (pl.col("capital_lat") + pl.col("lat")).clip(-90, 90).alias("capital_lat"),
            (pl.col("capital_lon") + pl.col("lon")).clip(-180, 180).alias("capital_lon"),
        ],
        "earnings": [
            pl.when(pl.col("currency_basis") == "LCU")
            .then(pl.col("monthly_earnings") * level * price)
            .otherwise(pl.col("monthly_earnings") * level)
        ],
        "exchange_rates": [pl.col("lcu_per_usd") * price],
        "ppp_factors": [pl.col("lcu_per_intl_dollar") * price],
        "gdp_per_capita": [pl.col("gdp_per_capita_usd") * level],
        "gdp": [pl.col("gdp_usd") * level * pl.col("people")],
        "population": [(pl.col("population") * pl.col("people")).round().cast(pl.Int64)],
        "governance": [(pl.col("value") + pl.col("governance")).clip(-2.5, 2.5)],
        "average_wages": [pl.col("annual_wage") * level],
        # A share of 0 is no measurement (model.oncosts passes it over) and stays one.
        "employer_costs": [
            pl.when(pl.col("employer_share_pct") > 0)
            .then((pl.col("employer_share_pct") + pl.col("share")).clip(0.01, 60.0))
            .otherwise("employer_share_pct")
        ],
        "vendor_rate_observations": [
            pl.col(column) * pl.when(pl.col("currency") == "USD").then(level).otherwise(level * price)
            for column in ("amount_low", "amount_high")
        ]
        + [pl.col("amount_low_usd") * level, pl.col("amount_high_usd") * level],
    }[name]
    return rows.with_columns(changes)


def _with_cloned_neighbours(countries: pl.LazyFrame) -> pl.LazyFrame:
    """Each neighbour replaced by the same clone's copy of it, so borders stay within one copy of the world."""
    borders = (
        countries.select("iso3", "clone", "neighbours")
        .explode("neighbours")
        .with_columns(neighbours=_code(pl.col("neighbours"), pl.col("clone")))
        .group_by("iso3", maintain_order=True)
        .agg(pl.col("neighbours").drop_nulls())
    )
    # A country without neighbours has an empty list, which exploding turned into nothing.
    return (
        countries.drop("neighbours")
        .join(borders, on="iso3", how="left", maintain_order="left")
        .with_columns(pl.col("neighbours").fill_null(pl.lit([], pl.List(pl.String))))
    )


def _renamed(name: str, rows: pl.LazyFrame) -> pl.LazyFrame:
    """What must stay unique or readable per clone: names, ISO2 codes, observation ids."""
    clone = pl.col("clone")
    if name == "countries":
        return rows.with_columns(
            iso2=_code(pl.col("iso2"), clone),
            name=pl.when(clone == 0).then("name").otherwise(pl.format("{} #{}", "name", clone)),
        )
    if name == "vendor_rate_observations":
        return rows.with_columns(observation_id=_code(pl.col("observation_id"), clone))
    return rows


def synthetic_staging(sample: dict[str, pl.DataFrame], scale: int, seed: int = 11) -> dict[str, pl.LazyFrame]:
    """The sample's staging tables at `scale` times its countries (lazy: each is written by streaming)."""
    if scale < 1:
        raise ValueError(f"scale must be at least 1, found {scale}")
    countries = sample["countries"]
    clones = clone_codes(countries, scale, seed)
    tables: dict[str, pl.LazyFrame] = {}
    for name, key in BY_COUNTRY.items():
        rows = _cloned(sample[name], key, clones)
        if name == "countries":
            rows = _with_cloned_neighbours(rows)
        rows = _renamed(name, _jittered(name, rows))
        tables[name] = rows.select(sample[name].columns)
    for name in UNCHANGED:
        tables[name] = sample[name].lazy()
    return tables


def synthetic_reference(reference: ReferenceData, scale: int) -> ReferenceData:
    """The reference data with the country lists extended to the clones of the countries they name."""
    extended = {}
    for field in ("delivery_locations", "gdp_distorted"):
        frame: pl.DataFrame = getattr(reference, field)
        clones = pl.DataFrame({"clone": list(range(scale))}, schema={"clone": pl.Int32})
        extended[field] = (
            frame.join(clones, how="cross").with_columns(iso3=_code(pl.col("iso3"), pl.col("clone"))).drop("clone")
        )
    return replace(reference, **extended)


def write_staging(tables: dict[str, pl.LazyFrame], folder: Path) -> dict[str, int]:
    """Each table to `<folder>/<table>.parquet`, streamed; returns the rows written per table."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = {}
    for name, frame in tables.items():
        path = folder / f"{name}.parquet"
        frame.sink_parquet(path)
        rows[name] = pl.scan_parquet(path).select(pl.len()).collect().item()
    return rows
