"""The offline queue in a real browser: scans made while the server is away are kept on the kiosk
(amber, with a count), survive a reload, and are delivered in order once it answers again - each
recorded once, with the time it was scanned, and the answers shown with the red ones standing out."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from db.models import ScanEvent, Station, Worker, utcnow
from tests.auth_helpers import pair_browser
from tests.factories import cards_of, make_order, scan

pytestmark = pytest.mark.browser


def scan_like_a_scanner(page, code: str) -> None:
    page.keyboard.type(code, delay=5)
    page.keyboard.press("Enter")


def wait_queued(page, count: int) -> None:
    page.wait_for_function("n => document.getElementById('queue-badge').dataset.count === String(n)", arg=count)


def wait_sent(page, count: int) -> None:
    """Until the outbox is empty and `count` delivered scans are listed."""
    page.wait_for_function(
        """n => document.querySelectorAll('#sent-scans li').length === n
               && document.getElementById('queue-badge').hidden
               && ['ok', 'rejected'].includes(document.querySelector('#scan-result .answer').dataset.outcome)""",
        arg=count, timeout=20_000,
    )


def answer(page) -> tuple[str, str]:
    panel = page.locator("#scan-result .answer")
    return panel.get_attribute("data-outcome"), panel.locator(".answer-text").inner_text()


def sent_lines(page) -> list[dict]:
    return page.locator("#sent-scans li").evaluate_all(
        "lines => lines.map(l => ({outcome: l.dataset.outcome, code: l.querySelector('.code').textContent,"
        " text: l.querySelector('.msg').textContent}))")


def events_for(code: str, station: str) -> list[ScanEvent]:
    return list(ScanEvent.select().join(Station).where((ScanEvent.code == code) & (Station.code == station)))


def cut_network(page, station: str) -> None:
    """The kiosk's requests for scans and health fail as if the cable were pulled; pages still load."""
    page.route(f"**/station/{station}/scan", lambda route: route.abort("internetdisconnected"))
    page.route("**/api/health", lambda route: route.abort("internetdisconnected"))


def restore_network(page, station: str) -> None:
    page.unroute(f"**/station/{station}/scan")
    page.unroute("**/api/health")


def test_five_scans_while_the_server_is_down_are_recorded_once_with_their_scan_times(demo_server, page):
    order = make_order(lines=[("DC-08", 5)], card_units=1, number="SO-OFFLINE-1")
    cards = cards_of(order)
    assert len(cards) == 5
    pair_browser(page.context, demo_server.url, "whitebody")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(f"{demo_server.url}/station/whitebody?lang=en")
    scan_like_a_scanner(page, "W001")
    page.wait_for_selector("#worker-panel >> text=张伟")
    assert posts == [f"{demo_server.url}/station/whitebody/scan"]  # one request per scan, not htmx's as well

    demo_server.stop()
    typed = {}
    for number, card in enumerate(cards, start=1):
        scan_like_a_scanner(page, card.code)
        wait_queued(page, number)
        typed[card.code] = utcnow()
        time.sleep(0.2)
    assert page.locator("#queue-badge").inner_text() == "5 queued"
    outcome, text = answer(page)
    assert outcome == "queued" and cards[-1].code in text and "(5 waiting)" in text
    assert page.locator("#scan-input").input_value() == ""
    assert ScanEvent.select().where(ScanEvent.code.in_([c.code for c in cards])).count() == 0

    time.sleep(2)  # so delivery time and scan time are clearly apart
    restarted = utcnow()
    demo_server.start()  # the same port: the page finds it again by probing /api/health
    wait_sent(page, 5)

    outcome, text = answer(page)
    assert outcome == "ok" and "the 5 queued scans were sent and none was rejected" in text
    lines = sent_lines(page)
    assert [line["code"] for line in lines] == [c.code for c in reversed(cards)]  # newest first
    assert all(line["outcome"] == "ok" and "1 units done at White-body" in line["text"] for line in lines)
    first_recent = page.locator("#recent-scans li").first.inner_text()
    assert cards[-1].code in first_recent

    worker = Worker.get(Worker.badge == "W001")
    recorded_order = []
    for card in cards:
        events = events_for(card.code, "whitebody")
        assert len(events) == 1, card.code
        event = events[0]
        assert event.outcome == "ok" and event.worker_id == worker.id
        assert abs(event.scanned_at - typed[card.code]) < dt.timedelta(seconds=1.5)
        assert event.scanned_at < restarted <= event.at + dt.timedelta(seconds=1)
        recorded_order.append(event.id)
    assert recorded_order == sorted(recorded_order)  # delivered in the order scanned


def test_queue_survives_a_reload_keeps_order_and_red_answers_stand_out(demo_server, page):
    order = make_order(lines=[("DC-08", 2)], card_units=1, number="SO-OFFLINE-2")
    first, second = cards_of(order)
    pair_browser(page.context, demo_server.url, "whitebody")
    page.goto(f"{demo_server.url}/station/whitebody?lang=en")
    scan_like_a_scanner(page, "W001")
    page.wait_for_selector("#worker-panel >> text=张伟")

    cut_network(page, "whitebody")
    for number, code in enumerate(["W002", first.code, "JC9999999"], start=1):  # a new worker signs in offline
        scan_like_a_scanner(page, code)
        wait_queued(page, number)
    page.reload()
    wait_queued(page, 3)
    assert answer(page)[0] == "queued"
    scan_like_a_scanner(page, second.code)  # joins the back of the queue
    wait_queued(page, 4)
    assert ScanEvent.select().where(ScanEvent.code.in_(["W002", first.code, second.code])).count() == 0

    restore_network(page, "whitebody")
    wait_sent(page, 4)
    outcome, text = answer(page)
    assert outcome == "rejected" and "4 queued scans sent, 1 rejected" in text
    lines = sent_lines(page)
    assert [line["code"] for line in lines] == [second.code, "JC9999999", first.code, "W002"]
    assert [line["outcome"] for line in lines] == ["ok", "rejected", "ok", "ok"]
    assert "Unknown code JC9999999" in lines[1]["text"]
    assert page.locator("#sent-scans li.rejected").evaluate("l => getComputedStyle(l).fontWeight") == "700"
    page.wait_for_selector("#worker-panel >> text=王芳")

    # the cards count for the worker who signed in before scanning them, in the order scanned
    wang = Worker.get(Worker.badge == "W002")
    events = [events_for(code, "whitebody") for code in ("W002", first.code, "JC9999999", second.code)]
    assert all(len(found) == 1 for found in events)
    assert [found[0].id for found in events] == sorted(found[0].id for found in events)
    assert events[1][0].worker_id == wang.id and events[3][0].worker_id == wang.id

    page.locator("#sent-clear").click()
    assert page.locator("#offline-sent").is_hidden()
    page.reload()
    assert page.locator("#offline-sent").is_hidden() and page.locator("#queue-badge").is_hidden()


def test_qc_offline_refuses_card_lookups_but_queues_a_verdict(demo_server, page):
    order = make_order(lines=[("DT-120", 2), ("DT-120", 2)], number="SO-OFFLINE-3")
    looked_up, inspected = cards_of(order)
    for card in (looked_up, inspected):
        scan("whitebody", card.code)
        scan("finishing", card.code)
    pair_browser(page.context, demo_server.url, "qc")
    page.goto(f"{demo_server.url}/station/qc?lang=en")
    scan_like_a_scanner(page, "W002")
    page.wait_for_selector("#worker-panel >> text=王芳")

    # the verdict panel came while online; the network drops before the inspector presses Pass
    scan_like_a_scanner(page, inspected.code)
    page.wait_for_selector("#qc-pass")
    cut_network(page, "qc")
    page.locator("#qc-pass").click()
    wait_queued(page, 1)
    assert answer(page)[0] == "queued" and page.locator(".qc-form").count() == 0

    # a card scanned while offline cannot be looked up: said plainly, not queued
    page.locator("#scan-input").focus()
    scan_like_a_scanner(page, looked_up.code)
    page.wait_for_function("() => document.querySelector('#scan-result .answer').dataset.outcome === 'rejected'")
    assert "QC cannot look up" in answer(page)[1]
    assert page.locator("#queue-badge").get_attribute("data-count") == "1"

    restore_network(page, "qc")
    wait_sent(page, 1)
    assert [e.action for e in events_for(inspected.code, "qc")] == ["qc_pass"]
    assert events_for(looked_up.code, "qc") == []


DURABLE_COUNT = """async (station) => {
    const db = await new Promise((resolve, reject) => {
        const request = indexedDB.open('kiosk', 1);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
    });
    const all = await new Promise((resolve) => {
        const request = db.transaction('outbox').objectStore('outbox').getAll();
        request.onsuccess = () => resolve(request.result);
    });
    db.close();
    return all.filter((scan) => scan.station === station).length;
}"""


def test_queue_kept_in_indexeddb_comes_back_when_localstorage_lost_it(demo_server, page):
    """localStorage reaches the disk late; after a power cut it may have forgotten the queue, while
    the IndexedDB copy (written with durability "strict") still has it."""
    order = make_order(lines=[("DC-08", 2)], card_units=1, number="SO-OFFLINE-4")
    cards = cards_of(order)
    pair_browser(page.context, demo_server.url, "whitebody")
    page.goto(f"{demo_server.url}/station/whitebody?lang=en")
    scan_like_a_scanner(page, "W001")
    page.wait_for_selector("#worker-panel >> text=张伟")

    cut_network(page, "whitebody")
    for number, card in enumerate(cards, start=1):
        scan_like_a_scanner(page, card.code)
        wait_queued(page, number)
    deadline = time.monotonic() + 10
    while page.evaluate(DURABLE_COUNT, "whitebody") != 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert page.evaluate(DURABLE_COUNT, "whitebody") == 2

    page.evaluate("localStorage.removeItem('kiosk.outbox.whitebody')")
    page.reload()
    wait_queued(page, 2)
    restore_network(page, "whitebody")
    wait_sent(page, 2)
    assert [line["code"] for line in sent_lines(page)] == [cards[1].code, cards[0].code]
    for card in cards:
        assert len(events_for(card.code, "whitebody")) == 1
    assert page.evaluate(DURABLE_COUNT, "whitebody") == 0  # delivered scans leave both copies
