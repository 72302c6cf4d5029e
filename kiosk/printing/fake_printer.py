"""A stand-in network printer for demos and trials: it listens on a TCP port the way a real printer
listens on 9100 and saves every job it receives to a file, with a PNG of what would come out.

    kiosk fake-printer --port 9101        (then point a printer's address at tcp://127.0.0.1:9101)

Each connection's bytes go to one .bin file (the print queue sends a run of jobs down one
connection); each label in it is drawn to its own PNG when the bytes are ZPL, TSPL or ESC/POS from
our renderers. Stop it and queued jobs wait in the queue; start it again and they all arrive.

Like a real printer it answers status requests (ZPL ~HS, TSPL <ESC>!?, ESC/POS DLE EOT n) in the form
its manual gives, reporting `condition` (paper out, head open, paused ...), so the print queue marks
a job printed only once this printer said so. Requests are left out of the saved bytes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hardware import printer_status
from kiosk.labels import printed_image
from kiosk.labels.raster import to_paper

_TSPL_END = re.compile(rb"(?<=\r\n)PRINT \d+(?:,\d+)?\r\n")


@dataclass
class ReceivedJob:
    """One connection's bytes as saved: the raw file and the PNG of each label drawn from it."""

    path: Path
    size: int
    language: str | None
    pictures: list[Path] = field(default_factory=list)
    problem: str = ""


def guess_language(data: bytes) -> str | None:
    """ZPL, TSPL or ESC/POS, from how the bytes begin (None when it is none of them)."""
    head = data.lstrip()[:64]
    if head.startswith((b"^XA", b"~")) or b"^XA" in head:
        return "zpl"
    if head.startswith((b"SIZE", b"GAP", b"CLS", b"DIRECTION")):
        return "tspl"
    if head[:1] in (b"\x1b", b"\x1d", b"\x1c"):
        return "escpos"
    return None


def split_labels(data: bytes, language: str) -> list[bytes]:
    """The separate labels in a run of jobs: ZPL ends each at ^XZ, TSPL at PRINT; a receipt roll is one strip."""
    if language == "zpl":
        parts = [part + b"^XZ\n" for part in data.split(b"^XZ") if b"^XA" in part]
        return parts or [data]
    if language == "tspl":
        labels, start = [], 0
        for match in _TSPL_END.finditer(data):
            labels.append(data[start:match.end()])
            start = match.end()
        return labels or [data]
    return [data]


def save_job(data: bytes, folder: Path, stem: str, language: str | None = None) -> ReceivedJob:
    """Write `data` to <folder>/<stem>.bin and each label's picture to <stem>-<n>.png."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.bin"
    path.write_bytes(data)
    language = language or guess_language(data)
    job = ReceivedJob(path, len(data), language)
    if language is None:
        job.problem = "not ZPL, TSPL or ESC/POS: saved as it came"
        return job

    for number, label in enumerate(split_labels(data, language), start=1):
        try:
            picture = to_paper(printed_image(label, language))
        except Exception as error:  # noqa: BLE001 - bytes from elsewhere: keep them, say why no picture
            job.problem = f"label {number} could not be drawn ({error})"[:200]
            continue
        png = folder / f"{stem}-{number}.png"
        picture.save(png)
        job.pictures.append(png)
    return job


class StatusAnswers:
    """A pretend printer's status side, the one copy of it (kiosk fake-printer, the tests' and the benches'
    loopback printers): splits what arrives into the bytes it prints and the status requests in them, and
    answers each request as the printer's manual gives it, reporting `condition`."""

    def __init__(self, condition: printer_status.Condition | None = None) -> None:
        self.condition = condition or printer_status.Condition()
        self.requests: list[str] = []  # the requests found in the last chunk, as printer_status names them
        self._scanner = printer_status.RequestScanner()

    def feed(self, chunk: bytes) -> tuple[bytes, bytes]:
        """(bytes to print, the answer to send back: empty when the chunk held no request)."""
        printed, self.requests = self._scanner.feed(chunk)
        return printed, b"".join(printer_status.answer_request(r, self.condition) for r in self.requests)


class FakePrinter:
    """Listens on host:port; every connection's bytes are saved by `save_job` when the sender closes."""

    def __init__(self, port: int = 9100, host: str = "127.0.0.1", folder: Path | str = "printed",
                 language: str | None = None, on_job: Callable[[ReceivedJob], None] | None = None,
                 condition: printer_status.Condition | None = None) -> None:
        self.host, self.port = host, port
        self.condition = condition or printer_status.Condition()
        self.folder = Path(folder)
        self.language = language
        self.on_job = on_job
        self.jobs: list[ReceivedJob] = []
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self._server: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def listen(self) -> FakePrinter:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((self.host, self.port))
        server.listen(8)
        self.port = server.getsockname()[1]
        self._server = server
        return self

    def start(self) -> FakePrinter:
        """Listen and serve in a background thread (tests); `serve_forever` serves in the foreground."""
        self.listen()
        self._thread = threading.Thread(target=self.serve_forever, name="fake-printer", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        if self._server is None:
            self.listen()
        server = self._server
        while True:
            try:
                connection, _peer = server.accept()
            except OSError:  # stop() closed the socket
                return
            threading.Thread(target=self._receive, args=(connection,), daemon=True).start()

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            try:
                server.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            server.close()
        if self._thread is not None:
            self._thread.join(5)

    def _receive(self, connection: socket.socket) -> None:
        chunks = []
        status = StatusAnswers(self.condition)
        with connection:
            while True:
                try:
                    chunk = connection.recv(65536)
                except OSError:  # the sender reset the connection: keep what came
                    break
                if not chunk:
                    break
                printed, answer = status.feed(chunk)
                chunks.append(printed)
                if answer:
                    try:
                        connection.sendall(answer)
                    except OSError:
                        break
        data = b"".join(chunks)
        if not data:
            return
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        stem = f"{self.port}-{stamp}-{next(self._numbers):04d}"
        job = save_job(data, self.folder, stem, self.language)
        with self._lock:
            self.jobs.append(job)
        if self.on_job is not None:
            self.on_job(job)
