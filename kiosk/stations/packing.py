"""Packing (包装): a job card that passed QC becomes its cartons - units x cartons per unit, each with
its own code and label. Scanning the card again never makes more cartons; it offers a reprint.

Scan options: reprint="all" prints every label of the card again, reprint=<carton code> just that one.
"""

from __future__ import annotations

from db.models import Carton, JobCard
from kiosk.cards.route import advance, check_card, load_card, route_stations
from kiosk.eventlog.scan_path import Outcome, ScanRequest
from kiosk.i18n import Msg, msg
from kiosk.shipping.cartons import (
    cartons_of_card,
    find_carton,
    goods_moved,
    pack_card,
    queue_labels,
)
from kiosk.shipping.pick_lists import local_time, printing_note
from kiosk.stations import defects, register


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
        for carton in chosen:
            carton.job_card, carton.order_line = card, card.order_line  # for the labels, loaded once
        reason = str(request.options.get("reason") or "") or "reprinted at packing (label lost or damaged)"
        printed = queue_labels(station.label_printer, chosen, replacement=True, reason=reason,
                               by=worker.name if worker is not None else "")
        detail.update(printer=printed.printer, reprinted=[c.code for c in chosen])
        what = (msg("all {n} labels of card {card}", n=len(chosen), card=card.code) if wanted == "all"
                else msg("the label of carton {carton}", carton=chosen[0].code))
        message = msg("Reprint of {what}: {printing}", what=what, printing=_labels_note(printed, len(chosen)))
        return Outcome("ok" if printed.ok and not printed.held_up else "warning", "reprint", message, job_card=card,
                       detail=detail)
    packed_at = local_time(cartons[0].packed_at) if cartons else "-"
    if only is not None:
        message = msg("Carton {carton} is carton {i} of {n} of unit {unit} on card {card}, packed at {time}. "
                      "Press Reprint if its label is lost or damaged.", carton=only.code, i=only.package_no,
                      n=only.packages, unit=only.unit_no, card=card.code, time=packed_at)
    else:
        message = msg("Card {card} was already packed at {time} into {cartons} cartons; no new cartons were made. "
                      "Press Reprint to print its labels again.", card=card.code, time=packed_at,
                      cartons=len(cartons))
    return Outcome("duplicate", "pack", message, reason="already_packed", job_card=card, detail=detail)


def _labels_note(printed, count: int) -> Msg:
    return printing_note(printed, msg("{n} labels, one for each carton. {where}", n=count),
                          msg("No label printer is set up here: print the labels from the browser preview."))

