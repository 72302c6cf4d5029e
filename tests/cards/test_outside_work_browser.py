"""Outside work and delivery notes in a real browser, in English and in Chinese: a clerk sends a card out
to a supplier, the finishing kiosk refuses it in red, the board shows it out, the clerk scans it back in,
and scans back the signed copy of a delivery note (green, then amber on a second scan)."""

from __future__ import annotations

import pytest

from kiosk.cards.outside import save_supplier
from tests.auth_helpers import login_browser, pair_browser
from tests.browser import scan_like_a_scanner, wait_answer
from tests.factories import cards_of, finish_truck, make_order, scan

pytestmark = pytest.mark.browser

WORDS = {
    "en": {"out": "out to 鑫达喷涂 Xinda Spraying for Finishing", "refused": "Scan it back in at the clerk desk first.",
           "board": "1 cards out", "back": "4 units done at Finishing. Next: QC.", "note": "is back, signed",
           "again": "Counted once; file it."},
    "zh": {"out": "已发往 鑫达喷涂 Xinda Spraying 做 涂装", "refused": "请先到跟单员处扫描收回",
           "board": "外协中 1 张卡", "back": "4 件 涂装 完成。下一步：质检。", "note": "已签收交回",
           "again": "只记一次；请归档。"},
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_card_goes_out_is_refused_comes_back_and_a_signed_note_is_filed(demo_server, page, browser, lang):
    words = WORDS[lang]
    url = demo_server.url
    save_supplier("XD", "鑫达喷涂 Xinda Spraying", lead_days=5)
    order = make_order(lines=[("DC-08", 4)], number=f"SO-OUT-{lang}")
    card = cards_of(order)[0]
    assert scan("whitebody", card.code).ok

    login_browser(page, url, "clerk")
    page.goto(f"{url}/outside/out?lang={lang}")
    page.select_option("#supplier", "XD")
    page.click("#scan-input")
    scan_like_a_scanner(page, card.code)
    assert words["out"] in wait_answer(page, card.code, "ok")
    assert page.locator("#scan-input").input_value() == ""  # ready for the next card

    kiosk = browser.new_context(locale="zh-CN")
    try:
        pair_browser(kiosk, url, "finishing")
        station = kiosk.new_page()
        station.goto(f"{url}/station/finishing?lang={lang}")
        scan_like_a_scanner(station, "W003")
        station.wait_for_selector("#worker-panel >> text=李娜")
        scan_like_a_scanner(station, card.code)
        assert words["refused"] in wait_answer(station, card.code, "rejected")
    finally:
        kiosk.close()

    page.goto(f"{url}/outside/?lang={lang}")
    assert words["board"] in page.locator("#out-count").inner_text()
    assert page.locator(f"#cards-out tr[data-card='{card.code}']").count() == 1

    page.goto(f"{url}/outside/in?lang={lang}")
    page.click("#scan-input")
    scan_like_a_scanner(page, card.code)
    assert words["back"] in wait_answer(page, card.code, "ok")

    _, _, finished = finish_truck(customer="HM", lines=(("DT-120", 1),))
    note = finished.detail["delivery_notes"][0]
    page.goto(f"{url}/delivery/returns?lang={lang}")
    page.click("#scan-input")
    scan_like_a_scanner(page, note)
    assert words["note"] in wait_answer(page, note, "ok")
    scan_like_a_scanner(page, note)
    assert words["again"] in wait_answer(page, note, "duplicate")
    page.goto(f"{url}/delivery/notes/{note}?lang={lang}")
    assert page.locator("#note-detail").get_attribute("data-returned") == "yes"
    assert page.locator("#note-preview").evaluate("img => img.complete && img.naturalWidth > 0")
