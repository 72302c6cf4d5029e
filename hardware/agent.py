"""Camera scan agent: a fixed camera at a station reads codes and posts each scan to the server, once.

    python -m hardware.agent --server http://kiosk:8000 --station PACK-1 --source 0
    python -m hardware.agent --server URL --station CODE --source rtsp://cam/stream --queue-dir DIR
    python -m hardware.agent --server URL --station CODE --source clip.mp4      (ends with the file)

Every scan is written to an on-disk queue (append-only JSON lines, fsync'd) before it is sent, and
marked delivered only once the server has answered, so neither a crash nor a server outage loses
one. Scans are sent in the order they were seen, each with its own idempotency key, so a scan sent
twice (the answer lost on the way back) is still recorded once. The device token, if the server wants
one, comes from --token or KIOSK_AGENT_TOKEN. The agent knows a server, a station and codes; what a
code means is the server's business.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import signal
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hardware.camera import decode_frame
from hardware.capture import DEBOUNCE_SECONDS, Debouncer, FrameSource, SourceError

try:
    import fcntl
except ImportError:  # not on Windows; the queue lock is then advisory only
    fcntl = None

log = logging.getLogger("hardware.agent")

SEND_TIMEOUT_SECONDS = 5.0
RETRY_SECONDS = (1, 2, 5, 10, 30)  # waits between attempts while the server cannot be reached
DRAIN_SECONDS = 10.0  # after a video file ends, how long to keep trying to deliver what is queued
KEEP_DELIVERED = 1000  # the queue files are compacted once this many scans are done
TOKEN_ENV = "KIOSK_AGENT_TOKEN"


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_lines(path: Path) -> list[dict]:
    """The complete JSON lines of an append-only file; a line torn by a crash mid-write is cut off."""
    if not path.exists():
        return []
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    if end < len(data):
        with path.open("r+b") as file:
            file.truncate(end)
            file.flush()
            os.fsync(file.fileno())
    records = []
    for line in data[:end].splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            log.error("skipping an unreadable line in %s: %r", path, line[:200])
    return records


class ScanQueue:
    """Scans waiting for the server, on disk: `scans.jsonl` (every scan, in order) and `delivered.jsonl`
    (the idempotency keys the server has answered for). Safe to share between threads; one process
    per directory (a lock file makes sure)."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._scans_path = self.directory / "scans.jsonl"
        self._done_path = self.directory / "delivered.jsonl"
        self._lock = threading.Lock()
        self._lock_file = (self.directory / "lock").open("a")
        if fcntl is not None:
            try:
                fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._lock_file.close()
                raise RuntimeError(f"another agent is using the queue in {self.directory}") from None
        self._scans = _read_lines(self._scans_path)
        self._done = {record["idem_key"] for record in _read_lines(self._done_path)}
        self._compact()

    def close(self) -> None:
        self._lock_file.close()

    def _append(self, path: Path, record: dict) -> None:
        new = not path.exists()
        with path.open("a", encoding="utf-8") as file:
            file.write(json.dumps(record, ensure_ascii=False) + "\n")
            file.flush()
            os.fsync(file.fileno())
        if new:
            _fsync_dir(self.directory)

    def add(self, scan: dict) -> None:
        """Keep a scan; when this returns it is on disk."""
        with self._lock:
            self._append(self._scans_path, scan)
            self._scans.append(scan)

    def pending(self) -> list[dict]:
        """Scans not yet answered by the server, oldest first."""
        with self._lock:
            return [scan for scan in self._scans if scan["idem_key"] not in self._done]

    def mark_done(self, idem_key: str, status: int, outcome: str) -> None:
        """The server has answered for this scan (recorded it, or refused it for good)."""
        with self._lock:
            self._append(self._done_path, {"idem_key": idem_key, "status": status, "outcome": outcome})
            self._done.add(idem_key)
            if len(self._done) >= KEEP_DELIVERED:
                self._compact()

    def _compact(self) -> None:
        """Rewrite the scans file with only what is pending, then start a fresh delivered file.

        The rename is atomic; a crash before the delivered file is emptied leaves keys in it that
        no scan has any more, which is harmless.
        """
        if not self._done:
            return
        pending = [scan for scan in self._scans if scan["idem_key"] not in self._done]
        temporary = self._scans_path.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as file:
            file.writelines(json.dumps(scan, ensure_ascii=False) + "\n" for scan in pending)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self._scans_path)
        _fsync_dir(self.directory)
        with self._done_path.open("w") as file:
            os.fsync(file.fileno())
        self._scans, self._done = pending, set()


def new_scan(station: str, code: str, at: dt.datetime | None = None) -> dict:
    """The JSON body of one scan, with a fresh idempotency key and the time it was seen (UTC)."""
    at = at or dt.datetime.now(dt.UTC)
    return {"station": station, "code": code, "idem_key": uuid.uuid4().hex,
            "scanned_at": at.isoformat(timespec="milliseconds").replace("+00:00", "Z")}


@dataclass
class Reply:
    """How one attempt to send a scan ended: "delivered", "rejected" (for good) or "retry"."""

    result: str
    status: int | None
    message: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirected POST would arrive as a GET: refuse
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def send_scan(server: str, scan: dict, token: str | None = None,
              timeout: float = SEND_TIMEOUT_SECONDS) -> Reply:
    """POST one scan to {server}/api/scan and say whether it is done with."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(f"{server.rstrip('/')}/api/scan", data=json.dumps(scan).encode(),
                                     headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=timeout) as response:
            status, body = response.status, response.read(65536)
    except urllib.error.HTTPError as error:
        with error:
            status, body = error.code, error.read(65536) if error.fp else b""
    except (OSError, ValueError) as error:  # refused, reset, timed out, DNS, a broken answer
        return Reply("retry", None, str(getattr(error, "reason", error)))
    message = _message(body)
    if 200 <= status < 300:
        return Reply("delivered", status, message)
    if status in (401, 403):
        # a wrong or revoked device token is the agent's set-up, not the scan's fault: keep the scans
        return Reply("retry", status, f"check the device token (--token or {TOKEN_ENV}). {message}".strip())
    if 400 <= status < 500 and status not in (408, 429):
        return Reply("rejected", status, message)
    return Reply("retry", status, message)


def _message(body: bytes) -> str:
    try:
        answer = json.loads(body)
    except ValueError:
        return body[:200].decode("utf-8", "replace")
    if isinstance(answer, dict):
        return " ".join(str(answer[k]) for k in ("outcome", "message", "error") if answer.get(k))
    return str(answer)[:200]


class Courier(threading.Thread):
    """Delivers the queue in order, each scan once; while the server is unreachable it waits and
    tries again (1, 2, 5, 10, then every 30 s), and a new scan wakes it at once."""

    def __init__(self, queue: ScanQueue, server: str, token: str | None = None,
                 timeout: float = SEND_TIMEOUT_SECONDS, retry_seconds: tuple[float, ...] = RETRY_SECONDS):
        super().__init__(name="scan-courier", daemon=True)
        self.queue, self.server, self.token, self.timeout = queue, server, token, timeout
        self.retry_seconds = retry_seconds
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self.idle = threading.Event()  # set while nothing is pending

    def wake(self) -> None:
        self.idle.clear()
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    def deliver_pending(self) -> bool:
        """Send what is pending, oldest first, until one cannot be sent. True when nothing is left."""
        for scan in self.queue.pending():
            if self._stopping.is_set():
                return False
            reply = send_scan(self.server, scan, self.token, self.timeout)
            if reply.result == "retry":
                why = f"the server answered {reply.status} {reply.message}" if reply.status else reply.message
                log.warning("could not deliver (%s); %d scan(s) kept for later", why.strip(),
                            len(self.queue.pending()))
                return False
            self.queue.mark_done(scan["idem_key"], reply.status or 0, reply.result)
            if reply.result == "delivered":
                log.info("scan %s at %s: %s", scan["code"], scan["station"], reply.message)
            else:
                log.error("scan %s at %s refused by the server (%s): %s - dropped", scan["code"],
                          scan["station"], reply.status, reply.message)
        return True

    def run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            self._wake.clear()
            if self.deliver_pending():
                failures = 0
                if not self.queue.pending():
                    self.idle.set()
                self._wake.wait()
            else:
                wait = self.retry_seconds[min(failures, len(self.retry_seconds) - 1)]
                failures += 1
                self._stopping.wait(wait)


def run_agent(server: str, station: str, source: str | int, queue_dir: str | Path, *,
              token: str | None = None, debounce: float = DEBOUNCE_SECONDS, drain_seconds: float = DRAIN_SECONDS,
              stop: threading.Event | None = None,
              decode: Callable = decode_frame) -> int:
    """Read frames until `stop` (or a video file's end), queue each new code and deliver the queue.

    Returns how many scans are still waiting for the server when it stops.
    """
    stop = stop or threading.Event()
    queue = ScanQueue(queue_dir)
    courier = Courier(queue, server, token)
    courier.start()
    if queue.pending():
        log.info("%d scan(s) from an earlier run still to deliver", len(queue.pending()))
        courier.wake()
    debouncer = Debouncer(debounce)
    try:
        for seen_at, frame in FrameSource(source).frames(stop):
            try:
                codes = decode(frame)
            except Exception:  # one bad frame must not stop a camera that runs all shift
                log.exception("could not decode a frame")
                continue
            for decoded in codes:
                if debouncer.fresh(station, decoded.data, seen_at):
                    queue.add(new_scan(station, decoded.data))
                    log.info("saw %s (%s)", decoded.data, decoded.symbology)
                    courier.wake()
        if not stop.is_set():  # the video file ended: give the courier a moment to finish
            courier.wake()
            courier.idle.wait(drain_seconds)
    finally:
        courier.stop()
        courier.join(timeout=SEND_TIMEOUT_SECONDS + 1)
        left = len(queue.pending())
        queue.close()
    if left:
        log.warning("%d scan(s) not delivered yet; they are kept in %s and sent on the next start", left, queue_dir)
    return left


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hardware.agent", description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True, help="the kiosk server, e.g. http://kiosk:8000")
    parser.add_argument("--station", required=True, help="station code the scans are recorded at")
    parser.add_argument("--source", required=True, help="camera index (0), rtsp:// or http:// URL, or a video file")
    parser.add_argument("--queue-dir", help="where scans wait for the server (default var/agent/STATION)")
    parser.add_argument("--token", default=os.environ.get(TOKEN_ENV), help=f"device token (or ${TOKEN_ENV})")
    parser.add_argument("--debounce", type=float, default=DEBOUNCE_SECONDS,
                        help="seconds a code must be out of view before it counts again")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(message)s")
    station = args.station.strip()
    if not station:
        parser.error("--station must not be empty")
    queue_dir = Path(args.queue_dir) if args.queue_dir else Path("var") / "agent" / station
    stop = threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():  # Ctrl-C or a service stop: finish cleanly
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    try:
        left = run_agent(args.server, station, args.source, queue_dir, token=args.token,
                         debounce=args.debounce, stop=stop)
    except (SourceError, RuntimeError) as error:
        log.error("%s", error)
        return 2
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0 if left == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
