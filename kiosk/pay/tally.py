"""Summing pay lines: one tally of passes, units, cartons, earnings, deductions and adjustments, the same for
a worker's day at the kiosk (kiosk/pay/myday.py) and a worker's period at the desk (kiosk/pay/settlement.py).
No Flask here."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kiosk.pay.passes import Line


@dataclass
class ByProduct:
    units: int = 0
    cartons: int = 0
    passes: int = 0
    amount: int = 0
    rework_units: int = 0


@dataclass(kw_only=True)
class Tally:
    passes: int = 0
    units: int = 0
    cartons: int = 0
    rework_units: int = 0
    earned: int = 0
    deductions: int = 0  # negative fen
    adjustments: int = 0
    deduction_lines: list = field(default_factory=list)
    adjustment_lines: list = field(default_factory=list)
    by_product: dict = field(default_factory=lambda: defaultdict(ByProduct))  # (station_id, model) -> ByProduct

    @property
    def total(self) -> int:
        return self.earned + self.deductions + self.adjustments

    def add(self, line: Line) -> None:
        if line.kind == "pass":
            self.earned += line.amount
            self.units += line.units
            self.cartons += line.cartons
            self.passes += line.passes
            group = self.by_product[(line.station_id, line.model_no)]
            group.units += line.units
            group.cartons += line.cartons
            group.passes += line.passes
            group.amount += line.amount
            if line.rework:
                self.rework_units += line.units
                group.rework_units += line.units
        elif line.kind == "deduction":
            self.deductions += line.amount
            self.deduction_lines.append(line)
        else:
            self.adjustments += line.amount
            self.adjustment_lines.append(line)
