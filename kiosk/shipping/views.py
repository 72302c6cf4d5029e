"""Shipping pages: pick lists for clerks (create from ready order lines, list, live tally, print),
carton labels (browser preview, reprint by carton code), finishing and undo at the desk. The loading
kiosk's own supervisor actions are the station's (kiosk/stations/views.py)."""

from __future__ import annotations

import datetime as dt
import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from db.models import Carton, Customer, JobCard, OrderLine, PickList, Printer, ScanEvent, Station
from kiosk.core.roles import SHIPPING_DESK, SUPERVISORS
from kiosk.i18n import msg
from kiosk.labels.layout import manifest_layout, pick_list_layout
from kiosk.people import approvals
from kiosk.people.auth import current_user, current_username, require
from kiosk.printing.documents import Printed, printing_note
from kiosk.shipping import cartons
from kiosk.shipping import pick_lists as shipping
from kiosk.web import current_lang, flash_msg, layout_png_uri

bp = Blueprint("shipping", __name__, url_prefix="/shipping")

LIST_SIZE = 200


def get_pick_list(code: str) -> PickList:
    pick_list = shipping.find_pick_list(code)
    if pick_list is None:
        abort(404)
    return pick_list


def printers(*languages: str) -> list[Printer]:
    query = Printer.select().order_by(Printer.name)
    return list(query.where(Printer.language.in_(languages)) if languages else query)


def _idem() -> str:
    return uuid.uuid4().hex


# -- pick lists ------------------------------------------------------------------------------------


@bp.get("/")
@require(*SHIPPING_DESK)
def index():
    return redirect(url_for("shipping.pick_lists"))


@bp.get("/pick-lists")
@require(*SHIPPING_DESK)
def pick_lists():
    status = request.args.get("status", "open")
    query = PickList.select(PickList, Customer).join(Customer).order_by(PickList.ship_date.desc(), PickList.id.desc())
    if status == "open":
        query = query.where(PickList.status != "finished")
    elif status == "finished":
        query = query.where(PickList.status == "finished")
    rows = [(p, *shipping.counts(p)) for p in query.limit(LIST_SIZE)]
    return render_template("shipping/list.html", rows=rows, status=status)


@bp.route("/pick-lists/new", methods=["GET", "POST"])
@require(*SHIPPING_DESK)
def new_pick_list():
    form = request.form if request.method == "POST" else request.args
    customer = Customer.get_or_none(Customer.code == (form.get("customer") or "")[:32])
    error = None
    if request.method == "POST":
        wanted = {}
        for key, value in request.form.items():
            if key.startswith("take_") and value:
                line_id = key[5:]
                wanted[line_id] = request.form.get(f"units_{line_id}", "0")
        try:
            units = {int(line_id): int(count or 0) for line_id, count in wanted.items()}
        except ValueError:
            error = msg("Units must be whole numbers.")
        else:
            try:
                pick_list = shipping.create_pick_list(form.get("customer", ""), units, form.get("truck_plate", ""),
                                                      form.get("dock", ""), form.get("ship_date") or None)
            except shipping.ShippingError as failure:
                error = failure.message
            else:
                return redirect(url_for("shipping.pick_list_detail", code=pick_list.code), code=303)
    lines = shipping.shippable_lines(customer) if customer else []
    docks = list(Station.select().where(Station.kind == "loading").order_by(Station.sort))
    return render_template("shipping/new.html", customers=list(Customer.select().order_by(Customer.name)),
                           customer=customer, lines=lines, docks=docks, error=error, form=form,
                           today=dt.date.today().isoformat())


@bp.get("/pick-lists/<code>")
@require(*SHIPPING_DESK)
def pick_list_detail(code: str):
    pick_list = get_pick_list(code)
    return render_template("shipping/detail.html", pick_list=pick_list, tally=shipping.tally(pick_list),
                           loaded=_loaded_cartons(pick_list), receipt_printers=printers("escpos"),
                           idem=_idem())


@bp.get("/pick-lists/<code>/tally")
@require(*SHIPPING_DESK, kiosk="any")
def pick_list_tally(code: str):
    """The live tally alone, refreshed by the page every few seconds while the truck is loaded."""
    pick_list = get_pick_list(code)
    return render_template("stations/_loading_tally.html", tally=shipping.tally(pick_list), live=True)


def _loaded_cartons(pick_list: PickList) -> list[Carton]:
    return list(Carton.select(Carton, OrderLine).join(OrderLine)
                .where((Carton.pick_list == pick_list) & (Carton.status == "loaded"))
                .order_by(Carton.loaded_at.desc(), Carton.id.desc()))


@bp.post("/pick-lists/<code>/print")
@require(*SHIPPING_DESK)
def print_pick_list(code: str):
    pick_list = get_pick_list(code)
    printed = shipping.print_pick_list(pick_list, request.form.get("printer", ""))
    _flash_printed(printed, msg("Pick list {code}. {where}", code=pick_list.code))
    return redirect(url_for("shipping.pick_list_detail", code=pick_list.code), code=303)


@bp.get("/pick-lists/<code>/sheet")
@require(*SHIPPING_DESK, kiosk="any")
def pick_list_sheet(code: str):
    """The pick list as the receipt printer prints it, to print from the browser."""
    pick_list = get_pick_list(code)
    image = layout_png_uri(pick_list_layout(shipping.pick_list_doc(pick_list), current_lang()))
    return render_template("shipping/receipt.html", title=msg("Pick list {code}", code=pick_list.code),
                           image=image, pick_list=pick_list)


@bp.get("/pick-lists/<code>/manifest")
@require(*SHIPPING_DESK, kiosk="any")
def manifest(code: str):
    pick_list = get_pick_list(code)
    image = layout_png_uri(manifest_layout(shipping.manifest_doc(pick_list), current_lang()))
    return render_template("shipping/receipt.html", title=msg("Loading manifest {code}", code=pick_list.code),
                           image=image, pick_list=pick_list)


@bp.post("/pick-lists/<code>/finish")
@require(*SHIPPING_DESK)
def finish(code: str):
    pick_list = get_pick_list(code)
    approver, refused = None, None
    if (request.form.get("reason") or "").strip():  # a short load: the signed-in supervisor approves it
        try:
            approver = approvals.from_session(current_user())
        except approvals.ApprovalRefused as refusal:
            refused = refusal.message
    try:
        result = shipping.finish_from_desk(pick_list.code, approver, request.form.get("reason", ""),
                                           current_username(), request.form.get("idem", ""), refused)
    except shipping.ShippingError as failure:
        flash_msg(failure.message, "error")
    else:
        flash_msg(result.message, "ok" if result.ok else "error")
    return redirect(url_for("shipping.pick_list_detail", code=pick_list.code), code=303)


@bp.post("/pick-lists/<code>/undo")
@require(*SUPERVISORS)
def undo(code: str):
    pick_list = get_pick_list(code)
    try:
        event = shipping.undo_load(pick_list.code, request.form.get("carton", ""),
                                   approvals.from_session(current_user()), request.form.get("reason", ""))
    except approvals.ApprovalRefused as refusal:
        flash_msg(refusal.message, "error")
    except shipping.ShippingError as failure:
        flash_msg(failure.message, "error")
    else:
        flash(event.message, "ok")
    return redirect(url_for("shipping.pick_list_detail", code=pick_list.code), code=303)


def _flash_printed(printed: Printed, what) -> None:
    if printed.ok:
        flash_msg(printing_note(printed, what, what), "error" if printed.held_up else "ok")
    elif printed.printer is None:
        flash_msg(msg("Choose a printer, or print from the browser."), "error")
    else:
        flash_msg(msg("Printing did not work ({problem}); print from the browser instead.",
                      problem=printed.problem), "error")


# -- carton labels ---------------------------------------------------------------------------------


@bp.get("/cartons")
@require(*SHIPPING_DESK)
def carton_lookup():
    code = (request.args.get("code") or "").strip()[:64]
    carton = cartons.find_carton(code) if code else None
    image = layout_png_uri(cartons.label_layout(carton)) if carton else None
    events = []
    if carton is not None:
        events = list(ScanEvent.select().where(ScanEvent.carton == carton).order_by(ScanEvent.id))
    return render_template("shipping/carton.html", code=code, carton=carton, image=image, events=events,
                           label_printers=printers("zpl", "tspl"), default_printer=_packing_printer())


def _packing_printer() -> str:
    station = Station.select().where((Station.kind == "packing") & Station.label_printer.is_null(False)).first()
    return station.label_printer if station else ""


@bp.post("/cartons/<code>/reprint")
@require(*SHIPPING_DESK)
def reprint_carton(code: str):
    carton = cartons.find_carton(code)
    if carton is None:
        abort(404)
    reason = " ".join((request.form.get("reason") or "").split())
    if not reason:
        flash_msg(msg("Say why it is printed again (torn, lost, wrong printer ...)"), "error")
        return redirect(url_for("shipping.carton_lookup", code=carton.code), code=303)
    printed = cartons.queue_labels(request.form.get("printer", ""), [carton], replacement=True, reason=reason,
                                   by=current_username() or "")
    _flash_printed(printed, msg("Replacement label for carton {carton}. {where}", carton=carton.code))
    return redirect(url_for("shipping.carton_lookup", code=carton.code), code=303)


@bp.get("/cards/<code>/labels")
@require(*SHIPPING_DESK, kiosk="any")
def card_labels(code: str):
    """Every carton label of a packed job card, to print from the browser when no label printer is set up."""
    card = JobCard.get_or_none(JobCard.code == code[:32])
    if card is None:
        abort(404)
    rows = list(cartons.cartons_of_card(card))
    for carton in rows:
        carton.job_card, carton.order_line = card, card.order_line
    images = [(carton, layout_png_uri(cartons.label_layout(carton))) for carton in rows]
    return render_template("shipping/labels.html", card=card, images=images)


@bp.get("/cartons/<code>/label")
@require(*SHIPPING_DESK, kiosk="any")
def carton_label(code: str):
    carton = cartons.find_carton(code)
    if carton is None:
        abort(404)
    replacement = request.args.get("replacement") == "1"
    return render_template("shipping/labels.html", card=None,
                           images=[(carton, layout_png_uri(cartons.label_layout(carton, replacement)))])
