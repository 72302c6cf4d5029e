"""Loading (装车): scan the pick list, then its cartons. The kiosk holds the pick list and sends it with
each scan (scan option pick_list); without it, the pick list last scanned here is used.

Each carton is checked: on this pick list (else: whose it is - put it back), not loaded already,
in the warehouse (else loaded with a warning), not one too many. Scanning the pick list with the
option finish=1 finishes loading; a short load also needs an Approver (a supervisor's badge and PIN, checked
by the view before the scan: kiosk/people/approvals.py) and a reason.
"""

from __future__ import annotations

from peewee import JOIN

from db import is_postgres
from db.models import Carton, PickList, PickListLine, ScanEvent, Worker, utcnow
from kiosk.cards.route import load_card
from kiosk.core.clock import short_time
from kiosk.core.errors import ActionRefused
from kiosk.core.outcome import Outcome, ScanRequest
from kiosk.eventlog.rules import register, undoer
from kiosk.i18n import Msg, msg
from kiosk.orders.payments import waiting_for_payment
from kiosk.people.approvals import Approver
from kiosk.printing.label_voids import active_void
from kiosk.shipping.cartons import TAKEN_OUT, find_carton, goods_moved
from kiosk.shipping.pick_lists import (
    Tally,
    counts,
    find_pick_list,
    finish_loading,
    last_pick_list_at,
    tally,
)
from kiosk.stations import defects


@register("loading")
def scan(station, worker, request: ScanRequest) -> Outcome:
    options = request.options
    pick_list = find_pick_list(request.code, lock=True)
    if pick_list is not None:
        if options.get("finish"):
            approver = options.get("approver")
            refused = options.get("approval_refused")
            return finish_loading(pick_list, station, approver if isinstance(approver, Approver) else None,
                                  options.get("reason") or "", refused if isinstance(refused, Msg) else None)
        return start(pick_list)
    held = held_pick_list(station, options.get("pick_list"), lock=True)
    carton = find_carton(request.code, lock=True)
    if carton is None:
        return _not_a_carton(request.code, held)
    if carton.status == TAKEN_OUT:
        return defects.refused_taken_out(carton, "load", {"pick_list": held.code} if held else None)
    if options.get("defect_action"):  # send back or scrap its unit (kiosk/stations/defects.py)
        return defects.record_carton(station, request, carton)
    if held is None:
        order = carton.order_line.order
        return Outcome("rejected", "load", msg("Scan the pick list first, then its cartons. (Carton {carton} is for "
                                               "order {order}, {customer}.)", carton=carton.code, order=order.number,
                                               customer=order.customer.name),
                       reason="no_pick_list", carton=carton, order=order)
    return load(held, carton)


def held_pick_list(station, code, lock: bool = False) -> PickList | None:
    """The pick list this kiosk is loading: the one it sent, else the last one scanned here and not finished."""
    if code:
        return find_pick_list(str(code), lock=lock)
    last = last_pick_list_at(station)
    return find_pick_list(last.code, lock=lock) if last is not None else None


def start(pick_list: PickList) -> Outcome:
    held = {"pick_list": pick_list.code}
    if pick_list.status == "finished":
        return Outcome("rejected", "pick_list", msg("Pick list {code} was already finished at {time}. Scan the next "
                                                    "pick list.", code=pick_list.code,
                                                    time=short_time(pick_list.finished_at)),
                       reason="finished", pick_list=pick_list, detail={"pick_list": ""})
    loaded, expected = counts(pick_list)
    return Outcome("ok", "pick_list", msg("Pick list {code} for {customer}, truck {truck}: {loaded} of {expected} "
                                          "cartons loaded. Scan the cartons.", code=pick_list.code,
                                          customer=pick_list.customer.name, truck=pick_list.truck_plate or "-",
                                          loaded=loaded, expected=expected),
                   pick_list=pick_list, detail=held)


def load(pick_list: PickList, carton: Carton) -> Outcome:
    """Check one carton against the pick list and load it when it belongs."""
    order = carton.order_line.order
    held = {"pick_list": pick_list.code}
    links = dict(carton=carton, order=order, pick_list=pick_list, detail=held)
    voided = active_void(carton)
    if voided is not None:  # its label was declared void: the label on it is not to be trusted
        return Outcome("rejected", "load", msg("The label of carton {carton} was voided ({reason}, by {who}). "
                                               "Print a new label, stick it on, then load the carton.",
                                               carton=carton.code, reason=voided.reason, who=voided.voided_by),
                       reason="label_voided", **links)
    if pick_list.status == "finished":
        return Outcome("rejected", "load", msg("Pick list {code} was already finished at {time}. Scan the next "
                                               "pick list.", code=pick_list.code,
                                               time=short_time(pick_list.finished_at)),
                       reason="finished", **dict(links, detail={"pick_list": ""}))
    if order.status == "cancelled":
        return Outcome("rejected", "load", msg("Order {order} was cancelled. Do not load carton {carton}: put it "
                                               "back and tell the supervisor.", order=order.number,
                                               carton=carton.code), reason="cancelled", **links)
    if carton.status == "loaded":
        return _loaded_before(pick_list, carton, links)
    pick_line = PickListLine.get_or_none((PickListLine.pick_list == pick_list)
                                         & (PickListLine.order_line == carton.order_line_id))
    if pick_line is None:
        return Outcome("rejected", "load", msg("Wrong carton: {carton} belongs to order {order} for {customer}, not "
                                               "to pick list {code}. Put it back.", carton=carton.code,
                                               order=order.number, customer=order.customer.name,
                                               code=pick_list.code), reason="wrong_pick_list", **links)
    if order.on_hold:
        return Outcome("rejected", "load", msg("Order {order} is on hold ({why}). Do not load carton {carton}: put "
                                               "it back and ask the clerk.", order=order.number,
                                               why=order.hold_reason or "-", carton=carton.code),
                       reason="on_hold", **links)
    if waiting_for_payment(order):
        return Outcome("rejected", "load", msg("Order {order} waits for payment: do not load carton {carton}. Ask "
                                               "finance (财务) to release it.", order=order.number,
                                               carton=carton.code), reason="awaiting_payment", **links)
    siblings = list(Carton.select(Carton.id, Carton.status, Carton.pick_list)
                    .where((Carton.job_card == carton.job_card_id) & (Carton.unit_no == carton.unit_no)))
    elsewhere = [c for c in siblings if c.status == "loaded" and c.pick_list_id != pick_list.id]
    if elsewhere:
        other = PickList.get_by_id(elsewhere[0].pick_list_id)
        return Outcome("rejected", "load", msg("Carton {carton} belongs with a unit whose other cartons are on pick "
                                               "list {other}. Keep a unit's cartons together: put it back and ask "
                                               "the supervisor.", carton=carton.code, other=other.code),
                       reason="split_unit", **links)
    started = any(c.status == "loaded" for c in siblings)
    if not started:
        units_here = (Carton.select(Carton.job_card, Carton.unit_no)
                      .where((Carton.pick_list == pick_list) & (Carton.order_line == carton.order_line_id)
                             & (Carton.status == "loaded")).distinct().count())
        if units_here >= pick_line.units:
            line = carton.order_line
            return Outcome("rejected", "load", msg("One too many: pick list {code} takes {units} units of {model} for "
                                                   "order {order}, and they are all being loaded. Put carton "
                                                   "{carton} back.", code=pick_list.code, units=pick_line.units,
                                                   model=line.product.model_no, order=order.number,
                                                   carton=carton.code), reason="over_count", **links)
    was_stored = carton.status == "in_warehouse"
    carton.status = "loaded"
    carton.pick_list = pick_list
    carton.loaded_at = utcnow()
    carton.save(only=[Carton.status, Carton.pick_list, Carton.loaded_at])
    if pick_list.status == "open":
        PickList.update(status="loading").where(PickList.id == pick_list.id).execute()
    goods_moved([carton])
    unit_done = all(c.status == "loaded" for c in siblings if c.id != carton.id)
    loaded, expected = counts(pick_list)
    where = msg("{loaded} of {expected} cartons loaded.", loaded=loaded, expected=expected)
    if loaded >= expected:
        where = msg("All {expected} cartons loaded - press Finish loading.", expected=expected)
    what = dict(carton=carton.code, order=order.number, model=carton.order_line.product.model_no,
                i=carton.package_no, n=carton.packages, tally=where)
    units = 1 if unit_done else 0
    if not was_stored:
        return Outcome("warning", "load", msg("Carton {carton} loaded ({order} {model}, {i}/{n}), but it was never "
                                              "scanned into the warehouse - tell the warehouse. {tally}", **what),
                       reason="not_in_warehouse", units=units, **links)
    return Outcome("ok", "load", msg("Carton {carton} loaded: {order} {model}, carton {i} of {n}. {tally}", **what),
                   units=units, **links)


def _loaded_before(pick_list: PickList, carton: Carton, links: dict) -> Outcome:
    if carton.pick_list_id == pick_list.id:
        earlier = (ScanEvent.select(ScanEvent, Worker)
                   .join(Worker, JOIN.LEFT_OUTER, on=(ScanEvent.worker == Worker.id))
                   .where((ScanEvent.carton == carton) & (ScanEvent.action == "load")
                          & ScanEvent.outcome.in_(("ok", "warning")))
                   .order_by(ScanEvent.id.desc()).first())
        who = earlier.worker.name if earlier is not None and earlier.worker_id else "-"
        return Outcome("duplicate", "load", msg("Carton {carton} is already on this truck (loaded at {time} by "
                                                "{worker}). Counted once - go on with the next carton.",
                                                carton=carton.code, time=short_time(carton.loaded_at), worker=who),
                       reason="already_loaded", **links)
    other = PickList.get_by_id(carton.pick_list_id)
    return Outcome("rejected", "load", msg("Carton {carton} was already loaded on pick list {other} (truck {truck}) "
                                           "at {time}. A carton cannot go on two trucks: check the label and tell "
                                           "the supervisor.", carton=carton.code, other=other.code,
                                           truck=other.truck_plate or "-", time=short_time(carton.loaded_at)),
                   reason="loaded_elsewhere", **links)


def _not_a_carton(code: str, held: PickList | None) -> Outcome:
    detail = {"pick_list": held.code} if held is not None else None
    card = load_card(code)
    if card is not None:
        return Outcome("rejected", "load", msg("{card} is a job card. Scan the labels on the cartons.",
                                               card=card.code), reason="card_not_carton", job_card=card,
                       pick_list=held, detail=detail)
    return Outcome("rejected", "load", msg("Unknown code {code}: no carton or pick list has it. Check the label.",
                                           code=code), reason="unknown", pick_list=held, detail=detail)


def tally_for_page(station, held_code: str | None, result=None) -> Tally | None:
    """The tally the loading kiosk shows: for the pick list the answer names, else the one the page held."""
    if result is not None and "pick_list" in (result.detail or {}):
        held_code = result.detail["pick_list"]
    elif held_code is None:
        last = last_pick_list_at(station)
        held_code = last.code if last is not None else ""
    pick_list = find_pick_list(held_code or "")
    if pick_list is None or pick_list.status == "finished":
        return None
    return tally(pick_list)


# -- undo ------------------------------------------------------------------------------------------


def locked_carton(carton_id: int) -> Carton:
    query = Carton.select().where(Carton.id == carton_id)
    return (query.for_update() if is_postgres() else query).get()


@undoer("load")
def _undo_load(event: ScanEvent) -> Msg:
    """The carton is off the truck again: back in the warehouse (or just packed, if it never went in)."""
    pick_list = find_pick_list(PickList.get_by_id(event.pick_list_id).code, lock=True)
    carton = locked_carton(event.carton_id)
    if pick_list.status == "finished":
        raise ActionRefused(msg("Pick list {code} is finished and the truck has left; a loaded carton cannot be "
                                "taken off it now.", code=pick_list.code))
    if carton.status != "loaded" or carton.pick_list_id != pick_list.id:
        raise ActionRefused(msg("Carton {carton} is not loaded on pick list {code}; there is nothing to undo.",
                                carton=carton.code, code=pick_list.code))
    carton.status = "in_warehouse" if carton.stored_at else "packed"
    carton.pick_list = None
    carton.loaded_at = None
    carton.save(only=[Carton.status, Carton.pick_list, Carton.loaded_at])
    goods_moved([carton])
    loaded, expected = counts(pick_list)
    if loaded == 0 and pick_list.status == "loading":
        PickList.update(status="open").where(PickList.id == pick_list.id).execute()
    return msg("Carton {carton} is off pick list {code} again: take it off the truck. {loaded} of {expected} "
               "cartons loaded.", carton=carton.code, code=pick_list.code, loaded=loaded, expected=expected)
