"""The boards on a TV: at 1920x1080 nothing needs scrolling, the pages turn by themselves and every order of
a 30-order board is shown within one rotation, and the status is the biggest text in its row."""

from __future__ import annotations

import datetime as dt

import pytest

import db
from db.schema import migrate
from tests.auth_helpers import pair_browser
from tests.factories import cards_of, make_order, scan

pytestmark = pytest.mark.browser
TV_SECONDS = 2


@pytest.fixture
def tv_server(tmp_path):
    from kiosk.demo import seed_plant
    from tests.live import LiveServer

    url = f"sqlite:///{tmp_path}/tv.sqlite3"
    database = db.open_database(url)
    migrate(database)
    seed_plant()
    server = LiveServer(url, tmp_path / "instance", env={"KIOSK_BOARD_TV_SECONDS": str(TV_SECONDS)})
    server.start()
    yield server
    server.stop()
    database.close()


@pytest.fixture
def tv(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    yield page
    context.close()


def thirty_orders() -> list[str]:
    numbers = []
    today = dt.date.today()
    for index in range(30):
        order = make_order(lines=[("DT-120", 4 + index % 5), ("DC-08", 2)], number=f"SO-TV-{index + 1:02d}",
                           due_date=today + dt.timedelta(days=index - 5), rush=index % 7 == 0)
        for card in cards_of(order)[: index % 3]:
            scan("whitebody", card.code)
        numbers.append(order.number)
    return numbers


def fits(page) -> dict:
    return page.evaluate("""() => {
        const el = document.scrollingElement;
        return {height: el.scrollHeight, width: el.scrollWidth, vh: innerHeight, vw: innerWidth};
    }""")


def test_a_30_order_board_turns_its_pages_and_never_scrolls(tv_server, tv):
    numbers = thirty_orders()
    pair_browser(tv.context, tv_server.url, None)  # a wall screen paired as a display
    tv.goto(f"{tv_server.url}/board?tv=1")
    tv.wait_for_selector("#order-rows tr.board-row")
    seen: set[str] = set()
    pages_seen: set[str] = set()
    deadline = 6 * TV_SECONDS * 4
    for _ in range(deadline * 4):
        page_no = tv.locator("#order-rows").get_attribute("data-page")
        pages = int(tv.locator("#order-rows").get_attribute("data-pages"))
        if page_no not in pages_seen:
            pages_seen.add(page_no)
            size = fits(tv)
            assert size["height"] <= size["vh"] and size["width"] <= size["vw"], (page_no, size)
            seen |= set(tv.locator("#order-rows tr.board-row").evaluate_all("rows => rows.map(r => r.dataset.order)"))
            biggest = tv.evaluate("""() => Array.from(document.querySelectorAll('#order-rows tr.board-row'))
              .map(row => {
                const size = (el) => parseFloat(getComputedStyle(el).fontSize);
                const status = size(row.querySelector('td.status .badge'));
                const others = Array.from(row.querySelectorAll('td *, td')).filter(el =>
                    !el.closest('td.status .badge') && el.childNodes.length && Array.from(el.childNodes).some(
                        n => n.nodeType === 3 && n.textContent.trim())).map(size);
                return status > Math.max(...others);
            })""")
            assert all(biggest), page_no
        if len(pages_seen) == pages:
            break
        tv.wait_for_timeout(250)
    assert pages >= 2
    assert seen == set(numbers)


def test_the_station_board_fits_a_tv_page_after_page(tv_server, tv):
    from db.models import Station
    from kiosk.core.clock import today
    from kiosk.plan import plans

    thirty_orders()
    for station in Station.select():
        plans.set_plan(station.id, today(), 120, "clerk")  # plan against actual for every station
    pair_browser(tv.context, tv_server.url, None)
    tv.goto(f"{tv_server.url}/board/stations?tv=1")
    tv.wait_for_selector("#station-panel")
    assert not tv.locator(".topnav").is_visible()
    pages = tv.locator("#station-panel [data-tv-page]").count()
    shown = set()
    for _ in range(pages * 8):
        visible = tv.evaluate("() => Array.from(document.querySelectorAll('#station-panel [data-tv-page]'))"
                              ".filter(p => !p.hidden).map(p => p.dataset.tvPage)")
        assert len(visible) == 1
        if visible[0] not in shown:
            shown.add(visible[0])
            size = fits(tv)
            assert size["height"] <= size["vh"] and size["width"] <= size["vw"], (visible, size)
        if len(shown) == pages:
            break
        tv.wait_for_timeout(500)
    assert len(shown) == pages >= 2
