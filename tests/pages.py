"""Reading pages in tests: HTML elements by id and class, live-board streams, signing a desk in."""

from __future__ import annotations

import http.client
import io
import json
import queue
import socket
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from PIL import Image
from pyzbar.pyzbar import ZBarSymbol, decode

from kiosk import labels
from kiosk.labels import Barcode128, Layout, Text
from kiosk.labels.raster import to_paper

SYMBOLS = [ZBarSymbol.CODE128, ZBarSymbol.QRCODE]


class Elements(HTMLParser):
    """Collects elements by id and class with their text, enough to select what a test checks."""

    def __init__(self, html: str):
        super().__init__()
        self.stack: list[dict] = []
        self.found: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": ""}
        self.found.append(element)
        if tag not in ("input", "img", "br", "meta", "link", "hr"):
            self.stack.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index]["tag"] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        for element in self.stack:
            element["text"] += data

    def select(self, css_class: str | None = None, id: str | None = None, tag: str | None = None) -> list[dict]:
        return [e for e in self.found
                if (id is None or e["attrs"].get("id") == id)
                and (tag is None or e["tag"] == tag)
                and (css_class is None or css_class in (e["attrs"].get("class") or "").split())]


@dataclass
class SseEvent:
    event: str = "message"
    data: str = ""
    id: str | None = None
    comments: list[str] = field(default_factory=list)
    received: float = 0.0  # time.monotonic() when the blank line ending it arrived


def parse_sse(lines) -> list[SseEvent]:
    """Messages from SSE text lines, as the EventSource spec reads them (id-only blocks included)."""
    found, current, data = [], SseEvent(), []
    for line in lines:
        if line == "":
            if data or current.id is not None or current.event != "message" or current.comments:
                current.data = "\n".join(data)
                found.append(current)
            current, data = SseEvent(), []
            continue
        if line.startswith(":"):
            current.comments.append(line[1:].strip())
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            data.append(value)
        elif name == "event":
            current.event = value
        elif name == "id":
            current.id = value
    return found


class SseClient:
    """Reads one event stream over a raw HTTP connection on a thread; messages land in `.events`."""

    def __init__(self, url: str, headers: dict | None = None, timeout: float = 30):
        parts = urlsplit(url)
        self.path = parts.path + ("?" + parts.query if parts.query else "")
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        self.headers = {"Accept": "text/event-stream", **(headers or {})}
        self.events: queue.Queue[SseEvent] = queue.Queue()
        self.all: list[SseEvent] = []
        self.status = None
        self.content_type = ""
        self.opened = threading.Event()
        self.closed = threading.Event()
        self.raw_lines: list[str] = []
        self._thread = threading.Thread(target=self._read, daemon=True)

    def start(self) -> SseClient:
        self._thread.start()
        if not self.opened.wait(15):
            raise TimeoutError("the event stream did not open")
        return self

    def _read(self) -> None:
        response = None
        try:
            self.connection.request("GET", self.path, headers=self.headers)
            response = self.connection.getresponse()
            self.status = response.status
            self.content_type = response.getheader("Content-Type", "")
            self.opened.set()
            current, data = SseEvent(), []
            while True:
                raw = response.fp.readline()
                if not raw:
                    break
                line = raw.decode("utf-8").rstrip("\r\n")
                self.raw_lines.append(line)
                if line == "":
                    if data or current.id is not None or current.event != "message" or current.comments:
                        current.data = "\n".join(data)
                        current.received = time.monotonic()
                        self.all.append(current)
                        self.events.put(current)
                    current, data = SseEvent(), []
                elif line.startswith(":"):
                    current.comments.append(line[1:].strip())
                else:
                    name, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if name == "data":
                        data.append(value)
                    elif name == "event":
                        current.event = value
                    elif name == "id":
                        current.id = value
        except (TimeoutError, OSError, http.client.HTTPException):
            pass
        finally:
            if response is not None:
                response.close()
            self.connection.close()
            self.opened.set()
            self.closed.set()

    def wait_for(self, predicate, timeout: float = 10) -> SseEvent:
        """The first message from now on for which `predicate(event)` holds."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no matching event in {timeout}s; got {[e.event for e in self.all][-20:]}")
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if predicate(event):
                return event

    def last_id(self) -> str | None:
        ids = [e.id for e in self.all if e.id is not None]
        return ids[-1] if ids else None

    def close(self) -> None:
        """Hang up (the reader thread sees the end and closes the socket)."""
        sock = self.connection.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.closed.wait(5)


def display_cookie() -> dict:
    """A Cookie header for a wall screen paired as a display (may open boards, records nothing)."""
    from kiosk.people.devices import approve, register_device

    device, token = register_device()
    approve(device.pairing_code, None, "wall screen", by="test")
    return {"Cookie": f"kiosk_device={token}"}


def agent_token(station_code: str) -> str:
    """A bearer token for a scanner program paired with `station_code` (POST /api/scan)."""
    from db.models import Station
    from kiosk.people.devices import add_agent

    _device, token = add_agent(Station.get(Station.code == station_code), "", by="test")
    return token


def sign_in(client, role: str = "clerk") -> None:
    """Make the Flask test client a signed-in user of `role`."""
    from kiosk.people import users

    user = users.create_user(f"{role}{int(time.monotonic() * 1e6) % 10**8}", "Test " + role, role,
                             "a-long-test-password")
    with client.session_transaction() as session:
        session["user_id"] = user.id
        session["auth"] = users.session_fingerprint(user)


def texts(layout: Layout) -> list[str]:
    """Every line printed on the layout, the text under barcodes included."""
    found = []
    for element in layout.elements:
        if isinstance(element, Text):
            found.append(element.text)
        elif isinstance(element, Barcode128) and element.human_text:
            found.append(element.human_text)
    return found


def png_codes(data: bytes) -> list[tuple[str, str]]:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return sorted((d.type, d.data.decode()) for d in decode(image.convert("L"), symbols=SYMBOLS))


def printed_codes(payload: bytes, language: str) -> list[tuple[str, str]]:
    image = to_paper(labels.printed_image(payload, language)).convert("L")
    return sorted((d.type, d.data.decode()) for d in decode(image, symbols=SYMBOLS))


class Page:
    """Elements of a response by id or attribute, with their text."""

    def __init__(self, response):
        self.text = response.get_data(as_text=True)
        self.elements = Elements(self.text).found

    def one(self, id: str | None = None, **attrs) -> dict | None:
        for element in self.elements:
            if id is not None and element["attrs"].get("id") != id:
                continue
            if all(element["attrs"].get(name.replace("_", "-")) == value for name, value in attrs.items()):
                return element
        return None

    def all(self, attr: str) -> list[dict]:
        return [e for e in self.elements if attr in e["attrs"]]


def post_scan(base: str, token: str, station: str, code: str) -> dict:
    body = json.dumps({"station": station, "code": code, "idem_key": uuid.uuid4().hex, "worker_badge": "W001"})
    request = urllib.request.Request(f"{base}/api/scan", data=body.encode(), method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())
