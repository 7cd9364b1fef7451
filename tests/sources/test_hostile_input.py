"""Hostile and broken input: each case ends in a clear error naming the source and the file or URL, or in a value made
harmless, never in a crash, a hang or a file written where it should not be."""

import io
import socket
import threading
import time
import zipfile
from contextlib import contextmanager, suppress

import polars as pl
import pytest
from upath import UPath

from assets.raw.vendor import quote_files
from sources import spreadsheets
from sources.errors import FetchError, SourceFormatError
from sources.http import HttpClient
from sources.spreadsheets import check_workbook
from sources.text import neutralised
from storage.raw_zone import Provenance, RawZone


def workbook(sheet_xml: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buffer.getvalue()


def test_a_workbook_declaring_the_whole_sheet_is_refused_naming_the_file():
    bomb = workbook(b'<worksheet><dimension ref="A1:XFD1048576"/><sheetData/></worksheet>')
    assert len(bomb) < 5000
    with pytest.raises(SourceFormatError, match=r"quotes\.xlsx: sheet xl/worksheets/sheet1\.xml declares 1,048,576"):
        check_workbook(bomb, "Vendor quotes", "quotes.xlsx")


def test_a_workbook_that_decompresses_past_the_cap_is_refused(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_UNCOMPRESSED_BYTES", 10_000)
    with pytest.raises(SourceFormatError, match="decompresses to"):
        check_workbook(workbook(b"<worksheet>" + b" " * 50_000 + b"</worksheet>"), "BLS OEWS", "national.xlsx")


def test_an_ordinary_workbook_passes():
    check_workbook(workbook(b'<worksheet><dimension ref="A1:F200"/><sheetData/></worksheet>'), "X", "ok.xlsx")


def test_cells_that_would_be_formulas_are_neutralised_and_numbers_are_not():
    cells = ["=cmd|' /C calc'!A0", "+44 20 7946 0000", "-5", "-1,200.50", "@SUM(A1)", "plain", None]
    out = pl.DataFrame({"cell": cells}).select(neutralised(pl.col("cell")))["cell"].to_list()
    assert out == ["'=cmd|' /C calc'!A0", "'+44 20 7946 0000", "-5", "-1,200.50", "'@SUM(A1)", "plain", None]


def record(name: str) -> Provenance:
    return Provenance(
        source="pricing_pages",
        dataset_id=name,
        producer="p",
        title="t",
        url=None,
        licence="l",
        retrieved_at="2026-12-05T00:00:00+00:00",
        last_updated=None,
        mode="live",
        origin=None,
    )


@pytest.mark.parametrize("name", ["../escape.html", "a/b.html", ".hidden", "..", "a\\b.html"])
def test_a_name_that_would_leave_its_folder_is_refused(tmp_path, name):
    with pytest.raises(ValueError, match="not a plain file name"):
        RawZone(UPath(tmp_path)).store(b"<html/>", name, record(name))
    assert not any(tmp_path.parent.glob("escape.html"))


def test_a_current_pointer_leading_outside_the_raw_zone_fails_clearly(tmp_path):
    pointer = tmp_path / "raw" / "oecd" / "CURRENT.json"
    pointer.parent.mkdir(parents=True)
    pointer.write_text('{"AV_AN_WAGE": "../../../etc/passwd"}')
    with pytest.raises(ValueError, match=r"AV_AN_WAGE points to '../../../etc/passwd', which is not a stored file"):
        RawZone(UPath(tmp_path)).current("oecd")


def test_a_link_out_of_the_quotes_folder_is_refused(tmp_path):
    outside = tmp_path / "secret.csv"
    outside.write_text("x")
    quotes = tmp_path / "quotes"
    quotes.mkdir()
    (quotes / "good.csv").write_text("y")
    (quotes / "sneaky.csv").symlink_to(outside)
    with pytest.raises(ValueError, match=r"\['sneaky.csv'\] link\(s\) to files outside the quotes folder"):
        quote_files(quotes)


@contextmanager
def raw_server(respond):
    """A one-connection-at-a-time HTTP server on the loopback that answers with `respond(connection)`."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.recv(65536)
                with suppress(OSError):
                    respond(connection)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/file.csv"
    finally:
        stop.set()
        thread.join()
        listener.close()


def test_a_body_shorter_than_its_content_length_is_retried_then_reported_with_source_and_url():
    attempts = []

    def cut_short(connection):
        attempts.append(1)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\nonly this")

    with raw_server(cut_short) as url:
        client = HttpClient(max_attempts=3, backoff_base_s=0.01, sleep=lambda s: None)
        with pytest.raises(FetchError, match=rf"World Bank: could not download {url} after 3 attempt\(s\)"):
            client.get(url, source="World Bank")
    assert len(attempts) == 3


def test_a_body_dripped_past_the_deadline_is_abandoned_with_the_url():
    def drip(connection):
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n")
        for _ in range(40):
            connection.sendall(b"x")
            time.sleep(0.05)

    with raw_server(drip) as url:
        client = HttpClient(timeout_s=1, deadline_s=0.5, max_attempts=3, sleep=lambda s: None)
        started = time.monotonic()
        with pytest.raises(FetchError, match=rf"ILOSTAT: could not download {url} .*still arriving"):
            client.get(url, source="ILOSTAT")
        assert time.monotonic() - started < 2


def test_a_csv_cut_mid_line_is_refused_naming_the_record():
    from sources.text import check_rectangular
    from sources.vendor_seed import COLUMNS, parse_observations

    whole = ",".join(COLUMNS) + "\nPHL,Customer service,8,12,USD,hour,vendor_billing_rate,2025,V,https://x.test,\n"
    cut = whole + "IND,Data entry,5,7,US"
    with pytest.raises(SourceFormatError, match=r"seed.csv: record 3 has 5 fields, the header 11"):
        parse_observations(cut.encode(), "seed.csv")
    check_rectangular(whole, "Vendor rate seed", "seed.csv")  # a whole file passes


def test_a_gzip_body_that_stops_before_its_end_is_retried_then_reported():
    import zlib

    compressor = zlib.compressobj(wbits=31)
    cut = compressor.compress(b"iso3,value\n" + b"PHL,1\n" * 5000) + compressor.flush(zlib.Z_FULL_FLUSH)

    def unfinished(connection):
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n" + cut)

    with raw_server(unfinished) as url:
        client = HttpClient(max_attempts=2, sleep=lambda s: None)
        with pytest.raises(FetchError, match=rf"ILOSTAT: could not download {url} .*ends before its compressed stream"):
            client.get(url, source="ILOSTAT")


def test_a_zip_member_in_a_method_zipfile_cannot_read_fails_naming_the_archive():
    from sources.bls_oews import unpack_national_zip

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("oesm23nat/national_M2023_dl.xlsx", b"x" * 100)
    data = bytearray(buffer.getvalue())
    for header in (b"PK\x03\x04", b"PK\x01\x02"):  # method 9, Deflate64, in the local and central headers
        at = data.find(header)
        offset = at + (8 if header == b"PK\x03\x04" else 10)
        data[offset : offset + 2] = (9).to_bytes(2, "little")
    with pytest.raises(SourceFormatError, match=r"BLS OEWS: oesm23nat.zip: truncated or corrupt zip"):
        unpack_national_zip(bytes(data), "oesm23nat.zip")
