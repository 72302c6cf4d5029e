"""Every carton label exactly once through printer faults and a killed queue process.

Starts two loopback printers of different languages (ZPL and TSPL) that answer status requests as their
manuals say and misbehave on a schedule: down for the first seconds, flapping (every connection reset,
the label being received lost), closing the connection right after a label instead of answering, and
accepting but never reading for a while (what it held is then dropped). Queues 400 carton labels over
the two, runs the print queue in its own process, kills that process with SIGKILL mid-run and starts it
again. Counts from what the printers received (only whole labels count as printed):

    queued, printed (received at least once), lost (never received and not flagged for a person),
    duplicated (received more than once), flagged_maybe_printed (left for a person to check),
    out_of_order (a label received after a later one of its printer), marked_printed_but_lost.

Targets (issue 14): lost 0, marked_printed_but_lost 0, duplicated <= flagged_maybe_printed, out_of_order 0.
Usage: python bench/print_faults.py [--labels 400] [--seed 14]. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import db  # noqa: E402
from db.models import Printer, PrintJob  # noqa: E402
from db.schema import migrate  # noqa: E402
from kiosk.printing.fake_printer import StatusAnswers  # noqa: E402  (the loopback printers' status side)

ENDS = {"zpl": b"^XZ\n", "tspl": b"PRINT 1,1\r\n"}


class FaultyPrinter:
    """A raw-TCP label printer on 127.0.0.1 with faults on a timetable (seconds from `begin()`)."""

    def __init__(self, name: str, language: str, *, down_until: float, flaps: list[tuple[float, float]],
                 stalls: list[tuple[float, float]], close_after_label: float, seed: int) -> None:
        self.name, self.language = name, language
        self.down_until, self.flaps, self.stalls = down_until, flaps, stalls
        self.close_after_label = close_after_label
        self.random = random.Random(seed)
        self.labels: list[bytes] = []  # whole labels, in the order they came out
        self.events: Counter = Counter()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._server: socket.socket | None = None
        self._stop = threading.Event()
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.t0 = time.monotonic()

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}?connect_timeout=0.5&write_timeout=1&status_timeout=0.5"

    def begin(self) -> None:
        self.t0 = time.monotonic()
        threading.Thread(target=self._control, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self._down()

    def _now(self) -> float:
        return time.monotonic() - self.t0

    def _in(self, windows: list[tuple[float, float]]) -> bool:
        t = self._now()
        return any(start <= t < start + length for start, length in windows)

    def _control(self) -> None:
        was_stalled = False
        while not self._stop.is_set():
            want_up = self._now() >= self.down_until and not self._in(self.flaps)
            if want_up and self._server is None:
                self._up()
            elif not want_up and self._server is not None:
                self.events["went down"] += 1
                self._down()
            stalled = self._in(self.stalls)
            if was_stalled and not stalled:  # it comes back without what it held
                self.events["stall ended, held bytes dropped"] += 1
                self._reset_all()
            was_stalled = stalled
            time.sleep(0.01)

    def _up(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(16)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def _down(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            try:
                server.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            server.close()
        self._reset_all()

    def _reset_all(self) -> None:
        with self._lock:
            connections, self._open = self._open, set()
        for connection in connections:
            try:
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                connection.close()
            except OSError:
                pass

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with self._lock:
                self._open.add(connection)
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        status, pending, printed_since_answer = StatusAnswers(), b"", False
        connection.settimeout(0.05)
        end = ENDS[self.language]
        while True:
            with self._lock:
                if connection not in self._open:
                    return  # reset by a fault: whatever part of a label it held is gone
            if self._in(self.stalls):
                time.sleep(0.01)  # accepts, never reads
                continue
            try:
                chunk = connection.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                self._forget(connection)
                connection.close()
                return
            printed, answer = status.feed(chunk)
            pending += printed
            while (at := pending.find(end)) >= 0:
                label, pending = pending[: at + len(end)], pending[at + len(end):]
                with self._lock:
                    self.labels.append(label)
                printed_since_answer = True
            if not answer:
                continue
            if printed_since_answer and self.random.random() < self.close_after_label:
                self.events["closed right after a label"] += 1
                self._forget(connection)
                connection.shutdown(socket.SHUT_RDWR)
                connection.close()
                return
            printed_since_answer = False
            try:
                connection.sendall(answer)
            except OSError:
                return

    def _forget(self, connection: socket.socket) -> None:
        with self._lock:
            self._open.discard(connection)


# -- the queue process -----------------------------------------------------------------------------


def run_worker(url: str) -> None:
    """The print queue on its own (what `kiosk print-worker` runs), with short retries for the bench."""
    from kiosk.printing.queue import PrintWorker, RetryPolicy

    db.open_database(url)
    PrintWorker(poll_s=0.05, retry=RetryPolicy(first_s=0.1, max_s=0.5)).run_until_signal()


def start_worker(url: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, "--worker", url], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# -- the run ---------------------------------------------------------------------------------------


def carton_labels(count: int) -> dict[str, list[bytes]]:
    from kiosk.labels import carton_label_layout, render_tspl, render_zpl
    from kiosk.labels.samples import sample_carton

    labels: dict[str, list[bytes]] = {"zpl": [], "tspl": []}
    for n in range(count):
        language = "zpl" if n % 2 == 0 else "tspl"
        layout = carton_label_layout(sample_carton(code=f"C{n:07d}", customer="联华家具 喆"), "zh")
        labels[language].append(render_zpl(layout) if language == "zpl" else render_tspl(layout))
    return labels


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--labels", type=int, default=400)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--timeout", type=float, default=150.0)
    parser.add_argument("--worker")
    args = parser.parse_args()
    if args.worker:
        run_worker(args.worker)
        return 0

    folder = tempfile.mkdtemp(prefix="print-faults-")
    url = f"sqlite:///{folder}/kiosk.sqlite3"
    database = db.open_database(url)
    migrate(database)
    printers = {
        "zpl": FaultyPrinter("dock-zebra", "zpl", down_until=2.0, flaps=[(5, 0.6), (9, 0.6), (13, 0.6)],
                             stalls=[(11, 1.5)], close_after_label=0.03, seed=args.seed),
        "tspl": FaultyPrinter("pack-tsc", "tspl", down_until=2.5, flaps=[(7, 0.6), (12, 0.6)],
                              stalls=[(6, 1.5), (10, 1.2)], close_after_label=0.03, seed=args.seed + 1),
    }
    rows = {language: Printer.create(name=p.name, uri=p.uri, language=language) for language, p in printers.items()}
    labels = carton_labels(args.labels)
    job_of: dict[bytes, tuple[str, int]] = {}

    from kiosk.printing import queue as printing

    for printer in printers.values():
        printer.begin()
    worker = start_worker(url)
    kills, killed_at = 0, None
    started = time.monotonic()
    batches = [(language, i) for i in range(0, max(len(v) for v in labels.values()), 10) for language in labels]
    for language, i in batches:  # 10 at a time, as packing queues a card's labels, both printers interleaved
        chunk = labels[language][i:i + 10]
        jobs = printing.enqueue_many(rows[language].name, [(f"carton {language}-{i + k}", b) for k, b in
                                                            enumerate(chunk)])
        for job, payload in zip(jobs, chunk, strict=True):
            job_of[payload] = (language, job.id)
        time.sleep(0.3)  # spread over ~12 s, so the run meets every fault on the timetable
        if not kills and sum(len(p.labels) for p in printers.values()) >= args.labels * 0.3:
            worker.send_signal(signal.SIGKILL)  # mid-run, whatever it is doing
            worker.wait()
            kills, killed_at = 1, round(time.monotonic() - started, 2)
            worker = start_worker(url)
    while not kills and sum(len(p.labels) for p in printers.values()) < args.labels * 0.3:
        time.sleep(0.01)
    if not kills:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        kills, killed_at = 1, round(time.monotonic() - started, 2)
        worker = start_worker(url)

    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        waiting = PrintJob.select().where(PrintJob.status.in_(["queued", "sending"])).count()
        if not waiting:
            break
        time.sleep(0.2)
    elapsed = round(time.monotonic() - started, 2)
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(15)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
    time.sleep(0.2)
    for printer in printers.values():
        printer.stop()

    jobs = {job.id: job for job in PrintJob.select(PrintJob.id, PrintJob.status, PrintJob.last_error)}
    received: Counter = Counter()
    out_of_order = 0
    unknown = 0
    for printer in printers.values():
        last = 0
        for label in printer.labels:
            if label not in job_of:
                unknown += 1
                continue
            job_id = job_of[label][1]
            if received[job_id] == 0 and job_id < last:
                out_of_order += 1
            received[job_id] += 1
            last = max(last, job_id)
    statuses = Counter(job.status for job in jobs.values())
    flagged = [job for job in jobs.values() if job.status == "maybe_printed"]
    causes = Counter(printing.stored_message(job.last_error).key.split(":")[1].split(" - ")[0].strip()
                     for job in flagged)
    lost = [i for i, job in jobs.items() if not received[i] and job.status != "maybe_printed"]
    report = {
        "queued": len(jobs),
        "printed": sum(1 for i in jobs if received[i]),
        "lost": len(lost),
        "duplicated": sum(1 for count in received.values() if count > 1),
        "flagged_maybe_printed": len(flagged),
        "out_of_order": out_of_order,
        "marked_printed_but_lost": sum(1 for i, job in jobs.items() if job.status == "printed" and not received[i]),
        "flagged_received": sum(1 for job in flagged if received[job.id]),
        "flagged_by_cause": dict(causes),
        "status": dict(statuses),
        "still_waiting": statuses["queued"] + statuses["sending"],
        "kills": kills,
        "killed_at_s": killed_at,
        "seconds": elapsed,
        "faults": {p.name: dict(p.events) for p in printers.values()},
        "unknown_bytes_labels": unknown,
    }
    print(f"{report['queued']} labels over {len(printers)} printers (ZPL, TSPL), queue process SIGKILLed at "
          f"{killed_at} s and restarted; done in {elapsed} s")
    for name, events in report["faults"].items():
        print(f"  {name}: {events}")
    print(f"  job states: {report['status']}; flagged for a person: {report['flagged_by_cause']}")
    last_line = {key: report[key] for key in ("queued", "printed", "lost", "duplicated", "flagged_maybe_printed",
                                              "out_of_order", "marked_printed_but_lost")}
    last_line.update({k: report[k] for k in ("flagged_received", "flagged_by_cause", "still_waiting", "kills")})
    print(json.dumps(last_line, ensure_ascii=False))
    db.database.close()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
