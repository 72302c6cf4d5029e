"""The camera scan agent: its on-disk queue across a server outage and a restart, what it does with
each kind of answer, debouncing, and a whole run over a generated video file."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import pytest

from hardware import agent
from hardware.agent import Courier, ScanQueue, new_scan, send_scan
from hardware.capture import Debouncer, FrameSource
from tests.imaging import FRAME_H, FRAME_W, label, photograph


class Recorder(ThreadingHTTPServer):
    """A stand-in for the kiosk server's POST /api/scan: records every request, answers as told."""

    daemon_threads = True

    def __init__(self, port: int = 0, answers: dict[str, list[int]] | None = None):
        self.received: list[dict] = []
        self.headers_seen: list[dict] = []
        self.answers = answers or {}  # code -> statuses for its first attempts, then 200
        super().__init__(("127.0.0.1", port), ScanHandler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def keys(self) -> list[str]:
        return [body["idem_key"] for body in self.received]

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class ScanHandler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.received.append(body)
        self.server.headers_seen.append(dict(self.headers))
        pending = self.server.answers.get(body.get("code"), [])
        status = pending.pop(0) if pending and self.path == "/api/scan" else 200
        if self.path != "/api/scan":
            status = 404
        answer = json.dumps({"outcome": "ok" if status == 200 else "rejected", "message": "recorded"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def free_port() -> int:
    """A port nothing listens on (yet): where the server will be once it is back."""
    server = Recorder()
    port = server.server_address[1]
    server.stop()
    return port


def wait_until(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_scans_wait_on_disk_while_the_server_is_down_and_arrive_in_order_each_once(tmp_path):
    port = free_port()
    queue = ScanQueue(tmp_path / "queue")
    courier = Courier(queue, f"http://127.0.0.1:{port}", retry_seconds=(0.05, 0.1))
    courier.start()
    scans = [new_scan("PACK-1", code) for code in ("JC-000123", "C-0001-01", "9912345678")]
    for scan in scans:
        queue.add(scan)
        courier.wake()
    time.sleep(0.5)  # several attempts against a closed port
    assert [scan["idem_key"] for scan in queue.pending()] == [scan["idem_key"] for scan in scans]
    server = Recorder(port)  # the server comes back on its address
    try:
        assert courier.idle.wait(10)
        assert server.keys() == [scan["idem_key"] for scan in scans]
        assert server.received == scans  # the body is exactly the scan: station, code, idem_key, scanned_at
        assert queue.pending() == []
    finally:
        courier.stop()
        courier.join(5)
        queue.close()
        server.stop()


def test_queued_scans_survive_a_crash_and_are_delivered_once_after_the_restart(tmp_path):
    queue = ScanQueue(tmp_path / "queue")
    scans = [new_scan("PACK-1", f"C-0001-{n:02d}") for n in range(1, 6)]
    for scan in scans:
        queue.add(scan)
    queue.close()  # the agent dies here, nothing delivered
    # the crash tore the next write in half: the file ends in a partial line
    with (tmp_path / "queue" / "scans.jsonl").open("a") as file:
        file.write('{"station": "PACK-1", "code": "C-00')

    server = Recorder()
    try:
        restarted = ScanQueue(tmp_path / "queue")
        assert restarted.pending() == scans
        assert Courier(restarted, server.url).deliver_pending()
        late = new_scan("PACK-1", "C-0001-06")  # a scan after the torn line is a clean line of its own
        restarted.add(late)
        assert Courier(restarted, server.url).deliver_pending()
        restarted.close()
        assert server.keys() == [scan["idem_key"] for scan in [*scans, late]]

        again = ScanQueue(tmp_path / "queue")  # and a second restart sends nothing twice
        assert again.pending() == []
        assert Courier(again, server.url).deliver_pending()
        again.close()
        assert len(server.received) == 6
    finally:
        server.stop()


def test_each_answer_is_handled_as_it_means(tmp_path):
    # 503 and 429: try again later; 400: refused for good, dropped; 401: the agent's token is wrong,
    # which is no reason to lose the scan
    server = Recorder(answers={"FLAKY-1": [503, 429], "BAD-1": [400], "TOKEN-1": [401]})
    queue = ScanQueue(tmp_path / "queue")
    try:
        flaky, bad, fine = (new_scan("QC-1", code) for code in ("FLAKY-1", "BAD-1", "JC-000001"))
        for scan in (flaky, bad, fine):
            queue.add(scan)
        courier = Courier(queue, server.url)
        assert not courier.deliver_pending()  # 503: stops, keeps order
        assert not courier.deliver_pending()  # 429
        assert courier.deliver_pending()
        assert [body["code"] for body in server.received] == ["FLAKY-1", "FLAKY-1", "FLAKY-1", "BAD-1", "JC-000001"]
        assert queue.pending() == []

        token_scan = new_scan("QC-1", "TOKEN-1")
        queue.add(token_scan)
        assert not courier.deliver_pending()
        assert queue.pending() == [token_scan]
        assert courier.deliver_pending()
    finally:
        queue.close()
        server.stop()


def test_send_scan_sends_the_device_token_and_reads_the_answer():
    server = Recorder()
    try:
        reply = send_scan(server.url, new_scan("PACK-1", "JC-000123"), token="s3cret")
        assert (reply.result, reply.status, reply.message) == ("delivered", 200, "ok recorded")
        assert server.headers_seen[0]["Authorization"] == "Bearer s3cret"
        assert server.headers_seen[0]["Content-Type"] == "application/json"
    finally:
        server.stop()
    assert send_scan(server.url, new_scan("PACK-1", "JC-000123"), timeout=1).result == "retry"  # server gone


def test_a_scan_body_carries_a_fresh_key_and_utc_time():
    at = dt.datetime(2025, 3, 18, 6, 30, 5, 250000, tzinfo=dt.UTC)
    scan = new_scan("PACK-1", "C-0001-01", at)
    assert scan == {"station": "PACK-1", "code": "C-0001-01", "idem_key": scan["idem_key"],
                    "scanned_at": "2025-03-18T06:30:05.250Z"}
    assert len(scan["idem_key"]) == 32 and int(scan["idem_key"], 16) >= 0
    assert new_scan("PACK-1", "C-0001-01")["idem_key"] != scan["idem_key"]
    now = dt.datetime.fromisoformat(new_scan("PACK-1", "X")["scanned_at"].replace("Z", "+00:00"))
    assert abs((dt.datetime.now(dt.UTC) - now).total_seconds()) < 5


def test_two_agents_cannot_share_a_queue(tmp_path):
    first = ScanQueue(tmp_path / "queue")
    try:
        with pytest.raises(RuntimeError, match="another agent"):
            ScanQueue(tmp_path / "queue")
    finally:
        first.close()


def test_debounce_counts_a_code_held_in_view_once_per_station():
    debouncer = Debouncer(window=2.0)
    sightings = [debouncer.fresh("PACK-1", "JC-000123", t / 10) for t in range(0, 100)]  # 10 s in view
    assert sightings.count(True) == 1
    assert debouncer.fresh("PACK-2", "JC-000123", 9.9)  # another station counts on its own
    assert debouncer.fresh("PACK-1", "C-0001-01", 9.9)  # so does another code
    assert not debouncer.fresh("PACK-1", "JC-000123", 11.5)  # gone 1.6 s: still the same scan
    assert debouncer.fresh("PACK-1", "JC-000123", 14.0)  # gone 2.5 s: shown again, counts again


def write_video(path, seconds_per_frame: float, frames: list) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 1 / seconds_per_frame, (FRAME_W, FRAME_H))
    assert writer.isOpened()
    for frame in frames:
        writer.write(frame)
    writer.release()


def test_agent_reads_a_video_file_and_posts_each_showing_of_a_code_once(tmp_path):
    """5 frames a second: a job card held up for 1.2 s, nothing for 3 s, a carton for 0.8 s, and the
    job card again. Three showings, three scans, though the codes are in 14 frames."""
    job_card, carton = label("JC-000123", "job_card"), label("C-0001-01", "carton")
    empty = photograph([], seed=1).image

    def held(lbl, seed, count):
        return [photograph([lbl], seed=seed, module_px=2.5, angle=-8 + i, noise=4, jpeg=80).image
                for i in range(count)]

    frames = held(job_card, 2, 6) + [empty] * 15 + held(carton, 3, 4) + [empty] * 15 + held(job_card, 4, 4)
    write_video(tmp_path / "clip.avi", 0.2, frames)
    server = Recorder()
    try:
        code = agent.main(["--server", server.url, "--station", "PACK-1", "--source", str(tmp_path / "clip.avi"),
                           "--queue-dir", str(tmp_path / "queue")])
        assert code == 0
        assert [(body["station"], body["code"]) for body in server.received] == [
            ("PACK-1", "JC-000123"), ("PACK-1", "C-0001-01"), ("PACK-1", "JC-000123")]
        assert len(set(server.keys())) == 3
    finally:
        server.stop()


def test_agent_keeps_what_it_saw_when_the_server_is_away_and_sends_it_next_time(tmp_path):
    frames = [photograph([label("C-0007-01", "carton")], seed=8, module_px=2.5).image] * 3
    write_video(tmp_path / "clip.avi", 0.2, frames)
    port = free_port()
    left = agent.run_agent(f"http://127.0.0.1:{port}", "PACK-1", str(tmp_path / "clip.avi"), tmp_path / "queue",
                           drain_seconds=0.3)
    assert left == 1
    server = Recorder(port)
    try:
        empty = tmp_path / "empty.avi"
        write_video(empty, 0.2, [photograph([], seed=9).image])
        assert agent.run_agent(server.url, "PACK-1", str(empty), tmp_path / "queue") == 0
        assert [body["code"] for body in server.received] == ["C-0007-01"]
    finally:
        server.stop()


def test_agent_command_says_when_the_source_is_missing(tmp_path):
    assert agent.main(["--server", "http://127.0.0.1:9", "--station", "PACK-1", "--source",
                       str(tmp_path / "nothing.mp4"), "--queue-dir", str(tmp_path / "queue")]) == 2


def test_a_live_source_that_stops_giving_frames_is_opened_again(tmp_path):
    """A camera or stream that drops out is reopened; the agent does not end. (A file:// URL stands in
    for a stream here: it 'drops' each time its 3 frames are played.)"""
    write_video(tmp_path / "stream.avi", 0.2, [photograph([], seed=n).image for n in range(3)])
    source = FrameSource(f"file://{tmp_path / 'stream.avi'}", reconnect_seconds=0.05)
    assert source.live
    stop = threading.Event()
    seen = 0
    for _, frame in source.frames(stop):
        assert frame.shape == (FRAME_H, FRAME_W, 3)
        seen += 1
        if seen == 8:  # more than one playing of the 3-frame "stream"
            stop.set()
    assert seen == 8


@pytest.mark.slow
def test_agent_records_job_cards_on_the_real_server_once_across_a_server_restart(demo_server, tmp_path):
    """The real thing: gunicorn, a paired agent's token, our printed job cards on video. The first
    card is seen while the server is down and waits on disk; the server comes back, the second card
    is seen, and both are recorded at white-body exactly once."""
    from db.models import ScanEvent, Station
    from kiosk.people.devices import add_agent
    from tests.factories import cards_of, make_order

    _device, token = add_agent(Station.get(Station.code == "whitebody"), "camera over white-body", by="test")
    first, second = cards_of(make_order(lines=[("DT-120", 40)]))[:2]

    def clip(name: str, code: str):
        card = label(code, "job_card")
        write_video(tmp_path / name, 0.2, [photograph([card], seed=n, module_px=2.5, angle=5).image for n in range(4)])
        return str(tmp_path / name)

    demo_server.stop()
    assert agent.run_agent(demo_server.url, "whitebody", clip("a.avi", first.code), tmp_path / "queue",
                           token=token, drain_seconds=0.5) == 1
    demo_server.start()
    assert agent.run_agent(demo_server.url, "whitebody", clip("b.avi", second.code), tmp_path / "queue",
                           token=token) == 0
    events = ScanEvent.select().where(ScanEvent.code.in_([first.code, second.code])).order_by(ScanEvent.id)
    assert [(event.code, event.station.code, event.outcome) for event in events] == [
        (first.code, "whitebody", "ok"), (second.code, "whitebody", "ok")]
