"""Which plant day a scan is paid on: the day it was scanned, unless that day's pay was already approved when
the scan reached the server (an offline kiosk), then the day it arrived, so an approved period never changes.

Plant days are whole hours of UTC (the plant's time zone is assumed to be offset by whole hours). No Flask here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from db import database
from kiosk.core.clock import PLANT_TZ

MAX_LATE = dt.timedelta(days=8)  # offline scans arrive at most 7 days late (kiosk/eventlog/scan_path.MAX_CLOCK_SKEW)


def as_datetime(value) -> dt.datetime | None:
    """A timestamp as the database handed it over (SQLite: ISO text) as a naive UTC datetime."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value)


def as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def plant_day(at: dt.datetime) -> dt.date:
    return at.replace(tzinfo=dt.UTC).astimezone(PLANT_TZ).date()


class DayOf:
    """Plant day of a recorded time (a datetime or SQLite's ISO text), cached per UTC hour."""

    def __init__(self):
        self.cache: dict = {}

    def __call__(self, at) -> dt.date:
        key = at[:13] if isinstance(at, str) else at.replace(minute=0, second=0, microsecond=0)
        day = self.cache.get(key)
        if day is None:
            hour = dt.datetime.fromisoformat(key + ":00") if isinstance(key, str) else key
            day = self.cache[key] = plant_day(hour)
        return day


@dataclass
class Locks:
    """Approved periods: a scan that reaches the server after its day was approved is paid on the day it
    arrived, so an approved period never changes."""

    periods: list = field(default_factory=list)  # (start, end, approved_at)

    @classmethod
    def load(cls) -> Locks:
        rows = database.execute_sql('SELECT start, "end", approved_at FROM pay_period').fetchall()
        return cls([(as_date(start), as_date(end), as_datetime(at)) for start, end, at in rows])

    def approved_at(self, day: dt.date) -> dt.datetime | None:
        found = [at for start, end, at in self.periods if start <= day < end]
        return min(found) if found else None

    def pay_day_of(self, recorded: dt.datetime, scanned: dt.datetime) -> dt.date:
        day = plant_day(scanned)
        if self.periods:
            approved = self.approved_at(day)
            if approved is not None and recorded > approved:
                return plant_day(recorded)
        return day
