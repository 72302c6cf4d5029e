"""Clerk-desk pages for delivery notes (送货单): the list (waiting, overdue, returned), one note with its
preview and reprint, the A4 page to print from the browser, and the desk where signed copies are scanned
back. The scan desk answers like a station: a green, amber or red panel, the reason in words.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from db.models import Printer, ScanEvent
from kiosk.core.clock import today
from kiosk.core.errors import ScanInputError
from kiosk.core.roles import DELIVERY_DESK
from kiosk.core.settings import SETTINGS
from kiosk.i18n import msg
from kiosk.labels import render_png
from kiosk.labels.elements import Barcode128, Layout
from kiosk.labels.layout import barcode_module
from kiosk.people.auth import current_username, require
from kiosk.printing.documents import printing_note
from kiosk.shipping import delivery_notes
from kiosk.web import current_lang, desk_answer, flash_msg, png_uri

bp = Blueprint("delivery", __name__)

NOTE_STATUSES = ("waiting", "overdue", "returned", "all")


def _get_note(code: str):
    note = delivery_notes.find_note(code)
    if note is None:
        abort(404)
    return note


# -- delivery notes --------------------------------------------------------------------------------


@bp.get("/delivery/")
@require(*DELIVERY_DESK)
def notes():
    status = request.args.get("status", "waiting")
    if status not in NOTE_STATUSES:
        status = "waiting"
    found = delivery_notes.notes(status)
    on = today()
    rows = [(note, delivery_notes.days_out(note, on), delivery_notes.is_overdue(note, on)) for note in found]
    return render_template("shipping/delivery/list.html", rows=rows, status=status, counts=delivery_notes.counts(on),
                           return_days=SETTINGS.return_days)


@bp.get("/delivery/notes/<code>")
@require(*DELIVERY_DESK)
def note_detail(code: str):
    note = _get_note(code)
    return render_template("shipping/delivery/detail.html", note=note, doc=delivery_notes.note_doc(note),
                           days_out=delivery_notes.days_out(note), overdue=delivery_notes.is_overdue(note),
                           return_days=SETTINGS.return_days,
                           receipt_printers=list(Printer.select().where(Printer.language == "escpos")
                                                 .order_by(Printer.name)),
                           events=list(ScanEvent.select().where((ScanEvent.code == note.code)
                                                                & (ScanEvent.action == "note_back"))
                                       .order_by(ScanEvent.id)))


@bp.get("/delivery/notes/<code>.png")
@require(*DELIVERY_DESK)  # a customer's name and address: desk staff only, never a display or an agent
def note_png(code: str):
    """The note as the receipt printer prints it (the copy that comes back, unless copy=customer)."""
    note = _get_note(code)
    copy = "customer" if request.args.get("copy") == "customer" else "return"
    png = render_png(delivery_notes.note_layout(note, current_lang(), copy))
    return png, 200, {"Content-Type": "image/png", "Cache-Control": "no-store"}


@bp.get("/delivery/notes/<code>/a4")
@require(*DELIVERY_DESK)
def note_a4(code: str):
    """The note on an A4 page, printed from the browser (print CSS); the barcode as the printers draw it."""
    note = _get_note(code)
    barcode = Layout(60, 16, (Barcode128(30, 1, note.code, 14, barcode_module(note.code, 60), align="center"),))
    return render_template("shipping/delivery/a4.html", note=note, doc=delivery_notes.note_doc(note),
                           barcode=png_uri(render_png(barcode, 300)))


@bp.post("/delivery/notes/<code>/print")
@require(*DELIVERY_DESK)
def print_note(code: str):
    note = _get_note(code)
    printed = delivery_notes.print_note(note, request.form.get("printer", ""), current_lang())
    if printed.ok:
        what = msg("Delivery note {code}. {where}", code=note.code)
        flash_msg(printing_note(printed, what, what), "error" if printed.held_up else "ok")
    elif printed.printer is None:
        flash_msg(msg("Choose a printer, or print from the browser."), "error")
    else:
        flash_msg(msg("Printing did not work ({problem}); print from the browser instead.",
                      problem=printed.problem), "error")
    return redirect(url_for("delivery.note_detail", code=note.code), code=303)


@bp.route("/delivery/returns", methods=["GET", "POST"])
@require(*DELIVERY_DESK)
def returns():
    """Signed copies back: scan the barcode on each one; the overdue list under the answer follows."""
    answer: dict = {}
    if request.method == "POST":
        try:
            answer["result"] = delivery_notes.scan_back(request.form.get("code", "")[:200], current_username(),
                                                        request.form.get("idem", "")[:80])
        except ScanInputError as error:
            answer["error"] = error.message
    return desk_answer("shipping/delivery/returns.html", ("note_back",),
                        waiting=delivery_notes.notes("overdue", limit=50),
                        counts=delivery_notes.counts(), return_days=SETTINGS.return_days, **answer)


