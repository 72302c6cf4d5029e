"""Hostile input at every endpoint: very long text, control characters, HTML and script, SQL fragments,
odd Unicode and invalid UTF-8, in URL parts, query strings, form fields and JSON. Never a 500, and
whatever comes back shows the input as text: no script or tag of ours is ever run."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest

from db.models import Printer, PrintJob, Worker
from tests.access_table import ACCESS, HERE, K_HERE, K_OTHER, ROLES, app_routes
from tests.auth_helpers import csrf_token, login, make_device, make_user
from tests.factories import cards_of, make_order, scan

HOSTILE = [
    "A" * 100_000,
    "\x00\x01\x02\x08\x0b\x0c\x0e\x1b[31m\x7f\r\n\t",
    '<script>alert("xss-1")</script>',
    '"><img src=x onerror=alert("xss-2")>',
    "'><svg onload=alert('xss-3')>",
    "'; DROP TABLE scan_event; --",
    "%' OR '1'='1",
    "1 UNION SELECT password_hash FROM \"user\" --",
    "\u202e\ufeff\u200b𝕏😀\ud7ff",
    "../../etc/passwd",
    "{{7*7}}{% print 1 %}${7*7}",
]
MARKERS = ('<script>alert("xss-1")', "<img src=x onerror", "<svg onload", "xss-1\")</script>")
FIELDS = ("code", "idem", "worker_badge", "scanned_at", "verdict", "failed_units", "defect", "rework_station",
          "username", "password", "name", "role", "active", "reason", "note", "number", "customer", "due_date",
          "destination", "model_1", "quantity_1", "colour_1", "rush", "release", "on_hold", "station", "label",
          "badge", "next", "q", "status", "lang", "truck_plate", "dock", "ship_date", "units", "supervisor",
          "printer", "format", "date", "view", "since", "bin", "pick_list", "copies", "frame", "image")
QUERY = ("q", "code", "station", "status", "lang", "next", "badge", "date", "view", "since", "page", "customer",
         "card", "tv", "format")


@pytest.fixture
def world(app, plant, tmp_path):
    printer = Printer.create(name="hostile-test", uri=f"file://{tmp_path}/printer.bin", language="zpl")
    job = PrintJob.create(printer=printer, document="test", payload=b"^XA^XZ")
    order = make_order(lines=[("DT-120", 2)])
    card = cards_of(order)[0]
    event_id = scan("whitebody", card.code).event_id
    kiosks = {K_HERE: make_device(HERE)[1], K_OTHER: make_device("qc")[1]}
    return {
        "users": {role: make_user(role) for role in ROLES},
        "kiosks": kiosks,
        "ints": {"event_id": event_id, "user_id": make_user("clerk").id, "device_id": make_device("packing")[0].id,
                 "worker_id": Worker.get(Worker.badge == "W010").id, "printer_id": printer.id, "job_id": job.id},
    }


def client_for(app, world, key: str):
    """A client allowed to use the route, so hostile input reaches the view itself."""
    allowed = ACCESS[key]
    for visitor in ("admin", "supervisor", K_HERE, *ROLES, K_OTHER):
        if visitor in allowed:
            break
    else:
        visitor = "anonymous"
    client = app.test_client()
    headers = {}
    if visitor in ROLES:
        login(client, user=world["users"][visitor])
    elif visitor in world["kiosks"]:
        client.set_cookie("kiosk_device", world["kiosks"][visitor])
        headers["Authorization"] = f"Bearer {world['kiosks'][visitor]}"
    return client, headers


def check(response, where: str) -> None:
    if response.mimetype == "text/event-stream":  # never ends by itself: the status is the answer
        assert response.status_code < 500, where
        response.close()
        return
    body = response.get_data().decode("utf-8", "replace")
    assert response.status_code < 500, f"{where}: {response.status_code} {body[:300]}"
    if not (response.mimetype.startswith("text/") or response.mimetype == "application/json"):
        response.close()  # a picture or a spreadsheet runs no script
        return
    for marker in MARKERS:
        assert marker not in body, f"{where}: unescaped {marker!r} in the answer"
    response.close()


def paths_for(rule, world, value: str) -> list[str]:
    """The rule's URL with each text argument set to `value` (ints get real ids)."""
    from werkzeug.routing import IntegerConverter

    numbers = {a for a in rule.arguments if isinstance(rule._converters.get(a), IntegerConverter)}
    text_args = [a for a in rule.arguments if a not in numbers]
    values = {a: world["ints"].get(a, 999_999) for a in numbers}  # an id nothing has: the view says 404
    if not text_args:
        return [rule.build(values)[1]]
    if "filename" in text_args:
        values["filename"] = "kiosk.css"
        text_args.remove("filename")
    if "fmt" in text_args:
        values["fmt"] = "csv"
        text_args.remove("fmt")
    for arg in text_args:
        values[arg] = value[:2000]
    return [rule.build(values)[1]]


def test_hostile_text_everywhere_gives_no_500_and_no_live_markup(app, world):
    for key, rule in app_routes(app):
        method = key.split(" ", 1)[0]
        client, headers = client_for(app, world, key)
        for value in HOSTILE:
            for path in paths_for(rule, world, value):
                query = "&".join(f"{name}={quote(value[:2000], safe='')}" for name in QUERY)
                if method == "GET":
                    check(client.get(f"{path}?{query}", headers={k: v for k, v in headers.items()
                                                                if not path.startswith("/station")}), key)
                    continue
                token = csrf_token(client)
                if path.startswith("/api/"):
                    body = {name: value for name in ("station", "code", "idem_key", "worker_badge", "scanned_at")}
                    body["options"] = {"verdict": value, value[:50]: value}
                    check(client.post(path, json=body, headers=headers), f"{key} json")
                    continue
                form = {name: value for name in FIELDS}
                form["idem"] = uuid.uuid4().hex if value.startswith("A") else value
                form["csrf_token"] = token
                check(client.post(f"{path}?{query}", data=form, headers={"X-CSRF-Token": token}), key)
                check(client.post(path, data=form, headers={"X-CSRF-Token": token, "HX-Request": "true"}),
                      f"{key} htmx")


def test_invalid_utf8_and_broken_bodies_are_answered_without_500(app, world):
    for key, rule in app_routes(app):
        method = key.split(" ", 1)[0]
        client, headers = client_for(app, world, key)
        path = paths_for(rule, world, "x")[0]
        bad_path = path.replace("/x", "/%FF%FE%00") if "/x" in path else path
        if method == "GET":
            check(client.get(bad_path + "?q=%FF%FE%C0%AF&code=%ED%A0%80&lang=%FF"), f"{key} bad utf-8")
            continue
        token = csrf_token(client)
        raw = b"code=%FF%FE%80&name=\xff\xfe\xfd&note=%C0%AF&reason=\xed\xa0\x80&username=\xff&csrf_token=" + \
            token.encode()
        check(client.post(bad_path, data=raw, content_type="application/x-www-form-urlencoded",
                          headers={"X-CSRF-Token": token}), f"{key} bad utf-8 form")
        check(client.post(path, data=b"\xff\xfe{not json", content_type="application/json",
                          headers={**headers, "X-CSRF-Token": token}), f"{key} bad json")
        check(client.post(path, data=b"--x\r\n\xff", content_type="multipart/form-data; boundary=x",
                          headers={"X-CSRF-Token": token}), f"{key} broken multipart")


def test_a_name_with_html_is_shown_as_text(client, plant):
    from kiosk.people import users

    login(client, "admin")
    users.add_worker("W777", '<script>alert("xss-1")</script>', by="test")
    for path in ("/admin/workers", "/admin/badges"):
        page = client.get(path).text
        assert '&lt;script&gt;alert(&#34;xss-1&#34;)&lt;/script&gt;' in page
        assert '<script>alert("xss-1")' not in page


VISITORS = ("anonymous", *ROLES, K_HERE, K_OTHER)
SOME_HOSTILE = [HOSTILE[0][:5000], HOSTILE[1], HOSTILE[2], HOSTILE[5], "99999999999999999999",
                "0001-01-01T00:00:00+14:00"]


def client_as(app, world, visitor: str):
    """A client signed in as `visitor` (a role), paired as a kiosk (K_HERE, K_OTHER), or anonymous."""
    client = app.test_client()
    headers = {}
    if visitor in ROLES:
        login(client, user=world["users"][visitor])
    elif visitor in world["kiosks"]:
        client.set_cookie("kiosk_device", world["kiosks"][visitor])
        headers["Authorization"] = f"Bearer {world['kiosks'][visitor]}"
    return client, headers


def test_hostile_input_as_every_role_and_as_paired_kiosks_gives_no_500(app, world):
    """Issue 15: the same hostile input as every desk role, as a kiosk paired here and elsewhere, and
    anonymously, to every route: 0 answers with a 5xx."""
    x500 = []
    for visitor in VISITORS:
        for key, rule in app_routes(app):
            method = key.split(" ", 1)[0]
            client, headers = client_as(app, world, visitor)
            for value in SOME_HOSTILE:
                path = paths_for(rule, world, value)[0]
                if method == "GET":
                    query = "&".join(f"{name}={quote(value[:500], safe='')}" for name in QUERY)
                    response = client.get(f"{path}?{query}", headers={k: v for k, v in headers.items()
                                                                      if not path.startswith("/station")})
                elif path.startswith("/api/"):
                    body = {name: value for name in ("station", "code", "idem_key", "worker_badge", "scanned_at")}
                    response = client.post(path, json=body, headers={**headers, "X-CSRF-Token": csrf_token(client)})
                else:
                    token = csrf_token(client)
                    form = {name: value for name in FIELDS}
                    form.update(idem=uuid.uuid4().hex, csrf_token=token, approver_badge=value, approver_pin=value)
                    response = client.post(path, data=form, headers={"X-CSRF-Token": token, "HX-Request": "true"})
                if response.status_code >= 500:
                    x500.append(f"{key} as {visitor}: {response.status_code}")
                response.close()
    assert x500 == []
