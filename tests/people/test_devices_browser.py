"""Pairing in real browsers: a kiosk asks, shows its code, an admin approves it on another browser, and
the kiosk turns into the station's scan screen by itself; then it records scans there and only there."""

from __future__ import annotations

import pytest

from tests.auth_helpers import login_browser
from tests.factories import cards_of, make_order

pytestmark = pytest.mark.browser


def test_a_kiosk_is_paired_by_an_admin_and_then_scans(demo_server, browser):
    order = make_order(lines=[("DC-08", 2)], number="SO-PAIR-1")
    card = cards_of(order)[0]
    kiosk = browser.new_context(locale="zh-CN").new_page()
    admin = browser.new_context(locale="zh-CN").new_page()
    try:
        kiosk.goto(f"{demo_server.url}/station/whitebody?lang=en")
        assert kiosk.locator("#scan-input").count() == 0
        kiosk.click("#ask-pairing")
        code = kiosk.locator("#pairing-code").inner_text()
        assert len(code) == 9 and code[4] == "-"

        login_browser(admin, demo_server.url, "admin")
        admin.goto(f"{demo_server.url}/admin/devices?lang=en")
        assert code in admin.locator("#devices").inner_text()
        admin.fill("#approve-device input[name=code]", code)
        admin.select_option("#approve-device select[name=station]", "whitebody")
        admin.fill("#approve-device input[name=label]", "White-body door")
        admin.click("#approve-device button")
        assert "White-body door" in admin.locator("#devices").inner_text()

        # the waiting kiosk notices by itself (it asks every few seconds) and shows the scan field
        kiosk.wait_for_selector("#scan-input", timeout=15_000)
        kiosk.keyboard.type("W001", delay=5)
        kiosk.keyboard.press("Enter")
        kiosk.wait_for_selector("#worker-panel >> text=张伟")
        kiosk.keyboard.type(card.code, delay=5)
        kiosk.keyboard.press("Enter")
        kiosk.wait_for_function(
            "code => { const a = document.querySelector('#scan-result .answer');"
            " return a && a.dataset.outcome === 'ok' && a.textContent.includes(code); }", arg=card.code)

        # the same kiosk at another station: no scan field, it says where it belongs
        kiosk.goto(f"{demo_server.url}/station/qc")
        assert kiosk.locator("#scan-input").count() == 0
        assert "White-body" in kiosk.locator("#pairing").inner_text()
    finally:
        kiosk.context.close()
        admin.context.close()
