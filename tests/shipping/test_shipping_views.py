"""Clerk pages for pick lists: create from ready lines (whole or by units), list, detail with the live
tally, print on a receipt printer or from the browser, and who may use them."""

from __future__ import annotations

import base64
import io
import re

from PIL import Image
from pyzbar.pyzbar import decode

from db.models import OrderLine, PickList, PickListLine, Printer, PrintJob
from tests.auth_helpers import login, pair_kiosk, post
from tests.factories import make_order, scan, stocked, whole
from tests.pages import Elements


def first_image_codes(html: str) -> list[str]:
    uri = re.search(r'src="data:image/png;base64,([^"]+)"', html).group(1)
    return sorted(symbol.data.decode() for symbol in decode(Image.open(io.BytesIO(base64.b64decode(uri)))))


def test_clerk_creates_a_pick_list_whole_and_by_units(client, plant):
    order = make_order(lines=[("DT-120", 2), ("DC-08", 4)], customer_code="JY")
    stocked(order)
    table, chairs = order.lines.order_by(OrderLine.line_no)
    login(client, "clerk")
    page = Elements(client.get("/shipping/pick-lists/new?customer=JY&lang=en").get_data(as_text=True))
    rows = {row["attrs"]["data-line"]: row for row in page.select(tag="tr") if "data-line" in row["attrs"]}
    assert set(rows) == {str(table.id), str(chairs.id)}
    assert "Ready to ship" in rows[str(table.id)]["text"]

    response = post(client, "/shipping/pick-lists/new?lang=en", {
        "customer": "JY", f"take_{table.id}": "1", f"units_{table.id}": "2", f"take_{chairs.id}": "1",
        f"units_{chairs.id}": "3", "truck_plate": "川A 12345", "dock": "loading",
        "ship_date": "2026-12-01"})
    assert response.status_code == 303
    pick_list = PickList.get()
    assert response.headers["Location"].endswith(f"/shipping/pick-lists/{pick_list.code}")
    assert (pick_list.truck_plate, pick_list.dock, str(pick_list.ship_date)) == ("川A 12345", "loading", "2026-12-01")
    assert {(line.order_line_id, line.units) for line in PickListLine.select()} == {(table.id, 2), (chairs.id, 3)}

    too_many = post(client, "/shipping/pick-lists/new?lang=en", {
        "customer": "JY", f"take_{chairs.id}": "1", f"units_{chairs.id}": "2"})
    error = Elements(too_many.get_data(as_text=True)).select(id="form-error")[0]["text"]
    assert "only 1 units are in stock and free to load; you asked for 2" in error
    assert PickList.select().count() == 1


def test_detail_shows_the_tally_and_prints(client, plant):
    Printer.create(name="desk-receipt", uri="tcp://127.0.0.1:9", language="escpos")
    order = make_order(lines=[("DT-120", 1)])
    cartons = stocked(order)
    from kiosk.shipping.pick_lists import create_pick_list

    pick_list = create_pick_list("LH", whole(order), "沪A12345", "loading")
    scan("loading", pick_list.code)
    scan("loading", cartons[0].code, pick_list=pick_list.code)
    login(client, "warehouse")
    page = Elements(client.get(f"/shipping/pick-lists/{pick_list.code}?lang=en").get_data(as_text=True))
    box = page.select(id="loading-tally")[0]["attrs"]
    assert (box["data-loaded"], box["data-expected"], box["data-missing"]) == ("1", "2", "1")
    assert "hx-get" in box and box["hx-trigger"] == "every 5s"  # live while loading
    assert cartons[1].code in page.select("missing")[0]["text"]
    assert [row["attrs"]["data-carton"] for row in page.select(tag="tr") if "data-carton" in row["attrs"]] == [
        cartons[0].code]
    fragment = Elements(client.get(f"/shipping/pick-lists/{pick_list.code}/tally").get_data(as_text=True))
    assert fragment.select(id="loading-tally")[0]["attrs"]["data-loaded"] == "1"

    post(client, f"/shipping/pick-lists/{pick_list.code}/print", {"printer": "desk-receipt"})
    job = PrintJob.get(PrintJob.document == f"pick list {pick_list.code}")
    assert all(c.code.encode() in bytes(job.payload) for c in cartons)
    sheet = client.get(f"/shipping/pick-lists/{pick_list.code}/sheet?lang=en").get_data(as_text=True)
    assert first_image_codes(sheet) == [pick_list.code]  # the pick list's own barcode, scannable
    listing = Elements(client.get("/shipping/pick-lists?lang=en").get_data(as_text=True))
    assert [row["attrs"]["data-pick-list"] for row in listing.select(tag="tr")
            if "data-pick-list" in row["attrs"]] == [pick_list.code]


def test_manifest_in_the_browser_after_finishing(client, plant):
    order = make_order(lines=[("DC-08", 1)])
    cartons = stocked(order)
    from kiosk.shipping.pick_lists import create_pick_list

    pick_list = create_pick_list("LH", whole(order))
    scan("loading", pick_list.code)
    scan("loading", cartons[0].code, pick_list=pick_list.code)
    scan("loading", pick_list.code, finish="1")
    pair_kiosk(client, "loading")  # the loading kiosk's "manifest" link
    html = client.get(f"/shipping/pick-lists/{pick_list.code}/manifest?lang=en").get_data(as_text=True)
    assert 'id="receipt"' in html and html.count("data:image/png") == 1


def test_pages_are_for_signed_in_staff_only(client, plant):
    assert client.get("/shipping/pick-lists").status_code in (302, 401)
    assert client.post("/shipping/pick-lists/new", data={"customer": "LH"}).status_code in (302, 400, 401, 403)
    login(client, "finance")
    assert client.get("/shipping/pick-lists").status_code == 403


def test_a_supervisor_takes_a_carton_off_from_the_pick_list_page(client, plant):
    order = make_order(lines=[("DC-08", 2)])
    cartons = stocked(order)
    from db.models import Carton
    from kiosk.shipping.pick_lists import create_pick_list

    pick_list = create_pick_list("LH", whole(order))
    scan("loading", pick_list.code)
    scan("loading", cartons[0].code, pick_list=pick_list.code)
    login(client, "clerk")
    page = client.get(f"/shipping/pick-lists/{pick_list.code}?lang=en").get_data(as_text=True)
    assert "Take off the truck" not in page  # a clerk sees the loaded cartons, not the undo
    assert post(client, f"/shipping/pick-lists/{pick_list.code}/undo", {"carton": cartons[0].code,
                                                                        "reason": "x"}).status_code == 403
    login(client, "supervisor")
    assert "Take off the truck" in client.get(f"/shipping/pick-lists/{pick_list.code}?lang=en").get_data(as_text=True)
    response = post(client, f"/shipping/pick-lists/{pick_list.code}/undo",
                    {"carton": cartons[0].code, "reason": "wrong chair"})
    assert response.status_code == 303
    assert Carton.get_by_id(cartons[0].id).status == "in_warehouse"
