"""Two docks scanning the same carton at the same moment: it is loaded once, on SQLite (BEGIN
IMMEDIATE serialises writers) and on PostgreSQL (the pick list and the carton are locked FOR UPDATE)."""

from __future__ import annotations

import uuid

import db
from db.models import Carton, ScanEvent, Station
from kiosk.core import plant as plant_cache
from kiosk.core.outcome import ScanRequest
from kiosk.eventlog.scan_path import record_scan
from kiosk.shipping.pick_lists import create_pick_list, tally
from tests.factories import THREADS, make_order, run_together, stocked, whole

DOCKS = ("loading", "dock2")


def second_dock() -> None:
    Station.create(code="dock2", name_zh="2号月台", name_en="Dock 2", kind="loading", sort=9)
    plant_cache.forget()


def load_at(dock: str, code: str, pick_list: str, badge: str = "W001"):
    return record_scan(ScanRequest(dock, code, uuid.uuid4().hex, worker_badge=badge,
                                   options={"pick_list": pick_list}))


def test_same_carton_at_two_docks_on_one_pick_list_is_loaded_once(plant, database_url):
    second_dock()
    order = make_order(lines=[("DT-120", 2)])
    cartons = stocked(order)
    pick_list = create_pick_list("LH", whole(order), "沪A00001")
    plant.close()

    results, errors = run_together(
        database_url, lambda i: load_at(DOCKS[i % 2], cartons[0].code, pick_list.code, f"W00{i % 9 + 1}"))
    assert errors == []
    assert sorted(r.outcome for r in results) == ["duplicate"] * (THREADS - 1) + ["ok"]
    with db.database.connection_context():
        assert ScanEvent.select().where((ScanEvent.action == "load") & (ScanEvent.outcome == "ok")).count() == 1
        assert tally(pick_list).loaded == 1
        assert Carton.get_by_id(cartons[0].id).pick_list_id == pick_list.id


def test_same_carton_at_two_docks_on_two_pick_lists_goes_on_one_truck(plant, database_url):
    second_dock()
    order = make_order(lines=[("DC-08", 2)])
    cartons = stocked(order)
    line = order.lines.get()
    first, second = create_pick_list("LH", {line.id: 1}, "沪A00001"), create_pick_list("LH", {line.id: 1}, "沪A00002")
    plant.close()

    held = (first.code, second.code)
    results, errors = run_together(database_url, lambda i: load_at(DOCKS[i % 2], cartons[0].code, held[i % 2]))
    assert errors == []
    assert sum(r.outcome == "ok" for r in results) == 1
    winner = next(r for r in results if r.outcome == "ok").detail["pick_list"]
    for result in results:
        if result.outcome != "ok":
            expected = "duplicate" if result.detail["pick_list"] == winner else "rejected"
            assert result.outcome == expected, result.message.render("en")
    with db.database.connection_context():
        assert Carton.select().where(Carton.status == "loaded").count() == 1
        assert tally(first).loaded + tally(second).loaded == 1


def test_racing_cartons_never_overfill_a_pick_list(plant, database_url):
    second_dock()
    order = make_order(lines=[("DC-08", THREADS)])
    cartons = stocked(order)
    pick_list = create_pick_list("LH", {order.lines.get().id: 1})
    plant.close()

    results, errors = run_together(database_url, lambda i: load_at(DOCKS[i % 2], cartons[i].code, pick_list.code))
    assert errors == []
    assert sorted(r.reason or r.outcome for r in results) == ["ok"] + ["over_count"] * (THREADS - 1)
    with db.database.connection_context():
        assert tally(pick_list).loaded == 1 and tally(pick_list).complete
