"""Outside work (外协): a card scanned out to a supplier is refused at every station until it is scanned
back in; back in, its stage is done and the next station takes it. Each rule and its message, the event
log, the gate kiosk, and what the boards show (what is out, where, and what is overdue)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from db import write_transaction
from db.models import JobCard, OutsideWork, ScanEvent, Station
from kiosk.cards import outside as outside_work
from kiosk.cards.outside import OutsideWorkError, out_now, save_supplier, send_out, take_back
from kiosk.core import plant as plant_cache
from kiosk.core.clock import today
from kiosk.core.errors import ScanInputError
from kiosk.orders.orders import set_hold
from tests.auth_helpers import hx_post, login, post
from tests.factories import cards_of, make_order, scan
from tests.pages import Elements


def key() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def supplier(plant):
    return save_supplier("XD", "鑫达喷涂 Xinda Spraying", "陈经理", "0757-1234567", 5)


@pytest.fixture
def at_finishing(supplier):
    """A card of 4 chairs through white-body: it waits at finishing."""
    order = make_order(lines=[("DC-08", 4)])
    card = cards_of(order)[0]
    assert scan("whitebody", card.code).ok
    return order, JobCard.get_by_id(card.id)


def sent(card, supplier_code="XD", expected="", user="clerk1"):
    return send_out(card.code, supplier_code, expected, user, key())


# -- out, blocked, back --------------------------------------------------------------------------


def test_a_card_sent_out_is_refused_at_the_next_stage_until_it_is_back(at_finishing):
    order, card = at_finishing
    expected = today() + dt.timedelta(days=3)
    out = sent(card, expected=expected.isoformat())
    assert (out.outcome, out.action) == ("ok", "send_out")
    assert out.message.render("en") == (
        f"Card {card.code} (4 units, order {order.number}) out to 鑫达喷涂 Xinda Spraying for Finishing; "
        f"expected back {expected.isoformat()}.")
    assert "涂装" in out.message.render("zh")

    for station in ("finishing", "qc"):
        refused = scan(station, card.code, verdict="pass")
        assert (refused.outcome, refused.reason) == ("rejected", "at_supplier")
        text = refused.message.render("en")
        assert text.startswith(f"Card {card.code} is at 鑫达喷涂 Xinda Spraying since ")
        assert text.endswith(f", expected back {expected.isoformat()}. Scan it back in at the clerk desk first.")
        assert "请先到跟单员处扫描收回" in refused.message.render("zh")
    assert JobCard.get_by_id(card.id).next_seq == 1

    back = take_back(card.code, "clerk2", key())
    assert (back.outcome, back.action, back.units) == ("ok", "take_back", 4)
    assert back.message.render("en") == (
        f"Card {card.code} is back from 鑫达喷涂 Xinda Spraying: 4 units done at Finishing. Next: QC.")
    assert JobCard.get_by_id(card.id).next_seq == 2
    accepted = scan("qc", card.code, verdict="pass")
    assert accepted.ok, accepted.message.render("en")
    work = OutsideWork.get(OutsideWork.job_card == card)
    assert (work.sent_by, work.returned_by, work.units, work.station.code) == ("clerk1", "clerk2", 4, "finishing")


def test_out_and_back_are_in_the_event_log_with_who(at_finishing):
    order, card = at_finishing
    out = sent(card)
    back = take_back(card.code, "clerk2", key())
    events = {e.action: e for e in ScanEvent.select().where(ScanEvent.action.in_(("send_out", "take_back")))}
    assert events["send_out"].id == out.event_id and events["take_back"].id == back.event_id
    for action, user in (("send_out", "clerk1"), ("take_back", "clerk2")):
        event = events[action]
        assert (event.user, event.job_card_id, event.order_id, event.outcome) == (user, card.id, order.id, "ok")
        assert event.detail["supplier"] == "XD" and event.detail["stage"] == "finishing"
    assert events["take_back"].units == 4 and events["send_out"].units == 0


def test_the_expected_date_defaults_to_the_suppliers_usual_days(at_finishing):
    _, card = at_finishing
    sent(card)
    assert OutsideWork.get(OutsideWork.job_card == card).expected_back == today() + dt.timedelta(days=5)


def test_a_retried_scan_out_is_recorded_once(at_finishing):
    _, card = at_finishing
    same = key()
    first = send_out(card.code, "XD", "", "clerk1", same)
    again = send_out(card.code, "XD", "", "clerk1", same)
    assert again.replayed and again.event_id == first.event_id
    assert OutsideWork.select().count() == 1


# -- each rule and its message -------------------------------------------------------------------


def test_scan_out_rules(at_finishing, supplier):
    order, card = at_finishing
    save_supplier("KL", "凯利雕刻 Kaili Carving", lead_days=10)
    no_supplier = sent(card, supplier_code="")
    assert (no_supplier.reason, no_supplier.message.render("en")) == (
        "no_supplier", "Choose the supplier the card goes to, then scan the card.")
    unknown = sent(type("Card", (), {"code": "JC-NOPE"}))
    assert (unknown.reason, unknown.message.render("en")) == (
        "unknown", "Unknown code JC-NOPE: no job card has it. Check the card, or ask the clerk.")
    bad = sent(card, expected="next friday")
    assert bad.reason == "bad_date" and bad.message.render("en") == (
        "“next friday” is not a date; write the expected-back date as 2026-12-31.")
    yesterday = (today() - dt.timedelta(days=1)).isoformat()
    past = sent(card, expected=yesterday)
    assert past.reason == "bad_date" and past.message.render("en") == (
        f"Expected back {yesterday} is not a date ahead; choose the day the supplier promised.")
    with pytest.raises(ScanInputError):
        send_out("卡片", "XD", "", "clerk1", key())

    assert sent(card).ok
    twice = sent(card)
    assert (twice.outcome, twice.reason) == ("duplicate", "duplicate")
    assert twice.message.render("en").startswith(f"Card {card.code} is already out at 鑫达喷涂 Xinda Spraying since ")
    elsewhere = sent(card, supplier_code="KL")
    assert (elsewhere.outcome, elsewhere.reason) == ("rejected", "already_out")
    assert OutsideWork.select().count() == 1


def test_only_production_stages_go_out(at_finishing):
    order, card = at_finishing
    assert scan("finishing", card.code).ok  # now it waits at QC
    refused = sent(card)
    assert (refused.outcome, refused.reason) == ("rejected", "not_outside_stage")
    assert refused.message.render("en") == (
        f"Card {card.code} waits at QC; that stage stays in the plant. Only production stages go to suppliers.")


def test_held_or_cancelled_orders_do_not_go_out(at_finishing):
    from kiosk.orders.orders import cancel_order

    order, card = at_finishing
    set_hold(order, True, "colour to confirm")
    held = sent(card)
    assert held.reason == "on_hold" and held.message.render("en") == (
        f"Order {order.number} is on hold (colour to confirm). Do not send card {card.code} out until the hold "
        "is released.")
    set_hold(order, False)
    cancel_order(order)
    cancelled = sent(card)
    assert cancelled.reason == "cancelled" and cancelled.message.render("en") == (
        f"Order {order.number} was cancelled. Do not send card {card.code} out; take it to the clerk.")


def test_scan_in_rules(at_finishing):
    _, card = at_finishing
    not_out = take_back(card.code, "clerk1", key())
    assert (not_out.outcome, not_out.reason) == ("rejected", "not_out")
    assert not_out.message.render("en") == (
        f"Card {card.code} is not out at a supplier, so there is nothing to scan in. Is it the right card?")
    sent(card)
    assert take_back(card.code, "clerk1", key()).ok
    again = take_back(card.code, "clerk1", key())
    assert (again.outcome, again.reason) == ("duplicate", "duplicate")
    assert again.message.render("en").startswith(f"Card {card.code} came back from 鑫达喷涂 Xinda Spraying at ")
    assert JobCard.get_by_id(card.id).next_seq == 2  # counted once


def test_back_without_the_work_waits_at_the_same_stage(at_finishing):
    _, card = at_finishing
    sent(card)
    back = take_back(card.code, "clerk1", key(), done=False)
    assert back.ok and back.units == 0 and back.detail["done"] is False
    assert back.message.render("en") == (
        f"Card {card.code} is back from 鑫达喷涂 Xinda Spraying without the work: it waits at Finishing.")
    assert JobCard.get_by_id(card.id).next_seq == 1
    assert scan("finishing", card.code).ok  # done in the plant after all


def test_a_gate_kiosk_of_kind_outside_takes_cards_back(at_finishing):
    _, card = at_finishing
    with write_transaction():
        gate = Station.create(code="gate", name_zh="外协收货", name_en="Outside goods in", kind="outside", sort=9)
    plant_cache.forget()
    sent(card)
    back = scan("gate", card.code, badge="W007")
    assert back.ok and back.action == "take_back"
    event = ScanEvent.get_by_id(back.event_id)
    assert (event.station_id, event.worker.badge) == (gate.id, "W007")
    assert OutsideWork.get(OutsideWork.job_card == card).returned_by == "赵敏"
    assert JobCard.get_by_id(card.id).next_seq == 2
    assert scan("gate", card.code, badge="W007").outcome == "duplicate"


def test_supplier_rules(plant):
    with pytest.raises(OutsideWorkError) as bad_code:
        save_supplier("鑫达", "x")
    assert bad_code.value.message.key == "A supplier code is 1 to 32 letters, digits, dots, dashes or underscores."
    with pytest.raises(OutsideWorkError):
        save_supplier("XD", "  ")
    with pytest.raises(OutsideWorkError) as bad_days:
        save_supplier("XD", "Xinda", lead_days="soon")
    assert bad_days.value.message.render("en") == "Usual days out must be a whole number from 0 to 365."
    save_supplier("XD", "Xinda", lead_days=4)
    changed = save_supplier("XD", "Xinda Spraying", phone="123", lead_days=6)
    assert (changed.name, changed.phone, changed.lead_days) == ("Xinda Spraying", "123", 6)
    assert [s.code for s in outside_work.suppliers()] == ["XD"]


# -- what the boards show ------------------------------------------------------------------------


def test_out_now_lists_where_each_card_is_and_what_is_overdue(at_finishing):
    order, card = at_finishing
    other = make_order(lines=[("DT-120", 2)])
    other_card = cards_of(other)[0]
    scan("whitebody", other_card.code)
    sent(card)
    sent(other_card)
    OutsideWork.update(expected_back=today() - dt.timedelta(days=2)).where(
        OutsideWork.job_card == other_card.id).execute()
    rows = out_now()
    assert [(r.card_code, r.supplier, r.stage.code, r.days_late, r.overdue) for r in rows] == [
        (other_card.code, "鑫达喷涂 Xinda Spraying", "finishing", 2, True),
        (card.code, "鑫达喷涂 Xinda Spraying", "finishing", -5, False)]
    assert list(outside_work.out_by_order([order.id])) == [order.id]


def test_the_order_board_and_the_outside_page_show_cards_out(client, at_finishing):
    from kiosk.boards import figures

    order, card = at_finishing
    sent(card)
    OutsideWork.update(expected_back=today() - dt.timedelta(days=1)).execute()
    row = figures.order_row(figures.order_board(today()), order.id)
    assert [(o.card_code, o.days_late) for o in row.outside] == [(card.code, 1)]
    login(client, "finance")  # every desk role may look
    board = Elements(client.get("/board?lang=en").text)
    tag = [e for e in board.select(css_class="outside") if e["tag"] == "span"][0]
    assert "At 鑫达喷涂 Xinda Spraying: 1 cards" in tag["text"] and "1 days late" in tag["text"]
    assert "1 cards out at suppliers" in board.select(id="board-outside")[0]["text"]
    page = Elements(client.get("/outside/?lang=en").text)
    out_row = [e for e in page.select(tag="tr") if e["attrs"].get("data-card") == card.code][0]
    assert out_row["attrs"]["data-overdue"] == "yes" and "1 days late" in out_row["text"]
    assert "1 overdue" in page.select(id="overdue-count")[0]["text"]


# -- the desk pages ------------------------------------------------------------------------------


def test_the_send_out_and_back_in_desks_answer_like_a_station(client, at_finishing):
    _, card = at_finishing
    login(client, "clerk")
    page = Elements(client.get("/outside/out?lang=en").text)
    assert [o["attrs"].get("value") for o in page.select(tag="option")] == ["", "XD"]
    idem = page.select(id="desk-idem")[0]["attrs"]["value"]
    answer = Elements(hx_post(client, "/outside/out", {"code": card.code, "supplier": "XD", "idem": idem}).text)
    assert answer.select(css_class="answer")[0]["attrs"]["data-outcome"] == "ok"
    refused = Elements(hx_post(client, "/outside/out", {"code": card.code, "supplier": "XD", "idem": key()}).text)
    assert refused.select(css_class="answer")[0]["attrs"]["data-outcome"] == "duplicate"
    back = Elements(hx_post(client, "/outside/in", {"code": card.code, "idem": key()}).text)
    assert back.select(css_class="answer")[0]["attrs"]["data-outcome"] == "ok"
    event = ScanEvent.get(ScanEvent.action == "take_back")
    assert event.user.startswith("clerk") and event.outcome == "ok"


def test_suppliers_are_added_from_the_outside_work_page(client, plant):
    login(client, "clerk")
    response = post(client, "/outside/suppliers", {"code": "KL", "name": "凯利雕刻", "lead_days": "9"})
    assert response.status_code == 303
    page = Elements(client.get("/outside/?lang=en").text)
    assert "Supplier KL saved: 凯利雕刻." in page.select(css_class="flash")[0]["text"]
    assert [e["attrs"]["data-supplier"] for e in page.select(tag="tr") if "data-supplier" in e["attrs"]] == ["KL"]
    post(client, "/outside/suppliers", {"code": "K L", "name": "x"})
    error = Elements(client.get("/outside/?lang=en").text).select(css_class="flash")[0]
    assert "error" in error["attrs"]["class"]
