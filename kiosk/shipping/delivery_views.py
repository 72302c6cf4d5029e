"""Clerk-desk pages for delivery notes (送货单) and outside work (外协).

Delivery notes: the list (waiting, overdue, returned), one note with its preview and reprint, the A4
page to print from the browser, and the desk where signed copies are scanned back. Outside work: the
board of cards out at suppliers, the desks where cards are scanned out and back in, and suppliers.
The scan desks answer like a station: a green, amber or red panel, the reason in words.
"""

from __future__ import annotations

import base64
import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from peewee import JOIN

from db.models import Printer, ScanEvent, Worker
from kiosk.cards import outside as outside_work
from kiosk.core.clock import today
from kiosk.eventlog.scan_path import ScanInputError
from kiosk.i18n import msg
from kiosk.labels.elements import Barcode128, Layout
from kiosk.labels.layout import barcode_module
from kiosk.people.auth import STAFF, current_username, require
from kiosk.shipping import delivery_notes
from kiosk.shipping.pick_lists import printing_note
from kiosk.web import current_lang, htmx

bp = Blueprint("delivery", __name__)

DELIVERY_DESK = ("admin", "supervisor", "clerk", "warehouse")  # the same people as the shipping desk
OUTSIDE_DESK = ("admin", "supervisor", "clerk")  # send cards out, take them back, keep the supplier list
NOTE_STATUSES = ("waiting", "overdue", "returned", "all")
RECENT = 10


@bp.record_once
def _configure(state) -> None:
    delivery_notes.configure(state.app.config)


def _png_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _get_note(code: str):
    note = delivery_notes.find_note(code)
    if note is None:
        abort(404)
    return note


def _recent(actions: tuple[str, ...]) -> list[ScanEvent]:
    """The latest desk scans of these kinds, for the list under the answer."""
    return list(ScanEvent.select(ScanEvent, Worker).join(Worker, JOIN.LEFT_OUTER, on=(ScanEvent.worker == Worker.id))
                .where(ScanEvent.action.in_(actions)).order_by(ScanEvent.id.desc()).limit(RECENT))


def _desk_answer(template: str, actions: tuple[str, ...], result=None, error=None, **context):
    """A scan desk's answer: the fragment for htmx (with a fresh scan key), else the whole page."""
    context.update(result=result, error=error, recent=_recent(actions), next_idem=uuid.uuid4().hex)
    if htmx:
        return render_template("shipping/delivery/_desk_answer.html", **context)
    return render_template(template, **context)


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
                           return_days=delivery_notes.SETTINGS.return_days)


@bp.get("/delivery/notes/<code>")
@require(*DELIVERY_DESK)
def note_detail(code: str):
    note = _get_note(code)
    return render_template("shipping/delivery/detail.html", note=note, doc=delivery_notes.note_doc(note),
                           days_out=delivery_notes.days_out(note), overdue=delivery_notes.is_overdue(note),
                           return_days=delivery_notes.SETTINGS.return_days,
                           receipt_printers=list(Printer.select().where(Printer.language == "escpos")
                                                 .order_by(Printer.name)),
                           events=list(ScanEvent.select().where((ScanEvent.code == note.code)
                                                                & (ScanEvent.action == "note_back"))
                                       .order_by(ScanEvent.id)))


@bp.get("/delivery/notes/<code>.png")
@require(*DELIVERY_DESK)  # a customer's name and address: desk staff only, never a display or an agent
def note_png(code: str):
    """The note as the receipt printer prints it (the copy that comes back, unless copy=customer)."""
    from kiosk.labels import render_png

    note = _get_note(code)
    copy = "customer" if request.args.get("copy") == "customer" else "return"
    png = render_png(delivery_notes.note_layout(note, current_lang(), copy))
    return png, 200, {"Content-Type": "image/png", "Cache-Control": "no-store"}


@bp.get("/delivery/notes/<code>/a4")
@require(*DELIVERY_DESK)
def note_a4(code: str):
    """The note on an A4 page, printed from the browser (print CSS); the barcode as the printers draw it."""
    from kiosk.labels import render_png

    note = _get_note(code)
    barcode = Layout(60, 16, (Barcode128(30, 1, note.code, 14, barcode_module(note.code, 60), align="center"),))
    return render_template("shipping/delivery/a4.html", note=note, doc=delivery_notes.note_doc(note),
                           barcode=_png_uri(render_png(barcode, 300)))


@bp.post("/delivery/notes/<code>/print")
@require(*DELIVERY_DESK)
def print_note(code: str):
    note = _get_note(code)
    printed = delivery_notes.print_note(note, request.form.get("printer", ""), current_lang())
    if printed.ok:
        what = msg("Delivery note {code}. {where}", code=note.code)
        flash(printing_note(printed, what, what).to_json(),
              "error" if printed.held_up else "ok")
    elif printed.printer is None:
        flash(msg("Choose a printer, or print from the browser.").to_json(), "error")
    else:
        flash(msg("Printing did not work ({problem}); print from the browser instead.",
                  problem=printed.problem).to_json(), "error")
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
    return _desk_answer("shipping/delivery/returns.html", ("note_back",),
                        waiting=delivery_notes.notes("overdue", limit=50),
                        counts=delivery_notes.counts(), return_days=delivery_notes.SETTINGS.return_days, **answer)


# -- outside work ----------------------------------------------------------------------------------


@bp.get("/outside/")
@require(*STAFF)  # suppliers' phone numbers: signed-in staff only, never a display or an agent
def outside_board():
    rows = outside_work.out_now()
    return render_template("cards/outside/board.html", rows=rows, overdue=sum(row.overdue for row in rows),
                           back=outside_work.recently_back(), suppliers=outside_work.suppliers(active_only=False),
                           may_edit=_may_edit())


def _may_edit() -> bool:
    from kiosk.people.auth import has_role

    return has_role(*OUTSIDE_DESK)


@bp.route("/outside/out", methods=["GET", "POST"])
@require(*OUTSIDE_DESK)
def send_out():
    """Cards go out: choose the supplier and the date promised, then scan each card."""
    form = request.form if request.method == "POST" else request.args
    context = dict(suppliers=outside_work.suppliers(), supplier=(form.get("supplier") or "")[:32],
                   expected=(form.get("expected_back") or "")[:10], note=(form.get("note") or "")[:256])
    if request.method == "GET":
        return _desk_answer("cards/outside/out.html", ("send_out",), **context)
    try:
        result = outside_work.send_out(form.get("code", "")[:200], context["supplier"], context["expected"],
                                       current_username(), form.get("idem", "")[:80], context["note"])
    except ScanInputError as error:
        return _desk_answer("cards/outside/out.html", ("send_out",), error=error.message, **context)
    return _desk_answer("cards/outside/out.html", ("send_out",), result=result, **context)


@bp.route("/outside/in", methods=["GET", "POST"])
@require(*OUTSIDE_DESK)
def take_back():
    """Cards come back: scan each one; tick "not done" when the supplier sent it back without the work."""
    if request.method == "GET":
        return _desk_answer("cards/outside/in.html", ("take_back",))
    done = request.form.get("not_done") != "1"
    try:
        result = outside_work.take_back(request.form.get("code", "")[:200], current_username(),
                                        request.form.get("idem", "")[:80], done)
    except ScanInputError as error:
        return _desk_answer("cards/outside/in.html", ("take_back",), error=error.message)
    return _desk_answer("cards/outside/in.html", ("take_back",), result=result)


@bp.post("/outside/suppliers")
@require(*OUTSIDE_DESK)
def save_supplier():
    form = request.form
    try:
        supplier = outside_work.save_supplier(form.get("code", ""), form.get("name", ""), form.get("contact", ""),
                                              form.get("phone", ""), form.get("lead_days", "7"))
    except outside_work.OutsideWorkError as failure:
        flash(failure.message.to_json(), "error")
    else:
        flash(msg("Supplier {code} saved: {name}.", code=supplier.code, name=supplier.name).to_json(), "ok")
    return redirect(url_for("delivery.outside_board"), code=303)

