"""CSRF: every state-changing request needs this session's (or this kiosk's) token, as a form field or
as the X-CSRF-Token header htmx sends; every page's forms carry it."""

from __future__ import annotations

import re
import uuid
from html.parser import HTMLParser

import pytest

from db.models import Device, OrderDelay, ScanEvent, User, Worker
from tests.access_table import ACCESS, HERE, K_HERE, K_OTHER, ROLES, app_routes
from tests.auth_helpers import csrf_token, hx_post, login, make_device, make_user, page_csrf, pair_kiosk, post
from tests.factories import cards_of, make_order, scan


def counts() -> tuple[int, ...]:
    return tuple(m.select().count() for m in (ScanEvent, User, Device, OrderDelay, Worker))


@pytest.fixture
def samples(plant):
    order = make_order(lines=[("DT-120", 2)])
    card = cards_of(order)[0]
    return {"code": HERE, "number": order.number, "event_id": scan("whitebody", card.code).event_id,
            "user_id": make_user("clerk").id, "device_id": make_device("packing")[0].id,
            "worker_id": Worker.get(Worker.badge == "W010").id, "filename": "kiosk.css", "fmt": "csv",
            # no such printer, job or photo: the token is checked before the view looks
            "printer_id": 999_999, "job_id": 999_999, "photo_id": 999_999, "token": "not-a-real-link",
            # andon, alerts, delay reasons (issue 19)
            "call_id": 999_999, "step": "arrived", "channel_id": 999_999, "rule_id": 999_999,
            "delivery_id": 999_999, "delay_id": 999_999}


def allowed_client(app, key: str):
    """A client that may use this route, so the only thing missing is the token."""
    who = sorted(ACCESS[key], key=lambda v: (v not in ROLES, v))[0]
    client = app.test_client()
    if who in ROLES:
        login(client, who)
    elif who in (K_HERE, K_OTHER):
        pair_kiosk(client, HERE if who == K_HERE else "qc")
    return client


def test_every_state_changing_route_refuses_a_request_without_the_token(app, samples):
    checked = []
    for key, rule in app_routes(app):
        method = key.split(" ", 1)[0]
        if method == "GET":
            continue
        client = allowed_client(app, key)
        _, path = rule.build({name: samples[name] for name in rule.arguments})
        before = counts()
        form = {"code": "W001", "idem": uuid.uuid4().hex, "username": "x", "password": "y", "reason": "r",
                "name": "Someone", "role": "clerk", "badge": "W099", "station": "qc", "on_hold": "1"}
        for attempt in ({}, {"csrf_token": "forged-" + "x" * 40}):
            response = client.post(path + "?lang=en", data={**form, **attempt})
            assert response.status_code == 400, f"{key}: {response.status_code}"
            assert "did not come from this server" in response.text or "did not come" in response.json["error"]
        assert counts() == before, key
        checked.append(key)
    assert "POST /station/<code>/scan" in checked and "POST /admin/users" in checked and len(checked) >= 20


def test_the_token_works_as_a_form_field_and_as_the_htmx_header(client, plant):
    login(client, "supervisor")
    order = make_order()
    assert post(client, f"/supervisor/orders/{order.number}/delays", {"reason": "staffing"}).status_code == 303
    response = client.post(f"/supervisor/orders/{order.number}/delays", data={"reason": "plan_error"},
                           headers={"X-CSRF-Token": csrf_token(client)})
    assert response.status_code == 303
    assert OrderDelay.select().count() == 2


def test_a_token_from_another_session_is_refused(app, plant):
    victim, attacker = app.test_client(), app.test_client()
    login(victim, "admin")
    stolen_from_elsewhere = csrf_token(attacker)
    response = victim.post("/admin/users", data={"username": "mallory", "name": "M", "role": "admin",
                                                 "password": "long enough 1", "csrf_token": stolen_from_elsewhere})
    assert response.status_code == 400
    assert not User.select().where(User.username == "mallory").exists()


def test_a_kiosk_token_survives_a_browser_restart(app, plant):
    """Scans a kiosk queued offline carry the token of the page they were made on."""
    kiosk = app.test_client()
    device = pair_kiosk(kiosk, "whitebody")
    token = page_csrf(kiosk.get("/station/whitebody").text)
    restarted = app.test_client()  # new session, same device cookie
    restarted.set_cookie("kiosk_device", kiosk.device_token)
    assert page_csrf(restarted.get("/station/whitebody").text) == token
    response = restarted.post("/station/whitebody/scan", data={"code": "W001", "idem": uuid.uuid4().hex,
                                                               "csrf_token": token})
    assert response.status_code == 200 and 'data-outcome="ok"' in response.text
    assert device.id


class Forms(HTMLParser):
    """POST forms and htmx posters on a page, and the token each would send."""

    def __init__(self):
        super().__init__()
        self.body_headers = ""
        self.forms: list[dict] = []
        self.hx_posters: list[str] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "body":
            self.body_headers = attrs.get("hx-headers") or ""
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._open = {"action": attrs.get("action"), "token": None, "hx": "hx-post" in attrs}
            self.forms.append(self._open)
        elif tag == "form" and "hx-post" in attrs:
            self.hx_posters.append(attrs["hx-post"])
        if tag == "input" and self._open is not None and attrs.get("name") == "csrf_token":
            self._open["token"] = attrs.get("value")
        if tag != "form" and "hx-post" in attrs:
            self.hx_posters.append(attrs["hx-post"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


PAGES = {
    "admin": ["/admin/users", "/admin/devices", "/admin/workers", "/orders/new", "/orders/import", "/supervisor/",
              "/orders/{number}", "/"],
    "kiosk": ["/station/whitebody", "/station/qc", "/pair"],
    "anonymous": ["/login", "/station/qc", "/pair"],
}


def test_every_form_on_every_page_carries_the_token(app, plant):
    order = make_order(release=False)
    seen_forms = 0
    for who, paths in PAGES.items():
        client = app.test_client()
        if who == "admin":
            login(client, "admin")
        elif who == "kiosk":
            pair_kiosk(client, "whitebody")
        for path in paths:
            html = client.get(path.format(number=order.number)).text
            token = page_csrf(html)
            parser = Forms()
            parser.feed(html)
            for form in parser.forms:
                assert form["token"] == token, f"{path}: form {form['action']} has no CSRF field"
                seen_forms += 1
            if parser.hx_posters:
                assert f'"X-CSRF-Token": "{token}"' in parser.body_headers, f"{path}: htmx posts without the token"
    assert seen_forms >= 12


def test_htmx_requests_send_the_header_from_body(app, plant):
    kiosk = app.test_client()
    pair_kiosk(kiosk, "whitebody")
    html = kiosk.get("/station/whitebody").text
    headers = re.search(r"<body[^>]*hx-headers='([^']+)'", html).group(1)
    import json

    token = json.loads(headers)["X-CSRF-Token"]
    response = hx_post(kiosk, "/station/whitebody/sign-out", headers={"X-CSRF-Token": token})
    assert response.status_code == 200 and "worker-panel" in response.text
