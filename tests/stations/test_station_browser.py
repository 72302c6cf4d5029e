"""The core loop in a real browser: a worker types a badge and a job card code plus Enter into a
station page, like a keyboard-wedge scanner, and sees the answer; the order's progress moves."""

from __future__ import annotations

import pytest

from tests.auth_helpers import login_browser, pair_browser
from tests.browser import scan_like_a_scanner, wait_answer
from tests.factories import cards_of, make_order

pytestmark = pytest.mark.browser






def test_worker_scans_badge_then_card_and_sees_green_then_progress(demo_server, page):
    order = make_order(lines=[("DT-120", 4)], number="SO-BROWSER-1")
    card = cards_of(order)[0]
    pair_browser(page.context, demo_server.url, "whitebody")  # this browser is white-body's kiosk

    page.goto(f"{demo_server.url}/station/whitebody?lang=en")
    assert page.locator("#scan-input").evaluate("el => el === document.activeElement")

    scan_like_a_scanner(page, "W003")
    page.wait_for_selector("#worker-panel >> text=李娜")

    scan_like_a_scanner(page, card.code)
    assert f"Card {card.code}: 4 units done at White-body" in wait_answer(page, card.code, "ok")
    latest = page.locator("#recent-scans li").first.inner_text()
    assert card.code in latest and "李娜" in latest  # what, and who scanned it
    # the field is cleared and keeps focus for the next scan
    assert page.locator("#scan-input").input_value() == ""
    assert page.locator("#scan-input").evaluate("el => el === document.activeElement")

    # the same card again: amber duplicate, said in words
    scan_like_a_scanner(page, card.code)
    assert "already recorded here" in wait_answer(page, card.code, "duplicate")

    # a card that skipped a station: red with the reason
    scan_like_a_scanner(page, "JC9999999")
    assert "Unknown code JC9999999" in wait_answer(page, "JC9999999", "rejected")

    login_browser(page, demo_server.url, "clerk")  # a clerk at the kiosk's browser reads the order
    page.goto(f"{demo_server.url}/orders/{order.number}?lang=en")
    row = page.locator("#stage-progress tr[data-station=whitebody] td.done")
    assert row.inner_text() == "4/4"
    assert page.locator("#stage-progress tr[data-station=finishing] td.done").inner_text() == "0/4"
    assert "李娜" in page.locator("#history").inner_text()


def test_badge_survives_a_reload_and_chinese_is_the_default(demo_server, page):
    order = make_order(lines=[("DC-08", 2)], number="SO-BROWSER-2")
    card = cards_of(order)[0]
    pair_browser(page.context, demo_server.url, "whitebody")
    page.goto(f"{demo_server.url}/station/whitebody")
    scan_like_a_scanner(page, "W001")
    page.wait_for_selector("#worker-panel >> text=张伟")
    page.reload()
    page.wait_for_selector("#worker-panel >> text=张伟")
    scan_like_a_scanner(page, card.code)
    assert "件已在 白茬 完成" in wait_answer(page, card.code, "ok")


def test_qc_fail_by_touch_sends_units_to_rework(demo_server, page):
    from tests.factories import scan

    order = make_order(lines=[("DT-120", 3)], number="SO-BROWSER-3")
    card = cards_of(order)[0]
    scan("whitebody", card.code)
    scan("finishing", card.code)
    pair_browser(page.context, demo_server.url, "qc")
    page.goto(f"{demo_server.url}/station/qc?lang=en")
    scan_like_a_scanner(page, "W002")
    page.wait_for_selector("#worker-panel >> text=王芳")
    scan_like_a_scanner(page, card.code)
    page.wait_for_selector("#qc-fail")
    page.locator("#failed-units [data-step='1']").click()  # a stepper: no keyboard needed
    page.locator("label.chip", has_text="Paint run").click()
    page.locator("#rework-choices label.chip").last.click()
    page.locator("#qc-fail").click()
    text = wait_answer(page, card.code, "warning")
    assert "2 failed (Paint run)" in text and "1 good units carry on" in text
