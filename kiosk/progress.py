"""How far each order has come: units through each station, against units ordered.

Derived from the job cards (a card's units are through every route station before its `next_seq`),
so rework is never counted twice: a rework card starts where QC sent it, and its units left the
original card.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from peewee import fn

from db.models import JobCard, OrderLine, RouteStep, Station


@dataclass
class StageProgress:
    station: Station
    done: int
    total: int
    applies: bool = True  # False when no line of the order passes through this station

    @property
    def percent(self) -> int:
        return 0 if not self.total else round(100 * self.done / self.total)


@dataclass
class OrderProgress:
    order_id: int
    ordered: int
    stages: list[StageProgress] = field(default_factory=list)

    @property
    def percent(self) -> int:
        applicable = [s for s in self.stages if s.applies and s.total]
        if not applicable:
            return 0
        return round(100 * sum(s.done for s in applicable) / sum(s.total for s in applicable))


def route_positions() -> dict[int, dict[int, int]]:
    """route id -> {station id: position on that route}."""
    positions: dict[int, dict[int, int]] = defaultdict(dict)
    for step in RouteStep.select().order_by(RouteStep.route, RouteStep.seq):
        positions[step.route_id][step.station_id] = len(positions[step.route_id])
    return positions


def card_stations() -> list[Station]:
    """Stations whose progress is counted from job cards, in plant order."""
    return list(Station.select().order_by(Station.sort, Station.id))


def progress_for_orders(order_ids: list[int]) -> dict[int, OrderProgress]:
    if not order_ids:
        return {}
    stations = card_stations()
    positions = route_positions()
    ordered = dict(
        OrderLine.select(OrderLine.order, fn.SUM(OrderLine.quantity))
        .where(OrderLine.order.in_(order_ids))
        .group_by(OrderLine.order)
        .tuples()
    )
    # units per (order, route, next_seq): few rows, whatever the number of cards
    rows = (
        JobCard.select(OrderLine.order, JobCard.route, JobCard.next_seq, fn.SUM(JobCard.units))
        .join(OrderLine)
        .where(OrderLine.order.in_(order_ids) & (JobCard.status != "void"))
        .group_by(OrderLine.order, JobCard.route, JobCard.next_seq)
        .tuples()
    )
    done: dict[tuple[int, int], int] = defaultdict(int)
    applies: dict[int, set[int]] = defaultdict(set)
    for order_id, route_id, next_seq, units in rows:
        for station_id, position in positions.get(route_id, {}).items():
            applies[order_id].add(station_id)
            if position < next_seq:
                done[(order_id, station_id)] += int(units or 0)
    result = {}
    for order_id in order_ids:
        total = int(ordered.get(order_id) or 0)
        progress = OrderProgress(order_id=order_id, ordered=total)
        for station in stations:
            progress.stages.append(
                StageProgress(station, done[(order_id, station.id)], total,
                              applies=station.id in applies[order_id] or not applies[order_id])
            )
        result[order_id] = progress
    return result
