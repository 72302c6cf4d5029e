"""An XLSX upload checked before any XML parser sees it, then read with bounded memory.

A workbook is a zip of XML files, and openpyxl opens whatever the zip says it holds: a 2 MB file can
expand to gigabytes. So each member is checked in `zipfile` first (count, uncompressed size, total,
compression ratio), and only then is the workbook opened in openpyxl's read-only (streaming) mode,
with rows, columns and cell lengths capped while reading. zipfile never hands out more than a
member's declared size, so the declared sizes checked here bound what the parser can get.
No Flask here.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator

from kiosk.i18n import Msg, msg

MAX_MEMBERS = 200
MAX_MEMBER_BYTES = 24 * 1024 * 1024  # one XML part, uncompressed
MAX_TOTAL_BYTES = 48 * 1024 * 1024  # the whole workbook, uncompressed
MAX_RATIO = 100  # uncompressed / compressed, for parts over RATIO_FROM bytes
RATIO_FROM = 1024 * 1024
MAX_COLUMNS = 64
MAX_CELL = 2000  # characters in one cell


class XlsxRefused(ValueError):
    """The workbook is refused before (or while) reading it; `message` says why."""

    def __init__(self, message: Msg):
        super().__init__(message.key)
        self.message = message


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def check_zip(content: bytes) -> None:
    """Refuse a zip bomb by what the zip declares, before anything is decompressed."""
    not_xlsx = msg("The file is not a readable .xlsx workbook.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise XlsxRefused(not_xlsx) from None
    if len(members) > MAX_MEMBERS:
        raise XlsxRefused(msg("The workbook has {n} parts; at most {max} are read. Save it again as a plain "
                              ".xlsx with one sheet.", n=len(members), max=MAX_MEMBERS))
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise XlsxRefused(msg("The workbook is password-protected. Save it without a password and try again."))
        size, packed = member.file_size, max(member.compress_size, 1)
        total += size
        too_dense = size > RATIO_FROM and size / packed > MAX_RATIO
        if size > MAX_MEMBER_BYTES or total > MAX_TOTAL_BYTES or too_dense:
            raise XlsxRefused(msg("The workbook unpacks to too much data to import ({part} alone would be "
                                  "{size} MB). Import at most {rows} rows at a time, without pictures.",
                                  part=member.filename[:60], size=_mb(size), rows=5000))


def _text(value, row: int) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    text = str(value)
    if len(text) > MAX_CELL:
        raise XlsxRefused(msg("Row {row} has a cell longer than {max} characters; shorten it and import again.",
                              row=row, max=MAX_CELL))
    return text


def read_rows(content: bytes, max_rows: int) -> list[list[str]]:
    """The first sheet's rows as text; refused as soon as it has more than `max_rows` rows with data
    under its header row (or many more empty ones)."""
    check_zip(content)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds; each means "not a workbook we read"
        raise XlsxRefused(msg("The file is not a readable .xlsx workbook.")) from None
    try:
        return list(_rows(book, max_rows))
    except XlsxRefused:
        raise
    except Exception:  # noqa: BLE001 - broken XML inside the zip
        raise XlsxRefused(msg("The file is not a readable .xlsx workbook.")) from None
    finally:
        book.close()


def _rows(book, max_rows: int) -> Iterator[list[str]]:
    if not book.worksheets:
        return
    sheet = book.worksheets[0]
    kept = 0
    too_many = XlsxRefused(msg("Import at most {max} rows at a time.", max=max_rows))
    for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
        if number > 4 * max_rows + 100:  # empty rows cost reading time too
            raise too_many
        row = [_text(v, number) for v in values]
        if any(cell.strip() for cell in row):
            kept += 1
            if kept > max_rows + 1:  # the header row and max_rows lines
                raise too_many
        yield row
