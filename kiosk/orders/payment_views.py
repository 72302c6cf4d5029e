"""Payment release for finance (kiosk/orders/payments.py): release or withdraw an order's release, an
order's rule, the payments page with each customer's terms. docs/clerk-guide-orders.md describes the flow."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from db.models import Customer
from kiosk.core.roles import FINANCE, RULE_SETTERS, STAFF
from kiosk.i18n import msg
from kiosk.orders import payments
from kiosk.orders.views import back_to_order, get_order
from kiosk.people.auth import current_user, require
from kiosk.web import flash_msg, refusal_goes_back

bp = Blueprint("payments", __name__)


@bp.post("/orders/<number>/payment/release")
@require(*FINANCE)
@refusal_goes_back(lambda number: _after_payment(number))
def release_payment(number: str):
    order = get_order(number)
    payments.release(order, current_user(), request.form.get("note", ""))
    flash_msg(msg("Order {order} released for shipping.", order=order.number))
    return redirect(_after_payment(order.number), code=303)


@bp.post("/orders/<number>/payment/withdraw")
@require(*FINANCE)
@refusal_goes_back(lambda number: _after_payment(number))
def withdraw_payment(number: str):
    order = get_order(number)
    payments.withdraw(order, current_user(), request.form.get("reason", ""))
    flash_msg(msg("Release withdrawn: order {order} waits for payment again.", order=order.number))
    return redirect(_after_payment(order.number), code=303)


@bp.post("/orders/<number>/payment/rule")
@require(*RULE_SETTERS)
@refusal_goes_back(lambda number: _after_payment(number))
def payment_rule(number: str):
    order = get_order(number)
    payments.set_order_rule(order, request.form.get("rule", ""), current_user())
    return back_to_order(order, "#payment")


def _after_payment(number: str) -> str:
    """Where a finance form goes back to: the payments list it was sent from, else the order's payment."""
    if request.form.get("next") == "payments":
        return url_for("payments.payments_page")
    return url_for("orders.order_detail", number=number[:32]) + "#payment"


@bp.get("/payments")
@require(*STAFF)
def payments_page():
    """Finance's list: orders waiting for payment, recent releases, and each customer's default."""
    return render_template("orders/changes/payments.html", waiting=payments.waiting_orders(),
                           released=payments.recently_released(),
                           customers=list(Customer.select().order_by(Customer.code)))


@bp.post("/payments/customers")
@require(*FINANCE)
@refusal_goes_back(lambda: url_for("payments.payments_page") + "#customers")
def customer_terms():
    customer = Customer.get_or_none(Customer.code == (request.form.get("customer") or "")[:32])
    if customer is None:
        flash_msg(msg("There is no such customer."), "error")
    else:
        payments.set_customer_default(customer, request.form.get("required") == "1", current_user())
    return redirect(url_for("payments.payments_page") + "#customers", code=303)


