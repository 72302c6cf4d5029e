"""Supervisor actions, each audited: undo a scan (a compensating event, never a delete), hold and
release an order, and delay reasons that show on the order page."""

from __future__ import annotations

import threading

import pytest

from db.models import JobCard, Order, OrderDelay, ScanEvent
from kiosk.eventlog import undo as supervisor
from kiosk.orders import holds
from kiosk.orders.progress import progress_for_orders
from tests.auth_helpers import login, pair_kiosk, post
from tests.factories import cards_of, make_order, scan


@pytest.fixture
def boss(client, plant):
    return login(client, "supervisor", username="boss")


def undo(client, event_id: int, reason: str = "scanned the wrong card"):
    return post(client, f"/supervisor/scans/{event_id}/undo?lang=en", {"reason": reason})


def done_at(order, station: str) -> int:
    progress = progress_for_orders([order.id])[order.id]
    return next(s.done for s in progress.stages if s.station.code == station)


def test_undo_puts_the_card_back_with_a_compensating_event(client, boss):
    order = make_order(lines=[("DT-120", 4)])
    card = cards_of(order)[0]
    first = scan("whitebody", card.code)
    assert JobCard.get_by_id(card.id).next_seq == 1 and Order.get_by_id(order.id).status == "in_production"
    original = ScanEvent.get_by_id(first.event_id)

    response = undo(client, first.event_id)
    assert response.status_code == 303
    card = JobCard.get_by_id(card.id)
    assert card.next_seq == 0 and card.status == "open"
    assert Order.get_by_id(order.id).status == "released"
    assert done_at(order, "whitebody") == 0
    kept = ScanEvent.get_by_id(first.event_id)  # never deleted, never changed
    assert (kept.action, kept.outcome, kept.units, kept.message) == ("pass", "ok", 4, original.message)
    compensating = ScanEvent.get(ScanEvent.action == "undo")
    assert compensating.user == "boss" and compensating.units == -4 and compensating.station.code == "whitebody"
    assert compensating.detail == {"undoes": first.event_id, "undone_action": "pass", "why": "scanned the wrong card"}
    page = client.get(f"/supervisor/?lang=en&q={card.code}")
    assert "Undone by boss" in client.get(f"/orders/{order.number}?lang=en").text
    assert f'data-event="{first.event_id}"' in page.text and "Undone" in page.text
    # the card can be scanned again, as if the first scan had not happened
    assert scan("whitebody", card.code).outcome == "ok"


def test_a_scan_is_undone_once(client, boss):
    card = cards_of(make_order())[0]
    event_id = scan("whitebody", card.code).event_id
    undo(client, event_id)
    undo(client, event_id)
    assert "was already undone" in client.get("/supervisor/?lang=en").text
    assert ScanEvent.select().where(ScanEvent.action == "undo").count() == 1
    assert JobCard.get_by_id(card.id).next_seq == 0


def test_undo_is_refused_while_a_later_scan_depends_on_it(client, boss):
    card = cards_of(make_order())[0]
    at_whitebody = scan("whitebody", card.code).event_id
    at_finishing = scan("finishing", card.code).event_id
    undo(client, at_whitebody)
    assert "has a later scan (pass at Finishing); undo that one first." in client.get("/supervisor/?lang=en").text
    assert JobCard.get_by_id(card.id).next_seq == 2
    undo(client, at_finishing)
    assert JobCard.get_by_id(card.id).next_seq == 1
    undo(client, at_whitebody)  # now nothing depends on it
    assert JobCard.get_by_id(card.id).next_seq == 0
    assert ScanEvent.select().where(ScanEvent.action == "undo").count() == 2


def test_undo_needs_a_reason_and_an_accepted_scan(client, boss):
    card = cards_of(make_order())[0]
    event_id = scan("whitebody", card.code).event_id
    undo(client, event_id, reason="  \x07 ")
    assert "Say why the scan is undone." in client.get("/supervisor/?lang=en").text
    rejected = scan("qc", card.code, verdict="pass").event_id  # out of sequence: rejected
    undo(client, rejected)
    assert "Only an accepted scan" in client.get("/supervisor/?lang=en").text
    assert JobCard.get_by_id(card.id).next_seq == 1


def test_undo_a_qc_failure_restores_the_units_and_voids_the_rework_card(client, boss):
    order = make_order(lines=[("DT-120", 4)])
    card = cards_of(order)[0]
    scan("whitebody", card.code)
    scan("finishing", card.code)
    failed = scan("qc", card.code, verdict="fail", failed_units="1", defect="Scratch", rework_station="finishing")
    rework = JobCard.get(JobCard.code == failed.detail["rework_card"])
    assert JobCard.get_by_id(card.id).units == 3
    undo(client, failed.event_id)
    card, rework = JobCard.get_by_id(card.id), JobCard.get_by_id(rework.id)
    assert (card.units, card.next_seq, card.status) == (4, 2, "open")  # waits at QC again
    assert rework.status == "void"
    assert done_at(order, "finishing") == 4 and done_at(order, "qc") == 0
    assert f"throw away rework card {rework.code}" in client.get("/supervisor/?lang=en").text


def test_a_qc_failure_whose_rework_card_was_worked_on_stays(client, boss):
    card = cards_of(make_order(lines=[("DT-120", 4)]))[0]
    scan("whitebody", card.code)
    scan("finishing", card.code)
    failed = scan("qc", card.code, verdict="fail", failed_units="2", defect="Dent", rework_station="finishing")
    scan("finishing", failed.detail["rework_card"])
    undo(client, failed.event_id)
    assert "has been worked on since" in client.get("/supervisor/?lang=en").text
    assert JobCard.get_by_id(card.id).units == 2


def test_two_supervisors_undoing_the_same_scan_at_once_undo_it_once(plant):
    card = cards_of(make_order())[0]
    event_id = scan("whitebody", card.code).event_id
    results = []

    def attempt(name):
        try:
            supervisor.undo_scan(event_id, "double tap", name)
            results.append("done")
        except supervisor.ActionRefused:
            results.append("refused")

    threads = [threading.Thread(target=attempt, args=(f"sup{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["done", "refused"]
    assert JobCard.get_by_id(card.id).next_seq == 0
    assert ScanEvent.select().where(ScanEvent.action == "undo").count() == 1


def test_hold_and_release_are_audited_and_stop_the_stations(app, client, boss):
    order = make_order()
    card = cards_of(order)[0]
    post(client, f"/orders/{order.number}/hold", {"on_hold": "1", "reason": "customer changes colour"})
    assert Order.get_by_id(order.id).on_hold
    kiosk = app.test_client()
    pair_kiosk(kiosk, "whitebody")
    assert scan("whitebody", card.code).reason == "on_hold"
    post(client, f"/orders/{order.number}/hold", {"on_hold": "0"})
    assert not Order.get_by_id(order.id).on_hold
    log = list(ScanEvent.select().where(ScanEvent.order == order.id, ScanEvent.user == "boss")
               .order_by(ScanEvent.id))
    assert [e.action for e in log] == ["hold", "unhold"]
    history = client.get(f"/orders/{order.number}?lang=en").text
    assert "put on hold by boss: customer changes colour" in history and "released from hold by boss" in history


def test_hold_needs_a_reason(client, boss):
    order = make_order()
    response = post(client, f"/orders/{order.number}/hold?lang=en", {"on_hold": "1", "reason": " "})
    assert response.status_code == 400 and "Say why the order is put on hold." in response.text
    assert not Order.get_by_id(order.id).on_hold


def test_a_clerk_sees_no_hold_button_and_cannot_hold(app, plant):
    order = make_order()
    clerk = app.test_client()
    login(clerk, "clerk")
    page = clerk.get(f"/orders/{order.number}")
    assert 'id="hold-form"' not in page.text
    assert 'id="add-delay"' in page.text  # a clerk records delay reasons (a supervisor clears them)
    assert post(clerk, f"/orders/{order.number}/hold", {"on_hold": "1", "reason": "x"}).status_code == 403


@pytest.mark.parametrize("reason, label", list(holds.DELAY_LABELS.items()))
def test_each_delay_reason_is_recorded_and_shown_on_the_order(client, boss, reason, label):
    order = make_order()
    post(client, f"/supervisor/orders/{order.number}/delays", {"reason": reason, "note": "press 3 down <b>2h</b>"})
    delay = OrderDelay.get(OrderDelay.order == order.id)
    assert (delay.reason, delay.note, delay.user) == (reason, "press 3 down <b>2h</b>", "boss")
    page = client.get(f"/orders/{order.number}?lang=en").text
    row = page[page.index('id="delay-list"'):]
    assert label in row and "press 3 down &lt;b&gt;2h&lt;/b&gt;" in row and "<b>2h" not in page
    assert ScanEvent.get(ScanEvent.action == "delay").user == "boss"
    zh = client.get(f"/orders/{order.number}?lang=zh").text
    assert supervisor.msg(label).render("zh") in zh


def test_an_unknown_delay_reason_is_refused(client, boss):
    order = make_order()
    post(client, f"/supervisor/orders/{order.number}/delays", {"reason": "weather", "note": ""})
    assert OrderDelay.select().count() == 0
    assert "Choose a delay reason from the list." in client.get(f"/orders/{order.number}?lang=en").text


def test_delays_for_orders_gives_each_order_its_reasons_newest_first(plant):
    first, second = make_order(), make_order()
    holds.record_delay(first, "machine_fault", "saw", "boss")
    holds.record_delay(first, "staffing", "", "boss")
    holds.record_delay(second, "plan_error", "", "boss")
    found = holds.delays_for_orders([first.id, second.id])
    assert [d.reason for d in found[first.id]] == ["staffing", "machine_fault"]
    assert [d.reason for d in found[second.id]] == ["plan_error"]
