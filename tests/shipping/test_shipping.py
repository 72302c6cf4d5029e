"""Pick lists, the tally, order status following the goods and progress from cartons, and the whole
path from a QC pass to a loaded truck. Helpers here are shared by the other shipping tests."""

from __future__ import annotations

import pytest

from db.models import JobCard, OrderLine, PickList, Printer, PrintJob
from kiosk.core.plant import route_stations
from kiosk.orders.progress import progress_for_orders
from kiosk.shipping.cartons import line_stock
from kiosk.shipping.pick_lists import ShippingError, create_pick_list, shippable_lines, tally
from tests.factories import (
    cards_of,
    cartons_of,
    make_order,
    packed,
    scan,
    set_printer,
    status_of,
    stocked,
    through_qc,
    whole,
)

# -- helpers (imported by test_packing, test_warehouse, test_loading ...) ---------------------------
















# -- pick lists ------------------------------------------------------------------------------------


def test_lines_ready_to_ship_and_what_a_pick_list_may_take(plant):
    order = make_order(lines=[("DT-120", 2), ("DC-08", 3)])
    cartons = packed(order)
    table, chairs = order.lines.order_by(OrderLine.line_no)
    assert shippable_lines(order.customer) == []  # packed is not in stock
    for carton in cartons:
        if carton.order_line_id == table.id and carton.unit_no == 1:
            scan("warehouse", carton.code, location="A01")
    stock = line_stock([table, chairs])
    assert (stock[table.id].in_stock, stock[table.id].ready) == (1, False)  # one of two units is in
    for carton in cartons:
        scan("warehouse", carton.code, location="A01")
    lines = {s.line.id: s for s in shippable_lines(order.customer)}
    assert (lines[table.id].available, lines[table.id].ready) == (2, True)
    assert (lines[chairs.id].available, lines[chairs.id].ready) == (3, True)

    first = create_pick_list("LH", {chairs.id: 2}, "沪A12345", "loading")
    assert first.code == f"PL{first.id:06d}" and not first.code.isdigit()
    lines = {s.line.id: s for s in shippable_lines(order.customer)}
    assert (lines[chairs.id].reserved, lines[chairs.id].available) == (2, 1)
    with pytest.raises(ShippingError) as refused:
        create_pick_list("LH", {chairs.id: 2})
    assert refused.value.message.render("en") == (
        f"Order {order.number} line 2: only 1 units are in stock and free to load; you asked for 2.")
    with pytest.raises(ShippingError) as refused:
        create_pick_list("HM", {table.id: 1})
    assert "does not belong to" in refused.value.message.render("en")
    with pytest.raises(ShippingError):
        create_pick_list("LH", {})


def test_tally_suggests_different_units_to_two_open_pick_lists(plant):
    order = make_order(lines=[("SF-301", 2)])
    cartons = stocked(order)
    line = order.lines.get()
    first = create_pick_list("LH", {line.id: 1})
    second = create_pick_list("LH", {line.id: 1})
    one, two = tally(first), tally(second)
    assert (one.expected, one.loaded, one.missing_count) == (3, 0, 3)
    assert set(one.missing) | set(two.missing) == {c.code for c in cartons}
    assert not set(one.missing) & set(two.missing)
    # a picker may take the other unit: it is loaded, and the suggestions follow
    other_unit = [c for c in cartons if c.code in two.missing]
    assert scan("loading", first.code).ok
    assert scan("loading", other_unit[0].code, pick_list=first.code).outcome == "ok"
    one, two = tally(first), tally(second)
    assert set(one.missing) == {c.code for c in other_unit[1:]}
    assert set(two.missing) == {c.code for c in cartons if c not in other_unit}


# -- status follows the goods, progress from cartons -----------------------------------------------


def test_order_status_and_progress_follow_the_cartons(plant):
    order = make_order(lines=[("DT-120", 2)])
    through_qc(order)
    assert status_of(order) == "in_production"
    cartons = packed(order)
    assert status_of(order) == "packed"
    scan("warehouse", cartons[0].code, location="A01")
    stages = {s.station.code: s.done for s in progress_for_orders([order.id])[order.id].stages}
    assert (stages["packing"], stages["warehouse"], stages["loading"]) == (2, 0, 0)
    scan("warehouse", cartons[1].code, location="A01")  # unit 1 complete
    stages = {s.station.code: s.done for s in progress_for_orders([order.id])[order.id].stages}
    assert stages["warehouse"] == 1
    assert status_of(order) == "packed"
    for carton in cartons[2:]:
        scan("warehouse", carton.code, location="A01")
    assert status_of(order) == "in_stock"
    card = cards_of(order)[0]
    assert route_stations(card.route_id)[card.next_seq].code == "loading"


def test_from_qc_pass_to_a_loaded_truck_with_printed_documents(plant):
    """The whole path: QC pass, packing (labels printed), warehouse-in, pick list (printed with its
    cartons), loading, finish (manifest printed); the order is shipped and every stage is full."""
    set_printer("packing", "label_printer", "pack-zpl", "zpl")
    set_printer("loading", "receipt_printer", "dock-receipt", "escpos")
    Printer.create(name="desk-receipt", uri="tcp://127.0.0.1:9", language="escpos")
    order = make_order(lines=[("SF-301", 1), ("MT-10", 2)], customer_code="OAK")
    cartons = stocked(order, location="B07")
    assert len(cartons) == 1 * 3 + 2 * 1
    labels = PrintJob.select().where(PrintJob.document.startswith("carton "))
    assert sorted(job.document for job in labels) == sorted(f"carton {c.code}" for c in cartons)
    assert all(bytes(job.payload).startswith(b"^XA") for job in labels)
    assert status_of(order) == "in_stock"

    pick_list = create_pick_list("OAK", whole(order), "粤B 88888", "loading")
    from kiosk.shipping.pick_lists import print_pick_list

    assert print_pick_list(pick_list, "desk-receipt").queued == 1
    printed = bytes(PrintJob.get(PrintJob.document == f"pick list {pick_list.code}").payload)
    assert pick_list.code.encode() in printed
    assert all(c.code.encode() in printed for c in cartons)  # the cartons it expects

    assert scan("loading", pick_list.code, badge="W004").ok
    for carton in cartons:
        result = scan("loading", carton.code, badge="W004", pick_list=pick_list.code)
        assert result.outcome == "ok", result.message.render("en")
    assert "All 5 cartons loaded" in result.message.render("en")
    finished = scan("loading", pick_list.code, badge="W004", finish="1")
    assert finished.outcome == "ok" and finished.action == "finish"
    assert finished.message.render("en").startswith(f"Pick list {pick_list.code} finished: all 5 cartons loaded.")
    manifest = bytes(PrintJob.get(PrintJob.document == f"manifest {pick_list.code}").payload)
    assert pick_list.code.encode() in manifest and PrintJob.get(
        PrintJob.document == f"manifest {pick_list.code}").printer.name == "dock-receipt"

    assert status_of(order) == "shipped"
    assert PickList.get_by_id(pick_list.id).status == "finished"
    assert all(c.status == "loaded" for c in cartons_of(order))
    assert {card.status for card in JobCard.select().join(OrderLine).where(OrderLine.order == order)} == {"done"}
    stages = {s.station.code: s.done for s in progress_for_orders([order.id])[order.id].stages}
    assert (stages["packing"], stages["warehouse"], stages["loading"]) == (3, 3, 3)
