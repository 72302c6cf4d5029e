"""Requests load only what they use: a health check asks nothing about who is asking, a scan reads
no user, and no response rewrites a session that did not change."""

from __future__ import annotations

import re
import uuid

from tests.auth_helpers import login, pair_kiosk
from tests.factories import cards_of, make_order, scan


def test_health_from_a_kiosk_with_a_signed_in_user_runs_one_statement(client, plant, statements):
    pair_kiosk(client, "whitebody")
    login(client, "clerk")
    statements.clear()
    response = client.get("/api/health")
    assert response.status_code == 200 and response.get_json() == {"ok": True}
    assert statements == ["SELECT 1"]
    assert "Set-Cookie" not in response.headers


def test_a_public_page_still_knows_the_kiosk_its_language_and_its_token(client, plant):
    device = pair_kiosk(client, "whitebody")
    client.get("/station/whitebody?lang=en")  # the kiosk switches to English and keeps it
    page = client.get("/station/whitebody").get_data(as_text=True)
    assert 'lang="en"' in page and "Scan a badge, job card or carton" in page
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    # the kiosk's token is derived from its device (it survives a browser restart), not a session's
    fresh = client.application.test_client()
    fresh.set_cookie("kiosk_device", client.get_cookie("kiosk_device").value)
    again = fresh.get("/station/whitebody").get_data(as_text=True)
    assert token in again and device.id


def test_a_scan_reads_no_user_and_writes_no_cookie(client, plant, statements):
    first, card = cards_of(make_order(lines=[("DC-08", 2)], card_units=1))
    scan("whitebody", first.code)  # the order's first scan also moves the order into production
    pair_kiosk(client, "whitebody")
    page = client.get("/station/whitebody").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    statements.clear()
    response = client.post("/station/whitebody/scan", data={
        "code": card.code, "idem": uuid.uuid4().hex, "worker_badge": "W001", "recent_after": "0"},
        headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert response.status_code == 200 and 'data-outcome="ok"' in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    assert not [sql for sql in statements if 'FROM "user"' in sql]
    writes = [sql for sql in statements if sql.split()[0] in ("INSERT", "UPDATE", "DELETE")]
    written = sorted(sql.split('"')[1] for sql in writes)
    # the card moves on, the event is logged, the order's board row and the worker's pay ledger count the
    # pass: nothing else
    assert written == ["board_count", "job_card", "pay_ledger", "scan_event"], writes


def test_a_signed_in_desk_page_does_not_rewrite_the_session(client, plant):
    login(client, "clerk")
    assert client.get("/orders/").status_code == 200  # the first page gives the session its CSRF token
    again = client.get("/orders/")
    assert again.status_code == 200
    assert "kiosk_session=" not in again.headers.get("Set-Cookie", "")  # nothing changed, nothing written
    assert client.get("/orders/").status_code == 200  # still signed in
    client.post("/logout", headers={"X-CSRF-Token": _session_token(client)})
    assert client.get("/orders/").status_code in (302, 303)  # signing out does write it


def _session_token(client) -> str:
    page = client.get("/orders/").get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
