"""The pay ledger: piece pay kept as the scans arrive, so a month settles without reading the whole log.

Each accepted pass adds its units, cartons and one pass to its group's row for the rate in force
(db.models.PayLedger, counts only: money is priced from them when read, kiosk/pay/passes.py); its undo takes
them off again. Each failure keeps its deduction lines (db.models.PayDeduction); its undo removes them, and
undoing a pass works out again the failures after it on its cards (another pass may now be to blame). All
in the scan's or the undo's own transaction (kiosk/eventlog/rules.RECORDED, UNDONE).

After an upgrade the ledger is filled from the log once (`ensure_filled`: at start-up, or before the first
figure is read); until then nothing is kept. A rate that starts now for a scan a kiosk already sent with its
clock ahead refills that day. No Flask here.
"""

from __future__ import annotations

import datetime as dt

from peewee import EXCLUDED, SQL, Value, fn

from db import compiled, compiled_cursor, database, is_postgres, run_compiled, write_transaction
from db.models import PayDeduction, PayLedger, PayLedgerFill, PayRate, PaySettings, ScanEvent
from kiosk.eventlog.rules import RECORDED, UNDONE
from kiosk.pay.deductions import deduction_lines
from kiosk.pay.logrows import (
    ACCEPTED,
    EARNING_ACTIONS,
    EVER,
    FAULT_ACTIONS,
    Products,
    card_family,
    events_by_id,
    faults_on_cards,
    load_events,
    new_row,
    raw_row,
    raw_rows,
    responsible_passes,
    undone_of,
    undone_since,
)
from kiosk.pay.passes import Line, count_passes
from kiosk.pay.paydays import MAX_LATE, Locks, plant_day
from kiosk.pay.rates import RATE_SET, RateBook, day_start_utc

_KEY = (PayLedger.worker, PayLedger.day, PayLedger.station, PayLedger.model_no, PayLedger.family, PayLedger.rework,
        PayLedger.rate, PayLedger.party, PayLedger.member)


def party_text(party) -> str:
    return ",".join(f"{worker}:{share}" for worker, share in party)


def party_of(text: str, cache: dict) -> tuple:
    party = cache.get(text)
    if party is None:
        party = cache[text] = tuple(tuple(int(n) for n in part.split(":")) for part in text.split(","))
    return party


def is_filled() -> bool:
    return bool(database.execute_sql("SELECT 1 FROM pay_ledger_fill LIMIT 1").fetchall())


_kept: dict = {}  # database epoch -> (version, RateBook, Locks): this process's copy of the pay settings


def settings() -> tuple[bool, RateBook | None, Locks | None]:
    """(ledger filled?, rates, approved periods) for a scan, in one statement while they have not changed.

    The rates and periods are read again only when the database's change counter for them (db.models.
    PaySettings, kept by triggers) has moved since this process last read them: the counter is read first,
    so a copy is never labelled newer than what it holds. Nothing is read when the ledger is not filled."""
    row = compiled_cursor(compiled("pay-settings", lambda p: PaySettings.select(
        PaySettings.epoch, PaySettings.version, fn.EXISTS(PayLedgerFill.select(SQL("1")))))).fetchone()
    if row is None:  # no counter (a database emptied by hand): read them as they are
        return is_filled(), RateBook(), Locks.load()
    epoch, version, filled = row[0], row[1], bool(row[2])
    if not filled:
        return False, None, None
    kept = _kept.get(epoch)
    if kept is None or kept[0] != version:
        kept = _kept[epoch] = (version, RateBook(), Locks.load())
    return True, kept[1], kept[2]


def ensure_filled() -> None:
    """Fill the ledger from the log if it does not hold it yet (once, after the upgrade that added it)."""
    if not is_filled():
        rebuild()


def _lock_log() -> None:
    """PostgreSQL: no scan or undo commits while the ledger is refilled (on SQLite the write lock does it)."""
    if is_postgres():
        database.execute_sql('LOCK TABLE "scan_event" IN SHARE ROW EXCLUSIVE MODE')


def rebuild(start_day: dt.date | None = None, end_day: dt.date | None = None) -> None:
    """Work the ledger out again from the log: for the plant days [start_day, end_day), or all of it."""
    with write_transaction():
        _lock_log()
        book, locks = RateBook(), Locks.load()
        if start_day is None:
            PayLedger.delete().execute()
            PayDeduction.delete().execute()
            rows, undone, faults = raw_rows(*EVER), undone_since(EVER[0]), load_events(*EVER)
        else:
            PayLedger.delete().where((PayLedger.day >= start_day) & (PayLedger.day < end_day)).execute()
            PayDeduction.delete().where((PayDeduction.day >= start_day) & (PayDeduction.day < end_day)).execute()
            start, end = day_start_utc(start_day), day_start_utc(end_day)
            rows, undone = raw_rows(start, end), undone_since(start - MAX_LATE)
            faults = load_events(start, end, late=False)  # failures are recorded online: no late window
        counted = count_passes(rows, book, undone, locks, start_day, end_day)
        _insert_counts(counted.groups)
        _insert_deductions(_deductions(faults, book, locks, start_day, end_day, undone if start_day is None else None))
        if not is_filled():
            PayLedgerFill.create()


def _rows(groups: dict, sign: int = 1) -> list[tuple]:
    """Ledger rows of counted groups: one per rate and member of the party."""
    rows = []
    for (party, day, station, model, family, rework), cells in groups.items():
        text = party_text(party)
        for rate_id, (units, cartons, passes) in cells.items():
            for member, (worker, _share) in enumerate(party):
                rows.append((worker, day, station, model, family, rework, rate_id, text, member,
                             sign * units, sign * cartons, sign * passes))
    return rows


_FIELDS = [*_KEY, PayLedger.units, PayLedger.cartons, PayLedger.passes]


def _insert_counts(groups: dict) -> None:
    """A refill's rows (the ones they replace were deleted)."""
    rows = _rows(groups)
    for start in range(0, len(rows), 500):
        PayLedger.insert_many(rows[start:start + 500], fields=_FIELDS).execute()


def _upsert(param):
    return (PayLedger.insert({field: Value(param(field.name), converter=False) for field in _FIELDS})
            .on_conflict(conflict_target=list(_KEY), update={
                PayLedger.units: PayLedger.units + EXCLUDED.units,
                PayLedger.cartons: PayLedger.cartons + EXCLUDED.cartons,
                PayLedger.passes: PayLedger.passes + EXCLUDED.passes}))


_CONVERT = [(field.name, field.db_value) for field in _FIELDS]


def _add_counts(groups: dict, sign: int) -> None:
    """Add (or take off) one pass's counts. A row whose passes are all undone stays, at 0: "my day" still
    finds the crew whose undone scans it lists. (One scan's few rows: the upsert's SQL is built once, db.compiled.)"""
    query = compiled("pay-ledger-add", _upsert)
    for row in _rows(groups, sign):
        run_compiled(query, **{name: convert(value) for (name, convert), value in zip(_CONVERT, row, strict=True)})


def _deductions(faults, book: RateBook, locks: Locks, start_day=None, end_day=None, undone=None) -> list[Line]:
    passes = responsible_passes({e.job_card_id for e in faults if e.job_card_id})
    if undone is None:
        undone = undone_of([e.id for e in faults] + [e.id for key, found in passes.items()
                                                     if not isinstance(key, tuple) for e in found])
    return deduction_lines(faults, book, undone, locks, start_day, end_day, find_passes=lambda _cards: passes)


def _insert_deductions(lines: list[Line]) -> None:
    rows = [{"fault": line.event_id, "culprit": line.culprit_id, "worker": line.worker_id, "day": line.day,
             "amount_fen": line.amount, "station": line.station_id, "model_no": line.model_no[:32],
             "units": line.units, "rework": line.rework, "reason": line.reason[:64], "code": line.code[:64],
             "at": line.at} for line in lines]
    for start in range(0, len(rows), 500):
        PayDeduction.insert_many(rows[start:start + 500]).execute()


def _count(event_id: int, sign: int, book: RateBook, locks: Locks, row=None) -> None:
    row = row or raw_row(event_id)
    if row is not None:
        _add_counts(count_passes([row], book, set(), locks, products=Products.joined([row])).groups, sign)


def _charge(fault_ids: list[int], book: RateBook, locks: Locks) -> None:
    """(Re)work out the deductions of these failures."""
    if not fault_ids:
        return
    PayDeduction.delete().where(PayDeduction.fault.in_(fault_ids)).execute()
    faults = [e for e in events_by_id(fault_ids) if e.action in FAULT_ACTIONS]
    _insert_deductions(_deductions(faults, book, locks))


def _pays(event: ScanEvent) -> bool:
    return event.outcome in ACCEPTED and (event.action in EARNING_ACTIONS or event.action in FAULT_ACTIONS)


def recorded(event: ScanEvent) -> None:
    """A new event, in its own transaction: a pass is counted, a failure charged."""
    if not _pays(event):
        return
    filled, book, locks = settings()
    if not filled:
        return
    if event.action in EARNING_ACTIONS:
        _count(event.id, 1, book, locks, new_row(event))  # read back from the log only if the scan did not load it
    if event.action in FAULT_ACTIONS:
        _charge([event.id], book, locks)


def undone(event: ScanEvent) -> None:
    """An undone event (its undo already written, same transaction): its pass and deductions come off."""
    if not _pays(event):
        return
    filled, book, locks = settings()
    if not filled:
        return
    if event.action in FAULT_ACTIONS:
        PayDeduction.delete().where(PayDeduction.fault == event.id).execute()
    if event.action in EARNING_ACTIONS:
        _count(event.id, -1, book, locks)
        if event.job_card_id is not None:  # a failure after it may now be charged to an earlier pass
            later = faults_on_cards(card_family(event.job_card_id), event.id)
            _charge([e.id for e in later], book, locks)


def rate_set(rate: PayRate) -> None:
    """A rate that starts now: a scan already recorded with a later scan time (a kiosk's clock ahead) is paid
    at it, so that day is worked out again. (Rates never start in the past, kiosk/pay/rates.set_rate.)"""
    if not is_filled():
        return
    q = "%s" if is_postgres() else "?"
    later = database.execute_sql(
        f"SELECT COALESCE(scanned_at, at) FROM scan_event WHERE station_id = {q} AND at >= {q} "
        f"AND COALESCE(scanned_at, at) >= {q}", (rate.station_id, rate.effective_at - dt.timedelta(hours=1),
                                                  rate.effective_at)).fetchall()
    if later:
        day = plant_day(rate.effective_at)
        rebuild(day, day + dt.timedelta(days=1))


RATE_SET.append(rate_set)
RECORDED.append(recorded)
UNDONE.append(undone)
