"""A board open in one browser page and a station kiosk in another: a scan at the station changes the
board's row in place, pushed over Server-Sent Events, without reloading the board."""

from __future__ import annotations

import pytest

from tests.factories import cards_of, make_order
from tests.pages import display_cookie

pytestmark = pytest.mark.browser


def paired_kiosk_cookie(station_code: str) -> str:
    from db.models import Station
    from kiosk.people.devices import approve, register_device

    device, token = register_device()
    approve(device.pairing_code, Station.get(Station.code == station_code), "", by="test")
    return token


def test_a_scan_at_a_station_changes_the_board_row_without_reload(demo_server, browser):
    order = make_order(lines=[("DT-120", 4)], number="SO-LIVE-1")
    card = cards_of(order)[0]
    wall = browser.new_context(locale="zh-CN", viewport={"width": 1600, "height": 900})
    kiosk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    try:
        wall.add_cookies([{"name": "kiosk_device", "value": display_cookie()["Cookie"].split("=", 1)[1],
                           "url": demo_server.url}])
        kiosk.add_cookies([{"name": "kiosk_device", "value": paired_kiosk_cookie("whitebody"),
                            "url": demo_server.url}])
        board = wall.new_page()
        board.goto(f"{demo_server.url}/board?lang=en")
        cell = board.locator(f"#order-{order.id} td.stage[data-station=whitebody] .done")
        assert cell.inner_text() == "0/4"
        board.evaluate("window.notReloaded = true")

        station = kiosk.new_page()
        station.goto(f"{demo_server.url}/station/whitebody?lang=en")
        station.locator("#scan-input").focus()
        station.keyboard.type("W003")
        station.keyboard.press("Enter")
        station.wait_for_selector("#worker-panel >> text=李娜")
        station.keyboard.type(card.code)
        station.keyboard.press("Enter")
        station.wait_for_selector(f"#scan-result .answer[data-outcome=ok] >> text={card.code}")

        board.wait_for_function(
            """(id) => {
                const done = document.querySelector(`#order-${id} td.stage[data-station=whitebody] .done`);
                return done && done.textContent === '4/4';
            }""", arg=order.id, timeout=5000)
        assert board.evaluate("window.notReloaded") is True
        assert "Last scan" in board.locator("#live-tick").inner_text()
        assert board.locator(f"#order-{order.id} td.stage[data-station=finishing] .done").inner_text() == "0/4"
    finally:
        wall.close()
        kiosk.close()
