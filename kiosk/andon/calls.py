"""Andon calls: a station asks for help and the plant answers, every step with its time.

A call is made by a tap at a station's kiosk: material shortage, machine fault, quality problem or
help. Its states follow each other: called -> acknowledged -> arrived -> fixed (-> rechecked, for a
quality problem, which someone other than the fixer confirms). Each state has its time and who
reached it; the fixer closes the call with their badge. When the next state is not reached within
the plant's minutes for it (`Limits`), the call goes one level up (team leader -> supervisor ->
plant manager), one level per limit that passes. Every step is also written to the event log, so
the boards redraw and an order's trace tells it. Plain Python over the models; no Flask.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from db import write_transaction
from db.models import (
    ANDON_KINDS,
    AndonCall,
    JobCard,
    Order,
    OrderDelay,
    OrderLine,
    ScanEvent,
    Station,
    Worker,
    utcnow,
)
from kiosk.core import plant
from kiosk.core.clock import to_local
from kiosk.eventlog.audit import record_action
from kiosk.i18n import Msg, msg

KIND_LABELS = {
    "material": "Material shortage",
    "machine": "Machine fault",
    "quality": "Quality problem",
    "help": "Help",
}
assert tuple(KIND_LABELS) == ANDON_KINDS

STATE_LABELS = {
    "called": "Called",
    "acknowledged": "Acknowledged",
    "arrived": "Arrived",
    "fixed": "Fixed",
    "rechecked": "Rechecked",
}
STEP_BUTTONS = {"acknowledged": "Acknowledge", "arrived": "Arrived", "fixed": "Fixed (badge)",
                "rechecked": "Rechecked (badge)"}
LEVEL_LABELS = ("First response", "Team leader", "Supervisor", "Plant manager")

# The andon colours plants use: red line stopped, blue material, yellow warning, green resumed.
KIND_COLOURS = {"machine": "red", "material": "blue", "quality": "yellow", "help": "yellow"}

# Which delay reason (db.models.DELAY_REASONS) a call becomes on the orders it holds up.
DELAY_FOR_KIND = {"material": "material_shortage", "machine": "machine_fault", "quality": "high_defect_rate",
                  "help": "staffing"}

MAX_NOTE = 200


class AndonRefused(ValueError):
    """The step cannot be taken now; `message` says why and what to do."""

    def __init__(self, message: Msg):
        super().__init__(message.key)
        self.message = message


@dataclass(frozen=True)
class Limits:
    """Minutes each next state may take before escalation, the number of levels, and display times."""

    acknowledged: int = 3
    arrived: int = 10
    fixed: int = 30
    rechecked: int = 15
    levels: int = 3
    recent_card_minutes: int = 30
    resumed_minutes: int = 10

    @classmethod
    def from_config(cls, config: Mapping) -> Limits:
        def number(name: str, default: int) -> int:
            try:
                return max(1, int(config.get(name, default)))
            except (TypeError, ValueError):
                return default

        return cls(acknowledged=number("ANDON_ACK_MINUTES", 3), arrived=number("ANDON_ARRIVE_MINUTES", 10),
                   fixed=number("ANDON_FIX_MINUTES", 30), rechecked=number("ANDON_RECHECK_MINUTES", 15),
                   levels=number("ANDON_LEVELS", 3), recent_card_minutes=number("ANDON_RECENT_CARD_MINUTES", 30),
                   resumed_minutes=number("ANDON_RESUMED_MINUTES", 10))

    def minutes_for(self, state: str) -> int:
        return getattr(self, state)


def needs_recheck(call: AndonCall) -> bool:
    return call.kind == "quality"


def awaited_state(call: AndonCall) -> str | None:
    """The state the call waits for now; None when it is closed."""
    if not call.open:
        return None
    order = ["acknowledged", "arrived", "fixed"] + (["rechecked"] if needs_recheck(call) else [])
    for state in order:
        if getattr(call, f"{state}_at") is None:
            return state
    return None


def state_since(call: AndonCall) -> dt.datetime:
    """When the call entered its current state."""
    return {"called": call.called_at, "acknowledged": call.acknowledged_at, "arrived": call.arrived_at,
            "fixed": call.fixed_at, "rechecked": call.rechecked_at}[call.state] or call.called_at


def colour(call: AndonCall) -> str:
    if call.fixed_at is not None:
        return "green"  # running again (a quality call may still wait for its recheck)
    return KIND_COLOURS.get(call.kind, "yellow")


def kind_label(kind: str) -> Msg:
    return msg(KIND_LABELS.get(kind, kind))


def _station_names(station: Station) -> dict[str, str]:
    return {"zh": station.name_zh, "en": station.name_en}


def _log(call: AndonCall, action: str, who: str, message: Msg, now: dt.datetime, **detail) -> ScanEvent:
    return record_action(action, who, message, station=call.station_id, order=call.order_id,
                         job_card=call.job_card_id, code=f"ANDON-{call.id}", at=now,
                         detail={"andon": call.id, "kind": call.kind, **detail})


def _recent_card(station: Station, now: dt.datetime, minutes: int) -> tuple[int | None, int | None]:
    """(order id, job card id) of the last card accepted at this station within `minutes`."""
    row = (ScanEvent.select(ScanEvent.order, ScanEvent.job_card)
           .where((ScanEvent.station == station.id) & ScanEvent.job_card.is_null(False)
                  & ScanEvent.outcome.in_(("ok", "warning", "duplicate"))
                  & (ScanEvent.at >= now - dt.timedelta(minutes=minutes)) & (ScanEvent.at <= now))
           .order_by(ScanEvent.id.desc()).tuples().first())
    return (row[0], row[1]) if row else (None, None)


def call(station: Station, kind: str, badge: str | None = None, note: str = "", now: dt.datetime | None = None,
         limits: Limits = Limits()) -> AndonCall:
    """A new call from `station`; the same kind already open there is answered with that call instead."""
    if kind not in KIND_LABELS:
        raise AndonRefused(msg("Unknown kind of andon call."))
    now = now or utcnow()
    worker = Worker.get_or_none((Worker.badge == (badge or "").strip()[:32]) & Worker.active) if badge else None
    with write_transaction():
        existing = (AndonCall.select().where((AndonCall.station == station.id) & (AndonCall.kind == kind)
                                             & AndonCall.open).first())
        if existing is not None:
            return existing
        order_id, card_id = _recent_card(station, now, limits.recent_card_minutes)
        found = AndonCall.create(station=station.id, kind=kind, called_by=worker, order=order_id, job_card=card_id,
                                 note=" ".join((note or "").split())[:MAX_NOTE], called_at=now)
        _log(found, "andon_call", worker.name if worker else "",
             msg("Andon: {kind} at {station}", kind=kind_label(kind), station=_station_names(station)), now,
             badge=worker.badge if worker else "")
    return found


def _locked(call_id: int) -> AndonCall:
    found = AndonCall.get_or_none(AndonCall.id == call_id)
    if found is None:
        raise AndonRefused(msg("No such andon call."))
    return found


def _who(badge: str | None, user: str | None) -> tuple[Worker | None, str]:
    if badge:
        worker = Worker.get_or_none((Worker.badge == badge.strip()[:32]) & Worker.active)
        if worker is None:
            raise AndonRefused(msg("Unknown badge {badge}: scan your own badge first.", badge=badge.strip()[:32]))
        return worker, worker.name
    if user:
        return None, user[:64]
    raise AndonRefused(msg("Scan your badge first: the kiosk must know who answers the call."))


def advance(call_id: int, state: str, badge: str | None = None, user: str | None = None,
            now: dt.datetime | None = None) -> AndonCall:
    """Move a call on to `state`, by a worker's badge (at a kiosk) or a signed-in user (at a desk).

    Arriving also acknowledges a call nobody acknowledged (who arrives has seen it). Fixing needs a
    badge: the fixer closes the call. A quality call is then rechecked by someone else.
    """
    now = now or utcnow()
    worker, who = _who(badge, user)
    with write_transaction():
        found = _locked(call_id)
        if not found.open:
            raise AndonRefused(msg("This andon call is already closed."))
        if state == "acknowledged":
            if found.acknowledged_at is not None:
                raise AndonRefused(msg("Already acknowledged by {name}.", name=found.acknowledged_by))
            found.acknowledged_at, found.acknowledged_by = now, who
        elif state == "arrived":
            if found.arrived_at is not None:
                raise AndonRefused(msg("{name} has already arrived.", name=found.arrived_by))
            if found.acknowledged_at is None:
                found.acknowledged_at, found.acknowledged_by = now, who
            found.arrived_at, found.arrived_by = now, who
        elif state == "fixed":
            if worker is None:
                raise AndonRefused(msg("The fixer closes the call with their badge: scan it at the station."))
            if found.arrived_at is None:
                raise AndonRefused(msg("Tap Arrived first: nobody has arrived at this call yet."))
            found.fixed_at, found.fixed_by = now, worker.id
            if not needs_recheck(found):
                found.open, found.closed_at = False, now
        elif state == "rechecked":
            if found.fixed_at is None:
                raise AndonRefused(msg("Not fixed yet: a call is rechecked after it is fixed."))
            if not needs_recheck(found):
                raise AndonRefused(msg("Only a quality call is rechecked."))
            if worker is not None and worker.id == found.fixed_by_id:
                raise AndonRefused(msg("Someone other than the fixer rechecks the work."))
            found.rechecked_at, found.rechecked_by = now, who
            found.open, found.closed_at = False, now
        else:
            raise AndonRefused(msg("Unknown andon step."))
        found.state = state
        found.save()
        _log(found, f"andon_{state}", who,
             msg("Andon {code}: {state} by {name}", code=f"#{found.id}", state=msg(STATE_LABELS[state]), name=who),
             now)
    return found


def escalate_overdue(now: dt.datetime | None = None, limits: Limits = Limits()) -> list[AndonCall]:
    """Raise the level of every open call whose awaited state is late: one level per limit passed."""
    now = now or utcnow()
    raised = []
    with write_transaction():
        for found in list(AndonCall.select().where(AndonCall.open).order_by(AndonCall.id)):
            awaited = awaited_state(found)
            if awaited is None:
                continue
            waited = (now - state_since(found)).total_seconds() / 60
            due = min(limits.levels, int(waited // limits.minutes_for(awaited)))
            if due <= found.level:
                continue
            found.level, found.escalated_at = due, now
            found.save()
            _log(found, "andon_escalate", "", msg("Andon {code} at {station} escalated to {level}: not {state} "
                                                  "within {minutes} minutes", code=f"#{found.id}",
                                                  station=_station_names(found.station),
                                                  level=msg(LEVEL_LABELS[due]), state=msg(STATE_LABELS[awaited]),
                                                  minutes=limits.minutes_for(awaited)),
                 now, level=due)
            raised.append(found)
    return raised


def shown_calls(now: dt.datetime | None = None, station_id: int | None = None,
                limits: Limits = Limits()) -> list[AndonCall]:
    """Open calls, and calls fixed in the last few minutes (green), oldest first."""
    now = now or utcnow()
    recent = now - dt.timedelta(minutes=limits.resumed_minutes)
    where = AndonCall.open | (AndonCall.closed_at >= recent)
    if station_id is not None:
        where &= AndonCall.station == station_id
    return list(AndonCall.select().where(where).order_by(AndonCall.open.desc(), AndonCall.called_at))


def held_orders(found: AndonCall) -> list[Order]:
    """The orders a call holds up: the order it was called for, and those with cards waiting at its station."""
    ids: list[int] = [found.order_id] if found.order_id else []
    positions = plant.route_positions()
    for route_id, next_seq, order_id in (JobCard.select(JobCard.route, JobCard.next_seq, OrderLine.order)
                                         .join(OrderLine).where(JobCard.status == "open")
                                         .distinct().tuples()):
        if positions.get(route_id, {}).get(found.station_id) == next_seq and order_id not in ids:
            ids.append(order_id)
    if not ids:
        return []
    by_id = {o.id: o for o in Order.select().where(Order.id.in_(ids) & Order.status.not_in(("shipped", "cancelled")))}
    return [by_id[i] for i in ids if i in by_id]


def record_as_delay(found: AndonCall, order_ids: list[int], user: str, now: dt.datetime | None = None
                    ) -> list[OrderDelay]:
    """The call as the delay reason of these orders (of those it holds up), noted with its times."""
    now = now or utcnow()
    allowed = {o.id: o for o in held_orders(found)}
    chosen = [allowed[i] for i in dict.fromkeys(order_ids) if i in allowed]
    if not chosen:
        raise AndonRefused(msg("Pick at least one order this call holds up."))
    start = to_local(found.called_at).strftime("%m-%d %H:%M")
    end = to_local(found.fixed_at).strftime("%H:%M") if found.fixed_at else "…"
    note = f"ANDON-{found.id} {found.station.code} {start}-{end}"
    made = []
    with write_transaction():
        for order in chosen:
            made.append(OrderDelay.create(order=order.id, reason=DELAY_FOR_KIND[found.kind], note=note,
                                          user=user[:32], at=now))
            record_action("delay", user, msg("Andon {code} recorded as the delay reason of order {number}",
                                             code=f"#{found.id}", number=order.number), order=order.id,
                          station=found.station_id, code=f"ANDON-{found.id}")
    return made


def minutes_open(found: AndonCall, now: dt.datetime | None = None) -> int:
    end = found.closed_at or now or utcnow()
    return int((end - found.called_at).total_seconds() // 60)
