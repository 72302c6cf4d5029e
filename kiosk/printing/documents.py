"""Documents in general: a layout sized for a printer's label stock, rendered in its language and
queued, and what happened to it (`Printed`). It knows no order or carton: each area builds its own
documents (job cards in kiosk/cards/printed.py, carton labels in kiosk/shipping/cartons.py, pick lists
and manifests in kiosk/shipping/pick_lists.py, delivery notes in kiosk/shipping/delivery_notes.py) and
queues them through `queue_layouts`.

Plain Python (no Flask). Callers pass a printer name (a station's, or the clerk desk's from config);
kiosk/printing/queue.py delivers the queue. Nothing here raises over a printer: a `Printed` says what
was queued or why not, because a missing printer must never undo the release or scan that asked for it.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from db.models import Printer, PrintJob
from kiosk import labels
from kiosk.core.clock import hour_minute
from kiosk.core.settings import SETTINGS
from kiosk.i18n import Msg, msg
from kiosk.labels import Layout
from kiosk.labels.elements import RECEIPT_WIDTH_MM
from kiosk.labels.raster import to_paper
from kiosk.printing.queue import PrintingError, enqueue_many, queue_position

log = logging.getLogger(__name__)

# Label stock each printer is loaded with, in mm (width, height); a printer's options may change them.
JOB_CARD_MM = (100.0, 150.0)
CARTON_LABEL_MM = (100.0, 70.0)
SIZE_OPTIONS = {"job_card_mm": JOB_CARD_MM, "carton_label_mm": CARTON_LABEL_MM}

@dataclass
class Printed:
    """What happened to a print request: which printer, how many documents queued, or why none.
    Never an exception: a printer problem must not undo the scan that asked for the print."""

    printer: str | None  # None: no printer is set up for this
    queued: int = 0
    problem: Msg | None = None
    ahead: int = 0  # jobs waiting on that printer before these
    offline_since: object = None  # datetime: the printer is offline since then; these wait

    @property
    def ok(self) -> bool:
        return self.printer is not None and self.problem is None and self.queued > 0

    @property
    def held_up(self) -> bool:
        """Queued, but the printer is down: the answer is amber, not green."""
        return self.ok and self.offline_since is not None


def printing_note(printed: Printed, what: Msg, no_printer: Msg) -> Msg:
    """The part of an answer that says where the document is: queued (behind how many), waiting for a
    printer that is offline since when, no printer here, or what failed. Never "sent": at this moment
    it is in the queue, and the printers page says when the printer confirmed it."""
    if printed.ok:
        return Msg(what.key, {**what.params, "where": queue_note(printed)})  # `what` says where {where} goes
    if printed.printer is None:
        return no_printer
    return msg("Printing did not work ({problem}); print from the browser instead.", problem=printed.problem)


def queue_note(printed: Printed) -> Msg:
    if printed.offline_since is not None:
        return msg("Printer {printer} is offline since {time} ({count} jobs waiting): these print when it is back.",
                   printer=printed.printer, time=hour_minute(printed.offline_since),
                   count=printed.ahead + printed.queued)
    if printed.ahead:
        return msg("Queued on {printer} behind {ahead} jobs.", printer=printed.printer, ahead=printed.ahead)
    return msg("Queued on {printer}, next in line.", printer=printed.printer)


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


# -- previews --------------------------------------------------------------------------------------


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
