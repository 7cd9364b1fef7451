"""Opening archives and workbooks someone else wrote: caps on what they may make us allocate, checked before reading.

An XLSX is a zip of XML. A 5 KB file can declare the range A1:XFD1048576 (17 billion cells), and any zip or gzip can
hold members that decompress to gigabytes; a reader that trusts either allocates until the process dies, with no
error naming the file.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from sources.errors import SourceFormatError

MAX_UNCOMPRESSED_BYTES = 200_000_000
MAX_CELLS = 20_000_000
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - ord("A") + 1)
    return number


def check_workbook(content: bytes, source: str, file_name: str) -> None:
    """Refuse a workbook whose members would decompress past MAX_UNCOMPRESSED_BYTES, or a sheet that declares more
    than MAX_CELLS cells, naming the file."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise SourceFormatError(source, file_name, f"unreadable workbook, not an XLSX zip ({exc})") from None
    with archive:
        unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > MAX_UNCOMPRESSED_BYTES:
            raise SourceFormatError(
                source,
                file_name,
                f"a workbook that decompresses to {unpacked:,} bytes, more than allowed",
                expected=f"at most {MAX_UNCOMPRESSED_BYTES:,} bytes",
                found=unpacked,
            )
        for member in archive.infolist():
            if not member.filename.startswith("xl/worksheets/") or not member.filename.endswith(".xml"):
                continue
            try:
                with archive.open(member) as sheet:
                    head = sheet.read(4096)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
                raise SourceFormatError(
                    source, file_name, f"unreadable workbook, member {member.filename} ({exc})"
                ) from None
            declared = _DIMENSION.search(head)
            if declared and declared.group(3):
                columns = _column_number(declared.group(3)) - _column_number(declared.group(1) or b"A") + 1
                rows = int(declared.group(4)) - int(declared.group(2) or b"1") + 1
                if rows * columns > MAX_CELLS:
                    raise SourceFormatError(
                        source,
                        file_name,
                        f"sheet {member.filename} declares {rows:,} x {columns:,} cells",
                        expected=f"at most {MAX_CELLS:,} cells",
                        found=declared.group(0).decode(),
                    )


def read_member(archive: zipfile.ZipFile, name: str, source: str, file_name: str) -> bytes:
    """One member of a zip, refused before reading when it declares more than MAX_UNCOMPRESSED_BYTES."""
    size = archive.getinfo(name).file_size
    if size > MAX_UNCOMPRESSED_BYTES:
        raise SourceFormatError(
            source,
            file_name,
            f"member {name} decompresses to {size:,} bytes, more than allowed",
            expected=f"at most {MAX_UNCOMPRESSED_BYTES:,} bytes",
            found=size,
        )
    return archive.read(name)


def gunzip(data: bytes, source: str, file_name: str) -> bytes:
    """A gzip stream decompressed up to MAX_UNCOMPRESSED_BYTES: a larger one is refused, a cut one too."""
    stream = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        out = stream.decompress(data, MAX_UNCOMPRESSED_BYTES + 1)
    except zlib.error as exc:
        raise SourceFormatError(source, file_name, f"gzip archive is truncated or corrupt ({exc})") from exc
    if len(out) > MAX_UNCOMPRESSED_BYTES:
        raise SourceFormatError(
            source,
            file_name,
            "gzip archive decompresses to more than allowed",
            expected=f"at most {MAX_UNCOMPRESSED_BYTES:,} bytes",
        )
    if not stream.eof:
        raise SourceFormatError(source, file_name, "gzip archive is truncated or corrupt (it ends before its stream)")
    return out
