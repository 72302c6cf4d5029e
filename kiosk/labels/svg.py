"""Layouts as SVG, for a crisp browser preview at any zoom (the PNG is what printers get as dots).

Units are millimetres. Bars use the module width in whole printer dots at `dpi`, like the printers.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from kiosk.labels import code128
from kiosk.labels.elements import (
    MM_PER_INCH,
    Barcode128,
    Box,
    Layout,
    Line,
    QRCode,
    Text,
    barcode_left,
    module_dots,
    qr_module_dots,
)
from kiosk.labels.fonts import BASELINE
from kiosk.labels.raster import qr_matrix

FONT_FAMILY = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', sans-serif"
_ANCHOR = {"left": "start", "center": "middle", "right": "end"}


def _n(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, text: str, size: float, bold: bool, anchor: str) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (f'<text x="{_n(x)}" y="{_n(y + size * BASELINE)}" font-size="{_n(size)}"{weight} '
            f'text-anchor="{anchor}">{escape(text)}</text>')


def render_svg(layout: Layout, dpi: int = 203) -> bytes:
    """The layout as a standalone SVG document (UTF-8), black on white."""
    width, height = layout.width, layout.page_height
    dot = MM_PER_INCH / dpi
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}mm" height="{_n(height)}mm" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" font-family={quoteattr(FONT_FAMILY)}>',
        f'<rect width="{_n(width)}" height="{_n(height)}" fill="white"/>',
        '<g fill="black">',
    ]
    for element in layout.elements:
        if isinstance(element, Text) and element.text:
            box = element.width if element.width is not None else width - element.x
            x = {"left": element.x, "center": element.x + box / 2, "right": element.x + box}[element.align]
            parts.append(_text(x, element.y, element.text, element.size, element.bold, _ANCHOR[element.align]))
        elif isinstance(element, Barcode128):
            module = module_dots(element.module, dpi) * dot
            left = barcode_left(element, dpi) * dot
            bars = code128.pattern(element.data, element.gs1)
            path = []
            i = 0
            while i < len(bars):
                if bars[i] == "1":
                    j = bars.index("0", i) if "0" in bars[i:] else len(bars)
                    path.append(f"M{_n(left + i * module)} {_n(element.y)}h{_n((j - i) * module)}"
                                f"v{_n(element.height)}h{_n(-(j - i) * module)}z")
                    i = j
                else:
                    i += 1
            parts.append(f'<path d="{"".join(path)}"/>')
            if element.human_text:
                centre = left + len(bars) * module / 2
                parts.append(_text(centre, element.y + element.height + 0.5, element.human_text,
                                   element.text_size, False, "middle"))
        elif isinstance(element, QRCode):
            matrix = qr_matrix(element.data)
            module = qr_module_dots(len(matrix), element.size, dpi) * dot
            path = [
                f"M{_n(element.x + c * module)} {_n(element.y + r * module)}h{_n(module)}v{_n(module)}h{_n(-module)}z"
                for r, row in enumerate(matrix)
                for c, dark in enumerate(row)
                if dark
            ]
            parts.append(f'<path d="{"".join(path)}"/>')
        elif isinstance(element, Line):
            parts.append(f'<line x1="{_n(element.x1)}" y1="{_n(element.y1)}" x2="{_n(element.x2)}" '
                         f'y2="{_n(element.y2)}" stroke="black" stroke-width="{_n(element.thickness)}"/>')
        elif isinstance(element, Box):
            t = element.thickness
            parts.append(f'<rect x="{_n(element.x + t / 2)}" y="{_n(element.y + t / 2)}" '
                         f'width="{_n(element.width - t)}" height="{_n(element.height - t)}" fill="none" '
                         f'stroke="black" stroke-width="{_n(t)}"/>')
    parts.append("</g></svg>")
    return "\n".join(parts).encode("utf-8")
