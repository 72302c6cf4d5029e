"""Issue 15, the low findings (F10-F18), each reproduced by sending the request for real."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path

from db.models import Device
from tests.auth_helpers import bearer, csrf_token, hx_post, kiosk_at, login, make_device, post
from tests.factories import cards_of, make_order

ROOT = Path(__file__).resolve().parents[2]


def test_f10_displays_and_agents_cannot_read_supplier_phones_or_customer_addresses(client, plant):
    """(tests/people/test_authz_table.py checks the same routes with real notes, as every role and device.)"""
    display = make_device(None)[1]
    client.set_cookie("kiosk_device", display)
    for path in ("/outside/", "/delivery/notes/DN000001/a4", "/delivery/notes/DN000001.png"):
        shown = client.get(path)  # a page GET goes to the sign-in page; nothing of the page is sent
        assert shown.status_code in (302, 401, 403) and "/login" in (shown.location or "/login"), path
        agent = client.get(path, headers=bearer("whitebody"))
        assert agent.status_code in (401, 403) or "/login" in (agent.location or ""), path
    login(client, "warehouse")
    assert client.get("/outside/").status_code == 200


def test_f11_huge_integers_in_urls_are_404_not_500(client, plant):
    login(client, "admin")
    big = "99999999999999999999"
    for path in (f"/admin/users/{big}", f"/admin/users/{big}/password", f"/admin/workers/{big}",
                 f"/supervisor/scans/{big}/undo", f"/admin/devices/{big}/unpair", f"/printers/{big}/test"):
        response = post(client, path, {"name": "x", "role": "clerk", "reason": "r", "password": "long enough 1"})
        assert response.status_code == 404, (path, response.status_code)
    assert client.get(f"/printers/{big}/edit").status_code == 404


def test_f12_an_extreme_scan_time_is_refused_in_words(client, plant):
    card = cards_of(make_order(lines=[("DT-120", 1)]))[0]
    kiosk_at(client, "whitebody")
    extreme = "0001-01-01T00:00:00+14:00"
    for code in ("W001", card.code):
        page = hx_post(client, "/station/whitebody/scan?lang=en",
                       {"code": code, "idem": uuid.uuid4().hex, "worker_badge": "W001", "scanned_at": extreme})
        assert page.status_code == 400
        assert "The scan&#39;s time (0001-01-01T00:00:00+14:00) is not a real time" in page.text
    api = client.post("/api/scan?lang=en", headers=bearer("whitebody"), json={
        "station": "whitebody", "code": card.code, "idem_key": uuid.uuid4().hex, "worker_badge": "W001",
        "scanned_at": extreme})
    assert api.status_code == 400 and "is not a real time" in api.get_json()["error"]
    ok = hx_post(client, "/station/whitebody/scan?lang=en", {"code": "W001", "idem": uuid.uuid4().hex,
                                                             "worker_badge": "W001", "scanned_at": ""})
    assert ok.status_code == 200


def test_f13_htmx_refusals_keep_their_real_status_and_say_where_to_show_it(client, plant):
    kiosk_at(client, "qc")
    refused = hx_post(client, "/station/loading/scan", {"code": "W001", "idem": uuid.uuid4().hex})
    assert refused.status_code == 403 and refused.headers["HX-Retarget"] == "#flash"
    page = client.get("/station/qc").text
    assert '"responseHandling"' in page and '"[45]..", "swap": true, "error": true' in page


def test_f15_one_address_cannot_fill_the_pairing_queue(app, plant):
    for _ in range(50):
        visitor = app.test_client()
        response = visitor.post("/pair", data={"csrf_token": csrf_token(visitor)},
                                environ_base={"REMOTE_ADDR": "10.9.9.9"})
        assert response.status_code == 303
    assert Device.select().where(Device.address == "10.9.9.9").count() == 5  # the oldest were dropped
    kiosk = app.test_client()
    response = kiosk.post("/pair", data={"csrf_token": csrf_token(kiosk)}, environ_base={"REMOTE_ADDR": "10.0.0.20"})
    assert response.status_code == 303 and kiosk.get_cookie("kiosk_device") is not None


def _start(instance: Path) -> subprocess.Popen:
    code = "from kiosk import create_app; create_app(); print('ok')"
    env = dict(os.environ, KIOSK_INSTANCE=str(instance), DATABASE_URL=f"sqlite:///{instance}/kiosk.sqlite3")
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def test_f16_eight_processes_starting_at_once_agree_on_one_secret_key(tmp_path):
    for attempt in range(3):
        instance = tmp_path / f"instance-{attempt}"
        starts = [_start(instance) for _ in range(8)]
        outputs = [p.communicate(timeout=120) for p in starts]
        assert all(p.returncode == 0 for p in starts), [err.decode()[-400:] for _, err in outputs]
        key = (instance / "secret_key").read_text()
        assert len(key.strip()) == 64
        assert [p.name for p in instance.iterdir() if p.name.startswith("secret_key")] == ["secret_key"]


def test_f17_instance_files_are_private(tmp_path):
    instance = tmp_path / "instance"
    process = _start(instance)
    assert process.communicate(timeout=120)[0].strip() == b"ok"
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    for path in instance.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path.name, oct(mode))
    assert (instance / "kiosk.sqlite3").exists()
