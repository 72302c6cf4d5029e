"""The order board tells the truth: work done and waiting counts, an order in stock waiting for its truck is
not at risk, a late or at-risk order names where it is stuck, and the demo plant shows a believable mix."""

from __future__ import annotations

import datetime as dt

import pytest

from db.models import Station
from kiosk.boards.figures import OrderRow, holding_station, judge
from kiosk.orders.progress import StageProgress

KINDS = [("whitebody", "process"), ("finishing", "process"), ("qc", "qc"), ("packing", "packing"),
         ("warehouse", "warehouse"), ("loading", "loading")]
STATIONS = [Station(id=i + 1, code=code, name_zh=code, name_en=code, kind=kind) for i, (code, kind) in enumerate(KINDS)]
TODAY = dt.date(2026, 3, 10)


def row(done: list[int], total: int = 10, days_left: int = 2, number: str = "SO1") -> OrderRow:
    stages = [StageProgress(station=s, done=d, total=total) for s, d in zip(STATIONS, done, strict=True)]
    return OrderRow(order_id=hash(number) % 10_000, number=number, customer_code="C", customer_name="C",
                    due_date=TODAY + dt.timedelta(days=days_left), rush=False, on_hold=False, hold_reason="",
                    order_status="in_production", ordered=total, stages=stages, days_left=days_left)


PACE = {s.id: 5.0 for s in STATIONS} | {6: 0.0}  # loading moved nothing this week


def test_an_order_in_stock_waiting_for_its_truck_is_on_track():
    in_stock = row([10, 10, 10, 10, 10, 0], days_left=1)
    judge([in_stock], PACE)
    assert (in_stock.status, in_stock.days_needed, in_stock.held_at) == ("on_track", 0.0, None)


def test_an_overdue_order_in_stock_is_late_and_stuck_at_loading():
    overdue = row([10, 10, 10, 10, 10, 0], days_left=-1)
    judge([overdue], PACE)
    assert overdue.status == "late" and overdue.held_at.code == "loading"


def test_an_at_risk_order_names_the_station_holding_most_of_its_units():
    # 10 units: 2 not started, 3 waiting at finishing, 5 through finishing waiting at QC
    behind = row([8, 5, 0, 0, 0, 0], days_left=0)
    judge([behind], PACE)
    assert behind.status == "at_risk" and behind.held_at.code == "qc"
    assert holding_station(behind.stages).code == "qc"
    assert holding_station(row([0, 0, 0, 0, 0, 0]).stages).code == "whitebody"


def test_days_needed_counts_only_the_work_left():
    half = row([10, 10, 5, 0, 0, 0], days_left=5)  # QC has 5 left, packing 10 and warehouse 10: at 5 a day 2 days
    judge([half], PACE)
    assert half.days_needed == 2.0 and half.status == "on_track"


@pytest.mark.slow
def test_the_demo_board_has_a_believable_mix(plant):
    from kiosk.boards.figures import order_board
    from kiosk.core import plant as plant_cache
    from kiosk.core.clock import today
    from kiosk.demo import seed_history, seed_orders, seed_shipping

    plant_cache.forget()
    seed_history()
    seed_orders()
    seed_shipping()
    board = order_board(today())
    counts = board.counts()
    total = sum(counts.values())
    assert total >= 25 and not any(r.number.startswith("SO26H") for r in board.rows)  # history is shipped
    assert counts["on_track"] >= total // 2, counts
    assert counts["at_risk"] >= 3 and counts["late"] >= 1, counts
    assert all(r.status == "on_track" for r in board.rows if r.order_status == "in_stock" and r.days_left >= 0)
    assert all(r.held_at is not None for r in board.rows if r.status != "on_track")


def test_a_clerk_records_a_delay_reason_and_a_supervisor_clears_it(client, plant):
    from db.models import OrderDelay
    from kiosk.boards.figures import delay_reasons
    from tests.auth_helpers import login, post
    from tests.factories import make_order

    order = make_order(lines=[("DT-120", 2)])
    login(client, "clerk")
    page = client.get(f"/orders/{order.number}")
    assert 'id="add-delay"' in page.text
    post(client, f"/supervisor/orders/{order.number}/delays", {"reason": "material_shortage", "note": "board A"})
    delay = OrderDelay.get()
    assert delay.reason == "material_shortage" and delay.cleared_at is None
    assert delay_reasons([order.id])[order.id].key == "{reason}, note: {note}"
    assert post(client, f"/supervisor/orders/{order.number}/delays/{delay.id}/clear").status_code == 403
    boss = login(client, "supervisor")
    post(client, f"/supervisor/orders/{order.number}/delays/{delay.id}/clear")
    delay = OrderDelay.get()
    assert delay.cleared_at is not None and delay.cleared_by == boss.username
    assert delay_reasons([order.id]) == {}  # the board no longer shows it
    assert f'data-delay="{delay.id}" class="cleared muted"' in client.get(f"/orders/{order.number}").text
