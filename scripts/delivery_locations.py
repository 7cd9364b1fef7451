"""Write reference/delivery_locations.csv: the countries a buyer can outsource to, each with its evidence.

python scripts/delivery_locations.py          # rewrite the seed-derived rows from the bundled seed
python scripts/delivery_locations.py --check  # exit 1 if the file is out of date (the test suite runs this)

The rule, on data the project holds: a country is a delivery location when the seed of public market observations
(data/sample/vendor_seed: vendor rates and the pay of outsourcing staff, each row citing its page) holds at least one
observation of outsourced work delivered from it. A page about a country's outsourcing market is evidence that the
market exists, whatever its figure is worth. Rows whose `basis` is not `seed` (for example a location added on the
evidence of a cited public ranking) are kept as they are.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from sources.vendor_seed import parse_observations  # noqa: E402

SEED = PROJECT / "data" / "sample" / "vendor_seed"
TARGET = PROJECT / "reference" / "delivery_locations.csv"
COLUMNS = ["iso3", "basis", "vendor_rates", "wage_observations", "pages", "years", "evidence"]


def seed_rows() -> pl.DataFrame:
    seed = pl.concat(
        parse_observations(path.read_bytes(), path.name).with_columns(is_wage=pl.lit(path.stem.startswith("wage")))
        for path in sorted(SEED.glob("*.csv"))
    )
    return (
        seed.group_by(pl.col("country_iso3").alias("iso3"))
        .agg(
            vendor_rates=(~pl.col("is_wage")).sum(),
            wage_observations=pl.col("is_wage").sum(),
            pages=pl.col("url").n_unique(),
            first=pl.col("reference_year").min(),
            last=pl.col("reference_year").max(),
            undated=pl.col("reference_year").is_null().sum(),
            names=pl.col("source_name").unique().sort().head(3).str.join("; "),
        )
        .select(
            "iso3",
            pl.lit("seed").alias("basis"),
            "vendor_rates",
            "wage_observations",
            "pages",
            pl.format("{}-{} ({} undated)", "first", "last", "undated").alias("years"),
            pl.format(
                "{} vendor rate(s) and {} pay observation(s) of outsourced work on {} public page(s), e.g. {}",
                "vendor_rates",
                "wage_observations",
                "pages",
                "names",
            ).alias("evidence"),
        )
    )


def updated() -> str:
    rows = seed_rows()
    if TARGET.exists():
        kept = pl.read_csv(TARGET, infer_schema=False).filter(pl.col("basis") != "seed")
        rows = pl.concat([rows.cast(pl.String), kept.select(COLUMNS)])
    return rows.sort("iso3").write_csv()


def main() -> int:
    if "--check" in sys.argv:
        return 0 if TARGET.exists() and TARGET.read_text() == updated() else 1
    TARGET.write_text(updated())
    return 0


if __name__ == "__main__":
    sys.exit(main())
