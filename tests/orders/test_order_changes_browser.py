"""An order changed mid-production, in chromium, in both languages: the clerk changes the colour on the
change form, the finishing kiosk refuses the card that had already passed white-body with the change's
message, and takes it again once the clerk clears it on the order page."""

from __future__ import annotations

import pytest

from tests.auth_helpers import login_browser, pair_browser
from tests.browser import scan_like_a_scanner, wait_answer
from tests.factories import cards_of, make_order, scan

pytestmark = pytest.mark.browser

CASES = {
    "en": ("walnut", "Order {order} changed: colour now walnut - ask the clerk before Finishing.", "Change recorded.",
           "Clear: the card may go on", "units done at Finishing"),
    "zh": ("胡桃", "订单 {order} 已变更：颜色改为 胡桃——进入涂装前先问跟单员。", "变更已记录。",
           "解除：可以继续生产", "件已在 涂装 完成"),
}


def test_clerk_changes_colour_and_finishing_refuses_the_card_until_cleared(demo_server, page, browser):
    orders = {lang: make_order(lines=[("DC-08", 4)], number=f"SO-CHG-{lang.upper()}", card_units=2)
              for lang in CASES}
    started = {}
    for lang, order in orders.items():
        started[lang] = cards_of(order)[0]
        assert scan("whitebody", started[lang].code).ok

    login_browser(page, demo_server.url, "clerk")
    kiosk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    pair_browser(kiosk, demo_server.url, "finishing")
    station = kiosk.new_page()
    try:
        for lang, (colour, refusal, recorded, clear_label, done) in CASES.items():
            order, card = orders[lang], started[lang]
            page.goto(f"{demo_server.url}/orders/{order.number}?lang={lang}")
            page.locator("#change-order").click()
            page.wait_for_selector("#change-form")
            page.select_option("#change-field", "colour")
            page.select_option("#change-line", "1")
            page.fill("#change-value", colour)
            page.fill("#change-reason", "客户来电 customer phoned")
            page.locator("#change-submit").click()
            page.wait_for_selector("#held-cards")
            assert recorded in page.locator("#flash").inner_text()
            expected = refusal.format(order=order.number)
            assert expected in page.locator(f"#held-cards tr[data-card='{card.code}']").inner_text()
            assert colour in page.locator("#change-list").inner_text()

            station.goto(f"{demo_server.url}/station/finishing?lang={lang}")
            station.wait_for_selector("#scan-input")
            scan_like_a_scanner(station, "W004")
            station.wait_for_selector("#worker-panel >> text=刘洋")
            scan_like_a_scanner(station, card.code)
            assert expected in wait_answer(station, card.code, "rejected")

            clear = page.locator(f"#held-cards tr[data-card='{card.code}'] button.clear-hold")
            assert clear.inner_text() == clear_label
            clear.click()
            page.wait_for_selector("#change-list")
            assert page.locator("#held-cards").count() == 0

            scan_like_a_scanner(station, card.code)
            assert done in wait_answer(station, card.code, "ok")
    finally:
        kiosk.close()
