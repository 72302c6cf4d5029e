"""Command barcodes on paper: one block per command (its name in words, a Code 128 of its code), for the
A4 sheet in the browser and, three to a label, for a station's label printer. Pure layouts, no database."""

from __future__ import annotations

from collections.abc import Sequence

from kiosk.labels.code128 import width_modules
from kiosk.labels.elements import Barcode128, Layout, Line, Text
from kiosk.labels.layout import MARGIN, MODULES_MM, clip

BLOCK_MM = 22.0  # one command: a line of words and the bars under it


def _module(code: str, width: float) -> float:
    """The widest bars that fit `width` (wide bars scan best)."""
    for module in MODULES_MM:
        if width_modules(code) * module <= width:
            return module
    return MODULES_MM[-1]


def command_elements(code: str, label: str, top: float, width: float) -> list:
    inner = width - 2 * MARGIN
    return [
        Text(MARGIN, top, clip(label, 4.2, inner), 4.2, True, width=inner),
        Barcode128(width / 2, top + 5.5, code, 11.0, _module(code, inner - 4), code, align="center", text_size=2.8),
    ]


def command_layout(code: str, label: str, width_mm: float = 90.0) -> Layout:
    """One command alone (the browser sheet shows one image per command)."""
    return Layout(width_mm, BLOCK_MM, tuple(command_elements(code, label, 1.5, width_mm)), name=f"command {code}",
                  bottom_margin=0.0)


def command_labels(entries: Sequence[tuple[str, str]], title: str, width_mm: float = 100.0,
                   height_mm: float = 70.0) -> list[Layout]:
    """Labels for a label printer: a title line, then as many commands as fit, in order."""
    per_label = max(1, int((height_mm - MARGIN - 6) // BLOCK_MM))
    layouts = []
    for start in range(0, len(entries), per_label):
        chunk = entries[start:start + per_label]
        inner = width_mm - 2 * MARGIN
        elements: list = [Text(MARGIN, MARGIN, clip(title, 3.2, inner), 3.2, width=inner),
                          Line(MARGIN, MARGIN + 4.5, width_mm - MARGIN, MARGIN + 4.5, 0.3)]
        for index, (code, label) in enumerate(chunk):
            elements += command_elements(code, label, MARGIN + 6 + index * BLOCK_MM, width_mm)
        layouts.append(Layout(width_mm, height_mm, tuple(elements), name=f"commands {start // per_label + 1}"))
    return layouts
