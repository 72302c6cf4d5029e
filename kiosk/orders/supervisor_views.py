"""Supervisor pages (主管): find a scan and undo it with a reason, orders on hold, delay reasons.

Holding and releasing an order is on the order page (orders.hold), through kiosk/orders/holds.py.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from peewee import JOIN

from db.models import Customer, Order, OrderDelay, ScanEvent, Station, Worker
from kiosk.core.errors import ActionRefused
from kiosk.core.roles import DELAY_DESK, SUPERVISORS
from kiosk.eventlog import undo as supervisor
from kiosk.orders import holds
from kiosk.orders.views import get_order
from kiosk.people.auth import current_username, require
from kiosk.web import flash_msg

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")


@bp.get("/")
@require(*SUPERVISORS)
def index():
    search = (request.args.get("q") or "")[:64]
    station_code = (request.args.get("station") or "")[:32]
    events = supervisor.recent_scans(search, station_code)
    ids = [e.id for e in events]
    with_people = {e.id: e for e in ScanEvent.select(ScanEvent, Station, Worker)
                   .join(Station, JOIN.LEFT_OUTER, on=(ScanEvent.station == Station.id)).switch(ScanEvent)
                   .join(Worker, JOIN.LEFT_OUTER, on=(ScanEvent.worker == Worker.id))
                   .where(ScanEvent.id.in_(ids))} if ids else {}
    held = list(Order.select(Order, Customer).join(Customer).where(Order.on_hold).order_by(Order.due_date))
    return render_template("orders/supervisor/index.html", events=[with_people[i] for i in ids],
                           undone=supervisor.undone_ids(ids), q=search, station_code=station_code,
                           stations=list(Station.select().order_by(Station.sort)), held=held)


@bp.post("/scans/<int:event_id>/undo")
@require(*SUPERVISORS)
def undo(event_id: int):
    try:
        event = supervisor.undo_scan(event_id, request.form.get("reason", ""), current_username())
    except ActionRefused as refused:
        flash_msg(refused.message, "error")
    else:
        flash(event.message, "ok")
    return redirect(url_for("supervisor.index", q=(request.form.get("q") or "")[:64] or None), code=303)


@bp.post("/orders/<number>/delays")
@require(*DELAY_DESK)
def add_delay(number: str):
    order = get_order(number)
    try:
        holds.record_delay(order, request.form.get("reason", ""), request.form.get("note", ""), current_username())
    except ActionRefused as refused:
        flash_msg(refused.message, "error")
    return redirect(url_for("orders.order_detail", number=order.number) + "#delays", code=303)


@bp.post("/orders/<number>/delays/<int:delay_id>/clear")
@require(*SUPERVISORS)
def clear_delay(number: str, delay_id: int):
    order = get_order(number)
    delay = OrderDelay.get_or_none((OrderDelay.id == delay_id) & (OrderDelay.order == order.id))
    if delay is None:
        abort(404)
    try:
        holds.clear_delay(delay, current_username())
    except ActionRefused as refused:
        flash_msg(refused.message, "error")
    return redirect(url_for("orders.order_detail", number=order.number) + "#delays", code=303)


@bp.app_template_global("order_delays")
def order_delays(order: Order) -> list:
    """Delay reasons recorded on an order, newest first (the order page shows them)."""
    return holds.delays_for_orders([order.id]).get(order.id, [])


@bp.app_template_global("delay_reasons")
def delay_reasons() -> dict[str, str]:
    return holds.DELAY_LABELS
