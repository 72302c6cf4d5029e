"""Job cards from the order page: print them (all of an order's, or one again) and a picture of each,
as the label printers get it."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request, url_for

from db.models import JobCard, Order, Printer
from kiosk.cards import printed as job_cards
from kiosk.core.roles import CARD_PRINTERS, STAFF
from kiosk.people.auth import require
from kiosk.web import flash_msg, get_or_404, png_response

bp = Blueprint("job_cards", __name__)


@bp.post("/orders/<number>/cards/print")
@require(*CARD_PRINTERS)
def print_cards(number: str):
    """Print the order's job cards, or one card again (`card`), on the printer chosen on the order page."""
    order = get_or_404(Order, Order.number == number[:32])
    printer_name = (request.form.get("printer") or "").strip()[:64] or job_cards.desk_job_card_printer(
        current_app.config)
    code = (request.form.get("card") or "").strip()[:32]
    if code:
        card = JobCard.get_or_none(JobCard.code == code)
        if card is None or card.order_line.order_id != order.id:
            abort(404)
        printed = job_cards.print_job_card(card, printer_name)
    else:
        printed = job_cards.print_job_cards(order, printer_name)
    flash_msg(job_cards.printed_note(printed), "ok" if printed.ok else "error")
    return redirect(url_for("orders.order_detail", number=order.number) + "#job-cards", code=303)


@bp.app_template_global("card_printers")
def card_printers() -> dict:
    """The printers a clerk may send job cards to, and the desk's default, for the order page."""
    names = [name for (name,) in Printer.select(Printer.name).order_by(Printer.name).tuples()]
    return {"names": names, "default": job_cards.desk_job_card_printer(current_app.config)}


@bp.get("/labels/job-card/<code>.png")
@require(*STAFF, kiosk="any")
def job_card_png(code: str):
    return png_response(job_cards.job_card_preview_png(get_or_404(JobCard, JobCard.code == code[:32])))
