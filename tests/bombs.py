"""Hostile uploads made for real, cheaply: XLSX zip bombs and huge-row sheets, pictures whose header
declares an enormous size, a photo with a GPS position in its EXIF. Used by the tests and bench/abuse.py."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
HEADER_ROW = ("order", "customer", "due_date", "model", "quantity")


def _workbook_without_sheet() -> dict[str, bytes]:
    book = Workbook()
    book.active.append(HEADER_ROW)
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(out) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name != SHEET}


def _xlsx(write_sheet) -> bytes:
    """A real workbook (openpyxl's own parts) whose first sheet's XML `write_sheet(stream)` writes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in _workbook_without_sheet().items():
            archive.writestr(name, data)
        with archive.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            sheet.write(b'<row r="1">' + b"".join(
                f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{name}</t></is></c>'.encode()
                for i, name in enumerate(HEADER_ROW)) + b"</row>")
            write_sheet(sheet)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def xlsx_bomb(megabytes: int) -> bytes:
    """Cell A2 holds `megabytes` MB of "A": a small file that unpacks to a huge string (F2)."""
    def write(sheet):
        sheet.write(b'<row r="2"><c r="A2" t="inlineStr"><is><t>')
        chunk = b"A" * (1024 * 1024)
        for _ in range(megabytes):
            sheet.write(chunk)
        sheet.write(b"</t></is></c></row>")

    return _xlsx(write)


def xlsx_rows(rows: int, same: bool = False) -> bytes:
    """`rows` order lines under the header (F8: the row limit must be checked while reading); `same`:
    every row alike, which packs a million rows into well under a megabyte."""
    def write(sheet):
        if same:
            block = b'<row><c t="inlineStr"><is><t>SO1</t></is></c><c><v>1</v></c></row>' * 10000
            for _ in range(rows // 10000):
                sheet.write(block)
            return
        batch = []
        for n in range(2, rows + 2):
            batch.append(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>SO{n}</t></is></c>'
                         f'<c r="E{n}"><v>1</v></c></row>'.encode())
            if len(batch) == 10000:
                sheet.write(b"".join(batch))
                batch = []
        sheet.write(b"".join(batch))

    return _xlsx(write)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(width: int, height: int) -> bytes:
    """A real, complete black-and-white PNG of width x height: tiny on disk, huge once decoded (F7, F19)."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    packer = zlib.compressobj(9)
    parts = []
    rows_per_part = max(1, (4 * 1024 * 1024) // len(row))
    for start in range(0, height, rows_per_part):
        parts.append(packer.compress(row * min(rows_per_part, height - start)))
    parts.append(packer.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit grey
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(parts))
            + _chunk(b"IEND", b""))


def jpeg_with_gps(size=(320, 240)) -> bytes:
    """A phone-like JPEG whose EXIF says where it was taken (F19)."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 1  # Orientation
    gps = {1: "N", 2: (31.0, 14.0, 2.5), 3: "E", 4: (121.0, 28.0, 10.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    Image.new("RGB", size, (180, 140, 90)).save(out, "JPEG", exif=exif)
    return out.getvalue()
