"""The printers page (打印机): each printer's state and queue, test print, retry, reprint and cancel,
adding and editing printers, which printer each station uses; and a picture of every queued job.

The queue lives in kiosk/printing/queue.py, documents in general in kiosk/printing/documents.py, printer
set-up checks in kiosk/printing/setup.py; these views only read forms and show answers. Each area serves
the pictures of its own documents (job cards in kiosk/cards/views.py, cartons, pick lists and manifests in
kiosk/shipping/label_views.py).
"""

from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from db.models import Carton, Printer, PrintJob, Station
from kiosk.core.clock import hour_minute
from kiosk.core.roles import ADMINS, PRINT_DESK
from kiosk.i18n import Msg, gettext, msg
from kiosk.people.auth import current_username, require
from kiosk.printing import documents, label_voids
from kiosk.printing import queue as printing
from kiosk.printing import setup as printer_setup
from kiosk.printing.setup import LANGUAGE_NAMES, OPTION_EXAMPLES, PrinterInput, PrinterSetupError
from kiosk.web import current_lang, flash_msg, htmx, png_response

bp = Blueprint("printers", __name__)

# Who may look after the print queue: the desks that print (clerks, supervisors, the warehouse).
RECENT_JOBS = 12  # jobs listed under each printer
DESK_SETTINGS = ("DESK_LABEL_PRINTER", "DESK_RECEIPT_PRINTER")


def _printer(printer_id: int) -> Printer:
    printer = Printer.get_or_none(Printer.id == printer_id)
    if printer is None:
        abort(404)
    return printer


def _job(job_id: int) -> PrintJob:
    job = PrintJob.get_or_none(PrintJob.id == job_id)
    if job is None:
        abort(404)
    return job


def _back(printer_id: int | None = None):
    anchor = f"#printer-{printer_id}" if printer_id else ""
    return redirect(url_for("printers.index") + anchor, code=303)


def _desk() -> dict[str, str | None]:
    return {setting: current_app.config.get(setting) or None for setting in DESK_SETTINGS}


def _form_input() -> PrinterInput:
    form = request.form
    return PrinterInput(form.get("name", ""), form.get("uri", ""), form.get("language", ""), form.get("options", ""))


def _page(form=None, form_error: Msg | None = None, status: int = 200):
    printers = list(Printer.select().order_by(Printer.name))
    desk = _desk()
    context = {
        "printers": printers,
        "status": {p.id: printing.printer_status(p) for p in printers},
        "jobs": {p.id: printing.recent_jobs(p, RECENT_JOBS) for p in printers},
        "used_by": {p.id: printer_setup.users_of(p, desk) for p in printers},
        "desk": desk,
        "names": {p.name for p in printers},
        "language_names": LANGUAGE_NAMES,
        "option_examples": OPTION_EXAMPLES,
        "reprints": printing.recent_reprints(),
        "voided": label_voids.voided_labels(),
    }
    if htmx and not form_error:
        return render_template("printing/_printer_list.html", **context)
    stations = list(Station.select().order_by(Station.sort))
    return render_template("printing/index.html", stations=stations, form=form or {}, form_error=form_error,
                           **context), status


# -- the printers page -----------------------------------------------------------------------------


@bp.get("/printers")
@require(*PRINT_DESK)
def index():
    """Every printer's state and recent jobs; htmx polls the list part to keep it current."""
    return _page()


@bp.post("/printers")
@require(*ADMINS)
def add_printer():
    try:
        saved = printer_setup.add_printer(_form_input())
    except PrinterSetupError as error:
        return _page(request.form, error.message, 400)
    flash_msg(msg("Printer {name} added. Print a test label to check it.", name=saved.printer.name))
    _flash_warning(saved)
    return _back(saved.printer.id)


@bp.route("/printers/<int:printer_id>/edit", methods=["GET", "POST"])
@require(*ADMINS)
def edit_printer(printer_id: int):
    printer = _printer(printer_id)
    error = None
    if request.method == "POST":
        old_name = printer.name
        try:
            saved = printer_setup.update_printer(printer, _form_input())
        except PrinterSetupError as refused:
            error = refused.message
        else:
            flash_msg(msg("Printer {name} saved.", name=saved.printer.name))
            _flash_warning(saved)
            renamed = [s for s, name in _desk().items() if name == old_name and saved.printer.name != old_name]
            for setting in renamed:
                flash_msg(msg("The clerk desk still names {old} in {setting}: change the setting to {new}.",
                           old=old_name, setting=setting, new=saved.printer.name), "error")
            return _back(printer.id)
        form = request.form
    else:
        form = {"name": printer.name, "uri": printer.uri, "language": printer.language,
                "options": _options_text(printer.options)}
    return render_template("printing/edit.html", printer=printer, form=form, form_error=error,
                           language_names=LANGUAGE_NAMES, option_examples=OPTION_EXAMPLES), 400 if error else 200


def _flash_warning(saved: printer_setup.Saved) -> None:
    if saved.warning is not None:
        flash_msg(msg("It cannot print from this server yet: {problem}", problem=saved.warning), "error")


def _options_text(options) -> str:
    return json.dumps(options, ensure_ascii=False) if options else ""


@bp.post("/printers/stations")
@require(*ADMINS)
def assign_stations():
    form = request.form
    choices = {station.code: (form.get(f"receipt_{station.code}", ""), form.get(f"label_{station.code}", ""))
               for station in Station.select() if f"receipt_{station.code}" in form}
    try:
        changed = printer_setup.assign_station_printers(choices)
    except PrinterSetupError as error:
        flash_msg(error.message, "error")
    else:
        flash_msg(msg("Station printers saved ({count} changed).", count=changed))
    return redirect(url_for("printers.index") + "#station-printers", code=303)


@bp.post("/printers/<int:printer_id>/test")
@require(*PRINT_DESK)
def test_print(printer_id: int):
    printer = _printer(printer_id)
    printed = documents.print_test_label(printer)
    if printed.problem is not None:
        flash_msg(printed.problem, "error")
    else:
        flash_msg(msg("Test label queued on {printer}.", printer=printer.name))
    return _back(printer.id)


@bp.post("/printers/<int:printer_id>/retry")
@require(*PRINT_DESK)
def retry(printer_id: int):
    printer = _printer(printer_id)
    count = printing.retry_now(printer)
    flash_msg(msg("Trying {printer} again now ({count} waiting).", printer=printer.name, count=count))
    return _back(printer.id)


@bp.post("/printers/jobs/<int:job_id>/reprint")
@require(*PRINT_DESK)
def reprint(job_id: int):
    job = _job(job_id)
    try:
        copy = printing.reprint(job.id, request.form.get("reason", ""), current_username() or "")
    except printing.PrintingError as error:
        flash_msg(error.message, "error")
    else:
        if copy.document.startswith("carton "):
            label_voids.cleared_by_reprint(list(Carton.select().where(Carton.code == copy.document[7:])))
        flash_msg(msg("{document} queued again (reprint no. {count}).", document=document_name(copy.document),
                   count=printing.reprint_count(copy.document)))
    return _back(job.printer_id)


@bp.post("/printers/labels/void")
@require(*PRINT_DESK)
def void_label():
    """Declare a carton's label void: loading refuses the carton until a new label is printed."""
    try:
        voided = label_voids.void_label(request.form.get("carton", ""), request.form.get("reason", ""),
                                        current_username() or "")
    except label_voids.VoidRefused as error:
        flash_msg(error.message, "error")
    else:
        flash_msg(msg("Label of carton {carton} voided: loading refuses it until a new label is printed.",
                   carton=voided.carton.code))
    return redirect(url_for("printers.index") + "#label-audit", code=303)


@bp.post("/printers/jobs/<int:job_id>/cancel")
@require(*PRINT_DESK)
def cancel(job_id: int):
    job = _job(job_id)
    try:
        printing.cancel(job.id)
    except printing.PrintingError as error:
        flash_msg(error.message, "error")
    else:
        flash_msg(msg("{document} taken out of the queue.", document=document_name(job.document)))
    return _back(job.printer_id)


@bp.get("/printers/jobs/<int:job_id>.png")
@require(*PRINT_DESK)
def job_preview(job_id: int):
    """A job drawn from the bytes queued for the printer: what it will print (or printed)."""
    job = _job(job_id)
    try:
        png = documents.job_preview_png(job)
    except Exception:  # bytes the reader does not understand (made by another program): no picture
        current_app.logger.warning("no preview for print job %s", job.id, exc_info=True)
        abort(404)
    return png_response(png)


# Kinds of document in PrintJob.document ("carton C00000012"), shown in the reader's language.
DOCUMENT_KINDS = {"job card": "Job card", "carton": "Carton", "pick list": "Pick list",
                  "manifest": "Loading manifest", "test label": "Test label", "test print": "Test label"}


@bp.app_template_filter("document_name")
def document_name(document: str) -> str:
    for prefix, label in DOCUMENT_KINDS.items():
        if document == prefix or document.startswith(prefix + " "):
            return gettext(label, current_lang()) + document[len(prefix):]
    return document


bp.add_app_template_global(printing.stored_message, "stored_message")


@bp.app_template_global("station_printers_down")
def station_printers_down(station) -> list[printing.PrinterStatus]:
    """The station's receipt and label printers that are offline now, for the kiosk header."""
    down = []
    for name in dict.fromkeys(n for n in (station.receipt_printer, station.label_printer) if n):
        try:
            status = printing.printer_status(name)
        except printing.PrintingError:  # named but not set up: the answer to a print says so
            continue
        if status.state == printing.OFFLINE:
            down.append(status)
    return down


@bp.app_template_filter("hhmm")
def hhmm(at) -> str:
    return hour_minute(at)
