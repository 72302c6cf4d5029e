"""Order changes while in production: cards not started are adjusted, cards past a stage are held with
the change's message at every station until the clerk clears them, packed units never change, and
every change is recorded (who, when, why, before and after) with one event in the log."""

from __future__ import annotations

import datetime as dt

import pytest

from db.models import JobCard, Order, OrderChange, OrderLine, ScanEvent
from kiosk.core.clock import today
from kiosk.core.plant import route_stations
from kiosk.orders.changes import AlreadyRecorded, ChangeRefused, change_order, clear_hold, held_cards
from kiosk.orders.orders import cancel_order
from tests.auth_helpers import login, post
from tests.factories import cards_of, make_order, scan
from tests.pages import Elements


def card(code: str) -> JobCard:
    return JobCard.get(JobCard.code == code)


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(ChangeRefused) as caught:
        call(*args, **kwargs)
    return caught.value.message.render("en")


def to_packing(job_card: JobCard) -> None:
    """One card through its stations and packed, by real scans."""
    for station in route_stations(job_card.route_id)[card(job_card.code).next_seq:]:
        result = scan(station.code, job_card.code, verdict="pass")
        assert result.ok, result.message.render("en")
        if station.kind == "packing":
            return


# -- colour and options ------------------------------------------------------------------------------


def test_colour_change_holds_the_started_card_and_the_finishing_station_refuses_it(plant):
    order = make_order(lines=[("DC-08", 8)], number="SO-88", card_units=4)
    started, waiting = cards_of(order)
    assert scan("whitebody", started.code).ok

    result = change_order(order, "colour", "walnut", "customer phoned", "clerk1", line_no=1)

    assert result.held == [started.code] and result.adjusted == [waiting.code]
    answer = scan("finishing", started.code, badge="W004")
    assert answer.outcome == "rejected" and answer.reason == "order_changed"
    assert answer.message.render("en") == ("Order SO-88 changed: colour now walnut - ask the clerk before "
                                           "Finishing.")
    assert answer.message.render("zh") == "订单 SO-88 已变更：颜色改为 walnut——进入涂装前先问跟单员。"
    # QC or any other station says the same: the card is held, wherever it is scanned
    assert scan("qc", started.code).reason == "order_changed"
    assert card(started.code).next_seq == 1  # refused scans moved nothing
    # the card not started is not held: it goes through, printed in the new colour
    assert OrderLine.get(OrderLine.order == order).colour_shown == "walnut"
    assert scan("whitebody", waiting.code).ok and scan("finishing", waiting.code).ok


def test_the_change_is_recorded_with_who_when_why_before_after_and_one_event(plant):
    order = make_order(lines=[("DC-08", 4)])
    before_events = ScanEvent.select().count()
    change_order(order, "colour", "walnut", "customer phoned", "clerk1", line_no=1)

    change = OrderChange.get(OrderChange.order == order)
    assert (change.field, change.before, change.after, change.reason, change.user) == (
        "colour", "胡桃 Walnut", "walnut", "customer phoned", "clerk1")
    assert change.line.line_no == 1 and change.at is not None
    events = list(ScanEvent.select().where(ScanEvent.id > 0).order_by(ScanEvent.id))
    assert len(events) == before_events + 1
    event = events[-1]
    assert (event.action, event.user, event.order_id, event.outcome) == ("order_change", "clerk1", order.id, "ok")
    assert event.detail["before"] == "胡桃 Walnut" and event.detail["after"] == "walnut"


def test_the_clerk_clears_a_held_card_and_stations_take_it_again(plant):
    order = make_order(lines=[("DC-08", 2)])
    job_card = cards_of(order)[0]
    scan("whitebody", job_card.code)
    change_order(order, "options", "linen, black legs", "customer email", "clerk1", line_no=1)
    assert [c.code for c in held_cards(order)] == [job_card.code]
    assert "options now “linen, black legs”" in scan("finishing", job_card.code).message.render("en")

    clear_hold(order, job_card.code, "clerk1", "painter told")

    assert held_cards(order) == []
    assert scan("finishing", job_card.code).ok
    cleared = ScanEvent.get(ScanEvent.action == "change_cleared")
    assert cleared.user == "clerk1" and cleared.job_card_id == job_card.id
    assert refused(clear_hold, order, job_card.code, "clerk1") == f"Card {job_card.code} is not held; nothing to clear."
    assert refused(clear_hold, order, "JC9999999", "clerk1") == f"Order {order.number} has no job card JC9999999."


def test_a_second_change_keeps_the_first_notice_on_a_held_card(plant):
    order = make_order(lines=[("DC-08", 2)], number="SO-89")
    job_card = cards_of(order)[0]
    scan("whitebody", job_card.code)
    change_order(order, "colour", "walnut", "call", "clerk1", line_no=1)
    change_order(order, "options", "no armrests", "call", "clerk1", line_no=1)
    text = scan("finishing", job_card.code).message.render("en")
    assert text == ("Order SO-89 changed: colour now walnut - ask the clerk before Finishing. Also: Order SO-89 "
                    "changed: options now “no armrests” - ask the clerk before Finishing.")


def test_colour_cannot_change_once_units_are_packed(plant):
    order = make_order(lines=[("DC-08", 4)], card_units=2)
    first, _second = cards_of(order)
    to_packing(first)
    text = refused(change_order, order, "colour", "walnut", "call", "clerk1", line_no=1)
    assert text.startswith("Line 1 (DC-08) has 2 units packed already as they were ordered: its colour and options "
                           "can no longer change.")
    assert OrderLine.get(OrderLine.order == order).colour == ""
    assert OrderChange.select().count() == 0


# -- quantity and cancelled units --------------------------------------------------------------------


def test_fewer_units_come_off_cards_not_started_first(plant):
    order = make_order(lines=[("DT-120", 10)], card_units=4)
    started, middle, last = cards_of(order)  # 4, 4, 2 units
    scan("whitebody", started.code)

    result = change_order(order, "quantity", "5", "customer cut the order", "clerk1", line_no=1)

    assert result.voided == [last.code] and result.adjusted == [middle.code] and result.held == []
    assert [card(c.code).units for c in (started, middle, last)] == [4, 1, 0]
    assert card(last.code).status == "void"
    assert OrderLine.get(OrderLine.order == order).quantity == 5
    cancelled = scan("whitebody", last.code)
    assert cancelled.outcome == "rejected"
    assert cancelled.message.render("en") == (f"Order {order.number} changed: card {last.code} is cancelled - stop "
                                              "work on it and take it to the clerk.")
    assert scan("finishing", started.code).ok  # untouched, not held


def test_cancelling_more_than_cards_not_started_hold_the_started_card_with_its_new_count(plant):
    order = make_order(lines=[("DT-120", 8)], card_units=4, number="SO-90")
    first, second = cards_of(order)
    scan("whitebody", first.code)
    scan("whitebody", second.code)

    result = change_order(order, "cancel", "3", "customer cut the order", "clerk1", line_no=1)

    assert result.held == [second.code]
    assert card(second.code).units == 1 and card(first.code).units == 4
    assert scan("finishing", second.code).message.render("en") == (
        f"Order SO-90 changed: card {second.code} now has 1 units (was 4) - set 3 aside and ask the clerk before "
        "Finishing.")
    change = OrderChange.get(OrderChange.order == order)
    assert (change.field, change.before, change.after) == ("cancel", "8", "5")


def test_more_units_get_new_job_cards_and_reopen_a_packed_order(plant):
    order = make_order(lines=[("DC-08", 2)])
    to_packing(cards_of(order)[0])
    assert Order.get_by_id(order.id).status == "packed"

    result = change_order(order, "quantity", "5", "customer wants more", "clerk1", line_no=1, card_units=20)

    assert len(result.added) == 1
    new_card = card(result.added[0])
    assert (new_card.units, new_card.next_seq, new_card.status) == (3, 0, "open")
    assert Order.get_by_id(order.id).status == "in_production"
    assert scan("whitebody", new_card.code).ok


def test_a_line_cannot_go_below_what_is_packed_or_shipped(plant):
    from kiosk.shipping.pick_lists import create_pick_list

    order = make_order(lines=[("DC-08", 4)], card_units=2)
    first, second = cards_of(order)
    to_packing(first)
    text = refused(change_order, order, "quantity", "1", "call", "clerk1", line_no=1)
    assert text == ("Line 1 (DC-08) has 2 units packed already: it cannot go below 2. Packed cartons are not "
                    "unpacked by a change.")
    # ship those two units: then the shipment is the reason given
    for carton in first.cartons:
        assert scan("warehouse", carton.code, location="A01").ok
    line = OrderLine.get(OrderLine.order == order)
    pick_list = create_pick_list("LH", {line.id: 2}, "沪A1", "loading")
    scan("loading", pick_list.code, badge="W004")
    for carton in first.cartons:
        assert scan("loading", carton.code, badge="W004", pick_list=pick_list.code).ok
    assert scan("loading", pick_list.code, badge="W004", finish="1").ok
    text = refused(change_order, order, "cancel", "3", "call", "clerk1", line_no=1)
    assert text == "Line 1 (DC-08) has 2 units shipped already: it cannot go below 2."
    # going down to exactly what shipped is allowed: the unshipped card is cancelled
    result = change_order(order, "cancel", "2", "rest not needed", "clerk1", line_no=1)
    assert result.voided == [second.code]
    assert Order.get_by_id(order.id).status == "shipped"


@pytest.mark.parametrize("what, value, line, expected", [
    ("quantity", "4", 1, "Line 1 already has 4 units; nothing changed."),
    ("quantity", "-1", 1, "Quantity must be between 0 and 10000."),
    ("quantity", "many", 1, "Quantity must be between 0 and 10000."),
    ("cancel", "5", 1, "Units to cancel must be between 1 and 4."),
    ("cancel", "0", 1, "Units to cancel must be between 1 and 4."),
    ("quantity", "0", 1, "That would leave order {order} with no units. To stop the whole order, cancel it."),
    ("colour", "", 1, "Write the new colour."),
    ("colour", "原木 Natural", 1, "Line 1 already has that; nothing changed."),
    ("quantity", "3", 7, "Order {order} has no line 7."),
    ("size", "big", 1, "Choose what to change: quantity, cancel units, colour, options or due date."),
])
def test_changes_that_cannot_apply_are_refused_with_the_reason(plant, what, value, line, expected):
    order = make_order(lines=[("DT-120", 4)])
    assert refused(change_order, order, what, value, "call", "clerk1", line_no=line) == expected.format(
        order=order.number)
    assert OrderChange.select().count() == 0
    assert not ScanEvent.select().where(ScanEvent.action == "order_change").exists()


def test_a_change_needs_a_reason_and_an_open_order(plant):
    order = make_order(lines=[("DT-120", 4)])
    assert refused(change_order, order, "quantity", "3", "  ", "clerk1", line_no=1) == (
        "Say why the order changes (the customer's request, a mistake...).")
    cancel_order(order)
    assert refused(change_order, order, "quantity", "3", "call", "clerk1", line_no=1) == (
        f"Order {order.number} is Cancelled: it cannot be changed any more.")


def test_due_date_changes_and_is_refused_when_past_or_unchanged(plant):
    order = make_order(lines=[("DT-120", 4)])
    new_date = today() + dt.timedelta(days=30)
    result = change_order(order, "due_date", new_date.isoformat(), "customer asked later", "clerk1")
    assert Order.get_by_id(order.id).due_date == new_date
    assert (result.change.field, result.change.after, result.change.line_id) == ("due_date", new_date.isoformat(), None)
    assert refused(change_order, order, "due_date", new_date.isoformat(), "again", "clerk1") == (
        f"Order {order.number} is already due on {new_date.isoformat()}; nothing changed.")
    past = today() - dt.timedelta(days=1)
    assert refused(change_order, order, "due_date", past.isoformat(), "oops", "clerk1") == (
        f"The new due date {past.isoformat()} has already passed. Choose today or a later day.")
    assert refused(change_order, order, "due_date", "next week", "oops", "clerk1").startswith("Due date “next week”")


def test_a_draft_order_changes_without_job_cards(plant):
    order = make_order(lines=[("DT-120", 4)], release=False)
    result = change_order(order, "quantity", "6", "call", "clerk1", line_no=1)
    assert result.added == [] and cards_of(order) == []
    assert OrderLine.get(OrderLine.order == order).quantity == 6


# -- the clerk's pages -------------------------------------------------------------------------------


def test_clerk_changes_colour_on_the_form_and_the_order_page_shows_history_and_held_cards(client, plant):
    order = make_order(lines=[("DC-08", 4)], card_units=2)
    started, _waiting = cards_of(order)
    scan("whitebody", started.code)
    login(client, "clerk", username="lin")

    form = client.get(f"/orders/{order.number}/change?lang=en")
    assert form.status_code == 200 and 'id="change-form"' in form.text
    response = post(client, f"/orders/{order.number}/change",
                    {"field": "colour", "line": "1", "value": "walnut", "reason": "customer phoned"})
    assert response.status_code == 303 and response.location.endswith(f"/orders/{order.number}#changes")

    page = Elements(client.get(f"/orders/{order.number}?lang=en").text)
    flashes = " ".join(e["text"] for e in page.select("flash"))
    assert "Change recorded." in flashes and f"held at every station until you clear them: {started.code}" in flashes
    row = page.select(id="change-list")[0]["text"]
    assert "lin" in row and "胡桃 Walnut" in row and "walnut" in row and "customer phoned" in row
    held = page.select(id="held-cards")[0]["text"]
    assert started.code in held and "colour now walnut - ask the clerk before Finishing" in held

    response = post(client, f"/orders/{order.number}/clear-hold", {"card": started.code, "note": "ok"})
    assert response.status_code == 303
    assert held_cards(order) == []


def test_the_same_form_sent_twice_changes_the_order_once(client, plant):
    order = make_order(lines=[("DT-120", 6)])
    login(client, "clerk")
    page = Elements(client.get(f"/orders/{order.number}/change").text)
    key = next(e["attrs"]["value"] for e in page.select(tag="input") if e["attrs"].get("name") == "key")
    form = {"field": "cancel", "line": "1", "value": "2", "reason": "customer cut", "key": key}
    first, second = (post(client, f"/orders/{order.number}/change", form) for _ in range(2))
    assert first.status_code == second.status_code == 303
    assert OrderLine.get(OrderLine.order == order).quantity == 4
    assert OrderChange.select().count() == 1
    with pytest.raises(AlreadyRecorded):
        change_order(order, "cancel", "2", "customer cut", "clerk1", line_no=1, key=key)
    # a new form gets a new key
    again = Elements(client.get(f"/orders/{order.number}/change").text)
    assert next(e["attrs"]["value"] for e in again.select(tag="input") if e["attrs"].get("name") == "key") != key


def test_a_refused_change_comes_back_with_the_reason_and_what_was_typed(client, plant):
    order = make_order(lines=[("DC-08", 4)])
    login(client, "clerk")
    response = post(client, f"/orders/{order.number}/change?lang=en",
                    {"field": "cancel", "line": "1", "value": "9", "reason": "call back"})
    assert response.status_code == 409
    page = Elements(response.text)
    assert page.select(id="change-error")[0]["text"] == "Units to cancel must be between 1 and 4."
    assert page.select(id="change-reason")[0]["attrs"]["value"] == "call back"
    zh = post(client, f"/orders/{order.number}/change?lang=zh",
              {"field": "cancel", "line": "1", "value": "9", "reason": "call back"})
    assert Elements(zh.text).select(id="change-error")[0]["text"] == "取消件数必须在 1 到 4 之间。"


def test_field_and_stage_names_shown_through_translation_have_chinese():
    from kiosk.i18n import ZH
    from kiosk.orders.changes import FIELD_LABELS
    from kiosk.orders.customer_status import STAGE_LABELS
    from kiosk.orders.payments import RULE_LABELS

    shown = [*FIELD_LABELS.values(), *STAGE_LABELS.values(), *RULE_LABELS.values()]
    assert [label for label in shown if label not in ZH] == []
