"""Alert rules: which conditions hold now, one message per condition until it clears, quiet hours.

Each kind of rule looks at the plant now and names the conditions that hold, each by a subject
(what it is about: a card, an order, a station, a printer, a call at a level) with a message:

- card_waiting: an open job card has not moved for more than `threshold` hours (at `station`, or anywhere);
- projected_late: an order is late or at risk on the order board (its projected finish is past its due date);
- qc_fail_rate: more than `threshold` % of the units inspected at a QC station in the last hour failed;
- printer_offline: a printer has been offline for more than `threshold` minutes;
- andon_escalated: an open andon call has reached level `threshold` (default 1) or higher.

`check` opens an AlertState for a new subject and queues one message to the rule's channel, in that
channel's language; a subject still holding sends nothing more; one that stopped holding is cleared, so
it alerts again if it comes back. In the rule's quiet hours (plant time) the message waits until they
end, and is dropped if the condition cleared meanwhile. No Flask here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from db import is_postgres, write_transaction
from db.models import (
    AlertDelivery,
    AlertRule,
    AlertState,
    AndonCall,
    JobCard,
    Order,
    OrderLine,
    Printer,
    ScanEvent,
    Station,
    utcnow,
)
from kiosk.core import plant
from kiosk.core.clock import to_local
from kiosk.i18n import Msg, msg

KINDS = ("card_waiting", "projected_late", "qc_fail_rate", "printer_offline", "andon_escalated")
KIND_LABELS = {
    "card_waiting": "A card waits at a station longer than N hours",
    "projected_late": "An order's projected finish passes its due date",
    "qc_fail_rate": "QC fail rate above X % in the last hour",
    "printer_offline": "A printer offline for N minutes",
    "andon_escalated": "An andon call escalated",
}
THRESHOLD_LABELS = {"card_waiting": "hours", "projected_late": "", "qc_fail_rate": "%",
                    "printer_offline": "minutes", "andon_escalated": "level"}
DEFAULT_THRESHOLDS = {"card_waiting": 4.0, "projected_late": 0.0, "qc_fail_rate": 10.0, "printer_offline": 10.0,
                      "andon_escalated": 1.0}
LOCK_KEY = 7312019  # PostgreSQL advisory lock: one process checks the rules at a time


@dataclass(frozen=True)
class Condition:
    subject: str
    message: Msg


def _names(station: Station) -> dict[str, str]:
    return {"zh": station.name_zh, "en": station.name_en}


def threshold(rule: AlertRule) -> float:
    try:
        return float(rule.threshold)
    except (TypeError, ValueError):
        return DEFAULT_THRESHOLDS[rule.kind]


# -- the conditions of each kind ------------------------------------------------------------------------


def cards_waiting(rule: AlertRule, now: dt.datetime) -> list[Condition]:
    hours = threshold(rule)
    cutoff = now - dt.timedelta(hours=hours)
    found = []
    for code, route_id, next_seq, moved, number in (
        JobCard.select(JobCard.code, JobCard.route, JobCard.next_seq, JobCard.updated_at, Order.number)
        .join(OrderLine).join(Order)
        .where((JobCard.status == "open") & (JobCard.updated_at <= cutoff) & ~Order.on_hold)
        .order_by(JobCard.id).tuples()
    ):
        stations = plant.route_stations(route_id)
        if not 0 <= next_seq < len(stations):
            continue
        station = stations[next_seq]
        if rule.station_id and station.id != rule.station_id:
            continue
        waited = int((now - moved).total_seconds() // 3600)
        found.append(Condition(f"card:{code}", msg("Card {code} of order {order} has waited at {station} for "
                                                   "{hours} hours", code=code, order=number,
                                                   station=_names(station), hours=waited)))
    return found


def orders_projected_late(rule: AlertRule, now: dt.datetime) -> list[Condition]:
    from kiosk.boards.figures import order_board

    board = order_board(to_local(now).date(), now=now)
    found = []
    for row in board.rows:
        if row.status not in ("late", "at_risk"):
            continue
        held = getattr(row, "held_at", None)
        status = msg("Late") if row.status == "late" else msg("At risk")
        if held is not None:
            text = msg("Order {order} ({customer}) will not make its due date {due}: {status}; most of its "
                       "remaining units are at {station}", order=row.number, customer=row.customer_name,
                       due=row.due_date.isoformat(), status=status, station=_names(held))
        else:
            text = msg("Order {order} ({customer}) will not make its due date {due}: {status}", order=row.number,
                       customer=row.customer_name, due=row.due_date.isoformat(), status=status)
        found.append(Condition(f"order:{row.number}", text))
    return found


def fail_rate(station_id: int, start: dt.datetime, end: dt.datetime) -> tuple[int, int]:
    """(units failed, units inspected) at a QC station between start and end."""
    from kiosk.boards.figures import not_undone

    passed = failed = 0
    for action, units, detail in (
        ScanEvent.select(ScanEvent.action, ScanEvent.units, ScanEvent.detail)
        .where((ScanEvent.station == station_id) & (ScanEvent.at >= start) & (ScanEvent.at < end)
               & ScanEvent.outcome.in_(("ok", "warning")) & ScanEvent.action.in_(("qc_pass", "qc_fail"))
               & not_undone())
        .tuples()
    ):
        detail = ScanEvent.detail.python_value(detail) if isinstance(detail, str) else (detail or {})
        passed += int(units or 0)
        if action == "qc_fail":
            failed += int(detail.get("failed_units") or 0)
    return failed, passed + failed


def qc_fail_rates(rule: AlertRule, now: dt.datetime) -> list[Condition]:
    limit = threshold(rule)
    stations = [s for s in plant.stations() if s.kind == "qc" and (not rule.station_id or s.id == rule.station_id)]
    found = []
    for station in stations:
        failed, inspected = fail_rate(station.id, now - dt.timedelta(hours=1), now)
        if inspected and failed * 100 > limit * inspected:
            found.append(Condition(f"qc:{station.code}", msg(
                "QC fail rate at {station}: {rate} % in the last hour ({failed} of {inspected} units), above "
                "{limit} %", station=_names(station), rate=round(100 * failed / inspected, 1), failed=failed,
                inspected=inspected, limit=_number(limit))))
    return found


def printers_offline(rule: AlertRule, now: dt.datetime) -> list[Condition]:
    minutes = threshold(rule)
    cutoff = now - dt.timedelta(minutes=minutes)
    found = []
    for printer in Printer.select().where(Printer.state == "offline").order_by(Printer.name):
        if printer.last_contact is not None and printer.last_contact > cutoff:
            continue
        since = printer.last_contact
        found.append(Condition(f"printer:{printer.name}", msg(
            "Printer {printer} has been offline for more than {minutes} minutes: {error}", printer=printer.name,
            minutes=_number(minutes), error=printer.last_error or "-") if since is None else msg(
            "Printer {printer} has been offline since {since}: {error}", printer=printer.name,
            since=to_local(since).strftime("%H:%M"), error=printer.last_error or "-")))
    return found


def andon_escalations(rule: AlertRule, now: dt.datetime) -> list[Condition]:
    from kiosk.andon.calls import KIND_LABELS as ANDON_KINDS
    from kiosk.andon.calls import LEVEL_LABELS

    level = max(1, int(threshold(rule) or 1))
    where = AndonCall.open & (AndonCall.level >= level)
    if rule.station_id:
        where &= AndonCall.station == rule.station_id
    found = []
    for call in AndonCall.select().where(where).order_by(AndonCall.id):
        minutes = int((now - call.called_at).total_seconds() // 60)
        found.append(Condition(f"andon:{call.id}:{call.level}", msg(
            "Andon {code} at {station} ({kind}) escalated to {level}: open for {minutes} minutes",
            code=f"#{call.id}", station=_names(call.station), kind=msg(ANDON_KINDS[call.kind]),
            level=msg(LEVEL_LABELS[min(call.level, len(LEVEL_LABELS) - 1)]), minutes=minutes)))
    return found


CONDITIONS = {"card_waiting": cards_waiting, "projected_late": orders_projected_late,
              "qc_fail_rate": qc_fail_rates, "printer_offline": printers_offline,
              "andon_escalated": andon_escalations}
assert tuple(CONDITIONS) == KINDS == tuple(KIND_LABELS)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# -- quiet hours -------------------------------------------------------------------------------------


def _minutes(hhmm: str) -> int | None:
    try:
        hours, minutes = hhmm.split(":")
        value = int(hours) * 60 + int(minutes)
    except (AttributeError, ValueError):
        return None
    return value if 0 <= value < 24 * 60 else None


def valid_time(hhmm: str) -> bool:
    return _minutes(hhmm) is not None


def quiet_until(rule: AlertRule, now: dt.datetime) -> dt.datetime | None:
    """When the rule's quiet hours end, if `now` (naive UTC) is inside them; else None."""
    start, end = _minutes(rule.quiet_from), _minutes(rule.quiet_to)
    if start is None or end is None or start == end:
        return None
    local = to_local(now)
    at = local.hour * 60 + local.minute
    inside = start <= at < end if start < end else (at >= start or at < end)
    if not inside:
        return None
    end_local = local.replace(hour=end // 60, minute=end % 60, second=0, microsecond=0)
    if end_local <= local:
        end_local += dt.timedelta(days=1)
    return end_local.astimezone(dt.UTC).replace(tzinfo=None)


# -- checking the rules ------------------------------------------------------------------------------


def message_text(message: Msg, lang: str, plant_name: str = "") -> str:
    text = message.render(lang)
    return f"[{plant_name}] {text}" if plant_name else text


def check(now: dt.datetime | None = None, plant_name: str = "") -> dict[str, int]:
    """Open and clear every active rule's conditions; queue one message per newly held condition."""
    now = now or utcnow()
    opened = cleared = 0
    rules = list(AlertRule.select().where(AlertRule.active).order_by(AlertRule.id))
    found = {rule.id: {c.subject: c for c in CONDITIONS[rule.kind](rule, now)}
             for rule in rules if rule.kind in CONDITIONS}
    with write_transaction():
        if is_postgres():
            from db import database

            database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        for rule in rules:
            holding = found.get(rule.id, {})
            open_states = {s.subject: s for s in AlertState.select().where((AlertState.rule == rule.id)
                                                                          & AlertState.cleared_at.is_null())}
            for subject, state in open_states.items():
                if subject not in holding:
                    state.cleared_at = now
                    state.save()
                    cleared += 1
            for subject, condition in holding.items():
                if subject in open_states:
                    continue
                state = AlertState.create(rule=rule.id, subject=subject[:96], message=condition.message.to_json(),
                                          opened_at=now)
                channel = rule.channel
                AlertDelivery.create(channel=channel.id, rule=rule.id, state=state.id,
                                     text=message_text(condition.message, channel.lang, plant_name),
                                     created_at=now, next_try_at=quiet_until(rule, now) or now)
                opened += 1
    return {"opened": opened, "cleared": cleared}

