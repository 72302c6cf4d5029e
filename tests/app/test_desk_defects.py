"""Small desk defects: the trace finds pick-list codes; an import lists each bad row once with every fault of
the row; a pick list's dock reads as its loading station's name; the warehouse menu lists 拣货单 once."""

from __future__ import annotations

import re

from db.models import Order
from kiosk.boards import trace
from kiosk.orders.importer import ImportFailed, import_orders
from kiosk.shipping.pick_lists import create_pick_list
from tests.auth_helpers import login, post
from tests.factories import make_order, scan, stocked, whole
from tests.pages import Elements


def test_the_trace_finds_a_pick_list_and_its_loading(client, plant):
    order = make_order(lines=[("DT-120", 2)], customer_code="LH")
    cartons = stocked(order)
    pick_list = create_pick_list("LH", whole(order), "沪A12345", "loading")
    scan("loading", pick_list.code)
    scan("loading", cartons[0].code, pick_list=pick_list.code)
    subject = trace.find(pick_list.code)
    assert subject.kind == "pick_list" and subject.order.id == order.id
    found = trace.events(subject)
    assert [e.code for e in found] == [pick_list.code, cartons[0].code]
    login(client, "clerk")
    page = client.get(f"/trace?code={pick_list.code}").text
    assert 'data-kind="pick_list"' in page and "沪A12345" in page
    assert len(re.findall(r'<tr class="ok" data-event=', page)) == 2


def test_an_import_lists_each_bad_row_once_with_every_fault(client, plant):
    text = ("order,customer,due_date,model,quantity\n"
            "SO-X1,NOPE,tomorrow,XX-1,-3\n"
            "SO-X2,LH,2026-12-20,SF-301,2\n"
            "SO-X2,LH,2026-12-20,XX-2,2\n")
    try:
        import_orders("orders.csv", text.encode())
    except ImportFailed as failure:
        errors = failure.errors
    else:
        raise AssertionError("the import should fail")
    assert [e.row for e in errors] == [2, 4]
    first = [m.render("en") for m in errors[0].messages]
    assert len(first) == 4 and "tomorrow" in first[0] and "NOPE" in first[1] and "XX-1" in first[2]
    assert "between 1 and" in first[3]
    assert [m.render("en") for m in errors[1].messages] == ["Unknown product model “XX-2”."]
    assert Order.select().count() == 0
    login(client, "clerk")
    from io import BytesIO

    page = post(client, "/orders/import", {"file": (BytesIO(text.encode()), "orders.csv")},
                content_type="multipart/form-data")
    rows = [e for e in Elements(page.text).found if e["tag"] == "li" and "data-row" in e["attrs"]]
    assert [r["attrs"]["data-row"] for r in rows] == ["2", "4"]


def test_the_dock_reads_as_the_loading_station_and_pick_lists_are_listed_once(client, plant):
    order = make_order(lines=[("DT-120", 2)], customer_code="LH")
    stocked(order)
    pick_list = create_pick_list("LH", whole(order), "沪A12345", "loading")
    login(client, "warehouse")
    listing = client.get("/shipping/pick-lists?lang=zh").text
    detail = client.get(f"/shipping/pick-lists/{pick_list.code}?lang=zh").text
    for page in (listing, detail):
        assert ">loading<" not in page and "装车" in page
        assert page.count('id="nav-pick-lists"') == 1
