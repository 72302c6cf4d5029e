"""A complaint in chromium, from the clerk's form to a loaded replacement carton: the clerk records it
with a photo (English), a supervisor confirms it (Chinese), the replacement order is made, packed and
stored, its carton loaded at the loading kiosk, and its label says it is replacement parts."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from db.models import Carton, Complaint, Order
from kiosk import labels
from kiosk.demo import seed_replacement_route
from kiosk.shipping import cartons
from kiosk.shipping.pick_lists import create_pick_list
from tests.auth_helpers import login_browser, make_user, pair_browser
from tests.browser import scan_like_a_scanner, wait_answer
from tests.factories import cards_of, cartons_of, make_order, picture, ship, stocked, whole
from tests.pages import texts

pytestmark = pytest.mark.browser


def test_a_complaint_through_approval_to_a_loaded_replacement_carton(demo_server, page, browser):
    url = demo_server.url
    order = make_order(lines=[("DC-08", 2)], number="SO-CPB-1", customer_code="LH")
    shipped = ship(order)
    seed_replacement_route()
    photo = picture("JPEG", (320, 240))

    # the clerk: from the shipped order's page to the complaint form, carton scanned, photo attached
    login_browser(page, url, user=make_user("clerk", username="clerk5", name="李跟单"))
    page.goto(f"{url}/orders/{order.number}?lang=en")
    page.click("#record-complaint-link")
    page.wait_for_selector("#complaint-form")
    assert page.locator("#complaint-lines input[type=radio]").is_checked()  # the only line that shipped
    page.fill("#carton", shipped[1].code)
    page.select_option("#reason", "transit_damage")
    page.fill("#description", "Chair back snapped; the carton was crushed on one corner.")
    page.set_input_files("#photos", files=[{"name": "chair.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    page.click("#record-complaint")
    page.wait_for_selector("#complaint-detail")
    complaint = Complaint.get(Complaint.order == order)
    assert page.locator("#complaint-state").inner_text() == "Awaiting decision"
    assert page.locator("#complaint-carton").inner_text().startswith(shipped[1].code)
    page.wait_for_function("() => { const img = document.querySelector('#complaint-photos img');"
                           " return img && img.complete && img.naturalWidth === 320; }")
    assert page.locator("#awaiting-manager").is_visible() and page.locator("#decide-form").count() == 0

    # the supervisor, in Chinese: confirms with a note and the replacement route
    page.context.clear_cookies()
    login_browser(page, url, "supervisor")
    page.goto(f"{url}/complaints/{complaint.code}?lang=zh")
    page.fill("#decision-note", "运输压坏，补发椅子一把")
    page.select_option("#replacement-route", "replacement")
    page.click("#confirm-complaint")
    page.wait_for_selector("#complaint-detail[data-state=confirmed]")
    assert page.locator("#complaint-state").inner_text() == "已确认"
    assert page.locator("#replacement-order").inner_text() == "SO-CPB-1-R1"
    page.click("#replacement-order")
    page.wait_for_selector("#replacement-of")
    assert f"订单 SO-CPB-1 的补件单，投诉 {complaint.code}" in page.locator("#replacement-of").inner_text()

    # the floor makes it: its card follows the chosen route (no white-body), packed and stored
    replacement = Order.get(Order.number == "SO-CPB-1-R1")
    assert [card.route.name for card in cards_of(replacement)] == ["replacement"]
    [carton] = stocked(replacement)
    pick_list = create_pick_list("LH", whole(replacement), "沪A99999", "loading")

    # the loading kiosk loads it like any carton and the truck leaves complete
    kiosk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    try:
        dock = kiosk.new_page()
        pair_browser(kiosk, url, "loading")
        dock.goto(f"{url}/station/loading?lang=en")
        dock.wait_for_selector("#scan-input")
        scan_like_a_scanner(dock, "W004")
        dock.wait_for_selector("#worker-panel >> text=刘洋")
        scan_like_a_scanner(dock, pick_list.code)
        assert "0 of 1 cartons loaded" in wait_answer(dock, pick_list.code, "ok")
        scan_like_a_scanner(dock, carton.code)
        assert f"Carton {carton.code} loaded: SO-CPB-1-R1 DC-08" in wait_answer(dock, carton.code, "ok")
        dock.locator("#finish-loading").click()
        assert "finished: all 1 cartons loaded" in wait_answer(dock, pick_list.code, "ok")
    finally:
        kiosk.close()
    assert Carton.get_by_id(carton.id).status == "loaded"
    assert Order.get_by_id(replacement.id).status == "shipped"

    # its label, as the server draws it: the carton's own barcode, marked as replacement parts for SO-CPB-1
    response = page.request.get(f"{url}/labels/carton/{carton.code}.png")
    assert response.ok
    png = response.body()
    layout = cartons.carton_layout_for(Carton.get_by_id(carton.id), None, "zh")
    assert "补件 原单 SO-CPB-1" in texts(layout)
    assert png == labels.render_png(layout)
    assert [symbol.data.decode() for symbol in decode(Image.open(io.BytesIO(png)))] == [carton.code]
    assert all(c.order_line.order_id == order.id for c in cartons_of(order))  # the original's cartons untouched
