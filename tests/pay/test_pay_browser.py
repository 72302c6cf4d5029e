"""Piece pay and the station's queue in a real browser (Debian's chromium): a worker types their badge and
cards like a scanner (code + Enter), sees their day so far, opens "my day" with a tap, watches the queue
shrink, reads the order's spec on the answer, and sends units back from the defect panel."""

from __future__ import annotations

import pytest

from db import write_transaction
from db.models import JobCard, OrderLine
from kiosk.pay.rates import RateInput, set_rate
from tests.auth_helpers import pair_browser
from tests.browser import scan_like_a_scanner, wait_answer
from tests.factories import cards_of, make_order, scan

pytestmark = pytest.mark.browser


def test_my_day_queue_and_spec_at_a_kiosk_in_english(demo_server, page):
    set_rate(RateInput("whitebody", "DT-120", unit_fen=150), "boss")
    first = make_order(lines=[("DT-120", 2)], note="Gift wrap", rush=True)
    second = make_order(lines=[("DT-120", 3)])
    other = make_order(lines=[("DT-120", 4)])
    with write_transaction():
        OrderLine.update(finish="Matte lacquer").where(OrderLine.order == first).execute()
    scan("whitebody", cards_of(other)[0].code, badge="W002")  # another worker's scan: never shown to W003
    pair_browser(page.context, demo_server.url, "whitebody")
    page.goto(f"{demo_server.url}/station/whitebody?lang=en")
    assert page.locator("#queue-header").inner_text() == "2 waiting"
    assert page.locator("#queue-cards li").first.get_attribute("data-queue-card") == cards_of(first)[0].code

    scan_like_a_scanner(page, "W003")
    page.wait_for_selector("#my-day-line")
    assert "0 passes, 0 units, 0.00 yuan" in page.locator("#my-day-line").inner_text()

    code = cards_of(first)[0].code
    scan_like_a_scanner(page, code)
    wait_answer(page, code, "ok")
    spec = page.locator("#scan-result [data-spec]").inner_text()
    assert "Matte lacquer" in spec and "Gift wrap" in spec
    page.wait_for_function("document.querySelector('#queue-header').textContent === '1 waiting'")
    assert page.locator("#queue-cards li").first.get_attribute("data-queue-card") == cards_of(second)[0].code

    page.click("#my-day-button")
    page.wait_for_selector("#my-day")
    assert page.locator("#my-pay").inner_text() == "¥3.00"
    codes = page.locator("#my-scans li[data-code]").evaluate_all("els => els.map(e => e.dataset.code)")
    assert codes == [code]
    assert cards_of(other)[0].code not in page.locator("#scan-result").inner_text()
    # the tap left the keyboard with the scan field: the next scan works at once
    assert page.locator("#scan-input").evaluate("el => el === document.activeElement")
    scan_like_a_scanner(page, cards_of(second)[0].code)
    wait_answer(page, cards_of(second)[0].code, "ok")


def test_my_day_in_chinese_and_sending_units_back_from_a_station(demo_server, page):
    set_rate(RateInput("finishing", "DT-120", unit_fen=200), "boss")
    order = make_order(lines=[("DT-120", 4)])
    card = cards_of(order)[0]
    scan("whitebody", card.code, badge="W001")
    pair_browser(page.context, demo_server.url, "finishing")
    page.goto(f"{demo_server.url}/station/finishing?lang=zh")
    scan_like_a_scanner(page, "W004")
    page.wait_for_selector("#my-day-line")
    assert "今天到目前" in page.locator("#my-day-line").inner_text()
    page.click("#defect-open")
    page.click("#defect-card")  # the card field takes the next scan
    scan_like_a_scanner(page, card.code)
    page.wait_for_function(f"document.querySelector('#defect-card').value === '{card.code}'")
    page.click("#defect-units [data-step='1']")
    page.click("#defect-form input[name=defect][value='Crack']")
    page.click("#defect-form input[name=rework_station][value='whitebody']")
    page.click("#defect-send-back")
    text = wait_answer(page, card.code, "warning")
    assert "退回" in text
    assert JobCard.get_by_id(card.id).units == 2
    assert page.locator("#scan-input").evaluate("el => el === document.activeElement")
    scan_like_a_scanner(page, "#MY-DAY")  # the command barcode does what the tap does
    page.wait_for_selector("#my-day")
    assert "我的今天" in page.locator("#my-day").inner_text()
