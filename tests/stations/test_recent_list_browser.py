"""The "last scans here" list in a real browser: each answer carries only the rows newer than the
kiosk's list (usually the one scan), and the kiosk puts them on top, keeping the list's length."""

from __future__ import annotations

import re

import pytest

from tests.auth_helpers import pair_browser
from tests.browser import scan_like_a_scanner, wait_answer
from tests.factories import cards_of, make_order, scan

pytestmark = pytest.mark.browser


def listed_codes(page) -> list[str]:
    return page.locator("#recent-scans li .code").all_inner_texts()


def test_answers_carry_only_new_rows_and_the_kiosk_keeps_the_list(demo_server, page):
    cards = cards_of(make_order(lines=[("DC-08", 70)], card_units=5))
    earlier = [c.code for c in cards[:10]]
    for code in earlier:  # a full list before the page opens
        assert scan("whitebody", code).outcome == "ok"
    pair_browser(page.context, demo_server.url, "whitebody")
    answers: list[str] = []
    page.on("response", lambda r: answers.append(r.text()) if r.url.endswith("/scan") else None)
    page.goto(f"{demo_server.url}/station/whitebody?lang=en")
    assert listed_codes(page) == earlier[::-1][:8]

    scan_like_a_scanner(page, "W003")
    page.wait_for_selector("#worker-panel >> text=李娜")
    scan_like_a_scanner(page, cards[10].code)
    wait_answer(page, cards[10].code, "ok")
    assert listed_codes(page) == [cards[10].code, *earlier[::-1][:7]]

    # another kiosk at this station scans meanwhile: the next answer brings both rows
    assert scan("whitebody", cards[11].code, badge="W004").outcome == "ok"
    scan_like_a_scanner(page, cards[12].code)
    wait_answer(page, cards[12].code, "ok")
    assert listed_codes(page) == [cards[12].code, cards[11].code, cards[10].code, *earlier[::-1][:5]]

    # a rejected scan is listed too, and an unknown code's red answer brings only itself
    scan_like_a_scanner(page, "JX0000001")
    wait_answer(page, "JX0000001", "rejected")
    assert listed_codes(page)[:2] == ["JX0000001", cards[12].code] and len(listed_codes(page)) == 8
    rows = [len(re.findall(r"<li [^>]*data-event=", body)) for body in answers]
    assert rows[-3:] == [1, 2, 1]  # the answers carried only what changed (the badge: no row)
    assert "李娜" in page.locator("#recent-scans li").first.inner_text()

    page.reload()  # the page itself shows the same list from the server
    assert listed_codes(page)[:4] == ["JX0000001", cards[12].code, cards[11].code, cards[10].code]
