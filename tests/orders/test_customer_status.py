"""The customer's status page: behind an unguessable link whose token is never stored, in both
languages, stages with dates and the promised date, nothing internal; a revoked or wrong link is a
plain 404; the clerk copies the link or prints it as a QR code that decodes to it."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from db.models import Order, OrderDelay, ScanEvent, StatusLink
from kiosk.demo import WORKERS
from kiosk.orders import customer_status
from kiosk.orders.orders import set_hold
from kiosk.shipping.pick_lists import create_pick_list
from tests.auth_helpers import login, make_user, post
from tests.factories import cards_of, make_order, scan
from tests.pages import Elements

SECRET = "test-secret"  # the app fixture's SECRET_KEY


def status_path(token: str) -> str:
    return f"/s/{token}"


def made_link(client, order) -> str:
    """The clerk makes a link on the order page; the URL as the page shows it."""
    login(client, "clerk", username="clerk-lin", name="林跟单")
    assert post(client, f"/orders/{order.number}/status-links").status_code == 303
    page = Elements(client.get(f"/orders/{order.number}?lang=en").text)
    urls = [e["attrs"]["value"] for e in page.select("status-url")]
    assert len(urls) == 1
    return urls[0]


@pytest.fixture
def busy_order(plant):
    """An order with everything internal a page could leak: workers, a QC failure with a defect and its
    rework card, a hold with a reason, a delay note, an order note, a line note."""
    order = make_order(lines=[("DT-120", 3), ("DC-08", 2)], number="SO-CUST-1",
                       note="内部：老客户 9 折 internal discount")
    table, chairs = cards_of(order)
    for code in (table.code, chairs.code):
        assert scan("whitebody", code, badge="W003").ok
        assert scan("finishing", code, badge="W004").ok
    failed = scan("qc", table.code, badge="W005", verdict="fail", failed_units="1", defect="Paint run",
                  rework_station="finishing")
    assert failed.outcome == "warning"
    assert scan("qc", chairs.code, badge="W005", verdict="pass").ok
    OrderDelay.create(order=order, reason="machine_fault", note="喷漆房风机坏了 spray booth fan broken",
                       user="supervisor-wang")
    set_hold(order, True, "等客户确认 awaiting a call back")
    set_hold(order, False)
    return order


def test_the_page_shows_stages_and_dates_and_leaks_nothing_internal(client, busy_order):
    url = made_link(client, busy_order)
    anonymous = client.application.test_client()
    for lang in ("en", "zh"):
        response = anonymous.get(url.split("localhost", 1)[-1] + f"?lang={lang}")
        assert response.status_code == 200
        assert response.headers["Referrer-Policy"] == "no-referrer"
        page = Elements(response.text)
        text = page.select(id="customer-status")[0]["text"]
        assert "SO-CUST-1" in text and str(busy_order.due_date) in text
        stages = {e["attrs"]["data-stage"]: e for e in page.select(tag="li") if "data-stage" in e["attrs"]}
        assert list(stages) == ["released", "in_production", "qc_done", "packed", "shipped"]
        assert stages["released"]["attrs"]["class"] == "reached"
        assert stages["in_production"]["attrs"]["class"] == "reached"
        assert stages["qc_done"]["attrs"]["class"] == "started"  # 4 of 5 units passed, 1 in rework
        assert stages["packed"]["attrs"]["class"] == "waiting"
        if lang == "en":
            assert "4 of 5 units" in stages["qc_done"]["text"]
            assert "Quality check done" in text
        else:
            assert "4 / 5 件" in stages["qc_done"]["text"] and "质检完成" in text
        html = response.text
        internal = [name for _badge, name in WORKERS] + [
            "Paint run", "流漆", "喷漆", "rework", "返工", "JC0", "JR0", "W00", "machine", "fan broken",
            "awaiting a call back", "等客户确认", "internal discount", "老客户", "clerk-lin", "林跟单",
            "supervisor-wang",
            "白茬", "涂装", "White-body", "Finishing", "DT-120", "DC-08",
        ]
        assert [word for word in internal if word in html] == []
        assert "/orders" not in html and "/station" not in html and "csrf" not in html


def test_only_a_hash_of_the_token_is_stored(client, plant):
    order = make_order(lines=[("DC-08", 1)])
    url = made_link(client, order)
    token = url.rsplit("/", 1)[-1]
    assert len(token) >= 32
    link = StatusLink.get(StatusLink.order == order)
    assert link.token_hash == customer_status.hash_token(token)
    stored = " ".join(str(value) for value in link.__data__.values())
    assert token not in stored
    events = " ".join(str(e.message) + str(e.detail) for e in ScanEvent.select())
    assert token not in events
    # the clerk can show the same link again later: it is derived from the secret key, not stored
    assert customer_status.link_token(link, SECRET) == token
    assert customer_status.link_token(link, "another secret") is None


def test_a_revoked_or_wrong_link_is_a_plain_404(client, plant):
    order = make_order(lines=[("DC-08", 1)])
    url = made_link(client, order)
    path = url.split("localhost", 1)[-1]
    anonymous = client.application.test_client()
    assert anonymous.get(path).status_code == 200

    link = StatusLink.get(StatusLink.order == order)
    assert post(client, f"/orders/{order.number}/status-links/revoke", {"link": str(link.id)}).status_code == 303
    revoked = anonymous.get(path)
    wrong = anonymous.get(path[:-4] + "abcd")
    short = anonymous.get("/s/x")
    for response in (revoked, wrong, short):
        assert response.status_code == 404
        assert order.number not in response.text
        assert "此链接无法打开任何订单" in Elements(response.text).select(id="status-not-found")[0]["text"]
    assert revoked.text == wrong.text  # nothing tells a revoked link from a made-up one
    event = ScanEvent.get(ScanEvent.action == "status_link_revoked")
    assert event.user == "clerk-lin" and event.order_id == order.id
    with pytest.raises(customer_status.LinkError):
        customer_status.revoke_link(order, link.id, "clerk-lin")


def test_the_qr_code_decodes_to_the_link_and_the_print_page_shows_both(client, plant):
    order = make_order(lines=[("DC-08", 1)])
    url = made_link(client, order)
    link = StatusLink.get(StatusLink.order == order)
    png = client.get(f"/orders/{order.number}/status-link.png?link={link.id}")
    assert png.status_code == 200 and png.headers["Content-Type"] == "image/png"
    decoded = decode(Image.open(io.BytesIO(png.data)))
    assert [d.data.decode() for d in decoded] == [url]
    sheet = Elements(client.get(f"/orders/{order.number}/status-link/print?link={link.id}").text)
    assert sheet.select(id="status-url")[0]["text"] == url
    assert sheet.select(id="status-qr")[0]["attrs"]["src"].endswith(f"status-link.png?link={link.id}")
    page_text = sheet.select(tag="body")[0]["text"]
    assert "扫码查看订单进度。" in page_text and "Scan the code to see where your order is." in page_text
    # a revoked link has no QR code any more
    customer_status.revoke_link(order, link.id, "clerk")
    assert client.get(f"/orders/{order.number}/status-link.png?link={link.id}").status_code == 404


def test_the_link_uses_the_configured_public_address(app, client, plant):
    app.config["STATUS_BASE_URL"] = "https://track.example.com/"
    order = make_order(lines=[("DC-08", 1)])
    assert made_link(client, order).startswith("https://track.example.com/s/")


def test_a_shipped_order_shows_every_stage_with_its_date(client, plant):
    from tests.factories import stocked, whole

    order = make_order(lines=[("DC-08", 2)], number="SO-CUST-2")
    cartons = stocked(order)
    pick_list = create_pick_list("LH", whole(order), "沪A1", "loading")
    scan("loading", pick_list.code, badge="W004")
    for carton in cartons:
        assert scan("loading", carton.code, badge="W004", pick_list=pick_list.code).ok
    assert scan("loading", pick_list.code, badge="W004", finish="1").ok
    view = customer_status.customer_view(Order.get_by_id(order.id))
    assert [(s.key, s.reached) for s in view.stages] == [
        ("released", True), ("in_production", True), ("qc_done", True), ("packed", True), ("shipped", True)]
    assert all(s.at is not None for s in view.stages)
    assert view.current.key == "shipped"


def test_a_draft_gets_no_link_and_only_the_order_desk_makes_links(client, plant):
    draft = make_order(lines=[("DC-08", 1)], release=False)
    with pytest.raises(customer_status.LinkError):
        customer_status.issue_link(draft, "clerk", SECRET)
    order = make_order(lines=[("DC-08", 1)])
    login(client, "warehouse", user=make_user("warehouse"))
    assert post(client, f"/orders/{order.number}/status-links").status_code == 403
    assert StatusLink.select().count() == 0
