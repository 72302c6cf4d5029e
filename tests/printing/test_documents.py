"""What gets printed where: documents from the database, rendered per printer and queued; every label is
read back from the queued bytes and its barcodes decoded."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from db.models import PickList, PickListLine, Printer, PrintJob
from kiosk import labels
from kiosk.cards import printed as job_cards
from kiosk.i18n import gettext
from kiosk.printing import documents
from kiosk.shipping import pick_lists
from kiosk.shipping.cartons import pack_card, print_carton_labels
from tests.factories import cards_of, make_order
from tests.imaging import SYMBOLS, codes_printed

_names = itertools.count(1)


def make_printer(language: str = "zpl", **fields) -> Printer:
    values = {"name": f"{language}-{next(_names)}", "uri": "tcp://127.0.0.1:9", "language": language}
    values.update(fields)
    return Printer.create(**values)


def jobs_of(printer: Printer) -> list[PrintJob]:
    return list(PrintJob.select().where(PrintJob.printer == printer).order_by(PrintJob.id))


def test_job_card_doc_says_what_the_order_says(plant):
    order = make_order(lines=[("SF-301", 3)], rush=True, destination="Dock 4")
    card = cards_of(order)[0]
    doc = job_cards.job_card_doc(card)
    assert (doc.code, doc.order_number, doc.units, doc.due_date, doc.rush) == (
        card.code, order.number, 3, order.due_date, True)
    assert (doc.customer, doc.product_model, doc.colour, doc.size) == (
        "联华家居 Lianhua Home", "SF-301", "烟灰 Smoke grey", "2100x900x850")
    assert [step["en"] for step in doc.route] == ["White-body", "Finishing", "QC", "Packing", "Warehouse-in",
                                                  "Loading"]
    assert doc.rework_of is None


@pytest.mark.parametrize("language", ["zpl", "tspl", "escpos"])
def test_job_cards_are_queued_in_card_order_and_each_printed_label_scans_as_its_card(plant, language):
    printer = make_printer(language)
    order = make_order(lines=[("DT-120", 5), ("DC-08", 2)], card_units=2)
    cards = cards_of(order)
    assert len(cards) == 4

    printed = job_cards.print_job_cards(order, printer.name)

    assert (printed.ok, printed.printer, printed.queued) == (True, printer.name, 4)
    jobs = jobs_of(printer)
    assert [job.document for job in jobs] == [f"job card {card.code}" for card in cards]
    assert {job.status for job in jobs} == {"queued"}
    for job, card in zip(jobs, cards, strict=True):
        assert codes_printed(bytes(job.payload), language) == [("CODE128", card.code), ("QRCODE", card.code)]


def test_one_card_is_printed_again_on_its_own(plant):
    printer = make_printer("tspl")
    order = make_order(lines=[("DT-120", 6)], card_units=2)
    second = cards_of(order)[1]
    printed = job_cards.print_job_card(second, printer.name)
    assert printed.queued == 1
    [job] = jobs_of(printer)
    assert job.document == f"job card {second.code}"
    assert codes_printed(bytes(job.payload), "tspl") == [("CODE128", second.code), ("QRCODE", second.code)]


def test_labels_are_sized_for_the_printer_stock(plant):
    card = cards_of(make_order(lines=[("DT-120", 1)]))[0]
    square = make_printer("zpl", options={"job_card_mm": [100, 100]})
    receipt = make_printer("escpos")
    assert documents.label_size(None, "job_card_mm") == (100.0, 150.0)
    assert documents.label_size(square, "job_card_mm") == (100.0, 100.0)
    assert documents.label_size(receipt, "job_card_mm") == (72.0, 108.0)
    assert documents.label_size(receipt, "carton_label_mm") == (72.0, 50.4)

    job_cards.print_job_cards(card.order_line.order, square.name)
    [job] = jobs_of(square)
    assert labels.printed_image(bytes(job.payload), "zpl").size == (799, 799)  # 100 x 100 mm at 8 dots/mm
    assert codes_printed(bytes(job.payload), "zpl") == [("CODE128", card.code), ("QRCODE", card.code)]


def test_the_printers_chinese_option_decides_how_chinese_is_sent(plant):
    card = cards_of(make_order(lines=[("DT-120", 1)]))[0]
    gb18030 = make_printer("escpos", options={"chinese": "gb18030"})
    raster = make_printer("escpos", options={"chinese": "raster"})
    job_cards.print_job_card(card, gb18030.name)
    job_cards.print_job_card(card, raster.name)
    in_chinese_mode, as_image = bytes(jobs_of(gb18030)[0].payload), bytes(jobs_of(raster)[0].payload)
    assert b"\x1c&" in in_chinese_mode and "联华家居".encode("gb18030") in in_chinese_mode
    assert b"\x1c&" not in as_image and "联华家居".encode("gb18030") not in as_image
    for payload in (in_chinese_mode, as_image):
        assert codes_printed(payload, "escpos") == [("CODE128", card.code), ("QRCODE", card.code)]


def test_no_printer_or_an_unknown_one_is_an_answer_not_an_error(plant):
    order = make_order(lines=[("DT-120", 2)])
    nothing = job_cards.print_job_cards(order, None)
    assert (nothing.printer, nothing.queued, nothing.problem) == (None, 0, None)
    unknown = job_cards.print_job_cards(order, "no-such-printer")
    assert unknown.queued == 0 and not unknown.ok
    assert unknown.problem.key == "No printer is called {name} - add it on the printers page"
    note = job_cards.printed_note(unknown)
    assert "no-such-printer" in note.render("en") and "no-such-printer" in note.render("zh")
    assert PrintJob.select().count() == 0


def test_desk_printer_for_job_cards_is_the_label_printer_else_the_receipt_printer():
    assert job_cards.desk_job_card_printer({"DESK_LABEL_PRINTER": "L", "DESK_RECEIPT_PRINTER": "R"}) == "L"
    assert job_cards.desk_job_card_printer({"DESK_LABEL_PRINTER": None, "DESK_RECEIPT_PRINTER": "R"}) == "R"
    assert job_cards.desk_job_card_printer({"DESK_LABEL_PRINTER": "", "DESK_RECEIPT_PRINTER": None}) is None


def test_carton_labels_print_in_order_and_scan_as_their_cartons(plant):
    printer = make_printer("zpl")
    card = cards_of(make_order(lines=[("SF-301", 1)]))[0]
    cartons = pack_card(card)
    assert len(cartons) == 3
    assert print_carton_labels(cartons, printer.name).queued == 3
    jobs = jobs_of(printer)
    assert [job.document for job in jobs] == [f"carton {carton.code}" for carton in cartons]
    for job, carton in zip(jobs, cartons, strict=True):
        assert codes_printed(bytes(job.payload), "zpl") == [("CODE128", carton.code)]
        image = labels.printed_image(bytes(job.payload), "zpl")
        assert image.size == (799, 559)  # 100 x 70 mm


def make_pick_list(order) -> PickList:
    line = order.lines.get()
    pick_list = PickList.create(code="PL-T1", customer=order.customer, truck_plate="沪A·12345", dock="D3",
                                ship_date=dt.date.today())
    PickListLine.create(pick_list=pick_list, order_line=line, units=line.quantity)
    return pick_list


def test_pick_list_and_manifest_print_on_a_receipt_printer(plant):
    printer = make_printer("escpos")
    pick_list = make_pick_list(make_order(lines=[("DT-120", 2)]))
    assert pick_lists.print_pick_list(pick_list, printer.name).ok
    assert pick_lists.print_manifest(pick_list, printer.name).ok
    pick, manifest = jobs_of(printer)
    assert (pick.document, manifest.document) == ("pick list PL-T1", "manifest PL-T1")
    assert codes_printed(bytes(pick.payload), "escpos") == [("CODE128", "PL-T1")]
    assert gettext("Loading manifest", "zh").encode("gb18030") in bytes(manifest.payload)


def test_test_label_goes_through_the_printers_options(plant):
    font = make_printer("tspl", options={"cjk_font": "TSS24.BF2", "cjk_charset": "gb2312"})
    bitmap = make_printer("tspl", options={"cjk_font": None})
    title = gettext("Test label", "zh").encode("gb18030")
    for printer, in_font in ((font, True), (bitmap, False)):
        assert documents.print_test_label(printer, "zh").ok
        [job] = jobs_of(printer)
        assert job.document == "test label"
        payload = bytes(job.payload)
        assert (title in payload) is in_font  # the printer's own Chinese font, or a BITMAP of ours
        assert codes_printed(payload, "tspl") == [("CODE128", "9912345678"), ("QRCODE", f"TEST {printer.name}")]


def test_a_queued_job_is_previewed_from_its_own_bytes(plant):
    printer = make_printer("zpl")
    card = cards_of(make_order(lines=[("DT-120", 1)]))[0]
    job_cards.print_job_card(card, printer.name)
    image = Image.open(io.BytesIO(documents.job_preview_png(jobs_of(printer)[0])))
    assert image.format == "PNG"
    found = sorted((d.type, d.data.decode()) for d in decode(image.convert("L"), symbols=SYMBOLS))
    assert found == [("CODE128", card.code), ("QRCODE", card.code)]
