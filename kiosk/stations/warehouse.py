"""Warehouse-in (入库): cartons are scanned into stock, into the bin whose label (LOC-A01) was scanned
before them; the kiosk holds that bin and sends it with each scan (scan option location).

A unit is in stock when all its cartons are in; an order line is ready to ship when all its units are.
"""

from __future__ import annotations

import re

from db.models import Carton, PickList, ScanEvent, utcnow
from kiosk.cards.route import load_card, unknown_badge
from kiosk.core.clock import short_time
from kiosk.core.errors import ActionRefused
from kiosk.core.outcome import Outcome, ScanRequest
from kiosk.core.settings import SETTINGS
from kiosk.eventlog.rules import register, undoer
from kiosk.i18n import Msg, msg
from kiosk.shipping.cartons import TAKEN_OUT, find_carton, goods_moved, line_stock, unit_is_in_stock
from kiosk.stations import defects

BIN_RE = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


def bin_of(code: str) -> str | None:
    """The bin a scanned code names (LOC-A01 -> A01), or None when it is not a bin label."""
    prefix = SETTINGS.location_prefix
    if not prefix or not code.upper().startswith(prefix.upper()):
        return None
    return code[len(prefix):]


def clean_bin(value) -> str:
    value = str(value or "").strip()
    return value if BIN_RE.match(value) else ""


@register("warehouse")
def scan(station, worker, request: ScanRequest) -> Outcome:
    chosen = bin_of(request.code)
    if chosen is not None:
        if not clean_bin(chosen):
            return Outcome("rejected", "bin", msg("{code} is not a bin label this warehouse uses. Scan the label on "
                                                  "the shelf.", code=request.code), reason="bad_bin")
        return Outcome("ok", "bin", msg("Bin {bin}: now scan the cartons you put there.", bin=chosen),
                       detail={"location": chosen})
    # the bin the kiosk holds; after a reload, the bin last scanned here
    location = clean_bin(request.options.get("location")) or last_bin_at(station)
    held = {"location": location}
    carton = find_carton(request.code, lock=True)
    if carton is None:
        return _not_a_carton(request.code, held)
    if carton.status == TAKEN_OUT:
        return defects.refused_taken_out(carton, "store", held)
    if request.options.get("defect_action"):  # send back or scrap its unit (kiosk/stations/defects.py)
        return defects.record_carton(station, request, carton)
    order = carton.order_line.order
    if order.status == "cancelled":
        return Outcome("rejected", "store", msg("Order {order} was cancelled. Do not store carton {carton}; put it "
                                                "aside for the supervisor.", order=order.number, carton=carton.code),
                       reason="cancelled", carton=carton, order=order, detail=held)
    if carton.status == "in_warehouse":
        return Outcome("duplicate", "store", msg("Carton {carton} is already in stock ({where}, since {time}). "
                                                 "Counted once.", carton=carton.code, where=_where(carton.location),
                                                 time=short_time(carton.stored_at)),
                       reason="already_in", carton=carton, order=order, detail=held)
    if carton.status == "loaded":
        pick_list = PickList.get_by_id(carton.pick_list_id)
        return Outcome("rejected", "store", msg("Carton {carton} was loaded on pick list {code} at {time}. It belongs "
                                                "on that truck, not in the warehouse - tell the supervisor.",
                                                carton=carton.code, code=pick_list.code,
                                                time=short_time(carton.loaded_at)),
                       reason="loaded", carton=carton, order=order, detail=held)
    if not location:
        refusal = msg("No bin chosen: scan the bin label on the shelf first ({prefix}...), then carton {carton}. "
                      "Nothing was stored.", prefix=SETTINGS.location_prefix, carton=carton.code)
        return Outcome("rejected", "store", refusal, reason="no_bin", carton=carton, order=order, detail=held)
    carton.status = "in_warehouse"
    carton.stored_at = utcnow()
    carton.location = location
    carton.save(only=[Carton.status, Carton.stored_at, Carton.location])
    goods_moved([carton])
    detail = dict(held, unit_in_stock=False, line_ready=False)
    where = _where(location)
    if not unit_is_in_stock(carton):
        waiting = (Carton.select().where((Carton.job_card == carton.job_card_id) & (Carton.unit_no == carton.unit_no)
                                         & (Carton.status != "in_warehouse")).count())
        message = msg("Carton {carton} stored {where}. This unit waits for {left} more.",
                      carton=carton.code, where=where, left=waiting)
        return Outcome("ok", "store", message, carton=carton, order=order, detail=detail)
    detail["unit_in_stock"] = True
    line = carton.order_line
    if line_stock([line])[line.id].ready:
        detail["line_ready"] = True
        message = msg("Carton {carton} stored {where}. Order {order} line {line} is all in stock: ready to ship.",
                      carton=carton.code, where=where, order=order.number, line=line.line_no)
    else:
        message = msg("Carton {carton} stored {where}. Unit {unit} of order {order} is now in stock.",
                      carton=carton.code, where=where, unit=carton.unit_no, order=order.number)
    return Outcome("ok", "store", message, units=1, carton=carton, order=order, detail=detail)


def last_bin_at(station) -> str:
    """The bin last chosen at this station (a bin label scanned here), so a reloaded kiosk keeps it."""
    event = (ScanEvent.select(ScanEvent.detail)
             .where((ScanEvent.station == station.id) & (ScanEvent.action == "bin") & (ScanEvent.outcome == "ok"))
             .order_by(ScanEvent.id.desc()).first())
    return clean_bin((event.detail or {}).get("location")) if event is not None else ""


def _where(location: str):
    return msg("in bin {bin}", bin=location) if location else msg("with no bin")


def _not_a_carton(code: str, held: dict) -> Outcome:
    card = load_card(code)
    if card is not None:
        if not card.cartons.exists():
            return Outcome("rejected", "store", msg("Card {card} has not been packed yet: take it to packing first.",
                                                    card=card.code), reason="not_packed", job_card=card, detail=held)
        return Outcome("rejected", "store", msg("{card} is a job card. Scan the labels on its cartons, one by one.",
                                                card=card.code), reason="card_not_carton", job_card=card, detail=held)
    badge = unknown_badge(code)
    if badge is not None:
        return Outcome(badge.outcome, "store", badge.message, reason=badge.reason, detail=held)
    return Outcome("rejected", "store", msg("Unknown code {code}: no carton has it. Check the label, or ask packing "
                                            "to reprint it.", code=code), reason="unknown", detail=held)


# -- undo ------------------------------------------------------------------------------------------


@undoer("store")
def _undo_store(event: ScanEvent) -> Msg:
    """A carton scanned in by mistake is out of stock again (packed, waiting for warehouse-in)."""
    carton = Carton.get_by_id(event.carton_id)
    if carton.status != "in_warehouse":
        raise ActionRefused(msg("Carton {carton} is no longer in the warehouse; undo its loading first.",
                                carton=carton.code))
    carton.status, carton.stored_at, carton.location = "packed", None, ""
    carton.save(only=[Carton.status, Carton.stored_at, Carton.location])
    goods_moved([carton])
    return msg("Carton {carton} is out of stock again: scan it in when it is really stored.", carton=carton.code)
