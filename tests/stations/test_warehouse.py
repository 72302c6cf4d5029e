"""Warehouse-in: bins, cartons scanned into stock, and each refusal said clearly; a unit is in stock
when all its cartons are in, a line ready to ship when all its units are."""

from __future__ import annotations

import pytest

from db.models import Carton, OrderLine
from kiosk.eventlog.undo import undo_scan
from kiosk.i18n import Msg
from kiosk.orders.orders import cancel_order
from kiosk.shipping.cartons import line_stock
from tests.auth_helpers import hx_post, pair_kiosk
from tests.factories import cards_of, make_order, packed, scan, status_of, through_qc
from tests.pages import Elements


@pytest.fixture
def boxes(plant):
    """An order of two tables (2 cartons each) and one chair, packed, nothing stored yet."""
    order = make_order(lines=[("DT-120", 2), ("DC-08", 1)])
    return order, packed(order)


def test_a_bin_label_sets_the_bin_and_bad_ones_are_refused(plant):
    result = scan("warehouse", "LOC-A01")
    assert (result.outcome, result.action, result.detail) == ("ok", "bin", {"location": "A01"})
    assert result.message.render("en") == "Bin A01: now scan the cartons you put there."
    assert result.message.render("zh") == "库位 A01：请扫描放入该库位的箱子。"
    bad = scan("warehouse", "LOC-")
    assert bad.outcome == "rejected" and bad.reason == "bad_bin"


def test_cartons_go_in_unit_by_unit_and_the_line_becomes_ready(boxes):
    order, cartons = boxes
    table_1a, table_1b, table_2a, table_2b, chair = cartons
    first = scan("warehouse", table_1a.code, location="A01")
    assert first.outcome == "ok" and first.units == 0
    assert first.message.render("en") == f"Carton {table_1a.code} stored in bin A01. This unit waits for 1 more."
    stored = Carton.get_by_id(table_1a.id)
    assert (stored.status, stored.location) == ("in_warehouse", "A01") and stored.stored_at is not None

    unit = scan("warehouse", table_1b.code, location="A02")
    assert unit.units == 1 and unit.detail["unit_in_stock"] and not unit.detail["line_ready"]
    assert unit.message.render("en") == (
        f"Carton {table_1b.code} stored in bin A02. Unit 1 of order {order.number} is now in stock.")
    table_line = order.lines.order_by(OrderLine.line_no).first()
    stock = line_stock([table_line])[table_line.id]
    assert (stock.in_stock, stock.ready) == (1, False)

    scan("warehouse", table_2a.code, location="B02")
    ready = scan("warehouse", table_2b.code, location="B02")
    assert ready.detail["line_ready"] is True
    assert ready.message.render("en") == (
        f"Carton {table_2b.code} stored in bin B02. Order {order.number} line 1 is all in stock: ready to ship.")
    assert status_of(order) == "packed"  # the chair is not in yet
    scan("warehouse", chair.code, location="C01")
    assert status_of(order) == "in_stock"


def test_already_in_is_counted_once(boxes):
    _, cartons = boxes
    scan("warehouse", cartons[0].code, location="A01")
    again = scan("warehouse", cartons[0].code, location="C03")
    assert again.outcome == "duplicate" and again.reason == "already_in" and again.units == 0
    assert again.message.render("en").startswith(f"Carton {cartons[0].code} is already in stock (in bin A01, since ")
    assert Carton.get_by_id(cartons[0].id).location == "A01"


def test_unknown_not_packed_job_card_cancelled_and_loaded_each_say_what_to_do(boxes):
    order, cartons = boxes
    unknown = scan("warehouse", "C77777777")
    assert (unknown.outcome, unknown.reason) == ("rejected", "unknown")
    assert unknown.message.render("en") == (
        "Unknown code C77777777: no carton has it. Check the label, or ask packing to reprint it.")

    unpacked = make_order(lines=[("DC-08", 1)])
    through_qc(unpacked)
    card = cards_of(unpacked)[0]
    not_packed = scan("warehouse", card.code)
    assert not_packed.reason == "not_packed"
    assert not_packed.message.render("en") == f"Card {card.code} has not been packed yet: take it to packing first."

    packed_card = cards_of(order)[0]
    card_scan = scan("warehouse", packed_card.code)
    assert card_scan.reason == "card_not_carton" and "Scan the labels on its cartons" in card_scan.message.render("en")

    other = make_order(lines=[("DC-08", 1)])
    other_carton = packed(other)[0]
    cancel_order(other)
    cancelled = scan("warehouse", other_carton.code)
    assert cancelled.reason == "cancelled"
    assert cancelled.message.render("en") == (
        f"Order {other.number} was cancelled. Do not store carton {other_carton.code}; put it aside for the "
        "supervisor.")
    assert Carton.get_by_id(other_carton.id).status == "packed"


def test_a_loaded_carton_is_not_stored_again(boxes):
    from kiosk.shipping.pick_lists import create_pick_list

    order, cartons = boxes
    for carton in cartons:
        scan("warehouse", carton.code, location="A01")
    chair_line = order.lines.order_by(OrderLine.line_no.desc()).first()
    pick_list = create_pick_list("LH", {chair_line.id: 1})
    scan("loading", pick_list.code)
    assert scan("loading", cartons[4].code, pick_list=pick_list.code).outcome == "ok"
    result = scan("warehouse", cartons[4].code)
    assert result.reason == "loaded" and f"was loaded on pick list {pick_list.code}" in result.message.render("en")


def test_supervisor_undo_of_a_store_takes_the_carton_out_of_stock(boxes):
    order, cartons = boxes
    for carton in cartons:
        scan("warehouse", carton.code, location="A01")
    assert status_of(order) == "in_stock"
    event = scan("warehouse", "LOC-Z9")  # a later scan does not block the undo
    stored = scan("warehouse", cartons[0].code, location="A01")
    assert stored.outcome == "duplicate"
    from db.models import ScanEvent

    first = ScanEvent.get((ScanEvent.carton == cartons[0].id) & (ScanEvent.action == "store")
                          & (ScanEvent.outcome == "ok"))
    undone = undo_scan(first.id, "scanned the wrong box", "boss")
    assert "out of stock again" in Msg.from_json(undone.message).render("en") and undone.units == -first.units
    carton = Carton.get_by_id(cartons[0].id)
    assert (carton.status, carton.location, carton.stored_at) == ("packed", "", None)
    assert status_of(order) == "packed" and event.ok


def test_the_kiosk_holds_the_bin_and_sends_it_with_each_carton(client, boxes):
    _, cartons = boxes
    pair_kiosk(client, "warehouse")
    bin_scan = {"code": "LOC-B12", "idem": "idem-bin-0001", "worker_badge": "W001"}
    page = Elements(hx_post(client, "/station/warehouse/scan?lang=en", bin_scan).get_data(as_text=True))
    held = [e for e in page.select(tag="input") if e["attrs"].get("name") == "location"]
    assert held[0]["attrs"] == {"type": "hidden", "form": "scan-form", "name": "location", "value": "B12"}
    assert page.select(id="current-bin")[0]["text"] == "B12"
    response = hx_post(client, "/station/warehouse/scan?lang=en",
                       {"code": cartons[0].code, "idem": "idem-carton-01", "worker_badge": "W001", "location": "B12"})
    page = Elements(response.get_data(as_text=True))
    assert page.select("answer")[0]["attrs"]["data-outcome"] == "ok"
    assert page.select(id="current-bin")[0]["text"] == "B12"  # still held for the next carton
    assert Carton.get_by_id(cartons[0].id).location == "B12"
