"""Packing's Reprint asks why, in chromium: a scanner-only station scans the reason's command code then
#REPRINT (typed like a keyboard-wedge scanner: characters + Enter), a worker taps the reason chip then Reprint
(mouse clicks like a finger; focus stays in the scan field). Nothing prints without a reason; the print job
records who, when, why and the reprint count; Chinese and English."""

from __future__ import annotations

import pytest

from db.models import Carton, JobCard, OrderLine, PrintJob, ScanEvent, Worker
from tests.browser import kiosk, scan_like_a_scanner, wait_answer
from tests.factories import cards_of, make_order, scan

pytestmark = pytest.mark.browser

FOCUS_IN_SCAN_FIELD = "() => document.activeElement && document.activeElement.id === 'scan-input'"


def packed(number: str) -> JobCard:
    order = make_order(lines=[("DC-08", 1)], number=number)
    card = cards_of(order)[0]
    for station in ("whitebody", "finishing", "qc", "packing"):
        scan(station, card.code)
    return card


def tap(page, selector: str) -> None:
    page.locator(selector).first.click()
    assert page.evaluate(FOCUS_IN_SCAN_FIELD), f"focus left the scan field after tapping {selector}"


def answer_text(page) -> str:
    return page.locator("#scan-result .answer-text").inner_text()


def reprints_of(card: JobCard) -> list[PrintJob]:
    documents = [f"carton {c.code}" for c in Carton.select().join(OrderLine).where(Carton.job_card == card.id)]
    return list(PrintJob.select().where(PrintJob.document.in_(documents), PrintJob.reprint_of.is_null(False))
                .order_by(PrintJob.id))


def test_a_scanner_only_station_reprints_with_a_reason_by_command_codes(demo_server, browser):
    card = packed("SO-RR-CODES")
    with kiosk(browser, demo_server.url, "packing") as page:
        scan_like_a_scanner(page, card.code)
        wait_answer(page, card.code, "duplicate")
        scan_like_a_scanner(page, "#REPRINT")  # no reason yet: asked, nothing printed
        text = wait_answer(page, card.code, "rejected")
        assert "Nothing printed yet: why is it printed again?" in text
        assert reprints_of(card) == []
        assert page.locator("#reprint-reasons input[value='Torn or damaged']").count() == 1  # still offered
        scan_like_a_scanner(page, "#reprint-torn-or-damaged")  # any case, like a scanner with Caps Lock
        wait_answer(page, "#REPRINT-TORN-OR-DAMAGED", "ok")
        assert page.locator("#reprint-reasons input[value='Torn or damaged']").is_checked()
        assert page.evaluate(FOCUS_IN_SCAN_FIELD)
        scan_like_a_scanner(page, "#REPRINT")
        page.wait_for_function("() => document.querySelector('#scan-result .answer-text')"
                               ".textContent.includes('reprint no. 1')")
        assert "(Torn or damaged, reprint no. 1)" in answer_text(page)
        scan_like_a_scanner(page, card.code)  # its Enter presses nothing else: a scan again
        wait_answer(page, card.code, "duplicate")
    worker = Worker.get(Worker.badge == "W002")
    events = list(ScanEvent.select().where(ScanEvent.action == "reprint", ScanEvent.code == card.code)
                  .order_by(ScanEvent.id))
    assert [e.outcome for e in events] == ["rejected", "warning"]  # asked first, then done (amber: no printer here)
    done = events[1]
    assert (done.worker_id, done.detail["reprint_reason"], done.detail["reprint_count"]) == (
        worker.id, "Torn or damaged", 1) and done.at is not None
    assert reprints_of(card) == []  # no label printer in the demo plant: the labels come from the preview


def test_a_worker_taps_a_reason_then_reprint_in_chinese(demo_server, browser):
    card = packed("SO-RR-TAPS")
    with kiosk(browser, demo_server.url, "packing", lang="zh") as page:
        scan_like_a_scanner(page, card.code)
        wait_answer(page, card.code, "duplicate")
        assert "为什么重打" in page.locator("#reprint-reasons").inner_text()
        tap(page, "#reprint")  # no reason chosen for the worker
        assert "尚未打印：为什么重打？" in wait_answer(page, card.code, "rejected")
        tap(page, "#reprint-reasons label:has-text('丢失')")
        tap(page, "#reprint")
        page.wait_for_function("() => document.querySelector('#scan-result .answer-text')"
                               ".textContent.includes('第 1 次重打')")
        assert "（丢失，第 1 次重打）" in answer_text(page)
        scan_like_a_scanner(page, card.code)
        wait_answer(page, card.code, "duplicate")
        tap(page, "#reprint-reasons label:has-text('贴错标签')")
        tap(page, "#reprint")
        page.wait_for_function("() => document.querySelector('#scan-result .answer-text')"
                               ".textContent.includes('第 2 次重打')")
    done = ScanEvent.select().where(ScanEvent.action == "reprint", ScanEvent.code == card.code,
                                    ScanEvent.outcome != "rejected").order_by(ScanEvent.id)
    assert [(e.detail["reprint_reason"], e.detail["reprint_count"]) for e in done] == [("Lost", 1), ("Wrong label", 2)]
