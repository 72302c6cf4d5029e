"""The shared scan path: validate, replay a retried request, run the station's rule and write the
state change and its event in one transaction.

What a scan *means* at each kind of station lives in kiosk/stations/<kind>.py; this module is the
same for all of them. No Flask here: views and the JSON API call `record_scan()`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from peewee import IntegrityError, Value

from db import compiled, is_postgres, run_compiled, write
from db.models import ScanEvent, Station, Worker, utcnow
from kiosk.core import crews, plant
from kiosk.core.errors import ScanInputError
from kiosk.core.outcome import CODE_RE, IDEM_RE, Outcome, ScanRequest, ScanResult
from kiosk.core.scanned import normalise as normalise_scanned
from kiosk.core.scanned import two_codes
from kiosk.eventlog import board_counts
from kiosk.eventlog import stream as events
from kiosk.eventlog.rules import RECORDED, rule_for
from kiosk.i18n import msg

MAX_CLOCK_SKEW = dt.timedelta(days=7)
ACCEPTED = ("ok", "warning")  # outcomes that may have changed an order (a rejection changes nothing)


def scanned_code(code: str | None) -> str:
    """What a scan field sent, checked as a scanner types it: printable ASCII (kiosks and desks alike)."""
    code = (code or "").strip()
    if not code:
        raise ScanInputError(msg("Nothing was scanned."))
    if not CODE_RE.match(code):
        raise ScanInputError(
            msg("“{code}” is not a code this plant prints. Scan the barcode on the card or label.",
                code=_printable(code)[:40])
        )
    return code


def validate(request: ScanRequest) -> None:
    if not IDEM_RE.match(request.idem_key or ""):
        raise ScanInputError(msg("This scan has no valid request key; reload the page and scan again."))
    code = normalise_scanned(request.code or "")  # full width, case, spaces (kiosk/core/scanned.py)
    both = two_codes(code) if code else None
    if both:
        raise ScanInputError(msg("Two codes arrived as one scan ({codes}): nothing was recorded. Scan them one at "
                                 "a time.", codes=" · ".join(both)[:80]))
    request.code = scanned_code(code)
    if request.worker_badge is not None:
        request.worker_badge = normalise_scanned(request.worker_badge)
    if request.worker_badge is not None and not CODE_RE.match(request.worker_badge):
        raise ScanInputError(msg("That badge code is not valid. Scan your badge again."))
    if request.scanned_at is not None:
        now = utcnow()
        if request.scanned_at > now + dt.timedelta(minutes=5) or request.scanned_at < now - MAX_CLOCK_SKEW:
            request.scanned_at = None  # a kiosk with a wrong clock: keep the server's time


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def find_replay(idem_key: str) -> ScanResult | None:
    query = compiled("replay-id", lambda p: ScanEvent.select(ScanEvent.id).where(ScanEvent.idem_key == p("key")))
    found = run_compiled(query, key=idem_key)
    if not found:
        return None
    return ScanResult.from_event(ScanEvent.get_by_id(found[0].id), replayed=True)


def _people(*badges: str) -> dict[str, Worker]:
    query = compiled("workers-by-badge", lambda p: Worker.select().where(
        Worker.badge.in_([p("a"), p("b")]) & Worker.active))
    return {w.badge: w for w in run_compiled(query, a=badges[0], b=badges[-1])}


def record_scan(request: ScanRequest) -> ScanResult:
    """Record one scan, exactly once per idempotency key, and say what it meant."""
    validate(request)
    station = plant.station_by_code(request.station_code)
    if station is None:
        raise ScanInputError(msg("There is no station “{code}”.", code=request.station_code[:32]))

    # Before the write queue, not in it: the plant's writers take turns, so what is read here (a retry's
    # original, who the badges name) costs no other scan any time. A retry that races its original past this
    # check meets the idempotency key's unique index when it writes: its savepoint is rolled back, and it is
    # answered with the original's event (below). A worker made inactive meanwhile is as if a moment later.
    replay = find_replay(request.idem_key)
    if replay:
        return replay
    people = _people(request.code, request.worker_badge or request.code)

    def run() -> ScanResult:
        badge_owner = people.get(request.code)
        if badge_owner is not None:
            outcome = Outcome("ok", "sign_in", msg("Signed in: {name}", name=badge_owner.name),
                              detail={"badge": badge_owner.badge, "worker": badge_owner.name})
            return result_of(write_event(station, badge_owner, request, outcome), outcome)
        crew_card = crews.crew_by_code(request.code)  # a crew (班组) signs in with its card
        if crew_card is not None:
            outcome = Outcome("ok", "sign_in", msg("Signed in: {name}", name=crew_card.label),
                              detail={"badge": crew_card.code, "worker": crew_card.label, "crew": crew_card.shares})
            return result_of(write_event(station, crew_card.lead, request, outcome), outcome)
        worker = people.get(request.worker_badge) if request.worker_badge else None
        crew = None
        if worker is None and request.worker_badge:
            crew = crews.crew_by_code(request.worker_badge)
            worker = crew.lead if crew is not None else None
        if worker is None and request.source == "kiosk":
            outcome = Outcome(
                "rejected", "scan", msg("Scan your badge first, then the card."), reason="no_worker"
            )
        else:
            outcome = rule_for(station)(station, worker, request)
        crews.stamp(outcome, crew)  # a crew's scan: its shares go with the event (kiosk/core/crews.py)
        event = write_event(station, worker, request, outcome)
        if crew is not None:
            crews.record_shares(event)
        return result_of(event, outcome)

    try:
        # Group commit: this scan shares one transaction and one fsync with every scan waiting now; the
        # answer comes back only after the commit. It changes nothing but the database, so a batch of scans
        # needs no savepoints: if one raises, the batch runs again, each in its own (db.write).
        return write(run, rerunnable=True)
    except IntegrityError:
        # The same key arrived twice at once (a retry racing the original): the other one won.
        replay = find_replay(request.idem_key)
        if replay:
            return replay
        raise


def result_of(event: ScanEvent, outcome: Outcome) -> ScanResult:
    """The answer for a new event, from what the rule already loaded (no extra queries)."""
    order = outcome.order or (outcome.job_card.order_line.order if outcome.job_card is not None else None)
    return ScanResult(
        event_id=event.id, outcome=event.outcome, action=event.action, reason=event.reason,
        message=outcome.message, units=event.units, code=event.code,
        order_number=order.number if order is not None else None,
        job_card_code=outcome.job_card.code if outcome.job_card is not None else None,
        at=event.at, detail=event.detail or {}, job_card=outcome.job_card,
    )


def write_event(station: Station | None, worker: Worker | None, request: ScanRequest, outcome: Outcome):
    events.event_recorded()  # once this transaction commits, open boards hear of it
    order = outcome.order
    if order is None and outcome.job_card is not None:
        order = outcome.job_card.order_line.order
    values = {
        "idem_key": request.idem_key,
        "at": utcnow(),
        "scanned_at": request.scanned_at,
        "station": station.id if station else None,
        "worker": worker.id if worker else None,
        "user": request.user,
        "code": request.code,
        "action": outcome.action,
        "outcome": outcome.outcome,
        "reason": outcome.reason,
        "message": outcome.message.to_json(),
        "units": outcome.units,
        "order": order.id if order is not None else None,
        "job_card": outcome.job_card.id if outcome.job_card is not None else None,
        "carton": outcome.carton.id if outcome.carton is not None else None,
        "pick_list": outcome.pick_list.id if outcome.pick_list is not None else None,
        "detail": outcome.detail,
    }
    # Each value goes through its field's conversion here, not in the cached SQL.
    query = compiled("insert-event", lambda p: ScanEvent.insert({
        getattr(ScanEvent, name): Value(p(name), converter=False) for name in values}))
    cursor = run_compiled(query, **{name: getattr(ScanEvent, name).db_value(value) for name, value in values.items()})
    new_id = cursor.fetchone()[0] if is_postgres() else cursor.lastrowid  # INSERT ... RETURNING on PostgreSQL
    if order is not None and outcome.outcome in ACCEPTED:  # the board's figures change with it, in its savepoint
        if outcome.board is not None:
            board_counts.add(order.id, outcome.board)  # the rule says exactly what moved
        else:
            board_counts.refresh(order.id)
    event = ScanEvent(id=new_id, **{
        name: value for name, value in values.items() if name not in ("message", "detail")})
    event.message, event.detail = outcome.message.to_json(), outcome.detail
    if outcome.job_card is not None:
        event.job_card = outcome.job_card  # as the rule loaded it (line, product): the kept figures need no query
    for keep in RECORDED:  # kept figures (piece pay) change with the event, in its transaction
        keep(event)
    return event


# -- desk actions ----------------------------------------------------------------------------------


def record_desk_action(idem_key: str, code: str, user: str, action: Callable[[], Outcome]) -> ScanResult:
    """Run a clerk's or supervisor's action at a desk once per key, logged like a scan.

    The same path as a kiosk scan without a station or worker: replay a retried key, take the write lock,
    run `action` and write its event in one transaction.
    """
    if not IDEM_RE.match(idem_key or ""):
        idem_key = f"desk-{uuid.uuid4().hex}"
    replay = find_replay(idem_key)
    if replay:
        return replay
    request = ScanRequest(station_code="", code=code[:64], idem_key=idem_key, user=user[:32], source="desk")

    def run() -> ScanResult:
        outcome = action()
        return result_of(write_event(None, None, request, outcome), outcome)

    try:
        return write(run)  # in the scans' group commit
    except IntegrityError:
        replay = find_replay(idem_key)
        if replay:
            return replay
        raise
