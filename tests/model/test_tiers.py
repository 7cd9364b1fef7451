"""Location tiers: each rule in its order, the limits exactly at and just past the thresholds, and the evidence columns.

The real countries are a small hand-made frame with the capitals and standard-time offsets of the staging table
(GeoNames), so the tests are fast and the expected numbers can be checked against an atlas. The threshold cases
use synthetic countries on the Greenwich meridian, where the haversine distance is exactly the latitude arc.
"""

import math
from pathlib import Path

import polars as pl
import pytest

from model.tiers import EARTH_RADIUS_KM, OUTPUT_SCHEMA, TierRules, location_tiers

LATAM = "Latin America & Caribbean"
EUROPE = "Europe & Central Asia"
# iso3, region, capital_lat, capital_lon, utc_offset_hours, neighbours (only those in this frame matter)
REAL = [
    ("USA", "North America", 38.89511, -77.03637, -5.0, ["CAN", "MEX", "CUB"]),
    ("CAN", "North America", 45.41117, -75.69812, -5.0, ["USA"]),
    ("MEX", LATAM, 19.42847, -99.12766, -6.0, ["GTM", "USA", "BLZ"]),
    ("COL", LATAM, 4.60971, -74.08175, -5.0, ["ECU", "PER", "PAN", "BRA", "VEN"]),
    ("BRA", LATAM, -15.77972, -47.92972, -3.0, ["COL", "ARG", "URY"]),
    ("GBR", EUROPE, 51.50853, -0.12574, 0.0, ["IRL"]),
    ("IRL", EUROPE, 53.33306, -6.24889, 0.0, ["GBR"]),
    ("FRA", EUROPE, 48.85341, 2.3488, 1.0, ["BEL", "DEU", "ESP"]),
    ("POL", EUROPE, 52.22977, 21.01178, 1.0, ["DEU", "CZE"]),
    ("ZAF", "Sub-Saharan Africa", -25.74486, 28.18783, 2.0, ["BWA", "NAM"]),
    ("IND", "South Asia", 28.62137, 77.2148, 5.5, ["CHN", "NPL"]),
    ("PHL", "East Asia & Pacific", 14.6042, 120.9822, 8.0, []),
    ("AUS", "East Asia & Pacific", -35.28346, 149.12807, 10.0, []),
    ("NZL", "East Asia & Pacific", -41.28664, 174.77557, 12.0, []),
]
NO_OVERRIDES = pl.DataFrame(schema={"buyer_iso3": pl.String, "region": pl.String, "tier": pl.String, "note": pl.String})
US_LATAM = pl.DataFrame(
    {"buyer_iso3": ["USA"], "region": [LATAM], "tier": ["nearshore"], "note": ["shared time zones"]}
)


def countries(rows=REAL) -> pl.DataFrame:
    return pl.DataFrame(
        [(iso3, iso3.title(), region, lat, lon, utc, neighbours) for iso3, region, lat, lon, utc, neighbours in rows],
        schema={
            "iso3": pl.String,
            "name": pl.String,
            "region": pl.String,
            "capital_lat": pl.Float64,
            "capital_lon": pl.Float64,
            "utc_offset_hours": pl.Float64,
            "neighbours": pl.List(pl.String),
        },
        orient="row",
    )


def overrides(*rows) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=NO_OVERRIDES.schema, orient="row")


def pair(tiers: pl.DataFrame, buyer: str, country: str) -> dict:
    row = tiers.filter(pl.col("buyer_iso3") == buyer, pl.col("country_iso3") == country)
    assert row.height == 1
    return row.row(0, named=True)


def real_tiers(buyers=("USA", "GBR", "AUS"), region_overrides=US_LATAM, rules=None) -> pl.DataFrame:
    return location_tiers(countries(), list(buyers), rules or TierRules(), region_overrides)


def latitude_at(km: float) -> float:
    """Latitude on the Greenwich meridian that lies `km` north of (0, 0)."""
    return math.degrees(km / EARTH_RADIUS_KM)


def synthetic(*places) -> pl.DataFrame:
    """Buyer AAA at (0, 0) on UTC, and delivery countries given as (iso3, km north of AAA, utc offset)."""
    rows = [("AAA", "Test", 0.0, 0.0, 0.0, [])]
    rows += [(iso3, "Test", latitude_at(km), 0.0, utc, []) for iso3, km, utc in places]
    return countries(rows)


def synthetic_pair(km: float, utc: float, rules=None) -> dict:
    return pair(location_tiers(synthetic(("BBB", km, utc)), ["AAA"], rules or TierRules(), NO_OVERRIDES), "AAA", "BBB")


# --- shape of the output ---------------------------------------------------------------------------------------------


def test_every_buyer_country_pair_appears_exactly_once_with_the_output_schema():
    tiers = real_tiers()
    assert tiers.schema == OUTPUT_SCHEMA
    assert tiers.height == 3 * len(REAL)
    assert not tiers.select(pl.struct("buyer_iso3", "country_iso3").is_duplicated().any()).item()
    assert tiers["tier"].is_in(["onshore", "nearshore", "offshore"]).all()
    assert tiers["tier_reason"].null_count() == 0


def test_a_buyer_listed_twice_still_gets_one_row_per_country():
    assert real_tiers(buyers=["USA", "USA"]).height == len(REAL)


def test_no_buyers_gives_an_empty_frame_with_the_output_schema():
    tiers = real_tiers(buyers=[])
    assert tiers.is_empty() and tiers.schema == OUTPUT_SCHEMA


def test_distance_is_symmetric_and_the_time_difference_changes_sign():
    every = [iso3 for iso3, *_ in REAL]
    tiers = location_tiers(countries(), every, TierRules(), NO_OVERRIDES)
    mirrored = tiers.join(
        tiers, left_on=["buyer_iso3", "country_iso3"], right_on=["country_iso3", "buyer_iso3"], suffix="_back"
    )
    assert mirrored.height == len(every) ** 2
    assert (mirrored["distance_km"] - mirrored["distance_km_back"]).abs().max() < 1e-9
    assert (mirrored["utc_offset_diff_h"] + mirrored["utc_offset_diff_h_back"]).abs().max() == 0
    assert (mirrored["overlap_hours"] == mirrored["overlap_hours_back"]).all()


def test_distances_match_the_atlas():
    tiers = real_tiers()
    assert pair(tiers, "GBR", "FRA")["distance_km"] == pytest.approx(344, abs=1)  # London-Paris
    assert pair(tiers, "USA", "MEX")["distance_km"] == pytest.approx(3031, abs=2)  # Washington-Mexico City
    assert pair(tiers, "AUS", "NZL")["distance_km"] == pytest.approx(2326, abs=2)  # Canberra-Wellington


# --- rule 1: onshore -------------------------------------------------------------------------------------------------


def test_the_buyer_itself_is_onshore_no_distance_and_no_time_apart():
    row = pair(real_tiers(), "USA", "USA")
    assert row["tier"] == "onshore" and row["tier_reason"] == "same country"
    assert (row["distance_km"], row["utc_offset_diff_h"], row["overlap_hours"]) == (0.0, 0.0, 8.0)
    assert row["shares_border"] is False


def test_a_buyer_without_coordinates_or_time_zone_is_still_onshore_at_zero():
    frame = countries([("AAA", "Test", None, None, None, [])])
    row = pair(location_tiers(frame, ["AAA"], TierRules(), NO_OVERRIDES), "AAA", "AAA")
    assert row["tier"] == "onshore" and row["distance_km"] == 0.0 and row["overlap_hours"] == 8.0


# --- rule 2: a land border -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("buyer", "country"), [("USA", "MEX"), ("USA", "CAN"), ("GBR", "IRL")])
def test_land_neighbours_are_nearshore(buyer, country):
    row = pair(real_tiers(), buyer, country)
    assert row["tier"] == "nearshore" and row["shares_border"] is True
    assert row["tier_reason"] == f"shares a land border with {buyer}"


def test_a_border_listed_by_one_side_only_counts_however_far_the_capitals():
    frame = countries([("AAA", "Test", 0.0, 0.0, 0.0, []), ("FAR", "Test", latitude_at(9000), 0.0, 10.0, ["AAA"])])
    row = pair(location_tiers(frame, ["AAA"], TierRules(), NO_OVERRIDES), "AAA", "FAR")
    assert row["tier"] == "nearshore" and row["shares_border"] is True
    assert row["tier_reason"] == "shares a land border with AAA"


def test_a_border_wins_over_a_region_override():
    row = pair(real_tiers(region_overrides=overrides(("USA", LATAM, "offshore", None))), "USA", "MEX")
    assert row["tier"] == "nearshore" and row["tier_reason"] == "shares a land border with USA"


def test_a_neighbour_without_coordinates_is_nearshore_with_unknown_distance():
    frame = countries([("AAA", "Test", 0.0, 0.0, 0.0, ["NBR"]), ("NBR", "Test", None, None, None, [])])
    row = pair(location_tiers(frame, ["AAA"], TierRules(), NO_OVERRIDES), "AAA", "NBR")
    assert row["tier"] == "nearshore" and row["distance_km"] is None and row["overlap_hours"] is None


# --- rule 3: region overrides ----------------------------------------------------------------------------------------


def test_a_region_override_makes_far_latin_america_nearshore_for_the_usa():
    tiers = real_tiers()
    brazil = pair(tiers, "USA", "BRA")
    assert brazil["distance_km"] > 6000 and brazil["tier"] == "nearshore"
    assert brazil["tier_reason"] == f"region override: {LATAM} is nearshore for USA (shared time zones)"
    # The override comes before distance: Colombia (3,824 km, same time) is nearshore by the override.
    assert pair(tiers, "USA", "COL")["tier_reason"].startswith("region override:")


def test_the_override_is_for_its_buyer_only():
    tiers = real_tiers()
    assert pair(tiers, "GBR", "BRA")["tier"] == "offshore"
    assert pair(tiers, "AUS", "COL")["tier"] == "offshore"


def test_a_region_override_can_make_close_countries_offshore():
    tiers = real_tiers(region_overrides=overrides(("GBR", EUROPE, "offshore", None)))
    france = pair(tiers, "GBR", "FRA")
    assert france["tier"] == "offshore"
    assert france["tier_reason"] == f"region override: {EUROPE} is offshore for GBR"  # no note, no brackets
    assert pair(tiers, "GBR", "IRL")["tier"] == "nearshore"  # the border still comes first
    assert pair(tiers, "GBR", "GBR")["tier"] == "onshore"


def test_an_override_for_a_buyer_not_asked_for_is_unused():
    unused = overrides(("CAN", LATAM, "offshore", "not asked"), ("DEU", EUROPE, "offshore", None))
    assert real_tiers(region_overrides=unused).equals(real_tiers(region_overrides=NO_OVERRIDES))


def test_overrides_with_a_repeated_key_or_an_unknown_tier_are_refused():
    with pytest.raises(ValueError, match="USA/Latin America"):
        real_tiers(region_overrides=overrides(("USA", LATAM, "nearshore", None), ("USA", LATAM, "offshore", None)))
    with pytest.raises(ValueError, match="onshore"):
        real_tiers(region_overrides=overrides(("USA", LATAM, "onshore", None)))


# --- rule 4: distance and time zone, at and past the limits -----------------------------------------------------------


def test_exactly_at_both_limits_is_nearshore():
    row = synthetic_pair(4000.0, 3.0)
    assert row["distance_km"] == pytest.approx(4000.0, abs=1e-9)
    assert row["tier"] == "nearshore"
    assert row["tier_reason"] == "capitals 4,000 km apart (<= 4,000 km) and 3.0 h apart (<= 3 h)"


def test_exactly_the_limit_as_computed_is_nearshore():
    """Inclusive at the float the model itself computes, whatever the last bit of the arc."""
    distance = synthetic_pair(2500.0, 0.0)["distance_km"]
    assert synthetic_pair(2500.0, 0.0, TierRules(nearshore_max_distance_km=distance))["tier"] == "nearshore"


def test_a_metre_past_the_distance_limit_is_offshore_and_says_so():
    row = synthetic_pair(4000.001, 0.0)
    assert row["tier"] == "offshore"
    # Rounded up, so the sentence does not read "4,000 km apart (> 4,000 km)".
    assert row["tier_reason"] == "capitals 4,001 km apart (> 4,000 km)"


def test_a_metre_inside_the_distance_limit_is_nearshore():
    row = synthetic_pair(3999.999, 0.0)
    assert row["tier"] == "nearshore"
    assert row["tier_reason"] == "capitals 4,000 km apart (<= 4,000 km) and 0.0 h apart (<= 3 h)"


@pytest.mark.parametrize("utc", [3.0, -3.0])
def test_three_hours_ahead_or_behind_is_within_the_limit(utc):
    assert synthetic_pair(1000.0, utc)["tier"] == "nearshore"


def test_a_quarter_hour_past_the_time_limit_is_offshore():
    row = synthetic_pair(1000.0, -3.25)
    assert row["tier"] == "offshore" and row["utc_offset_diff_h"] == -3.25
    assert row["tier_reason"] == "capitals 1,000 km apart but 3.25 h apart (> 3 h)"


def test_near_but_in_the_wrong_time_zone_is_offshore():
    row = synthetic_pair(1500.0, 5.0)
    assert row["tier"] == "offshore" and row["tier_reason"] == "capitals 1,500 km apart but 5.0 h apart (> 3 h)"


def test_far_but_in_a_close_time_zone_is_offshore_by_distance():
    row = pair(real_tiers(), "GBR", "ZAF")
    assert row["distance_km"] == pytest.approx(9025, abs=5) and row["utc_offset_diff_h"] == 2.0
    assert row["tier"] == "offshore" and row["tier_reason"] == "capitals 9,025 km apart (> 4,000 km)"


def test_far_and_in_another_time_zone_gives_both_numbers():
    row = pair(real_tiers(), "USA", "IND")
    assert row["tier"] == "offshore"
    assert row["tier_reason"] == "capitals 12,046 km apart (> 4,000 km) and 10.5 h apart (> 3 h)"


def test_real_pairs_by_distance_and_time():
    tiers = real_tiers()
    expected = {
        ("USA", "PHL"): "offshore",
        ("GBR", "POL"): "nearshore",
        ("GBR", "IND"): "offshore",
        ("AUS", "NZL"): "nearshore",
        ("AUS", "PHL"): "offshore",
    }
    assert {key: pair(tiers, *key)["tier"] for key in expected} == expected


def test_the_rules_move_the_limits():
    rules = TierRules(nearshore_max_distance_km=7000.0, nearshore_max_utc_diff_h=6.0)
    row = pair(real_tiers(rules=rules), "GBR", "IND")
    assert row["tier"] == "nearshore"
    assert row["tier_reason"] == "capitals 6,711 km apart (<= 7,000 km) and 5.5 h apart (<= 6 h)"


# --- missing evidence ------------------------------------------------------------------------------------------------


def test_missing_coordinates_and_time_zone_without_a_border_is_offshore():
    frame = countries([("AAA", "Test", 0.0, 0.0, 0.0, []), ("NUL", "Test", None, None, None, [])])
    row = pair(location_tiers(frame, ["AAA"], TierRules(), NO_OVERRIDES), "AAA", "NUL")
    assert row["tier"] == "offshore"
    assert (row["distance_km"], row["utc_offset_diff_h"], row["overlap_hours"]) == (None, None, None)
    assert row["tier_reason"] == "no capital coordinates or time zone, and no shared border"


def test_missing_coordinates_alone_is_offshore_and_says_which():
    frame = countries([("AAA", "Test", 0.0, 0.0, 0.0, []), ("NUL", "Test", None, None, 1.0, [])])
    row = pair(location_tiers(frame, ["AAA"], TierRules(), NO_OVERRIDES), "AAA", "NUL")
    assert row["tier"] == "offshore" and row["overlap_hours"] == 7.0
    assert row["tier_reason"].startswith("no capital coordinates to measure the distance (1.0 h apart)")


def test_missing_time_zone_alone_is_offshore_and_says_which():
    frame = countries([("AAA", "Test", 0.0, 0.0, 0.0, []), ("NUL", "Test", latitude_at(500), 0.0, None, [])])
    row = pair(location_tiers(frame, ["AAA"], TierRules(), NO_OVERRIDES), "AAA", "NUL")
    assert row["tier"] == "offshore" and row["utc_offset_diff_h"] is None and row["overlap_hours"] is None
    assert row["tier_reason"] == "capitals 500 km apart but no time zone to compare, and no shared border"


def test_a_country_without_a_region_gets_no_override():
    frame = countries([("USA", "North America", 38.9, -77.0, -5.0, []), ("XXR", None, -15.8, -47.9, -3.0, [])])
    row = pair(location_tiers(frame, ["USA"], TierRules(), US_LATAM), "USA", "XXR")
    assert row["tier"] == "offshore"


# --- overlap hours ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("utc", "overlap"),
    [(0.0, 8.0), (3.0, 5.0), (-3.0, 5.0), (5.5, 2.5), (8.0, 0.0), (9.0, 0.0), (13.0, 0.0), (17.0, 1.0), (-20.0, 4.0)],
)
def test_overlap_hours_of_two_nine_to_five_days(utc, overlap):
    assert synthetic_pair(1000.0, utc)["overlap_hours"] == overlap


def test_a_day_17_hours_ahead_overlaps_the_end_of_the_previous_day():
    """Washington Monday 16:00-17:00 is Wellington Tuesday 09:00-10:00 (standard time in both)."""
    row = location_tiers(countries(), ["USA"], TierRules(), NO_OVERRIDES).filter(pl.col("country_iso3") == "NZL")
    assert row["utc_offset_diff_h"].item() == 17.0 and row["overlap_hours"].item() == 1.0


def test_overlap_follows_the_business_day_in_the_rules():
    rules = TierRules(business_day_start_h=8.0, business_day_end_h=18.0)
    assert synthetic_pair(1000.0, 3.0, rules)["overlap_hours"] == 7.0


# --- inputs that are refused -----------------------------------------------------------------------------------------


def test_a_buyer_missing_from_countries_is_named():
    with pytest.raises(ValueError, match="XXX, ZZZ"):
        real_tiers(buyers=["USA", "XXX", "ZZZ"])


def test_a_country_listed_twice_is_refused():
    with pytest.raises(ValueError, match="more than once: GBR"):
        location_tiers(countries(REAL + REAL[5:6]), ["USA"], TierRules(), NO_OVERRIDES)


def rules_frame(**values) -> pl.DataFrame:
    return pl.DataFrame({"parameter": list(values), "value": [float(v) for v in values.values()]})


DEFAULTS = {
    "nearshore_max_distance_km": 4000,
    "nearshore_max_utc_diff_h": 3,
    "business_day_start_h": 9,
    "business_day_end_h": 17,
}


def test_rules_are_read_from_a_parameter_frame_in_any_order():
    reordered = dict(reversed(list((DEFAULTS | {"nearshore_max_distance_km": 5000}).items())))
    assert TierRules.from_frame(rules_frame(**reordered)) == TierRules(nearshore_max_distance_km=5000.0)


def test_the_reference_file_gives_the_default_rules():
    path = Path(__file__).resolve().parents[2] / "reference" / "tier_rules.csv"
    frame = pl.read_csv(path).select("parameter", pl.col("value").cast(pl.Float64))
    assert TierRules.from_frame(frame) == TierRules()


def test_unknown_rule_parameters_are_named():
    with pytest.raises(ValueError, match="unknown parameters: max_flight_hours"):
        TierRules.from_frame(rules_frame(**DEFAULTS, max_flight_hours=6))


def test_missing_rule_parameters_are_named():
    partial = {k: v for k, v in DEFAULTS.items() if not k.startswith("business")}
    with pytest.raises(ValueError, match="missing parameters: business_day_end_h, business_day_start_h"):
        TierRules.from_frame(rules_frame(**partial))


def test_negative_rule_parameters_are_named():
    with pytest.raises(ValueError, match="negative: nearshore_max_utc_diff_h"):
        TierRules.from_frame(rules_frame(**DEFAULTS | {"nearshore_max_utc_diff_h": -1}))


def test_repeated_or_empty_rule_parameters_are_refused():
    doubled = pl.concat([rules_frame(**DEFAULTS), rules_frame(business_day_end_h=18)])
    with pytest.raises(ValueError, match="more than once: business_day_end_h"):
        TierRules.from_frame(doubled)
    empty = rules_frame(**DEFAULTS).with_columns(
        pl.when(pl.col("parameter") == "business_day_start_h").then(None).otherwise(pl.col("value")).alias("value")
    )
    with pytest.raises(ValueError, match="without a value: business_day_start_h"):
        TierRules.from_frame(empty)


def test_a_business_day_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="business_day_start_h must be before business_day_end_h"):
        TierRules(business_day_start_h=17.0, business_day_end_h=9.0)
