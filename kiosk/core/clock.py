"""Plant time: the database keeps naive UTC; people read the plant's local time.

Every time shown to a person goes through one of the formats here, so a page, a message and a
printout say the same time the same way.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

PLANT_TZ = ZoneInfo(os.environ.get("KIOSK_TIMEZONE", "Asia/Shanghai"))


def to_local(at: dt.datetime) -> dt.datetime:
    return at.replace(tzinfo=dt.UTC).astimezone(PLANT_TZ)


def today() -> dt.date:
    return dt.datetime.now(PLANT_TZ).date()


def short_time(at: dt.datetime | None, empty: str = "-") -> str:
    """Month, day and minute in plant time (12-03 14:05), for messages about today's work."""
    return to_local(at).strftime("%m-%d %H:%M") if at else empty


def long_time(at: dt.datetime | None, empty: str = "-") -> str:
    """Date and minute in plant time (2026-12-03 14:05), for records kept longer."""
    return to_local(at).strftime("%Y-%m-%d %H:%M") if at else empty


def hour_minute(at: dt.datetime | None, empty: str = "-") -> str:
    """The time of day to the minute in plant time (14:05), e.g. since when a printer is offline."""
    return to_local(at).strftime("%H:%M") if at else empty


def stamp_time(at: dt.datetime | None, empty: str = "") -> str:
    """Month, day and second in plant time (12-03 14:05:09), for recent scans that may be from another day."""
    return to_local(at).strftime("%m-%d %H:%M:%S") if at else empty


def clock_time(at: dt.datetime | None, empty: str = "") -> str:
    """The time of day to the second in plant time (14:05:09), for a station's recent scans."""
    return to_local(at).strftime("%H:%M:%S") if at else empty
