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
from db.models import BoardCount, Carton, JobCard, OrderLine, Product, Station
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


def _totals(lines, positions) -> tuple[dict[int, int], dict[int, dict[int, int]]]:
    """(units ordered per order, {order: {station: units of the lines whose route passes it}}) from
    (order id, product route id, quantity, ...) rows."""
    ordered: dict[int, int] = {}
    totals: dict[int, dict[int, int]] = {}
    for order_id, route_id, quantity, *_ in lines:
        quantity = int(quantity or 0)
        ordered[order_id] = ordered.get(order_id, 0) + quantity
        mine = totals.setdefault(order_id, {})
        for station_id in positions.get(route_id, ()):
            mine[station_id] = mine.get(station_id, 0) + quantity
    return ordered, totals


def _assemble(order_ids, stations, ordered, totals, done, applies) -> dict[int, OrderProgress]:
    """Each order's stages in plant order. A stage applies when a live card's route passes it (every stage
    of an order without cards); its total is the units of the lines whose route passes it, else all.
    `totals` and `done` are {order: {station: units}}; `applies` {order: stations on its cards' routes}.
    The board asks this for thousands of orders: plain loops over station ids, no model attributes."""
    pairs = [(station, station.id) for station in stations]
    nothing: dict = {}
    result = {}
    for order_id in order_ids:
        total = int(ordered.get(order_id) or 0)
        on_routes = applies.get(order_id)
        done_here = done.get(order_id, nothing)
        if on_routes:
            totals_here = totals.get(order_id, nothing)
            stages = [StageProgress(station, done_here.get(sid, 0), totals_here.get(sid, 0) or total, sid in on_routes)
                      for station, sid in pairs]
        else:
            stages = [StageProgress(station, done_here.get(sid, 0), total, True) for station, sid in pairs]
        result[order_id] = OrderProgress(order_id, total, stages)
    return result


def progress_for_orders(order_ids: list[int]) -> dict[int, OrderProgress]:
    """Progress worked out from the orders' lines, job cards and cartons (order pages; the check of the
    kept board figures, kiosk/boards/recount.py)."""
    if not order_ids:
        return {}
    stations = plant.stations()  # in plant order; warehouse-in and loading are counted from cartons
    positions = plant.route_positions()
    # Each stage's total is the units of the lines whose route passes through it: an order mixing a
    # finished product with one that skips finishing can still complete finishing.
    lines = (
        OrderLine.select(OrderLine.order, Product.route, fn.SUM(OrderLine.quantity))
        .join(Product)
        .where(in_ids(OrderLine.order, order_ids))
        .group_by(OrderLine.order, Product.route)
        .tuples()
    )
    ordered, totals = _totals(lines, positions)
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
    by_order: dict[int, dict[int, int]] = defaultdict(dict)
    for (order_id, station_id), units in done.items():
        by_order[order_id][station_id] = units
    return _assemble(order_ids, stations, ordered, totals, by_order, applies)


@dataclass(slots=True)
class KeptCartons:
    """An order's cartons as the board counts them: expected from its lines, the rest kept."""

    expected: int = 0
    packed: int = 0  # every carton packed so far, wherever it is now
    stored: int = 0  # in the warehouse or already loaded
    loaded: int = 0


CARTON_COLUMN = {"packing": "packed", "warehouse": "stored", "loading": "loaded"}


def kept_progress(orders: Select | list[int], order_ids: list[int]) -> tuple[dict[int, OrderProgress],
                                                                             dict[int, KeptCartons]]:
    """Progress and cartons of `order_ids` read from the kept figures (db/models.BoardCount) and the lines:
    two queries of a few thousand rows, read raw. `orders` selects the same orders for the database (a
    subquery, or the id list)."""
    if not order_ids:
        return {}, {}
    stations = plant.stations()
    positions = plant.route_positions()
    lines = raw_rows(OrderLine.select(OrderLine.order, Product.route, fn.SUM(OrderLine.quantity),
                                  fn.SUM(OrderLine.quantity * Product.cartons_per_unit))
                 .join(Product).where(in_ids(OrderLine.order, orders))
                 .group_by(OrderLine.order, Product.route))
    ordered, totals = _totals(lines, positions)
    cartons: dict[int, KeptCartons] = {order_id: KeptCartons() for order_id in order_ids}
    for order_id, _route, _quantity, expected in lines:
        if order_id in cartons:
            cartons[order_id].expected += int(expected or 0)
    kept = raw_rows(BoardCount.select(BoardCount.order, BoardCount.station, BoardCount.units, BoardCount.cards,
                                  BoardCount.cartons)
                .where(in_ids(BoardCount.order, orders)
                       & ((BoardCount.units != 0) | (BoardCount.cards != 0) | (BoardCount.cartons != 0))))
    done: dict[int, dict[int, int]] = {}
    applies: dict[int, set[int]] = {}
    carton_column = {s.id: CARTON_COLUMN[s.kind] for s in stations if s.kind in CARTON_COLUMN}
    for order_id, station_id, units, cards, boxes in kept:
        if units:
            done.setdefault(order_id, {})[station_id] = units
        if cards:
            applies.setdefault(order_id, set()).add(station_id)
        if boxes and station_id in carton_column and order_id in cartons:
            column, kept_cartons = carton_column[station_id], cartons[order_id]
            setattr(kept_cartons, column, max(getattr(kept_cartons, column), boxes))
    return _assemble(order_ids, stations, ordered, totals, done, applies), cartons


def raw_rows(query) -> list[tuple]:
    """The rows of a query as the driver gives them (no field conversions): thousands of rows without
    peewee's per-row work."""
    sql, params = query.sql()
    return query._database.execute_sql(sql, params).fetchall()
