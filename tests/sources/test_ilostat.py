"""Tests for sources.ilostat: small hand-built inputs for every layout, plus the real files when present."""

from __future__ import annotations

import gzip

import polars as pl
import pytest

from sources.errors import SourceFormatError
from sources.ilostat import (
    OUTPUT_SCHEMA,
    SOURCE,
    parse_dictionary,
    parse_earnings,
)

# /work/main is checked out beside /work/shared.
from tests.shared_data import RAW, needs_shared_raw

ILOSTAT = RAW / "ilostat"

DDF_FILE = (
    "ddf--datapoints--ear_4mth_sex_ocu_cur_nb--by--ref_area--sex--classif1--classif2--time.SUBSET-sex_t-isco08.csv"
)
GEO_FILE = "EAR_4MTH_SEX_GEO_CUR_NB_A-filtered-2025-06-01.csv"

# The explorer export spells these differently from the mid-2024 bulk dictionaries.
LABEL_ALIASES = pl.DataFrame(
    {
        "dimension": ["ref_area", "sex", "sex", "sex", "sex", "classif2"],
        "label": ["Côte d'Ivoire", "Total", "Male", "Female", "Other", "Currency: 2021 PPP $"],
        "code": ["CIV", "SEX_T", "SEX_M", "SEX_F", "SEX_O", "CUR_TYPE_PPP"],
    }
)

BOM = "\ufeff"

CODED_HEADER = (
    "ref_area,source,indicator,sex,classif1,classif2,time,obs_value,obs_status,note_classif,note_indicator,note_source"
)
CODED_CSV = "\n".join(
    [
        CODED_HEADER,
        'PHL,BA:5,EAR_4MTH_SEX_OCU_CUR_NB_A,SEX_T,OCU_ISCO08_4,CUR_TYPE_USD,2018,313.44,,,"T30:1",R1:2382',
        "PHL,BA:5,EAR_4MTH_SEX_OCU_CUR_NB_A,SEX_T,OCU_ISCO08_4,CUR_TYPE_LCU,2018,16000,B,,,",
        "PHL,BA:5,EAR_4MTH_SEX_OCU_CUR_NB_A,SEX_T,OCU_ISCO08_4,CUR_TYPE_PPP,2018,,,,,",
        "IND,XX:999,EAR_4MTH_SEX_OCU_CUR_NB_A,SEX_M,OCU_ISCO08_TOTAL,CUR_TYPE_USD,2019,abc,,,,",
        "IND,XX:999,EAR_4MTH_SEX_OCU_CUR_NB_A,SEX_M,OCU_ISCO08_TOTAL,CUR_TYPE_LCU,2019M01,12.5,,,,",
        "",  # ILOSTAT ends every file with a line end
    ]
).encode()

LABELLED_HEADER = (
    '"ref_area.label","source.label","indicator.label","sex.label","classif1.label","classif2.label",'
    '"time","obs_value","obs_status.label","note_indicator.label","note_source.label"'
)


def labelled_csv(*rows: str) -> bytes:
    return (BOM + "\n".join([LABELLED_HEADER, *rows]) + "\n").encode()


LABELLED_ROW_PHL = (
    '"Philippines","LFS - Labour Force Survey","Average monthly earnings","Sex: Total",'
    '"Occupation (ISCO-08): 4. Clerical support workers","Currency: U.S. dollars","2018",313.44,"","",""'
)
LABELLED_ROW_NARNIA = (
    '"Narnia","LFS - Labour Force Survey","Average monthly earnings","Sex: Total",'
    '"Occupation (ISCO-08): 4. Clerical support workers","Currency: 2021 PPP $","2018",100,"Break in series","",""'
)


def dictionary(code_column: str, pairs: dict[str, str]) -> pl.DataFrame:
    lines = [f"{code_column}, {code_column}.label", *(f'"{c}","{label}"' for c, label in pairs.items())]
    return parse_dictionary((BOM + "\n".join(lines) + "\n").encode(), f"{code_column}_en.csv")


SMALL_DICTIONARIES = {
    "ref_area": dictionary("ref_area", {"PHL": "Philippines"}),
    "sex": dictionary("sex", {"SEX_T": "Sex: Total"}),
    "classif1": dictionary("classif1", {"OCU_ISCO08_4": "Occupation (ISCO-08): 4. Clerical support workers"}),
    "classif2": dictionary(
        "classif2", {"CUR_TYPE_USD": "Currency: U.S. dollars", "CUR_TYPE_PPP": "Currency: 2017 PPP $"}
    ),
    "source": dictionary("source", {"BA:5": "LFS - Labour Force Survey"}),
    "obs_status": dictionary("obs_status", {"B": "Break in series"}),
}


def read(name: str) -> bytes:
    return (ILOSTAT / name).read_bytes()


@pytest.fixture(scope="module")
def real_dictionaries() -> dict[str, pl.DataFrame]:
    names = ["ref_area", "sex", "classif1", "classif2", "source", "obs_status"]
    return {name: parse_dictionary(read(f"{name}_en.csv"), f"{name}_en.csv") for name in names}


# ---------------------------------------------------------------------------------------------------------------
# URLs
# ---------------------------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------------------------
# Dictionaries
# ---------------------------------------------------------------------------------------------------------------


def test_dictionary_with_bom_space_and_third_column() -> None:
    data = (BOM + 'source, source.label, ref_area\n"BA:829","LFS - Labour Force Survey","ABW"\n').encode()
    frame = parse_dictionary(data, "source_en.csv")
    assert frame.columns == ["code", "label"]
    assert frame.row(0) == ("BA:829", "LFS - Labour Force Survey")


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><body>Not found</body></html>",
        b"",
        (BOM + 'ref_area\n"PHL"\n').encode(),
        (BOM + 'ref_area, name\n"PHL","Philippines"\n').encode(),
    ],
    ids=["html", "empty", "one column", "second column not .label"],
)
def test_dictionary_rejects_other_files(data: bytes) -> None:
    with pytest.raises(SourceFormatError, match="ref_area_en.csv"):
        parse_dictionary(data, "ref_area_en.csv")


@needs_shared_raw
def test_real_dictionaries(real_dictionaries: dict[str, pl.DataFrame]) -> None:
    ref_area = real_dictionaries["ref_area"]
    assert ref_area.height == 333
    assert ref_area.filter(pl.col("code") == "PHL")["label"].to_list() == ["Philippines"]
    assert real_dictionaries["sex"].height == 4
    classif2 = dict(real_dictionaries["classif2"].iter_rows())
    assert classif2["CUR_TYPE_PPP"] == "Currency: 2017 PPP $"
    assert dict(real_dictionaries["source"].iter_rows())["BA:829"] == "LFS - Labour Force Survey"


# ---------------------------------------------------------------------------------------------------------------
# Coded bulk layout
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_coded_layout(compress: bool) -> None:
    data = gzip.compress(CODED_CSV) if compress else CODED_CSV
    frame = parse_earnings(data, "EAR_4MTH_SEX_OCU_CUR_NB_A.csv.gz")
    assert frame.schema == pl.Schema(OUTPUT_SCHEMA)
    # The PPP row has no value: a gap, not an error, so it is dropped.
    assert frame.height == 4
    usd = frame.row(0, named=True)
    assert usd == {
        "ref_area": "PHL",
        "indicator": "EAR_4MTH_SEX_OCU_CUR_NB_A",
        "source_label": "BA:5",
        "sex": "SEX_T",
        "classif1": "OCU_ISCO08_4",
        "classif2": "CUR_TYPE_USD",
        "year": 2018,
        "obs_value": 313.44,
        "obs_status": None,
        "parse_error": None,
    }
    assert frame["obs_status"][1] == "B"


def test_coded_layout_bad_cells_are_kept_with_errors() -> None:
    frame = parse_earnings(CODED_CSV, "EAR_4MTH_SEX_OCU_CUR_NB_A.csv")
    not_a_number = frame.row(2, named=True)
    assert not_a_number["obs_value"] is None
    assert not_a_number["parse_error"] == "obs_value 'abc' is not a number"
    monthly = frame.row(3, named=True)
    assert monthly["year"] is None and monthly["obs_value"] == 12.5
    assert monthly["parse_error"] == "time '2019M01' is not a year"


def test_coded_layout_maps_source_through_dictionary() -> None:
    frame = parse_earnings(CODED_CSV, "EAR_4MTH_SEX_OCU_CUR_NB_A.csv", SMALL_DICTIONARIES)
    # Known survey gets its label; one newer than the dictionary keeps its code rather than vanishing.
    assert frame["source_label"].to_list() == ["LFS - Labour Force Survey"] * 2 + ["XX:999"] * 2


def test_coded_layout_tolerates_extra_and_missing_note_columns() -> None:
    data = b"ref_area,source,indicator,sex,classif1,classif2,time,obs_value,obs_status,new_col\n" + (
        b"phl,BA:5,EAR_4MTH_SEX_OCU_CUR_NB_A,sex_t,ocu_isco08_4,cur_type_usd,2018,1,,x\n"
    )
    frame = parse_earnings(data, "x.csv")
    assert frame.select("ref_area", "sex", "classif1", "classif2").row(0) == (
        "PHL",
        "SEX_T",
        "OCU_ISCO08_4",
        "CUR_TYPE_USD",
    )


def test_truncated_gzip_names_the_file() -> None:
    data = gzip.compress(CODED_CSV * 50)
    with pytest.raises(SourceFormatError, match=r"EAR_4MTH_SEX_OCU_CUR_NB_A\.csv\.gz.*truncated"):
        parse_earnings(data[: len(data) // 2], "EAR_4MTH_SEX_OCU_CUR_NB_A.csv.gz")


def test_renamed_column_names_expected_and_found() -> None:
    data = CODED_CSV.replace(b"obs_value", b"value", 1)
    with pytest.raises(SourceFormatError) as caught:
        parse_earnings(data, "EAR_4MTH_SEX_OCU_CUR_NB_A.csv")
    error = caught.value
    message = str(error)
    assert error.source == SOURCE and error.file_name == "EAR_4MTH_SEX_OCU_CUR_NB_A.csv"
    assert "coded bulk" in message and "missing ['obs_value']" in message
    assert "expected [" in message and "'obs_value'" in message
    assert "found [" in message and "'value'" in message
    assert error.expected[-2:] == ["obs_value", "obs_status"]
    assert "value" in error.found


@pytest.mark.parametrize(
    "data",
    [
        b"<html><head><title>404</title></head><body>Page not found</body></html>\n",
        b"",
        b"\xef\xbb\xbf",
        b"a,b,c\n1,2,3\n",
    ],
    ids=["html", "empty", "bom only", "unknown header"],
)
def test_unknown_layouts_raise(data: bytes) -> None:
    with pytest.raises(SourceFormatError, match=r"^ILOSTAT: EAR_X\.csv: "):
        parse_earnings(data, "EAR_X.csv")


def test_header_only_file_gives_empty_frame() -> None:
    frame = parse_earnings(CODED_HEADER.encode() + b"\n", "EAR_X.csv")
    assert frame.height == 0 and frame.schema == pl.Schema(OUTPUT_SCHEMA)


# ---------------------------------------------------------------------------------------------------------------
# Labelled explorer layout
# ---------------------------------------------------------------------------------------------------------------


def test_labelled_layout_maps_labels_to_codes() -> None:
    name = "EAR_4MTH_SEX_OCU_CUR_NB_A-filtered-2025-11-01.csv"
    frame = parse_earnings(labelled_csv(LABELLED_ROW_PHL), name, SMALL_DICTIONARIES)
    assert frame.row(0, named=True) == {
        "ref_area": "PHL",
        "indicator": "EAR_4MTH_SEX_OCU_CUR_NB_A",
        "source_label": "LFS - Labour Force Survey",
        "sex": "SEX_T",
        "classif1": "OCU_ISCO08_4",
        "classif2": "CUR_TYPE_USD",
        "year": 2018,
        "obs_value": 313.44,
        "obs_status": None,
        "parse_error": None,
    }


def test_labelled_layout_keeps_unknown_labels_as_errors() -> None:
    frame = parse_earnings(labelled_csv(LABELLED_ROW_PHL, LABELLED_ROW_NARNIA), "export.csv", SMALL_DICTIONARIES)
    assert frame.height == 2
    assert frame["indicator"].to_list() == [None, None]  # file name carries no indicator id
    narnia = frame.row(1, named=True)
    assert narnia["ref_area"] is None and narnia["classif2"] is None
    assert narnia["obs_value"] == 100.0 and narnia["obs_status"] == "B"
    assert narnia["parse_error"] == (
        "ref_area.label 'Narnia' is not in the ILOSTAT ref_area dictionary; "
        "classif2.label 'Currency: 2021 PPP $' is not in the ILOSTAT classif2 dictionary"
    )


def test_labelled_layout_aliases_fill_gaps_only() -> None:
    aliases = pl.DataFrame(
        {
            "dimension": ["classif2", "ref_area"],
            "label": ["Currency: 2021 PPP $", "Philippines"],
            "code": ["CUR_TYPE_PPP", "XXX"],  # must not override the dictionary's PHL
        }
    )
    frame = parse_earnings(
        labelled_csv(LABELLED_ROW_PHL, LABELLED_ROW_NARNIA), "EAR_A.csv", SMALL_DICTIONARIES, aliases
    )
    assert frame["ref_area"].to_list() == ["PHL", None]
    assert frame["classif2"].to_list() == ["CUR_TYPE_USD", "CUR_TYPE_PPP"]
    assert frame["parse_error"].to_list() == [None, "ref_area.label 'Narnia' is not in the ILOSTAT ref_area dictionary"]
    assert frame["indicator"].to_list() == ["EAR_A"] * 2


def test_labelled_layout_ambiguous_alias_is_not_guessed() -> None:
    aliases = pl.DataFrame(
        {"dimension": ["ref_area", "ref_area"], "label": ["Narnia", "Narnia"], "code": ["NAR", "NRN"]}
    )
    frame = parse_earnings(labelled_csv(LABELLED_ROW_NARNIA), "x.csv", SMALL_DICTIONARIES, aliases)
    assert frame["ref_area"].to_list() == [None]


def test_labelled_layout_without_dictionaries_raises() -> None:
    with pytest.raises(SourceFormatError, match="x.csv.*dictionaries"):
        parse_earnings(labelled_csv(LABELLED_ROW_PHL), "x.csv")
    partial = {"ref_area": SMALL_DICTIONARIES["ref_area"]}
    with pytest.raises(SourceFormatError, match="x.csv"):
        parse_earnings(labelled_csv(LABELLED_ROW_PHL), "x.csv", partial)


def test_labelled_layout_bad_value() -> None:
    row = LABELLED_ROW_PHL.replace(",313.44,", ',"n/a",')
    frame = parse_earnings(labelled_csv(row), "x.csv", SMALL_DICTIONARIES)
    assert frame["obs_value"].to_list() == [None]
    assert frame["parse_error"].to_list() == ["obs_value 'n/a' is not a number"]


# ---------------------------------------------------------------------------------------------------------------
# Gapminder DDF layout
# ---------------------------------------------------------------------------------------------------------------


def test_ddf_layout_small() -> None:
    data = (
        b"ref_area,sex,classif1,classif2,time,ear_4mth_sex_ocu_cur_nb\n"
        b"phl,sex_t,ocu_isco08_4,cur_type_usd,2018,313.44\n"
        b"phl,sex_t,ocu_isco08_4,cur_type_ppp,2018,\n"
    )
    frame = parse_earnings(data, "ddf.csv")
    assert frame.row(0) == (
        "PHL",
        "EAR_4MTH_SEX_OCU_CUR_NB_A",
        None,
        "SEX_T",
        "OCU_ISCO08_4",
        "CUR_TYPE_USD",
        2018,
        313.44,
        None,
        None,
    )
    assert frame.height == 1


# ---------------------------------------------------------------------------------------------------------------
# Real files
# ---------------------------------------------------------------------------------------------------------------


@needs_shared_raw
def test_real_ddf_file() -> None:
    frame = parse_earnings(read(DDF_FILE), DDF_FILE)
    assert frame.height == 1240
    assert frame["ref_area"].n_unique() == 15
    assert frame["parse_error"].null_count() == frame.height
    assert frame["indicator"].unique().to_list() == ["EAR_4MTH_SEX_OCU_CUR_NB_A"]
    assert frame["sex"].unique().to_list() == ["SEX_T"]
    assert frame["year"].max() == 2019
    phl = frame.filter(
        (pl.col("ref_area") == "PHL")
        & (pl.col("year") == 2018)
        & (pl.col("classif1") == "OCU_ISCO08_4")
        & (pl.col("classif2") == "CUR_TYPE_USD")
    )
    # File line: phl,sex_t,ocu_isco08_4,cur_type_usd,2018,313.44
    assert phl["obs_value"].to_list() == [313.44]


@needs_shared_raw
def test_real_ddf_codes_exist_in_dictionaries(real_dictionaries: dict[str, pl.DataFrame]) -> None:
    frame = parse_earnings(read(DDF_FILE), DDF_FILE)
    for dimension in ["ref_area", "sex", "classif1", "classif2"]:
        unknown = frame.join(real_dictionaries[dimension], left_on=dimension, right_on="code", how="anti")
        assert unknown.height == 0, dimension


@needs_shared_raw
def test_real_geo_file_without_aliases(real_dictionaries: dict[str, pl.DataFrame]) -> None:
    frame = parse_earnings(read(GEO_FILE), GEO_FILE, real_dictionaries)
    assert frame.height == 6234  # no row is dropped for an unknown label
    assert frame["indicator"].unique().to_list() == ["EAR_4MTH_SEX_GEO_CUR_NB_A"]
    assert set(frame["classif1"].unique()) == {"GEO_COV_NAT", "GEO_COV_RUR", "GEO_COV_URB"}
    # The explorer says "Total" where the dictionary says "Sex: Total", and uses the 2021 PPP base.
    assert frame["sex"].null_count() == frame.height
    assert frame["classif2"].null_count() == frame.height
    # Of 111 country labels only Côte d'Ivoire (ASCII apostrophe; the dictionary has U+2019) is unmapped.
    unmapped = frame.filter(pl.col("ref_area").is_null())
    assert unmapped["parse_error"].str.contains("ref_area.label 'Côte d'Ivoire'", literal=True).all()
    assert unmapped.height == 27
    assert frame.filter(pl.col("ref_area").is_not_null())["ref_area"].n_unique() == 110


@needs_shared_raw
def test_real_geo_file_with_aliases(real_dictionaries: dict[str, pl.DataFrame]) -> None:
    frame = parse_earnings(read(GEO_FILE), GEO_FILE, real_dictionaries, LABEL_ALIASES)
    assert frame.height == 6234
    keys = frame.select("ref_area", "sex", "classif1", "classif2", "year", "obs_value")
    assert keys.null_count().sum_horizontal().item() == 0
    assert frame["parse_error"].null_count() == frame.height
    assert frame["ref_area"].n_unique() == 111
    assert frame["classif2"].unique().to_list() == ["CUR_TYPE_PPP"]
    assert set(frame["sex"].unique()) == {"SEX_T", "SEX_M", "SEX_F", "SEX_O"}
    assert set(frame["obs_status"].drop_nulls().unique()) == {"B", "U"}
    assert frame["year"].min() == 2014 and frame["year"].max() == 2024
    first = frame.row(0, named=True)  # "Afghanistan",...,"Total","Area type: National",...,"2020",836.263
    assert (first["ref_area"], first["sex"], first["classif1"], first["year"], first["obs_value"]) == (
        "AFG",
        "SEX_T",
        "GEO_COV_NAT",
        2020,
        836.263,
    )
    # The file has 81 "Philippines" rows and 27 "Côte d'Ivoire" rows.
    assert frame.filter(pl.col("ref_area") == "PHL").height == 81
    assert frame.filter(pl.col("ref_area") == "CIV").height == 27
