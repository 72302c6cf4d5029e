"""The order beyond the stations, for the clerk and finance: order changes and held job cards,
payment release, and the customer's status link (copy, QR code, revoke) with its public page.

Rules live in kiosk/order_changes.py, kiosk/payments.py and kiosk/customer_status.py; this module
only turns forms into calls and answers into pages. docs/clerk-guide-orders.md describes the flows.
"""

from __future__ import annotations

import io
import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from db.models import Customer, Order, OrderLine
from kiosk.i18n import LANGS, Msg, gettext, msg
from kiosk.orders import changes as order_changes
from kiosk.orders import customer_status, payments
from kiosk.orders.views import get_order
from kiosk.people.auth import ORDER_DESK, STAFF, current_user, current_username, public, require

bp = Blueprint("order_changes", __name__)

FINANCE = payments.FINANCE
RULE_SETTERS = payments.RULE_SETTERS


def _back(order: Order, anchor: str = ""):
    return redirect(url_for("orders.order_detail", number=order.number) + anchor, code=303)


def _flash(message: Msg, category: str = "ok") -> None:
    flash(message.to_json(), category)


# -- order changes ---------------------------------------------------------------------------------


@bp.route("/orders/<number>/change", methods=["GET", "POST"])
@require(*ORDER_DESK)
def change(number: str):
    """One form per kind of change; a refused change comes back with its reason and what was typed."""
    order = get_order(number)
    error, form = None, request.form
    if request.method == "POST":
        what = form.get("field", "")
        try:
            result = order_changes.change_order(
                order, what, form.get("value", ""), form.get("reason", ""), current_username(),
                line_no=form.get("line"), card_units=current_app.config["CARD_UNITS"], key=form.get("key"))
        except order_changes.AlreadyRecorded:
            return _back(order, "#changes")
        except order_changes.ChangeRefused as refused:
            error = refused.message
        else:
            _flash(msg("Change recorded."))
            for note, urgent in result.notes():
                _flash(note, "error" if urgent else "ok")
            return _back(order, "#changes")
    lines = list(order.lines.order_by(OrderLine.line_no))
    status = 409 if error is not None else 200
    return render_template("orders/changes/change.html", order=order, lines=lines, error=error, form=form,
                           labels=order_changes.FIELD_LABELS, key=secrets.token_urlsafe(18)), status


@bp.post("/orders/<number>/clear-hold")
@require(*ORDER_DESK)
def clear_hold(number: str):
    order = get_order(number)
    try:
        card = order_changes.clear_hold(order, request.form.get("card", ""), current_username(),
                                        request.form.get("note", ""))
    except order_changes.ChangeRefused as refused:
        _flash(refused.message, "error")
    else:
        _flash(msg("Card {card} cleared: stations take it again.", card=card.code))
    return _back(order, "#held-cards")


@bp.app_template_global("order_follow_up")
def order_follow_up(order: Order) -> dict:
    """What the order page shows of changes, payment and status links (orders/changes/_order_panel.html)."""
    secret = current_app.secret_key
    links = [(link, customer_status.link_token(link, secret)) for link in customer_status.live_links(order)]
    return {
        "changes": order_changes.changes_of(order),
        "held": [(card, order_changes.notice_of(card)) for card in order_changes.held_cards(order)],
        "payment": payments.state(order),
        "links": [(link, status_url(token) if token else None) for link, token in links],
        "labels": order_changes.FIELD_LABELS,
    }


# -- payment release -------------------------------------------------------------------------------


@bp.post("/orders/<number>/payment/release")
@require(*FINANCE)
def release_payment(number: str):
    order = get_order(number)
    try:
        payments.release(order, current_user(), request.form.get("note", ""))
    except payments.PaymentRefused as refused:
        _flash(refused.message, "error")
    else:
        _flash(msg("Order {order} released for shipping.", order=order.number))
    return _redirect_after_payment(order)


@bp.post("/orders/<number>/payment/withdraw")
@require(*FINANCE)
def withdraw_payment(number: str):
    order = get_order(number)
    try:
        payments.withdraw(order, current_user(), request.form.get("reason", ""))
    except payments.PaymentRefused as refused:
        _flash(refused.message, "error")
    else:
        _flash(msg("Release withdrawn: order {order} waits for payment again.", order=order.number))
    return _redirect_after_payment(order)


@bp.post("/orders/<number>/payment/rule")
@require(*RULE_SETTERS)
def payment_rule(number: str):
    order = get_order(number)
    try:
        payments.set_order_rule(order, request.form.get("rule", ""), current_user())
    except payments.PaymentRefused as refused:
        _flash(refused.message, "error")
    return _back(order, "#payment")


def _redirect_after_payment(order: Order):
    if request.form.get("next") == "payments":
        return redirect(url_for("order_changes.payments_page"), code=303)
    return _back(order, "#payment")


@bp.get("/payments")
@require(*STAFF)
def payments_page():
    """Finance's list: orders waiting for payment, recent releases, and each customer's default."""
    return render_template("orders/changes/payments.html", waiting=payments.waiting_orders(),
                           released=payments.recently_released(),
                           customers=list(Customer.select().order_by(Customer.code)))


@bp.post("/payments/customers")
@require(*FINANCE)
def customer_terms():
    customer = Customer.get_or_none(Customer.code == (request.form.get("customer") or "")[:32])
    if customer is None:
        _flash(msg("There is no such customer."), "error")
    else:
        try:
            payments.set_customer_default(customer, request.form.get("required") == "1", current_user())
        except payments.PaymentRefused as refused:
            _flash(refused.message, "error")
    return redirect(url_for("order_changes.payments_page") + "#customers", code=303)


# -- the customer's status link --------------------------------------------------------------------


def status_url(token: str) -> str:
    """The link as the customer types or scans it: KIOSK_STATUS_BASE_URL when the plant set one (the
    address customers reach), else this server's own address."""
    base = (current_app.config.get("STATUS_BASE_URL") or "").rstrip("/")
    path = url_for("order_changes.status_page", token=token)
    return base + path if base else url_for("order_changes.status_page", token=token, _external=True)


@bp.post("/orders/<number>/status-links")
@require(*ORDER_DESK)
def new_status_link(number: str):
    order = get_order(number)
    try:
        customer_status.issue_link(order, current_username(), current_app.secret_key)
    except customer_status.LinkError as refused:
        _flash(refused.message, "error")
    return _back(order, "#status-links")


@bp.post("/orders/<number>/status-links/revoke")
@require(*ORDER_DESK)
def revoke_status_link(number: str):
    order = get_order(number)
    try:
        customer_status.revoke_link(order, request.form.get("link"), current_username())
    except customer_status.LinkError as refused:
        _flash(refused.message, "error")
    else:
        _flash(msg("Status link revoked: it no longer opens."))
    return _back(order, "#status-links")


def _live_link_url(order: Order) -> str:
    link = customer_status.find_link(order, request.args.get("link"))
    token = customer_status.link_token(link, current_app.secret_key) if link is not None else None
    if token is None:
        abort(404)
    return status_url(token)


@bp.get("/orders/<number>/status-link.png")
@require(*ORDER_DESK)
def status_link_qr(number: str):
    """The link as a QR code (PNG), for the customer to scan off paper or a screen."""
    import qrcode

    order = get_order(number)
    image = qrcode.make(_live_link_url(order), box_size=8, border=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue(), 200, {"Content-Type": "image/png", "Cache-Control": "no-store"}


@bp.get("/orders/<number>/status-link/print")
@require(*ORDER_DESK)
def status_link_print(number: str):
    order = get_order(number)
    url = _live_link_url(order)
    captions = [gettext("Scan the code to see where your order is.", lang) for lang in LANGS]
    return render_template("orders/status/print.html", order=order, url=url, captions=captions,
                           qr=url_for("order_changes.status_link_qr", number=order.number,
                                      link=request.args.get("link")))


@bp.get("/s/<token>")
@public
def status_page(token: str):
    """The customer's page: read-only, no sign-in; a revoked or wrong token is a plain 404."""
    headers = {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex", "Cache-Control": "no-store"}
    order = customer_status.order_for_token(token)
    if order is None:
        return render_template("orders/status/not_found.html"), 404, headers
    view = customer_status.customer_view(order)
    return render_template("orders/status/public.html", view=view, token=token), 200, headers
