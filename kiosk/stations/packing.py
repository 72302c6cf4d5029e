"""Packing (包装): a job card that passed QC becomes its cartons - units x cartons per unit, each with
its own code and label. Scanning the card again never makes more cartons; it offers a reprint.

Scan options: reprint="all" prints every label of the card again, reprint=<carton code> just that one, and
reprint_reason says why (one of REPRINT_REASONS, chosen by a tap or its #REPRINT-<reason> command code): a
reprint without a reason prints nothing and asks for one. Who (the signed-in worker), when, why and the
reprint count are recorded on the print job (kiosk/printing/queue.py) and said in the answer.
"""

from __future__ import annotations

from db.models import Carton, JobCard, ScanEvent, utcnow
from kiosk.cards.route import advance, check_card, load_card
from kiosk.core.clock import short_time
from kiosk.core.errors import ActionRefused
from kiosk.core.outcome import Outcome, ScanRequest
from kiosk.core.plant import route_stations
from kiosk.eventlog.rules import register, undoer
from kiosk.i18n import Msg, msg
from kiosk.printing.documents import printing_note
from kiosk.printing.queue import reprint_count
from kiosk.shipping.cartons import (
    cartons_of_card,
    find_carton,
    goods_moved,
    pack_card,
    queue_labels,
    refresh_order_status,
)
from kiosk.stations import defects

# Why a carton label is printed again at packing, in the order offered (Chinese in kiosk/i18n/zh_print_status.py).
REPRINT_REASONS = ("Torn or damaged", "Lost", "Unreadable", "Wrong label")


@register("packing")
def scan(station, worker, request: ScanRequest) -> Outcome:
    carton = find_carton(request.code)
    if carton is not None:
        card = JobCard.get_by_id(carton.job_card_id)
        return packed_again(station, card, request, only=carton, worker=worker)
    card = load_card(request.code, lock=True)
    if card is not None and card.order_line.order.status != "cancelled" and card.cartons.exists():
        return packed_again(station, card, request, worker=worker)
    rejection = check_card(card, station, request.code)
    if rejection:
        return rejection
    if request.options.get("defect_action"):  # send back or scrap some units (kiosk/stations/defects.py)
        return defects.record(station, request, card)
    cartons = pack_card(card)
    advance(card, len(route_stations(card.route_id)))
    goods_moved(cartons[:1])  # the card is packed, the order may now be "packed"
    printed = queue_labels(station.label_printer, cartons)
    detail = {"card": card.code, "cartons": [c.code for c in cartons], "printer": printed.printer,
              "offer_reprint": False}
    message = msg("Card {card} packed: {units} units, {cartons} cartons. {printing}", card=card.code,
                  units=card.units, cartons=len(cartons), printing=_labels_note(printed, len(cartons)))
    outcome = "ok" if (printed.ok and not printed.held_up) or printed.printer is None else "warning"
    return Outcome(outcome, "pack", message, units=card.units, job_card=card, detail=detail)


def packed_again(station, card: JobCard, request: ScanRequest, only: Carton | None = None, worker=None) -> Outcome:
    """A packed card (or one of its cartons) scanned again: say so, or reprint when asked."""
    cartons = cartons_of_card(card)
    wanted = request.options.get("reprint") or ""
    if only is not None and wanted:
        wanted = only.code
    detail = {"card": card.code, "cartons": [c.code for c in cartons], "offer_reprint": True,
              "carton": only.code if only is not None else None}
    if wanted:
        chosen = cartons if wanted == "all" else [c for c in cartons if c.code == wanted]
        if not chosen:
            return Outcome("rejected", "reprint", msg("Carton {carton} is not on card {card}.", carton=wanted[:32],
                                                      card=card.code), reason="bad_input", job_card=card,
                           detail=detail)
        reason = " ".join(str(request.options.get("reprint_reason") or "").split())[:64]
        if not reason:
            if wanted != "all":
                detail["carton"] = wanted
            return Outcome("rejected", "reprint", msg(
                "Nothing printed yet: why is it printed again? Tap a reason (or scan its command code), then "
                "Reprint."), reason="bad_input", job_card=card, detail=detail)
        for carton in chosen:
            carton.job_card, carton.order_line = card, card.order_line  # for the labels, loaded once
        printed = queue_labels(station.label_printer, chosen, replacement=True, reason=reason,
                               by=worker.name if worker is not None else "")
        count = _reprint_number(card, chosen)
        detail.update(printer=printed.printer, reprinted=[c.code for c in chosen], reprint_reason=reason,
                      reprint_count=count)
        what = (msg("all {n} labels of card {card}", n=len(chosen), card=card.code) if wanted == "all"
                else msg("the label of carton {carton}", carton=chosen[0].code))
        shown = msg(reason) if reason in REPRINT_REASONS else reason
        message = msg("Reprint of {what} ({reason}, reprint no. {count}): {printing}", what=what, reason=shown,
                      count=count, printing=_labels_note(printed, len(chosen)))
        return Outcome("ok" if printed.ok and not printed.held_up else "warning", "reprint", message, job_card=card,
                       detail=detail)
    packed_at = short_time(cartons[0].packed_at) if cartons else "-"
    if only is not None:
        message = msg("Carton {carton} is carton {i} of {n} of unit {unit} on card {card}, packed at {time}. "
                      "Press Reprint if its label is lost or damaged.", carton=only.code, i=only.package_no,
                      n=only.packages, unit=only.unit_no, card=card.code, time=packed_at)
    else:
        message = msg("Card {card} was already packed at {time} into {cartons} cartons; no new cartons were made. "
                      "Press Reprint to print its labels again.", card=card.code, time=packed_at,
                      cartons=len(cartons))
    return Outcome("duplicate", "pack", message, reason="already_packed", job_card=card, detail=detail)


def _reprint_number(card: JobCard, chosen: list[Carton]) -> int:
    """Which reprint this is of the chosen labels: the print queue's count (every reprint, desk ones too), or,
    with no label printer here, the station's earlier reprints of them (the event log) and this one."""
    queued = max((reprint_count(f"carton {c.code}") for c in chosen), default=0)
    if queued:
        return queued
    codes = {c.code for c in chosen}
    earlier = ScanEvent.select(ScanEvent.detail).where(ScanEvent.job_card == card.id, ScanEvent.action == "reprint",
                                                       ScanEvent.outcome.in_(["ok", "warning"]))
    return 1 + sum(1 for event in earlier if codes & set((event.detail or {}).get("reprinted") or []))


def _labels_note(printed, count: int) -> Msg:
    return printing_note(printed, msg("{n} labels, one for each carton. {where}", n=count),
                          msg("No label printer is set up here: print the labels from the browser preview."))


# -- undo ------------------------------------------------------------------------------------------


@undoer("pack")
def _undo_pack(event: ScanEvent) -> Msg:
    """Packing undone: the card waits at packing again and its cartons are gone (their labels go in the bin).
    Only while no carton has been scanned anywhere since."""
    card = JobCard.get_by_id(event.job_card_id)
    cartons = cartons_of_card(card)
    ids = [c.id for c in cartons]
    if any(c.status != "packed" for c in cartons) or ScanEvent.select().where(ScanEvent.carton.in_(ids)).exists():
        raise ActionRefused(msg("Cartons of card {card} were scanned since; undo those scans first.", card=card.code))
    kinds = [station.kind for station in route_stations(card.route_id)]
    Carton.delete().where(Carton.id.in_(ids)).execute()
    JobCard.update(next_seq=kinds.index("packing"), status="open", updated_at=utcnow()).where(
        JobCard.id == card.id).execute()
    refresh_order_status([card.order_line.order_id])
    return msg("Card {card} waits at packing again; throw away its {n} carton labels.", card=card.code, n=len(ids))
