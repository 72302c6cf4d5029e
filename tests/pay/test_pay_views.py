"""Piece pay pages: rates and crews on the desk, XLSX import (bounded), settlement and approval, my day at
the kiosk, in Chinese and English."""

from __future__ import annotations

import io
import uuid
import zipfile

from db.models import PayPeriod, PayRate, ScanEvent, Worker
from kiosk.core.clock import today
from tests.auth_helpers import hx_post, kiosk_at, login, post
from tests.factories import cards_of, make_order, scan
from tests.pages import Page


def soup(response) -> Page:
    return Page(response)


def xlsx(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_supervisor_sets_a_rate_on_the_desk_and_it_is_audited(client, plant):
    login(client, "supervisor")
    response = post(client, "/pay/rates", {"station": "whitebody", "product": "model:DT-120", "unit": "2.5",
                                           "carton": "0.1", "rework": "0", "deduct": "100", "tiers": "10:3.00",
                                           "effective": today().isoformat()})
    assert response.status_code == 303
    rate = PayRate.get()
    assert (rate.unit_fen, rate.carton_fen, rate.tiers) == (250, 10, [[10, 300]])
    page = soup(client.get("/pay/rates?lang=en"))
    row = page.one(data_rate=str(rate.id))
    assert "2.50" in row["text"] and "in force" in row["text"]
    assert ScanEvent.get(ScanEvent.action == "pay_rate").user.startswith("supervisor")
    bad = post(client, "/pay/rates", {"station": "whitebody", "product": "model:DT-120", "unit": "2.555"})
    assert bad.status_code == 303 and PayRate.select().count() == 1
    assert "不是以元计的金额" in client.get("/pay/rates?lang=zh").get_data(as_text=True)


def test_rates_import_from_xlsx_all_or_nothing(client, plant):
    login(client, "admin")
    good = xlsx([["工序", "型号", "系列", "计件单价", "每箱单价", "阶梯"],
                 ["白茬", "DT-120", "", "2.00", "0.50", "10:2.50"],
                 ["finishing", "", "standard", "1.20", "", ""]])
    response = client.post("/pay/rates/import", data={"file": (io.BytesIO(good), "rates.xlsx"),
                                                      "csrf_token": _csrf(client)},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    assert sorted((r.model_no, r.family, r.unit_fen) for r in PayRate.select()) == [
        ("", "standard", 120), ("DT-120", "", 200)]
    bad = xlsx([["station", "model", "unit"], ["whitebody", "DT-120", "1"], ["nowhere", "DT-120", "x"]])
    response = client.post("/pay/rates/import?lang=en", data={"file": (io.BytesIO(bad), "rates.xlsx"),
                                                              "csrf_token": _csrf(client)},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Row 3" in response.get_data(as_text=True) and "Row 2" not in response.get_data(as_text=True)
    assert PayRate.select().count() == 2


def test_an_xlsx_that_expands_hugely_is_refused_before_parsing(client, plant):
    login(client, "admin")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (30 * 1024 * 1024) + b"</a>")
    response = client.post("/pay/rates/import?lang=en", data={"file": (io.BytesIO(out.getvalue()), "bomb.xlsx"),
                                                               "csrf_token": _csrf(client)},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "too large or not a real XLSX" in response.get_data(as_text=True)
    assert len(out.getvalue()) < 200_000


def _csrf(client):
    from tests.auth_helpers import csrf_token

    return csrf_token(client)


def test_settlement_page_approve_locks_and_export(client, plant):
    from kiosk.pay.rates import RateInput, set_rate

    set_rate(RateInput("whitebody", "DT-120", unit_fen=150), "boss")
    order = make_order(lines=[("DT-120", 4)])
    scan("whitebody", cards_of(order)[0].code, badge="W002")
    login(client, "finance")
    page = soup(client.get("/pay/settlement?kind=day&lang=en"))
    assert page.one(data_total="W002")["text"] == "6.00"
    assert page.one(id="approve-form") is None  # finance reads, supervisors approve
    assert post(client, "/pay/settlement/approve", {"kind": "day", "day": today().isoformat()}).status_code == 403
    export = client.get("/pay/settlement.xlsx?kind=day")
    assert export.status_code == 200 and export.data[:2] == b"PK"
    login(client, "supervisor")
    assert post(client, "/pay/settlement/approve", {"kind": "day", "day": today().isoformat()}).status_code == 303
    period = PayPeriod.get()
    assert period.approved_by.startswith("supervisor") and period.totals == {str(Worker.get(badge="W002").id): 600}
    page = soup(client.get("/pay/settlement?kind=day&lang=zh"))
    assert "已锁定" in page.one(id="locked")["text"]


def test_my_day_at_the_kiosk_shows_only_the_workers_own_scans(client, plant):
    from kiosk.pay.rates import RateInput, set_rate

    set_rate(RateInput("whitebody", "DT-120", unit_fen=100), "boss")
    order = make_order(lines=[("DT-120", 6)], card_units=2)
    a, b, c = cards_of(order)
    scan("whitebody", a.code, badge="W001")
    scan("whitebody", b.code, badge="W002")
    kiosk_at(client, "whitebody")
    signed = soup(hx_post(client, "/station/whitebody/scan?lang=en", {"code": "W001", "idem": uuid.uuid4().hex}))
    assert "1 passes, 2 units, 2.00 yuan" in signed.one(id="my-day-line")["text"]
    assert signed.one(id="my-day-button") is not None
    hx_post(client, "/station/whitebody/scan", {"code": c.code, "idem": uuid.uuid4().hex, "worker_badge": "W001"})
    page = soup(client.get("/station/whitebody/my-day?badge=W001&lang=en"))
    assert [li["attrs"]["data-code"] for li in page.all("data-code")] == [c.code, a.code]
    assert b.code not in page.text
    assert page.one(id="my-pay")["text"] == "¥4.00" and page.one(id="my-units")["text"] == "4"
    zh = soup(client.get("/station/whitebody/my-day?badge=W001&lang=zh"))
    assert "我的今天" in zh.text and "我今天的扫码" in zh.text
