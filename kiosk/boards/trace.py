"""Traceability: everything the log says about an order, a job card or a carton, in time order.

A code is looked up as an order number, a job card code, a carton code or SSCC, in that order.
A job card's trace includes its rework cards and its cartons; a carton's includes the job card
it was packed from, so the units' whole way through the plant shows on one page.
Plain Python over the models; no Flask.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from peewee import JOIN

from db.models import Carton, JobCard, Order, OrderLine, PickList, PickListLine, ScanEvent, Station, Worker

MAX_EVENTS = 5_000  # a trace longer than this shows the latest ones


@dataclass
class Subject:
    kind: str  # order, job_card, carton, pick_list
    code: str
    order: Order | None  # a pick list may hold several orders: its first one
    job_card_ids: set[int] = field(default_factory=set)
    carton_ids: set[int] = field(default_factory=set)
    pick_list: PickList | None = None

    def matches(self, order_id: int | None, job_card_id: int | None, carton_id: int | None) -> bool:
        """Does an event with these links belong on this trace?"""
        if self.kind == "order":
            return order_id == self.order.id
        return job_card_id in self.job_card_ids or carton_id in self.carton_ids


def _descendants(card: JobCard) -> set[int]:
    ids = {card.id}
    frontier = [card.id]
    while frontier:
        frontier = [c for (c,) in JobCard.select(JobCard.id).where(JobCard.parent.in_(frontier)).tuples()
                    if c not in ids]
        ids.update(frontier)
    return ids


def find(code: str) -> Subject | None:
    code = (code or "").strip()[:64]
    if not code:
        return None
    order = Order.get_or_none(Order.number == code)
    if order is not None:
        return Subject("order", order.number, order)
    card = (JobCard.select(JobCard, OrderLine, Order).join(OrderLine).join(Order)
            .where(JobCard.code == code).first())
    if card is not None:
        cards = _descendants(card)
        cartons = {c for (c,) in Carton.select(Carton.id).where(Carton.job_card.in_(list(cards))).tuples()}
        return Subject("job_card", card.code, card.order_line.order, cards, cartons)
    sscc = code[2:] if code.startswith("00") and len(code) == 20 else code  # GS1 AI (00) in front
    carton = (Carton.select(Carton, OrderLine, Order).join(OrderLine).join(Order)
              .where((Carton.code == code) | (Carton.sscc == sscc)).first())
    if carton is not None:
        return Subject("carton", carton.code, carton.order_line.order, {carton.job_card_id}, {carton.id})
    pick_list = PickList.get_or_none(PickList.code == code)
    if pick_list is not None:
        first = (Order.select().join(OrderLine).join(PickListLine, on=(PickListLine.order_line == OrderLine.id))
                 .where(PickListLine.pick_list == pick_list.id).order_by(PickListLine.id).first())
        loaded = {c for (c,) in Carton.select(Carton.id).where(Carton.pick_list == pick_list.id).tuples()}
        return Subject("pick_list", pick_list.code, first, set(), loaded, pick_list)
    return None


def events(subject: Subject, ids: list[int] | None = None) -> list[ScanEvent]:
    """The subject's events in time order (when recorded; id breaks ties); `ids` narrows to those events."""
    if subject.kind == "order":
        where = ScanEvent.order == subject.order
    elif subject.kind == "pick_list":
        # its loading: the pick list scanned, the cartons loaded against it, finishing and undos
        where = (ScanEvent.pick_list == subject.pick_list.id) | (ScanEvent.code == subject.code)
    else:
        where = ScanEvent.job_card.in_(list(subject.job_card_ids))
        if subject.carton_ids:
            where = where | ScanEvent.carton.in_(list(subject.carton_ids))
    if ids is not None:
        where = (ScanEvent.id.in_(ids)) & (where)
    query = (
        ScanEvent.select(ScanEvent, Station, Worker, JobCard)
        .join(Station, JOIN.LEFT_OUTER, on=(ScanEvent.station == Station.id))
        .switch(ScanEvent)
        .join(Worker, JOIN.LEFT_OUTER, on=(ScanEvent.worker == Worker.id))
        .switch(ScanEvent)
        .join(JobCard, JOIN.LEFT_OUTER, on=(ScanEvent.job_card == JobCard.id))
        .where(where)
        .order_by(ScanEvent.id.desc())
        .limit(MAX_EVENTS)
    )
    return sorted(query, key=lambda event: (event.at, event.id))
