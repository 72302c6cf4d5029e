"""An undone scan is no longer output: the daily report leaves it out."""

from __future__ import annotations

from db.models import Station
from kiosk.boards.report import day_report
from kiosk.core.clock import today
from kiosk.eventlog.undo import undo_scan
from tests.factories import cards_of, make_order, scan


def test_undone_scan_leaves_the_daily_output(plant):
    first, second = cards_of(make_order(lines=[("DC-08", 6)], card_units=3))
    done = scan("whitebody", first.code)
    scan("whitebody", second.code)
    whitebody = Station.get(Station.code == "whitebody").id
    assert day_report(today()).station_totals.get(whitebody) == 6
    undo_scan(done.event_id, "scanned the wrong card", "sup")
    assert day_report(today()).station_totals.get(whitebody) == 3
