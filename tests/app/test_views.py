"""Station and clerk pages through Flask's test client, read as HTML, not as strings."""

from __future__ import annotations

import io
import re
import uuid

from PIL import Image
from pyzbar.pyzbar import decode

from db.models import JobCard, Order
from tests.auth_helpers import bearer, csrf_token, hx_post, kiosk_at, login, post
from tests.factories import cards_of, make_order
from tests.pages import Elements

HX = {"HX-Request": "true"}




def answer(response) -> tuple[str, str]:
    page = Elements(response.get_data(as_text=True))
    box = page.select("answer")[0]
    return box["attrs"]["data-outcome"], " ".join(page.select("answer-text")[0]["text"].split())


def post_scan(client, station, code, badge="W001", lang="en", **extra):
    """A scan from the kiosk paired with `station`, as htmx sends it."""
    kiosk_at(client, station)
    data = {"code": code, "idem": uuid.uuid4().hex, "worker_badge": badge, **extra}
    return hx_post(client, f"/station/{station}/scan?lang={lang}", data)


def test_station_page_has_a_focused_scan_field_and_served_assets(client, plant):
    kiosk_at(client, "whitebody")
    response = client.get("/station/whitebody?lang=en")
    assert response.status_code == 200
    page = Elements(response.get_data(as_text=True))
    field = page.select(id="scan-input")[0]
    assert "autofocus" in field["attrs"] and field["attrs"]["name"] == "code"
    scripts = [e["attrs"]["src"] for e in page.select(tag="script")]
    assert "/static/vendor/htmx.min.js" in scripts
    assert all(src.startswith("/static/") for src in scripts)  # nothing from a CDN
    with client.get("/static/vendor/htmx.min.js") as asset:
        assert asset.status_code == 200 and b"htmx" in asset.data
    assert "Vary" in response.headers and "HX-Request" in response.headers["Vary"]


def test_scan_round_trip_answers_green_then_amber(client, plant):
    card = cards_of(make_order(lines=[("DT-120", 2)]))[0]
    assert answer(post_scan(client, "whitebody", card.code)) == (
        "ok", f"Card {card.code}: 2 units done at White-body. Next: Finishing.")
    outcome, text = answer(post_scan(client, "whitebody", card.code))
    assert outcome == "duplicate" and "张伟" in text


def test_scan_answer_in_chinese_by_default(client, plant):
    card = cards_of(make_order(lines=[("DT-120", 2)]))[0]
    kiosk_at(client, "whitebody")
    response = hx_post(client, "/station/whitebody/scan", {"code": card.code, "idem": uuid.uuid4().hex,
                                                           "worker_badge": "W001"})
    assert answer(response) == ("ok", f"工单卡 {card.code}：2 件已在 白茬 完成。下一站：涂装。")


def test_bad_scan_input_gets_a_red_answer_not_an_error(client, plant):
    kiosk_at(client, "whitebody")
    response = hx_post(client, "/station/whitebody/scan?lang=en", {"code": "<b>x</b>", "idem": "k" * 20})
    assert response.status_code == 200
    outcome, text = answer(response)
    assert outcome == "rejected"
    assert "<b>" not in response.get_data(as_text=True)


def test_qc_scan_asks_for_the_verdict_first(client, plant):
    card = cards_of(make_order(lines=[("DT-120", 2)]))[0]
    post_scan(client, "whitebody", card.code)
    post_scan(client, "finishing", card.code)
    response = post_scan(client, "qc", card.code)
    page = Elements(response.get_data(as_text=True))
    assert page.select(id="qc-pass") and page.select(id="qc-fail")
    assert JobCard.get_by_id(card.id).next_seq == 2  # nothing recorded yet
    assert answer(post_scan(client, "qc", card.code, verdict="pass"))[0] == "ok"


def test_unknown_station_is_a_404_page(client, plant):
    response = client.get("/station/nowhere?lang=en")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)


def test_new_order_form_creates_and_releases(client, plant):
    login(client, "clerk")
    response = post(client, "/orders/new?lang=en", {
        "number": "SO-F1", "customer": "LH", "due_date": "2026-12-30", "model_1": "SF-301", "quantity_1": "45",
        "colour_1": "Grey", "release": "1"})
    assert response.status_code == 303
    order = Order.get(Order.number == "SO-F1")
    assert order.status == "released"
    assert [c.units for c in cards_of(order)] == [20, 20, 5]


def test_new_order_form_error_keeps_what_was_typed(client, plant):
    login(client, "clerk")
    response = post(client, "/orders/new?lang=en", {
        "number": "SO F2!", "customer": "LH", "due_date": "2026-12-30", "model_1": "SF-301", "quantity_1": "4"})
    page = Elements(response.get_data(as_text=True))
    assert "may use only letters" in page.select(id="form-error")[0]["text"]
    assert 'value="SO F2!"' in response.get_data(as_text=True)
    assert Order.select().count() == 0


def test_order_detail_shows_cards_progress_and_history(client, plant):
    order = make_order(lines=[("DT-120", 3)], number="SO-D1")
    card = cards_of(order)[0]
    post_scan(client, "whitebody", card.code, badge="W004")
    login(client, "clerk")
    page = Elements(client.get("/orders/SO-D1?lang=en").get_data(as_text=True))
    waiting = [e for e in page.select(tag="tr") if e["attrs"].get("data-card") == card.code][0]
    assert "Finishing" in waiting["text"]
    assert "刘洋" in page.select(id="history")[0]["text"]
    done = [e for e in page.select(tag="tr") if e["attrs"].get("data-station") == "whitebody"][0]
    assert "3/3" in done["text"]


def test_job_card_sheet_barcodes_decode_to_the_card_codes(client, plant):
    from pyzbar.pyzbar import ZBarSymbol

    login(client, "clerk")
    order = make_order(lines=[("DT-120", 3), ("SF-301", 2)], number="SO-P1", card_units=2)
    html = client.get("/orders/SO-P1/cards?noprint=1").get_data(as_text=True)
    images = re.findall(r'data-card="([^"]+)".*?src="([^"]+)"', html, re.S)
    assert [code for code, _ in images] == [c.code for c in cards_of(order)]
    for code, src in images:  # each card is the job-card label as printers get it: Code 128 and QR
        response = client.get(src)
        assert response.status_code == 200 and response.mimetype == "image/png"
        decoded = decode(Image.open(io.BytesIO(response.data)), symbols=[ZBarSymbol.CODE128, ZBarSymbol.QRCODE])
        assert sorted((d.type, d.data.decode()) for d in decoded) == [("CODE128", code), ("QRCODE", code)]


def test_import_page_lists_row_errors(client, plant):
    login(client, "clerk")
    data = {"file": (io.BytesIO(b"order,customer,due_date,model,quantity\nSO-I1,LH,2026-12-20,NOPE,2\n"),
                     "o.csv"), "csrf_token": csrf_token(client)}
    response = client.post("/orders/import?lang=en", data=data, content_type="multipart/form-data")
    page = Elements(response.get_data(as_text=True))
    assert "Row 2" in page.select(id="import-errors")[0]["text"]
    assert Order.select().count() == 0


def test_api_scan_is_idempotent(client, plant):
    card = cards_of(make_order(lines=[("DT-120", 2)]))[0]
    body = {"station": "whitebody", "code": card.code, "idem_key": uuid.uuid4().hex, "worker_badge": "W001"}
    agent = bearer("whitebody")  # a camera agent paired with white-body
    first = client.post("/api/scan?lang=en", json=body, headers=agent).get_json()
    second = client.post("/api/scan?lang=en", json=body, headers=agent).get_json()
    assert first["outcome"] == "ok" and second["replayed"] and second["event_id"] == first["event_id"]
    assert client.post("/api/scan", json=["not", "an", "object"], headers=agent).status_code == 400
