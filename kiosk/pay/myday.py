"""My day (我的今天): what a worker sees of their own day at the kiosk, and nothing of anyone else's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from db.models import Worker
from kiosk.core.clock import today
from kiosk.pay.earnings import worker_day_lines
from kiosk.pay.tally import Tally


@dataclass(kw_only=True)
class MyDay(Tally):
    worker: Worker
    day: dt.date
    scans: list = field(default_factory=list)  # OwnScan, oldest first


def my_day(worker: Worker, day: dt.date | None = None) -> MyDay:
    day = day or today()
    lines, own, _undone = worker_day_lines(worker.id, day)
    found = MyDay(worker=worker, day=day, scans=own)
    for line in lines:
        found.add(line)
    return found


def day_summary(worker) -> MyDay | None:
    """The short line under a badge's sign-in answer (None for a crew card)."""
    if not isinstance(worker, Worker):
        return None
    return my_day(worker)
