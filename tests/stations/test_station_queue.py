"""The station's queue (rush first, then due date; it updates after a scan) and the order's spec on the
answer, the queue, the order page, the job card and the carton label, in Chinese and English."""

from __future__ import annotations

import datetime as dt
import uuid

from db import write_transaction
from db.models import OrderLine, Product, Station
from kiosk.orders.orders import spec_of
from kiosk.stations.queue import waiting
from tests.auth_helpers import hx_post, kiosk_at, login
from tests.factories import cards_of, make_order, scan
from tests.pages import Page


def test_the_queue_lists_cards_waiting_here_rush_first_then_by_due_date(plant):
    today = dt.date.today()
    late = make_order(lines=[("DT-120", 2)], due_date=today + dt.timedelta(days=9))
    soon = make_order(lines=[("DT-120", 2)], due_date=today + dt.timedelta(days=2))
    rush = make_order(lines=[("DT-120", 2)], due_date=today + dt.timedelta(days=20), rush=True)
    make_order(lines=[("DT-120", 2)], release=False)  # a draft waits nowhere
    finishing = Station.get(Station.code == "finishing")
    whitebody = Station.get(Station.code == "whitebody")
    assert [c.code for c in waiting(whitebody).cards] == [cards_of(o)[0].code for o in (rush, soon, late)]
    assert waiting(finishing).count == 0
    scan("whitebody", cards_of(soon)[0].code)
    assert [c.code for c in waiting(whitebody).cards] == [cards_of(rush)[0].code, cards_of(late)[0].code]
    assert [c.code for c in waiting(finishing).cards] == [cards_of(soon)[0].code]


def test_the_spec_is_what_the_order_asked_for(plant):
    order = make_order(lines=[("SF-301", 2)], note="Deliver before the 8th")
    with write_transaction():
        OrderLine.update(colour="墨绿 Dark green", finish="Velvet", note="Left-hand chaise").execute()
    line = OrderLine.get(OrderLine.order == order)
    assert spec_of(line) == [("Colour", "墨绿 Dark green"), ("Size", "2100x900x850"), ("Fabric / finish", "Velvet"),
                             ("Line note", "Left-hand chaise"), ("Order note", "Deliver before the 8th")]
    with write_transaction():
        OrderLine.update(finish="").execute()
        Product.update(finish="Oak veneer").where(Product.model_no == "SF-301").execute()
    assert ("Fabric / finish", "Oak veneer") in spec_of(OrderLine.get_by_id(line.id))


def test_a_scan_answer_shows_the_spec_and_the_queue_updates_in_both_languages(client, plant):
    first = make_order(lines=[("DT-120", 2)], note="Gift wrap")
    second = make_order(lines=[("DT-120", 2)])
    with write_transaction():
        OrderLine.update(finish="Matte lacquer").where(OrderLine.order == first).execute()
    kiosk_at(client, "whitebody")
    page = Page(client.get("/station/whitebody?lang=en"))
    assert page.one(id="queue-header")["text"] == "2 waiting"
    assert [li["attrs"]["data-queue-card"] for li in page.all("data-queue-card")] == [cards_of(first)[0].code,
                                                                        cards_of(second)[0].code]
    answer = Page(hx_post(client, "/station/whitebody/scan?lang=en", {
        "code": cards_of(first)[0].code, "idem": uuid.uuid4().hex, "worker_badge": "W001"}))
    spec = answer.one(data_spec="1")
    assert "Fabric / finish: Matte lacquer" in spec["text"] and "Order note: Gift wrap" in spec["text"]
    # The answer carries no queue (it never waits for one): it tells the page to fetch it again.
    assert answer.one(id="station-queue") is None and "data-queue-stale" in answer.one(id="scan-result")["attrs"]
    queue = Page(client.get("/station/whitebody/queue?lang=en", headers={"HX-Request": "true"}))
    assert queue.one(id="station-queue")["attrs"]["hx-get"] == "/station/whitebody/queue"
    assert [li["attrs"]["data-queue-card"] for li in queue.all("data-queue-card")] == [cards_of(second)[0].code]
    assert queue.one(id="queue-header")["text"] == "1 waiting"
    assert queue.one(id="queue-header")["attrs"]["hx-swap-oob"] == "true"
    client.get("/station/whitebody?lang=zh")  # the kiosk switches to Chinese
    zh = Page(hx_post(client, "/station/whitebody/scan", {
        "code": cards_of(second)[0].code, "idem": uuid.uuid4().hex, "worker_badge": "W001"}))
    assert "颜色" in zh.one(data_spec="1")["text"]
    queue = Page(client.get("/station/whitebody/queue", headers={"HX-Request": "true"}))
    assert queue.one(id="queue-header")["text"] == "待做 0"
    assert "本工位没有待做的工单" in queue.one(id="station-queue")["text"]


def test_only_answers_that_recorded_something_ask_for_the_queue_again(client, plant):
    order = make_order(lines=[("DT-120", 2)])
    card = cards_of(order)[0].code
    kiosk_at(client, "whitebody")

    def answer(code):
        page = Page(hx_post(client, "/station/whitebody/scan?lang=en", {
            "code": code, "idem": uuid.uuid4().hex, "worker_badge": "W001"}))
        return "data-queue-stale" in page.one(id="scan-result")["attrs"]

    assert answer("W001") is False  # a badge signing in moves no card
    assert answer(card) is True
    assert answer(card) is False  # a duplicate
    assert answer("JX0000001") is False  # refused: unknown


def test_a_station_without_job_cards_has_no_queue_and_other_kiosks_none_at_all(client, plant):
    kiosk_at(client, "loading")
    assert client.get("/station/loading/queue").status_code == 404
    assert client.get("/station/whitebody/queue").status_code == 403


def test_the_order_page_shows_the_order_note(client, plant):
    order = make_order(lines=[("DT-120", 2)], note="Call before delivery")
    login(client, "clerk")
    page = Page(client.get(f"/orders/{order.number}?lang=en"))
    assert page.one(id="order-note")["text"] == "Call before delivery"


def test_the_job_card_and_carton_label_carry_finish_and_notes(plant):
    from kiosk.cards.printed import job_card_doc
    from kiosk.shipping.cartons import carton_doc

    order = make_order(lines=[("DT-120", 1)], note="Fragile")
    with write_transaction():
        OrderLine.update(finish="Walnut stain", note="No handles").execute()
    card = cards_of(order)[0]
    doc = job_card_doc(card)
    assert doc.finish == "Walnut stain" and doc.note == "No handles / Fragile"
    from kiosk.labels.layout import job_card_layout

    texts = " ".join(getattr(e, "text", "") for e in job_card_layout(doc, "en").elements)
    assert "Finish: Walnut stain" in texts and "Note: No handles / Fragile" in texts
    scan("whitebody", card.code)
    scan("finishing", card.code)
    scan("qc", card.code, verdict="pass")
    packed = scan("packing", card.code)
    assert packed.ok
    from db.models import Carton

    carton = Carton.select().where(Carton.job_card == card).first()
    assert "Walnut stain" in carton_doc(carton).colour


def test_the_qc_panel_shows_the_spec_too(client, plant):
    order = make_order(lines=[("DT-120", 2)], note="Check the legs")
    card = cards_of(order)[0]
    scan("whitebody", card.code)
    scan("finishing", card.code)
    kiosk_at(client, "qc")
    panel = Page(hx_post(client, "/station/qc/scan?lang=en", {"code": card.code, "idem": uuid.uuid4().hex,
                                                             "worker_badge": "W003"}))
    assert panel.one(id="qc-form") is not None
    assert "Order note: Check the legs" in panel.one(data_spec="1")["text"]


def test_an_order_import_carries_the_lines_fabric_or_finish(plant):
    from kiosk.orders.importer import import_orders

    content = ("订单号,客户,交期,型号,数量,颜色,面料,备注\n"
               "IMP-1,LH,2030-01-05,SF-301,2,灰,亚麻 Linen,Ring first\n").encode()
    assert import_orders("orders.csv", content) == ["IMP-1"]
    line = OrderLine.get()
    assert line.finish == "亚麻 Linen" and ("Fabric / finish", "亚麻 Linen") in spec_of(line)
