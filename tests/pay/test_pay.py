"""Piece pay from the event log: rates over time and tiers, crews, undo, quality deductions, locks."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from db import write_transaction
from db.models import Crew, CrewMember, PassShare, PayPeriod, PayRate, ScanEvent, Worker, utcnow
from kiosk.core.clock import today
from kiosk.core.errors import ActionRefused
from kiosk.eventlog.undo import undo_scan
from kiosk.pay import earnings, export, settlement
from kiosk.pay.money import parse_fen, split, yuan
from kiosk.pay.rates import RateBook, RateInput, RateRefused, set_rate, tiered_amount
from tests.factories import cards_of, make_order, scan

STANDARD = ["whitebody", "finishing", "qc", "packing", "warehouse", "loading"]


def rate(station="whitebody", model="DT-120", family="", **fields) -> PayRate:
    data = RateInput(station_code=station, model_no=model, family=family, **fields)
    return set_rate(data, "boss")


def day_pay() -> dict[int, settlement.WorkerPay]:
    return settlement.settle("day", today()).workers


def worker(badge: str) -> Worker:
    return Worker.get(Worker.badge == badge)


def total(badge: str) -> int:
    found = day_pay().get(worker(badge).id)
    return found.total if found else 0


def test_money_is_integer_fen_split_without_losing_one():
    assert parse_fen("12.5") == 1250 and parse_fen("0.05") == 5 and parse_fen("3") == 300
    assert parse_fen("1.005") is None and parse_fen("abc") is None and parse_fen("1e3") is None
    assert yuan(1250) == "12.50" and yuan(-5) == "-0.05"
    assert split(100, [1, 1, 1]) == [34, 33, 33]
    assert split(1001, [2, 1]) == [667, 334]
    assert sum(split(997, [3, 5, 7, 11])) == 997
    assert split(-100, [1, 1, 1]) == [-34, -33, -33]


def test_tiers_pay_more_after_n_units_in_a_day(plant):
    found = rate(unit_fen=100, tiers=[[10, 150], [20, 200]])
    book = RateBook()
    tiers = book.find(found.station_id, "DT-120", "standard", utcnow())
    assert tiered_amount(tiers, 0, 5) == 500
    assert tiered_amount(tiers, 8, 4) == 2 * 100 + 2 * 150
    assert tiered_amount(tiers, 18, 5) == 2 * 150 + 3 * 200


def test_a_pass_earns_the_rate_in_force_when_scanned_and_a_change_never_rewrites_it(plant):
    order = make_order(lines=[("DT-120", 8)], card_units=4)
    first, second = cards_of(order)
    rate(unit_fen=250, carton_fen=10)  # per unit 2.50, per carton (2 packages per table) 0.10
    assert scan("whitebody", first.code).ok
    rate(unit_fen=300)  # a raise from now on
    assert scan("whitebody", second.code).ok
    assert total("W001") == 4 * 250 + 4 * 2 * 10 + 4 * 300
    rate(unit_fen=999, effective=today() + dt.timedelta(days=1))  # tomorrow's rate changes nothing today
    assert total("W001") == 4 * 250 + 4 * 2 * 10 + 4 * 300
    with pytest.raises(RateRefused):
        rate(unit_fen=1, effective=today() - dt.timedelta(days=1))
    audited = ScanEvent.select().where(ScanEvent.action == "pay_rate").count()
    assert audited == 3


def test_a_family_rate_is_the_default_and_a_model_rate_wins(plant):
    rate(model="", family="standard", unit_fen=100)
    rate(model="DC-08", unit_fen=40)
    order = make_order(lines=[("DT-120", 2), ("DC-08", 3)])
    for card in cards_of(order):
        assert scan("whitebody", card.code).ok
    assert total("W001") == 2 * 100 + 3 * 40


def test_day_tiers_count_units_across_passes(plant):
    rate(unit_fen=100, tiers=[[5, 200]])
    order = make_order(lines=[("DT-120", 8)], card_units=4)
    for card in cards_of(order):
        assert scan("whitebody", card.code).ok
    assert total("W001") == 5 * 100 + 3 * 200


def test_rework_is_paid_at_its_own_rate_or_not_at_all(plant):
    rate(station="whitebody", unit_fen=100, rework_fen=30, deduct_percent=0)
    rate(station="finishing", unit_fen=100, rework_fen=0, deduct_percent=0)
    order = make_order(lines=[("DT-120", 4)])
    card = cards_of(order)[0]
    scan("whitebody", card.code, badge="W001")
    scan("finishing", card.code, badge="W002")
    failed = scan("qc", card.code, badge="W003", verdict="fail", failed_units="1", defect="Scratch",
                  rework_station="whitebody")
    rework = failed.detail["rework_card"]
    assert scan("whitebody", rework, badge="W004").ok
    assert scan("finishing", rework, badge="W005").ok
    assert total("W004") == 30
    assert total("W005") == 0
    pay = day_pay()[worker("W004").id]
    assert pay.rework_units == 1


def test_a_crew_shares_each_pass_by_shares_and_no_fen_is_lost(plant):
    with write_transaction():
        crew = Crew.create(code="CR01", name="A")
        for seq, (badge, share) in enumerate([("W001", 2), ("W002", 1), ("W003", 1)]):
            CrewMember.create(crew=crew, worker=worker(badge), share=share, seq=seq)
    rate(unit_fen=333)  # 3 units x 3.33 = 9.99 yuan: 999 fen by 2:1:1
    order = make_order(lines=[("DT-120", 3)])
    card = cards_of(order)[0]
    signed = scan("whitebody", "CR01", badge=None)
    assert signed.action == "sign_in" and signed.detail["badge"] == "CR01"
    result = scan("whitebody", card.code, badge="CR01")
    assert result.ok
    event = ScanEvent.get_by_id(result.event_id)
    assert event.worker.badge == "W001" and event.detail["crew"][0][1] == 2
    assert PassShare.select().where(PassShare.event == event).count() == 3
    parts = [total(b) for b in ("W001", "W002", "W003")]
    assert parts == [499, 250, 250]  # 499.5 / 249.75 / 249.75: the two fen left go to the largest fractions
    assert sum(parts) == 999


def test_undo_reverses_the_pay_with_the_scan(plant):
    rate(unit_fen=100)
    order = make_order(lines=[("DT-120", 4)])
    result = scan("whitebody", cards_of(order)[0].code)
    assert total("W001") == 400
    undo_scan(result.event_id, "wrong card", "boss")
    assert total("W001") == 0


def test_qc_failure_costs_the_worker_who_passed_the_units_where_they_went_wrong(plant):
    rate(station="whitebody", unit_fen=100, deduct_percent=100)
    rate(station="finishing", unit_fen=200, deduct_percent=50)
    order = make_order(lines=[("DT-120", 4)])
    card = cards_of(order)[0]
    scan("whitebody", card.code, badge="W001")
    scan("finishing", card.code, badge="W002")
    failed = scan("qc", card.code, badge="W003", verdict="fail", failed_units="2", defect="Paint run",
                  rework_station="finishing")
    pay = day_pay()
    assert pay[worker("W001").id].total == 400  # white-body is not to blame
    finisher = pay[worker("W002").id]
    assert finisher.earned == 800 and finisher.deductions == -200  # 50 % of 2 x 2.00
    assert finisher.deduction_lines[0].reason == "Paint run"
    assert worker("W003").id not in pay or pay[worker("W003").id].deductions == 0
    undo_scan(failed.event_id, "misjudged", "boss")
    assert day_pay()[worker("W002").id].deductions == 0


def test_a_locked_period_refuses_edits_and_a_correction_is_an_adjustment(plant):
    rate(unit_fen=100)
    order = make_order(lines=[("DT-120", 4)], card_units=2)
    first, second = cards_of(order)
    result = scan("whitebody", first.code)
    period = settlement.approve("day", today(), "boss")
    assert period.totals == {str(worker("W001").id): 200}
    with pytest.raises(settlement.SettlementRefused):
        settlement.approve("day", today(), "boss")
    with pytest.raises(RateRefused):
        rate(unit_fen=500)
    with pytest.raises(ActionRefused):
        undo_scan(result.event_id, "wrong", "boss")
    with pytest.raises(settlement.SettlementRefused):
        settlement.adjust(worker("W001"), 100, "missed", "boss", day=today())
    settlement.adjust(worker("W001"), -50, "broken tool", "boss", day=today() + dt.timedelta(days=1))
    tomorrow = settlement.settle("day", today() + dt.timedelta(days=1)).workers
    assert tomorrow[worker("W001").id].total == -50
    assert ScanEvent.select().where(ScanEvent.action.in_(("pay_approve", "pay_adjust"))).count() == 2
    assert settlement.settle("day", today()).workers[worker("W001").id].total == 200


def test_my_day_lists_only_the_workers_own_scans(plant):
    rate(unit_fen=100)
    order = make_order(lines=[("DT-120", 6)], card_units=2)
    a, b, c = cards_of(order)
    scan("whitebody", a.code, badge="W001")
    scan("whitebody", b.code, badge="W002")
    scan("whitebody", c.code, badge="W001")
    lines, own, _undone = earnings.worker_day_lines(worker("W001").id, today())
    assert [e.code for e in own] == [a.code, c.code]
    assert sum(line.amount for line in lines) == 400
    assert {line.worker_id for line in lines} == {worker("W001").id}


def test_settlement_export_is_safe_from_formulas(plant):
    from openpyxl import load_workbook

    rate(unit_fen=100)
    with write_transaction():
        Worker.update(name="=HYPERLINK(\"x\")").where(Worker.badge == "W001").execute()
    order = make_order(lines=[("DT-120", 2)])
    scan("whitebody", cards_of(order)[0].code)
    data = export.export_xlsx(settlement.settle("day", today()), "en")
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    row = [c for c in sheet[3]]
    assert row[1].value == "=HYPERLINK(\"x\")" and row[1].data_type == "s"
    assert float(row[9].value) == 2.0
    assert PayPeriod.select().count() == 0


def test_schema_v5_upgrades_an_older_database_in_place(tmp_path):
    from peewee import SqliteDatabase

    from db import models, schema

    old = SqliteDatabase(str(tmp_path / "old.sqlite3"))
    with old.bind_ctx([models.SchemaVersion, *models.ALL_MODELS]):
        schema.migrate(old, target=4)
        old.execute_sql('DROP TABLE "pay_rate"')
        old.execute_sql('ALTER TABLE "product" DROP COLUMN "finish"')
        old.execute_sql('DROP INDEX "scan_event_worker_id_at"')
        old.execute_sql('DELETE FROM "schema_version" WHERE version = 5')
        assert 5 in schema.migrate(old)
        assert "finish" in {c.name for c in old.get_columns("product")}
        assert old.table_exists("pay_rate")
        assert "scan_event_worker_id_at" in {i.name for i in old.get_indexes("scan_event")}
        assert schema.migrate(old) == []


def test_any_station_sends_units_back_or_scraps_them_and_the_passer_there_pays(plant):
    rate(station="whitebody", unit_fen=100, deduct_percent=100)
    rate(station="finishing", unit_fen=100, deduct_percent=100)
    order = make_order(lines=[("DT-120", 5)])
    card = cards_of(order)[0]
    scan("whitebody", card.code, badge="W001")
    refused = scan("finishing", card.code, badge="W002", defect_action="send_back", failed_units="2")
    assert refused.outcome == "rejected"  # no reason, no station: nothing happens
    sent = scan("finishing", card.code, badge="W002", defect_action="send_back", failed_units="2",
                defect="Crack", rework_station="whitebody")
    assert sent.outcome == "warning" and sent.action == "send_back"
    from db.models import JobCard

    rework = JobCard.get(JobCard.code == sent.detail["rework_card"])
    assert rework.units == 2 and rework.parent_id == card.id
    assert JobCard.get_by_id(card.id).units == 3 and JobCard.get_by_id(card.id).next_seq == 1  # still waits here
    scrapped = scan("finishing", card.code, badge="W002", defect_action="scrap", failed_units="1", defect="Dent")
    assert scrapped.action == "scrap" and JobCard.get_by_id(card.id).units == 2
    assert scan("finishing", card.code, badge="W002").ok  # the good units pass on
    pay = day_pay()
    assert pay[worker("W001").id].deductions == -200  # the two units sent back to white-body
    assert pay[worker("W002").id].deductions == 0  # scrap without a responsible station costs no one
    assert pay[worker("W002").id].earned == 200


def test_a_send_back_is_undone_with_its_deduction(plant):
    from db.models import JobCard

    rate(station="whitebody", unit_fen=100, deduct_percent=100)
    order = make_order(lines=[("DT-120", 4)])
    card = cards_of(order)[0]
    scan("whitebody", card.code, badge="W001")
    sent = scan("finishing", card.code, badge="W002", defect_action="send_back", failed_units="1",
                defect="Crack", rework_station="whitebody")
    assert day_pay()[worker("W001").id].deductions == -100
    undo_scan(sent.event_id, "wrong card", "boss")
    assert JobCard.get_by_id(card.id).units == 4
    assert JobCard.get(JobCard.code == sent.detail["rework_card"]).status == "void"
    assert day_pay()[worker("W001").id].deductions == 0
