"""Scanner hardening in chromium, typed like a keyboard-wedge scanner: a Chinese input method composing
(driven through the DevTools Protocol: Input.imeSetComposition / Input.insertText), full-width and lower-case
codes, spaces, a double Enter, two codes in one burst, a GS1 group separator, a Tab suffix; and the
scanner self-test page."""

from __future__ import annotations

import base64
import io
import re

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from db.models import JobCard, ScanEvent
from tests.auth_helpers import login, login_browser
from tests.browser import kiosk, scan_like_a_scanner, wait_answer
from tests.factories import cards_of, make_order

pytestmark = pytest.mark.browser

SHIFT = 8  # CDP modifier bit


def passes(card) -> int:
    return ScanEvent.select().where((ScanEvent.job_card == card.id) & (ScanEvent.action == "pass")).count()


def type_with_ime_on(page, code: str, committed: str) -> None:
    """What a scanner's keys do with a Chinese IME switched on: each key is composed into pinyin (keydown
    says "Process", keyCode 229, but carries the physical key in `code`), and the suffix makes the IME
    commit its own text (`committed`) instead of the code."""
    cdp = page.context.new_cdp_session(page)
    composition = ""
    for ch in code:
        key = f"Key{ch.upper()}" if ch.isalpha() else f"Digit{ch}"
        modifiers = SHIFT if ch.isupper() else 0
        cdp.send("Input.dispatchKeyEvent", {"type": "rawKeyDown", "key": "Process", "code": key,
                                            "windowsVirtualKeyCode": 229, "modifiers": modifiers})
        composition += ch.lower()
        cdp.send("Input.imeSetComposition", {"text": composition, "selectionStart": len(composition),
                                             "selectionEnd": len(composition)})
        cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": "Process", "code": key,
                                            "windowsVirtualKeyCode": 229, "modifiers": modifiers})
    cdp.send("Input.dispatchKeyEvent", {"type": "rawKeyDown", "key": "Process", "code": "Enter",
                                        "windowsVirtualKeyCode": 229})
    cdp.send("Input.insertText", {"text": committed})
    cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13})
    cdp.detach()


def test_a_chinese_input_method_composing_still_scans(demo_server, browser):
    order = make_order(lines=[("DT-120", 2), ("DC-08", 1)], number="SO-IME")
    first, second = cards_of(order)
    with kiosk(browser, demo_server.url, "whitebody") as page:
        composing = page.evaluate("() => { window.sawComposition = 0; document.getElementById('scan-input')"
                                  ".addEventListener('compositionstart', () => window.sawComposition++); }")
        assert composing is None
        type_with_ime_on(page, first.code, "就才")
        assert f"Card {first.code}: 2 units done" in wait_answer(page, first.code, "ok")
        assert page.evaluate("window.sawComposition") >= 1  # the IME really composed
        assert page.locator("#ime-warning").is_visible()  # and the worker is told to switch it off
        page.wait_for_timeout(400)
        assert page.locator("#scan-input").input_value() == ""  # the IME's text is not left for the next scan
        scan_like_a_scanner(page, second.code)  # the next scan is clean
        wait_answer(page, second.code, "ok")
    assert passes(first) == 1 and passes(second) == 1


def test_full_width_lower_case_and_spaces_read_as_the_code(demo_server, browser):
    order = make_order(lines=[("DT-120", 1), ("DC-08", 1)], number="SO-WIDTH")
    first, second = cards_of(order)
    wide = "".join(chr(ord(ch) + 0xFEE0) for ch in first.code)  # ＪＣ０…
    with kiosk(browser, demo_server.url, "whitebody") as page:
        page.keyboard.insert_text("  " + wide + " ")
        page.keyboard.press("Enter")
        wait_answer(page, first.code, "ok")
        scan_like_a_scanner(page, "  " + second.code.lower() + "  ")
        wait_answer(page, second.code, "ok")
    assert passes(first) == 1 and passes(second) == 1


def test_double_enter_and_empty_scans_send_nothing(demo_server, browser):
    card = cards_of(make_order(lines=[("DT-120", 1)], number="SO-EMPTY"))[0]
    with kiosk(browser, demo_server.url, "whitebody") as page:
        sent = []
        page.on("request", lambda r: sent.append(r.url) if r.url.endswith("/scan") else None)
        scan_like_a_scanner(page, card.code)
        page.keyboard.press("Enter")  # the scanner's CR LF, or a second Enter
        wait_answer(page, card.code, "ok")
        page.keyboard.type("   ")
        page.keyboard.press("Enter")
        page.keyboard.press("Enter")
        page.wait_for_timeout(300)
        assert len(sent) == 1
        assert page.locator("#scan-result .answer").get_attribute("data-outcome") == "ok"


def test_two_codes_in_one_burst_are_refused_and_nothing_recorded(demo_server, browser):
    first, second = cards_of(make_order(lines=[("DT-120", 1), ("DC-08", 1)], number="SO-BURST"))
    with kiosk(browser, demo_server.url, "whitebody") as page:
        scan_like_a_scanner(page, first.code + second.code)
        text = wait_answer(page, first.code + second.code, "rejected")
        assert "Two codes arrived as one scan" in text and first.code in text and second.code in text
        scan_like_a_scanner(page, first.code + " " + second.code)
        wait_answer(page, first.code + " " + second.code, "rejected")
    assert passes(first) == 0 and passes(second) == 0


def test_a_gs1_group_separator_is_kept(demo_server, browser):
    with kiosk(browser, demo_server.url, "whitebody") as page:
        with page.expect_request(lambda r: r.url.endswith("/station/whitebody/scan")) as sent:
            page.keyboard.type("0109501101530003")
            page.keyboard.press("Control+BracketRight")  # how a wedge scanner sends GS
            page.keyboard.type("10AB12")
            page.keyboard.press("Enter")
        assert "code=0109501101530003%1D10AB12" in sent.value.post_data
        page.wait_for_function("() => document.querySelector('#scan-result .answer-text').textContent"
                               ".includes('Unknown code')")  # a code (looked up), not "not a code we print"


def test_a_tab_suffix_when_the_scanner_sends_tab(demo_server, browser):
    card = cards_of(make_order(lines=[("DT-120", 1)], number="SO-TAB"))[0]
    with kiosk(browser, demo_server.url, "whitebody") as page:
        page.keyboard.type(card.code)
        page.keyboard.press("Tab")  # set up for Enter: Tab moves nothing and sends nothing
        page.wait_for_timeout(200)
        assert page.evaluate("document.activeElement.id") == "scan-input"
        assert page.locator("#scan-input").input_value() == card.code
        page.fill("#scan-input", "")
        page.evaluate("() => { document.getElementById('station').dataset.suffix = 'Tab'; }")  # SCANNER_SUFFIX=Tab
        page.keyboard.type(card.code)
        page.keyboard.press("Tab")
        wait_answer(page, card.code, "ok")
    assert JobCard.get_by_id(card.id).next_seq == 1


def test_the_suffix_setting_reaches_the_station_page(client):
    from kiosk.demo import seed_plant
    from tests.auth_helpers import pair_kiosk

    seed_plant()
    pair_kiosk(client, "whitebody")
    assert 'data-suffix="Enter"' in client.get("/station/whitebody").get_data(as_text=True)
    client.application.config["SCANNER_SUFFIX"] = "Tab"
    assert 'data-suffix="Tab"' in client.get("/station/whitebody").get_data(as_text=True)


def test_self_test_page_codes_decode_to_what_they_should_read_as(client):
    from kiosk.demo import seed_plant

    seed_plant()
    login(client, "admin")
    page = client.get("/station/qc/scanner-test?lang=en").get_data(as_text=True)
    samples = re.findall(r'data-expect="([^"]+)" data-name="([^"]+)"><img src="data:image/png;base64,([^"]+)"', page)
    assert {name for _, name, _ in samples} == {"Code 128", "QR", "GS1-128"}
    for expect, _name, image in samples:
        read = [s.data.decode() for s in decode(Image.open(io.BytesIO(base64.b64decode(image))))]
        assert read and read[0].upper().replace("\x1d", "&lt;GS&gt;") == expect
    assert 'id="scanner-test-qc"' in client.get("/admin/devices").get_data(as_text=True)  # linked from admin


@pytest.mark.browser
def test_self_test_page_shows_keys_suffix_and_ime(demo_server, page):
    login_browser(page, demo_server.url, "admin")
    page.goto(f"{demo_server.url}/station/qc/scanner-test?lang=en")
    page.wait_for_selector("#test-input")
    page.keyboard.type("Kiosk-Test-42", delay=5)
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('test-read').textContent !== '-'")
    assert page.locator("#test-read").inner_text() == "KIOSK-TEST-42"
    assert "matches test code Code 128" in page.locator("#test-match").inner_text()
    assert "Enter arrived, as this kiosk expects" in page.locator("#test-suffix").inner_text()
    assert page.locator("#test-ime").inner_text() == "no"
    assert page.locator("#test-keys tbody tr").count() >= 14  # each key listed
    first_row = page.locator("#test-keys tbody tr").first.inner_text()
    assert "KeyK" in first_row
    page.keyboard.type("ABC")  # no suffix: said so
    page.wait_for_function("() => document.getElementById('test-suffix').textContent.includes('no suffix')")
    type_with_ime_on(page, "JC0000042", "就才")
    page.wait_for_function("() => document.getElementById('test-read').textContent === 'JC0000042'")
    assert "switch the input method off" in page.locator("#test-ime").inner_text()
