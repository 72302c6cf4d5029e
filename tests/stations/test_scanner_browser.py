"""Scanner-only stations in chromium: the scan field owns the keyboard on every station page, QC records
only an explicit verdict, and a tap never leaves a button holding the scanner's Enter.

Codes are typed like a keyboard-wedge scanner (characters + Enter); taps are mouse clicks like a finger.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

from db.models import Carton, JobCard, ScanEvent
from kiosk.shipping.pick_lists import create_pick_list
from tests.browser import kiosk, scan_like_a_scanner, wait_answer
from tests.factories import cards_of, make_order, scan, stocked, whole

pytestmark = pytest.mark.browser

FOCUS_IN_SCAN_FIELD = "() => document.activeElement && document.activeElement.id === 'scan-input'"

# Everything a finger can tap on a station page.
TAPPABLE = ("a[href], button, input:not([type=hidden]), select, textarea, summary, label, [data-step], [data-key], "
            "video, [tabindex]")


def focused_on_scan_field(page) -> bool:
    return page.evaluate(FOCUS_IN_SCAN_FIELD)


def tap(page, selector: str) -> None:
    page.locator(selector).first.click()
    assert focused_on_scan_field(page), f"focus left the scan field after tapping {selector}"


def at_qc(code: str) -> None:
    scan("whitebody", code)
    scan("finishing", code)


def qc_events(card) -> list[str]:
    return [e.action for e in ScanEvent.select().where((ScanEvent.job_card == card.id)
                                                       & ScanEvent.action.startswith("qc")).order_by(ScanEvent.id)]


def reloaded(page) -> bool:
    """Whether the page was loaded anew since `sweep_taps` marked it (or is loading now)."""
    try:
        return not page.evaluate("() => window.sweepMark === true")
    except PlaywrightError:  # its context went away mid-navigation
        return True


def sweep_taps(page, last=()) -> list[str]:
    """Tap every visible tappable element of the page (those matching `last` at the end) and check after each
    that focus is back in the scan field and nothing but the scan field is in the tab order. Returns what
    was tapped."""
    count = page.evaluate("""([selector, last]) => {
        const all = [...document.querySelectorAll(selector)].filter((el) => el.id !== 'scan-input'
            && el.getClientRects().length && !el.closest('[hidden]') && !(el.href || '').includes('lang=')
            && !el.hasAttribute('data-leaves-page'));
        const late = all.filter((el) => last.some((s) => el.matches(s)));
        const order = all.filter((el) => !late.includes(el)).concat(late);
        order.forEach((el, i) => el.setAttribute('data-sweep', String(i)));
        return order.length;
    }""", [TAPPABLE, list(last)])
    tapped = []
    for index in range(count):
        element = page.locator(f"[data-sweep='{index}']")
        if element.count() == 0 or not element.first.is_visible():
            continue
        name = element.first.evaluate("el => el.id || el.textContent.trim().slice(0, 30) || el.tagName")
        assert element.first.evaluate("el => el.tabIndex") < 0, f"{name} is in the tab order"
        page.evaluate("() => { window.sweepMark = true; }")
        try:
            element.first.click(timeout=3000)
        except PlaywrightError:
            if element.count() == 0:
                continue  # replaced by a swap the previous tap caused
            raise
        page.wait_for_function("() => !document.querySelector('.htmx-request')")
        page.wait_for_timeout(30)
        if reloaded(page):  # the tap loaded a page (the language switch): judge focus once it has loaded
            page.wait_for_load_state("load")
            page.wait_for_function(FOCUS_IN_SCAN_FIELD, timeout=5000)
        assert focused_on_scan_field(page), f"focus left the scan field after tapping {name}"
        tapped.append(name)
    return tapped


def test_qc_scan_then_another_card_records_neither_and_says_why(demo_server, browser):
    order = make_order(lines=[("DT-120", 3), ("DC-08", 2)], number="SO-QC-WAIT")
    first, second = cards_of(order)
    at_qc(first.code)
    at_qc(second.code)
    with kiosk(browser, demo_server.url, "qc") as page:
        scan_like_a_scanner(page, first.code)
        page.wait_for_selector("#qc-pass")
        assert focused_on_scan_field(page)  # not on Pass: the next Enter must not press it
        scan_like_a_scanner(page, second.code)
        text = wait_answer(page, first.code, "rejected")
        assert f"{first.code} still waits for a verdict" in text and second.code in text
        assert page.locator("#qc-form").get_attribute("data-card") == first.code  # still waiting
        scan_like_a_scanner(page, "W003")  # a badge while a card waits: the same
        assert "still waits for a verdict" in wait_answer(page, first.code, "rejected")
        assert page.locator("#worker-panel").get_attribute("data-badge") == "W002"
        assert qc_events(first) == [] and qc_events(second) == []
        assert not ScanEvent.select().where(ScanEvent.code == "W003", ScanEvent.action == "sign_in").exists()

        tap(page, "#qc-cancel")
        assert "was not inspected: nothing recorded" in wait_answer(page, first.code, "warning")
        assert page.locator("#qc-form").count() == 0
        scan_like_a_scanner(page, second.code)  # after Cancel the next card is taken
        page.wait_for_selector(f"#qc-form[data-card='{second.code}']")
    assert qc_events(first) == [] and qc_events(second) == []


def test_qc_tap_pass_then_scan_records_the_next_scan_not_a_second_pass(demo_server, browser):
    order = make_order(lines=[("DT-120", 3), ("DC-08", 2)], number="SO-QC-PASS")
    first, second = cards_of(order)
    at_qc(first.code)
    at_qc(second.code)
    with kiosk(browser, demo_server.url, "qc") as page:
        scan_like_a_scanner(page, first.code)
        page.wait_for_selector("#qc-pass")
        tap(page, "#qc-pass")
        assert "3 units passed QC" in wait_answer(page, first.code, "ok")
        assert focused_on_scan_field(page)
        scan_like_a_scanner(page, second.code)  # its Enter goes to the scan form, not to a button
        page.wait_for_selector(f"#qc-form[data-card='{second.code}']")
        assert qc_events(first) == ["qc_pass"]
        assert qc_events(second) == []  # waits for its own verdict


def test_qc_fail_with_steppers_and_a_chosen_reason(demo_server, browser):
    order = make_order(lines=[("DT-120", 5)], number="SO-QC-FAIL")
    card = cards_of(order)[0]
    at_qc(card.code)
    with kiosk(browser, demo_server.url, "qc") as page:
        scan_like_a_scanner(page, card.code)
        page.wait_for_selector("#qc-fail")
        assert page.locator("input[name=defect]:checked").count() == 0  # nothing chosen for the inspector
        tap(page, "#failed-units [data-step='1']")
        tap(page, "#failed-units [data-step='1']")
        tap(page, "#failed-units [data-step='-1']")
        assert page.locator("#failed-units-shown").inner_text() == "2"
        tap(page, "#rework-choices label:has-text('Finishing')")
        tap(page, "#qc-fail")  # no reason chosen: refused, the card still waits, nothing recorded
        assert "Choose a defect reason" in wait_answer(page, card.code, "rejected")
        assert qc_events(card) == []
        assert page.locator("#failed-units-shown").inner_text() == "2"  # what was set is kept
        tap(page, "#defect-choices label:has-text('Colour mismatch')")
        tap(page, "#qc-fail")
        text = wait_answer(page, card.code, "warning")
        assert "2 failed (Colour mismatch)" in text and "3 good units carry on" in text
        assert "No printer is set up at this station" in text  # says what happened to the print, no more
    assert qc_events(card) == ["qc_fail"]
    rework = JobCard.get(JobCard.parent == card.id)
    assert rework.units == 2 and rework.rework_reason == "Colour mismatch"


def test_qc_keypad_sets_units_without_focus(demo_server, browser):
    order = make_order(lines=[("DT-120", 12)], number="SO-QC-KEYS")
    card = cards_of(order)[0]
    at_qc(card.code)
    with kiosk(browser, demo_server.url, "qc") as page:
        scan_like_a_scanner(page, card.code)
        page.wait_for_selector("#qc-fail")
        tap(page, "#failed-units [data-key='1']")
        tap(page, "#failed-units [data-key='0']")
        assert page.locator("#failed-units-shown").inner_text() == "10"
        tap(page, "#failed-units [data-key='9']")  # 109 is more than the card has: capped
        assert page.locator("#failed-units-shown").inner_text() == "12"
        tap(page, "#failed-units [data-key='clear']")
        assert page.locator("#failed-units-shown").inner_text() == "1"
        tap(page, "#defect-choices label:has-text('Crack')")
        tap(page, "#qc-scrap")
        assert "1 units scrapped (Crack)" in wait_answer(page, card.code, "warning")
    assert qc_events(card) == ["qc_scrap"]
    assert JobCard.get_by_id(card.id).units == 11


def test_packing_tap_reprint_then_scan_a_new_card(demo_server, browser):
    order = make_order(lines=[("DT-120", 1), ("DC-08", 1)], number="SO-PACK-RE")
    first, second = cards_of(order)
    for card in (first, second):
        at_qc(card.code)
        scan("qc", card.code)
    with kiosk(browser, demo_server.url, "packing") as page:
        scan_like_a_scanner(page, first.code)
        wait_answer(page, first.code, "ok")
        scan_like_a_scanner(page, first.code)  # packed before: offers a reprint
        wait_answer(page, first.code, "duplicate")
        tap(page, "#reprint-which label:has-text('All')")
        tap(page, "#reprint-reasons label:has-text('Lost')")
        tap(page, "#reprint")
        page.wait_for_function("() => document.querySelector('#scan-result .answer-text')"
                               ".textContent.includes('Reprint of all')")
        scan_like_a_scanner(page, second.code)
        assert f"Card {second.code} packed" in wait_answer(page, second.code, "ok")
    reprints = ScanEvent.select().where(ScanEvent.action == "reprint").count()
    assert reprints == 1
    assert Carton.select().where(Carton.job_card == second.id).count() > 0


def test_label_preview_stays_on_the_station_page(demo_server, browser):
    order = make_order(lines=[("DC-08", 1)], number="SO-PACK-PV")
    card = cards_of(order)[0]
    at_qc(card.code)
    scan("qc", card.code)
    with kiosk(browser, demo_server.url, "packing") as page:
        scan_like_a_scanner(page, card.code)
        wait_answer(page, card.code, "ok")
        assert page.locator("#label-preview").get_attribute("target") is None
        tap(page, "#label-preview")
        page.wait_for_selector("#label-preview-box img.label")
        assert page.url.endswith("/station/packing?lang=en") and len(page.context.pages) == 1
        assert focused_on_scan_field(page)


def test_loading_tap_finish_then_scan_a_carton(demo_server, browser):
    order = make_order(lines=[("DC-08", 2)], number="SO-LOAD-FIN")
    cartons = stocked(order)
    pick_list = create_pick_list("LH", whole(order), "沪A00001", "loading")
    with kiosk(browser, demo_server.url, "loading") as page:
        scan_like_a_scanner(page, pick_list.code)
        wait_answer(page, pick_list.code, "ok")
        tap(page, "#finish-loading")  # not complete: refused
        wait_answer(page, pick_list.code, "rejected")
        scan_like_a_scanner(page, cartons[0].code)  # its Enter does not press Finish again
        assert f"Carton {cartons[0].code} loaded" in wait_answer(page, cartons[0].code, "ok")
    assert Carton.get_by_id(cartons[0].id).status == "loaded"
    finishes = ScanEvent.select().where(ScanEvent.code == pick_list.code, ScanEvent.action == "finish").count()
    assert finishes <= 1


def test_after_every_tap_on_every_station_page_focus_is_in_the_scan_field(demo_server, browser):
    order = make_order(lines=[("DC-08", 2), ("DT-120", 3)], number="SO-SWEEP")
    chairs, table = cards_of(order)
    at_qc(table.code)
    at_qc(chairs.code)
    scan("qc", chairs.code)
    stocked_order = make_order(lines=[("DC-08", 2)], number="SO-SWEEP-2")
    stocked(stocked_order)
    pick_list = create_pick_list("LH", whole(stocked_order), "沪A00002", "loading")
    # a state for each station where its panels show, then every tappable element is tapped
    states = {
        "whitebody": [],
        "finishing": [],
        "qc": [table.code],
        "packing": [chairs.code, chairs.code],
        "warehouse": ["LOC-B07"],
        "loading": [pick_list.code],
    }
    submits = ("#qc-pass", "#qc-fail", "#qc-scrap", "#qc-cancel", "#reprint", "#finish-loading",
               "#undo-carton-button", "#worker-panel button", "#camera-toggle")
    for station, codes in states.items():
        with kiosk(browser, demo_server.url, station) as page:
            for code in codes:
                scan_like_a_scanner(page, code)
                page.wait_for_function("(code) => (document.querySelector('#scan-result .answer-code') || {})"
                                       ".textContent === code", arg=code)
            page.evaluate("() => { const d = document.querySelector('details'); if (d) d.open = true; }")
            tapped = sweep_taps(page, last=submits)
            assert tapped, station
            # after all that, a scanner's code + Enter still goes to the scan form
            scan_like_a_scanner(page, "JC0000000")
            wait_answer(page, "JC0000000", "rejected")


def test_the_whole_qc_flow_by_command_codes_only(demo_server, browser):
    order = make_order(lines=[("DT-120", 5), ("DC-08", 2)], number="SO-QC-CMD")
    failing, passing = cards_of(order)
    at_qc(failing.code)
    at_qc(passing.code)
    with kiosk(browser, demo_server.url, "qc") as page:
        scan_like_a_scanner(page, "#PASS")  # nothing waits: red, in words
        assert "No card waits for a verdict" in wait_answer(page, "#PASS", "rejected")
        scan_like_a_scanner(page, failing.code)
        page.wait_for_selector(f"#qc-form[data-card='{failing.code}']")
        for code in ("#UNITS+1", "#units+1", "#UNITS-1"):  # case does not matter
            scan_like_a_scanner(page, code)
            wait_answer(page, code.upper(), "ok")
        scan_like_a_scanner(page, "#DEFECT-DENT")
        scan_like_a_scanner(page, "#TO-WHITEBODY")
        text = wait_answer(page, "#TO-WHITEBODY", "ok")
        assert "units failed 2, reason Dent, back to White-body" in text
        scan_like_a_scanner(page, "#FAIL")
        text = wait_answer(page, failing.code, "warning")
        assert "2 failed (Dent)" in text and "goes back to White-body" in text
        scan_like_a_scanner(page, passing.code)
        page.wait_for_selector(f"#qc-form[data-card='{passing.code}']")
        scan_like_a_scanner(page, "#CANCEL")
        assert "was not inspected" in wait_answer(page, passing.code, "warning")
        scan_like_a_scanner(page, passing.code)
        page.wait_for_selector(f"#qc-form[data-card='{passing.code}']")
        scan_like_a_scanner(page, "#LAST-SCAN")  # asked while a card waits: answered, the card still waits
        page.wait_for_function("() => document.querySelector('#scan-result .answer-text').textContent"
                               ".includes('your last scan')")
        assert page.locator("#qc-form").get_attribute("data-card") == passing.code
        scan_like_a_scanner(page, "#PASS")
        page.wait_for_function("() => document.querySelector('#scan-result .answer-text').textContent"
                               ".includes('2 units passed QC')")
        scan_like_a_scanner(page, "#SIGN-OUT")
        page.wait_for_function("() => document.querySelector('#worker-panel').dataset.badge === ''")
    assert qc_events(failing) == ["qc_fail"] and qc_events(passing) == ["qc_pass"]


def test_packing_reprint_and_loading_by_command_codes(demo_server, browser):
    order = make_order(lines=[("DC-08", 1)], number="SO-CMD-PACK")
    card = cards_of(order)[0]
    at_qc(card.code)
    scan("qc", card.code)
    with kiosk(browser, demo_server.url, "packing") as page:
        scan_like_a_scanner(page, "#REPRINT")
        assert "Nothing to reprint now" in wait_answer(page, "#REPRINT", "rejected")
        scan_like_a_scanner(page, card.code)
        wait_answer(page, card.code, "ok")
        scan_like_a_scanner(page, card.code)
        wait_answer(page, card.code, "duplicate")
        scan_like_a_scanner(page, "#REPRINT-LOST")
        scan_like_a_scanner(page, "#REPRINT")
        page.wait_for_function("() => document.querySelector('#scan-result .answer-text')"
                               ".textContent.includes('Reprint of all')")
    assert ScanEvent.select().where(ScanEvent.action == "reprint").count() == 1

    shipped = make_order(lines=[("DC-08", 1)], number="SO-CMD-LOAD")
    cartons = stocked(shipped)
    pick_list = create_pick_list("LH", whole(shipped), "沪A00003", "loading")
    with kiosk(browser, demo_server.url, "loading") as page:
        scan_like_a_scanner(page, f"#PICK-{pick_list.code}")
        assert "0 of 1 cartons loaded" in wait_answer(page, pick_list.code, "ok")
        for carton in cartons:
            scan_like_a_scanner(page, carton.code)
            wait_answer(page, carton.code, "ok")
        scan_like_a_scanner(page, "#FINISH")
        page.wait_for_selector("#manifest-link")
    from db.models import PickList

    assert PickList.get_by_id(pick_list.id).status == "finished"
