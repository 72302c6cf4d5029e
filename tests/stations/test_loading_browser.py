"""The loading station in chromium, typed like a scanner: a wrong carton, a carton scanned twice and
one missing are each caught and said; finishing is refused until a supervisor approves with their own
badge, PIN and a reason."""

from __future__ import annotations

import pytest

from db.models import PickList
from kiosk.people.approvals import set_approval
from kiosk.shipping.pick_lists import create_pick_list
from tests.auth_helpers import make_user, pair_browser
from tests.browser import scan_like_a_scanner, wait_answer
from tests.factories import make_order, stocked, whole

pytestmark = pytest.mark.browser
PIN = "4821"


def tally_text(page) -> str:
    return " ".join(page.locator("#tally-total").inner_text().split())


def test_loading_catches_wrong_twice_and_missing_and_needs_an_override(demo_server, page):
    order = make_order(lines=[("DC-08", 3), ("DT-120", 1)], number="SO-LOAD-1", customer_code="LH")
    other = make_order(lines=[("DC-08", 1)], number="SO-OTHER-1", customer_code="HM")
    mine, theirs = stocked(order), stocked(other)
    pick_list = create_pick_list("LH", whole(order), "沪A12345", "loading")
    set_approval(make_user("supervisor", username="boss", name="赵主管"), "S001", PIN, by="test")
    chairs = [c for c in mine if c.packages == 1]
    table = [c for c in mine if c.packages == 2]

    pair_browser(page.context, demo_server.url, "loading")
    page.goto(f"{demo_server.url}/station/loading?lang=en")
    page.wait_for_selector("#scan-input")
    scan_like_a_scanner(page, "W004")
    page.wait_for_selector("#worker-panel >> text=刘洋")

    scan_like_a_scanner(page, pick_list.code)
    assert "0 of 5 cartons loaded" in wait_answer(page, pick_list.code, "ok")
    assert tally_text(page) == "0 of 5 cartons loaded - 5 missing"

    with page.expect_request(lambda request: request.url.endswith("/station/loading/scan")) as sent:
        scan_like_a_scanner(page, chairs[0].code)
    assert f"pick_list={pick_list.code}" in sent.value.post_data  # the page holds the pick list
    assert f"Carton {chairs[0].code} loaded" in wait_answer(page, chairs[0].code, "ok")

    # a carton of another customer's order: red, says whose it is and what to do
    scan_like_a_scanner(page, theirs[0].code)
    text = wait_answer(page, theirs[0].code, "rejected")
    assert f"Wrong carton: {theirs[0].code} belongs to order SO-OTHER-1 for 宏美家具城 Hongmei Furniture Mall" in text
    assert "Put it back." in text

    # the same carton twice: amber, counted once
    scan_like_a_scanner(page, chairs[0].code)
    assert "is already on this truck" in wait_answer(page, chairs[0].code, "duplicate")
    assert tally_text(page) == "1 of 5 cartons loaded - 4 missing"

    for carton in [chairs[1], *table]:
        scan_like_a_scanner(page, carton.code)
        wait_answer(page, carton.code, "ok")
    assert tally_text(page) == "4 of 5 cartons loaded - 1 missing"
    missing = page.locator("#loading-tally tr[data-model='DC-08'] td.missing").inner_text()
    assert chairs[2].code in missing

    # finishing is refused while a carton is missing
    page.locator("#finish-loading").click()
    text = wait_answer(page, pick_list.code, "rejected")
    assert f"is not complete: 1 of 5 cartons missing ({chairs[2].code})" in text
    assert PickList.get_by_id(pick_list.id).status == "loading"

    def approve(badge: str, pin: str, reason: str) -> None:
        """The supervisor opens the approval, scans a badge into it, taps the PIN and types the reason."""
        page.locator("#short-approval > summary").click()
        page.locator("#override-badge").click()
        page.keyboard.type(badge)
        page.keyboard.press("Enter")  # a scanner's Enter fills the badge; it does not send the approval
        for digit in pin:
            page.locator(f"#short-approval [data-pin-key='{digit}']").click()
        page.locator("#override-reason").click()
        page.keyboard.type(reason)
        page.locator("#finish-short").click()

    # a worker's badge is not a supervisor's, whatever PIN
    approve("W004", "1234", "chair damaged")
    page.wait_for_function("() => document.querySelector('#scan-result .answer-text').textContent"
                           ".includes(\"is a worker's badge\")")
    assert PickList.get_by_id(pick_list.id).status == "loading"
    # the approval gave the keyboard back: the scan field has the focus, no PIN is left on the page or queued
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'scan-input'")
    assert page.evaluate("() => [...document.querySelectorAll('[data-pin]')].every((f) => f.value === '')")
    assert "1234" not in page.evaluate("() => JSON.stringify(Object.assign({}, localStorage))")

    approve("S001", PIN, "chair damaged, sent next week")
    text = wait_answer(page, pick_list.code, "warning")
    assert "finished short: 4 of 5 cartons loaded, approved by 赵主管 (chair damaged, sent next week)" in text
    page.wait_for_selector("#manifest-link")
    assert page.locator("#loading-hint").is_visible()
    finished = PickList.get_by_id(pick_list.id)
    assert finished.status == "finished" and finished.override_reason.startswith("chair damaged")
