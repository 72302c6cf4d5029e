"""Paired kiosks: asking to pair, admin approval for one station, scanning only there, unpairing,
removing, last contact, camera agents with a bearer token, and each kiosk's own language."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from db.models import Device, JobCard, ScanEvent, utcnow
from kiosk.people import devices
from tests.auth_helpers import csrf_token, hx_post, login, make_device, pair_kiosk, post
from tests.factories import cards_of, make_order


def scan_via_kiosk(client, station: str, code: str, badge: str = "W001"):
    return hx_post(client, f"/station/{station}/scan", {"code": code, "worker_badge": badge,
                                                        "idem": uuid.uuid4().hex})


def shown_code(html: str) -> str:
    match = re.search(r'id="pairing-code">([A-Z0-9-]+)<', html)
    assert match, "no pairing code on the page"
    return match.group(1)


def test_a_browser_asks_to_pair_and_an_admin_approves_it_for_one_station(app, plant):
    kiosk = app.test_client()
    page = kiosk.get("/station/qc?lang=en")
    assert 'id="scan-form"' not in page.text and "Pair this kiosk" in page.text

    asked = post(kiosk, "/pair", {"next": "/station/qc"})
    assert asked.status_code == 303 and asked.location == "/station/qc"
    cookie = asked.headers["Set-Cookie"]
    assert cookie.startswith("kiosk_device=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    assert not Device.select().where(Device.token_hash == token).exists()  # only its hash is kept

    waiting = kiosk.get("/station/qc?lang=en")
    code = shown_code(waiting.text)
    assert 'id="scan-form"' not in waiting.text
    assert kiosk.get("/pair/status").status_code == 204

    admin = app.test_client()
    login(admin, "admin")
    listed = admin.get("/admin/devices?lang=en")
    assert code in listed.text and "Waiting" in listed.text
    post(admin, "/admin/devices/approve", {"code": code.lower(), "station": "qc", "label": "QC left"})

    status = kiosk.get("/pair/status")
    assert status.headers.get("HX-Refresh") == "true"
    assert 'id="scan-form"' in kiosk.get("/station/qc").text
    assert 'id="scan-form"' not in kiosk.get("/station/loading").text
    device = Device.get(Device.label == "QC left")
    assert device.station.code == "qc" and device.approved_by.startswith("admin")


def test_an_unpaired_browser_records_nothing(client, plant):
    card = cards_of(make_order())[0]
    before = ScanEvent.select().count()
    for kiosk in (None, "waiting"):
        if kiosk:
            pair_kiosk(client, "whitebody", paired=False)
        response = scan_via_kiosk(client, "whitebody", card.code)
        assert "not a paired kiosk" in response.text or "不是已配对的终端" in response.text
    assert ScanEvent.select().count() == before
    assert JobCard.get_by_id(card.id).next_seq == 0


def test_a_paired_kiosk_scans_at_its_station_only(client, plant):
    card = cards_of(make_order())[0]
    pair_kiosk(client, "whitebody")
    scan_via_kiosk(client, "whitebody", "W001")
    answer = scan_via_kiosk(client, "whitebody", card.code)
    assert 'data-outcome="ok"' in answer.text
    assert JobCard.get_by_id(card.id).next_seq == 1
    refused = scan_via_kiosk(client, "finishing", card.code)
    assert refused.headers.get("HX-Retarget") == "#flash"
    assert JobCard.get_by_id(card.id).next_seq == 1


def test_a_kiosk_paired_with_qc_cannot_record_loading_by_page_or_api(client, plant):
    device = pair_kiosk(client, "qc")
    before = ScanEvent.select().count()
    response = client.post("/station/loading/scan?lang=en", data={"code": "W001", "idem": uuid.uuid4().hex,
                                                                  "csrf_token": csrf_token(client)})
    assert response.status_code == 403
    assert "This kiosk is paired with QC; it cannot record at Loading." in response.text
    api = client.post("/api/scan?lang=en", json={"station": "loading", "code": "W001", "idem_key": uuid.uuid4().hex},
                      headers={"Authorization": f"Bearer {client.device_token}"})
    assert api.status_code == 403 and "not paired with this station" in api.json["error"]
    assert ScanEvent.select().count() == before
    assert device.station.code == "qc"


def test_unpair_and_remove_take_effect_at_once_and_are_audited(app, client, plant):
    device = pair_kiosk(client, "whitebody")
    assert 'data-outcome="ok"' in scan_via_kiosk(client, "whitebody", "W001").text
    admin = app.test_client()
    boss = login(admin, "admin")
    post(admin, f"/admin/devices/{device.id}/unpair")
    again = Device.get_by_id(device.id)
    assert again.station is None and again.approved_by == "" and again.pairing_code != device.pairing_code
    assert "not a paired kiosk" in scan_via_kiosk(client, "whitebody", "W001").text or \
        "不是已配对" in scan_via_kiosk(client, "whitebody", "W001").text
    page = client.get("/station/whitebody")
    assert shown_code(page.text) == devices.format_code(again.pairing_code)  # it can be paired again
    post(admin, f"/admin/devices/{device.id}/remove")
    assert not Device.select().where(Device.id == device.id).exists()
    assert devices.find_device(client.device_token) is None
    audit = list(ScanEvent.select().where(ScanEvent.action.in_(("device_unpaired", "device_removed")))
                 .order_by(ScanEvent.id))
    assert [(e.action, e.user) for e in audit] == [("device_unpaired", boss.username),
                                                    ("device_removed", boss.username)]


def test_devices_list_shows_station_and_last_contact(app, client, plant):
    device = pair_kiosk(client, "packing")
    old = utcnow() - dt.timedelta(hours=3)
    Device.update(last_seen=old).where(Device.id == device.id).execute()
    client.get("/station/packing")  # the kiosk makes contact
    seen = Device.get_by_id(device.id).last_seen
    assert seen > old + dt.timedelta(hours=2)
    admin = app.test_client()
    login(admin, "admin")
    page = admin.get("/admin/devices?lang=en")
    row = re.search(rf'<tr data-device="{device.id}".*?</tr>', page.text, re.S).group(0)
    assert "Packing" in row and device.label in row
    from kiosk.core.clock import to_local

    assert to_local(seen).strftime("%Y-%m-%d %H:%M") in row


def test_too_many_waiting_browsers_are_refused_and_idle_ones_forgotten(app, plant):
    app.config["MAX_PENDING_DEVICES"] = 2
    for _ in range(2):
        post(app.test_client(), "/pair")
    third = post(app.test_client(), "/pair")
    assert third.status_code == 503
    Device.update(last_seen=utcnow() - dt.timedelta(days=2)).execute()
    assert post(app.test_client(), "/pair").status_code == 303
    assert Device.select().count() == 1


def test_a_camera_agent_scans_with_its_bearer_token_at_its_station(app, plant):
    card = cards_of(make_order())[0]
    admin = app.test_client()
    login(admin, "admin")
    page = post(admin, "/admin/devices/agent", {"station": "whitebody", "label": "cam-1"})
    token = re.search(r'<code class="token">([^<]+)</code>', page.text).group(1)
    assert page.headers["Cache-Control"] == "no-store"
    assert token not in admin.get("/admin/devices").text  # shown once

    agent = app.test_client()  # no cookies, no CSRF token: the bearer header is the identity
    body = {"station": "whitebody", "code": card.code, "idem_key": uuid.uuid4().hex, "source": "camera"}
    answer = agent.post("/api/scan", json=body, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.json["outcome"] == "ok"
    elsewhere = agent.post("/api/scan", json={**body, "station": "finishing", "idem_key": uuid.uuid4().hex},
                           headers={"Authorization": f"Bearer {token}"})
    assert elsewhere.status_code == 403
    assert agent.post("/api/scan", json=body, headers={"Authorization": "Bearer wrong-token-" + "x" * 30}
                      ).status_code == 401
    assert agent.post("/api/scan", json=body).status_code == 401


def test_a_cookie_kiosk_on_the_api_still_needs_the_csrf_token(client, plant):
    pair_kiosk(client, "whitebody")
    body = {"station": "whitebody", "code": "W001", "idem_key": uuid.uuid4().hex}
    assert client.post("/api/scan", json=body).status_code == 400
    assert client.post("/api/scan", json=body, headers={"X-CSRF-Token": csrf_token(client)}).status_code == 200


def test_each_kiosk_keeps_its_own_language(app, plant):
    plant_default = app.config["DEFAULT_LANG"]
    assert plant_default == "zh"
    english = app.test_client()
    pair_kiosk(english, "qc")
    assert post(english, "/lang", {"lang": "en", "next": "/station/qc"}).status_code == 303  # the EN button
    english.delete_cookie("lang")  # the kiosk remembers, not just the browser cookie
    assert 'lang="en"' in english.get("/station/qc").text
    chinese = app.test_client()
    pair_kiosk(chinese, "packing")
    assert 'lang="zh-CN"' in chinese.get("/station/packing").text
    assert Device.get(Device.label == "test-qc").lang == "en"


def test_f18_a_get_with_lang_changes_nothing_stored(app, plant):
    """GET /api/health?lang=en from a kiosk, as reported: the page answers in English, the device keeps zh."""
    kiosk = app.test_client()
    device = pair_kiosk(kiosk, "qc")
    for path in ("/api/health?lang=en", "/station/qc?lang=en"):
        assert kiosk.get(path).status_code == 200
    assert Device.get_by_id(device.id).lang in ("", "zh")
    kiosk.delete_cookie("lang")
    assert 'lang="zh-CN"' in kiosk.get("/station/qc").text


def test_the_plant_default_language_comes_from_config(database, database_url, plant):
    from kiosk import create_app

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "k", "TESTING": True, "DEFAULT_LANG": "en"})
    client = app.test_client()
    pair_kiosk(client, "qc")
    assert 'lang="en"' in client.get("/station/qc").text


def test_a_display_device_sees_boards_but_records_nothing(client, plant):
    device, token = make_device(None)
    client.set_cookie("kiosk_device", token)
    assert client.get("/board").status_code == 200
    assert 'data-kiosk="display"' in client.get("/station/qc").text
    assert scan_via_kiosk(client, "qc", "W001").headers.get("HX-Retarget") == "#flash"
    assert device.station is None
