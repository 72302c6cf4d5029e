"""The board's figures are kept per order and station as scans, actions and undos are written, and always
equal a recount from the cards and cartons those events left (kiosk/orders/progress.py, independent code);
a failed scan takes its figures with it; `kiosk rebuild-board-counts` finds and fixes a difference."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

import db
from db.models import BoardCount, Order, ScanEvent, Station
from kiosk.boards import figures, recount
from kiosk.core.clock import today
from kiosk.core.outcome import ScanRequest
from kiosk.eventlog.scan_path import record_scan
from kiosk.eventlog.undo import undo_scan
from kiosk.shipping.pick_lists import create_pick_list
from tests.factories import cards_of, cartons_of, make_order, scan, ship, stocked


def kept(order: Order) -> dict[str, tuple[int, int, int]]:
    """(units, cards, cartons) per station code, as kept."""
    codes = {s.id: s.code for s in Station.select()}
    return {codes[row.station_id]: (row.units, row.cards, row.cartons)
            for row in BoardCount.select().where(BoardCount.order == order)}


def agrees() -> None:
    found = recount.differences()
    assert found == [], [str(d) for d in found]


def ok(result) -> None:
    assert result.outcome in ("ok", "warning"), result.message.render("en")


def test_kept_figures_equal_a_recount_through_a_mixed_history(plant):
    # A: 6 tables (2 cartons a unit) on two cards of 3; standard route
    a = make_order(lines=[("DT-120", 6)], card_units=3, number="A-1")
    a1, a2 = cards_of(a)
    agrees()
    assert kept(a)["whitebody"] == (0, 2, 0) and kept(a)["finishing"] == (0, 2, 0)
    for station in ("whitebody", "finishing"):
        ok(scan(station, a1.code))
    ok(scan("whitebody", a2.code))
    second = scan("finishing", a2.code)
    ok(second)
    assert kept(a)["finishing"] == (6, 2, 0)
    agrees()
    undo_scan(second.event_id, "scanned the wrong card", "sup")  # undo of a pass
    assert kept(a)["finishing"] == (3, 2, 0)
    agrees()
    ok(scan("finishing", a2.code))
    assert scan("packing", a1.code).outcome == "rejected"  # out of sequence: nothing moves
    agrees()

    # QC: one unit of A1 fails back to finishing on a rework card; A2 passes
    failed = scan("qc", a1.code, verdict="fail", failed_units="1", defect="Scratch", rework_station="finishing")
    ok(failed)
    assert kept(a)["finishing"] == (5, 3, 0) and kept(a)["qc"] == (2, 3, 0)
    agrees()
    ok(scan("qc", a2.code))
    rework = next(c for c in cards_of(a) if c.parent_id)
    ok(scan("finishing", rework.code))
    ok(scan("qc", rework.code))
    assert kept(a)["qc"] == (6, 3, 0)
    agrees()

    # packing makes cartons; warehouse-in stores them (a unit counts when both its cartons are in)
    for card in cards_of(a):
        ok(scan("packing", card.code))
    assert kept(a)["packing"] == (6, 3, 12)
    agrees()
    boxes = cartons_of(a)
    stores = [scan("warehouse", box.code, badge="W003", location="A01") for box in boxes[:3]]
    for stored in stores:
        ok(stored)
    assert kept(a)["warehouse"] == (1, 3, 3)  # unit 1 of one card whole, unit 2 half in
    undo_scan(stores[-1].event_id, "wrong bin", "sup")  # undo of a store
    assert kept(a)["warehouse"] == (1, 3, 2)
    agrees()

    # B: mixed routes; send back and scrap at finishing, a QC failure undone, a scrap at QC
    b = make_order(lines=[("DT-120", 4), ("MT-10", 2)], number="B-1")
    for card in cards_of(b):
        ok(scan("whitebody", card.code))
    table = next(c for c in cards_of(b) if c.order_line.product.model_no == "DT-120")
    ok(scan("finishing", table.code, defect_action="send_back", failed_units="1", defect="Dent",
            rework_station="whitebody"))
    agrees()
    ok(scan("finishing", table.code, defect_action="scrap", failed_units="1", defect="Crack"))
    assert kept(b)["whitebody"][0] == 4  # 2 tables + 2 mattresses: one table waits there again, one is scrap
    agrees()
    ok(scan("finishing", table.code))
    undone = scan("qc", table.code, verdict="fail", failed_units="1", defect="Dent", rework_station="finishing")
    ok(undone)
    agrees()
    undo_scan(undone.event_id, "inspector slipped", "sup")  # undo of a QC failure: the rework card is void
    agrees()
    ok(scan("qc", table.code, verdict="scrap", failed_units="1", defect="Crack"))
    agrees()

    # C: made, stored, loaded and shipped; D: a carton loaded and the loading undone
    c = make_order(lines=[("DC-08", 2)], number="C-1")
    ship(c)
    agrees()
    d = make_order(lines=[("DC-08", 1)], number="D-1")
    stocked(d)
    pick_list = create_pick_list("LH", {d.lines[0].id: 1}, "沪A12345", "loading")
    ok(scan("loading", pick_list.code, badge="W004"))
    loaded = scan("loading", cartons_of(d)[0].code, badge="W004", pick_list=pick_list.code)
    ok(loaded)
    assert kept(d)["loading"][2] == 1
    agrees()
    undo_scan(loaded.event_id, "wrong truck", "sup")  # undo of a load
    assert kept(d)["loading"][2] == 0
    agrees()

    # the board shows what is kept: A's row as worked out by hand
    board = figures.order_board(today())
    row = figures.order_row(board, a.id)
    assert [(s.station.code, s.done, s.total) for s in row.stages if s.applies] == [
        ("whitebody", 6, 6), ("finishing", 6, 6), ("qc", 6, 6), ("packing", 6, 6), ("warehouse", 1, 6),
        ("loading", 0, 6)]
    assert (row.cartons_expected, row.cartons_packed, row.cartons_stored, row.cartons_loaded) == (12, 12, 2, 0)
    assert figures.order_row(board, c.id) is None  # shipped: off the board


def test_a_scan_that_fails_after_writing_takes_its_figures_with_it(plant):
    order = make_order(lines=[("DC-08", 5)])
    card = cards_of(order)[0]

    def scan_then_fail():
        ok(scan("whitebody", card.code))
        assert kept(order)["whitebody"][0] == 5  # written in the scan's own transaction
        raise RuntimeError("the answer could not be sent")

    with pytest.raises(RuntimeError):
        db.write(scan_then_fail)
    assert kept(order)["whitebody"][0] == 0
    assert not ScanEvent.select().where(ScanEvent.action == "pass").exists()
    agrees()


def test_in_a_group_commit_a_failing_scan_rolls_back_only_its_own_figures(tmp_path):
    """SQLite: two scans in one transaction, each in its savepoint; the one that fails loses its figures."""
    from db.schema import migrate
    from kiosk.demo import seed_plant

    database = db.open_database(f"sqlite:///{tmp_path}/batch.sqlite3")
    migrate(database)
    database.connect(reuse_if_open=True)
    try:
        seed_plant()
        kept_order, failed_order = make_order(lines=[("DC-08", 3)]), make_order(lines=[("DC-08", 4)])

        def scans(order):
            return record_scan(ScanRequest("whitebody", cards_of(order)[0].code, uuid.uuid4().hex, worker_badge="W001"))

        def fails():
            scans(failed_order)
            raise RuntimeError("broke after its UPSERT")

        errors: list = []

        def run(work):
            try:
                with db.database.connection_context():
                    db.write(work)
            except Exception as error:  # noqa: BLE001 - the test looks at each caller's answer
                errors.append(error)

        threads = [threading.Thread(target=run, args=(w,)) for w in (lambda: scans(kept_order), fails)]
        before = db._writer.batches
        with db.write_transaction():  # hold the writer so both queue into one batch
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 20
            while len(db._writer.waiting) < 2:
                assert time.monotonic() < deadline
                time.sleep(0.01)
        for thread in threads:
            thread.join(30)
        assert db._writer.batches - before == 1
        assert [type(e) for e in errors] == [RuntimeError]
        assert kept(kept_order)["whitebody"][0] == 3 and kept(failed_order)["whitebody"][0] == 0
        agrees()
    finally:
        database.close()


def test_a_pass_adds_its_units_and_a_missing_row_has_the_order_worked_out_again(plant):
    """A pass says exactly what it moved (Outcome.board): its units are added to one row. An order whose
    row for the station is not there (lost, or written before the station existed) is recounted instead."""
    order = make_order(lines=[("DC-08", 6)], card_units=3)
    first, second = cards_of(order)
    ok(scan("whitebody", first.code))
    assert kept(order)["whitebody"] == (3, 2, 0)
    finishing = Station.get(Station.code == "finishing")
    BoardCount.delete().where((BoardCount.order == order) & (BoardCount.station == finishing)).execute()
    ok(scan("whitebody", second.code))  # its row is there: added to
    assert kept(order)["whitebody"] == (6, 2, 0) and "finishing" not in kept(order)
    ok(scan("finishing", first.code))  # no row: the whole order worked out again
    assert kept(order)["finishing"] == (3, 2, 0)
    ok(scan("qc", first.code, verdict="pass"))
    assert kept(order)["qc"] == (3, 2, 0)
    agrees()


def test_rebuild_command_reports_a_difference_and_writes_the_recount(app, plant):
    order = make_order(lines=[("DC-08", 4)], number="R-1")
    for card in cards_of(order):
        ok(scan("whitebody", card.code))
    whitebody = Station.get(Station.code == "whitebody")
    BoardCount.update(units=1).where((BoardCount.order == order) & (BoardCount.station == whitebody)).execute()
    runner = app.test_cli_runner()
    checked = runner.invoke(args=["rebuild-board-counts"])
    assert checked.exit_code == 1
    assert "1 differences in 1 orders" in checked.output
    assert "R-1: whitebody done kept 1, counted 4" in checked.output
    assert kept(order)["whitebody"][0] == 1  # only reported
    written = runner.invoke(args=["rebuild-board-counts", "--write"])
    assert written.exit_code == 0, written.output
    assert "rewritten; 0 differences left" in written.output
    assert kept(order)["whitebody"][0] == 4
    assert runner.invoke(args=["rebuild-board-counts"]).exit_code == 0


@pytest.mark.slow
def test_the_whole_demo_plant_keeps_figures_equal_to_a_recount(database):
    """Every path the demo takes (a week of history, orders at every stage, shipping, complaints, order
    changes, outside work, delivery notes) goes through writers that keep the figures."""
    from kiosk.core import plant as plant_cache
    from kiosk.demo import seed_demo

    plant_cache.forget()
    seed_demo()
    agrees()


def test_two_scans_of_one_order_at_once_both_count(database_url, plant):
    """PostgreSQL runs them side by side: the second order-figure UPSERT waits for the first scan's commit
    and reads its card (SQLite: the writer queue puts them one after the other)."""
    order = make_order(lines=[("DC-08", 6)], card_units=3)
    first, second = cards_of(order)
    ok(scan("whitebody", first.code))  # the order is in production: neither scan below writes the order row
    scanned, go = threading.Event(), threading.Event()
    errors: list = []

    def slow_scan():
        try:
            with db.database.connection_context():
                def work():
                    ok(scan("finishing", first.code))
                    scanned.set()
                    assert go.wait(20)  # not committed yet while the other scan runs
                db.write(work)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    def other_scan():
        try:
            with db.database.connection_context():
                ok(scan("whitebody", second.code))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    one = threading.Thread(target=slow_scan)
    one.start()
    assert scanned.wait(20)
    two = threading.Thread(target=other_scan)
    two.start()
    two.join(0.5)  # it waits for the first scan's commit (a lock, or the writer queue)
    go.set()
    one.join(30)
    two.join(30)
    assert errors == []
    assert kept(order)["whitebody"][0] == 6 and kept(order)["finishing"][0] == 3
    agrees()
