"""Clerk pages (跟单员): orders list, order detail and history, new order, import, job-card sheet."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from peewee import JOIN

from db.models import Customer, JobCard, Order, OrderLine, Product, ScanEvent, Station, Worker
from kiosk.cards import printed as job_cards
from kiosk.core.errors import ActionRefused
from kiosk.core.plant import route_stations
from kiosk.core.roles import CARD_PRINTERS, ORDER_DESK, STAFF, SUPERVISORS
from kiosk.i18n import msg
from kiosk.orders import holds
from kiosk.orders.importer import ImportFailed, import_orders
from kiosk.orders.orders import LineInput, OrderError, OrderInput, create_order, release_order
from kiosk.orders.progress import progress_for_orders
from kiosk.people.auth import current_username, require
from kiosk.web import flash_msg, get_or_404

bp = Blueprint("orders", __name__, url_prefix="/orders")

PAGE_SIZE = 100


def get_order(number: str) -> Order:
    return get_or_404(Order, Order.number == number[:32])


def back_to_order(order: Order, anchor: str = ""):
    """Back to the order page (at `anchor`) after a form on it."""
    return redirect(url_for("orders.order_detail", number=order.number) + anchor, code=303)


@bp.get("/")
@require(*STAFF)
def list_orders():
    status = request.args.get("status", "open")
    query = Order.select(Order, Customer).join(Customer).order_by(Order.due_date, Order.id)
    if status == "open":
        query = query.where(Order.status.not_in(("shipped", "cancelled")))
    elif status in ("draft", "shipped", "cancelled"):
        query = query.where(Order.status == status)
    search = (request.args.get("q") or "").strip()[:64]
    if search:
        query = query.where(Order.number.contains(search) | Customer.name.contains(search))
    orders = list(query.limit(PAGE_SIZE))
    progress = progress_for_orders([o.id for o in orders])
    return render_template("orders/list.html", orders=orders, progress=progress, status=status, q=search,
                           stations=list(Station.select().order_by(Station.sort)))


@bp.get("/<number>")
@require(*STAFF)
def order_detail(number: str):
    order = get_order(number)
    lines = list(order.lines.order_by(OrderLine.line_no))
    cards = list(
        JobCard.select(JobCard, OrderLine).join(OrderLine).where(OrderLine.order == order).order_by(JobCard.id)
    )
    routes = {card.route_id: route_stations(card.route_id) for card in cards}
    events = list(
        ScanEvent.select(ScanEvent, Station, Worker)
        .join(Station, on=(ScanEvent.station == Station.id), join_type=JOIN.LEFT_OUTER)
        .switch(ScanEvent)
        .join(Worker, on=(ScanEvent.worker == Worker.id), join_type=JOIN.LEFT_OUTER)
        .where(ScanEvent.order == order)
        .order_by(ScanEvent.id)
    )
    return render_template("orders/detail.html", order=order, lines=lines, cards=cards, routes=routes,
                           events=events,
                           progress=progress_for_orders([order.id])[order.id])


@bp.route("/new", methods=["GET", "POST"])
@require(*ORDER_DESK)
def new_order():
    customers = list(Customer.select().order_by(Customer.name))
    products = list(Product.select().order_by(Product.model_no))
    error = None
    form = request.form
    if request.method == "POST":
        lines = []
        for index in range(1, 11):
            model = form.get(f"model_{index}", "").strip()
            if model:
                lines.append(LineInput(model_no=model, quantity=form.get(f"quantity_{index}", ""),
                                       colour=form.get(f"colour_{index}", "")))
        data = OrderInput(number=form.get("number", ""), customer_code=form.get("customer", ""),
                          due_date=form.get("due_date", ""), lines=lines, rush=bool(form.get("rush")),
                          destination=form.get("destination", ""), note=form.get("note", ""),
                          contact=form.get("contact", ""), phone=form.get("phone", ""))
        try:
            order = create_order(data, release=bool(form.get("release")),
                                 card_units=current_app.config["CARD_UNITS"])
        except OrderError as failure:
            error = failure.message
        else:
            if form.get("release"):
                queue_job_cards([order])
            return redirect(url_for("orders.order_detail", number=order.number), code=303)
    return render_template("orders/new.html", customers=customers, products=products, error=error, form=form)


@bp.route("/import", methods=["GET", "POST"])
@require(*ORDER_DESK)
def import_page():
    errors, imported = [], []
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            errors = [(0, msg("Choose a file to import."))]
        else:
            try:
                imported = import_orders(upload.filename, upload.read(), release=bool(request.form.get("release")),
                                         card_units=current_app.config["CARD_UNITS"])
            except ImportFailed as failure:
                errors = [(e.row, e.messages) for e in failure.errors]
            if imported and request.form.get("release"):
                queue_job_cards(list(Order.select().where(Order.number.in_(imported)).order_by(Order.id)))
    return render_template("orders/import.html", errors=errors, imported=imported), 400 if errors else 200


@bp.post("/<number>/release")
@require(*ORDER_DESK)
def release(number: str):
    order = get_order(number)
    try:
        release_order(order, card_units=current_app.config["CARD_UNITS"])
    except OrderError as failure:
        return render_template("orders/detail_error.html", order=order, error=failure.message), 409
    queue_job_cards([order])
    return redirect(url_for("orders.order_detail", number=order.number), code=303)


def queue_job_cards(orders: list[Order]) -> None:
    """After a release: the job cards go to the clerk desk's printer, when it has one (docs/printing.md)."""
    note = job_cards.release_note(orders, job_cards.desk_job_card_printer(current_app.config))
    if note is not None:
        flash_msg(note[0], "error" if note[1] else "ok")


@bp.post("/<number>/hold")
@require(*SUPERVISORS)
def hold(number: str):
    """Put on hold (with a reason) or release the hold; audited in kiosk/orders/holds.py."""
    order = get_order(number)
    try:
        if request.form.get("on_hold") == "1":
            holds.hold_order(order, request.form.get("reason", ""), current_username())
        else:
            holds.release_hold(order, current_username())
    except ActionRefused as refused:
        return render_template("orders/detail_error.html", order=order, error=refused.message), 400
    return redirect(url_for("orders.order_detail", number=order.number), code=303)


@bp.get("/<number>/cards")
@require(*CARD_PRINTERS)
def job_card_sheet(number: str):
    """Job cards to print from the browser, one per card: the same label the printers get, as a PNG."""
    order = get_order(number)
    cards = job_cards.open_cards(order)
    only = request.args.get("card")
    if only:
        cards = [c for c in cards if c.code == only]
    images = {card.code: url_for("job_cards.job_card_png", code=card.code) for card in cards}
    return render_template("orders/cards.html", order=order, cards=cards, images=images)


