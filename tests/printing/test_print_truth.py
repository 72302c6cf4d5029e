"""True words about printing: a station answer says queued (behind how many) or waiting for a printer that
is offline since when (amber), never "sent"; the kiosk header and the printers page show a printer that
is down, and stop showing it once the printer answers again."""

from __future__ import annotations

import pytest

from db.models import Printer, PrintJob
from kiosk.core.clock import to_local
from kiosk.printing import queue as printing
from tests.auth_helpers import login
from tests.factories import cards_of, make_order, scan, set_printer, through_qc
from tests.loopback import LoopbackPrinter
from tests.pages import Elements


@pytest.fixture
def qc_passed(plant):
    order = make_order(lines=[("SF-301", 2)])
    through_qc(order)
    return order


def test_packing_with_the_label_printer_offline_answers_amber_with_since_when(qc_passed):
    printer = set_printer("packing", "label_printer", "pack-zpl", "zpl")  # nothing listens there
    printing.enqueue("pack-zpl", "test label", b"^XA^XZ\n")
    printing.deliver_pending(printer)  # refused: offline from now
    down = Printer.get_by_id(printer.id)
    assert down.state == "offline" and down.offline_since is not None

    result = scan("packing", cards_of(qc_passed)[0].code)
    assert result.outcome == "warning"  # recorded, but the labels are not coming out
    since = to_local(down.offline_since).strftime("%H:%M")
    english = result.message.render("en")
    assert f"Printer pack-zpl is offline since {since} (7 jobs waiting): these print when it is back." in english
    assert "sent" not in english
    assert f"打印机 pack-zpl 自 {since} 起离线（7 个任务等待）" in result.message.render("zh")


def test_a_second_card_is_queued_behind_the_first_ones_labels(plant):
    set_printer("packing", "label_printer", "pack-zpl", "zpl")
    first, second = make_order(lines=[("SF-301", 1)]), make_order(lines=[("SF-301", 1)])
    through_qc(first)
    through_qc(second)
    one = scan("packing", cards_of(first)[0].code)
    two = scan("packing", cards_of(second)[0].code)
    assert one.outcome == two.outcome == "ok"
    assert one.message.render("en").endswith("Queued on pack-zpl, next in line.")
    assert two.message.render("en").endswith("Queued on pack-zpl behind 3 jobs.")


def test_the_station_header_and_printers_page_show_a_printer_that_is_down(client, plant):
    printer = set_printer("packing", "label_printer", "pack-zpl", "zpl")
    page = Elements(client.get("/station/packing?lang=en").text)
    assert page.select(css_class="printer-down") == []

    printing.enqueue("pack-zpl", "test label", b"^XA^XZ\n")
    printing.deliver_pending(printer)
    since = to_local(Printer.get_by_id(printer.id).offline_since).strftime("%H:%M")
    page = Elements(client.get("/station/packing?lang=en").text)
    [down] = page.select(css_class="printer-down")
    assert down["attrs"]["data-printer"] == "pack-zpl"
    assert " ".join(down["text"].split()) == f"Printer pack-zpl offline since {since} - 1 waiting"

    login(client, "supervisor")
    listing = Elements(client.get("/printers?lang=en").text)
    assert listing.select(css_class="offline-since")

    with LoopbackPrinter() as back_on:  # the printer is back at another address and confirms
        Printer.update(uri=back_on.uri).where(Printer.id == printer.id).execute()
        printing.retry_now("pack-zpl")
        assert printing.deliver_pending("pack-zpl") == 1
    assert PrintJob.get().status == "printed"
    page = Elements(client.get("/station/packing?lang=en").text)
    assert page.select(css_class="printer-down") == []


def test_the_delivery_note_prints_the_orders_destination_not_the_customers_default(plant):
    from db.models import Customer, DeliveryNote
    from kiosk.shipping import delivery_notes
    from kiosk.shipping.pick_lists import create_pick_list
    from tests.factories import stocked, whole

    Customer.update(address="广州市番禺区市桥街 9 号").where(Customer.code == "LH").execute()
    set_printer("loading", "receipt_printer", "dock-rcpt", "escpos")
    order = make_order(lines=[("SF-301", 1)], customer_code="LH", destination="广州市天河区体育西路 1 号 3 号门")
    cartons = stocked(order)
    pick_list = create_pick_list("LH", whole(order), "沪A·D8812", "loading")
    assert scan("loading", pick_list.code, badge="W004").ok
    for carton in cartons:
        assert scan("loading", carton.code, badge="W004", pick_list=pick_list.code).ok
    assert scan("loading", pick_list.code, badge="W004", finish="1").outcome == "ok"

    note = DeliveryNote.get(DeliveryNote.pick_list == pick_list)
    assert delivery_notes.note_doc(note).address == "广州市天河区体育西路 1 号 3 号门"
    printed = [bytes(job.payload) for job in PrintJob.select().where(PrintJob.document.startswith("delivery note"))]
    assert printed and all("天河区体育西路".encode("gb18030") in payload for payload in printed)
    assert not any("番禺区".encode("gb18030") in payload for payload in printed)
