"""Order changes and held job cards for the clerk, and what the order page shows of changes, payment and
status links. Payment release is kiosk/orders/payment_views.py, the status link kiosk/orders/status_views.py.

Rules live in kiosk/orders/changes.py, payments.py and customer_status.py; these modules only turn forms
into calls and answers into pages. docs/clerk-guide-orders.md describes the flows.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, current_app, render_template, request, url_for

from db.models import Order, OrderLine
from kiosk.core.roles import ORDER_DESK
from kiosk.i18n import msg
from kiosk.orders import changes as order_changes
from kiosk.orders import customer_status, payments
from kiosk.orders.status_views import status_url
from kiosk.orders.views import back_to_order, get_order
from kiosk.people.auth import current_username, require
from kiosk.web import flash_msg, refusal_goes_back

bp = Blueprint("order_changes", __name__)



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
            return back_to_order(order, "#changes")
        except order_changes.ChangeRefused as refused:
            error = refused.message
        else:
            flash_msg(msg("Change recorded."))
            for note, urgent in result.notes():
                flash_msg(note, "error" if urgent else "ok")
            return back_to_order(order, "#changes")
    lines = list(order.lines.order_by(OrderLine.line_no))
    status = 409 if error is not None else 200
    return render_template("orders/changes/change.html", order=order, lines=lines, error=error, form=form,
                           labels=order_changes.FIELD_LABELS, key=secrets.token_urlsafe(18)), status


@bp.post("/orders/<number>/clear-hold")
@require(*ORDER_DESK)
@refusal_goes_back(lambda number: url_for("orders.order_detail", number=number[:32]) + "#held-cards")
def clear_hold(number: str):
    order = get_order(number)
    card = order_changes.clear_hold(order, request.form.get("card", ""), current_username(),
                                    request.form.get("note", ""))
    flash_msg(msg("Card {card} cleared: stations take it again.", card=card.code))
    return back_to_order(order, "#held-cards")


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


