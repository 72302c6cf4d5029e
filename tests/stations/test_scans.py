"""Scan rules at white-body, finishing and QC, without HTTP: each rule and what it tells the worker."""

from __future__ import annotations

import pytest

from db.models import JobCard, ScanEvent
from kiosk.core.errors import ScanInputError
from kiosk.orders.orders import cancel_order, set_hold
from kiosk.orders.progress import progress_for_orders
from tests.factories import cards_of, make_order, scan


@pytest.fixture
def card(plant):
    order = make_order(lines=[("DT-120", 4)])
    return cards_of(order)[0]


def test_pass_moves_the_card_on_and_says_where_next(card):
    result = scan("whitebody", card.code)
    assert result.outcome == "ok" and result.units == 4
    assert result.message.render("en") == f"Card {card.code}: 4 units done at White-body. Next: Finishing."
    assert result.message.render("zh") == f"工单卡 {card.code}：4 件已在 白茬 完成。下一站：涂装。"
    assert JobCard.get_by_id(card.id).next_seq == 1


def test_unknown_code_is_rejected_with_the_code_in_words(plant):
    result = scan("whitebody", "JC9999999")
    assert result.outcome == "rejected" and result.reason == "unknown"
    assert "JC9999999" in result.message.render("en")
    assert "JC9999999" in result.message.render("zh")


def test_out_of_sequence_names_the_station_it_must_visit_first(card):
    result = scan("qc", card.code, verdict="pass")
    assert result.reason == "out_of_sequence"
    assert result.message.render("en") == f"Card {card.code} has not been through White-body yet. Send it there first."
    assert JobCard.get_by_id(card.id).next_seq == 0


def test_duplicate_says_when_and_by_whom_and_counts_once(card):
    scan("whitebody", card.code, badge="W002")
    again = scan("whitebody", card.code, badge="W003")
    assert again.outcome == "duplicate" and again.units == 0
    assert "王芳" in again.message.render("en")  # W002 recorded it first
    assert JobCard.get_by_id(card.id).next_seq == 1
    progress = progress_for_orders([card.order_line.order_id])[card.order_line.order_id]
    whitebody = next(s for s in progress.stages if s.station.code == "whitebody")
    assert whitebody.done == 4


def test_retried_request_is_recorded_once(card):
    first = scan("whitebody", card.code, key="retry-key-0001")
    second = scan("whitebody", card.code, key="retry-key-0001")
    assert second.replayed and second.event_id == first.event_id and second.outcome == "ok"
    assert ScanEvent.select().where(ScanEvent.idem_key == "retry-key-0001").count() == 1
    assert JobCard.get_by_id(card.id).next_seq == 1


def test_order_on_hold_is_refused_with_the_reason(card):
    set_hold(card.order_line.order, True, "colour to confirm")
    result = scan("whitebody", card.code)
    assert result.reason == "on_hold" and "colour to confirm" in result.message.render("en")
    set_hold(card.order_line.order, False)
    assert scan("whitebody", card.code).outcome == "ok"


def test_cancelled_order_is_refused(card):
    cancel_order(card.order_line.order)
    result = scan("whitebody", card.code)
    assert result.reason == "cancelled"
    assert "cancelled" in result.message.render("en") and "取消" in result.message.render("zh")


def test_scan_without_badge_asks_for_the_badge(card):
    result = scan("whitebody", card.code, badge=None)
    assert result.reason == "no_worker"
    assert JobCard.get_by_id(card.id).next_seq == 0


def test_badge_scan_signs_the_worker_in_and_is_logged(plant):
    result = scan("finishing", "W004", badge=None)
    assert result.action == "sign_in" and result.detail["badge"] == "W004"
    assert ScanEvent.get_by_id(result.event_id).worker.badge == "W004"


def test_route_without_finishing_goes_straight_to_qc(plant):
    order = make_order(lines=[("MT-10", 2)])
    card = cards_of(order)[0]
    assert scan("whitebody", card.code).outcome == "ok"
    refused = scan("finishing", card.code)
    assert refused.reason == "not_on_route"
    assert scan("qc", card.code, verdict="pass").outcome == "ok"


def test_qc_fail_splits_failed_units_onto_a_rework_card(card):
    scan("whitebody", card.code)
    scan("finishing", card.code)
    result = scan("qc", card.code, verdict="fail", failed_units="1", defect="Scratch", rework_station="finishing")
    assert result.outcome == "warning" and result.units == 3
    rework = JobCard.get(JobCard.code == result.detail["rework_card"])
    assert rework.units == 1 and rework.parent_id == card.id and rework.rework_reason == "Scratch"
    original = JobCard.get_by_id(card.id)
    assert original.units == 3 and original.next_seq == 3  # good units past QC, waiting at packing
    assert "划伤" in result.message.render("zh")
    # the rework card starts at finishing: white-body refuses it, finishing takes it, QC again
    assert scan("whitebody", rework.code).reason == "already_past"
    assert scan("finishing", rework.code).outcome == "ok"
    assert scan("qc", rework.code, verdict="pass").outcome == "ok"
    progress = progress_for_orders([card.order_line.order_id])[card.order_line.order_id]
    done = {s.station.code: s.done for s in progress.stages}
    assert done["whitebody"] == 4 and done["finishing"] == 4 and done["qc"] == 4


def test_qc_fail_of_every_unit_voids_the_card(card):
    scan("whitebody", card.code)
    scan("finishing", card.code)
    result = scan("qc", card.code, verdict="fail", failed_units="4", defect="Crack", rework_station="whitebody")
    assert JobCard.get_by_id(card.id).status == "void"
    assert scan("packing", card.code).reason in ("void", "no_rule")
    assert JobCard.get(JobCard.code == result.detail["rework_card"]).units == 4


@pytest.mark.parametrize("failed", ["0", "5", "x", ""])
def test_qc_fail_with_bad_unit_count_is_refused(card, failed):
    scan("whitebody", card.code)
    scan("finishing", card.code)
    result = scan("qc", card.code, verdict="fail", failed_units=failed, defect="Dent")
    assert result.reason == "bad_input" and "1" in result.message.render("en")
    assert JobCard.get_by_id(card.id).next_seq == 2


@pytest.mark.parametrize("code", ["", "   ", "中文码", "a" * 65, "bad\x00code"])
def test_codes_a_scanner_cannot_type_are_input_errors(plant, code):
    with pytest.raises(ScanInputError):
        scan("whitebody", code)


def test_every_scan_is_in_the_event_log_with_who_where_and_outcome(card):
    scan("whitebody", card.code, badge="W005")
    scan("qc", card.code, badge="W005")
    events = list(ScanEvent.select().order_by(ScanEvent.id))
    assert [(e.station.code, e.worker.badge, e.outcome) for e in events] == [
        ("whitebody", "W005", "ok"),
        ("qc", "W005", "rejected"),
    ]
    assert all(e.order_id == card.order_line.order_id for e in events)
