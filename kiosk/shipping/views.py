"""Shipping pages: pick lists for clerks (create from ready order lines, list, live tally, print),
carton labels (browser preview, reprint by carton code), finishing and undo at the desk, and the
loading kiosk's supervisor undo."""

from __future__ import annotations

import base64
import datetime as dt
import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from db.models import Carton, Customer, JobCard, OrderLine, PickList, Printer, Station
from kiosk.i18n import msg
from kiosk.people import approvals
from kiosk.people.auth import SUPERVISORS, current_user, current_username, kiosk_station, require
from kiosk.shipping import cartons
from kiosk.shipping import pick_lists as shipping
from kiosk.web import current_lang

bp = Blueprint("shipping", __name__, url_prefix="/shipping")

SHIPPING_DESK = ("admin", "supervisor", "clerk", "warehouse")  # make, print and follow pick lists
LIST_SIZE = 200


@bp.record_once
def _configure(state) -> None:
    cartons.configure(state.app.config)


def get_pick_list(code: str) -> PickList:
    pick_list = shipping.find_pick_list(code)
    if pick_list is None:
        abort(404)
    return pick_list


def png_uri(layout, dpi: int = 203) -> str:
    """A layout drawn as the printer would print it, for a browser preview."""
    from kiosk.labels.raster import render_png

    return "data:image/png;base64," + base64.b64encode(render_png(layout, dpi)).decode()


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
    from kiosk.labels.layout import pick_list_layout

    pick_list = get_pick_list(code)
    image = png_uri(pick_list_layout(shipping.pick_list_doc(pick_list), current_lang()))
    return render_template("shipping/receipt.html", title=msg("Pick list {code}", code=pick_list.code),
                           image=image, pick_list=pick_list)


@bp.get("/pick-lists/<code>/manifest")
@require(*SHIPPING_DESK, kiosk="any")
def manifest(code: str):
    from kiosk.labels.layout import manifest_layout

    pick_list = get_pick_list(code)
    image = png_uri(manifest_layout(shipping.manifest_doc(pick_list), current_lang()))
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
        flash(failure.message.to_json(), "error")
    else:
        flash(result.message.to_json(), "ok" if result.ok else "error")
    return redirect(url_for("shipping.pick_list_detail", code=pick_list.code), code=303)


@bp.post("/pick-lists/<code>/undo")
@require(*SUPERVISORS)
def undo(code: str):
    pick_list = get_pick_list(code)
    try:
        event = shipping.undo_load(pick_list.code, request.form.get("carton", ""),
                                   approvals.from_session(current_user()), request.form.get("reason", ""))
    except approvals.ApprovalRefused as refusal:
        flash(refusal.message.to_json(), "error")
    except shipping.ShippingError as failure:
        flash(failure.message.to_json(), "error")
    else:
        flash(event.message, "ok")
    return redirect(url_for("shipping.pick_list_detail", code=pick_list.code), code=303)


def kiosk_approver(form) -> approvals.Approver:
    """The supervisor at this kiosk: their own badge and PIN (raises ApprovalRefused)."""
    return approvals.from_badge(form.get("approver_badge", ""), form.get("approver_pin", ""),
                                request.remote_addr or "")


def _kiosk_answer(station, pick_list_code: str, result=None, error=None):
    from kiosk.stations import loading
    from kiosk.stations.views import recent_scans

    return render_template("stations/_scan_result.html", station=station, worker=None, result=result, error=error,
                           tally=loading.tally_for_page(station, pick_list_code, result),
                           recent=recent_scans(station, current_app.config["RECENT_SCANS"]))


@bp.post("/stations/<code>/undo")
@kiosk_station()
def kiosk_undo(code: str):
    """A supervisor at the loading kiosk takes a mis-scanned carton off the pick list (badge + PIN + reason)."""
    from kiosk.eventlog.scan_path import ScanResult
    from kiosk.stations.views import get_station

    station = get_station(code)
    form = request.form
    pick_list_code = (form.get("pick_list") or "")[:32]
    try:
        event = shipping.undo_load(pick_list_code, (form.get("carton") or "").strip()[:64], kiosk_approver(form),
                                   form.get("reason", ""))
    except (shipping.ShippingError, approvals.ApprovalRefused) as failure:
        return _kiosk_answer(station, pick_list_code, error=failure.message)
    return _kiosk_answer(station, pick_list_code, result=ScanResult.from_event(event))


@bp.post("/stations/<code>/finish-short")
@kiosk_station()
def kiosk_finish_short(code: str):
    """A supervisor lets the truck leave short at the loading kiosk: badge + PIN + reason, logged like a scan
    under the supervisor's name. Sent straight to the server (never kept in the kiosk's offline queue)."""
    from kiosk.eventlog.scan_path import ScanInputError, ScanRequest, record_scan
    from kiosk.stations.views import get_station

    station = get_station(code)
    form = request.form
    pick_list_code = (form.get("pick_list") or "").strip()[:32]
    options = {"finish": "1", "pick_list": pick_list_code, "reason": (form.get("reason") or "")[:200]}
    user = ""
    try:
        approver = kiosk_approver(form)
    except approvals.ApprovalRefused as refusal:
        options["approval_refused"] = refusal.message
    else:
        options["approver"], user = approver, approver.username
    idem = (form.get("idem") or "")[:80]
    scan_request = ScanRequest(station_code=station.code, code=pick_list_code or "-", source="approval", user=user,
                               idem_key=idem if len(idem) >= 8 else f"short-{uuid.uuid4().hex}", options=options)
    try:
        result = record_scan(scan_request)
    except ScanInputError as error:
        return _kiosk_answer(station, pick_list_code, error=error.message)
    return _kiosk_answer(station, pick_list_code, result=result)


def _flash_printed(printed: cartons.Printed, what) -> None:
    if printed.ok:
        flash(shipping.printing_note(printed, what, what).to_json(), "error" if printed.held_up else "ok")
    elif printed.printer is None:
        flash(msg("Choose a printer, or print from the browser.").to_json(), "error")
    else:
        flash(msg("Printing did not work ({problem}); print from the browser instead.",
                  problem=printed.problem).to_json(), "error")


# -- carton labels ---------------------------------------------------------------------------------


@bp.get("/cartons")
@require(*SHIPPING_DESK)
def carton_lookup():
    code = (request.args.get("code") or "").strip()[:64]
    carton = cartons.find_carton(code) if code else None
    image = png_uri(cartons.label_layout(carton)) if carton else None
    events = []
    if carton is not None:
        from db.models import ScanEvent

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
        flash(msg("Say why it is printed again (torn, lost, wrong printer ...)").to_json(), "error")
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
    images = [(carton, png_uri(cartons.label_layout(carton))) for carton in rows]
    return render_template("shipping/labels.html", card=card, images=images)


@bp.get("/cartons/<code>/label")
@require(*SHIPPING_DESK, kiosk="any")
def carton_label(code: str):
    carton = cartons.find_carton(code)
    if carton is None:
        abort(404)
    replacement = request.args.get("replacement") == "1"
    return render_template("shipping/labels.html", card=None,
                           images=[(carton, png_uri(cartons.label_layout(carton, replacement)))])
