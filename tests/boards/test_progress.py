"""Progress asked for many orders at once (the board) equals progress asked order by order."""

from __future__ import annotations

from db import in_ids
from db.models import Order
from kiosk.orders.progress import progress_for_orders
from tests.factories import cards_of, make_order, scan


def figures(progress):
    return [(s.station.code, s.done, s.total, s.applies) for s in progress.stages]


def test_long_id_lists_give_the_same_figures_as_short_ones(plant):
    orders = [make_order(lines=[("DC-08", 2 + i % 3), ("MT-10", 1)]) for i in range(70)]
    for order in orders[::3]:
        for card in cards_of(order):
            scan("whitebody", card.code)
    ids = [o.id for o in orders]
    together = progress_for_orders(ids)  # 70 ids: one array / json parameter
    for order_id in ids:
        assert figures(together[order_id]) == figures(progress_for_orders([order_id])[order_id])
    assert figures(together[orders[0].id])[0] == ("whitebody", 3, 3, True)
    assert Order.select().where(in_ids(Order.id, ids[:65])).count() == 65


def test_mixed_routes_each_stage_counts_its_own_lines(plant):
    order = make_order(lines=[("DT-120", 2), ("MT-10", 3)])  # the mattress skips finishing
    for card in cards_of(order):
        scan("whitebody", card.code)
        if card.order_line.product.model_no == "DT-120":
            scan("finishing", card.code)
    stages = {code: (done, total) for code, done, total, _ in figures(progress_for_orders([order.id])[order.id])}
    assert stages["whitebody"] == (5, 5)
    assert stages["finishing"] == (2, 2)  # complete: only the table passes through finishing
