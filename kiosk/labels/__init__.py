"""Printed documents: printer-neutral layouts and pure renderers from a layout to printer bytes.

    layout = carton_label_layout(doc, "zh")
    payload = render(layout, printer.language, printer.options)   # bytes for hardware/ to send
    png = render_png(layout)                                         # browser preview

Renderers never touch a device; `hardware/` sends what they return.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from kiosk.labels.delivery_note import delivery_note_layout as delivery_note_layout
from kiosk.labels.documents import CartonDoc, JobCardDoc, ManifestDoc, ManifestLine, PickLine, PickListDoc
from kiosk.labels.elements import Barcode128, Box, Layout, Line, QRCode, Text
from kiosk.labels.escpos_receipt import render_escpos
from kiosk.labels.fonts import FontMissing
from kiosk.labels.layout import (
    carton_label_layout,
    gs1_logistic_label_layout,
    job_card_layout,
    manifest_layout,
    pick_list_layout,
    printer_test_layout,
)
from kiosk.labels.raster import render_png
from kiosk.labels.readback import printed_image
from kiosk.labels.sscc import make_sscc, validate_sscc
from kiosk.labels.svg import render_svg
from kiosk.labels.tspl import render_tspl
from kiosk.labels.zpl import render_zpl

LANGUAGES: dict[str, Callable[..., bytes]] = {"zpl": render_zpl, "tspl": render_tspl, "escpos": render_escpos}

__all__ = [
    "LANGUAGES",
    "Barcode128",
    "Box",
    "CartonDoc",
    "FontMissing",
    "JobCardDoc",
    "Layout",
    "Line",
    "ManifestDoc",
    "ManifestLine",
    "PickLine",
    "PickListDoc",
    "QRCode",
    "Text",
    "carton_label_layout",
    "gs1_logistic_label_layout",
    "job_card_layout",
    "make_sscc",
    "manifest_layout",
    "pick_list_layout",
    "printed_image",
    "render",
    "render_escpos",
    "render_png",
    "render_svg",
    "render_tspl",
    "render_zpl",
    "renderer_options",
    "printer_test_layout",
    "validate_sscc",
]


def renderer_options(language: str) -> tuple[str, ...]:
    """The option names a printer language's renderer takes (what Printer.options may set)."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown printer language {language!r}; use one of {sorted(LANGUAGES)}")
    return tuple(name for name in inspect.signature(LANGUAGES[language]).parameters if name != "layout")


def render(layout: Layout, language: str, options: Mapping[str, Any] | None = None) -> bytes:
    """`layout` in printer `language` ("zpl", "tspl", "escpos") with the printer's options.

    Options that are not the renderer's (a transport timeout, say) are left for others and ignored.
    """
    known = renderer_options(language)
    chosen = {key: value for key, value in (options or {}).items() if key in known}
    return LANGUAGES[language](layout, **chosen)
