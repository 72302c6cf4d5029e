"""Layouts as TSPL for TSC, Xprinter and Gprinter label printers.

Text goes in the printer's simplified-Chinese font (`cjk_font`, "TSS24.BF2": 24-dot GB font,
ASCII half width) encoded in GB bytes when the font's charset covers it; plain ASCII without a
CJK font uses built-in font "3"; anything else becomes a BITMAP (in TSPL a 0 bit is a black dot).
Commands end in CRLF; BITMAP data is raw bytes in the middle of its command line.
"""

from __future__ import annotations

from functools import lru_cache

from PIL import Image, ImageChops

from kiosk.labels import fonts
from kiosk.labels.charsets import covered, encode
from kiosk.labels.elements import (
    Barcode128,
    Box,
    Layout,
    Line,
    QRCode,
    Text,
    aligned_left,
    barcode_left,
    barcode_width,
    dots,
    is_wide,
    module_dots,
    qr_module_dots,
    text_box,
)
from kiosk.labels.raster import qr_matrix

CRLF = b"\r\n"
CJK_FONT_DOTS = 24  # TSS24.BF2: 24x24 for Chinese, 12x24 for ASCII
BUILTIN_FONT = "3"  # 16x24 dots
BUILTIN_FONT_WIDTH = 16


def quote(text: str) -> str:
    """A TSPL string literal: a double quote inside is written \\["]."""
    return '"' + text.replace('"', '\\["]') + '"'


def code128m_data(data: str) -> str:
    """GS1-128 for TSPL's manual Code 128 ("128M"): start C, FNC1 (!102), then the digit pairs.

    Only all-digit, even-length element strings (like AI 00 + SSCC) are accepted here.
    """
    if not (data.isascii() and data.isdigit() and len(data) % 2 == 0):
        raise ValueError(f"GS1-128 data for TSPL must be an even number of digits, not {data!r}")
    return "!105!102" + data


@lru_cache(maxsize=4096)
def text_bitmap_command(text: str, size_px: int, bold: bool) -> tuple[bytes, bytes, int]:
    """(',width_bytes,height,0,' part, data, width in dots) for a BITMAP of `text`, 0 = ink."""
    bitmap = fonts.text_bitmap(text, size_px, bold)
    row_bytes = (bitmap.width + 7) // 8
    # Pad each row to whole bytes with paper first: in TSPL a 0 bit is a dot, so padding left at 0
    # (what tobytes() adds after inverting) prints a black bar down the bitmap's right edge.
    padded = Image.new("1", (row_bytes * 8, bitmap.height), 0)
    padded.paste(bitmap, (0, 0))
    data = ImageChops.invert(padded).tobytes()
    return f",{row_bytes},{bitmap.height},0,".encode(), data, bitmap.width


class _Tspl:
    def __init__(self, layout: Layout, dpi: int, cjk_font: str | None, cjk_charset: str) -> None:
        self.layout = layout
        self.dpi = dpi
        self.cjk_font = cjk_font
        self.cjk_charset = cjk_charset
        self.out: list[bytes] = []

    def line(self, command: str) -> None:
        self.out.append(command.encode("ascii") + CRLF)

    def text(self, text: str, left: int, top: int, size: int, bold: bool, align: str, box_width: int) -> None:
        if not text:
            return
        scale = max(1, min(10, round(size / CJK_FONT_DOTS)))
        if self.cjk_font and covered(text, self.cjk_charset):
            width = sum(CJK_FONT_DOTS if is_wide(ch) or ord(ch) > 0x7F else CJK_FONT_DOTS // 2 for ch in text)
            x = aligned_left(align, left, box_width, width * scale)
            self.out.append(
                f"TEXT {x},{top},{quote(self.cjk_font)},0,{scale},{scale},".encode("ascii")
                + b'"' + encode(text.replace('"', '\\["]'), self.cjk_charset) + b'"' + CRLF
            )
        elif covered(text, "ascii"):
            x = aligned_left(align, left, box_width, BUILTIN_FONT_WIDTH * scale * len(text))
            self.line(f"TEXT {x},{top},{quote(BUILTIN_FONT)},0,{scale},{scale},{quote(text)}")
        else:
            head, data, width = text_bitmap_command(text, size, bold)
            x = aligned_left(align, left, box_width, width)
            self.out.append(f"BITMAP {x},{top}".encode("ascii") + head + data + CRLF)

    def element(self, element) -> None:
        dpi = self.dpi
        if isinstance(element, Text):
            left, width = text_box(element, self.layout.width, dpi)
            self.text(element.text, left, dots(element.y, dpi), dots(element.size, dpi), element.bold,
                      element.align, width)
        elif isinstance(element, Barcode128):
            module = module_dots(element.module, dpi)
            kind, data = ("128M", code128m_data(element.data)) if element.gs1 else ("128", element.data)
            left, top = barcode_left(element, dpi), dots(element.y, dpi)
            self.line(f"BARCODE {left},{top},{quote(kind)},{dots(element.height, dpi)},0,0,{module},{module},"
                      f"{quote(data)}")
            if element.human_text:
                self.text(element.human_text, left, dots(element.y + element.height + 0.5, dpi),
                          dots(element.text_size, dpi), False, "center", barcode_width(element, dpi))
        elif isinstance(element, QRCode):
            cell = min(10, qr_module_dots(len(qr_matrix(element.data)), element.size, dpi))
            self.line(f"QRCODE {dots(element.x, dpi)},{dots(element.y, dpi)},M,{cell},A,0,{quote(element.data)}")
        elif isinstance(element, Line):
            thickness = max(1, dots(element.thickness, dpi))
            x, y = dots(min(element.x1, element.x2), dpi), dots(min(element.y1, element.y2), dpi)
            if element.y1 == element.y2:
                self.line(f"BAR {x},{y},{dots(abs(element.x2 - element.x1), dpi)},{thickness}")
            else:
                self.line(f"BAR {x},{y},{thickness},{dots(abs(element.y2 - element.y1), dpi)}")
        elif isinstance(element, Box):
            x, y = dots(element.x, dpi), dots(element.y, dpi)
            x_end, y_end = dots(element.x + element.width, dpi), dots(element.y + element.height, dpi)
            self.line(f"BOX {x},{y},{x_end},{y_end},{max(1, dots(element.thickness, dpi))}")


def _mm(value: float) -> str:
    return f"{value:g}"


def render_tspl(
    layout: Layout,
    dpi: int = 203,
    cjk_font: str | None = "TSS24.BF2",
    cjk_charset: str = "gb2312",
    gap_mm: float = 2.0,
    direction: int = 1,
    copies: int = 1,
) -> bytes:
    """The layout as one TSPL label: SIZE, GAP, DIRECTION, CLS, the drawing, PRINT.

    `cjk_charset` is what the printer's CJK font holds: "gb2312" is safe for every TSS24.BF2;
    printers whose font holds GBK can say "gbk". A receipt layout is sent with GAP 0 (continuous).
    """
    job = _Tspl(layout, dpi, cjk_font, cjk_charset)
    job.line(f"SIZE {_mm(layout.width)} mm,{_mm(round(layout.page_height, 1))} mm")
    job.line(f"GAP {_mm(gap_mm if not layout.is_receipt else 0)} mm,0 mm")
    job.line(f"DIRECTION {direction}")
    job.line("REFERENCE 0,0")
    job.line("CLS")
    for element in layout.elements:
        job.element(element)
    job.line(f"PRINT 1,{copies}")
    return b"".join(job.out)
