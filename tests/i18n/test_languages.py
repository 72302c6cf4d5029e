"""Chinese and English on every page: a kiosk (or desk) switched to English shows no Chinese, and in
Chinese shows no English words of the interface. The data is made to match (ASCII data for the English
pass, Chinese data for the Chinese pass), so what remains is the interface's own text.

The only words allowed across are the language switch itself (中文 / English) and codes (anything
with a digit in it: JC0000001, W001, DT-120, T00001)."""

from __future__ import annotations

import re
import uuid
from html.parser import HTMLParser

import pytest

from db.models import Customer, Order, Product, Worker
from kiosk.i18n import ZH
from kiosk.orders.importer import COLUMNS
from tests.access_table import app_routes
from tests.auth_helpers import hx_post, login, make_device, make_user, pair_kiosk
from tests.factories import cards_of, make_order, scan

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.\-/]*")
PATH = re.compile(r"\S*/\S*")  # an address such as /station/qc is data, not a word
# The language switch names each language in itself; the importer's column names are what the file says.
ALLOWED_LATIN = {"English", "EN", *COLUMNS, "Zebra"}  # ... and brand names are not translated
# Example values shown as placeholders (a printer name); reported, kept visible here rather than hidden.
ALLOWED_LATIN |= {"packing-label"}
LANG_SWITCH_CLASS = "lang"


class VisibleText(HTMLParser):
    """Text a reader sees or hears: text nodes, and placeholder/title/aria-label/alt attributes;
    not scripts, styles, or the language switch."""

    SKIP = {"script", "style", "code", "kbd", "samp"}  # code samples are literal in every language

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skip = tag in self.SKIP or LANG_SWITCH_CLASS in (attrs.get("class") or "").split()
        if tag not in ("input", "img", "meta", "link", "br", "hr"):
            self._stack.append((tag, skip))
            self._skip += skip
        if not self._skip:
            for name in ("placeholder", "title", "aria-label", "alt"):
                if attrs.get(name):
                    self.parts.append(attrs[name])
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        while self._stack:
            open_tag, skip = self._stack.pop()
            self._skip -= skip
            if open_tag == tag:
                break

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.parts


def chinese_in(html: str) -> list[str]:
    return [text for text in visible(html) if CJK.search(text)]


def english_in(html: str, data: set[str] = frozenset()) -> list[str]:
    """Latin words of the interface in a Chinese page. Not counted: codes (a digit in them), acronyms
    (CSV, ZPL, SSCC, customer codes such as LH: capitals, up to 5), identifiers (KIOSK_X, due_date),
    addresses, and the data strings in `data` (printer names, user names...)."""
    found = []
    for text in visible(html):
        for value in sorted(data, key=len, reverse=True):
            text = text.replace(value, " ")
        words = [w for w in LATIN_WORD.findall(PATH.sub(" ", text))
                 if len(w) > 1 and w not in ALLOWED_LATIN and not any(c.isdigit() for c in w)
                 and not (w.isupper() and len(w) <= 5) and "_" not in w]
        if words:
            found.append(f"{text!r} ({', '.join(words)})")
    return found


def data_strings() -> set[str]:
    """What the plant typed in and pages show as is: user names, kiosk labels, printers and their settings."""
    import json

    from db.models import Device, Printer, User

    values = {u.username for u in User.select()} | {u.approved_by for u in Device.select()}
    values |= {d.label for d in Device.select()}
    values |= {p.family for p in Product.select()}  # product families, as the plant named them (pay rates)
    for printer in Printer.select():
        values |= {printer.name, printer.uri}
        if printer.options:
            values.add(json.dumps(printer.options, ensure_ascii=False, sort_keys=True))
    return {v for v in values if v}


def ascii_data() -> None:
    """Customer, product and worker names without Chinese, for the English pass."""
    for customer in Customer.select():
        Customer.update(name=f"Customer {customer.code}", address="1 Harbour Road").where(
            Customer.id == customer.id).execute()
    Product.update(name="Oak table", colour="Oak").execute()
    Order.update(destination="1 Harbour Road").execute()
    for worker in Worker.select():
        Worker.update(name=f"Worker {worker.badge}").where(Worker.id == worker.id).execute()


def chinese_data() -> None:
    """The same in Chinese only, for the Chinese pass."""
    for customer in Customer.select():
        Customer.update(name=f"客户{customer.code.lower().encode().hex()}", address="上海").where(
            Customer.id == customer.id).execute()
    Product.update(name="橡木桌", colour="原木").execute()
    Order.update(destination="上海").execute()


@pytest.fixture
def floor(app, plant):
    """A card that has been through white-body, and one at QC, so pages have something to show."""
    order = make_order(lines=[("DT-120", 4)])
    card = cards_of(order)[0]
    scan("whitebody", card.code)
    at_qc = cards_of(make_order(lines=[("DC-08", 2)]))[0]
    scan("whitebody", at_qc.code)
    scan("finishing", at_qc.code)
    return {"order": order, "card": card, "at_qc": at_qc}


def kiosk_pages(app, floor, lang: str) -> dict[str, str]:
    """What a kiosk shows in every state: idle, signed in, each kind of answer, QC's verdict panel,
    and the pairing screens of a browser that is not (yet) this station's kiosk."""
    pages = {}
    kiosk = app.test_client()
    pair_kiosk(kiosk, "qc")
    pages["qc idle"] = kiosk.get(f"/station/qc?lang={lang}").text

    def send(code, **fields):
        return hx_post(kiosk, "/station/qc/scan", {"code": code, "idem": uuid.uuid4().hex, "worker_badge": "W002",
                                                   **fields}).text

    pages["sign in"] = send("W002")
    pages["qc decide"] = send(floor["at_qc"].code)
    pages["qc fail"] = send(floor["at_qc"].code, verdict="fail", failed_units="1", defect="Scratch",
                            rework_station="finishing")
    pages["rejected"] = send("JC9999999")
    pages["out of sequence"] = send(floor["card"].code, verdict="pass")
    pages["worker panel"] = kiosk.get("/station/qc/worker?badge=W002").text
    pages["sign out"] = hx_post(kiosk, "/station/qc/sign-out").text
    pages["other station"] = kiosk.get("/station/loading").text
    pages["start"] = kiosk.get("/").text
    pages["pair page"] = kiosk.get("/pair").text
    pages["qc after scans"] = kiosk.get("/station/qc").text
    stranger = app.test_client()
    stranger.set_cookie("lang", lang)
    pages["not paired"] = stranger.get("/station/qc").text
    waiting = app.test_client()
    waiting.set_cookie("lang", lang)
    waiting.set_cookie("kiosk_device", make_device("qc", paired=False)[1])
    pages["waiting"] = waiting.get("/station/qc").text
    pages["refused elsewhere"] = hx_post(kiosk, "/station/loading/scan", {"code": "W002",
                                                                          "idem": uuid.uuid4().hex}).text
    pages["login"] = stranger.get("/login").text
    # each state really is on its page, so no check passes on an empty or wrong page
    expected = {"qc idle": 'id="scan-form"', "sign in": 'data-outcome="ok"', "qc decide": 'data-outcome="decide"',
                "qc fail": 'data-outcome="warning"', "rejected": 'data-outcome="rejected"',
                "out of sequence": 'data-outcome="rejected"', "not paired": 'data-kiosk="none"',
                "waiting": 'id="pairing-code"', "other station": 'data-kiosk="other"', "login": 'id="login-form"',
                "refused elsewhere": 'id="error-box"', "worker panel": "W002"}
    assert {name: mark for name, mark in expected.items() if mark not in pages[name]} == {}
    return pages


def desk_pages(app, floor, lang: str) -> dict[str, str]:
    """Every page without a required argument, and the order page, as an admin sees them."""
    admin = app.test_client()
    login(admin, "admin", name="管理员" if lang == "zh" else "Admin")
    admin.get(f"/?lang={lang}")
    pages = {}
    for key, rule in app_routes(app):
        method, path = key.split(" ", 1)
        if method != "GET" or rule.arguments or path.startswith(("/api/", "/static/")) or "events" in path:
            continue
        response = admin.get(path)
        if response.status_code == 200 and response.mimetype == "text/html":
            pages[path] = response.text
    pages["order"] = admin.get(f"/orders/{floor['order'].number}").text
    pages["job cards"] = admin.get(f"/orders/{floor['order'].number}/cards").text
    pages["denied"] = app.test_client().get(f"/orders/new?lang={lang}", follow_redirects=True).text
    return pages


def test_a_kiosk_in_english_shows_no_chinese(app, floor):
    ascii_data()
    found = {name: chinese_in(html) for name, html in kiosk_pages(app, floor, "en").items()}
    assert {name: texts for name, texts in found.items() if texts} == {}


def test_a_kiosk_in_chinese_shows_no_english(app, floor):
    chinese_data()
    found = {name: english_in(html) for name, html in kiosk_pages(app, floor, "zh").items()}
    assert {name: texts for name, texts in found.items() if texts} == {}


def test_desk_pages_in_english_show_no_chinese(app, floor):
    ascii_data()
    make_device("packing", label="Packing kiosk")
    found = {name: chinese_in(html) for name, html in desk_pages(app, floor, "en").items()}
    assert {name: texts for name, texts in found.items() if texts} == {}


def test_desk_pages_in_chinese_show_no_english(app, floor):
    chinese_data()
    app.config["PLANT_NAME"] = "演示家具厂"
    make_device("packing", label="包装终端")
    make_user("clerk", name="王小明")
    pages = desk_pages(app, floor, "zh")
    data = data_strings()
    found = {name: english_in(html, data) for name, html in pages.items()}
    assert {name: texts for name, texts in found.items() if texts} == {}


def test_the_checks_catch_a_missing_translation():
    """The detectors themselves: an untranslated phrase is found, codes and the switch are not."""
    assert english_in("<p>工单卡 JC0000001 已完成</p><a class='lang'>English</a>") == []
    assert english_in("<p>工单卡 JC0000001 Done</p>") == ["'工单卡 JC0000001 Done' (Done)"]
    assert chinese_in("<p>Card JC0000001 done</p><a class='lang'>中文</a>") == []
    assert chinese_in("<p title='完成'>Card</p>") == ["完成"]
    assert "Pair this kiosk" in ZH
