"""A station's printed command barcodes (A4 from the browser, or labels on its printer) and the scanner
self-test page a fitter uses to check a new kiosk's scanner in a minute."""

from __future__ import annotations

import base64

from flask import Blueprint, current_app, redirect, render_template, url_for

from kiosk.core import commands
from kiosk.core.roles import STAFF
from kiosk.i18n import Msg, gettext, msg
from kiosk.labels import Barcode128, Layout, QRCode, render_png
from kiosk.labels.command_sheet import command_labels, command_layout
from kiosk.people.auth import require
from kiosk.printing.documents import label_size, queue_layouts
from kiosk.stations import commands as station_commands  # noqa: F401 - registers the stations' commands
from kiosk.stations.views import get_station
from kiosk.web import current_lang, flash_msg

bp = Blueprint("scanner", __name__)

FAMILY_TITLES = {
    "everywhere": msg("At every station"),
    "verdict": msg("Verdict"),
    "units": msg("Units failed"),
    "defect": msg("Defect reason"),
    "rework": msg("Send back to"),
    "reprint": msg("Reprint"),
    "loading": msg("Finish loading"),
    "pick_list": msg("Open pick lists"),
    "andon": msg("Andon: call for help"),
}


def _words(value, lang: str) -> str:
    return value.render(lang) if isinstance(value, Msg) else gettext(str(value), lang)


def sheet_entries(station, lang: str) -> list[tuple[str, str, str]]:
    """(family title, code, words) for every command of the station, in sheet order."""
    return [(_words(FAMILY_TITLES.get(c.family, c.family), lang), c.code, _words(c.label, lang))
            for c in commands.commands_for(station)]


def png_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


@bp.get("/station/<code>/commands")
@require(*STAFF, kiosk="any")
def command_sheet(code: str):
    """The station's command sheet, A4, to print from the browser and put up by the kiosk."""
    station = get_station(code)
    lang = current_lang()
    groups: dict[str, list] = {}
    for family, command_code, label in sheet_entries(station, lang):
        groups.setdefault(family, []).append((command_code, label, png_uri(render_png(command_layout(command_code,
                                                                                                      label)))))
    return render_template("stations/command_sheet.html", station=station, groups=groups)


@bp.post("/station/<code>/commands/print")
@require("admin", "supervisor", kiosk="here")
def print_command_labels(code: str):
    """The command sheet as labels on the station's label printer (queued: the printers page says when sent)."""
    station = get_station(code)
    lang = current_lang()
    entries = [(command_code, label) for _, command_code, label in sheet_entries(station, lang)]
    title = f"{station.name(lang)} - {gettext('Command barcodes', lang)}"
    printed = queue_layouts(station.label_printer, lambda printer: [
        (f"commands {layout.name}", layout)
        for layout in command_labels(entries, title, *label_size(printer, "carton_label_mm"))])
    if printed.printer is None:
        flash_msg(msg("No label printer is set up at this station: print the sheet from the browser."), "error")
    elif not printed.ok:
        flash_msg(msg("The command labels were not queued ({problem}).", problem=printed.problem), "error")
    else:
        flash_msg(msg("{n} command labels sent to the print queue of {printer}.", n=printed.queued,
                      printer=printed.printer), "ok")
    return redirect(url_for("scanner.command_sheet", code=station.code))


# The self-test sheet: what each code is, and what a well set-up scanner makes the kiosk read.
GS1_SAMPLE = "0109501101530003" + "\x1d" + "10AB12"
TEST_CODES = (
    ("Code 128", "code128", "Kiosk-Test-42", "KIOSK-TEST-42"),
    ("Code 128", "code128", "JC0000042", "JC0000042"),
    ("QR", "qr", "KIOSK-QR-7", "KIOSK-QR-7"),
    ("GS1-128", "gs1", GS1_SAMPLE, GS1_SAMPLE),
)


def test_code_image(kind: str, data: str) -> str:
    if kind == "qr":
        layout = Layout(34, 34, (QRCode(2, 2, data, 30),), bottom_margin=0)
    else:
        shown = "(01)09501101530003(10)AB12" if kind == "gs1" else data
        layout = Layout(80, 24, (Barcode128(40, 2, data, 15, 0.25, shown, gs1=kind == "gs1", align="center",
                                            text_size=2.8),), bottom_margin=0)
    return png_uri(render_png(layout))


@bp.get("/station/<code>/scanner-test")
@require(*STAFF, kiosk="any")
def self_test(code: str):
    """The scanner self-test: each character the scanner sends, its key code and timing, whether the suffix
    arrived and whether an input method composes, and test codes with what each should read as."""
    station = get_station(code)
    samples = [(name, data, expect.replace("\x1d", "<GS>"), test_code_image(kind, data))
               for name, kind, data, expect in TEST_CODES]
    return render_template("stations/scanner_test.html", station=station, samples=samples,
                           suffix=current_app.config["SCANNER_SUFFIX"])
