"""Payment release for finance (kiosk/orders/payments.py): release or withdraw an order's release, an
order's rule, the payments page with each customer's terms. docs/clerk-guide-orders.md describes the flow."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from db.models import Customer, Order
from kiosk.core.roles import FINANCE, RULE_SETTERS, STAFF
from kiosk.i18n import msg
from kiosk.orders import payments
from kiosk.orders.views import back_to_order, flash_message, get_order
from kiosk.people.auth import current_user, require

bp = Blueprint("payments", __name__)


@bp.post("/orders/<number>/payment/release")
@require(*FINANCE)
def release_payment(number: str):
    order = get_order(number)
    try:
        payments.release(order, current_user(), request.form.get("note", ""))
    except payments.PaymentRefused as refused:
        flash_message(refused.message, "error")
    else:
        flash_message(msg("Order {order} released for shipping.", order=order.number))
    return _redirect_after_payment(order)


@bp.post("/orders/<number>/payment/withdraw")
@require(*FINANCE)
def withdraw_payment(number: str):
    order = get_order(number)
    try:
        payments.withdraw(order, current_user(), request.form.get("reason", ""))
    except payments.PaymentRefused as refused:
        flash_message(refused.message, "error")
    else:
        flash_message(msg("Release withdrawn: order {order} waits for payment again.", order=order.number))
    return _redirect_after_payment(order)


@bp.post("/orders/<number>/payment/rule")
@require(*RULE_SETTERS)
def payment_rule(number: str):
    order = get_order(number)
    try:
        payments.set_order_rule(order, request.form.get("rule", ""), current_user())
    except payments.PaymentRefused as refused:
        flash_message(refused.message, "error")
    return back_to_order(order, "#payment")


def _redirect_after_payment(order: Order):
    if request.form.get("next") == "payments":
        return redirect(url_for("payments.payments_page"), code=303)
    return back_to_order(order, "#payment")


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
        flash_message(msg("There is no such customer."), "error")
    else:
        try:
            payments.set_customer_default(customer, request.form.get("required") == "1", current_user())
        except payments.PaymentRefused as refused:
            flash_message(refused.message, "error")
    return redirect(url_for("payments.payments_page") + "#customers", code=303)


