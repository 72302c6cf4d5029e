"""The job card's printed face: what it says, laid out for a printer, queued, and drawn for a preview.

Job cards are printed when an order is released and again on request (lost, torn or dirty). Plain
Python: the generic queueing is kiosk/printing/documents.py.
"""

from __future__ import annotations

from collections.abc import Mapping

from db.models import JobCard, Order, OrderLine, Printer, Product
from kiosk import labels
from kiosk.core.plant import route_stations, station_label
from kiosk.core.settings import SETTINGS
from kiosk.i18n import Msg, msg
from kiosk.labels import JobCardDoc, Layout
from kiosk.printing.documents import Printed, label_size, queue_layouts


def job_card_doc(card: JobCard) -> JobCardDoc:
    """What a job card says: its order, customer, product, units, due date and route, from the database."""
    line = card.order_line
    order, product = line.order, line.product
    route = tuple(station_label(station) for station in route_stations(card.route_id))
    return JobCardDoc(
        code=card.code, order_number=order.number, customer=order.customer.name, product_model=product.model_no,
        product_name=product.name, colour=line.colour_shown, size=product.size, units=card.units,
        due_date=order.due_date, route=route, rush=order.rush,
        rework_of=card.parent.code if card.parent_id else None,
        finish=line.finish_shown, note=" / ".join(n for n in (line.note.strip(), order.note.strip()) if n),
    )


def open_cards(order: Order) -> list[JobCard]:
    """The order's job cards that still travel (not void), in the order they were made."""
    return list(
        JobCard.select(JobCard, OrderLine, Product).join(OrderLine).join(Product)
        .where((OrderLine.order == order) & (JobCard.status != "void")).order_by(JobCard.id)
    )


def job_card_layout_for(card: JobCard, printer: Printer | None = None, lang: str | None = None) -> Layout:
    return labels.job_card_layout(job_card_doc(card), lang or SETTINGS.label_lang, *label_size(printer, "job_card_mm"))


def print_job_cards(order: Order, printer_name: str | None, lang: str | None = None,
                    cards: list[JobCard] | None = None) -> Printed:
    """Queue the order's job cards (or just `cards`) on the printer, one label each, in card order."""
    chosen = open_cards(order) if cards is None else cards
    return queue_layouts(printer_name, lambda printer: [
        (f"job card {card.code}", job_card_layout_for(card, printer, lang)) for card in chosen
    ])


def print_job_card(card: JobCard, printer_name: str | None, lang: str | None = None) -> Printed:
    """Queue one job card again (lost, torn or dirty)."""
    return print_job_cards(card.order_line.order, printer_name, lang, cards=[card])


def desk_job_card_printer(config: Mapping) -> str | None:
    """The clerk desk's printer for job cards: its label printer, else its receipt printer, else none."""
    return config.get("DESK_LABEL_PRINTER") or config.get("DESK_RECEIPT_PRINTER") or None


def printed_note(printed: Printed) -> Msg:
    """What the clerk is told after asking for job cards: queued where, or why not and what to do."""
    if printed.printer is None:
        return msg("No printer was chosen: print the job cards from the job-card sheet instead.")
    if printed.problem is not None:
        return msg("Job cards were not queued ({problem}); print them from the job-card sheet instead.",
                   problem=printed.problem)
    return msg("{count} job cards queued on printer {printer}.", count=printed.queued, printer=printed.printer)


def job_card_preview_png(card: JobCard, lang: str | None = None) -> bytes:
    return labels.render_png(job_card_layout_for(card, None, lang))


def release_note(orders: list[Order], printer_name: str | None) -> tuple[Msg, bool] | None:
    """After a release, the orders' job cards go to the clerk desk's printer when it has one (docs/printing.md):
    what the clerk is told, and whether something failed; None without a printer."""
    if not printer_name:
        return None
    results = [print_job_cards(order, printer_name) for order in orders]
    failed = next((printed for printed in results if not printed.ok), None)
    summary = failed or Printed(printer_name, sum(printed.queued for printed in results))
    return printed_note(summary), failed is not None
