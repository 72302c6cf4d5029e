"""Quality deductions (质量扣减): units QC (or any station) sends back or scraps cost the worker who passed them
at the responsible station the rate's `deduct_percent` of those units' pay, split like that pass was.

The pass charged is the last accepted, not undone pass at the responsible station before the failure, on the
failed card or the card it came from. An undone failure deducts nothing. No Flask here.
"""

from __future__ import annotations

import datetime as dt

from kiosk.core import plant
from kiosk.pay.logrows import EARNING_ACTIONS, FAULT_ACTIONS, PayEvent, earners, responsible_passes
from kiosk.pay.money import percent_of, split
from kiosk.pay.passes import Line
from kiosk.pay.paydays import Locks
from kiosk.pay.rates import RateBook


def responsible_station(event: PayEvent, stations_by_code: dict[str, int]) -> int | None:
    code = event.detail.get("responsible_station") or event.detail.get("rework_station")
    return stations_by_code.get(code) if code else None


def failed_units(event: PayEvent) -> int:
    detail = event.detail
    return int(detail.get("failed_units") or detail.get("scrapped_units") or detail.get("units") or 0)


def chosen_faults(faults: list[PayEvent], undone: set[int], locks: Locks, start_day: dt.date | None = None,
                  end_day: dt.date | None = None) -> list[PayEvent]:
    """The failures that stand (not undone), each with its pay day, inside [start_day, end_day) when given."""
    chosen = []
    for event in faults:
        if event.action not in FAULT_ACTIONS or event.id in undone:
            continue
        event.day = locks.pay_day_of(event.at, event.scan_at)
        if (start_day and event.day < start_day) or (end_day and event.day >= end_day):
            continue
        chosen.append(event)
    return chosen


def deduction_lines(faults: list[PayEvent], book: RateBook, undone: set[int], locks: Locks,
                    start_day: dt.date | None = None, end_day: dt.date | None = None,
                    find_passes=None) -> list[Line]:
    """Quality deductions for failed or scrapped units, on the workers who passed them where they went wrong.
    `undone` must hold the undone ones among the failures and the passes of their cards."""
    chosen = chosen_faults(faults, undone, locks, start_day, end_day)
    if not chosen:
        return []
    stations = {s.code: s.id for s in plant.stations()}
    passes = (find_passes or responsible_passes)({e.job_card_id for e in chosen if e.job_card_id})
    lines = []
    for event in chosen:
        lines += fault_lines(event, passes, stations, book, undone)
    return lines


def fault_lines(event: PayEvent, passes: dict, stations: dict[str, int], book: RateBook,
                undone: set[int]) -> list[Line]:
    """One failure's deduction lines (none when no one is to blame or the rate deducts nothing)."""
    station = responsible_station(event, stations)
    failed = failed_units(event)
    if station is None or failed <= 0:
        return []
    culprit = _culprit(passes, event, station, undone)
    if culprit is None:
        return []
    rate = book.find(culprit.station_id, culprit.model_no, culprit.family, culprit.scan_at)
    if rate is None or rate.deduct_percent == 0:
        return []
    per_unit = rate.rework_fen if culprit.rework else rate.unit_fen + culprit.cartons_per_unit * rate.carton_fen
    amount = percent_of(failed * per_unit, rate.deduct_percent)
    if amount == 0:
        return []
    parties = earners(culprit)
    reason = str(event.detail.get("defect") or event.detail.get("reason") or "")
    return [Line(worker, event.day, "deduction", part, event.id, event.scan_at, culprit.station_id,
                 culprit.model_no, failed, 0, culprit.rework, reason=reason, code=event.code, culprit_id=culprit.id)
            for (worker, _share), part in zip(parties, split(-amount, [s for _, s in parties]), strict=True)]


def _culprit(passes: dict[int, list[PayEvent]], fault: PayEvent, station_id: int, undone: set[int]):
    """The last accepted, not undone pass at `station_id` before the fault, on its card or the card it came from."""
    card = fault.job_card_id
    seen = set()
    while card is not None and card not in seen:
        seen.add(card)
        candidates = [p for p in passes.get(card, ()) if p.station_id == station_id and p.id < fault.id
                      and p.id not in undone and p.action in EARNING_ACTIONS]
        if candidates:
            return max(candidates, key=lambda p: p.id)
        card = passes.get(("parent", card))
    return None
