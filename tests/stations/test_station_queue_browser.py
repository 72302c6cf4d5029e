"""The station's queue in a real browser (Debian's chromium): a scan's answer carries no queue, the page
fetches the queue on its own once the scan is answered, the list and the header's count follow, and the
scan field keeps the keyboard through the swap."""

from __future__ import annotations

import pytest

from tests.auth_helpers import pair_browser
from tests.browser import scan_like_a_scanner, wait_answer
from tests.factories import cards_of, make_order

pytestmark = pytest.mark.browser


def queued_codes(page) -> list[str]:
    return page.locator("#queue-cards li[data-queue-card]").evaluate_all("els => els.map(e => e.dataset.queueCard)")


def test_the_queue_is_fetched_after_an_answer_and_the_scan_field_keeps_the_keyboard(demo_server, page):
    orders = [make_order(lines=[("DT-120", 2)]) for _ in range(3)]
    codes = [cards_of(order)[0].code for order in orders]
    pair_browser(page.context, demo_server.url, "whitebody")
    answers, fetches = [], []
    page.on("response", lambda r: answers.append(r.text()) if r.url.endswith("/scan") else None)
    page.on("request", lambda r: fetches.append(r.url) if r.url.endswith("/station/whitebody/queue") else None)
    page.goto(f"{demo_server.url}/station/whitebody?lang=en")
    assert queued_codes(page) == codes
    assert page.locator("#queue-header").inner_text() == "3 waiting"

    scan_like_a_scanner(page, "W003")
    page.wait_for_selector("#worker-panel >> text=李娜")
    scan_like_a_scanner(page, codes[0])
    wait_answer(page, codes[0], "ok")
    page.wait_for_function("document.querySelector('#queue-header').textContent === '2 waiting'")
    assert queued_codes(page) == codes[1:]
    assert fetches, "the page fetched the queue itself"
    assert all('id="station-queue"' not in body for body in answers)  # no answer carried it
    # after the swap the keyboard is still the scanner's: the next scan goes straight in
    assert page.locator("#scan-input").evaluate("el => el === document.activeElement")
    scan_like_a_scanner(page, codes[1])
    wait_answer(page, codes[1], "ok")
    page.wait_for_function("document.querySelector('#queue-header').textContent === '1 waiting'")
    assert queued_codes(page) == codes[2:]
    assert page.locator("#scan-input").evaluate("el => el === document.activeElement")

    # an unknown code moves nothing: the queue stays as it is
    fetched = len(fetches)
    scan_like_a_scanner(page, "JX0000001")
    wait_answer(page, "JX0000001", "rejected")
    scan_like_a_scanner(page, codes[2])
    wait_answer(page, codes[2], "ok")
    page.wait_for_function("document.querySelector('#queue-header').textContent === '0 waiting'")
    assert "Nothing waiting here." in page.locator("#station-queue").inner_text()
    assert len(fetches) > fetched
    assert page.locator("#scan-input").evaluate("el => el === document.activeElement")
