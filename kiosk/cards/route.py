"""Job cards on their route: where a card is, and whether a station may take it now.

Shared by every station that scans job cards (process stations, QC, packing).
"""

from __future__ import annotations

import re

from peewee import JOIN, Value

from db import compiled, is_postgres, run_compiled
from db.models import JobCard, Order, OrderLine, Product, ScanEvent, Station, Worker, utcnow
from kiosk.cards.outside import refusal_if_out
from kiosk.core import plant
from kiosk.i18n import Msg, msg


def route_stations(route_id: int) -> list[Station]:
    return plant.route_stations(route_id)


def station_index(route_id: int, station: Station) -> int | None:
    for index, candidate in enumerate(route_stations(route_id)):
        if candidate.id == station.id:
            return index
    return None


def station_label(station: Station) -> dict[str, str]:
    """A station's name in both languages, for a message translated later."""
    return {"zh": station.name_zh, "en": station.name_en}


def load_card(code: str, lock: bool = False) -> JobCard | None:
    """The card with this code, with its line, product and order, locked for update on PostgreSQL."""
    lock = lock and is_postgres()

    def build(param):
        query = (
            JobCard.select(JobCard, OrderLine, Product, Order)
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
    from kiosk.eventlog.scan_path import Outcome

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
    out = refusal_if_out(card)  # at an outside workshop (kiosk/outside_work.py)
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
                    "pass it on.", card=card.code, time=_local_time(earlier.at), worker=who),
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
    from kiosk.eventlog.scan_path import Outcome

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


def _local_time(at) -> str:
    from kiosk.core.clock import to_local

    return to_local(at).strftime("%m-%d %H:%M")
