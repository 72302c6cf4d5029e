"""Send back or scrap at the carton stations (warehouse-in, loading): a damaged carton's unit leaves the goods,
goes back to packing or an earlier station on a rework card (or is scrapped), the passer there pays the
deduction, and an undo puts the unit back as it was."""

from __future__ import annotations

from db.models import Carton, JobCard, ScanEvent
from kiosk.boards import recount
from kiosk.core.clock import today
from kiosk.eventlog.undo import undo_scan
from kiosk.pay import settlement
from kiosk.pay.rates import RateInput, set_rate
from kiosk.shipping.cartons import line_stock
from tests.factories import make_order, scan, ship, stocked


def test_a_carton_sent_back_at_warehouse_in_takes_its_unit_out_and_back_to_packing(plant):
    set_rate(RateInput("packing", "DT-120", unit_fen=100, deduct_percent=100), "boss")
    order = make_order(lines=[("DT-120", 2)])
    cartons = stocked(order)
    line = order.lines[0]
    first = cartons[0]
    unit = [c for c in cartons if c.unit_no == first.unit_no]
    refused = scan("warehouse", first.code, badge="W003", defect_action="send_back", defect="Crack")
    assert refused.outcome == "rejected" and refused.reason == "bad_input"  # no station chosen: nothing happens
    sent = scan("warehouse", first.code, badge="W003", defect_action="send_back", defect="Crack",
                rework_station="packing")
    assert sent.outcome == "warning" and sent.action == "send_back"
    assert {Carton.get_by_id(c.id).status for c in unit} == {"out"}
    card = JobCard.get_by_id(first.job_card_id)
    assert card.units == 1
    rework = JobCard.get(JobCard.code == sent.detail["rework_card"])
    assert rework.units == 1 and rework.parent_id == card.id
    assert line_stock([line])[line.id].in_stock == 1  # one unit left in stock
    assert recount.differences() == []  # the board's kept figures moved with it
    again = scan("warehouse", first.code, badge="W003", location="A02")
    assert again.outcome == "rejected" and again.reason == "taken_out"
    pay = settlement.settle("day", today()).workers
    packer = next(w for w in pay.values() if w.badge == "W002")
    assert packer.deductions == -100  # the packer of the unit pays (100 % of one unit)
    packed_again = scan("packing", rework.code, badge="W002")
    assert packed_again.ok and len(JobCard.get_by_id(rework.id).cartons) == len(unit)


def test_a_carton_scrapped_at_loading_is_undone_back_into_stock(plant):
    order = make_order(lines=[("DT-120", 2)])
    cartons = stocked(order)
    first = cartons[0]
    scrapped = scan("loading", first.code, badge="W005", defect_action="scrap", defect="Dent")
    assert scrapped.action == "scrap" and "one unit short" in scrapped.message.render("en")
    assert Carton.get_by_id(first.id).status == "out"
    assert scan("loading", first.code, badge="W005").reason == "taken_out"
    assert recount.differences() == []
    undo_scan(scrapped.event_id, "it was fine", "boss")
    assert Carton.get_by_id(first.id).status == "in_warehouse"
    assert recount.differences() == []
    assert JobCard.get_by_id(first.job_card_id).units == 2
    assert ScanEvent.get_by_id(scrapped.event_id).action == "scrap"


def test_a_loaded_carton_is_not_taken_out(plant):
    order = make_order(lines=[("DT-120", 1)])
    cartons = ship(order)
    refused = scan("loading", cartons[0].code, badge="W005", defect_action="scrap", defect="Dent")
    assert refused.outcome == "rejected" and refused.reason == "loaded"
