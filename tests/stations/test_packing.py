"""Packing: a job card that passed QC becomes its cartons and labels; again, it offers a reprint and
never makes more cartons; a lost label is reprinted by carton code; SSCC-18 when configured."""

from __future__ import annotations

import base64
import io
import re

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from db.models import Carton, JobCard, PrintJob, Worker
from kiosk.core import settings
from kiosk.core.errors import ActionRefused
from kiosk.core.plant import route_stations
from kiosk.eventlog.undo import undo_scan
from kiosk.i18n import Msg
from kiosk.labels.sscc import is_valid_sscc
from tests.auth_helpers import login, pair_kiosk
from tests.factories import cards_of, cartons_of, make_order, scan, set_printer, status_of, through_qc


@pytest.fixture
def qc_passed(plant):
    order = make_order(lines=[("SF-301", 2)])
    through_qc(order)
    return order


@pytest.fixture
def sscc_on():
    settings.configure({"SSCC_COMPANY_PREFIX": "0614141", "SSCC_EXTENSION": 3})
    yield
    settings.configure({})


def test_packing_makes_units_times_cartons_each_with_its_own_code(qc_passed):
    card = cards_of(qc_passed)[0]
    result = scan("packing", card.code)
    assert result.outcome == "ok" and result.action == "pack" and result.units == 2
    made = cartons_of(qc_passed)
    assert len(made) == 2 * 3
    assert [(c.unit_no, c.package_no, c.packages) for c in made] == [
        (u, p, 3) for u in (1, 2) for p in (1, 2, 3)]
    for carton in made:
        assert re.fullmatch(r"C\d{8}", carton.code) and carton.code.isascii() and not carton.code.isdigit()
        assert carton.status == "packed" and carton.sscc is None
    assert len({c.code for c in made}) == 6
    assert result.message.render("en") == (
        f"Card {card.code} packed: 2 units, 6 cartons. No label printer is set up here: print the labels from "
        "the browser preview.")
    assert "浏览器预览" in result.message.render("zh")
    assert result.detail["cartons"] == [c.code for c in made]
    card = JobCard.get_by_id(card.id)
    assert route_stations(card.route_id)[card.next_seq].code == "warehouse"
    assert status_of(qc_passed) == "packed"


def test_a_card_not_through_qc_is_not_packed(plant):
    order = make_order(lines=[("DT-120", 1)])
    card = cards_of(order)[0]
    result = scan("packing", card.code)
    assert result.outcome == "rejected" and result.reason == "out_of_sequence"
    assert Carton.select().count() == 0


def test_labels_queued_on_the_station_label_printer_in_carton_order(qc_passed):
    set_printer("packing", "label_printer", "pack-zpl", "zpl")
    result = scan("packing", cards_of(qc_passed)[0].code)
    assert result.outcome == "ok"
    assert "6 labels, one for each carton. Queued on pack-zpl, next in line." in result.message.render("en")
    jobs = list(PrintJob.select().order_by(PrintJob.id))
    assert [j.document for j in jobs] == [f"carton {c.code}" for c in cartons_of(qc_passed)]
    assert all(bytes(j.payload).startswith(b"^XA") and bytes(j.payload).rstrip().endswith(b"^XZ") for j in jobs)


def test_a_printer_name_with_no_printer_still_packs_and_says_why_no_labels(qc_passed):
    from db.models import Station
    from kiosk.core import plant as plant_cache

    Station.update(label_printer="gone").where(Station.code == "packing").execute()
    plant_cache.forget()
    result = scan("packing", cards_of(qc_passed)[0].code)
    assert result.outcome == "warning" and len(cartons_of(qc_passed)) == 6
    assert "No printer is called gone" in result.message.render("en")
    assert "print from the browser instead" in result.message.render("en")


def test_scanning_again_offers_a_reprint_and_never_makes_more_cartons(qc_passed):
    set_printer("packing", "label_printer", "pack-zpl", "zpl")
    card = cards_of(qc_passed)[0]
    scan("packing", card.code)
    again = scan("packing", card.code)
    assert again.outcome == "duplicate" and again.reason == "already_packed" and again.units == 0
    assert again.detail["offer_reprint"] is True
    assert "no new cartons were made. Press Reprint" in again.message.render("en")
    assert Carton.select().count() == 6 and PrintJob.select().count() == 6

    asked = scan("packing", card.code, reprint="all")  # no reason: nothing printed, it asks why
    assert asked.outcome == "rejected" and asked.detail["offer_reprint"] is True
    assert "why is it printed again?" in asked.message.render("en") and "为什么重打" in asked.message.render("zh")
    assert PrintJob.select().count() == 6

    reprint = scan("packing", card.code, reprint="all", reprint_reason="Torn or damaged")
    assert reprint.outcome == "ok" and reprint.action == "reprint"
    assert reprint.message.render("en") == (
        f"Reprint of all 6 labels of card {card.code} (Torn or damaged, reprint no. 1): 6 labels, one for each "
        "carton. Queued on pack-zpl behind 6 jobs.")
    assert "（撕破或损坏，第 1 次重打）" in reprint.message.render("zh")
    assert Carton.select().count() == 6 and PrintJob.select().count() == 12
    copies = list(PrintJob.select().where(PrintJob.id > 6).order_by(PrintJob.id))
    worker = Worker.get(Worker.badge == "W001").name  # who asked: the worker signed in at the kiosk
    assert {(j.reason, j.requested_by) for j in copies} == {("Torn or damaged", worker)}
    assert all(j.reprint_of is not None and j.created_at is not None for j in copies)

    lost = cartons_of(qc_passed)[4]
    one = scan("packing", card.code, reprint=lost.code, reprint_reason="Lost")
    assert one.detail["reprint_count"] == 2 and one.detail["reprint_reason"] == "Lost"
    assert "(Lost, reprint no. 2)" in one.message.render("en")
    assert one.outcome == "ok" and one.detail["reprinted"] == [lost.code]
    assert PrintJob.select().order_by(PrintJob.id.desc()).first().document == f"carton {lost.code}"
    bad = scan("packing", card.code, reprint="C99999999", reprint_reason="Lost")
    assert bad.outcome == "rejected" and "is not on card" in bad.message.render("en")


def test_a_carton_scanned_at_packing_offers_its_own_reprint(qc_passed):
    card = cards_of(qc_passed)[0]
    scan("packing", card.code)
    carton = cartons_of(qc_passed)[3]
    result = scan("packing", carton.code)
    assert result.outcome == "duplicate" and result.detail["carton"] == carton.code
    assert result.message.render("en").startswith(
        f"Carton {carton.code} is carton 1 of 3 of unit 2 on card {card.code}")
    reprint = scan("packing", carton.code, reprint="1", reprint_reason="Unreadable")
    assert reprint.detail["reprinted"] == [carton.code]
    assert "No label printer is set up here" in reprint.message.render("en")


def test_sscc_when_configured_is_valid_unique_and_scannable(qc_passed, sscc_on):
    scan("packing", cards_of(qc_passed)[0].code)
    made = cartons_of(qc_passed)
    assert all(is_valid_sscc(c.sscc) and c.sscc.startswith("30614141") for c in made)
    assert len({c.sscc for c in made}) == 6
    assert made[0].sscc[:17] == f"30614141{made[0].id:09d}"  # extension, GS1 prefix, serial from the row id
    # a GS1-128 scanner sends AI 00 and the 18 digits: the warehouse finds the carton by it
    result = scan("warehouse", "00" + made[0].sscc, location="A01")
    assert result.outcome == "ok" and Carton.get_by_id(made[0].id).status == "in_warehouse"


def test_a_bad_gs1_prefix_is_refused_at_start_up():
    from kiosk.labels.sscc import SSCCError

    with pytest.raises(SSCCError):
        settings.configure({"SSCC_COMPANY_PREFIX": "12AB"})
    settings.configure({})


def test_supervisor_undoes_packing_only_while_no_carton_was_scanned(qc_passed):
    first, second = make_order(lines=[("DT-120", 1)]), make_order(lines=[("DT-120", 1)])
    through_qc(first)
    through_qc(second)
    scanned = scan("packing", cards_of(first)[0].code)
    scan("warehouse", cartons_of(first)[0].code, location="A01")
    with pytest.raises(ActionRefused) as refused:
        undo_scan(scanned.event_id, "wrong card", "boss")
    assert "were scanned since" in refused.value.message.render("en")
    assert len(cartons_of(first)) == 2

    card = cards_of(second)[0]
    packing = scan("packing", card.code)
    undone = undo_scan(packing.event_id, "wrong card", "boss")
    assert f"Card {card.code} waits at packing again; throw away its 2 carton labels." in \
        Msg.from_json(undone.message).render("en")
    assert cartons_of(second) == []
    card = JobCard.get_by_id(card.id)
    assert route_stations(card.route_id)[card.next_seq].code == "packing" and card.status == "open"
    assert status_of(second) == "in_production"
    assert scan("packing", card.code).outcome == "ok"  # packed again, with new codes


def decoded(data_uri: str) -> list[str]:
    image = Image.open(io.BytesIO(base64.b64decode(data_uri.split(",", 1)[1])))
    return sorted(symbol.data.decode() for symbol in decode(image))


def test_label_preview_in_the_browser_decodes_to_the_carton_codes(client, qc_passed):
    card = cards_of(qc_passed)[0]
    scan("packing", card.code)
    pair_kiosk(client, "packing")
    page = client.get(f"/shipping/cards/{card.code}/labels?lang=en").get_data(as_text=True)
    images = re.findall(r'src="(data:image/png;base64,[^"]+)"', page)
    assert len(images) == 6
    assert [decoded(uri) for uri in images] == [[c.code] for c in cartons_of(qc_passed)]


def test_a_lost_label_is_reprinted_by_carton_code_from_the_desk(client, qc_passed):
    set_printer("packing", "label_printer", "pack-zpl", "zpl")
    scan("packing", cards_of(qc_passed)[0].code)
    carton = cartons_of(qc_passed)[2]
    login(client, "warehouse")
    page = client.get(f"/shipping/cartons?code={carton.code}&lang=en").get_data(as_text=True)
    assert decoded(re.search(r'src="(data:image/png;base64,[^"]+)"', page).group(1)) == [carton.code]
    assert 'value="pack-zpl" selected' in page
    from tests.auth_helpers import post

    before = PrintJob.select().count()
    response = post(client, f"/shipping/cartons/{carton.code}/reprint", {"printer": "pack-zpl", "reason": "torn"})
    assert response.status_code == 303
    assert PrintJob.select().count() == before + 1
    job = PrintJob.select().order_by(PrintJob.id.desc()).first()
    assert job.document == f"carton {carton.code}" and job.printer.name == "pack-zpl"
    assert client.get("/shipping/cartons?code=C42424242&lang=en").get_data(as_text=True).count("No carton has") == 1
