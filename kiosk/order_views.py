"""Clerk pages (跟单员): orders list, order detail and history, new order, import, job-card sheet."""

from __future__ import annotations

import base64
import io

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from peewee import JOIN

from db.models import Customer, JobCard, Order, OrderLine, Product, ScanEvent, Station, Worker
from kiosk.i18n import msg
from kiosk.importer import ImportFailed, import_orders
from kiosk.orders import LineInput, OrderError, OrderInput, create_order, release_order, set_hold
from kiosk.progress import progress_for_orders, route_positions
from kiosk.stations.cards import route_stations

bp = Blueprint("orders", __name__, url_prefix="/orders")

PAGE_SIZE = 100


def get_order(number: str) -> Order:
    order = Order.get_or_none(Order.number == number[:32])
    if order is None:
        abort(404)
    return order


@bp.get("/")
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
def order_detail(number: str):
    order = get_order(number)
    lines = list(order.lines.order_by(OrderLine.line_no))
    cards = list(
        JobCard.select(JobCard, OrderLine).join(OrderLine).where(OrderLine.order == order).order_by(JobCard.id)
    )
    positions = route_positions()
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
                           positions=positions, events=events,
                           progress=progress_for_orders([order.id])[order.id])


@bp.route("/new", methods=["GET", "POST"])
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
                          destination=form.get("destination", ""), note=form.get("note", ""))
        try:
            order = create_order(data, release=bool(form.get("release")),
                                 card_units=current_app.config["CARD_UNITS"])
        except OrderError as failure:
            error = failure.message
        else:
            return redirect(url_for("orders.order_detail", number=order.number), code=303)
    return render_template("orders/new.html", customers=customers, products=products, error=error, form=form)


@bp.route("/import", methods=["GET", "POST"])
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
                errors = [(e.row, e.message) for e in failure.errors]
    return render_template("orders/import.html", errors=errors, imported=imported)


@bp.post("/<number>/release")
def release(number: str):
    order = get_order(number)
    try:
        release_order(order, card_units=current_app.config["CARD_UNITS"])
    except OrderError as failure:
        return render_template("orders/detail_error.html", order=order, error=failure.message), 409
    return redirect(url_for("orders.order_detail", number=order.number), code=303)


@bp.post("/<number>/hold")
def hold(number: str):
    order = get_order(number)
    set_hold(order, request.form.get("on_hold") == "1", request.form.get("reason", ""))
    return redirect(url_for("orders.order_detail", number=order.number), code=303)


@bp.get("/<number>/cards")
def job_card_sheet(number: str):
    """Job cards to print from the browser, one per card, barcode and QR rendered server-side."""
    order = get_order(number)
    cards = list(
        JobCard.select(JobCard, OrderLine, Product).join(OrderLine).join(Product)
        .where((OrderLine.order == order) & (JobCard.status != "void")).order_by(JobCard.id)
    )
    only = request.args.get("card")
    if only:
        cards = [c for c in cards if c.code == only]
    images = {card.code: barcode_data_uri(card.code) for card in cards}
    routes = {card.route_id: route_stations(card.route_id) for card in cards}
    return render_template("orders/cards.html", order=order, cards=cards, images=images, routes=routes)


def barcode_data_uri(code: str) -> str:
    """Code128 as an inline PNG; the tests decode what is rendered here."""
    from barcode import Code128
    from barcode.writer import ImageWriter

    out = io.BytesIO()
    Code128(code, writer=ImageWriter()).write(out, options={"module_height": 12, "module_width": 0.3,
                                                            "write_text": False, "quiet_zone": 4, "dpi": 200})
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
