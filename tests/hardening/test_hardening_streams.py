"""Issue 15, F5: event streams are capped per session or device and in total, answered 429 beyond;
what is left stays for scans. Against the real gunicorn server, with real connections held open."""

from __future__ import annotations

import http.client
import re
import urllib.parse
import uuid

import pytest

import db
from db.schema import migrate
from tests.auth_helpers import make_device
from tests.factories import cards_of, make_order


@pytest.fixture
def capped_server(tmp_path):
    from kiosk.demo import seed_plant
    from tests.live import LiveServer

    url = f"sqlite:///{tmp_path}/live.sqlite3"
    database = db.open_database(url)
    migrate(database)
    seed_plant()
    server = LiveServer(url, tmp_path / "instance", threads=16,
                        env={"KIOSK_MAX_STREAMS": "4", "KIOSK_MAX_STREAMS_PER_VIEWER": "2"})
    server.start()
    yield server
    server.stop()
    database.close()


def connect(server) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)


def open_stream(server, token: str):
    conn = connect(server)
    conn.request("GET", "/board/events?view=stations&lang=en", headers={"Cookie": f"kiosk_device={token}"})
    response = conn.getresponse()
    if response.status == 200:
        response.fp.readline()  # the stream has begun: "retry: ..."
        return conn, response, ""
    body = response.read().decode()
    conn.close()
    return None, response, body


def test_f5_streams_are_capped_per_device_and_in_total_and_scans_go_on(capped_server):
    screens = [make_device(None)[1] for _ in range(3)]
    opened = []
    for token in screens[:2]:
        for _ in range(2):
            conn, response, _ = open_stream(capped_server, token)
            assert response.status == 200
            opened.append(conn)
    _, refused, words = open_stream(capped_server, screens[0])
    assert refused.status == 429 and "This screen already has 2 live boards open" in words
    assert refused.getheader("Retry-After") == "60"
    _, full, words = open_stream(capped_server, screens[2])
    assert full.status == 429 and "as many live boards as it can (4)" in words

    # a kiosk scans while every stream slot is taken
    kiosk = make_device("whitebody")[1]
    card = cards_of(make_order(lines=[("DT-120", 1)]))[0]
    conn = connect(capped_server)
    conn.request("GET", "/station/whitebody", headers={"Cookie": f"kiosk_device={kiosk}"})
    page = conn.getresponse().read().decode()
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    for code in ("W001", card.code):
        body = urllib.parse.urlencode({"code": code, "idem": uuid.uuid4().hex, "worker_badge": "W001"})
        conn.request("POST", "/station/whitebody/scan?lang=en", body=body, headers={
            "Cookie": f"kiosk_device={kiosk}", "X-CSRF-Token": token, "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded"})
        answer = conn.getresponse()
        assert answer.status == 200 and 'data-outcome="ok"' in answer.read().decode()
    conn.close()

    opened.pop().close()  # a board closed gives its slot back (noticed at the next heartbeat at the latest)
    for conn in opened:
        conn.close()


def test_f5_a_stream_with_news_waits_for_its_turn_while_a_scan_runs(monkeypatch):
    """A stream prepares its batch only while no other request runs in the process (at most
    TURN_WAIT_MOST later), so 200 boards waking at once do not take the interpreter from a scan."""
    import threading

    from kiosk.eventlog import stream as events

    monkeypatch.setattr(events, "TURN_WAIT_MOST", 30.0)
    monkeypatch.setattr(events, "COALESCE_SECONDS", 0.0)
    foreground = events.Foreground(turns=1)
    monkeypatch.setattr(events, "FOREGROUND", foreground)

    class OneBatch:
        def __init__(self):
            self.sent = False

        def next(self, timeout):
            if self.sent:
                return None
            self.sent = True
            return events.Batch([events.Change(7, None, 1, None, None, None, None, None, "pass", "ok", 1)], 7)

    prepared = threading.Event()
    body = events.stream(OneBatch(), lambda batch: prepared.set() or [("station-1", "<b>1</b>")])
    assert next(body).startswith("retry:")
    foreground.begin()  # a scan is being answered
    out = []
    sender = threading.Thread(target=lambda: out.append(next(body)))
    sender.start()
    assert not prepared.wait(0.5)  # the stream holds its batch back while the scan runs
    foreground.end()
    sender.join(30)
    assert prepared.is_set() and out == ["event: station-1\ndata: <b>1</b>\nid: 7\n\n"]


def test_f5_a_slot_of_a_process_that_died_frees_itself_and_a_renewed_one_stays(database):
    """The stream slots are leases in the database: one renewed by its process stays taken, one whose
    process died (nobody renews it) counts as free once its lease has run out."""
    import time

    from kiosk.boards.slots import Slots, StreamsFull

    slots = Slots(total=2, per_viewer=1, lease_seconds=5.0)
    kept = slots.take("device:1")
    lost = slots.take("device:2")
    with pytest.raises(StreamsFull):
        slots.take("device:3")  # both slots taken
    with slots._lock:
        del slots._mine[lost]  # its process died: nobody renews it any more
    deadline = time.monotonic() + 30
    while True:
        slots.renew()  # what the renewer thread does every lease / 3
        try:
            third = slots.take("device:3")
            break
        except StreamsFull:
            assert time.monotonic() < deadline, "the dead process's slot never freed itself"
            time.sleep(0.2)
    with pytest.raises(StreamsFull):
        slots.take("device:1")  # the renewed slot still counts for its screen
    slots.give_back(kept)
    slots.give_back(third)
    assert slots.open_count() == 0
