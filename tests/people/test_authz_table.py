"""Who may do what, route by route: every route of the app x every kind of visitor, asserted exactly.

The table below is the specification (docs/access.md says the same in words). The test fails when a
route exists that the table does not list - add the route here with who may use it - and when the
table lists a route that no longer exists.

Visitors: anonymous, each desk role, a kiosk paired with another station (QC) and a kiosk paired with
this station (loading: URLs with a station name loading). Kiosks on /api/ send their device token as
a bearer header, like a camera agent. Every request carries a valid CSRF token, so what is tested
is the access rule alone (tests/people/test_csrf.py tests the token).
"""

from __future__ import annotations

import uuid

import pytest

from db.models import ScanEvent, Worker
from tests.access_table import ACCESS, HERE, K_HERE, K_OTHER, KIOSKS, OTHER, ROLES, VISITORS, app_routes
from tests.auth_helpers import csrf_token, login, make_device, make_user
from tests.factories import cards_of, make_order, scan


def test_every_route_has_an_entry_and_every_entry_a_route(app):
    routes = {key for key, _rule in app_routes(app)}
    missing = sorted(routes - set(ACCESS))
    stale = sorted(set(ACCESS) - routes)
    assert not missing, f"routes with no entry in the access table (add who may use them): {missing}"
    assert not stale, f"table entries for routes that no longer exist: {stale}"


def test_every_route_declares_its_access_rule(app):
    from kiosk.people.auth import access_of

    with app.test_request_context():
        undeclared = sorted(rule.endpoint for _key, rule in app_routes(app) if access_of(rule.endpoint) is None)
    assert undeclared == []


@pytest.fixture
def world(app, plant):
    """One of each visitor, and things for the URLs to name."""
    users = {role: make_user(role) for role in ROLES}
    _, other_token = make_device(OTHER)
    _, here_token = make_device(HERE)
    order = make_order(lines=[("DT-120", 2)])
    card = cards_of(order)[0]
    event_id = scan("whitebody", card.code).event_id
    spare_device, _ = make_device("packing")
    samples = {
        "code": HERE,
        "number": order.number,
        "event_id": event_id,
        "user_id": make_user("clerk").id,
        "device_id": spare_device.id,
        "worker_id": Worker.get(Worker.badge == "W010").id,
        "filename": "kiosk.css",
        "fmt": "csv",
        "printer_id": 999_999,  # no such printer or job: the access rule answers before the view looks
        "job_id": 999_999,
        "photo_id": 999_999,
        "token": "not-a-real-link",
        "call_id": 999_999,
        "step": "arrived",
        "channel_id": 999_999,
        "rule_id": 999_999,
        "delivery_id": 999_999,
        "delay_id": 999_999,
    }
    return {"users": users, "tokens": {K_OTHER: other_token, K_HERE: here_token}, "samples": samples}


def request_as(app, world, visitor: str, method: str, path: str):
    client = app.test_client()
    headers = {}
    if visitor in ROLES:
        login(client, visitor, user=world["users"][visitor])
    elif visitor in KIOSKS:
        token = world["tokens"][visitor]
        client.set_cookie("kiosk_device", token)
        if path.startswith("/api/"):
            headers["Authorization"] = f"Bearer {token}"
    if method == "GET":
        return client.get(path, headers=headers)
    if path == "/api/scan":
        body = {"station": HERE, "code": "W001", "idem_key": uuid.uuid4().hex}
        return client.post(path, json=body, headers={**headers, "X-CSRF-Token": csrf_token(client)})
    return client.post(path, data={"csrf_token": csrf_token(client)}, headers=headers)


def refused(response) -> bool:
    """Turned away by the access rule: 401/403, or sent to the sign-in page."""
    if response.status_code in (401, 403):
        return True
    return response.status_code in (302, 303) and "/login" in (response.location or "")


def test_who_may_do_what(app, world):
    wrong = []
    for key, rule in app_routes(app):
        if key not in ACCESS:
            continue  # reported by test_every_route_has_an_entry...
        method = key.split(" ", 1)[0]
        unknown = set(rule.arguments) - set(world["samples"])
        assert not unknown, f"{key}: no sample value for {unknown}; add one to the `world` fixture"
        _, path = rule.build({name: world["samples"][name] for name in rule.arguments})
        for visitor in VISITORS:
            response = request_as(app, world, visitor, method, path)
            response.close()  # event streams never end by themselves
            assert response.status_code < 500, f"{key} as {visitor}: {response.status_code}"
            if refused(response) == (visitor in ACCESS[key]):
                wrong.append(f"{key} as {visitor}: {'refused' if refused(response) else 'allowed'} "
                             f"({response.status_code})")
    assert wrong == []


def test_a_kiosk_paired_with_qc_cannot_record_a_loading_scan(client, plant):
    from tests.auth_helpers import hx_post, pair_kiosk

    pair_kiosk(client, "qc")
    before = ScanEvent.select().count()
    response = hx_post(client, "/station/loading/scan", {"code": "W001", "idem": uuid.uuid4().hex})
    assert "cannot record at" in response.text or "不能在" in response.text
    assert response.headers.get("HX-Retarget") == "#flash"  # shown in the kiosk's error banner
    plain = client.post("/station/loading/scan", data={"code": "W001", "idem": uuid.uuid4().hex,
                                                      "csrf_token": csrf_token(client)})
    assert plain.status_code == 403
    assert ScanEvent.select().count() == before


def test_a_route_without_a_rule_is_refused_to_everyone(database, database_url, plant):
    from kiosk import create_app

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test", "TESTING": True})
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    client = app.test_client()
    assert client.get("/forgotten").status_code == 403
    login(client, "admin")
    response = client.get("/forgotten")
    assert response.status_code == 403 and "secret" not in response.text
