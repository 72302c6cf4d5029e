"""Loopback servers that record what arrives: a webhook (WeCom / DingTalk robot) and an SMTP server.

Both bind 127.0.0.1 port 0 and run in a thread; nothing here talks to any other address.
"""

from __future__ import annotations

import json
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


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
