"""My day (我的今天): what a worker sees of their own day at the kiosk, and nothing of anyone else's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from db.models import Worker
from kiosk.core.clock import today
from kiosk.pay.earnings import worker_day_lines


@dataclass
class MyDay:
    worker: Worker
    day: dt.date
    passes: int = 0
    units: int = 0
    cartons: int = 0
    earned: int = 0
    deductions: int = 0
    adjustments: int = 0
    deduction_lines: list = field(default_factory=list)
    adjustment_lines: list = field(default_factory=list)
    scans: list = field(default_factory=list)  # OwnScan, oldest first

    @property
    def total(self) -> int:
        return self.earned + self.deductions + self.adjustments


def my_day(worker: Worker, day: dt.date | None = None) -> MyDay:
    day = day or today()
    lines, own, undone = worker_day_lines(worker.id, day)
    found = MyDay(worker, day)
    for line in lines:
        if line.kind == "pass":
            found.passes += line.passes
            found.units += line.units
            found.cartons += line.cartons
            found.earned += line.amount
        elif line.kind == "deduction":
            found.deductions += line.amount
            found.deduction_lines.append(line)
        else:
            found.adjustments += line.amount
            found.adjustment_lines.append(line)
    found.scans = own
    return found


def day_summary(worker) -> MyDay | None:
    """The short line under a badge's sign-in answer (None for a crew card)."""
    if not isinstance(worker, Worker):
        return None
    return my_day(worker)
