"""The shared text steps of the parsers: refusing empty files and HTML pages, blank cells, joined problems."""

import polars as pl
import pytest

from sources.errors import SourceFormatError
from sources.text import blank_to_null, check_not_empty, check_not_markup, join_problems


@pytest.mark.parametrize("data", [b"", b"   ", b" \r\n\t\n"])
def test_empty_or_whitespace_file_is_refused_with_its_name(data):
    with pytest.raises(SourceFormatError) as err:
        check_not_empty(data, "OECD", "wages.csv", expected=["REF_AREA"])
    assert str(err.value) == "OECD: wages.csv: empty file; expected ['REF_AREA']; found '0 bytes'"
    assert (err.value.file_name, err.value.found) == ("wages.csv", "0 bytes")


def test_empty_file_problem_and_found_can_be_worded_by_the_parser():
    with pytest.raises(SourceFormatError) as err:
        check_not_empty(b"\n", "ILOSTAT", "EAR_X.csv", "file is empty", found=None)
    assert str(err.value) == "ILOSTAT: EAR_X.csv: file is empty"


@pytest.mark.parametrize("data", [b"a", b"\n\nREF_AREA\n", b"\xef\xbb\xbf"])
def test_any_non_whitespace_byte_is_content(data):
    # A BOM alone is content here: parsers that read BOM-only files as empty strip it first (ILOSTAT does).
    check_not_empty(data, "OECD", "wages.csv")


@pytest.mark.parametrize(
    "content",
    [
        b"<!DOCTYPE html><html><body>Not found</body></html>",
        b"\r\n  <html>",
        b'<?xml version="1.0"?><message:Error/>',
        "<html><body>Sign in</body></html>",
        "\n\u00a0 <html>",  # str.lstrip() also drops Unicode spaces
    ],
)
def test_page_starting_with_a_tag_is_refused_with_its_name(content):
    with pytest.raises(SourceFormatError) as err:
        check_not_markup(content, "GSA CALC", "page1.json", "an HTML or XML page, not JSON", found="<html>")
    assert str(err.value) == "GSA CALC: page1.json: an HTML or XML page, not JSON; found '<html>'"
    assert err.value.expected is None


@pytest.mark.parametrize("content", [b"", "", b"a,b\n<1,2\n", "Country Name,<x>", b"\xef\xbb\xbf<html>"])
def test_data_with_a_tag_later_or_no_content_is_not_markup(content):
    # Only the first non-blank character counts; an undecoded BOM in front of a page is the caller's to remove.
    check_not_markup(content, "GSA CALC", "page1.json", "an HTML or XML page, not JSON")


def test_blank_cells_become_null_and_text_is_trimmed():
    frame = pl.DataFrame({"code": ["  PHL ", "", "   ", None, "\tIND\n", "A B"]})
    assert frame.select(blank_to_null(pl.col("code")))["code"].to_list() == ["PHL", None, None, None, "IND", "A B"]


def test_blank_to_null_on_several_columns_keeps_their_names_and_type():
    frame = pl.DataFrame({"a": [" x", " "], "b": ["", "y "]})
    out = frame.select(blank_to_null(pl.all()))
    assert out.schema == pl.Schema({"a": pl.String, "b": pl.String})
    assert out.rows() == [("x", None), (None, "y")]


def test_problems_are_joined_in_order_and_a_clean_row_gets_null():
    frame = pl.DataFrame(
        {"first": [None, "time is empty", None, "a"], "second": [None, None, "value 'x' is not a number", "b"]},
        schema={"first": pl.String, "second": pl.String},
    )
    out = frame.select(join_problems([pl.col("first"), pl.col("second")]).alias("parse_error"))
    assert out["parse_error"].to_list() == [None, "time is empty", "value 'x' is not a number", "a; b"]


def test_join_problems_takes_conditional_messages_and_keeps_a_string_column_when_empty():
    value = pl.col("value").cast(pl.Float64, strict=False)
    problems = (
        pl.when(value.is_null()).then(pl.format("value '{}' is not a number", pl.col("value"))),
        pl.when(value < 0).then(pl.lit("value is negative")),
    )
    frame = pl.DataFrame({"value": ["1", "x", "-2"]})
    assert frame.select(join_problems(problems).alias("parse_error"))["parse_error"].to_list() == [
        None,
        "value 'x' is not a number",
        "value is negative",
    ]
    empty = frame.clear().select(join_problems(problems).alias("parse_error"))
    assert empty.schema == pl.Schema({"parse_error": pl.String})
