"""Andon at a real kiosk: a tap calls, the scan field keeps the focus, the signed-in worker answers."""

from __future__ import annotations

import pytest

from db.models import AndonCall
from tests.auth_helpers import pair_browser
from tests.browser import scan_like_a_scanner

pytestmark = pytest.mark.browser


def focused_on_scan(page) -> bool:
    return page.locator("#scan-input").evaluate("el => el === document.activeElement")


def test_a_tap_calls_and_a_scanner_still_types_into_the_scan_field(demo_server, page):
    pair_browser(page.context, demo_server.url, "finishing")
    page.goto(f"{demo_server.url}/station/finishing?lang=en")
    scan_like_a_scanner(page, "W001")
    page.wait_for_selector("#worker-panel[data-badge=W001]")

    page.click("#andon-machine")
    page.wait_for_selector("#andon-panel .andon-call.red[data-state=called]")
    assert focused_on_scan(page)
    call = AndonCall.get()
    assert (call.kind, call.called_by.badge) == ("machine", "W001")
    timer = page.locator("#andon-panel .andon-timer")
    first = timer.inner_text()
    page.wait_for_timeout(2500)
    assert timer.inner_text() != first  # the timer runs

    scan_like_a_scanner(page, "W002")  # the mechanic signs in at the kiosk and answers the call
    page.wait_for_selector("#worker-panel[data-badge=W002]")
    page.click("#andon-panel [data-andon-step=arrived]")
    page.wait_for_selector("#andon-panel .andon-call[data-state=arrived]")
    assert focused_on_scan(page)
    page.click("#andon-panel [data-andon-step=fixed]")
    page.wait_for_selector("#andon-panel .andon-call.green[data-state=fixed]")
    assert focused_on_scan(page)
    call = AndonCall.get()
    assert (call.arrived_by, call.fixed_by.badge, call.open) == ("王芳", "W002", False)


def test_a_scanned_andon_command_code_makes_the_call(demo_server, page):
    pair_browser(page.context, demo_server.url, "qc")
    page.goto(f"{demo_server.url}/station/qc?lang=en")
    scan_like_a_scanner(page, "W004")
    page.wait_for_selector("#worker-panel[data-badge=W004]")
    scan_like_a_scanner(page, "#ANDON-MATERIAL")  # the command sheet's code taps the button
    page.wait_for_selector("#andon-panel .andon-call.blue[data-state=called]")
    assert focused_on_scan(page)
    call = AndonCall.get()
    assert (call.kind, call.called_by.badge, call.station.code) == ("material", "W004", "qc")
