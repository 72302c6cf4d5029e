"""What gets printed where: job cards, carton labels, pick lists and loading manifests, built from
the database, laid out for the printer's label stock, rendered in its language and queued.

Plain Python (no Flask). Callers pass a printer name (a station's, or the clerk desk's from config);
`kiosk.printing` delivers the queue. Nothing here raises over a printer: a `Printed` says what was
queued or why not, because a missing printer must never undo the release or scan that asked for it.
The carton, pick-list and manifest contents come from kiosk/cartons.py and kiosk/shipping.py, so a
label reads the same whether packing, the warehouse or a clerk prints it.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable, Mapping

from db.models import Carton, JobCard, Order, OrderLine, PickList, Printer, PrintJob, Product
from kiosk import labels
from kiosk.cards.route import route_stations
from kiosk.i18n import Msg, msg
from kiosk.labels import JobCardDoc, Layout
from kiosk.labels.elements import RECEIPT_WIDTH_MM
from kiosk.labels.raster import to_paper
from kiosk.printing.queue import PrintingError, enqueue_many, queue_position
from kiosk.shipping.cartons import SETTINGS, Printed, carton_doc

log = logging.getLogger(__name__)

# Label stock each printer is loaded with, in mm (width, height); a printer's options may change them.
JOB_CARD_MM = (100.0, 150.0)
CARTON_LABEL_MM = (100.0, 70.0)
SIZE_OPTIONS = {"job_card_mm": JOB_CARD_MM, "carton_label_mm": CARTON_LABEL_MM}

__all__ = [
    "Printed",
    "desk_job_card_printer",
    "job_card_doc",
    "job_card_layout_for",
    "job_card_preview_png",
    "job_preview_png",
    "label_size",
    "open_cards",
    "print_carton_labels",
    "print_job_card",
    "print_job_cards",
    "print_manifest",
    "print_pick_list",
    "print_test_label",
    "printed_note",
    "render_for_printer",
]


# -- documents from the database -------------------------------------------------------------------


def job_card_doc(card: JobCard) -> JobCardDoc:
    """What a job card says: its order, customer, product, units, due date and route, from the database."""
    line = card.order_line
    order, product = line.order, line.product
    route = tuple({"zh": station.name_zh, "en": station.name_en} for station in route_stations(card.route_id))
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


# -- layouts sized for a printer -------------------------------------------------------------------


def label_size(printer: Printer | None, option: str) -> tuple[float, float]:
    """The label size (mm) for `option` ("job_card_mm" or "carton_label_mm") on this printer.

    A receipt printer has 72 mm of printable width; a label printer's stock is 100 mm wide unless
    its options say otherwise (e.g. {"carton_label_mm": [100, 60]}).
    """
    width, height = SIZE_OPTIONS[option]
    if printer is None:
        return width, height
    chosen = (printer.options or {}).get(option)
    if isinstance(chosen, list | tuple) and len(chosen) == 2:
        return float(chosen[0]), float(chosen[1])
    if printer.language == "escpos":
        return RECEIPT_WIDTH_MM, round(height * RECEIPT_WIDTH_MM / width, 1)
    return width, height


def job_card_layout_for(card: JobCard, printer: Printer | None = None, lang: str | None = None) -> Layout:
    return labels.job_card_layout(job_card_doc(card), lang or SETTINGS.label_lang, *label_size(printer, "job_card_mm"))


def carton_layout_for(carton: Carton, printer: Printer | None = None, lang: str | None = None,
                      replacement: bool = False) -> Layout:
    doc = carton_doc(carton, replacement)
    if doc.sscc and carton.order_line.order.customer.code in SETTINGS.gs1_label_customers and (
            printer is None or printer.language != "escpos"):
        # This customer's receiving needs the GS1 logistic label (on the label printer's A6 stock).
        return labels.gs1_logistic_label_layout(doc, lang or SETTINGS.label_lang, SETTINGS.plant_name,
                                                *SETTINGS.gs1_label_mm)
    size = label_size(printer, "carton_label_mm")
    return labels.carton_label_layout(doc, lang or SETTINGS.label_lang, *size)


def pick_list_layout_for(pick_list: PickList, lang: str | None = None) -> Layout:
    from kiosk.shipping.pick_lists import pick_list_doc

    return labels.pick_list_layout(pick_list_doc(pick_list), lang or SETTINGS.label_lang)


def manifest_layout_for(pick_list: PickList, lang: str | None = None) -> Layout:
    from kiosk.shipping.pick_lists import manifest_doc

    return labels.manifest_layout(manifest_doc(pick_list), lang or SETTINGS.label_lang)


def render_for_printer(layout: Layout, printer: Printer) -> bytes:
    """The layout in the printer's language with the options stored on it (dpi, Chinese mode, font...)."""
    return labels.render(layout, printer.language, printer.options)


# -- queueing --------------------------------------------------------------------------------------


def queue_layouts(printer_name: str | None, build: Callable[[Printer], Iterable[tuple[str, Layout]]],
                  reason: str = "", by: str = "") -> Printed:
    """Render what `build(printer)` lays out, in order, for the named printer and queue it in one go
    (a reprint says why and who asked: `reason`, `by`)."""
    if not printer_name:
        return Printed(None)
    printer = Printer.get_or_none(Printer.name == printer_name)
    if printer is None:
        return Printed(printer_name, 0, msg("No printer is called {name} - add it on the printers page",
                                            name=printer_name))
    try:
        payloads = [(document, render_for_printer(layout, printer)) for document, layout in build(printer)]
        jobs = enqueue_many(printer.name, payloads, reason=reason, by=by) if payloads else []
    except PrintingError as error:
        return Printed(printer.name, 0, error.message)
    except Exception as error:  # a document that cannot be rendered must not fail what asked for it
        log.exception("queueing documents for printer %s failed", printer.name)
        return Printed(printer.name, 0, msg("Printing failed: {detail}", detail=str(error)[:120]))
    ahead, offline_since = queue_position(jobs)
    return Printed(printer.name, len(payloads), ahead=ahead, offline_since=offline_since)


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


def print_carton_labels(cartons: list[Carton], printer_name: str | None, replacement: bool = False,
                        lang: str | None = None, reason: str = "", by: str = "") -> Printed:
    """Queue carton labels in the order given (all of a unit's cartons together). A replacement label
    is a reprint: it records why and who, and clears the carton's voided label once queued."""
    if replacement and not reason:
        reason = "replacement label"
    printed = queue_layouts(printer_name, lambda printer: [
        (f"carton {carton.code}", carton_layout_for(carton, printer, lang, replacement)) for carton in cartons
    ], reason=reason if replacement else "", by=by)
    if replacement and printed.ok:
        from kiosk.shipping.label_voids import cleared_by_reprint

        cleared_by_reprint(cartons)
    return printed


def print_pick_list(pick_list: PickList, printer_name: str | None, lang: str | None = None) -> Printed:
    return queue_layouts(printer_name, lambda printer: [(f"pick list {pick_list.code}",
                                                         pick_list_layout_for(pick_list, lang))])


def print_manifest(pick_list: PickList, printer_name: str | None, lang: str | None = None) -> Printed:
    return queue_layouts(printer_name, lambda printer: [(f"manifest {pick_list.code}",
                                                         manifest_layout_for(pick_list, lang))])


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


# -- previews --------------------------------------------------------------------------------------


def job_card_preview_png(card: JobCard, lang: str | None = None) -> bytes:
    return labels.render_png(job_card_layout_for(card, None, lang))


def job_preview_png(job: PrintJob) -> bytes:
    """A queued or sent job drawn from its very bytes, as the printer will put it on paper."""
    printer = job.printer
    dpi = int((printer.options or {}).get("dpi") or 203)
    image = labels.printed_image(bytes(job.payload), printer.language, dpi)
    out = io.BytesIO()
    to_paper(image).save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue()


def print_test_label(printer: Printer, lang: str | None = None) -> Printed:
    """Queue a test label: Chinese and English text, a Code 128 and a QR code, through the printer's options.

    It shows at once whether the printer's Chinese set-up (font, charset or raster) prints clean text.
    """
    return queue_layouts(printer.name, lambda found: [("test label", labels.printer_test_layout(
        lang or SETTINGS.label_lang, found.name, *label_size(found, "carton_label_mm")))])
