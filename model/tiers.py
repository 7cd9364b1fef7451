"""Location tiers: whether a delivery country is onshore, nearshore or offshore for a buyer country.

A benchmark that says "nearshore costs X" is only as good as the reader's ability to check which countries were
counted as nearshore and why. So every buyer x country pair gets its tier together with the evidence (distance
between capitals, time-zone difference, business-hours overlap, shared border) and a sentence that states the rule
that decided it, with the numbers.

Rules, first match wins:
1. onshore   - the delivery country is the buyer.
2. nearshore - the two share a land border (a neighbour is nearshore however far apart the capitals are).
3. override  - an analyst's region override for this buyer (e.g. Latin America is nearshore for the USA) decides,
               either way: a region can be made nearshore or offshore.
4. nearshore - capitals within the distance limit AND standard-time offsets within the time-zone limit.
5. offshore  - everything else, including pairs whose distance or time difference is unknown: nearshore is a claim
               about proximity, and without the evidence it is not made.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

import polars as pl

from schemas.vocabulary import OVERRIDE_TIERS

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius, the usual choice for great-circle distances
HOURS_PER_DAY = 24.0
OUTPUT_SCHEMA = pl.Schema(
    {
        "buyer_iso3": pl.String,
        "country_iso3": pl.String,
        "tier": pl.String,
        "distance_km": pl.Float64,
        "utc_offset_diff_h": pl.Float64,
        "overlap_hours": pl.Float64,
        "shares_border": pl.Boolean,
        "tier_reason": pl.String,
    }
)


@dataclass(frozen=True)
class TierRules:
    """The thresholds behind the tiers, kept in reference/tier_rules.csv so an analyst can question and change them."""

    nearshore_max_distance_km: float = 4000.0
    nearshore_max_utc_diff_h: float = 3.0
    business_day_start_h: float = 9.0
    business_day_end_h: float = 17.0

    def __post_init__(self) -> None:
        negative = [f.name for f in fields(self) if getattr(self, f.name) < 0]
        if negative:
            raise ValueError(f"tier rules must not be negative: {', '.join(negative)}")
        if not self.business_day_start_h < self.business_day_end_h <= HOURS_PER_DAY:
            raise ValueError(
                "tier rules: business_day_start_h must be before business_day_end_h, which must be at most 24 "
                f"(found {self.business_day_start_h:g} and {self.business_day_end_h:g})"
            )

    @property
    def business_day_hours(self) -> float:
        return self.business_day_end_h - self.business_day_start_h

    @classmethod
    def from_frame(cls, frame: pl.DataFrame) -> TierRules:
        """Read rules from a (parameter: str, value: float) frame; every parameter exactly once, nothing else.

        Missing parameters are refused rather than defaulted, so a row deleted from the file cannot silently change
        the benchmark.
        """
        expected = {f.name for f in fields(cls)}
        names = frame["parameter"].to_list()
        problems = []
        if unknown := sorted(set(names) - expected):
            problems.append(f"unknown parameters: {', '.join(map(str, unknown))}")
        if missing := sorted(expected - set(names)):
            problems.append(f"missing parameters: {', '.join(missing)}")
        if repeated := sorted(frame.filter(pl.col("parameter").is_duplicated())["parameter"].unique().to_list()):
            problems.append(f"parameters given more than once: {', '.join(repeated)}")
        if empty := sorted(frame.filter(pl.col("value").is_null())["parameter"].to_list()):
            problems.append(f"parameters without a value: {', '.join(empty)}")
        if problems:
            raise ValueError("tier rules: " + "; ".join(problems))
        return cls(**dict(zip(names, (float(value) for value in frame["value"]), strict=True)))


def location_tiers(
    countries: pl.DataFrame, buyers: list[str], rules: TierRules, region_overrides: pl.DataFrame
) -> pl.DataFrame:
    """One row per (buyer, delivery country) for every buyer and every country, the buyer itself included.

    countries is the staging table (iso3, region, capital_lat, capital_lon, utc_offset_hours, neighbours);
    region_overrides has buyer_iso3, region, tier and note. Output columns are those of OUTPUT_SCHEMA.
    """
    buyers = list(dict.fromkeys(buyers))  # a buyer listed twice would duplicate its pairs
    _check_countries(countries, buyers)
    overrides = _checked_overrides(region_overrides)
    pairs = (
        _buyer_side(countries, buyers)
        .join(_country_side(countries), how="cross")
        .join(overrides, on=["buyer_iso3", "region"], how="left")
        .with_columns(_distance_km(), _utc_offset_diff_h(), _shares_border())
    )
    return (
        pairs.with_columns(_tier(rules), _tier_reason(rules))
        .with_columns(_onshore_evidence())
        .with_columns(overlap_hours=_overlap_hours(rules))
        .select(OUTPUT_SCHEMA.names())
        .cast(dict(OUTPUT_SCHEMA))
        .sort("buyer_iso3", "country_iso3")
    )


def _check_countries(countries: pl.DataFrame, buyers: list[str]) -> None:
    """Refuse inputs that would silently break one-row-per-pair or leave a buyer without rows."""
    repeated = countries.filter(pl.col("iso3").is_duplicated())["iso3"].unique().sort().to_list()
    if repeated:
        raise ValueError(f"countries: iso3 appears more than once: {', '.join(repeated)}")
    known = set(countries["iso3"].to_list())
    absent = [buyer for buyer in buyers if buyer not in known]
    if absent:
        raise ValueError(f"buyers not found in countries: {', '.join(absent)}")


def _checked_overrides(region_overrides: pl.DataFrame) -> pl.DataFrame:
    """Overrides keyed by (buyer, region); a repeated key would duplicate pairs, an unknown tier would leak out."""
    overrides = region_overrides.select(
        "buyer_iso3", "region", pl.col("tier").alias("override_tier"), pl.col("note").alias("override_note")
    )
    repeated = overrides.filter(pl.struct("buyer_iso3", "region").is_duplicated())
    if not repeated.is_empty():
        keys = sorted({f"{buyer}/{region}" for buyer, region in repeated.select("buyer_iso3", "region").iter_rows()})
        raise ValueError(f"region overrides: more than one row for {', '.join(keys)}")
    wrong = overrides.filter(~pl.col("override_tier").is_in(OVERRIDE_TIERS))["override_tier"].unique().to_list()
    if wrong:
        raise ValueError(f"region overrides: tier must be nearshore or offshore, found {wrong}")
    return overrides


def _buyer_side(countries: pl.DataFrame, buyers: list[str]) -> pl.DataFrame:
    return (
        pl.DataFrame({"buyer_iso3": buyers}, schema={"buyer_iso3": pl.String})
        .join(countries, left_on="buyer_iso3", right_on="iso3", how="left", maintain_order="left")
        .select(
            "buyer_iso3",
            pl.col("capital_lat").alias("buyer_lat"),
            pl.col("capital_lon").alias("buyer_lon"),
            pl.col("utc_offset_hours").alias("buyer_utc_offset"),
            pl.col("neighbours").alias("buyer_neighbours"),
        )
    )


def _country_side(countries: pl.DataFrame) -> pl.DataFrame:
    return countries.select(
        pl.col("iso3").alias("country_iso3"),
        "region",
        pl.col("capital_lat").alias("country_lat"),
        pl.col("capital_lon").alias("country_lon"),
        pl.col("utc_offset_hours").alias("country_utc_offset"),
        pl.col("neighbours").alias("country_neighbours"),
    )


def _distance_km() -> pl.Expr:
    """Great-circle (haversine) distance between the capitals; null when either has no coordinates."""
    lat1, lat2 = pl.col("buyer_lat").radians(), pl.col("country_lat").radians()
    half_dlat = (lat2 - lat1) / 2
    half_dlon = (pl.col("country_lon").radians() - pl.col("buyer_lon").radians()) / 2
    a = half_dlat.sin().pow(2) + lat1.cos() * lat2.cos() * half_dlon.sin().pow(2)
    # Rounding can push a a hair above 1 for near-antipodal capitals, where arcsin is undefined.
    return (2 * EARTH_RADIUS_KM * a.clip(upper_bound=1.0).sqrt().arcsin()).alias("distance_km")


def _utc_offset_diff_h() -> pl.Expr:
    """Signed: positive when the delivery country's clock is ahead of the buyer's."""
    return (pl.col("country_utc_offset") - pl.col("buyer_utc_offset")).alias("utc_offset_diff_h")


def _shares_border() -> pl.Expr:
    """Either side listing the other counts, so a one-sided border list in the source still makes neighbours."""
    buyer_lists = pl.col("buyer_neighbours").list.contains(pl.col("country_iso3")).fill_null(False)
    country_lists = pl.col("country_neighbours").list.contains(pl.col("buyer_iso3")).fill_null(False)
    return (buyer_lists | country_lists).alias("shares_border")


def _is_close(rules: TierRules) -> tuple[pl.Expr, pl.Expr]:
    """Whether the capitals are within the distance and time limits; null when the measure is unknown."""
    near = pl.col("distance_km") <= rules.nearshore_max_distance_km
    same_hours = pl.col("utc_offset_diff_h").abs() <= rules.nearshore_max_utc_diff_h
    return near, same_hours


def _tier(rules: TierRules) -> pl.Expr:
    near, same_hours = _is_close(rules)
    return (
        pl.when(pl.col("country_iso3") == pl.col("buyer_iso3"))
        .then(pl.lit("onshore"))
        .when(pl.col("shares_border"))
        .then(pl.lit("nearshore"))
        .when(pl.col("override_tier").is_not_null())
        .then(pl.col("override_tier"))
        .when((near & same_hours).fill_null(False))
        .then(pl.lit("nearshore"))
        .otherwise(pl.lit("offshore"))
        .alias("tier")
    )


def _tier_reason(rules: TierRules) -> pl.Expr:
    """The sentence a reader sees next to the tier; its branches mirror _tier one for one."""
    near, same_hours = _is_close(rules)
    km, within_km, beyond_km = (_km_text(_shown_km(rules, side)) for side in ("any", "within", "beyond"))
    hours = _hours_text(pl.col("utc_offset_diff_h"))
    max_km = f"{_number(rules.nearshore_max_distance_km)} km"
    max_h = f"{_number(rules.nearshore_max_utc_diff_h)} h"
    has_distance, has_hours = pl.col("distance_km").is_not_null(), pl.col("utc_offset_diff_h").is_not_null()
    return (
        pl.when(pl.col("country_iso3") == pl.col("buyer_iso3"))
        .then(pl.lit("same country"))
        .when(pl.col("shares_border"))
        .then(pl.format("shares a land border with {}", pl.col("buyer_iso3")))
        .when(pl.col("override_tier").is_not_null())
        .then(
            pl.format(
                "region override: {} is {} for {}{}",
                pl.col("region"),
                pl.col("override_tier"),
                pl.col("buyer_iso3"),
                pl.when(pl.col("override_note").fill_null("") != "")
                .then(pl.format(" ({})", pl.col("override_note")))
                .otherwise(pl.lit("")),
            )
        )
        .when(~has_distance & ~has_hours)
        .then(pl.lit("no capital coordinates or time zone, and no shared border"))
        .when(~has_distance)
        .then(pl.format("no capital coordinates to measure the distance ({} h apart), and no shared border", hours))
        .when(~has_hours)
        .then(pl.format("capitals {} km apart but no time zone to compare, and no shared border", km))
        .when(near & same_hours)
        .then(
            pl.format(
                "capitals {} km apart (<= {}) and {} h apart (<= {})", within_km, pl.lit(max_km), hours, pl.lit(max_h)
            )
        )
        .when(near)
        .then(pl.format("capitals {} km apart but {} h apart (> {})", within_km, hours, pl.lit(max_h)))
        .when(same_hours)
        .then(pl.format("capitals {} km apart (> {})", beyond_km, pl.lit(max_km)))
        .otherwise(
            pl.format(
                "capitals {} km apart (> {}) and {} h apart (> {})", beyond_km, pl.lit(max_km), hours, pl.lit(max_h)
            )
        )
        .alias("tier_reason")
    )


def _onshore_evidence() -> tuple[pl.Expr, pl.Expr]:
    """The buyer to itself is no distance and no time apart, even if its capital or time zone is unknown."""
    onshore = pl.col("tier") == "onshore"
    return (
        pl.when(onshore).then(pl.lit(0.0)).otherwise(pl.col("distance_km")).alias("distance_km"),
        pl.when(onshore).then(pl.lit(0.0)).otherwise(pl.col("utc_offset_diff_h")).alias("utc_offset_diff_h"),
    )


def _overlap_hours(rules: TierRules) -> pl.Expr:
    """Hours both business days run at once: max(0, day length - time difference).

    The difference is taken round the 24-hour clock, because a business day 17 h ahead is also 7 h behind on the
    next calendar day: Washington's 16:00-17:00 on Monday is Wellington's 09:00-10:00 on Tuesday. This only differs
    from the plain |difference| when it exceeds 24 - day length (16 h for a 9-to-5 day).
    """
    apart = pl.col("utc_offset_diff_h").abs() % HOURS_PER_DAY
    around_the_clock = pl.min_horizontal(apart, HOURS_PER_DAY - apart)
    return (pl.lit(rules.business_day_hours) - around_the_clock).clip(lower_bound=0.0)


def _shown_km(rules: TierRules, side: Literal["any", "within", "beyond"]) -> pl.Expr:
    """Whole kilometres, rounded the way that keeps the sentence true next to the limit.

    4,000.001 km rounds to 4,000, which would read "4,000 km apart (> 4,000 km)"; on the far side of the limit it is
    shown rounded up instead, and on the near side rounded down.
    """
    km, limit = pl.col("distance_km"), rules.nearshore_max_distance_km
    rounded = km.round(0)
    if side == "within":
        return pl.when(rounded <= limit).then(rounded).otherwise(km.floor())
    if side == "beyond":
        return pl.when(rounded > limit).then(rounded).otherwise(km.ceil())
    return rounded


def _km_text(km: pl.Expr) -> pl.Expr:
    """Whole kilometres with thousands separators (polars has no format spec, so group the reversed digits)."""
    digits = km.cast(pl.Int64).cast(pl.String)
    return digits.str.reverse().str.replace_all(r"(\d{3})", "${1},").str.reverse().str.strip_chars_start(",")


def _hours_text(diff: pl.Expr) -> pl.Expr:
    """Absolute difference, keeping quarter hours such as Nepal's 5.75 readable ('10.75', '1.0')."""
    return diff.abs().round(2).cast(pl.String)


def _number(value: float) -> str:
    """Thresholds as written in the rules file: '4,000', '3', '2.5'."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
