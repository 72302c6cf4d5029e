"""Layouts drawn as bitmaps: the PNG preview, and the pieces printers get as images.

Every bitmap here is Pillow mode "1" with 1 = ink, so one drawing serves the browser preview
(inverted to black on white) and the printers' bitmap commands alike. Bars are whole dots wide,
so what is drawn is what a scanner reads.
"""

from __future__ import annotations

import io
from functools import lru_cache

import qrcode
from PIL import Image, ImageChops, ImageDraw

from kiosk.labels import code128, fonts
from kiosk.labels.elements import (
    Barcode128,
    Box,
    Element,
    Layout,
    Line,
    QRCode,
    Text,
    aligned_left,
    barcode_left,
    dots,
    module_dots,
    qr_module_dots,
    text_box,
)

INK = 255


@lru_cache(maxsize=1024)
def qr_matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    """The QR modules for `data` (error correction M, no quiet zone), smallest version that fits."""
    qr = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(data)
    qr.make(fit=True)
    return tuple(tuple(row) for row in qr.get_matrix())


def draw_bars(canvas: Image.Image, x: int, y: int, bars: str, module: int, height: int) -> None:
    """Draw a module pattern ('1' bar, '0' space) at (x, y), `module` dots per module."""
    draw = ImageDraw.Draw(canvas)
    i = 0
    while i < len(bars):
        if bars[i] == "1":
            j = i
            while j < len(bars) and bars[j] == "1":
                j += 1
            draw.rectangle((x + i * module, y, x + j * module - 1, y + height - 1), fill=INK)
            i = j
        else:
            i += 1


def draw_qr(canvas: Image.Image, x: int, y: int, matrix: tuple[tuple[bool, ...], ...], module: int) -> None:
    draw = ImageDraw.Draw(canvas)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                draw.rectangle(
                    (x + c * module, y + r * module, x + (c + 1) * module - 1, y + (r + 1) * module - 1), fill=INK
                )


def paste_ink(canvas: Image.Image, bitmap: Image.Image, x: int, y: int) -> None:
    canvas.paste(INK, (x, y), bitmap)


def text_left(text: Text, bitmap_width: int, layout_width: float, dpi: int) -> int:
    """Where the text's bitmap starts, in dots, for its alignment inside its box."""
    return aligned_left(text.align, *text_box(text, layout_width, dpi), bitmap_width)


def text_image(text: Text, dpi: int) -> Image.Image:
    return fonts.text_bitmap(text.text, dots(text.size, dpi), text.bold)


def human_text_position(barcode: Barcode128, bitmap_width: int, dpi: int) -> tuple[int, int]:
    """Top-left of the human-readable line, centred under the bars."""
    left = barcode_left(barcode, dpi)
    width = code128.width_modules(barcode.data, barcode.gs1) * module_dots(barcode.module, dpi)
    return left + (width - bitmap_width) // 2, dots(barcode.y + barcode.height + 0.5, dpi)


def draw_element(canvas: Image.Image, element: Element, layout: Layout, dpi: int) -> None:
    if isinstance(element, Text):
        if element.text:
            bitmap = text_image(element, dpi)
            paste_ink(canvas, bitmap, text_left(element, bitmap.width, layout.width, dpi), dots(element.y, dpi))
    elif isinstance(element, Barcode128):
        module = module_dots(element.module, dpi)
        draw_bars(
            canvas,
            barcode_left(element, dpi),
            dots(element.y, dpi),
            code128.pattern(element.data, element.gs1),
            module,
            dots(element.height, dpi),
        )
        if element.human_text:
            bitmap = fonts.text_bitmap(element.human_text, dots(element.text_size, dpi))
            paste_ink(canvas, bitmap, *human_text_position(element, bitmap.width, dpi))
    elif isinstance(element, QRCode):
        matrix = qr_matrix(element.data)
        module = qr_module_dots(len(matrix), element.size, dpi)
        draw_qr(canvas, dots(element.x, dpi), dots(element.y, dpi), matrix, module)
    elif isinstance(element, Line):
        thickness = max(1, dots(element.thickness, dpi))
        x1, y1 = dots(element.x1, dpi), dots(element.y1, dpi)
        x2, y2 = dots(element.x2, dpi), dots(element.y2, dpi)
        if y1 == y2:
            box = (min(x1, x2), y1, max(x1, x2) - 1, y1 + thickness - 1)
        else:
            box = (x1, min(y1, y2), x1 + thickness - 1, max(y1, y2) - 1)
        ImageDraw.Draw(canvas).rectangle(box, fill=INK)
    elif isinstance(element, Box):
        thickness = max(1, dots(element.thickness, dpi))
        x, y = dots(element.x, dpi), dots(element.y, dpi)
        w, h = dots(element.width, dpi), dots(element.height, dpi)
        ImageDraw.Draw(canvas).rectangle((x, y, x + w - 1, y + h - 1), outline=INK, width=thickness)


def render_ink(layout: Layout, dpi: int = 203) -> Image.Image:
    """The whole layout as a mode "1" image, 1 = ink, one pixel per printer dot."""
    canvas = Image.new("1", (dots(layout.width, dpi), dots(layout.page_height, dpi)), 0)
    for element in layout.elements:
        draw_element(canvas, element, layout, dpi)
    return canvas


def to_paper(ink: Image.Image) -> Image.Image:
    """Black ink on white paper, as people and scanners see it."""
    return ImageChops.invert(ink)


def render_png(layout: Layout, dpi: int = 203) -> bytes:
    """The layout as a 1-bit PNG at the printer's resolution: the browser preview of a label."""
    out = io.BytesIO()
    to_paper(render_ink(layout, dpi)).save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue()
