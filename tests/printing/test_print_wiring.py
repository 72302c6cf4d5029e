"""Printing wired into the plant: label previews in the browser, job cards queued when an order is released,
reprints from the order page, and a printer that is switched off and on again getting every job once,
through the real print worker and a real socket."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import time

import pytest
from pyzbar.pyzbar import ZBarSymbol

from db.models import Order, PickList, PickListLine, Printer, PrintJob
from kiosk.printing import queue as printing
from kiosk.printing.queue import PrintWorker, RetryPolicy
from kiosk.shipping.cartons import pack_card
from tests.auth_helpers import login, pair_kiosk, post
from tests.factories import cards_of, make_order
from tests.loopback import LoopbackPrinter, free_port
from tests.pages import Elements, png_codes, printed_codes

SYMBOLS = [ZBarSymbol.CODE128, ZBarSymbol.QRCODE]
FAST_RETRY = RetryPolicy(first_s=0.05, max_s=0.2)
_numbers = itertools.count(1)






def jobs_on(name: str) -> list[PrintJob]:
    return list(PrintJob.select().join(Printer).where(Printer.name == name).order_by(PrintJob.id))


def wait_until(condition, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


# -- previews --------------------------------------------------------------------------------------


def test_every_label_has_a_browser_preview_that_scans_as_its_code(client, plant):
    order = make_order(lines=[("SF-301", 1)])
    card = cards_of(order)[0]
    cartons = pack_card(card)
    pick_list = PickList.create(code="PL-W1", customer=order.customer, ship_date=dt.date.today())
    PickListLine.create(pick_list=pick_list, order_line=card.order_line, units=1)
    login(client, "warehouse")

    assert png_codes(client.get(f"/labels/job-card/{card.code}.png").data) == [("CODE128", card.code),
                                                                               ("QRCODE", card.code)]
    for carton in cartons:
        response = client.get(f"/labels/carton/{carton.code}.png")
        assert response.mimetype == "image/png" and png_codes(response.data) == [("CODE128", carton.code)]
    assert png_codes(client.get("/labels/pick-list/PL-W1.png").data) == [("CODE128", "PL-W1")]
    assert client.get("/labels/manifest/PL-W1.png").mimetype == "image/png"
    for url in ("/labels/job-card/JC9999999.png", "/labels/carton/C99999999.png", "/labels/pick-list/PL-NO.png"):
        assert client.get(url).status_code == 404


def test_a_paired_kiosk_may_show_label_previews_but_nobody_else(app, plant):
    card = cards_of(make_order(lines=[("DT-120", 1)]))[0]
    url = f"/labels/job-card/{card.code}.png"
    assert "/login" in app.test_client().get(url).location
    kiosk = app.test_client()
    pair_kiosk(kiosk, "packing")
    assert kiosk.get(url).mimetype == "image/png"


# -- releasing an order ----------------------------------------------------------------------------


@pytest.mark.parametrize("setting, language", [("DESK_LABEL_PRINTER", "zpl"), ("DESK_RECEIPT_PRINTER", "escpos")])
def test_releasing_an_order_queues_its_job_cards_on_the_desk_printer(app, client, plant, setting, language):
    Printer.create(name="desk", uri=f"tcp://127.0.0.1:{free_port()}", language=language)
    app.config.update({setting: "desk", "CARD_UNITS": 2})
    login(client, "clerk")
    order = make_order(lines=[("DT-120", 3), ("MT-10", 1)], release=False, card_units=2)

    response = post(client, f"/orders/{order.number}/release?lang=en")

    assert response.status_code == 303
    cards = cards_of(order)
    jobs = jobs_on("desk")
    assert [job.document for job in jobs] == [f"job card {card.code}" for card in cards] and len(cards) == 3
    for job, card in zip(jobs, cards, strict=True):
        assert printed_codes(bytes(job.payload), language) == [("CODE128", card.code), ("QRCODE", card.code)]
    page = Elements(client.get(response.location + "?lang=en").text)
    assert [" ".join(e["text"].split()) for e in page.select(css_class="flash")] == [
        "3 job cards queued on printer desk."]


def test_without_a_desk_printer_release_prints_nothing_and_says_nothing(client, plant):
    login(client, "clerk")
    order = make_order(lines=[("DT-120", 2)], release=False)
    response = post(client, f"/orders/{order.number}/release")
    assert response.status_code == 303 and Order.get_by_id(order.id).status == "released"
    assert PrintJob.select().count() == 0
    assert Elements(client.get(response.location).text).select(css_class="flash") == []


def test_a_desk_printer_that_does_not_exist_warns_but_the_order_is_released(app, client, plant):
    app.config["DESK_LABEL_PRINTER"] = "gone"
    login(client, "clerk")
    order = make_order(lines=[("DT-120", 2)], release=False)
    response = post(client, f"/orders/{order.number}/release?lang=en")
    assert Order.get_by_id(order.id).status == "released" and PrintJob.select().count() == 0
    [warning] = Elements(client.get(response.location + "?lang=en").text).select(css_class="error")
    assert "No printer is called gone" in warning["text"] and "job-card sheet" in warning["text"]


def test_new_orders_and_imports_released_at_once_print_their_cards_too(app, client, plant):
    Printer.create(name="desk", uri=f"tcp://127.0.0.1:{free_port()}", language="tspl")
    app.config["DESK_LABEL_PRINTER"] = "desk"
    login(client, "clerk")
    form = {"number": "SO-N1", "customer": "HM", "due_date": "2030-01-31", "model_1": "DC-08", "quantity_1": "4",
            "release": "1"}
    assert post(client, "/orders/new", form).status_code == 303
    csv = b"order,customer,due_date,model,quantity\nSO-I7,LH,2030-02-01,DT-120,2\nSO-I8,OAK,2030-02-02,NS-02,1\n"
    response = post(client, "/orders/import?lang=en", {"file": (io.BytesIO(csv), "orders.csv"), "release": "1"},
                    content_type="multipart/form-data")
    assert response.status_code == 200
    expected = [card.code for number in ("SO-N1", "SO-I7", "SO-I8")
                for card in cards_of(Order.get(Order.number == number))]
    assert [job.document for job in jobs_on("desk")] == [f"job card {code}" for code in expected]
    assert "2 job cards queued on printer desk." in response.text


def test_a_card_is_reprinted_from_the_order_page(app, client, plant):
    Printer.create(name="desk", uri=f"tcp://127.0.0.1:{free_port()}", language="zpl")
    Printer.create(name="spare", uri=f"tcp://127.0.0.1:{free_port()}", language="escpos")
    app.config["DESK_LABEL_PRINTER"] = "desk"
    login(client, "supervisor")
    order = make_order(lines=[("DT-120", 4)], card_units=2)
    first, second = cards_of(order)

    page = Elements(client.get(f"/orders/{order.number}").text)
    options = [e for e in page.select(tag="option") if e["attrs"].get("value") in ("desk", "spare")]
    assert [o["attrs"]["value"] for o in options if "selected" in o["attrs"]] == ["desk"]
    buttons = [e["attrs"]["value"] for e in page.select(css_class="reprint-card")]
    assert buttons == [first.code, second.code]

    assert post(client, f"/orders/{order.number}/cards/print", {"printer": "spare", "card": second.code}
                ).status_code == 303
    [job] = jobs_on("spare")
    assert job.document == f"job card {second.code}"
    assert printed_codes(bytes(job.payload), "escpos") == [("CODE128", second.code), ("QRCODE", second.code)]
    post(client, f"/orders/{order.number}/cards/print", {"printer": "desk", "card": ""})
    assert [job.document for job in jobs_on("desk")] == [f"job card {first.code}", f"job card {second.code}"]

    other = cards_of(make_order(lines=[("DT-120", 1)]))[0]
    assert post(client, f"/orders/{order.number}/cards/print", {"card": other.code}).status_code == 404
    login(client, "warehouse")
    assert post(client, f"/orders/{order.number}/cards/print", {"card": first.code}).status_code == 403


# -- a printer switched off and on again -----------------------------------------------------------


def test_a_stopped_and_restarted_printer_gets_every_released_card_once_in_order(app, client, plant):
    port = free_port()
    Printer.create(name="desk", uri=f"tcp://127.0.0.1:{port}", language="zpl")
    app.config.update({"DESK_LABEL_PRINTER": "desk", "CARD_UNITS": 2})
    login(client, "clerk")
    first_order = make_order(lines=[("DT-120", 6)], release=False, card_units=2)
    second_order = make_order(lines=[("SF-301", 4), ("DC-08", 2)], release=False, card_units=2)
    worker = PrintWorker(poll_s=0.05, retry=FAST_RETRY).start()
    try:
        with LoopbackPrinter(port=port) as printer:
            post(client, f"/orders/{first_order.number}/release")
            first_jobs = jobs_on("desk")
            first_bytes = b"".join(bytes(job.payload) for job in first_jobs)
            assert printer.wait_for(len(first_bytes)) == first_bytes
            assert wait_until(lambda: {job.status for job in jobs_on("desk")} == {"printed"})
        # switched off: the next order's cards wait, and the worker keeps trying
        post(client, f"/orders/{second_order.number}/release")
        second_jobs = jobs_on("desk")[len(first_jobs):]
        assert len(second_jobs) == 3
        assert wait_until(lambda: Printer.get(Printer.name == "desk").state == "offline")
        assert wait_until(lambda: PrintJob.get_by_id(second_jobs[0].id).attempts >= 2)
        assert printing.printer_status("desk").queued == 3
        with LoopbackPrinter(port=port) as back_on:
            second_bytes = b"".join(bytes(job.payload) for job in second_jobs)
            assert back_on.wait_for(len(second_bytes)) == second_bytes
            assert wait_until(lambda: {job.status for job in jobs_on("desk")} == {"printed"})
            time.sleep(0.3)  # more polls: nothing may come twice
            assert back_on.received() == second_bytes
        assert printer.received() == first_bytes
    finally:
        worker.stop()
    assert not worker.is_alive()
    expected = [card.code for order in (first_order, second_order) for card in cards_of(order)]
    received = [job for job in jobs_on("desk")]
    assert [printed_codes(bytes(job.payload), "zpl")[0][1] for job in received] == expected


# -- the fake printer ------------------------------------------------------------------------------


def test_fake_printer_saves_each_job_and_a_picture_of_each_label(plant, tmp_path):
    from kiosk.cards.printed import print_job_cards
    from kiosk.printing.fake_printer import FakePrinter

    fake = FakePrinter(port=0, folder=tmp_path / "printed").start()
    try:
        Printer.create(name="fake", uri=f"tcp://127.0.0.1:{fake.port}", language="zpl")
        order = make_order(lines=[("DT-120", 4)], card_units=2)
        assert print_job_cards(order, "fake").queued == 2
        assert printing.deliver_pending("fake") == 2
        assert wait_until(lambda: len(fake.jobs) == 1)
    finally:
        fake.stop()
    [received] = fake.jobs
    assert received.path.read_bytes() == b"".join(bytes(job.payload) for job in jobs_on("fake"))
    assert received.language == "zpl" and received.problem == ""
    codes = [png_codes(picture.read_bytes()) for picture in received.pictures]
    assert codes == [[("CODE128", card.code), ("QRCODE", card.code)] for card in cards_of(order)]
