"""Who may do what, route by route: every route of the app x every kind of visitor, asserted exactly.

The table below is the specification (docs/access.md says the same in words). The test fails when a
route exists that the table does not list - add the route here with who may use it - and when the
table lists a route that no longer exists.

Visitors: anonymous, each desk role, a kiosk paired with another station (QC) and a kiosk paired with
this station (loading: URLs with a station name loading). Kiosks on /api/ send their device token as
a bearer header, like a camera agent. Every request carries a valid CSRF token, so what is tested
is the access rule alone (tests/test_csrf.py tests the token).
"""

from __future__ import annotations

import uuid

import pytest

from db.models import ScanEvent, Worker
from tests.auth_helpers import csrf_token, login, make_device, make_user
from tests.factories import cards_of, make_order, scan

ANON = "anonymous"
ROLES = ("admin", "supervisor", "clerk", "warehouse", "finance")
K_OTHER = "kiosk at another station"
K_HERE = "kiosk at this station"
VISITORS = (ANON, *ROLES, K_OTHER, K_HERE)
HERE, OTHER = "loading", "qc"

EVERYONE = frozenset(VISITORS)
STAFF = frozenset(ROLES)
KIOSKS = frozenset({K_OTHER, K_HERE})
ORDER_DESK = frozenset({"admin", "clerk"})
CARD_PRINTERS = frozenset({"admin", "supervisor", "clerk"})
SUPERVISORS = frozenset({"admin", "supervisor"})
SHIPPING_DESK = frozenset({"admin", "supervisor", "clerk", "warehouse"})
PRINT_DESK = SHIPPING_DESK
FINANCE = frozenset({"finance"})
ADMINS = frozenset({"admin"})
NOBODY = frozenset()

# "METHOD /rule": who may. Keep in step with docs/access.md.
ACCESS: dict[str, frozenset[str]] = {
    # start page, assets, health
    "GET /": EVERYONE,
    "GET /static/<path:filename>": EVERYONE,
    "GET /api/health": EVERYONE,
    # sign in and pairing: anyone may ask
    "GET /login": EVERYONE,
    "POST /login": EVERYONE,
    "POST /logout": EVERYONE,
    "POST /lang": EVERYONE,
    "GET /pair": EVERYONE,
    "POST /pair": EVERYONE,
    "GET /pair/status": EVERYONE,
    # station kiosk: the page shows the scan field only to its own kiosk; recording needs that kiosk
    "GET /station/<code>": EVERYONE,
    "POST /station/<code>/scan": frozenset({K_HERE}),
    "POST /station/<code>/sign-out": frozenset({K_HERE}),
    "GET /station/<code>/worker": frozenset({K_HERE}),
    # command barcodes and the scanner self-test (kiosk/stations/scanner_views.py)
    "GET /station/<code>/commands": STAFF | KIOSKS,
    "POST /station/<code>/commands/print": SUPERVISORS | {K_HERE},
    "GET /station/<code>/scanner-test": STAFF | KIOSKS,
    # camera agents and other scanner programs: a paired device; the station in the body must be its own
    "POST /api/scan": frozenset({K_HERE}),
    # orders
    "GET /orders/": STAFF,
    "GET /orders/<number>": STAFF,
    "GET /orders/new": ORDER_DESK,
    "POST /orders/new": ORDER_DESK,
    "GET /orders/import": ORDER_DESK,
    "POST /orders/import": ORDER_DESK,
    "POST /orders/<number>/release": ORDER_DESK,
    "GET /orders/<number>/cards": CARD_PRINTERS,
    "POST /orders/<number>/hold": SUPERVISORS,
    # boards and trace: desk users, and any paired device (a kiosk, or a TV paired as a display)
    "GET /board": STAFF | KIOSKS,
    "GET /board/rows": STAFF | KIOSKS,
    "GET /board/events": STAFF | KIOSKS,
    "GET /board/stations": STAFF | KIOSKS,
    "GET /board/stations/report.<fmt>": STAFF | KIOSKS,
    "GET /trace": STAFF | KIOSKS,
    "GET /trace/<path:code>": STAFF | KIOSKS,
    # shipping desk: pick lists, cartons and their labels (kiosk/shipping_views.py); printouts also for kiosks
    "GET /shipping/": SHIPPING_DESK,
    "GET /shipping/pick-lists": SHIPPING_DESK,
    "GET /shipping/pick-lists/new": SHIPPING_DESK,
    "POST /shipping/pick-lists/new": SHIPPING_DESK,
    "GET /shipping/pick-lists/<code>": SHIPPING_DESK,
    "GET /shipping/pick-lists/<code>/tally": SHIPPING_DESK | KIOSKS,
    "GET /shipping/pick-lists/<code>/sheet": SHIPPING_DESK | KIOSKS,
    "GET /shipping/pick-lists/<code>/manifest": SHIPPING_DESK | KIOSKS,
    "POST /shipping/pick-lists/<code>/print": SHIPPING_DESK,
    "POST /shipping/pick-lists/<code>/finish": SHIPPING_DESK,
    "POST /shipping/pick-lists/<code>/undo": SUPERVISORS,
    "POST /shipping/stations/<code>/undo": frozenset({K_HERE}),
    "POST /shipping/stations/<code>/finish-short": frozenset({K_HERE}),
    "GET /shipping/cartons": SHIPPING_DESK,
    "POST /shipping/cartons/<code>/reprint": SHIPPING_DESK,
    "GET /shipping/cartons/<code>/label": SHIPPING_DESK | KIOSKS,
    "GET /shipping/cards/<code>/labels": SHIPPING_DESK | KIOSKS,
    # delivery notes and outside work (kiosk/delivery_views.py): the shipping desk; outside work is the clerks'
    "GET /delivery/": SHIPPING_DESK,
    "GET /delivery/notes/<code>": SHIPPING_DESK,
    "GET /delivery/notes/<code>.png": SHIPPING_DESK,  # issue 15 F10: a customer's address, not for displays
    "GET /delivery/notes/<code>/a4": SHIPPING_DESK,
    "POST /delivery/notes/<code>/print": SHIPPING_DESK,
    "GET /delivery/returns": SHIPPING_DESK,
    "POST /delivery/returns": SHIPPING_DESK,
    "GET /outside/": STAFF,  # issue 15 F10: suppliers' phones, not for displays or agents
    "GET /outside/out": frozenset({"admin", "supervisor", "clerk"}),
    "POST /outside/out": frozenset({"admin", "supervisor", "clerk"}),
    "GET /outside/in": frozenset({"admin", "supervisor", "clerk"}),
    "POST /outside/in": frozenset({"admin", "supervisor", "clerk"}),
    "POST /outside/suppliers": frozenset({"admin", "supervisor", "clerk"}),
    # camera decoding for a station (a kiosk's camera sends frames)
    "POST /station/<code>/decode": frozenset({K_HERE}),
    # printers, the print queue and label pictures (kiosk/printer_views.py)
    "GET /printers": PRINT_DESK,
    "POST /printers": ADMINS,
    "GET /printers/<int:printer_id>/edit": ADMINS,
    "POST /printers/<int:printer_id>/edit": ADMINS,
    "POST /printers/stations": ADMINS,
    "POST /printers/<int:printer_id>/test": PRINT_DESK,
    "POST /printers/<int:printer_id>/retry": PRINT_DESK,
    "GET /printers/jobs/<int:job_id>.png": PRINT_DESK,
    "POST /printers/jobs/<int:job_id>/reprint": PRINT_DESK,
    "POST /printers/labels/void": PRINT_DESK,
    "POST /printers/jobs/<int:job_id>/cancel": PRINT_DESK,
    "POST /orders/<number>/cards/print": CARD_PRINTERS,
    "GET /labels/carton/<code>.png": STAFF | KIOSKS,
    "GET /labels/job-card/<code>.png": STAFF | KIOSKS,
    "GET /labels/manifest/<code>.png": STAFF | KIOSKS,
    "GET /labels/pick-list/<code>.png": STAFF | KIOSKS,
    # order changes, payment release and the customer's status link (kiosk/order_change_views.py)
    "GET /orders/<number>/change": ORDER_DESK,
    "POST /orders/<number>/change": ORDER_DESK,
    "POST /orders/<number>/clear-hold": ORDER_DESK,
    "POST /orders/<number>/status-links": ORDER_DESK,
    "POST /orders/<number>/status-links/revoke": ORDER_DESK,
    "GET /orders/<number>/status-link.png": ORDER_DESK,
    "GET /orders/<number>/status-link/print": ORDER_DESK,
    "GET /s/<token>": EVERYONE,  # the customer's read-only page: the unguessable token is the key
    "GET /payments": STAFF,
    "POST /payments/customers": FINANCE,
    "POST /orders/<number>/payment/release": FINANCE,
    "POST /orders/<number>/payment/withdraw": FINANCE,
    "POST /orders/<number>/payment/rule": frozenset({"admin", "clerk", "finance"}),
    # customer complaints (kiosk/complaint_views.py)
    "GET /complaints/": STAFF,
    "GET /complaints/<code>": STAFF,
    "GET /complaints/<code>/photos/<int:photo_id>": STAFF,
    "GET /complaints/new": CARD_PRINTERS,
    "POST /complaints/new": CARD_PRINTERS,
    "POST /complaints/<code>/photos": CARD_PRINTERS,
    "POST /complaints/<code>/decide": SUPERVISORS,
    # andon calls (kiosk/andon/views.py): the kiosk calls and answers; the desk acknowledges and records delays
    "GET /station/<code>/andon": frozenset({K_HERE}),
    "POST /station/<code>/andon": frozenset({K_HERE}),
    "POST /station/<code>/andon/<int:call_id>/<step>": frozenset({K_HERE}),
    "GET /andon": STAFF | KIOSKS,
    "GET /andon/strip": STAFF | KIOSKS,
    "POST /andon/<int:call_id>/acknowledge": CARD_PRINTERS,
    "POST /andon/<int:call_id>/delay": CARD_PRINTERS,
    # alert channels, rules and messages (kiosk/alerts/views.py)
    "GET /alerts": CARD_PRINTERS,
    "POST /alerts/channels": CARD_PRINTERS,
    "POST /alerts/channels/<int:channel_id>/test": CARD_PRINTERS,
    "POST /alerts/rules": CARD_PRINTERS,
    "POST /alerts/rules/<int:rule_id>/switch": CARD_PRINTERS,
    "POST /alerts/sent/<int:delivery_id>/retry": CARD_PRINTERS,
    # the daily plan per station (kiosk/plan/views.py)
    "GET /plan": CARD_PRINTERS,
    "POST /plan": CARD_PRINTERS,
    "POST /plan/import": CARD_PRINTERS,
    "POST /plan/derive": CARD_PRINTERS,
    # supervisor
    "GET /supervisor/": SUPERVISORS,
    "POST /supervisor/scans/<int:event_id>/undo": SUPERVISORS,
    "POST /supervisor/orders/<number>/delays": CARD_PRINTERS,  # clerks record delay reasons too
    "POST /supervisor/orders/<number>/delays/<int:delay_id>/clear": SUPERVISORS,
    # piece pay (kiosk/pay/views.py): rates and crews for supervisors, settlement also read by finance,
    # a worker's own day on the kiosk of the station
    "GET /pay/rates": SUPERVISORS,
    "POST /pay/rates": SUPERVISORS,
    "POST /pay/rates/import": SUPERVISORS,
    "POST /pay/crews": SUPERVISORS,
    "GET /pay/settlement": SUPERVISORS | FINANCE,
    "GET /pay/settlement.xlsx": SUPERVISORS | FINANCE,
    "POST /pay/settlement/approve": SUPERVISORS,
    "POST /pay/adjustments": SUPERVISORS,
    "GET /station/<code>/my-day": frozenset({K_HERE}),
    # admin
    "GET /admin/users": ADMINS,
    "POST /admin/users": ADMINS,
    "POST /admin/users/<int:user_id>": ADMINS,
    "POST /admin/users/<int:user_id>/password": ADMINS,
    "POST /admin/users/<int:user_id>/approval": ADMINS,
    "GET /admin/devices": ADMINS,
    "POST /admin/devices/approve": ADMINS,
    "POST /admin/devices/agent": ADMINS,
    "POST /admin/devices/<int:device_id>/unpair": ADMINS,
    "POST /admin/devices/<int:device_id>/remove": ADMINS,
    "GET /admin/workers": SUPERVISORS,
    "POST /admin/workers": SUPERVISORS,
    "POST /admin/workers/<int:worker_id>": SUPERVISORS,
    "GET /admin/badges": SUPERVISORS,
}


def app_routes(app) -> list[tuple[str, object]]:
    """("METHOD /rule", rule) for every route and method the app answers (not HEAD / OPTIONS)."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((f"{method} {rule.rule}", rule))
    return sorted(found, key=lambda item: item[0])


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
