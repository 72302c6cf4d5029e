"""Payment release: an order that needs it is refused at loading, with whom to ask, until a finance user
releases it; the board says "waiting for payment"; release, withdrawal and rule changes are audited and
only finance may lift a requirement."""

from __future__ import annotations

import pytest

from db.models import Carton, Customer, Order, ScanEvent
from kiosk.boards.figures import order_board
from kiosk.core.clock import today
from kiosk.i18n import Msg
from kiosk.orders import payments
from kiosk.orders.changes import change_order
from kiosk.shipping.pick_lists import create_pick_list
from tests.auth_helpers import login, make_user, post
from tests.factories import make_order, scan, stocked, whole
from tests.pages import Elements


def fresh(order: Order) -> Order:
    return Order.get_by_id(order.id)


def refused(call, *args) -> str:
    with pytest.raises(payments.PaymentRefused) as caught:
        call(*args)
    return caught.value.message.render("en")


def require_release(order: Order) -> Order:
    Order.update(payment_release="required").where(Order.id == order.id).execute()
    return fresh(order)


@pytest.fixture
def truck(plant):
    """An order in stock on a pick list, needing payment release."""
    order = require_release(make_order(lines=[("DC-08", 2)], number="SO-PAY-1"))
    cartons = stocked(order)
    pick_list = create_pick_list("LH", whole(order), "沪A12345", "loading")
    assert scan("loading", pick_list.code, badge="W004").ok
    return order, cartons, pick_list


def load(carton, pick_list):
    return scan("loading", carton.code, badge="W004", pick_list=pick_list.code)


def test_loading_refuses_cartons_until_finance_releases_the_order(truck):
    order, cartons, pick_list = truck
    answer = load(cartons[0], pick_list)
    assert answer.outcome == "rejected" and answer.reason == "awaiting_payment"
    assert answer.message.render("en") == (f"Order SO-PAY-1 waits for payment: do not load carton {cartons[0].code}. "
                                           "Ask finance (财务) to release it.")
    assert answer.message.render("zh") == f"订单 SO-PAY-1 等待付款：不要装载箱 {cartons[0].code}。请联系财务放行。"
    assert Carton.get_by_id(cartons[0].id).status == "in_warehouse"

    finance = make_user("finance", name="钱会计")
    payments.release(order, finance, "bank ref 8812")

    assert load(cartons[0], pick_list).ok
    released = ScanEvent.get(ScanEvent.action == "payment_release")
    assert (released.user, released.order_id) == (finance.username, order.id)
    assert "Payment confirmed by 钱会计: order SO-PAY-1 may ship. bank ref 8812" == \
        Msg.from_json(released.message).render("en")


def test_a_withdrawn_release_stops_loading_again_and_is_audited(truck):
    order, cartons, pick_list = truck
    finance = make_user("finance")
    payments.release(order, finance)
    assert load(cartons[0], pick_list).ok

    assert refused(payments.withdraw, order, finance, " ") == "Say why the release is withdrawn."
    payments.withdraw(order, finance, "cheque bounced")

    assert fresh(order).payment_released_at is None
    assert load(cartons[1], pick_list).reason == "awaiting_payment"
    withdrawn = ScanEvent.get(ScanEvent.action == "payment_withdrawn")
    assert withdrawn.user == finance.username and withdrawn.detail == {"reason": "cheque bounced"}
    assert refused(payments.withdraw, order, finance, "again") == (
        "Order SO-PAY-1 is not released for shipping; there is nothing to withdraw.")


def test_only_finance_releases(truck):
    order, _cartons, _pick_list = truck
    for role in ("clerk", "admin", "supervisor", "warehouse"):
        assert refused(payments.release, order, make_user(role)) == (
            "Only finance (财务) may release an order for shipping.")
    assert refused(payments.release, order, None) == "Only finance (财务) may release an order for shipping."
    finance = make_user("finance")
    payments.release(order, finance)
    assert refused(payments.release, order, finance) == (
        f"Order SO-PAY-1 was already released for shipping by {finance.username}.")


def test_the_customer_default_applies_unless_the_order_says_otherwise(plant):
    order = make_order(lines=[("DC-08", 1)])
    assert not payments.needs_release(fresh(order))
    finance = make_user("finance")
    payments.set_customer_default(Customer.get(Customer.code == "LH"), True, finance)
    assert payments.waiting_for_payment(fresh(order))
    assert ScanEvent.get(ScanEvent.action == "payment_terms").user == finance.username

    payments.set_order_rule(fresh(order), "not_required", finance)
    assert not payments.waiting_for_payment(fresh(order))
    assert refused(payments.release, fresh(order), finance) == (
        f"Order {order.number} does not need a payment release.")
    assert refused(payments.set_customer_default, Customer.get(Customer.code == "LH"), False,
                   make_user("clerk")) == "Only finance (财务) may change a customer's payment terms."


def test_a_clerk_may_require_release_but_only_finance_may_lift_it(plant):
    order = make_order(lines=[("DC-08", 1)])
    clerk, finance = make_user("clerk"), make_user("finance")
    payments.set_order_rule(order, "required", clerk)
    assert payments.waiting_for_payment(fresh(order))
    assert refused(payments.set_order_rule, fresh(order), "not_required", clerk) == (
        "Only finance (财务) may lift the payment requirement of an order.")
    assert refused(payments.set_order_rule, fresh(order), "maybe", clerk) == (
        "Choose whether the order needs a payment release.")
    assert refused(payments.set_order_rule, fresh(order), "inherit", make_user("warehouse")) == (
        "Your role may not change payment rules.")
    payments.set_order_rule(fresh(order), "inherit", finance)
    assert not payments.waiting_for_payment(fresh(order))
    rules = [e.detail for e in ScanEvent.select().where(ScanEvent.action == "payment_rule").order_by(ScanEvent.id)]
    assert rules == [{"before": "inherit", "after": "required"}, {"before": "required", "after": "inherit"}]


def test_more_units_withdraw_a_release_given_before(plant):
    order = require_release(make_order(lines=[("DC-08", 2)]))
    payments.release(order, make_user("finance"))
    change_order(order, "quantity", "3", "customer wants one more", "clerk1", line_no=1)
    assert payments.waiting_for_payment(fresh(order))
    event = ScanEvent.get(ScanEvent.action == "payment_withdrawn")
    assert event.user == "clerk1" and "the quantity went up" in Msg.from_json(event.message).render("en")


def test_the_order_board_shows_waiting_for_payment(client, plant):
    waiting = require_release(make_order(lines=[("DC-08", 2)], number="SO-WAIT"))
    paid = make_order(lines=[("DC-08", 2)], number="SO-PAID")
    rows = {row.number: row for row in order_board(today()).rows}
    assert rows["SO-WAIT"].awaiting_payment and not rows["SO-PAID"].awaiting_payment

    login(client, "clerk")
    page = Elements(client.get("/board?lang=en").text)
    tags = {row["attrs"]["data-order"]: row["text"] for row in page.select(tag="tr") if "data-order" in row["attrs"]}
    assert "Waiting for payment" in tags["SO-WAIT"] and "Waiting for payment" not in tags["SO-PAID"]
    assert waiting.id != paid.id


def test_finance_releases_from_the_payments_page_and_the_clerk_cannot(client, plant):
    order = require_release(make_order(lines=[("DC-08", 2)], number="SO-DESK"))
    login(client, "clerk")
    listed = Elements(client.get("/payments?lang=en").text)
    assert [r["attrs"]["data-order"] for r in listed.select(tag="tr") if r["attrs"].get("data-order")] == ["SO-DESK"]
    assert post(client, f"/orders/{order.number}/payment/release").status_code == 403

    login(client, "finance")
    response = post(client, f"/orders/{order.number}/payment/release", {"note": "paid", "next": "payments"})
    assert response.status_code == 303 and response.location.endswith("/payments")
    assert fresh(order).payment_released_at is not None
    page = Elements(client.get("/payments?lang=en").text)
    assert "SO-DESK" in page.select(id="released-orders")[0]["text"]
    assert "No order is waiting for payment." in page.select(id="waiting-orders")[0]["text"]

    response = post(client, "/payments/customers", {"customer": "HM", "required": "1"})
    assert response.status_code == 303 and Customer.get(Customer.code == "HM").requires_payment_release


def test_the_order_page_shows_payment_state_and_the_rule_form(client, plant):
    order = require_release(make_order(lines=[("DC-08", 2)]))
    login(client, "clerk")
    page = Elements(client.get(f"/orders/{order.number}?lang=en").text)
    state = page.select(id="payment-state")[0]
    assert state["attrs"]["data-state"] == "waiting" and "Waiting for payment" in state["text"]
    assert page.select(id="payment-rule") and not page.select(id="release-payment")
    response = post(client, f"/orders/{order.number}/payment/rule", {"rule": "not_required"})
    assert response.status_code == 303
    flashed = Elements(client.get(f"/orders/{order.number}?lang=zh").text).select("flash")[0]["text"]
    assert flashed == "只有财务可以取消订单的付款放行要求。"
    assert payments.waiting_for_payment(fresh(order))
