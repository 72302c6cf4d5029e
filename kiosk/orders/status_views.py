"""The customer's status link (kiosk/orders/customer_status.py): make and revoke it, its QR code and printout
on the order page, and the public page it opens (no sign-in)."""

from __future__ import annotations

import io

import qrcode
from flask import Blueprint, abort, current_app, render_template, request, url_for

from db.models import Order
from kiosk.core.roles import ORDER_DESK
from kiosk.i18n import LANGS, gettext, msg
from kiosk.orders import customer_status
from kiosk.orders.views import back_to_order, get_order
from kiosk.people.auth import current_username, public, require
from kiosk.web import flash_msg, refusal_goes_back

bp = Blueprint("status_links", __name__)


def status_url(token: str) -> str:
    """The link as the customer types or scans it: KIOSK_STATUS_BASE_URL when the plant set one (the
    address customers reach), else this server's own address."""
    base = (current_app.config.get("STATUS_BASE_URL") or "").rstrip("/")
    path = url_for("status_links.status_page", token=token)
    return base + path if base else url_for("status_links.status_page", token=token, _external=True)


def _status_links(number: str) -> str:
    return url_for("orders.order_detail", number=number[:32]) + "#status-links"


@bp.post("/orders/<number>/status-links")
@require(*ORDER_DESK)
@refusal_goes_back(_status_links)
def new_status_link(number: str):
    order = get_order(number)
    customer_status.issue_link(order, current_username(), current_app.secret_key)
    return back_to_order(order, "#status-links")


@bp.post("/orders/<number>/status-links/revoke")
@require(*ORDER_DESK)
@refusal_goes_back(_status_links)
def revoke_status_link(number: str):
    order = get_order(number)
    customer_status.revoke_link(order, request.form.get("link"), current_username())
    flash_msg(msg("Status link revoked: it no longer opens."))
    return back_to_order(order, "#status-links")


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
                           qr=url_for("status_links.status_link_qr", number=order.number,
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
