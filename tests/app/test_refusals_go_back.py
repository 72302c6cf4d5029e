"""A desk form refused by its domain rule (kiosk/web.refusal_goes_back) goes back to the page the form is
on, 303, with the reason shown there in the reader's language; nothing is changed."""

from __future__ import annotations

from db.models import Order, Supplier, User
from tests.auth_helpers import login, post
from tests.factories import make_order


def test_a_refused_user_form_goes_back_to_the_users_page_with_the_reason(client, plant):
    login(client, "admin")
    response = post(client, "/admin/users", {"username": "ok", "name": "n", "role": "boss",
                                             "password": "long enough 1"})
    assert response.status_code == 303 and response.location.endswith("/admin/users")
    assert "Choose a role" in client.get("/admin/users?lang=en").text
    assert not User.select().where(User.username == "ok").exists()
    post(client, "/admin/users", {"username": "ok", "name": "n", "role": "boss", "password": "long enough 1"})
    assert "Choose a role" not in client.get("/admin/users?lang=zh").text  # shown once, in Chinese now
    post(client, "/admin/users", {"username": "ok", "name": "n", "role": "boss", "password": "long enough 1"})
    assert "角色" in client.get("/admin/users?lang=zh").text


def test_a_refused_payment_release_goes_back_where_it_was_sent_from(client, plant):
    order = make_order(lines=[("DC-08", 2)], number="SO-NOPAY")  # needs no payment release
    login(client, "finance")
    response = post(client, f"/orders/{order.number}/payment/release", {"note": "paid", "next": "payments"})
    assert response.status_code == 303 and response.location.endswith("/payments")
    assert "does not need a payment release" in client.get("/payments?lang=en").text
    response = post(client, f"/orders/{order.number}/payment/release", {"note": "paid"})
    assert response.status_code == 303 and response.location.endswith(f"/orders/{order.number}#payment")
    assert Order.get_by_id(order.id).payment_released_at is None


def test_a_refused_supplier_goes_back_to_the_outside_board(client, plant):
    login(client, "clerk")
    before = Supplier.select().count()
    response = post(client, "/outside/suppliers", {"code": "SUP-9", "name": "Wood Co", "lead_days": "x"})
    assert response.status_code == 303 and response.location.endswith("/outside/")
    assert "Usual days out must be a whole number" in client.get("/outside/?lang=en").text
    assert Supplier.select().count() == before
    post(client, "/outside/suppliers", {"code": "SUP-9", "name": "Wood Co", "lead_days": "5"})
    assert "Supplier SUP-9 saved: Wood Co." in client.get("/outside/?lang=en").text
