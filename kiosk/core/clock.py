"""Plant time: the database keeps naive UTC; people read the plant's local time."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

PLANT_TZ = ZoneInfo(os.environ.get("KIOSK_TIMEZONE", "Asia/Shanghai"))


def to_local(at: dt.datetime) -> dt.datetime:
    return at.replace(tzinfo=dt.UTC).astimezone(PLANT_TZ)


def today() -> dt.date:
    return dt.datetime.now(PLANT_TZ).date()
