"""The pay ledger kept with the scans: it says what a recomputation over the raw log says, through rate
changes, tiers, crews with uneven shares, failures, send-backs, undos and locked days; an upgrade fills it."""

from __future__ import annotations

import datetime as dt
import uuid

from db import database, schema, write_transaction
from db.models import Crew, CrewMember, PayDeduction, PayLedger, PayRate, Station, Worker, utcnow
from kiosk.core.clock import today
from kiosk.core.outcome import ScanRequest
from kiosk.eventlog.scan_path import record_scan
from kiosk.eventlog.undo import undo_scan
from kiosk.pay import earnings, ledger, settlement
from kiosk.pay.myday import my_day
from kiosk.pay.rates import RateInput, day_start_utc, set_rate
from tests.factories import cards_of, make_order, scan


def rate(station="whitebody", model="DT-120", family="", **fields) -> PayRate:
    return set_rate(RateInput(station_code=station, model_no=model, family=family, **fields), "boss")


def worker(badge: str) -> Worker:
    return Worker.get(Worker.badge == badge)


def figures(lines) -> dict:
    return {w: (p.total, p.earned, p.deductions, p.units, p.cartons, p.passes, p.rework_units)
            for w, p in settlement.summarise(lines).items()}


def kept_and_recomputed(day=None):
    day = day or today()
    end = day + dt.timedelta(days=1)
    return figures(earnings.period_lines(day, end)), figures(earnings.log_period_lines(day, end))


def crew(code: str, shares) -> None:
    with write_transaction():
        found = Crew.create(code=code, name=code)
        for seq, (badge, share) in enumerate(shares):
            CrewMember.create(crew=found, worker=worker(badge), share=share, seq=seq)


def busy_day() -> None:
    """A day of the plant: tiers, a family default and a model rate, a raise at noon, a crew of 3:1:1, QC
    failures back to white-body and finishing, rework, a send-back and a scrap, undos of a pass and a failure."""
    rate(model="", family="standard", unit_fen=101, tiers=[[3, 157]], rework_fen=43, deduct_percent=50)
    rate(station="finishing", unit_fen=211, carton_fen=7, deduct_percent=100)
    rate(station="qc", model="", family="standard", unit_fen=13)
    crew("CR01", [("W001", 3), ("W002", 1), ("W003", 1)])
    order = make_order(lines=[("DT-120", 12), ("DC-08", 7)], card_units=3)
    cards = cards_of(order)
    for n, card in enumerate(cards):
        assert scan("whitebody", card.code, badge="CR01" if n % 2 else "W004").ok
        if n == 2:
            rate(model="", family="standard", unit_fen=120, tiers=[[2, 170]], rework_fen=50)  # a raise, from now
    undone_pass = scan("finishing", cards[0].code, badge="W005")
    undo_scan(undone_pass.event_id, "wrong worker", "boss")
    for n, card in enumerate(cards):
        assert scan("finishing", card.code, badge="CR01" if n == 4 else "W005").ok  # a crew where no tiers are
    failed = scan("qc", cards[0].code, badge="W006", verdict="fail", failed_units="2", defect="Scratch",
                  rework_station="whitebody")
    rework = failed.detail["rework_card"]
    assert scan("whitebody", rework, badge="CR01").ok
    assert scan("finishing", rework, badge="W005").ok
    second = scan("qc", cards[1].code, badge="W006", verdict="fail", failed_units="1", defect="Paint run",
                  rework_station="finishing")
    undo_scan(second.event_id, "misjudged", "boss")
    assert scan("qc", cards[1].code, badge="W006", verdict="fail", failed_units="1", defect="Paint run",
                rework_station="finishing").outcome == "warning"
    for card in cards[2:4]:
        assert scan("qc", card.code, badge="W006").ok
    assert scan("packing", cards[2].code, badge="W007", defect_action="send_back", failed_units="1",
                defect="Crack", rework_station="whitebody").action == "send_back"
    assert scan("packing", cards[3].code, badge="W007", defect_action="scrap", failed_units="1",
                defect="Dent", rework_station="finishing").action == "scrap"


def test_the_ledger_says_what_the_log_says_through_a_busy_day(plant):
    busy_day()
    kept, recomputed = kept_and_recomputed()
    assert kept == recomputed
    assert len(kept) == 6 and sum(f[2] for f in kept.values()) < 0  # deductions landed
    crew_parts = [kept[worker(b).id][1] for b in ("W001", "W002", "W003")]
    assert 0 <= crew_parts[1] - crew_parts[2] <= 2 and abs(crew_parts[0] - 3 * crew_parts[1]) <= 6  # 3:1:1
    for badge in ("W001", "W002", "W004", "W005", "W006"):  # my day says what the settlement says
        day = my_day(worker(badge))
        pay = kept[worker(badge).id]
        assert (day.total, day.earned, day.deductions, day.units, day.passes) == (pay[0], pay[1], pay[2], pay[3],
                                                                                    pay[5])


def test_my_day_lists_each_own_scan_with_the_amount_it_earned(plant):
    rate(unit_fen=100, tiers=[[5, 200]])
    order = make_order(lines=[("DT-120", 8)], card_units=4)
    first, second = cards_of(order)
    assert scan("whitebody", first.code, badge="W001").ok
    assert scan("whitebody", second.code, badge="W001").ok
    day = my_day(worker("W001"))
    assert [s.amount for s in day.scans] == [400, 100 + 3 * 200]
    assert day.earned == sum(s.amount for s in day.scans) == 1100


def test_a_rate_starting_now_pays_a_scan_sent_with_its_kiosk_clock_ahead(plant):
    rate(unit_fen=100)
    order = make_order(lines=[("DT-120", 3)])
    ahead = utcnow() + dt.timedelta(minutes=3)  # the kiosk's clock runs 3 minutes fast
    assert record_scan(ScanRequest("whitebody", cards_of(order)[0].code, uuid.uuid4().hex, "W001",
                                   scanned_at=ahead)).ok
    rate(unit_fen=300)  # from now: the scan's own time is later
    kept, recomputed = kept_and_recomputed()
    assert kept == recomputed and kept[worker("W001").id][0] == 900


def test_a_late_scan_for_an_approved_day_is_paid_and_kept_on_the_day_it_arrived(plant):
    """A scan stamped with a day already approved arrives: the approved day's settlement stays as it was,
    the ledger keeps no row for it, and today pays it (the ledger's figure and the log's both)."""
    with write_transaction():
        PayRate.create(station=Station.get(Station.code == "whitebody"), model_no="DT-120", unit_fen=100,
                       effective_at=utcnow() - dt.timedelta(days=10))
    yesterday = today() - dt.timedelta(days=1)
    settlement.approve("day", yesterday, "boss")
    order = make_order(lines=[("DT-120", 2)])
    assert record_scan(ScanRequest("whitebody", cards_of(order)[0].code, uuid.uuid4().hex, "W001",
                                   scanned_at=day_start_utc(yesterday) + dt.timedelta(hours=10))).ok
    assert settlement.settle("day", yesterday).workers == {}
    assert PayLedger.select().where(PayLedger.day == yesterday).count() == 0
    kept, recomputed = kept_and_recomputed()
    assert kept == recomputed and kept[worker("W001").id][0] == 200


def test_undoing_every_pass_leaves_nothing_to_pay(plant):
    rate(unit_fen=100)
    order = make_order(lines=[("DT-120", 4)], card_units=2)
    results = [scan("whitebody", card.code) for card in cards_of(order)]
    assert PayLedger.select().count() == 1
    for result in results:
        undo_scan(result.event_id, "wrong card", "boss")
    assert PayLedger.get().passes == 0 and settlement.settle("day", today()).workers == {}
    assert [s.undone for s in my_day(worker("W001")).scans] == [True, True]


def test_an_upgrade_fills_the_ledger_from_the_log(plant):
    busy_day()
    before = figures(earnings.period_lines(today(), today() + dt.timedelta(days=1)))
    deductions = PayDeduction.select().count()
    old = database.obj
    for table in ("pay_deduction", "pay_ledger", "pay_ledger_fill"):
        old.execute_sql(f'DROP TABLE "{table}"')
    old.execute_sql("DELETE FROM schema_version WHERE version = 9")
    assert 9 in schema.migrate(old)
    assert not ledger.is_filled() and PayLedger.select().count() == 0
    order = make_order(lines=[("DT-120", 3)])
    assert scan("whitebody", cards_of(order)[0].code, badge="W004").ok  # not kept until filled: no half ledger
    assert PayLedger.select().count() == 0
    ledger.ensure_filled()
    assert ledger.is_filled() and PayDeduction.select().count() == deductions
    kept, recomputed = kept_and_recomputed()
    assert kept == recomputed
    assert kept[worker("W004").id][0] > before[worker("W004").id][0]
    assert schema.migrate(old) == []


def test_an_odd_old_detail_never_stops_the_fill(plant):
    """Old rows whose detail is not an object (a string stored inside the JSON, a list) count as having
    no facts: the fill at start-up finishes and still says what a recomputation says."""
    busy_day()
    from db.models import ScanEvent

    accepted = ScanEvent.outcome.in_(("ok", "warning")) & ScanEvent.worker.is_null(False)
    odd = [ScanEvent.select().where(accepted & (ScanEvent.action == "qc_fail")).first().id,
           ScanEvent.select().where(accepted & (ScanEvent.action == "pass")
                                    & ~ScanEvent.detail.contains("crew")).first().id]
    old = database.obj
    q = "%s" if old.__class__.__name__.startswith("Postg") else "?"
    old.execute_sql(f"UPDATE scan_event SET detail = {q} WHERE id = {q}", ('"a note"', odd[0]))
    old.execute_sql(f"UPDATE scan_event SET detail = {q} WHERE id = {q}", ("[1, 2]", odd[1]))
    for table in ("pay_deduction", "pay_ledger", "pay_ledger_fill"):
        old.execute_sql(f'DROP TABLE "{table}"')
    old.execute_sql("DELETE FROM schema_version WHERE version = 9")
    assert 9 in schema.migrate(old)
    ledger.ensure_filled()
    assert ledger.is_filled()
    kept, recomputed = kept_and_recomputed()
    assert kept == recomputed and kept


def test_a_new_pass_is_counted_from_what_its_scan_loaded_exactly_as_read_back_from_the_log(plant, monkeypatch):
    """The ledger counts a new pass from the card its scan loaded (logrows.new_row), without reading the event
    back: the row it builds is the row the log gives (times and detail in the database's own form aside)."""
    from kiosk.pay import logrows
    from kiosk.pay.paydays import as_datetime

    built = []
    original = logrows.new_row

    def watched(event):
        row = original(event)
        built.append((event.id, row))
        return row

    monkeypatch.setattr(ledger, "new_row", watched)
    busy_day()

    def same_form(row):
        return (*row[:1], as_datetime(row[1]), as_datetime(row[2]), *row[3:7], logrows.facts(row[7]), *row[8:])

    from_scan = [(event_id, row) for event_id, row in built if row is not None]
    assert len(from_scan) >= 20  # white-body, finishing, QC and rework passes of the busy day
    for event_id, row in from_scan:
        assert same_form(row) == same_form(logrows.raw_row(event_id))
    kept, recomputed = kept_and_recomputed()
    assert kept == recomputed
