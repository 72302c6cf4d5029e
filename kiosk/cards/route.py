"""Job cards on their route: where a card is, and whether a station may take it now.

Shared by every station that scans job cards (process stations, QC, packing).
"""

from __future__ import annotations

import re

from peewee import JOIN, Value, fn

from db import compiled, is_postgres, run_compiled
from db.models import (
    Carton,
    JobCard,
    Order,
    OrderLine,
    OutsideWork,
    Product,
    ScanEvent,
    Station,
    Supplier,
    Worker,
    utcnow,
)
from kiosk.core.clock import short_time
from kiosk.core.errors import ActionRefused
from kiosk.core.outcome import Outcome
from kiosk.core.plant import route_stations, station_label
from kiosk.eventlog.rules import undoer
from kiosk.eventlog.undo import undone_ids
from kiosk.i18n import Msg, msg


def open_work(card: JobCard | int, lock: bool = False) -> OutsideWork | None:
    """The card's work out at a supplier now, with its supplier, or None when the card is in the plant."""
    card_id = card if isinstance(card, int) else card.id
    lock = lock and is_postgres()

    def build(param):
        query = (OutsideWork.select(OutsideWork, Supplier).join(Supplier)
                 .where((OutsideWork.job_card == param("card")) & OutsideWork.returned_at.is_null()))
        return query.for_update(of=OutsideWork) if lock else query

    rows = run_compiled(compiled(f"outside-open-{lock}", build), card=card_id)
    return rows[0] if rows else None


_UNKNOWN = object()


def refusal_if_out(card: JobCard) -> Outcome | None:
    """A station's answer for a card that is out at a supplier (None: the card is in the plant). A card
    `load_card` loaded already says whether it is out (`open_work_id`): one statement fewer for most scans."""
    if getattr(card, "open_work_id", _UNKNOWN) is None:
        return None
    work = open_work(card)
    if work is None:
        return None
    return Outcome("rejected", "scan", msg(
        "Card {card} is at {supplier} since {since}, expected back {expected}. Scan it back in at the clerk "
        "desk first.", card=card.code, supplier=work.supplier.name, since=short_time(work.sent_at),
        expected=work.expected_back.isoformat()), reason="at_supplier", job_card=card,
        detail={"supplier": work.supplier.code})


def load_card(code: str, lock: bool = False) -> JobCard | None:
    """The card with this code, with its line, product and order, locked for update on PostgreSQL, and the id
    of its work out at a supplier now (`open_work_id`, None when it is in the plant)."""
    lock = lock and is_postgres()

    def build(param):
        out = OutsideWork.select(fn.MIN(OutsideWork.id)).where(
            (OutsideWork.job_card == JobCard.id) & OutsideWork.returned_at.is_null())
        query = (
            JobCard.select(JobCard, OrderLine, Product, Order, out.alias("open_work_id"))
            .join(OrderLine)
            .join(Product)
            .switch(OrderLine)
            .join(Order)
            .where(JobCard.code == param("code"))
        )
        return query.for_update(of=JobCard) if lock else query

    rows = run_compiled(compiled(f"load-card-{lock}", build), code=code)
    return rows[0] if rows else None


def check_card(card: JobCard | None, station: Station, code: str):
    """The rejection for scanning `card` at `station` now, or None when the station may take it.

    Covers: unknown code, order cancelled or on hold, card finished or void, out at a supplier, not on this card's
    route, already recorded here (duplicate), and out of sequence.
    """
    if card is None:
        badge = unknown_badge(code)
        if badge is not None:
            return badge
        return Outcome(
            "rejected", "scan",
            msg("Unknown code {code}: no job card has it. Check the card, or ask the clerk.", code=code),
            reason="unknown",
        )
    order = card.order_line.order
    if order.status == "cancelled":
        return Outcome(
            "rejected", "scan",
            msg("Order {order} was cancelled. Stop work on card {card} and take it to the clerk.",
                order=order.number, card=card.code),
            reason="cancelled", job_card=card,
        )
    if order.on_hold:
        return Outcome(
            "rejected", "scan",
            msg("Order {order} is on hold ({why}). Put card {card} aside and ask the clerk.",
                order=order.number, why=order.hold_reason or "-", card=card.code),
            reason="on_hold", job_card=card,
        )
    if card.change_notice:  # the order changed after this card started (kiosk/order_changes.py)
        return Outcome("rejected", "scan", Msg.from_json(card.change_notice), reason="order_changed", job_card=card)
    if card.status == "void":
        return Outcome(
            "rejected", "scan",
            msg("Card {card} is no longer valid: its units moved to rework cards. Use the new card.",
                card=card.code),
            reason="void", job_card=card,
        )
    out = refusal_if_out(card)  # at an outside workshop (kiosk/cards/outside.py)
    if out is not None:
        return out
    stations = route_stations(card.route_id)
    index = next((i for i, s in enumerate(stations) if s.id == station.id), None)
    if index is None:
        return Outcome(
            "rejected", "scan",
            msg("Card {card} does not pass through {station}. Check the route printed on the card.",
                card=card.code, station=station_label(station)),
            reason="not_on_route", job_card=card,
        )
    if index < card.next_seq and (card.status == "done" or card.cartons.exists()):
        return Outcome(
            "rejected", "scan",
            msg("Card {card} has finished its route (order {order}: {status}). There is nothing more to do with it "
                "here: give the card to the clerk.", card=card.code, order=order.number,
                status=msg(order.status.replace("_", " ").capitalize())),
            reason="route_done", job_card=card,
        )
    if index < card.next_seq:
        earlier = last_accepted_here(card, station)
        if earlier is not None:
            who = earlier.worker.name if earlier.worker_id else "-"
            return Outcome(
                "duplicate", "scan",
                msg("Card {card} was already recorded here at {time} by {worker}. Counted once; "
                    "pass it on.", card=card.code, time=short_time(earlier.at), worker=who),
                reason="duplicate", job_card=card,
            )
        return Outcome(
            "rejected", "scan",
            msg("Card {card} is already past {station}; it waits at {next}.",
                card=card.code, station=station_label(station), next=_next_label(card, stations)),
            reason="already_past", job_card=card,
        )
    if index > card.next_seq:
        return Outcome(
            "rejected", "scan",
            msg("Card {card} has not been through {previous} yet. Send it there first.",
                card=card.code, previous=station_label(stations[card.next_seq])),
            reason="out_of_sequence", job_card=card,
        )
    return None


# A badge is a capital letter then capitals, digits or dashes (kiosk/users.py); the plant's own codes are not.
_BADGE_LIKE = re.compile(r"^[A-Z][A-Z0-9-]{1,15}$")
_PLANT_CODES = re.compile(r"^(?:J[CR][0-9]|C[0-9]{8}$|PL[0-9]|DN[0-9]|CP[0-9]|LOC-)")


def unknown_badge(code: str):
    """The answer to a code that looks like a badge nobody active has: not "no such job card"."""
    if not _BADGE_LIKE.match(code or "") or _PLANT_CODES.match(code):
        return None
    return Outcome(
        "rejected", "scan",
        msg("{code} looks like a badge, but nobody working here now has it (unknown, or switched off). Scan your own "
            "badge, or ask the supervisor.", code=code),
        reason="unknown_badge",
    )


def _next_label(card: JobCard, stations: list[Station]):
    if card.next_seq >= len(stations):
        return msg("the end of its route")
    return station_label(stations[card.next_seq])


def last_accepted_here(card: JobCard, station: Station) -> ScanEvent | None:
    return (
        ScanEvent.select(ScanEvent, Worker)
        .join(Worker, on=(ScanEvent.worker == Worker.id), join_type=JOIN.LEFT_OUTER)
        .where(
            (ScanEvent.job_card == card)
            & (ScanEvent.station == station)
            & (ScanEvent.outcome.in_(("ok", "warning")))
        )
        .order_by(ScanEvent.id.desc())
        .first()
    )


def passed_here(card: JobCard, stations: list[Station]) -> tuple:
    """What `advance` is about to change of the order's kept board figures (Outcome.board): the card's units
    are through the station it waits at. Asked before advancing."""
    return ((stations[card.next_seq].id, card.units),)


def advance(card: JobCard, route_length: int) -> None:
    """Move the card past the station it waited for; it is done after its last station."""
    card.next_seq += 1
    if card.next_seq >= route_length:
        card.status = "done"
    card.updated_at = utcnow()
    fields = ("next_seq", "status", "units", "updated_at")
    query = compiled("advance-card", lambda p: JobCard.update(
        {getattr(JobCard, name): Value(p(name), converter=False) for name in fields}).where(JobCard.id == p("id")))
    run_compiled(query, id=card.id, **{name: getattr(JobCard, name).db_value(getattr(card, name)) for name in fields})
    order = card.order_line.order
    if order.status == "released":
        order.status = "in_production"
        order.save()


# -- undo of a scan that moved a card (process stations, QC pass) ----------------------------------


def locked_card(card_id: int) -> JobCard:
    query = JobCard.select().where(JobCard.id == card_id)
    if is_postgres():
        query = query.for_update()
    return query.get()


def later_scans(card: JobCard, event: ScanEvent) -> list[ScanEvent]:
    """Accepted scans of this card after `event` that have not been undone themselves."""
    later = list(ScanEvent.select().where(
        (ScanEvent.job_card == card) & (ScanEvent.id > event.id) & ScanEvent.outcome.in_(("ok", "warning"))
        & (ScanEvent.action.not_in(("undo", "sign_in")))))
    gone = undone_ids([e.id for e in later])
    return [e for e in later if e.id not in gone]


def refuse_if_moved_on(card: JobCard, event: ScanEvent, expected_next: int, stations: list[Station]) -> None:
    later = later_scans(card, event)
    if later:
        first = later[0]
        where = station_label(first.station) if first.station_id else "-"
        raise ActionRefused(msg("Card {card} has a later scan ({action} at {station}); undo that one first.",
                                card=card.code, action=first.action, station=where))
    if card.next_seq != expected_next:
        waits = station_label(stations[card.next_seq]) if card.next_seq < len(stations) else msg("the end of its route")
        raise ActionRefused(msg("Card {card} is no longer where this scan left it (it waits at {station}); "
                                "nothing was changed.", card=card.code, station=waits))
    if Carton.select().where(Carton.job_card == card).exists():
        raise ActionRefused(msg("Card {card} already has packed cartons; undo the packing first.", card=card.code))


def station_position(event: ScanEvent, stations: list[Station]) -> int:
    for index, station in enumerate(stations):
        if station.id == event.station_id:
            return index
    raise ActionRefused(msg("This scan's station is no longer on the card's route; it cannot be undone."))


def _back_to_released(order_id: int) -> None:
    """An order with no work recorded any more is released again, not in production."""
    order = Order.get_by_id(order_id)
    if order.status != "in_production":
        return
    started = (JobCard.select().join(OrderLine)
               .where((OrderLine.order == order) & (JobCard.status != "void")
                      & ((JobCard.next_seq > 0) | JobCard.parent.is_null(False))).exists())
    if not started:
        order.status = "released"
        order.save()


@undoer("pass", "qc_pass")
def _undo_pass(event: ScanEvent) -> Msg:
    """A card that moved on from a station waits there again."""
    if event.job_card_id is None:
        raise ActionRefused(msg("This scan moved no job card; there is nothing to undo."))
    card = locked_card(event.job_card_id)
    stations = route_stations(card.route_id)
    index = station_position(event, stations)
    if card.status == "void":
        raise ActionRefused(msg("Card {card} was split by QC since; undo the QC result first.", card=card.code))
    refuse_if_moved_on(card, event, index + 1, stations)
    card.next_seq = index
    card.status = "open"
    card.updated_at = utcnow()
    card.save()
    _back_to_released(event.order_id or card.order_line.order_id)
    return msg("Card {card} waits at {station} again.", card=card.code, station=station_label(stations[index]))
