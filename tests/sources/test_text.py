"""The shared text steps of the parsers: refusing empty files, HTML pages, cut files and other encodings, blank cells,
joined problems."""

import polars as pl
import pytest

from sources.errors import SourceFormatError
from sources.text import (
    blank_to_null,
    check_line_ends,
    check_not_empty,
    check_not_markup,
    check_rectangular,
    decode_utf8,
    join_problems,
)


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


@pytest.mark.parametrize("text", ["a,b\n1,2\n", "a,b\r\n1,2\r\n", "a,b\n1,2\n\n", ""])
def test_text_ending_with_a_line_end_is_whole(text):
    check_line_ends(text, "ILOSTAT", "EAR_X.csv")


def test_text_cut_inside_its_last_line_is_refused_naming_the_line():
    with pytest.raises(SourceFormatError) as err:
        check_line_ends("a,b\n1,2\n3,30", "ILOSTAT", "EAR_X.csv")
    assert str(err.value).startswith("ILOSTAT: EAR_X.csv: no line end after line 3: the file was cut inside its last")
    assert err.value.found == "3,30"


def test_a_missing_last_line_end_is_allowed_where_the_publisher_may_omit_it():
    check_line_ends("Country Name,Value\nZimbabwe,2061", "World Bank WDI", "gdp.csv", final=False)


@pytest.mark.parametrize("final", [True, False])
def test_bare_carriage_returns_are_refused(final):
    with pytest.raises(SourceFormatError, match="GSA CALC: s70.csv: lines end with a bare carriage return"):
        check_line_ends("a,b\r1,2\r", "GSA CALC", "s70.csv", final=final)


def test_records_with_another_number_of_fields_than_the_header_are_refused():
    with pytest.raises(SourceFormatError) as err:
        check_rectangular('a,b,c\n1,"x, y",3\n\n4,5\n', "OECD", "w.csv")
    assert str(err.value).startswith("OECD: w.csv: record 4 has 2 fields, the header 3: a line cut short or run")


def test_unquoted_tab_separated_lines_are_held_to_the_first_data_line_skipping_comments():
    text = '#ISO\tname\n#more\tcomment\tline\nAD\tAndorra "la"\nAE\tUAE\textra\n'
    with pytest.raises(SourceFormatError) as err:
        check_rectangular(text, "GeoNames", "countryInfo.txt", "\t", quoted=False, header=False, comment_prefix="#")
    assert "countryInfo.txt: line 4 has 3 fields, line 3 2: a line cut short or run together" in str(err.value)
    check_rectangular(text.replace("\textra", ""), "GeoNames", "c.txt", "\t", quoted=False, comment_prefix="#")


def test_text_with_nul_characters_is_refused_as_utf16_or_binary():
    with pytest.raises(SourceFormatError, match="w.csv: NUL characters in the text: UTF-16 or binary data"):
        check_rectangular("a,b\n1,2\n".encode("utf-16").decode("utf-8", errors="replace"), "OECD", "w.csv")


def test_utf8_is_decoded_without_its_byte_order_mark():
    assert decode_utf8("\ufeffvendor\nFr\u00f6g\n".encode(), "Vendor pricing pages", "p.csv") == "vendor\nFr\u00f6g\n"


def test_other_encodings_are_refused_naming_the_line_of_the_first_bad_byte():
    with pytest.raises(SourceFormatError) as err:
        decode_utf8("vendor\nAcme\nFr\u00f6g\n".encode("latin-1"), "Vendor pricing pages", "p.csv")
    assert str(err.value) == "Vendor pricing pages: p.csv: not UTF-8 text: byte 0xF6 on line 3; expected 'UTF-8 text'"


def test_first_repeated_names_the_first_repeated_value_its_lines_and_how_many_repeat():
    from sources.text import first_repeated

    frame = pl.DataFrame({"code": ["A", "B", "A", "C", "C", "D"], "line": [2, 3, 4, 5, 6, 7]})
    assert first_repeated(frame, "code") == ("A", [2, 4], 2)
    assert first_repeated(frame.filter(pl.col("code") != "A").unique("code"), "code") is None
