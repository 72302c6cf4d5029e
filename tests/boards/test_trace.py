"""The trace page: every event of an order, a job card (with its rework) or a carton, in time order."""

from __future__ import annotations

import datetime as dt
import re

from db.models import Carton
from kiosk.boards import trace
from tests.factories import DAY, at, cards_of, make_order, scan_at
from tests.pages import sign_in


def seed():
    order = make_order(lines=[("DT-120", 5)], number="TR-1")
    card = cards_of(order)[0]
    scan_at(at(DAY, 8, 0), "whitebody", card.code, "W001")
    scan_at(at(DAY, 8, 5), "qc", card.code, "W003", verdict="pass")  # rejected: not through finishing
    scan_at(at(DAY, 9, 0), "finishing", card.code, "W002")
    failed = scan_at(at(DAY, 10, 0), "qc", card.code, "W003", verdict="fail", failed_units="1",
                     defect="Dent", rework_station="finishing")
    rework = failed.detail["rework_card"]
    scan_at(at(DAY, 11, 0), "finishing", rework, "W002")
    # recorded later but scanned earlier (an offline kiosk): time order follows `at`, not the id
    scan_at(at(DAY, 7, 30), "whitebody", "JC9999999", "W001")  # an unknown card: on no trace
    carton = Carton.create(code="CT-TR-1", job_card=card, order_line=card.order_line, unit_no=1, package_no=1,
                           packages=2, status="packed")
    return order, card, rework, carton


def test_job_card_trace_has_its_rework_in_time_order(plant):
    order, card, rework, _carton = seed()
    subject = trace.find(card.code)
    assert subject.kind == "job_card" and subject.order.id == order.id
    steps = [(e.station.code, e.action, e.outcome, e.worker.badge, e.code) for e in trace.events(subject)]
    assert steps == [
        ("whitebody", "pass", "ok", "W001", card.code),
        ("qc", "scan", "rejected", "W003", card.code),
        ("finishing", "pass", "ok", "W002", card.code),
        ("qc", "qc_fail", "warning", "W003", card.code),
        ("finishing", "pass", "ok", "W002", rework),
    ]
    # the rework card alone: only its own event
    assert [e.code for e in trace.events(trace.find(rework))] == [rework]


def test_order_and_carton_traces_and_unknown_codes(plant):
    order, card, rework, carton = seed()
    assert len(trace.events(trace.find(order.number))) == 5
    by_carton = trace.find("CT-TR-1")
    assert by_carton.kind == "carton" and by_carton.job_card_ids == {card.id}
    assert len(trace.events(by_carton)) == 4  # the card's way through the plant (not the rework's)
    assert trace.find("NOPE-1") is None and trace.find("") is None


def test_trace_page_by_typed_code_lists_who_station_what_outcome(plant, client):
    _order, card, rework, _carton = seed()
    sign_in(client)
    html = client.get(f"/trace?code={card.code}&lang=en").get_data(as_text=True)
    rows = re.findall(r'<tr class="(\w+)" data-event="(\d+)">(.*?)</tr>', html, re.S)
    assert [outcome for outcome, _, _ in rows] == ["ok", "rejected", "ok", "warning", "ok"]
    first = rows[0][2]
    assert "张伟" in first and "White-body" in first and "Done at station" in first
    assert f"{DAY} 08:00" in first
    assert "QC fail" in rows[3][2] and "Dent" in rows[3][2]
    assert f'href="/trace/{rework}"' in html  # the rework card leads on to its own trace
    assert 'sse-connect="/board/events?view=trace&amp;code=' in html
    missing = client.get("/trace?code=NOPE-1&lang=en").get_data(as_text=True)
    assert "Nothing in the plant has the code “NOPE-1”" in missing
    # the order board links each order to its trace
    assert DAY < dt.date.today()
    board = client.get("/board?lang=en").get_data(as_text=True)
    assert 'href="/trace?code=TR-1"' in board
