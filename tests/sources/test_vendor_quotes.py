"""Analysts' vendor quotes: the template, CSV and XLSX reading, and every row either valid or rejected with reasons."""

import io
from datetime import date, datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from sources import vendor_quotes as vq
from sources.errors import SourceFormatError

PROJECT = Path(__file__).resolve().parents[2]
FIXTURES = PROJECT / "tests" / "fixtures" / "quotes"
KNOWN = set(pl.read_csv(PROJECT / "reference" / "functions.csv")["function_id"])


def read(name: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    return vq.read_quotes((FIXTURES / name).read_bytes(), name, KNOWN)


def test_template_is_the_header_only():
    text = (PROJECT / "reference" / "quote_template.csv").read_text(encoding="utf-8")
    assert text.splitlines() == [",".join(vq.TEMPLATE_COLUMNS)]


def test_good_csv():
    valid, rejected = read("good_quotes.csv")
    assert valid.schema == pl.Schema(vq.VALID_SCHEMA)
    assert rejected.schema == pl.Schema(vq.REJECTED_SCHEMA) and rejected.height == 0
    assert valid.select(
        "quote_id",
        "function_id",
        "rate_low",
        "rate_high",
        "currency",
        "unit",
        "quote_date",
        "valid_until",
        "source_row",
    ).rows() == [
        ("Q-001", "customer_support", 8.5, 11.0, "USD", "hour", date(2025, 3, 14), date(2025, 6, 30), 2),
        ("Q-002", None, 2100.0, 2100.0, "USD", "month", date(2025, 4, 2), None, 3),  # empty rate_high = rate_low
        ("Q-003", "accounting", 1250.0, 1400.0, "EUR", "month", date(2025, 5, 20), date(2025, 12, 31), 4),
    ]
    assert valid["source_file"].unique().to_list() == ["good_quotes.csv"]
    assert valid["service_label"][0] == "Inbound voice support, English"
    assert valid["note"][2] == "thousands separator"  # trimmed


def test_bad_csv_rejects_exactly_the_bad_rows_with_all_reasons():
    valid, rejected = read("bad_quotes.csv")
    assert valid["quote_id"].to_list() == ["Q-010"]
    assert rejected.select("quote_id", "source_row", "reject_reason").rows() == [
        ("Q-011", 3, "quote_id 'Q-011' appears more than once in the file"),
        ("Q-011", 4, "quote_id 'Q-011' appears more than once in the file"),
        ("Q-012", 5, "rate_low '-5' is not positive"),
        ("Q-013", 6, "rate_low '12' is above rate_high '10'"),
        ("Q-014", 7, "unit 'hr' is not one of hour, day, week, month, year"),
        ("Q-015", 8, "function_id 'legal_services' is not a known function"),
        ("Q-016", 9, "quote_date '2025-02-30' is not a yyyy-mm-dd date"),
        ("Q-017", 10, "country_iso3 'phl' is not three upper-case letters (ISO 3166 alpha-3)"),
        (
            None,
            11,
            "quote_id missing; service_label missing; rate_low '12,5' is not a number; "
            "currency 'usd' is not three upper-case letters (ISO 4217); "
            "price_type 'fte' is not one of vendor_billing_rate, buyer_spend_per_fte, buyer_cost_per_fte; "
            "quote_date '17/03/2025' is not a yyyy-mm-dd date",
        ),
    ]
    # Raw values survive as text, untouched.
    last = rejected.row(-1, named=True)
    assert (last["rate_low"], last["currency"], last["quote_date"], last["source_file"]) == (
        "12,5",
        "usd",
        "17/03/2025",
        "bad_quotes.csv",
    )
    # Nothing dropped: every data line of the file is in one frame or the other.
    lines = (FIXTURES / "bad_quotes.csv").read_text().splitlines()
    assert valid.height + rejected.height == len(lines) - 1


def test_renamed_column_refuses_the_file():
    with pytest.raises(
        SourceFormatError,
        match=r"Vendor quotes: renamed_column\.csv: missing template columns "
        r"\['rate_low'\]",
    ) as err:
        read("renamed_column.csv")
    assert err.value.expected == list(vq.TEMPLATE_COLUMNS)
    assert "rate_min" in err.value.found


def workbook(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Quotes"
    ws.append(list(vq.TEMPLATE_COLUMNS))
    for row in rows:
        ws.append(row)
    wb.create_sheet("Notes").append(["Second sheet, ignored"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_first_sheet_with_number_and_date_cells(tmp_path):
    path = tmp_path / "quotes_2025.xlsx"
    path.write_bytes(
        workbook(
            [
                [
                    "X-1",
                    "Example Vendor A",
                    "PHL",
                    "it_helpdesk",
                    "Service desk",
                    9,
                    12.5,
                    "USD",
                    "hour",
                    "vendor_billing_rate",
                    datetime(2025, 3, 14),
                    "2025-06-30",
                    "Test Analyst",
                    None,
                ],
                [None] * 14,
                [
                    "X-2",
                    "Example Vendor B",
                    "IND",
                    "payroll",
                    "Payroll",
                    0,
                    None,
                    "USD",
                    "month",
                    "buyer_spend_per_fte",
                    datetime(2025, 3, 14),
                    datetime(2025, 1, 31),
                    None,
                    None,
                ],
            ]
        )
    )
    valid, rejected = vq.read_quotes(path.read_bytes(), path.name, KNOWN)
    assert valid.select("quote_id", "rate_low", "rate_high", "quote_date", "valid_until", "source_row").rows() == [
        ("X-1", 9.0, 12.5, date(2025, 3, 14), date(2025, 6, 30), 2),
    ]
    assert rejected.select("quote_id", "source_row", "reject_reason").rows() == [
        (
            "X-2",
            4,
            "rate_low '0' is not positive; valid_until '2025-01-31 00:00:00' is before quote_date "
            "'2025-03-14 00:00:00'",
        ),
    ]


def test_xlsx_detected_by_magic_bytes_whatever_the_name():
    data = workbook(
        [
            [
                "X-3",
                "Example Vendor C",
                "COL",
                None,
                "Collections",
                "4,200",
                None,
                "COP",
                "month",
                "vendor_billing_rate",
                "2025-04-01",
                None,
                None,
                None,
            ]
        ]
    )
    valid, rejected = vq.read_quotes(data, "upload.bin", KNOWN)
    assert (valid["rate_low"].to_list(), rejected.height) == ([4200.0], 0)


def test_wrong_files_are_refused():
    with pytest.raises(SourceFormatError, match="named like a workbook but not an XLSX"):
        vq.read_quotes(b"quote_id,vendor\n", "quotes.xlsx", KNOWN)
    with pytest.raises(SourceFormatError, match="HTML"):
        vq.read_quotes(b"<!doctype html><html></html>", "quotes.csv", KNOWN)
    with pytest.raises(SourceFormatError, match="unreadable CSV|missing template columns"):
        vq.read_quotes(b"", "empty.csv", KNOWN)


def test_bom_and_windows_1252_csv():
    header = ",".join(vq.TEMPLATE_COLUMNS)
    row = "W-1,Café Services,MEX,,Soporte técnico,10,,USD,hour,vendor_billing_rate,2025-03-01,,,"
    for data in (b"\xef\xbb\xbf" + f"{header}\n{row}\n".encode(), f"{header}\n{row}\n".encode("cp1252")):
        valid, rejected = vq.read_quotes(data, "w.csv", KNOWN)
        assert rejected.height == 0
        assert valid.select("quote_id", "vendor", "service_label").row(0) == ("W-1", "Café Services", "Soporte técnico")


def test_a_quote_from_the_future_and_a_formula_in_a_cell_are_caught():
    header = ",".join(vq.TEMPLATE_COLUMNS)
    row = {c: "" for c in vq.TEMPLATE_COLUMNS} | {
        "quote_id": "Q-9",
        "vendor": "=cmd|' /C calc'!A0",
        "country_iso3": "PHL",
        "service_label": "Customer support",
        "rate_low": "9",
        "currency": "USD",
        "unit": "hour",
        "price_type": "vendor_billing_rate",
        "quote_date": "2025-01-10",
    }
    future = row | {"quote_id": "Q-10", "quote_date": "2099-01-01"}
    lines = [header, *(",".join(r[c] for c in vq.TEMPLATE_COLUMNS) for r in (row, future))]
    valid, rejected = vq.read_quotes("\n".join(lines).encode(), "q.csv", KNOWN)
    assert valid["vendor"].to_list() == ["'=cmd|' /C calc'!A0"]
    assert rejected["reject_reason"].to_list() == ["quote_date '2099-01-01' is in the future"]
