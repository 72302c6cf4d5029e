"""Abuse: the hostile requests of issue 15 against the real server (gunicorn, as the README runs it, on a
free port of 127.0.0.1, SQLite), each sent for real, while the server's memory is sampled from /proc.

- F2  an XLSX zip bomb to /orders/import (cell A2 unpacks to --bomb-mb MB of "A"; the report's: 2,000)
- F8  an XLSX with 1,000,000 rows, and one with 6,000 rows (the limit is checked while reading)
- F7  an 18000 x 18000 PNG to /station/<code>/decode (a camera frame)
- F6  60 sign-ins at once with unknown names
- F5  200 event streams held open (40 screens x 5), more refused with 429, then scans timed at a
      kiosk while the 200 stay open

Prints each figure, then one JSON line last:
{"rss_growth_mb", "slowest_refusal_s", "scan_p99_ms_during_streams", "x500", ...}
Targets: rss_growth_mb <= 200, slowest_refusal_s <= 2, scan_p99_ms_during_streams <= 100, x500 0.

The two timed figures are absolute and this machine's load moves them, so each has a bare reference
run in the same run, and the ratio is the figure to compare between runs:
- scan_p99_ratio_to_no_streams: the p99 of the scans with the 200 streams open over the p99 of the
  same scans with none open (run just before and just after; scan_p99_ms_no_streams);
- sign_in_storm_ratio_to_reference: the slowest of the 60 unknown-name sign-ins over the slowest of
  60 sign-in pages fetched at once by the same browsers (no password check; sign_in_storm_reference_s).
loadavg is /proc/loadavg at the end.

Usage: python bench/abuse.py [--bomb-mb 2000] [--streams 200] [--scans 300]
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import db  # noqa: E402
from db.schema import migrate  # noqa: E402
from kiosk.demo import seed_plant  # noqa: E402
from tests import bombs  # noqa: E402
from tests.auth_helpers import make_device  # noqa: E402
from tests.live import LiveServer  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from soak import memory_mb, process_tree  # noqa: E402

CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')
FORM_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class Results:
    def __init__(self):
        self.x500 = 0
        self.refusals: dict[str, float] = {}
        self.lock = threading.Lock()

    def answer(self, status: int) -> None:
        if status >= 500:
            with self.lock:
                self.x500 += 1

    def refusal(self, name: str, seconds: float) -> None:
        with self.lock:
            self.refusals[name] = max(self.refusals.get(name, 0.0), seconds)


class Sampler(threading.Thread):
    def __init__(self, root_pid: int):
        super().__init__(daemon=True)
        self.root_pid, self.peak, self.running = root_pid, 0.0, True

    def now(self) -> float:
        return memory_mb(process_tree(self.root_pid))[0]

    def run(self):
        while self.running:
            self.peak = max(self.peak, self.now())
            time.sleep(0.05)


class Browser:
    """One cookie jar over plain http.client (a new connection per request)."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None):
        self.port, self.cookies = port, dict(cookies or {})

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                timeout: float = 60):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        all_headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        conn.close()
        return response.status, data.decode("utf-8", "replace")

    def sign_in(self, username: str, password: str) -> int:
        _, page = self.request("GET", "/login")
        token = FORM_CSRF_RE.search(page).group(1)
        body = urllib.parse.urlencode({"username": username, "password": password, "csrf_token": token})
        status, _ = self.request("POST", "/login", body.encode(), {"Content-Type": "application/x-www-form-urlencoded"})
        return status

    def token(self, path: str) -> str:
        _, page = self.request("GET", path)
        return CSRF_RE.search(page).group(1)


def multipart(field: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def upload_imports(port: int, results: Results, files: dict[str, bytes]) -> None:
    clerk = Browser(port)
    assert clerk.sign_in("clerk", "bench-password-1") == 303
    for name, data in files.items():
        token = clerk.token("/orders/import")
        body, kind = multipart("file", "orders.xlsx", data)
        started = time.monotonic()
        status, page = clerk.request("POST", "/orders/import?lang=en", body,
                                     {"Content-Type": kind, "X-CSRF-Token": token})
        took = time.monotonic() - started
        results.answer(status)
        refused = status == 400 and "import-errors" in page
        results.refusal(name, took)
        print(f"{name}: {len(data) / 1e6:.2f} MB file -> {status} in {took:.3f} s"
              f"{' (refused with words)' if refused else ' NOT REFUSED'}", flush=True)


def camera_bomb(port: int, results: Results, kiosk_token: str) -> None:
    kiosk = Browser(port, {"kiosk_device": kiosk_token})
    token = kiosk.token("/station/whitebody")
    data = bombs.png_bomb(18000, 18000)
    started = time.monotonic()
    status, body = kiosk.request("POST", "/station/whitebody/decode?lang=en", data,
                                 {"Content-Type": "image/png", "X-CSRF-Token": token})
    took = time.monotonic() - started
    results.answer(status)
    results.refusal("F7 camera 18000x18000", took)
    print(f"F7 camera: {len(data) / 1e3:.0f} KB PNG 18000 x 18000 -> {status} in {took:.3f} s: "
          f"{json.loads(body).get('error', '')[:90]}", flush=True)


def at_once(count: int, one) -> tuple[list[float], list[int]]:
    """`one(n)` -> (seconds, status) in `count` threads started together."""
    times, statuses = [], []
    lock = threading.Lock()

    def run(n: int) -> None:
        took, status = one(n)
        with lock:
            times.append(took)
            statuses.append(status)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, statuses


def login_storm(port: int, results: Results, count: int = 60) -> dict:
    """F6, and its bare reference in the same run: the same `count` browsers each fetch the sign-in page
    and then, all at once, either fetch it again (the reference: no sign-in check) or sign in with an
    unknown name. The ratio of the slowest answers is what the machine's load does not explain."""
    def browser_with_token(n: int) -> tuple[Browser, str]:
        browser = Browser(port)
        _, page = browser.request("GET", "/login")
        return browser, FORM_CSRF_RE.search(page).group(1)

    def reference(n: int) -> tuple[float, int]:
        browser, _token = browser_with_token(n)
        started = time.monotonic()
        status, _ = browser.request("GET", "/login")
        return time.monotonic() - started, status

    def one(n: int) -> tuple[float, int]:
        browser, token = browser_with_token(n)
        body = urllib.parse.urlencode({"username": f"nobody{n}", "password": "whatever-123", "csrf_token": token})
        started = time.monotonic()
        status, _ = browser.request("POST", "/login", body.encode(),
                                    {"Content-Type": "application/x-www-form-urlencoded"})
        return time.monotonic() - started, status

    bare, bare_statuses = at_once(count, reference)
    times, statuses = at_once(count, one)
    for status in statuses + bare_statuses:
        results.answer(status)
    results.refusal("F6 sign-in storm", max(times))
    ratio = max(times) / max(bare) if max(bare) else None
    print(f"F6 {count} sign-ins at once, unknown names: statuses {sorted(set(statuses))}, slowest {max(times):.3f} s; "
          f"reference ({count} sign-in pages at once): slowest {max(bare):.3f} s; ratio {ratio:.2f}", flush=True)
    return {"slowest_s": round(max(times), 3), "reference_slowest_s": round(max(bare), 3),
            "ratio": round(ratio, 2) if ratio else None, "statuses": sorted(set(statuses))}


def timed_scans(port: int, results: Results, kiosk_token: str, cards: list[str], scans: int) -> list[float]:
    """`scans` kiosk scans one after another over one connection (badge first), each timed; sorted."""
    kiosk = Browser(port, {"kiosk_device": kiosk_token})
    token = kiosk.token("/station/whitebody")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies = []
    for n in range(scans):
        code = "W001" if n == 0 else cards[n % len(cards)]
        body = urllib.parse.urlencode({"code": code, "idem": uuid.uuid4().hex, "worker_badge": "W001"})
        started = time.monotonic()
        conn.request("POST", "/station/whitebody/scan", body=body, headers={
            "Cookie": f"kiosk_device={kiosk_token}", "X-CSRF-Token": token, "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        response.read()
        latencies.append(time.monotonic() - started)
        results.answer(response.status)
    conn.close()
    return sorted(latencies)


def p99_ms(latencies: list[float]) -> float:
    return latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000


def streams_and_scans(port: int, results: Results, screens: list[str], spare: str, kiosk_token: str,
                      cards: list[str], per_screen: int, scans: int) -> dict:
    before = timed_scans(port, results, kiosk_token, cards, scans)
    held = []
    for token in screens:
        for _ in range(per_screen):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/board/events?view=stations", headers={"Cookie": f"kiosk_device={token}"})
            response = conn.getresponse()
            results.answer(response.status)
            if response.status == 200:
                response.fp.readline()
                held.append(conn)
            else:
                conn.close()
    print(f"F5 streams open: {len(held)}", flush=True)
    extra = {}
    for label, token in (("same screen", screens[0]), ("new screen", spare)):
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/board/events?view=stations", headers={"Cookie": f"kiosk_device={token}"})
        response = conn.getresponse()
        extra[label] = response.status
        took = time.monotonic() - started
        results.answer(response.status)
        results.refusal(f"F5 stream beyond the cap ({label})", took)
        conn.close()
    print(f"F5 one more stream: {extra}", flush=True)

    latencies = timed_scans(port, results, kiosk_token, cards, scans)
    signer = Browser(port)
    started = time.monotonic()
    signed = signer.sign_in("clerk", "bench-password-1")
    sign_in_s = time.monotonic() - started
    for conn in held:
        conn.close()
    p99 = p99_ms(latencies)
    p50 = latencies[len(latencies) // 2] * 1000
    print(f"F5 {scans} scans with {len(held)} streams open: p50 {p50:.1f} ms, p99 {p99:.1f} ms; "
          f"sign-in {signed} in {sign_in_s:.3f} s", flush=True)
    time.sleep(1)  # the closed streams' threads notice at their next write
    after = timed_scans(port, results, kiosk_token, cards, scans)
    reference = sorted(before + after)  # the bare reference: the same scans, no streams, just before and after
    ref_p99 = p99_ms(reference)
    print(f"reference: {len(reference)} scans with no streams open (before and after): "
          f"p50 {reference[len(reference) // 2] * 1000:.1f} ms, p99 {ref_p99:.1f} ms; ratio of p99 "
          f"{p99 / ref_p99:.2f}", flush=True)
    return {"streams_open": len(held), "beyond_cap": extra, "scan_p50_ms": round(p50, 1),
            "scan_p99_ms": round(p99, 1), "sign_in_during_streams_s": round(sign_in_s, 3),
            "reference_p99_ms": round(ref_p99, 1), "ratio": round(p99 / ref_p99, 2) if ref_p99 else None}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bomb-mb", type=int, default=2000)
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--scans", type=int, default=300)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="abuse-"))
    url = f"sqlite:///{work}/abuse.sqlite3"
    database = db.open_database(url)
    migrate(database)
    seed_plant()
    from kiosk.people.users import create_user
    from tests.factories import cards_of, make_order

    create_user("clerk", "Bench clerk", "clerk", "bench-password-1")
    order = make_order(lines=[("DT-120", 40)], card_units=1)
    cards = [card.code for card in cards_of(order)]
    kiosk_token = make_device("whitebody")[1]
    per_screen = 5
    screens = [make_device(None)[1] for _ in range(args.streams // per_screen + 1)]
    database.close()

    print(f"making the hostile files ({args.bomb_mb} MB bomb) ...", flush=True)
    files = {"F2 zip bomb": bombs.xlsx_bomb(args.bomb_mb), "F8 1,000,000 rows": bombs.xlsx_rows(1_000_000, same=True),
             "F8 6,000 rows": bombs.xlsx_rows(6000)}

    server = LiveServer(url, work / "instance", threads=260).start()
    results = Results()
    try:
        sampler = Sampler(server.process.pid)
        warm = Browser(server.port)
        for path in ("/", "/login", "/station/whitebody"):
            warm.request("GET", path)
        baseline = sampler.now()
        sampler.start()
        reference = timed_scans(server.port, results, kiosk_token, cards, args.scans)  # no streams open yet
        print(f"reference: {args.scans} scans, no streams: p50 {reference[len(reference) // 2] * 1000:.1f} ms, "
              f"p99 {p99_ms(reference):.1f} ms", flush=True)
        upload_imports(server.port, results, files)
        camera_bomb(server.port, results, kiosk_token)
        storm = login_storm(server.port, results)
        streams = streams_and_scans(server.port, results, screens[:-1], screens[-1], kiosk_token, cards,
                                    per_screen, args.scans)
        sampler.running = False
        sampler.join()
        growth = sampler.peak - baseline
        print(f"server memory: {baseline:.0f} MB at start, {sampler.peak:.0f} MB at most (+{growth:.0f} MB)")
        print(json.dumps({
            "rss_growth_mb": round(growth, 1),
            "slowest_refusal_s": round(max(results.refusals.values()), 3),
            "scan_p99_ms_during_streams": streams["scan_p99_ms"],
            "x500": results.x500,
            "streams_open": streams["streams_open"], "beyond_cap": streams["beyond_cap"],
            "scan_p50_ms_during_streams": streams["scan_p50_ms"],
            "scan_p99_ms_no_streams": streams["reference_p99_ms"],
            "scan_p99_ratio_to_no_streams": streams["ratio"],
            "scan_p99_ms_at_start": round(p99_ms(reference), 1),
            "sign_in_storm_s": storm["slowest_s"], "sign_in_storm_reference_s": storm["reference_slowest_s"],
            "sign_in_storm_ratio_to_reference": storm["ratio"],
            "loadavg": open("/proc/loadavg").read().split()[:3],
            "sign_in_during_streams_s": streams["sign_in_during_streams_s"],
            "refusals_s": {k: round(v, 3) for k, v in results.refusals.items()},
        }))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
