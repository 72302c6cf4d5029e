"""Issue 15, F13: a refusal answers htmx with its real status (4xx/5xx, so logs and monitoring see it)
and the page still shows the reason to the person in front of it. In Debian's chromium against the
real server: a clerk's desk scan after their session was ended elsewhere, and a station kiosk
unpaired while its page is open (an andon tap through htmx, and a scan through kiosk.js)."""

from __future__ import annotations

import pytest

from db.models import Device
from kiosk.people import users
from tests.auth_helpers import login_browser, pair_browser
from tests.browser import scan_like_a_scanner

pytestmark = pytest.mark.browser

NOT_PAIRED = "This browser is not a paired kiosk, so it cannot record anything. Ask an admin to pair it."


def focused_on_scan(page) -> bool:
    return page.locator("#scan-input").evaluate("el => el === document.activeElement")


def test_a_desk_refusal_is_401_on_the_wire_and_shown_on_the_page(demo_server, page):
    clerk = login_browser(page, demo_server.url, "clerk")
    page.goto(f"{demo_server.url}/outside/in?lang=en")
    page.wait_for_selector("#scan-input")
    users.end_sessions(clerk)  # an admin switched the account off, or it signed out on another screen

    page.click("#scan-input")
    with page.expect_response(lambda r: r.url.endswith("/outside/in") and r.request.method == "POST") as answer:
        scan_like_a_scanner(page, "JC000001")
    assert answer.value.status == 401
    assert answer.value.headers.get("hx-retarget") == "#flash"
    banner = page.locator("#flash #error-box")
    banner.wait_for()
    assert banner.inner_text() == "Sign in first."
    assert banner.get_attribute("role") == "alert"


def test_a_station_refusal_is_403_on_the_wire_shown_and_the_scan_field_keeps_the_focus(demo_server, page):
    device = pair_browser(page.context, demo_server.url, "finishing")
    page.goto(f"{demo_server.url}/station/finishing?lang=en")
    scan_like_a_scanner(page, "W001")
    page.wait_for_selector("#worker-panel[data-badge=W001]")
    Device.delete().where(Device.id == device.id).execute()  # an admin removed this kiosk meanwhile

    # a tap (htmx): the refusal's words in the page's banner, the focus stays in the scan field
    with page.expect_response(lambda r: r.url.endswith("/station/finishing/andon")) as answer:
        page.click("#andon-machine")
    assert answer.value.status == 403
    banner = page.locator("#flash #error-box")
    banner.wait_for()
    assert banner.inner_text() == NOT_PAIRED
    assert focused_on_scan(page)

    # a scan (kiosk.js): refused at once with the server's reason, not tried again and again
    with page.expect_response(lambda r: r.url.endswith("/station/finishing/scan")) as answer:
        scan_like_a_scanner(page, "JC000001")
    assert answer.value.status == 403
    page.wait_for_selector("#scan-result .answer[data-outcome=rejected]")
    assert page.locator("#scan-result .answer .answer-text").inner_text() == f"Not recorded: {NOT_PAIRED}"
    assert page.locator("#scan-result .answer .answer-code").inner_text() == "JC000001"
    assert page.evaluate("JSON.parse(localStorage.getItem('kiosk.outbox.finishing') || '[]').length") == 0
    assert focused_on_scan(page)
