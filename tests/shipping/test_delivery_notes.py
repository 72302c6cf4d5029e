"""Delivery notes (送货单): one per customer when loading finishes, printed on the receipt printer (and
delivered over a real socket), a preview and an A4 page whose barcodes scan as the note's number, the
signed copy scanned back at the desk once, and the notes not back after the configured days."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import re
import uuid

import pytest

from db import write_transaction
from db.models import DeliveryNote, Printer, PrintJob, ScanEvent, utcnow
from kiosk.core import settings
from kiosk.core.errors import ScanInputError
from kiosk.labels import render_png
from kiosk.printing.queue import deliver_pending
from kiosk.shipping import delivery_notes
from kiosk.shipping.delivery_notes import issue_for_pick_list, note_doc, note_layout, scan_back
from tests.auth_helpers import hx_post, login, post
from tests.factories import finish_truck, set_printer
from tests.loopback import LoopbackPrinter
from tests.pages import Elements, png_codes, printed_codes


@pytest.fixture
def delivered(plant):
    order, pick_list, finished = finish_truck()
    return order, pick_list, finished, DeliveryNote.get(DeliveryNote.pick_list == pick_list)


@pytest.fixture(autouse=True)
def settings_kept():
    """configure() (run by every app made) sets module settings: each test gets them back as they were."""
    kept = dataclasses.replace(settings.SETTINGS)
    yield
    for name, value in dataclasses.asdict(kept).items():
        setattr(settings.SETTINGS, name, value)


def back_key() -> str:
    return uuid.uuid4().hex


# -- made and printed when loading finishes --------------------------------------------------------


def test_finishing_a_load_makes_one_note_for_the_customer_with_an_ascii_number(delivered):
    order, pick_list, finished, note = delivered
    assert re.fullmatch(r"DN\d{6}", note.code)
    assert finished.detail["delivery_notes"] == [note.code]
    assert (note.customer_id, note.returned_at) == (order.customer_id, None)
    assert DeliveryNote.select().count() == 1
    # finishing again (or a retry of the rule) finds the note already made
    with write_transaction():
        again = issue_for_pick_list(pick_list, None)
    assert [n.code for n in again] == [note.code] and DeliveryNote.select().count() == 1


def test_the_note_says_what_went_on_the_truck(delivered):
    order, pick_list, _, note = delivered
    doc = note_doc(note)
    assert (doc.code, doc.customer, doc.truck_plate, doc.pick_list_code) == (
        note.code, "联华家居 Lianhua Home", "沪A·D8812", pick_list.code)
    assert doc.address == "上海市闵行区七莘路 88 号"
    assert [(line.order_number, line.product_model, line.units, line.cartons) for line in doc.lines] == [
        (order.number, "SF-301", 1, 3), (order.number, "DC-08", 2, 2)]
    assert (doc.units, doc.cartons) == (3, 5)


def test_the_png_preview_decodes_to_the_notes_number(delivered):
    *_, note = delivered
    for lang in ("zh", "en"):
        for copy in ("customer", "return"):
            assert png_codes(render_png(note_layout(note, lang, copy))) == [("CODE128", note.code)]


def test_the_preview_page_decodes_too_in_both_languages(client, delivered):
    *_, note = delivered
    login(client, "warehouse")
    for lang in ("zh", "en"):
        response = client.get(f"/delivery/notes/{note.code}.png?lang={lang}")
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert png_codes(response.data) == [("CODE128", note.code)]
    assert client.get("/delivery/notes/DN999999.png").status_code == 404


def test_the_notes_are_printed_after_the_manifest_and_reach_the_printer(plant):
    with LoopbackPrinter() as printer:
        set_printer("loading", "receipt_printer", "dock-1", "escpos")
        Printer.update(uri=printer.uri).where(Printer.name == "dock-1").execute()
        _, pick_list, finished = finish_truck()
        code = finished.detail["delivery_notes"][0]
        jobs = list(PrintJob.select().order_by(PrintJob.id))
        assert [job.document for job in jobs] == [
            f"manifest {pick_list.code}", f"delivery note {code} (customer)", f"delivery note {code} (return)"]
        for job in jobs[1:]:
            assert printed_codes(bytes(job.payload), "escpos") == [("CODE128", code)]
        assert deliver_pending("dock-1") == 3
        expected = b"".join(bytes(job.payload) for job in jobs)
        assert printer.wait_for(len(expected)) == expected


def test_one_copy_when_configured(plant, monkeypatch):
    set_printer("loading", "receipt_printer", "dock-1", "escpos")
    monkeypatch.setattr(settings.SETTINGS, "copies", 1)
    _, _, finished = finish_truck()
    code = finished.detail["delivery_notes"][0]
    notes = [job.document for job in PrintJob.select() if job.document.startswith("delivery note")]
    assert notes == [f"delivery note {code} (return)"]


def test_reprint_and_a4_page_from_the_desk(client, delivered):
    *_, note = delivered
    login(client, "clerk")
    set_printer("loading", "receipt_printer", "desk-rcpt", "escpos")
    response = post(client, f"/delivery/notes/{note.code}/print", {"printer": "desk-rcpt"})
    assert response.status_code == 303
    page = client.get(f"/delivery/notes/{note.code}?lang=en")
    assert f"Delivery note {note.code}. Queued on desk-rcpt" in page.text
    assert [j.document for j in PrintJob.select()][-2:] == [
        f"delivery note {note.code} (customer)", f"delivery note {note.code} (return)"]
    a4 = client.get(f"/delivery/notes/{note.code}/a4?lang=en")
    html = Elements(a4.text)
    rows = [e for e in html.select(tag="tr") if e["text"].strip().startswith(("1", "2"))]
    assert len(rows) == 2 and "SF-301" in rows[0]["text"] and "DC-08" in rows[1]["text"]
    assert "@page { size: A4" in a4.text and "customer signature" in a4.text
    barcode = html.select(id="note-barcode")[0]["attrs"]["src"].split(",", 1)[1]
    assert png_codes(base64.b64decode(barcode)) == [("CODE128", note.code)]
    assert "送货单" in client.get(f"/delivery/notes/{note.code}/a4?lang=zh").text


# -- the signed copy comes back --------------------------------------------------------------------


def test_scanning_the_signed_copy_back_files_it_once(delivered):
    _, pick_list, _, note = delivered
    key = back_key()
    first = scan_back(note.code, "clerk1", key)
    assert (first.outcome, first.action) == ("ok", "note_back")
    assert first.message.render("en") == (
        f"Delivery note {note.code} for 联华家居 Lianhua Home is back, signed (沪A·D8812, pick list {pick_list.code}). "
        "File it.")
    assert first.message.render("zh").startswith(f"联华家居 Lianhua Home 的送货单 {note.code} 已签收交回")
    stored = DeliveryNote.get_by_id(note.id)
    assert stored.returned_at is not None and stored.returned_by == "clerk1"
    event = ScanEvent.get_by_id(first.event_id)
    assert (event.user, event.pick_list_id, event.code, event.station_id) == ("clerk1", pick_list.id, note.code, None)
    # the same request again (a retry) is the same answer, not a second event
    assert scan_back(note.code, "clerk1", key).replayed
    again = scan_back(note.code, "clerk2", back_key())
    assert (again.outcome, again.reason) == ("duplicate", "duplicate")
    assert again.message.render("en").startswith(f"Delivery note {note.code} was already scanned back at ")
    assert "by clerk1. Counted once; file it." in again.message.render("en")
    assert DeliveryNote.get_by_id(note.id).returned_by == "clerk1"
    assert ScanEvent.select().where(ScanEvent.action == "note_back").count() == 2


def test_a_code_that_is_no_note_is_refused_with_what_to_scan(delivered):
    _, pick_list, _, _ = delivered
    for code in ("DN000999", pick_list.code):
        result = scan_back(code, "clerk1", back_key())
        assert (result.outcome, result.reason) == ("rejected", "unknown")
        assert result.message.render("en") == (
            f"Unknown code {code}: no delivery note has it. Scan the barcode at the top of the signed note.")
    with pytest.raises(ScanInputError):
        scan_back("送货单", "clerk1", back_key())
    with pytest.raises(ScanInputError):
        scan_back("  ", "clerk1", back_key())


def test_the_returns_desk_answers_green_then_amber_with_a_new_key_each_time(client, delivered):
    *_, note = delivered
    login(client, "clerk")
    page = Elements(client.get("/delivery/returns?lang=en").text)
    key = page.select(id="desk-idem")[0]["attrs"]["value"]
    answer = hx_post(client, "/delivery/returns?lang=en", {"code": note.code, "idem": key})
    html = Elements(answer.text)
    panel = html.select(css_class="answer")[0]
    assert panel["attrs"]["data-outcome"] == "ok" and f"Delivery note {note.code}" in panel["text"]
    next_key = html.select(id="desk-idem")[0]["attrs"]
    assert next_key["hx-swap-oob"] == "true" and next_key["value"] != key
    retried = hx_post(client, "/delivery/returns?lang=en", {"code": note.code, "idem": key})
    assert Elements(retried.text).select(css_class="answer")[0]["attrs"]["data-outcome"] == "ok"  # the same answer
    client.get("/delivery/returns?lang=zh")  # the clerk switches to Chinese; answers follow
    again = hx_post(client, "/delivery/returns", {"code": note.code, "idem": next_key["value"]})
    amber = Elements(again.text).select(css_class="answer")[0]
    assert amber["attrs"]["data-outcome"] == "duplicate" and "只记一次" in amber["text"]
    empty = hx_post(client, "/delivery/returns?lang=en", {"code": "", "idem": back_key()})
    assert Elements(empty.text).select(css_class="answer")[0]["attrs"]["data-outcome"] == "rejected"
    assert ScanEvent.select().where(ScanEvent.action == "note_back").count() == 2


# -- notes not back in time ------------------------------------------------------------------------


def printed_days_ago(note: DeliveryNote, days: int) -> None:
    DeliveryNote.update(printed_at=utcnow() - dt.timedelta(days=days)).where(DeliveryNote.id == note.id).execute()


def test_notes_not_back_after_the_configured_days_are_listed(plant, monkeypatch):
    monkeypatch.setattr(settings.SETTINGS, "return_days", 7)
    codes = [finish_truck(customer)[2].detail["delivery_notes"][0] for customer in ("LH", "HM", "OAK", "JY")]
    late, on_time, back, fresh = (DeliveryNote.get(DeliveryNote.code == code) for code in codes)
    printed_days_ago(late, 8)
    printed_days_ago(on_time, 7)
    printed_days_ago(back, 20)
    scan_back(back.code, "clerk1", back_key())
    assert [n.code for n in delivery_notes.notes("overdue")] == [late.code]
    assert [n.code for n in delivery_notes.notes("waiting")] == [late.code, on_time.code, fresh.code]
    assert delivery_notes.counts() == {"waiting": 3, "overdue": 1}
    assert delivery_notes.is_overdue(DeliveryNote.get_by_id(late.id))
    assert not delivery_notes.is_overdue(DeliveryNote.get_by_id(on_time.id))
    # a shorter allowance lists more
    monkeypatch.setattr(settings.SETTINGS, "return_days", 6)
    assert [n.code for n in delivery_notes.notes("overdue")] == [late.code, on_time.code]


def test_the_clerk_sees_the_overdue_list_and_the_days_come_from_config(database, database_url, plant):
    from kiosk import create_app

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "t", "TESTING": True,
                      "DELIVERY_NOTE_RETURN_DAYS": 3})
    client = app.test_client()
    login(client, "clerk")
    note = DeliveryNote.get(DeliveryNote.code == finish_truck()[2].detail["delivery_notes"][0])
    printed_days_ago(note, 4)
    listing = Elements(client.get("/delivery/?status=overdue&lang=en").text)
    assert [row["attrs"]["data-note"] for row in listing.select(tag="tr") if "data-note" in row["attrs"]] == [note.code]
    returns = Elements(client.get("/delivery/returns?lang=en").text)
    overdue = returns.select(id="overdue-notes")[0]
    assert "Not back after 3 days" in overdue["text"] and note.code in overdue["text"]
    answer = hx_post(client, "/delivery/returns?lang=en", {"code": note.code, "idem": back_key()})
    refreshed = Elements(answer.text).select(id="overdue-notes")[0]
    assert refreshed["attrs"]["hx-swap-oob"] == "true" and note.code not in refreshed["text"]
    assert "Every signed copy is back in time." in refreshed["text"]
    assert delivery_notes.notes("overdue") == []
