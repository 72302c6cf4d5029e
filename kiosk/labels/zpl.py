"""Layouts as ZPL II for Zebra label printers.

Text prints in the printer's font 0 when it is plain ASCII, in a printer-resident CJK font
(`cjk_font`, e.g. "E:SIMSUN.FNT", used via ^A@ with ^CI28 UTF-8) when one is configured and covers
the text, and otherwise as a ^GFA bitmap drawn with our own CJK font, so Chinese never vanishes.
Barcodes are the printer's own ^BC, told exactly which Code 128 subsets and FNC1 to use.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kiosk.labels import code128, fonts
from kiosk.labels.charsets import covered
from kiosk.labels.code128 import Token, char_value
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
    module_dots,
    qr_module_dots,
    text_box,
)
from kiosk.labels.raster import qr_matrix

_START = {"A": ">9", "B": ">:", "C": ">;"}
_SWITCH = {"C": ">5", "B": ">6", "A": ">7"}
_SUBSET_B_SPECIAL = {">": ">0", "^": "><", "~": ">=", "\x7f": ">1"}  # invocation codes, by symbol value
_FH_ESCAPES = {"^": "\\5E", "~": "\\7E", "\\": "\\5C"}


def code128_field(tokens: tuple[Token, ...]) -> str:
    """^BC field data spelling out the tokens: start and switch invocations, >8 for FNC1, digit pairs."""
    out: list[str] = []
    current = ""
    for token in tokens:
        if token.kind == "start":
            current = token.value
            out.append(_START[current])
        elif token.kind == "switch":
            current = token.value
            out.append(_SWITCH[current])
        elif token.kind == "fnc1":
            out.append(">8")
        elif token.kind == "pair":
            out.append(token.value)
        elif current == "A":
            out.append(f"{char_value(token.value, 'A'):02d}")  # subset A is programmed as value pairs
        else:
            out.append(_SUBSET_B_SPECIAL.get(token.value, token.value))
    return "".join(out)


def field_data(text: str) -> str:
    """^FD with the command characters ^ ~ (and the escape \\ itself) hex-escaped under ^FH."""
    if not any(ch in text for ch in _FH_ESCAPES):
        return f"^FD{text}^FS"
    escaped = "".join(_FH_ESCAPES.get(ch, ch) for ch in text)
    return f"^FH\\^FD{escaped}^FS"


# -- bitmaps ---------------------------------------------------------------------------------------

_LOW_COUNTS = {n: chr(ord("G") + n - 1) for n in range(1, 20)}  # G=1 .. Y=19
_HIGH_COUNTS = {n: chr(ord("g") + n // 20 - 1) for n in range(20, 401, 20)}  # g=20 .. z=400
_RUNS = re.compile(r"(.)\1{2,}")


def _repeat(count: int, ch: str) -> str:
    parts = []
    while count:
        take = min(count, 419)
        high, low = divmod(take, 20)
        parts.append((_HIGH_COUNTS[high * 20] if high else "") + (_LOW_COUNTS[low] if low else "") + ch)
        count -= take
    return "".join(parts)


def compress_hex(data: bytes, row_bytes: int) -> str:
    """ZPL ASCII compression of bitmap rows: repeat counts, ',' for a zero tail, ':' for a repeated row."""
    out: list[str] = []
    previous = None
    for start in range(0, len(data), row_bytes):
        row = data[start : start + row_bytes].hex().upper()
        if row == previous:
            out.append(":")
            continue
        previous = row
        body = row.rstrip("0")
        tail = "," if len(body) < len(row) else ""
        out.append(_RUNS.sub(lambda m: _repeat(len(m.group(0)), m.group(1)), body) + tail)
    return "".join(out)


@lru_cache(maxsize=4096)
def text_graphic(text: str, size_px: int, bold: bool) -> tuple[str, int]:
    """(^GFA command, width in dots) for `text` drawn with our CJK font; 1 bits are ink, as ZPL wants."""
    bitmap = fonts.text_bitmap(text, size_px, bold)
    row_bytes = (bitmap.width + 7) // 8
    data = bitmap.tobytes()
    total = len(data)
    return f"^GFA,{total},{total},{row_bytes},{compress_hex(data, row_bytes)}", bitmap.width


# -- elements --------------------------------------------------------------------------------------


class _Zpl:
    def __init__(self, layout: Layout, dpi: int, cjk_font: str | None, cjk_charset: str) -> None:
        self.layout = layout
        self.dpi = dpi
        self.cjk_font = cjk_font
        self.cjk_charset = cjk_charset
        self.out: list[str] = []

    def text(self, text: str, left: int, top: int, size: int, bold: bool, align: str, box_width: int) -> None:
        if not text:
            return
        if covered(text, "ascii"):
            font = f"^A0N,{size},{size}"
        elif self.cjk_font and covered(text, self.cjk_charset):
            font = f"^A@N,{size},{size},{self.cjk_font}"
        else:
            graphic, width = text_graphic(text, size, bold)
            self.out.append(f"^FO{aligned_left(align, left, box_width, width)},{top}{graphic}^FS")
            return
        block = "" if align == "left" else f"^FB{box_width},1,0,{'C' if align == 'center' else 'R'},0"
        self.out.append(f"^FO{left},{top}{font}{block}{field_data(text)}")

    def element(self, element) -> None:
        dpi = self.dpi
        if isinstance(element, Text):
            left, width = text_box(element, self.layout.width, dpi)
            self.text(element.text, left, dots(element.y, dpi), dots(element.size, dpi), element.bold,
                      element.align, width)
        elif isinstance(element, Barcode128):
            left, top = barcode_left(element, dpi), dots(element.y, dpi)
            field = code128_field(code128.encode(element.data, element.gs1))
            self.out.append(
                f"^FO{left},{top}^BY{module_dots(element.module, dpi)}"
                f"^BCN,{dots(element.height, dpi)},N,N,N^FD{field}^FS"
            )
            if element.human_text:
                self.text(element.human_text, left, dots(element.y + element.height + 0.5, dpi),
                          dots(element.text_size, dpi), False, "center", barcode_width(element, dpi))
        elif isinstance(element, QRCode):
            module = min(10, qr_module_dots(len(qr_matrix(element.data)), element.size, dpi))
            self.out.append(f"^FO{dots(element.x, dpi)},{dots(element.y, dpi)}^BQN,2,{module}"
                            + field_data(f"MA,{element.data}"))
        elif isinstance(element, Line):
            thickness = max(1, dots(element.thickness, dpi))
            x, y = dots(min(element.x1, element.x2), dpi), dots(min(element.y1, element.y2), dpi)
            if element.y1 == element.y2:
                size = f"{dots(abs(element.x2 - element.x1), dpi)},{thickness},{thickness}"
            else:
                size = f"{thickness},{dots(abs(element.y2 - element.y1), dpi)},{thickness}"
            self.out.append(f"^FO{x},{y}^GB{size}^FS")
        elif isinstance(element, Box):
            thickness = max(1, dots(element.thickness, dpi))
            self.out.append(f"^FO{dots(element.x, dpi)},{dots(element.y, dpi)}"
                            f"^GB{dots(element.width, dpi)},{dots(element.height, dpi)},{thickness}^FS")


def render_zpl(
    layout: Layout, dpi: int = 203, cjk_font: str | None = None, cjk_charset: str = "gb18030", copies: int = 1
) -> bytes:
    """The layout as one ZPL II label (^XA .. ^XZ), UTF-8 (^CI28), positions in dots at `dpi`.

    `cjk_font` names a font stored in the printer (used with ^A@); `cjk_charset` is what that
    font covers. Text outside it, or all Chinese when no font is named, goes as a bitmap.
    """
    job = _Zpl(layout, dpi, cjk_font, cjk_charset)
    job.out += ["^XA", "^CI28", f"^PW{dots(layout.width, dpi)}", f"^LL{dots(layout.page_height, dpi)}", "^LH0,0"]
    for element in layout.elements:
        job.element(element)
    if copies > 1:
        job.out.append(f"^PQ{copies}")
    job.out.append("^XZ")
    return ("\n".join(job.out) + "\n").encode("utf-8")
