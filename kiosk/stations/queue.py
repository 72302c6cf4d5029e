"""The station's queue: job cards waiting here (released, through the previous station, not yet scanned
here), rush orders first, then by due date. Read-only, no Flask."""

from __future__ import annotations

from dataclasses import dataclass

from db.models import JobCard, Order, OrderLine, OutsideWork, Product, Station
from kiosk.cards.route import load_card
from kiosk.core import plant
from kiosk.orders.orders import spec_of

QUEUE_SHOWN = 30  # cards listed on the station page; the header counts them all


@dataclass
class Waiting:
    count: int
    cards: list  # JobCard with order_line, product and order loaded, in the order to work them
    specs: dict  # card id -> spec_of(line)


def _here(station: Station):
    """(route, next_seq) pairs of cards that wait at `station`."""
    condition = None
    for route_id, positions in plant.route_positions().items():
        position = positions.get(station.id)
        if position is None:
            continue
        this = (JobCard.route == route_id) & (JobCard.next_seq == position)
        condition = this if condition is None else (condition | this)
    return condition


def waiting(station: Station, limit: int = QUEUE_SHOWN) -> Waiting:
    here = _here(station)
    if here is None:
        return Waiting(0, [], {})
    out = OutsideWork.select(OutsideWork.job_card).where(OutsideWork.returned_at.is_null())
    query = (JobCard.select(JobCard, OrderLine, Product, Order)
             .join(OrderLine).join(Product).switch(OrderLine).join(Order)
             .where((JobCard.status == "open") & here & Order.status.not_in(("draft", "cancelled"))
                    & ~Order.on_hold & JobCard.change_notice.is_null() & JobCard.id.not_in(out)))
    count = query.count()
    cards = list(query.order_by(Order.rush.desc(), Order.due_date, Order.id, JobCard.id).limit(limit))
    return Waiting(count, cards, {card.id: spec_of(card.order_line) for card in cards})


def card_spec(code: str) -> list:
    """The spec of the order line a scanned job card belongs to ([] for anything else)."""
    card = load_card(code)
    return spec_of(card.order_line) if card is not None else []
