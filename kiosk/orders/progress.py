"""How far each order has come: units through each station, against units ordered.

Derived from the job cards (a card's units are through every route station before its `next_seq`),
so rework is never counted twice: a rework card starts where QC sent it, and its units left the
original card.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from peewee import Case, Select, fn

from db import in_ids
from db.models import Carton, JobCard, OrderLine, Product, Station
from kiosk.core import plant
from kiosk.shipping.cartons import TAKEN_OUT


@dataclass(slots=True)
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


# After packing, goods move as cartons: a unit is through warehouse-in when all its cartons are in
# (or already loaded), and through loading when all its cartons are loaded.
CARTON_STAGES = ("warehouse", "loading")


def _count_from_cartons(order_ids: list[int], stages: dict[int, str], done: dict[tuple[int, int], int]) -> None:
    """Units whose cartons are all in (or loaded) and all loaded, per order, counted by the database:
    one row per order, not one per unit (the board asks this for thousands of orders)."""
    stored = Case(None, [(Carton.status.in_(("in_warehouse", "loaded")), 1)], 0)
    loaded = Case(None, [(Carton.status == "loaded", 1)], 0)
    units = (
        Carton.select(OrderLine.order.alias("order_id"), fn.COUNT(Carton.id).alias("n"),
                      fn.SUM(stored).alias("stored"), fn.SUM(loaded).alias("loaded"))
        .join(OrderLine)
        .where(in_ids(OrderLine.order, order_ids) & (Carton.status != TAKEN_OUT))
        .group_by(OrderLine.order, Carton.job_card, Carton.unit_no)
        .alias("units")
    )
    through = (
        Select([units], [units.c.order_id,
                         fn.SUM(Case(None, [(units.c.stored == units.c.n, 1)], 0)),
                         fn.SUM(Case(None, [(units.c.loaded == units.c.n, 1)], 0))])
        .group_by(units.c.order_id)
        .bind(Carton._meta.database)
    )
    counts = {order_id: {"warehouse": int(w or 0), "loading": int(ld or 0)}
              for order_id, w, ld in through.tuples()}
    for order_id in order_ids:
        for station_id, kind in stages.items():
            done[(order_id, station_id)] = counts.get(order_id, {}).get(kind, 0)


def progress_for_orders(order_ids: list[int]) -> dict[int, OrderProgress]:
    if not order_ids:
        return {}
    stations = plant.stations()  # in plant order; warehouse-in and loading are counted from cartons
    positions = plant.route_positions()
    # Each stage's total is the units of the lines whose route passes through it: an order mixing a
    # finished product with one that skips finishing can still complete finishing.
    ordered: dict[int, int] = defaultdict(int)
    totals: dict[tuple[int, int], int] = defaultdict(int)
    lines = (
        OrderLine.select(OrderLine.order, Product.route, fn.SUM(OrderLine.quantity))
        .join(Product)
        .where(in_ids(OrderLine.order, order_ids))
        .group_by(OrderLine.order, Product.route)
        .tuples()
    )
    for order_id, route_id, quantity in lines:
        ordered[order_id] += int(quantity or 0)
        for station_id in positions.get(route_id, {}):
            totals[(order_id, station_id)] += int(quantity or 0)
    # units per (order, route, next_seq): few rows, whatever the number of cards
    rows = (
        JobCard.select(OrderLine.order, JobCard.route, JobCard.next_seq, fn.SUM(JobCard.units))
        .join(OrderLine)
        .where(in_ids(OrderLine.order, order_ids) & (JobCard.status != "void"))
        .group_by(OrderLine.order, JobCard.route, JobCard.next_seq)
        .tuples()
    )
    done: dict[tuple[int, int], int] = defaultdict(int)
    applies: dict[int, set[int]] = defaultdict(set)
    by_step: dict[tuple[int, int], tuple[tuple[int, ...], tuple[int, ...]]] = {}
    for order_id, route_id, next_seq, units in rows:
        step = by_step.get((route_id, next_seq))
        if step is None:  # (stations on the route, stations a card waiting at next_seq is through)
            on_route = positions.get(route_id, {})
            step = by_step[(route_id, next_seq)] = (
                tuple(on_route), tuple(s for s, position in on_route.items() if position < next_seq))
        applies[order_id].update(step[0])
        units = int(units or 0)
        for station_id in step[1]:
            done[(order_id, station_id)] += units
    carton_stages = {s.id: s.kind for s in stations if s.kind in CARTON_STAGES}
    if carton_stages:
        _count_from_cartons(order_ids, carton_stages, done)
    result = {}
    for order_id in order_ids:
        total = int(ordered.get(order_id) or 0)
        progress = OrderProgress(order_id=order_id, ordered=total)
        for station in stations:
            applies_here = station.id in applies[order_id] or not applies[order_id]
            stage_total = totals[(order_id, station.id)] if applies[order_id] else total
            progress.stages.append(
                StageProgress(station, done[(order_id, station.id)], stage_total or total, applies=applies_here)
            )
        result[order_id] = progress
    return result
