"""Send back or scrap at the carton stations in chromium, typed like a scanner: at warehouse-in (Chinese) a
damaged carton is taken out and its unit sent back to packing; at loading (English) one is scrapped. The scan
field has the keyboard again after each tap."""

from __future__ import annotations

import pytest

from db.models import Carton, JobCard
from tests.auth_helpers import pair_browser
from tests.browser import scan_like_a_scanner, wait_answer
from tests.factories import make_order, stocked

pytestmark = pytest.mark.browser


def take_out(page, carton: str, reason: str, station: str | None, button: str) -> None:
    page.click("#defect-open")
    page.click("#defect-card")  # the carton field takes the next scan
    scan_like_a_scanner(page, carton)
    page.wait_for_function(f"document.querySelector('#defect-card').value === '{carton}'")
    page.click(f"#defect-form input[name=defect][value='{reason}']")
    if station:
        page.click(f"#defect-form input[name=rework_station][value='{station}']")
    page.click(button)


def test_a_damaged_carton_goes_back_to_packing_from_warehouse_in(demo_server, page):
    order = make_order(lines=[("DT-120", 2)])
    cartons = stocked(order)
    first = cartons[0]
    pair_browser(page.context, demo_server.url, "warehouse")
    page.goto(f"{demo_server.url}/station/warehouse?lang=zh")
    page.wait_for_selector("#scan-input")
    scan_like_a_scanner(page, "W003")
    page.wait_for_selector("#worker-panel")
    assert page.locator("#defect-form input[name=rework_station][value='packing']").count() == 1
    take_out(page, first.code, "Crack", "packing", "#defect-send-back")
    text = wait_answer(page, first.code, "warning")
    assert "移出货物" in text and "返工卡" in text
    assert {c.status for c in Carton.select().where((Carton.job_card == first.job_card_id)
                                                    & (Carton.unit_no == first.unit_no))} == {"out"}
    assert JobCard.get_by_id(first.job_card_id).units == 1
    assert page.locator("#scan-input").evaluate("el => el === document.activeElement")
    scan_like_a_scanner(page, first.code)  # the scanner goes on at once: the taken-out carton is refused
    assert "移出货物" in wait_answer(page, first.code, "rejected")


def test_a_carton_is_scrapped_at_loading_in_english(demo_server, page):
    order = make_order(lines=[("DC-08", 2)])
    cartons = stocked(order)
    pair_browser(page.context, demo_server.url, "loading")
    page.goto(f"{demo_server.url}/station/loading?lang=en")
    page.wait_for_selector("#scan-input")
    scan_like_a_scanner(page, "W004")
    page.wait_for_selector("#worker-panel")
    take_out(page, cartons[0].code, "Dent", None, "#defect-scrap")
    text = wait_answer(page, cartons[0].code, "warning")
    assert "scrapped (Dent)" in text and "one unit short" in text
    assert Carton.get_by_id(cartons[0].id).status == "out"
    assert page.locator("#scan-input").evaluate("el => el === document.activeElement")
