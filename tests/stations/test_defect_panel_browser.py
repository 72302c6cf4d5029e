"""The send back / scrap panel in a real browser (Debian's chromium): it is on the station page once, not in
the scan answers; a refused send back keeps what the worker set, a recorded one leaves the panel closed and
empty for the next card, and the scan field keeps the keyboard throughout."""

from __future__ import annotations

import pytest

from db.models import JobCard
from tests.auth_helpers import pair_browser
from tests.browser import scan_like_a_scanner, wait_answer
from tests.factories import cards_of, make_order, scan

pytestmark = pytest.mark.browser

FOCUSED = "el => el === document.activeElement"


def test_a_send_back_clears_the_panel_a_refusal_keeps_it(demo_server, page):
    card = cards_of(make_order(lines=[("DT-120", 4)]))[0]
    scan("whitebody", card.code, badge="W001")
    pair_browser(page.context, demo_server.url, "finishing")
    answers = []
    page.on("response", lambda r: answers.append(r.text()) if r.url.endswith("/scan") else None)
    page.goto(f"{demo_server.url}/station/finishing?lang=en")
    assert page.locator("#defect-panel").count() == 1
    assert page.locator("#scan-result #defect-panel").count() == 0  # beside the answer, not in it
    scan_like_a_scanner(page, "W004")
    page.wait_for_selector("#worker-panel[data-badge=W004]")

    page.click("#defect-open")
    page.click("#defect-card")  # the card field takes the next scan
    scan_like_a_scanner(page, card.code)
    page.wait_for_function(f"document.querySelector('#defect-card').value === '{card.code}'")
    page.click("#defect-units [data-step='1']")
    page.click("#defect-form input[name=rework_station][value='whitebody']")
    page.click("#defect-send-back")  # no reason chosen: refused, and what was set stays
    assert "Choose a defect reason" in wait_answer(page, card.code, "rejected")
    assert page.locator("#defect-panel").evaluate("el => el.open")
    assert page.locator("#defect-card").input_value() == card.code
    assert page.locator("#defect-units output").inner_text() == "2"
    assert page.locator("#scan-input").evaluate(FOCUSED)

    page.click("#defect-form input[name=defect][value='Crack']")
    page.click("#defect-send-back")
    assert "back" in wait_answer(page, card.code, "warning")
    assert JobCard.get_by_id(card.id).units == 2
    # recorded: the panel is closed and empty for the next card
    page.wait_for_function("!document.querySelector('#defect-panel').open")
    assert page.locator("#defect-card").input_value() == ""
    assert page.locator("#defect-units output").text_content() == "1"  # (closed: not rendered)
    assert page.locator("#defect-units input[name=failed_units]").input_value() == "1"
    assert page.locator("#defect-form input:checked").count() == 0
    assert page.locator("#scan-input").evaluate(FOCUSED)
    assert answers and all('id="defect-panel"' not in body for body in answers)

    scan_like_a_scanner(page, card.code)  # the next scan is a scan, not a field's input
    wait_answer(page, card.code, "ok")
