"""Layouts as ESC/POS for 80 mm receipt printers, built with python-escpos's Dummy printer.

A receipt printer prints line by line, so the layout is read as rows: texts sharing a `y` become
one line, spaced into columns. Chinese prints in the printer's Chinese mode (FS &, GB18030 bytes,
FS .) or, per printer, as a raster image of the line; a line with a character the printer's
GB18030 font lacks is always rastered, so it never prints as '?'. python-escpos has no call for
the Chinese-mode commands, so those and the GB18030 bytes go through its `_raw`.
"""

from __future__ import annotations

from functools import lru_cache

from escpos.constants import FS, QR_ECLEVEL_M
from escpos.printer import Dummy
from PIL import Image

from kiosk.labels import code128, fonts
from kiosk.labels.charsets import covered
from kiosk.labels.code128 import Token
from kiosk.labels.elements import (
    Barcode128,
    Box,
    Element,
    Layout,
    Line,
    QRCode,
    Text,
    aligned_left,
    module_dots,
    qr_module_dots,
)
from kiosk.labels.raster import INK, draw_bars, draw_qr, qr_matrix, to_paper

CHINESE_ON = FS + b"&"  # FS & - select Chinese (Kanji) character mode
CHINESE_OFF = FS + b"."  # FS . - cancel it
CHINESE_MODES = ("gb18030", "raster")
DRAWING_MODES = ("native", "raster")  # barcodes and QR codes: the printer's own commands, or images
DEFAULT_PROFILE = "TM-T20II"  # 80 mm paper, 576 dots at 203 dpi, hardware Code 128 and QR
DPI = 203
FONT_A_DOTS = 12  # font A is 12 x 24 dots; a Chinese character takes two columns
LINE_MM = 3.75  # one printed line (30 dots) in layout millimetres, for blank-line gaps
BODY_MM = 3.0  # layout text size that prints at normal size


def code128_data(tokens: tuple[Token, ...]) -> str:
    """GS k (m=73) data for the tokens: {A {B {C select a subset, {1 is FNC1, C pairs are byte values."""
    out: list[str] = []
    for token in tokens:
        if token.kind in ("start", "switch"):
            out.append("{" + token.value)
        elif token.kind == "fnc1":
            out.append("{1")
        elif token.kind == "pair":
            out.append(chr(int(token.value)))
        else:
            out.append("{{" if token.value == "{" else token.value)
    return "".join(out)


def columns(text: str) -> int:
    """Width in font-A columns: ASCII one, anything printed from the Chinese font two."""
    return sum(1 if ord(ch) < 0x80 else 2 for ch in text)


# Images go through python-escpos's image() once, on a scratch Dummy, and the bytes it makes are
# kept: most rows of a carton label repeat from carton to carton, and its image path is slow.


def _image_bytes(profile: str, image: Image.Image, width_dots: int, center: bool) -> bytes:
    """GS v 0 bytes for an ink image; centring is done here, as python-escpos prints when it cannot."""
    if center and image.width < width_dots:
        padded = Image.new("1", (width_dots, image.height), 0)
        padded.paste(image, ((width_dots - image.width) // 2, 0))
        image = padded
    scratch = Dummy(profile=profile)
    scratch.image(to_paper(image), impl="bitImageRaster")
    return scratch.output


@lru_cache(maxsize=2048)
def _raster_row(profile: str, width_dots: int, size_px: int, placed: tuple) -> bytes:
    row = Image.new("1", (width_dots, fonts.line_height_px(size_px)), 0)
    for text, bold, align, left, width in placed:
        bitmap = fonts.text_bitmap(text, size_px, bold)
        row.paste(INK, (min(aligned_left(align, left, width, bitmap.width), width_dots - 1), 0), bitmap)
    return _image_bytes(profile, row, width_dots, center=False)


@lru_cache(maxsize=1024)
def _raster_barcode(profile: str, width_dots: int, data: str, gs1: bool, module: int, height: int) -> bytes:
    bars = code128.pattern(data, gs1)
    quiet = code128.QUIET_ZONE_MODULES * module
    image = Image.new("1", (len(bars) * module + 2 * quiet, height), 0)
    draw_bars(image, quiet, 0, bars, module, height)
    return _image_bytes(profile, image, width_dots, center=True)


@lru_cache(maxsize=256)
def _raster_qr(profile: str, width_dots: int, data: str, module: int) -> bytes:
    matrix = qr_matrix(data)
    quiet = 4 * module
    image = Image.new("1", (len(matrix) * module + 2 * quiet,) * 2, 0)
    draw_qr(image, quiet, quiet, matrix, module)
    return _image_bytes(profile, image, width_dots, center=True)


def _row_key(element: Element) -> tuple[float, int, float]:
    if isinstance(element, Text):
        return element.y, 0, element.x
    if isinstance(element, Line):
        return min(element.y1, element.y2), 1, min(element.x1, element.x2)
    return element.y, 1, element.x


class _Receipt:
    def __init__(self, layout: Layout, chinese: str, profile: str, barcodes: str, qr: str) -> None:
        if chinese not in CHINESE_MODES:
            raise ValueError(f"chinese must be one of {CHINESE_MODES}, not {chinese!r}")
        for name, value in (("barcodes", barcodes), ("qr", qr)):
            if value not in DRAWING_MODES:
                raise ValueError(f"{name} must be one of {DRAWING_MODES}, not {value!r}")
        self.layout = layout
        self.chinese = chinese
        self.barcodes = barcodes
        self.qr_mode = qr
        self.printer = Dummy(profile=profile)
        pixels = self.printer.profile.profile_data.get("media", {}).get("width", {}).get("pixels")
        self.width_dots = pixels if isinstance(pixels, int) else 576
        # image() print()s a warning for profiles without a paper width; the GS v 0 bytes it makes
        # do not depend on the profile, so images are made with one that has a width
        self.profile = profile if isinstance(pixels, int) else DEFAULT_PROFILE
        self.total_columns = self.width_dots // FONT_A_DOTS
        self.style: tuple[int, bool, str] = (1, False, "left")

    def set_style(self, scale: int, bold: bool, align: str) -> None:
        current_scale, current_bold, current_align = self.style
        if scale != current_scale:
            self.printer.set(custom_size=True, width=scale, height=scale)
        if bold != current_bold:
            self.printer.set(bold=bold)
        if align != current_align:
            self.printer.set(align=align)
        self.style = (scale, bold, align)

    def text_row(self, texts: list[Text]) -> None:
        scale = max(1, min(8, max(round(t.size / BODY_MM) for t in texts)))
        bold = any(t.bold for t in texts)
        full_line = "".join(t.text for t in texts)
        if (self.chinese == "raster" and not covered(full_line, "ascii")) or not covered(full_line, "gb18030"):
            self.raster_row(texts, scale)
            return
        if len(texts) == 1 and texts[0].align != "left":
            self.set_style(scale, bold, texts[0].align)
            line = texts[0].text
        else:
            self.set_style(scale, bold, "left")
            line = self.compose(texts, self.total_columns // scale)
        if covered(line, "ascii"):
            self.printer.text(line + "\n")
        else:
            self.printer._raw(CHINESE_ON + line.encode("gb18030") + CHINESE_OFF)
            self.printer.text("\n")

    def compose(self, texts: list[Text], cols: int) -> str:
        """Texts of one row placed at their columns (scaled from the layout's width), spaces between."""
        per_mm = cols / self.layout.width
        line, used = "", 0
        for text in sorted(texts, key=lambda t: t.x):
            width = text.width if text.width is not None else self.layout.width - text.x
            start = aligned_left(text.align, round(text.x * per_mm), round(width * per_mm), columns(text.text))
            start = max(start, used + 1 if line else start)
            line += " " * (start - used) + text.text
            used = start + columns(text.text)
        return line

    def raster_row(self, texts: list[Text], scale: int) -> None:
        """The row drawn with our CJK font as a full-width image, at the printer's own text size."""
        per_mm = self.width_dots / self.layout.width
        placed = []
        for text in texts:
            width = text.width if text.width is not None else self.layout.width - text.x
            placed.append((text.text, text.bold, text.align, round(text.x * per_mm), round(width * per_mm)))
        self.set_style(1, False, "left")
        self.printer._raw(_raster_row(self.profile, self.width_dots, 24 * scale, tuple(placed)))

    def barcode(self, barcode: Barcode128) -> None:
        height = max(1, min(255, round(barcode.height * DPI / 25.4)))
        tokens = code128.encode(barcode.data, barcode.gs1)
        # the widest bars (2 to 6 dots for the printer's own command) that fit the paper with quiet zones
        modules = code128.width_modules(barcode.data, barcode.gs1) + 2 * code128.QUIET_ZONE_MODULES
        module = max(1, min(6, module_dots(barcode.module, DPI), self.width_dots // modules))
        if self.barcodes == "raster" or module < 2:
            self.set_style(1, False, "left")
            self.printer._raw(_raster_barcode(self.profile, self.width_dots, barcode.data, barcode.gs1, module,
                                              height))
        else:
            # _hw_barcode is what barcode() calls after print()ing its choice to stdout
            self.printer._hw_barcode(code128_data(tokens), "CODE128", height=height, width=module, pos="OFF",
                                     align_ct=True, function_type="B", check=True)
            self.style = (self.style[0], self.style[1], "center")
        if barcode.human_text:
            self.text_row([Text(0, barcode.y, barcode.human_text, BODY_MM, align="center")])

    def qr(self, qr: QRCode) -> None:
        matrix = qr_matrix(qr.data)
        module = max(1, min(16, qr_module_dots(len(matrix), qr.size, DPI)))
        if self.qr_mode == "raster":
            self.set_style(1, False, "left")
            self.printer._raw(_raster_qr(self.profile, self.width_dots, qr.data, module))
        else:
            self.set_style(1, False, "center")
            self.printer.qr(qr.data, ec=QR_ECLEVEL_M, size=module, native=True)

    def render(self, cut: bool) -> bytes:
        self.printer.hw("INIT")
        printed_to = 0.0
        rows: list[list[Element]] = []
        for element in sorted(self.layout.elements, key=_row_key):
            same_row = rows and isinstance(element, Text) and isinstance(rows[-1][0], Text)
            if same_row and abs(rows[-1][0].y - element.y) < 0.05:
                rows[-1].append(element)
            else:
                rows.append([element])
        for row in rows:
            first = row[0]
            top = _row_key(first)[0]
            if isinstance(first, Line) and first.y1 != first.y2 or isinstance(first, Box):
                continue  # vertical rules and boxes are decoration a line printer cannot draw
            gap = int((top - printed_to) // LINE_MM)
            if gap > 0:
                self.printer.ln(gap)
            if isinstance(first, Text):
                self.text_row(row)  # type: ignore[arg-type]
            elif isinstance(first, Barcode128):
                self.barcode(first)
            elif isinstance(first, QRCode):
                self.qr(first)
            elif isinstance(first, Line):
                self.set_style(1, False, "left")
                self.printer.text("-" * self.total_columns + "\n")
            printed_to = max(printed_to, max(element.bottom for element in row))
        self.set_style(1, False, "left")
        if cut:
            self.printer.cut()
        return self.printer.output


def render_escpos(
    layout: Layout,
    chinese: str = "gb18030",
    profile: str = DEFAULT_PROFILE,
    barcodes: str = "native",
    qr: str = "native",
    cut: bool = True,
) -> bytes:
    """The layout as ESC/POS bytes for an 80 mm receipt printer (nothing is printed to stdout).

    chinese: "gb18030" uses the printer's Chinese mode, "raster" prints Chinese lines as images.
    barcodes / qr: "native" uses the printer's own Code 128 and QR commands, "raster" sends images
    (for printers without them). `profile` is a python-escpos printer profile name.
    """
    return _Receipt(layout, chinese, profile, barcodes, qr).render(cut)
