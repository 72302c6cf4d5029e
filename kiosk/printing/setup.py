"""Setting printers up: name, address (URI), language and options, checked before they are saved,
and which printer each station uses.

Plain Python over the models; the printers page calls these. Every refusal is a `PrinterSetupError`
whose message says what is wrong and how to write it instead, in the reader's language.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from db import write_transaction
from db.models import Printer, Station
from hardware.transports import PrinterURIError, TransportUnavailable, open_transport
from kiosk import labels
from kiosk.core import plant
from kiosk.i18n import Msg, msg
from kiosk.labels.charsets import CHARSETS
from kiosk.printing.documents import SIZE_OPTIONS

LANGUAGES = ("escpos", "zpl", "tspl")
LANGUAGE_NAMES = {
    "escpos": "ESC/POS receipt printer",
    "zpl": "ZPL label printer (Zebra)",
    "tspl": "TSPL label printer (TSC, Xprinter, Gprinter)",
}
OPTION_EXAMPLES = {
    "escpos": '{"chinese": "gb18030"}',
    "zpl": '{"dpi": 203, "cjk_font": "E:SIMSUN.FNT"}',
    "tspl": '{"cjk_font": "TSS24.BF2", "cjk_charset": "gb2312"}',
}
FONT_NAME = re.compile(r"^[A-Za-z0-9:._-]{1,32}$")
MAX_NAME = 64
MAX_URI = 256


class PrinterSetupError(ValueError):
    """A printer set-up that cannot be saved as given; `message` says why and what to write."""

    def __init__(self, message: Msg):
        super().__init__(message.key)
        self.message = message


@dataclass
class PrinterInput:
    """The printer form as typed: options are JSON text (empty for none)."""

    name: str
    uri: str
    language: str
    options: str = ""


@dataclass
class Saved:
    """A saved printer, and a warning when it cannot print from this server yet (a missing extra)."""

    printer: Printer
    warning: Msg | None = None


def _clean(text: Any, limit: int) -> str:
    return "".join(ch for ch in str(text or "") if ch.isprintable()).strip()[:limit]


# -- checking --------------------------------------------------------------------------------------


def known_options(language: str) -> tuple[str, ...]:
    """The option names a printer in `language` takes: its renderer's, and the label sizes."""
    return labels.renderer_options(language) + tuple(SIZE_OPTIONS)


def _whole(option: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise PrinterSetupError(msg("Option {option} must be a whole number from {low} to {high}.",
                                    option=option, low=low, high=high))
    return value


def _number(option: str, value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise PrinterSetupError(msg("Option {option} must be a number from {low} to {high}.",
                                    option=option, low=low, high=high))
    return value


def _choice(option: str, value: Any, choices: tuple) -> Any:
    if value not in choices:
        raise PrinterSetupError(msg("Option {option} must be one of: {choices}.", option=option,
                                    choices=", ".join(str(c) for c in choices)))
    return value


def check_option(language: str, option: str, value: Any) -> Any:
    """One option's value, or PrinterSetupError saying what it may be."""
    from escpos.capabilities import CAPABILITIES

    from kiosk.labels.escpos_receipt import CHINESE_MODES, DRAWING_MODES

    if option == "dpi":
        return _whole(option, value, 100, 600)
    if option == "copies":
        return _whole(option, value, 1, 99)
    if option == "direction":
        return _choice(option, value, (0, 1))
    if option == "gap_mm":
        return _number(option, value, 0, 20)
    if option == "cjk_charset":
        return _choice(option, value, CHARSETS)
    if option == "chinese":
        return _choice(option, value, CHINESE_MODES)
    if option in ("barcodes", "qr"):
        return _choice(option, value, DRAWING_MODES)
    if option == "cut":
        if not isinstance(value, bool):
            raise PrinterSetupError(msg("Option {option} must be true or false.", option=option))
        return value
    if option == "cjk_font":
        if value is None or (isinstance(value, str) and FONT_NAME.match(value)):
            return value
        example = "TSS24.BF2" if language == "tspl" else "E:SIMSUN.FNT"
        raise PrinterSetupError(msg("Option {option} must be a font stored in the printer, such as {example} "
                                    "(letters, digits and : . _ - only), or null.", option=option,
                                    example=example))
    if option == "profile":
        if isinstance(value, str) and value in CAPABILITIES["profiles"]:
            return value
        raise PrinterSetupError(msg("Option {option} must be a receipt printer profile such as {example}.",
                                    option=option, example="TM-T20II, RP-F10-80mm, POS-5890"))
    if option in SIZE_OPTIONS:
        if (isinstance(value, list) and len(value) == 2
                and all(not isinstance(v, bool) and isinstance(v, int | float) and 20 <= v <= 300 for v in value)):
            return [float(v) for v in value]
        raise PrinterSetupError(msg("Option {option} must be [width, height] in mm, each from {low} to {high}.",
                                    option=option, low=20, high=300))
    return value


def parse_options(text: str, language: str) -> dict[str, Any] | None:
    """The options JSON for a printer in `language`, checked name by name; None when empty."""
    text = (text or "").strip()
    if not text:
        return None
    example = OPTION_EXAMPLES[language]
    try:
        options = json.loads(text)
    except ValueError as error:
        line, column = getattr(error, "lineno", 1), getattr(error, "colno", 1)
        raise PrinterSetupError(msg("The options are not valid JSON (line {line}, column {column}) - write "
                                    "them like {example}", line=line, column=column, example=example)) from None
    if not isinstance(options, dict):
        raise PrinterSetupError(msg("The options must be a JSON object in braces, like {example}", example=example))
    known = known_options(language)
    for option in options:
        if option not in known:
            raise PrinterSetupError(msg("A {language} printer has no option {option} - known options: {known}",
                                        language=msg(LANGUAGE_NAMES[language]), option=_clean(option, 40),
                                        known=", ".join(known)))
    return {option: check_option(language, option, value) for option, value in options.items()} or None


def check_printer(data: PrinterInput, printer: Printer | None = None) -> tuple[str, str, str, dict | None, Msg | None]:
    """(name, uri, language, options, warning) ready to save, or PrinterSetupError for the first problem."""
    name = _clean(data.name, MAX_NAME + 1)
    if not name or len(name) > MAX_NAME:
        raise PrinterSetupError(msg("Give the printer a name of up to {max} characters, e.g. packing-label.",
                                    max=MAX_NAME))
    taken = Printer.select().where(Printer.name == name)
    if printer is not None:
        taken = taken.where(Printer.id != printer.id)
    if taken.exists():
        raise PrinterSetupError(msg("A printer called {name} already exists - choose another name.", name=name))
    uri = _clean(data.uri, MAX_URI + 1)
    if not uri or len(uri) > MAX_URI:
        raise PrinterSetupError(msg("Write the printer's address, e.g. tcp://192.168.1.50:9100 (up to {max} "
                                    "characters).", max=MAX_URI))
    warning = None
    try:
        open_transport(uri)  # checks the address and the optional extras; no I/O
    except TransportUnavailable as missing:
        warning = Msg(missing.message, dict(missing.params))
    except PrinterURIError as error:
        raise PrinterSetupError(Msg(error.message, dict(error.params))) from None
    language = _clean(data.language, 8)
    if language not in LANGUAGES:
        raise PrinterSetupError(msg("Choose the printer's language: ESC/POS for receipt printers, ZPL for Zebra, "
                                    "TSPL for TSC, Xprinter and Gprinter label printers."))
    options = parse_options(data.options, language)
    try:  # the values passed one by one; this catches what only the renderer knows
        labels.render(labels.printer_test_layout("en", name), language, options)
    except Exception as error:  # noqa: BLE001 - any failure means these options cannot print
        raise PrinterSetupError(msg("These options cannot print a test label: {detail}",
                                    detail=str(error)[:120])) from None
    return name, uri, language, options, warning


# -- saving ----------------------------------------------------------------------------------------


def add_printer(data: PrinterInput) -> Saved:
    with write_transaction():
        name, uri, language, options, warning = check_printer(data)
        printer = Printer.create(name=name, uri=uri, language=language, options=options)
    return Saved(printer, warning)


def update_printer(printer: Printer, data: PrinterInput) -> Saved:
    """Change a printer; a new name is followed by the stations that use it. Queued jobs keep waiting for it."""
    with write_transaction():
        printer = Printer.get_by_id(printer.id)
        name, uri, language, options, warning = check_printer(data, printer)
        old_name = printer.name
        readdressed = uri != printer.uri
        printer.name, printer.uri, printer.language, printer.options = name, uri, language, options
        if readdressed:
            printer.state, printer.last_error = "unknown", ""
        printer.save()
        if name != old_name:
            Station.update(receipt_printer=name).where(Station.receipt_printer == old_name).execute()
            Station.update(label_printer=name).where(Station.label_printer == old_name).execute()
    plant.forget()
    return Saved(printer, warning)


def assign_station_printers(choices: Mapping[str, tuple[str, str]]) -> int:
    """Set stations' printers: station code -> (receipt printer name, label printer name), "" for none.

    Returns how many stations changed.
    """
    names = {name for (name,) in Printer.select(Printer.name).tuples()}
    changed = 0
    with write_transaction():
        for code, (receipt, label) in choices.items():
            station = Station.get_or_none(Station.code == code)
            if station is None:
                continue
            receipt, label = _clean(receipt, MAX_NAME) or None, _clean(label, MAX_NAME) or None
            for name in (receipt, label):
                if name is not None and name not in names:
                    raise PrinterSetupError(msg("No printer is called {name} - add it on the printers page",
                                                name=name))
            if (station.receipt_printer, station.label_printer) != (receipt, label):
                station.receipt_printer, station.label_printer = receipt, label
                station.save(only=[Station.receipt_printer, Station.label_printer])
                changed += 1
    plant.forget()
    return changed


def users_of(printer: Printer, desk: Mapping[str, str | None]) -> list[Msg]:
    """Who prints on this printer: stations (receipt or label) and the clerk desk's config entries."""
    found = []
    for station in Station.select().order_by(Station.sort):
        names = {"zh": station.name_zh, "en": station.name_en}
        if station.receipt_printer == printer.name:
            found.append(msg("{station} receipts", station=names))
        if station.label_printer == printer.name:
            found.append(msg("{station} labels", station=names))
    for setting, name in desk.items():
        if name == printer.name:
            found.append(msg("Clerk desk ({setting})", setting=setting))
    return found
