"""The check of the board's kept figures (db/models.BoardCount): each order's stages and cartons as the
board reads them, against the same figures worked out afresh from its job cards and cartons (the state
the event log's scans left) by kiosk/orders/progress.py, independent Python code.

`kiosk rebuild-board-counts` runs it and lists the differences; with `--write` it rewrites every
order's kept figures (db/board_counts.py) and checks again. A difference means something changed
cards or cartons without going through the scan path, a desk action or an undo (a hand edit of the
database, or a writer that forgot `kiosk.eventlog.board_counts.refresh`). No Flask here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from peewee import fn

from db import board_counts, database, in_ids, write_transaction
from db.models import Carton, Order, OrderLine, Product
from kiosk.orders.progress import kept_progress, progress_for_orders

CHUNK = 500  # orders compared at a time


@dataclass(frozen=True)
class Difference:
    order: str  # order number
    figure: str  # "<station code> done", "<station code> total", "<station code> applies", "cartons packed" ...
    kept: object
    counted: object

    def __str__(self) -> str:
        return f"{self.order}: {self.figure} kept {self.kept}, counted {self.counted}"


def _counted_cartons(order_ids: list[int]) -> dict[int, tuple[int, int, int, int]]:
    """(expected, packed, stored, loaded) cartons per order, counted from the lines and cartons."""
    expected = dict(OrderLine.select(OrderLine.order, fn.SUM(OrderLine.quantity * Product.cartons_per_unit))
                    .join(Product).where(in_ids(OrderLine.order, order_ids)).group_by(OrderLine.order).tuples())
    by_status: dict[tuple[int, str], int] = {
        (order_id, status): count for order_id, status, count in
        Carton.select(OrderLine.order, Carton.status, fn.COUNT(Carton.id))
        .join(OrderLine, on=(Carton.order_line == OrderLine.id))
        .where(in_ids(OrderLine.order, order_ids))
        .group_by(OrderLine.order, Carton.status).tuples()}
    found = {}
    for order_id in order_ids:
        packed, stored, loaded = (by_status.get((order_id, s), 0) for s in ("packed", "in_warehouse", "loaded"))
        found[order_id] = (int(expected.get(order_id) or 0), packed + stored + loaded, stored + loaded, loaded)
    return found


def _compare(order_ids: list[int], numbers: dict[int, str]) -> Iterator[Difference]:
    kept, kept_boxes = kept_progress(order_ids, order_ids)
    counted = progress_for_orders(order_ids)
    boxes = _counted_cartons(order_ids)
    for order_id in order_ids:
        number = numbers[order_id]
        mine, theirs = kept[order_id], counted[order_id]
        for a, b in zip(mine.stages, theirs.stages, strict=True):
            for name in ("done", "total", "applies"):
                if getattr(a, name) != getattr(b, name):
                    yield Difference(number, f"{a.station.code} {name}", getattr(a, name), getattr(b, name))
        k = kept_boxes[order_id]
        for name, kept_value, counted_value in zip(("expected", "packed", "stored", "loaded"),
                                                   (k.expected, k.packed, k.stored, k.loaded), boxes[order_id],
                                                   strict=True):
            if kept_value != counted_value:
                yield Difference(number, f"cartons {name}", kept_value, counted_value)


def differences(order_ids: list[int] | None = None) -> list[Difference]:
    """Every figure where the kept counts and a recount disagree (every order, or these)."""
    query = Order.select(Order.id, Order.number).order_by(Order.id)
    if order_ids is not None:
        query = query.where(in_ids(Order.id, order_ids))
    numbers = dict(query.tuples())
    ids = list(numbers)
    found: list[Difference] = []
    for start in range(0, len(ids), CHUNK):
        found.extend(_compare(ids[start:start + CHUNK], numbers))
    return found


def rewrite() -> None:
    """Every order's kept figures written afresh from its cards and cartons, in one transaction."""
    with write_transaction():
        board_counts.fill_every_order(database.obj)
