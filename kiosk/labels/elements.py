"""The printer-neutral drawing a layout builder makes and every renderer reads.

Everything is in millimetres from the top-left corner. A label has a fixed size; a receipt
(height None) is as long as its content. Renderers turn millimetres into their printer's dots.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field

from kiosk.labels import code128

MM_PER_INCH = 25.4
RECEIPT_WIDTH_MM = 72.0  # printable width of 80 mm paper: 576 dots at 203 dpi
TEXT_LINE_FACTOR = 1.25  # line pitch of a text row as a multiple of its size
ALIGNS = ("left", "center", "right")


@dataclass(frozen=True)
class Text:
    """One line of text. `y` is the top of the line, `size` the character height (em) in mm.

    `align` places the text inside a box from `x` that is `width` wide (None: to the right edge).
    """

    x: float
    y: float
    text: str
    size: float = 3.0
    bold: bool = False
    align: str = "left"
    width: float | None = None

    def __post_init__(self) -> None:
        if self.align not in ALIGNS:
            raise ValueError(f"align must be one of {ALIGNS}, not {self.align!r}")
        # a line is a line: tabs and newlines would move the printer's cursor behind our back
        clean = " ".join(self.text.split()) if any(ch in self.text for ch in "\t\r\n\v\f") else self.text
        object.__setattr__(self, "text", clean)

    @property
    def bottom(self) -> float:
        return self.y + self.size * TEXT_LINE_FACTOR


@dataclass(frozen=True)
class Barcode128:
    """A Code 128 barcode; with gs1=True an FNC1 leads the data (GS1-128, e.g. "00" + SSCC).

    `x` is the left edge, or the centre when align="center". `module` is the narrowest bar in mm.
    `human_text`, if any, is printed centred under the bars at `text_size`.
    """

    x: float
    y: float
    data: str
    height: float = 12.0
    module: float = 0.375
    human_text: str | None = None
    gs1: bool = False
    align: str = "left"
    text_size: float = 3.0

    def __post_init__(self) -> None:
        code128.check_data(self.data)
        if self.align not in ("left", "center"):
            raise ValueError(f"barcode align must be left or center, not {self.align!r}")

    @property
    def bottom(self) -> float:
        extra = self.text_size * TEXT_LINE_FACTOR + 0.5 if self.human_text else 0.0
        return self.y + self.height + extra


@dataclass(frozen=True)
class QRCode:
    """A QR code about `size` mm square (whole dots per module, so it can come out a little smaller)."""

    x: float
    y: float
    data: str
    size: float = 20.0

    @property
    def bottom(self) -> float:
        return self.y + self.size


@dataclass(frozen=True)
class Line:
    """A straight rule, horizontal or vertical."""

    x1: float
    y1: float
    x2: float
    y2: float
    thickness: float = 0.3

    def __post_init__(self) -> None:
        if self.x1 != self.x2 and self.y1 != self.y2:
            raise ValueError("lines are horizontal or vertical")

    @property
    def bottom(self) -> float:
        return max(self.y1, self.y2) + self.thickness


@dataclass(frozen=True)
class Box:
    """A rectangle outline; thickness grows inwards."""

    x: float
    y: float
    width: float
    height: float
    thickness: float = 0.3

    @property
    def bottom(self) -> float:
        return self.y + self.height


Element = Text | Barcode128 | QRCode | Line | Box


@dataclass(frozen=True)
class Layout:
    """A whole document: paper width, height (None for a receipt that runs as long as it needs)."""

    width: float
    height: float | None
    elements: tuple[Element, ...] = field(default=())
    name: str = ""
    bottom_margin: float = 4.0

    @property
    def is_receipt(self) -> bool:
        return self.height is None

    @property
    def page_height(self) -> float:
        """The label height, or for a receipt the content height plus a margin."""
        if self.height is not None:
            return self.height
        return max((el.bottom for el in self.elements), default=0.0) + self.bottom_margin


# -- measuring, shared by builders and renderers ---------------------------------------------------


def is_wide(ch: str) -> bool:
    """Chinese characters and full-width forms take a whole em; Latin letters about half."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def estimate_width(text: str, size: float) -> float:
    """A font-independent guess at the width of `text` in mm, used to fit and wrap text."""
    return size * sum(1.0 if is_wide(ch) else 0.55 for ch in text)


def dots(mm: float, dpi: int) -> int:
    return round(mm * dpi / MM_PER_INCH)


def module_dots(module_mm: float, dpi: int) -> int:
    """A barcode module in whole dots (bars must be whole dots to scan), at least one."""
    return max(1, round(module_mm * dpi / MM_PER_INCH))


def barcode_left(barcode: Barcode128, dpi: int) -> int:
    """Left edge of the bars in dots, honouring align="center"."""
    if barcode.align == "center":
        width = code128.width_modules(barcode.data, barcode.gs1) * module_dots(barcode.module, dpi)
        return max(0, dots(barcode.x, dpi) - width // 2)
    return dots(barcode.x, dpi)


def barcode_width(barcode: Barcode128, dpi: int) -> int:
    return code128.width_modules(barcode.data, barcode.gs1) * module_dots(barcode.module, dpi)


def qr_module_dots(modules: int, size_mm: float, dpi: int) -> int:
    return max(1, math.floor(dots(size_mm, dpi) / modules))


def text_box(text: Text, layout_width: float, dpi: int) -> tuple[int, int]:
    """(left, width) in dots of the box a text is aligned in."""
    width = text.width if text.width is not None else layout_width - text.x
    return dots(text.x, dpi), dots(width, dpi)


def aligned_left(align: str, box_left: int, box_width: int, text_width: int) -> int:
    """Left edge of a text `text_width` dots wide aligned inside a box (too wide: from the box's left)."""
    if text_width >= box_width:
        return box_left
    if align == "center":
        return box_left + (box_width - text_width) // 2
    if align == "right":
        return box_left + box_width - text_width
    return box_left
