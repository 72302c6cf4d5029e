"""Loopback servers that record what arrives: a webhook (WeCom / DingTalk robot) and an SMTP server.

Both bind 127.0.0.1 port 0 and run in a thread; nothing here talks to any other address.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from hardware import printer_status
from kiosk.printing.fake_printer import StatusAnswers


class WebhookServer:
    """Answers POSTs like a group robot: {"errcode": 0} (or `reply` / an HTTP `status` set by the test)."""

    def __init__(self):
        self.received: list[dict] = []
        self.reply: dict = {"errcode": 0, "errmsg": "ok"}
        self.status = 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                parts = urllib.parse.urlsplit(self.path)
                outer.received.append({"path": parts.path, "query": urllib.parse.parse_qs(parts.query),
                                       "raw_query": parts.query, "headers": dict(self.headers),
                                       "json": json.loads(body or b"null")})
                answer = json.dumps(outer.reply).encode()
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


class SmtpServer:
    """Just enough SMTP (HELO/EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) to take mail and keep it."""

    def __init__(self):
        self.messages: list[dict] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> SmtpServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            pass
        self.thread.join(5)
        self.sock.close()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            connection, _ = self.sock.accept()
            if self.stopping.is_set():
                connection.close()
                break
            with connection:
                self._session(connection)

    def _session(self, connection: socket.socket) -> None:
        reader = connection.makefile("rb")

        def say(line: str) -> None:
            connection.sendall(line.encode() + b"\r\n")

        say("220 127.0.0.1 loopback SMTP")
        sender, rcpts = "", []
        while True:
            line = reader.readline()
            if not line:
                return
            command = line.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                say("250-127.0.0.1")
                say("250 8BITMIME")
            elif verb == "HELO":
                say("250 127.0.0.1")
            elif verb == "MAIL":
                sender, rcpts = command.split(":", 1)[1].strip().split()[0].strip("<>"), []
                say("250 OK")
            elif verb == "RCPT":
                rcpts.append(command.split(":", 1)[1].strip().strip("<>"))
                say("250 OK")
            elif verb == "DATA":
                say("354 go ahead")
                data = []
                while True:
                    chunk = reader.readline()
                    if chunk in (b".\r\n", b".\n", b""):
                        break
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                self.messages.append({"from": sender, "to": rcpts, "data": b"".join(data)})
                say("250 queued")
            elif verb == "QUIT":
                say("221 bye")
                return
            else:
                say("250 OK")


class LoopbackPrinter:
    """A raw-TCP "printer" on 127.0.0.1 that records the bytes of each connection it accepts.

    It answers status requests (ZPL ~HS, TSPL <ESC>!?, ESC/POS DLE EOT n) the way the manuals give them,
    reporting `condition`, and leaves them out of what it records. `read=False` makes a printer that
    accepts but never reads (out of paper, buffer full); `answers=False` one that never answers.
    """

    def __init__(self, port: int = 0, read: bool = True, receive_buffer: int | None = None,
                 answers: bool = True, condition: printer_status.Condition | None = None,
                 hang_up: str | None = None, stop_reading_after: int | None = None):
        # stop_reading_after: read (and answer) that many bytes of each connection, then read no more
        # (a printer whose buffer filled up, or that jammed), connection kept open.
        self.stop_reading_after = stop_reading_after
        # hang_up: "close" or "reset" the connection instead of answering the first status request
        # that follows printed bytes (a printer that took a label, then went away without a word).
        self.hang_up = hang_up
        self.port = port
        self.read = read
        self.answers = answers
        self.condition = condition or printer_status.Condition()
        self.requests: list[str] = []
        self.receive_buffer = receive_buffer
        self.connections: list[bytearray] = []
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._server: socket.socket | None = None

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def start(self) -> LoopbackPrinter:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.receive_buffer:
            server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.receive_buffer)
        server.bind(("127.0.0.1", self.port))
        server.listen(16)
        self.port = server.getsockname()[1]
        self._server = server
        self._spawn(self._accept_loop, server)
        return self

    def stop(self) -> None:
        """Switch the printer off: stop listening and drop every connection."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown(socket.SHUT_RDWR)  # wakes the accept() below on Linux
            server.close()
        self.drop_connections()
        for thread in self._threads:
            thread.join(5)
        self._threads = []

    def drop_connections(self) -> None:
        with self._lock:
            connections, self._open = self._open, []
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            connection.close()

    def received(self) -> bytes:
        with self._lock:
            return b"".join(bytes(c) for c in self.connections)

    def wait_for(self, size: int, timeout: float = 10.0) -> bytes:
        """The bytes received once there are at least `size` of them (or after `timeout`)."""
        deadline = time.monotonic() + timeout
        while len(self.received()) < size and time.monotonic() < deadline:
            time.sleep(0.005)
        return self.received()

    def __enter__(self) -> LoopbackPrinter:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self, server: socket.socket) -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            record = bytearray()
            with self._lock:
                self.connections.append(record)
                self._open.append(connection)
            if self.read:
                self._spawn(self._read_loop, connection, record)

    def _read_loop(self, connection: socket.socket, record: bytearray) -> None:
        status = StatusAnswers(self.condition)
        taken = 0
        while True:
            size = 65536 if self.stop_reading_after is None else min(65536, self.stop_reading_after - taken)
            if size <= 0:
                return  # reads nothing more; the connection stays open until stop()
            try:
                chunk = connection.recv(size)
                taken += len(chunk)
            except OSError:
                return
            if not chunk:
                connection.close()
                return
            printed, answer = status.feed(chunk)
            requests = status.requests
            with self._lock:
                record.extend(printed)
                self.requests.extend(requests)
            if self.hang_up and requests and record:
                if self.hang_up == "reset":
                    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                connection.close()
                return
            if self.answers and requests:
                try:
                    connection.sendall(answer)
                except OSError:
                    return


def free_port() -> int:
    """A port nothing listens on (connections to it are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
