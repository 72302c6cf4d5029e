"""The order board's figures for a small seeded plant; every expected number is worked out by hand
in the comments, not by the code under test."""

from __future__ import annotations

import datetime as dt

import pytest

from db.models import Carton, Station
from kiosk.boards import figures
from kiosk.core.clock import today
from kiosk.eventlog import board_counts
from tests.factories import cards_of, make_order, scan
from tests.pages import sign_in


def seed():
    """A: 4 units due in 10 days, through white-body, finishing and QC (3 cartons so far).
    B: 6 units due in 2 days, through white-body. C: 2 units, due yesterday, untouched.
    D: a draft (not released): never on the board. All DT-120: 2 cartons a unit, standard route."""
    now = today()
    a = make_order(lines=[("DT-120", 4)], number="A-1", due_date=now + dt.timedelta(days=10), customer_code="LH")
    b = make_order(lines=[("DT-120", 6)], number="B-1", due_date=now + dt.timedelta(days=2), customer_code="HM",
                   rush=True)
    c = make_order(lines=[("DT-120", 2)], number="C-1", due_date=now - dt.timedelta(days=1), customer_code="LH")
    make_order(lines=[("DT-120", 3)], number="D-1", release=False)
    card_a, card_b = cards_of(a)[0], cards_of(b)[0]
    for station in ("whitebody", "finishing"):
        scan(station, card_a.code)
    scan("qc", card_a.code, verdict="pass")
    scan("whitebody", card_b.code)
    scan("whitebody", card_b.code)  # duplicate: moves nothing
    for number, status in ((1, "packed"), (2, "in_warehouse"), (3, "loaded")):
        Carton.create(code=f"CT-A-{number}", job_card=card_a, order_line=card_a.order_line, unit_no=number,
                      package_no=1, packages=2, status=status)
    board_counts.refresh_all()  # cartons made here directly, not by a scan: the kept figures follow them
    return a, b, c


def station_ids() -> dict[str, int]:
    return {s.code: s.id for s in Station.select()}


def test_pace_is_units_through_each_station_in_the_last_seven_days_over_seven(plant):
    seed()
    ids = station_ids()
    pace = figures.stage_pace()
    # white-body: A 4 + B 6 = 10 (the duplicate moved nothing); finishing: A 4; QC: A 4
    assert pace == pytest.approx({ids["whitebody"]: 10 / 7, ids["finishing"]: 4 / 7, ids["qc"]: 4 / 7})


def test_board_rows_progress_cartons_status_and_order(plant):
    a, b, c = seed()
    ids = station_ids()
    # Two units a day at every stage, so days needed is easy to work out by hand.
    board = figures.order_board(today(), pace={station_id: 2.0 for station_id in ids.values()})
    assert [r.number for r in board.rows] == ["C-1", "B-1", "A-1"]  # late, at risk, on track; D-1 is a draft
    rows = {r.number: r for r in board.rows}

    row_a = rows["A-1"]
    done = {s.station.code: (s.done, s.total) for s in row_a.stages}
    # warehouse-in and loading count units from their cartons (kiosk/progress.py): unit 2's carton is
    # stored, unit 3's loaded -> 2 units through warehouse-in, 1 through loading
    assert done == {"whitebody": (4, 4), "finishing": (4, 4), "qc": (4, 4), "packing": (0, 4),
                    "warehouse": (2, 4), "loading": (1, 4)}
    # 4 units x 2 cartons = 8 expected; packed counts all three, in warehouse the stored and the loaded one
    assert (row_a.cartons_expected, row_a.cartons_packed, row_a.cartons_stored, row_a.cartons_loaded) == (8, 3, 2, 1)
    assert row_a.days_left == 10
    # Work by due date: C (2 left everywhere), B (6 left from finishing on), then A (packing 4,
    # warehouse-in 2, loading 3 left). Ahead of A: packing 2 + 6 + 4 = 12 -> 6 days; warehouse-in
    # 2 + 6 + 2 = 10 -> 5; loading 2 + 6 + 3 = 11 -> 5.5. The most: 6 <= 10 + 1 days left: on track.
    assert row_a.days_needed == 6.0 and row_a.status == "on_track"

    row_b = rows["B-1"]
    assert row_b.rush and row_b.customer_code == "HM"
    assert [(s.station.code, s.done) for s in row_b.stages][:2] == [("whitebody", 6), ("finishing", 0)]
    # B's finishing work ahead = C 2 + B 6 = 8 units / 2 = 4 days > 2 + 1 days left: at risk
    assert row_b.days_needed == 4.0 and row_b.status == "at_risk"
    assert row_b.cartons_expected == 12 and row_b.cartons_packed == 0

    row_c = rows["C-1"]
    assert row_c.days_left == -1 and row_c.status == "late"

    assert board.counts() == {"late": 1, "at_risk": 1, "on_track": 1}
    assert [r.number for r in board.filtered(customer="LH")] == ["C-1", "A-1"]
    assert [r.number for r in board.filtered(status="at_risk")] == ["B-1"]


def test_a_stage_without_recent_output_puts_only_orders_due_soon_at_risk(plant):
    seed()
    # The real pace: nothing packed in 7 days, so no order needing packing can be estimated.
    board = figures.order_board(today())
    rows = {r.number: r for r in board.rows}
    assert rows["A-1"].days_needed is None and rows["A-1"].status == "on_track"  # due in 10 days
    assert rows["B-1"].days_needed is None and rows["B-1"].status == "at_risk"  # due in 2 days (< 3)


def test_board_page_shows_rows_filters_and_explains_the_status(plant, client):
    seed()
    sign_in(client)
    page = client.get("/board?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.index('data-order="C-1"') < html.index('data-order="B-1"') < html.index('data-order="A-1"')
    assert 'data-order="D-1"' not in html
    assert "How the status is worked out" in html
    assert 'sse-connect="/board/events?view=orders&amp;since=' in html
    filtered = client.get("/board?lang=en&status=late").get_data(as_text=True)
    assert 'data-order="C-1"' in filtered and 'data-order="A-1"' not in filtered
    tv = client.get("/board?tv=1&lang=en")
    assert 'class="desk board tv"' in tv.get_data(as_text=True)


def test_tv_mode_turns_pages_by_itself(plant, client):
    seed()
    sign_in(client)
    client.application.config["BOARD_TV_ROWS"] = 2
    first = client.get("/board?tv=1&lang=en").get_data(as_text=True)
    assert first.count('class="board-row') == 2 and "Page 1 of 2" in first
    assert 'hx-get="/board/rows?page=2&amp;tv=1"' in first and "every 15s" in first
    second = client.get("/board/rows?page=2&tv=1&lang=en").get_data(as_text=True)
    assert second.count('class="board-row') == 1 and 'data-order="A-1"' in second
    assert 'hx-get="/board/rows?page=3&amp;tv=1"' in second
    wrapped = client.get("/board/rows?page=3&tv=1&lang=en").get_data(as_text=True)
    assert "Page 1 of 2" in wrapped


def test_boards_need_staff_or_a_paired_display(plant, client):
    assert client.get("/board").status_code in (302, 303)  # to the sign-in page
    assert client.get("/board/events?view=orders").status_code in (401, 403, 302, 303)
