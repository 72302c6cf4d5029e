"""QC records only an explicit, complete verdict (domain rules, no HTTP): what a verdict needs, the
"still waits" answer, scrap, and the rework card queued on the station's printer and reprinted."""

from __future__ import annotations

import pytest

from db.models import JobCard, PrintJob, ScanEvent, Station
from kiosk.core import plant as plant_cache
from kiosk.stations import qc
from tests.factories import cards_of, make_order, scan, set_printer


@pytest.fixture
def card(plant):
    order = make_order(lines=[("DT-120", 4)])
    card = cards_of(order)[0]
    scan("whitebody", card.code)
    scan("finishing", card.code)
    return JobCard.get_by_id(card.id)


def problem(card, **options):
    found = qc.verdict_problem(card, Station.get(Station.code == "qc"), options)
    return found.key if found is not None else None


def test_only_an_explicit_complete_verdict_is_accepted(card):
    assert problem(card) == "Choose Pass, Fail or Scrap for card {card}."
    assert problem(card, verdict="maybe") == "Choose Pass, Fail or Scrap for card {card}."
    assert problem(card, verdict="pass") is None
    assert problem(card, verdict="fail", failed_units="1", rework_station="finishing") == "Choose a defect reason."
    assert problem(card, verdict="fail", failed_units="1", defect="Dent") == \
        "Choose the station to send the failed units back to."
    assert problem(card, verdict="fail", failed_units="1", defect="Dent", rework_station="packing") == \
        "Choose the station to send the failed units back to."  # not an earlier station
    assert problem(card, verdict="fail", failed_units="9", defect="Dent", rework_station="finishing") == \
        "Failed units must be between 1 and {units}."
    assert problem(card, verdict="fail", failed_units="1", defect="Dent", rework_station="finishing") is None
    assert problem(card, verdict="scrap", failed_units="1") == "Choose a defect reason."
    assert problem(card, verdict="scrap", failed_units="2", defect="Crack") is None


def test_a_scan_with_no_verdict_records_no_pass(card):
    result = scan("qc", card.code, verdict="")
    assert result.outcome == "rejected" and result.action == "qc"
    assert JobCard.get_by_id(card.id).next_seq == 2  # still waits at QC
    fail = scan("qc", card.code, verdict="fail", failed_units="1", rework_station="finishing")
    assert fail.outcome == "rejected" and fail.message.key == "Choose a defect reason."
    assert not JobCard.select().where(JobCard.parent == card.id).exists()


def test_still_waiting_names_both_codes():
    text = qc.still_waiting("JC0000042", "JC0000043").render("en")
    assert text.startswith("JC0000042 still waits for a verdict") and "JC0000043" in text
    assert "Nothing was recorded" in text


def test_scrap_takes_units_off_the_card_and_says_the_order_is_short(card):
    result = scan("qc", card.code, verdict="scrap", failed_units="1", defect="Crack")
    assert result.outcome == "warning" and result.action == "qc_scrap"
    text = result.message.render("en")
    assert "1 units scrapped (Crack)" in text and "is 1 units short" in text
    after = JobCard.get_by_id(card.id)
    assert after.units == 3 and after.next_seq == 3  # the good units passed on to packing
    assert not JobCard.select().where(JobCard.parent == card.id).exists()


def test_scrapping_every_unit_voids_the_card(card):
    scan("qc", card.code, verdict="scrap", failed_units="4", defect="Crack")
    assert JobCard.get_by_id(card.id).status == "void"


def test_rework_card_is_queued_on_the_qc_printer_and_can_be_reprinted(card):
    set_printer("qc", "label_printer", "qc-zebra", "zpl")
    result = scan("qc", card.code, verdict="fail", failed_units="1", defect="Dent", rework_station="whitebody")
    rework = result.detail["rework_card"]
    jobs = list(PrintJob.select().where(PrintJob.document == f"job card {rework}"))
    assert len(jobs) == 1 and jobs[0].status == "queued"
    assert rework.encode() in bytes(jobs[0].payload)
    text = result.message.render("en")
    assert f"Card {rework} was sent to the print queue of qc-zebra" in text
    assert "printed" not in text  # queued is all we know
    again = scan("qc", rework, reprint="card")
    assert again.outcome == "ok" and again.action == "reprint"
    assert PrintJob.select().where(PrintJob.document == f"job card {rework}").count() == 2
    assert ScanEvent.select().where(ScanEvent.action == "qc_fail").count() == 1


def test_no_printer_at_qc_says_so(card):
    Station.update(label_printer=None, receipt_printer=None).where(Station.code == "qc").execute()
    plant_cache.forget()
    result = scan("qc", card.code, verdict="fail", failed_units="1", defect="Dent", rework_station="whitebody")
    assert "No printer is set up at this station" in result.message.render("en")
    assert PrintJob.select().count() == 0
