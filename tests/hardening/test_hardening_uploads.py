"""Issue 15, uploads bounded before they are parsed (F2, F8, F7, F19): each hostile file is sent for
real through the page that takes it, and refused with a clear message in both languages, without the
memory the attack asked for."""

from __future__ import annotations

import io
import tracemalloc

import pytest
from PIL import Image

from db.models import Complaint, ComplaintPhoto, Order
from tests import bombs
from tests.auth_helpers import kiosk_at, login, post
from tests.factories import picture
from tests.pages import Elements


def import_file(client, name: str, data: bytes, lang: str = "en"):
    return post(client, f"/orders/import?lang={lang}", {"file": (io.BytesIO(data), name)},
                content_type="multipart/form-data")


def peak_mb(send) -> tuple[object, float]:
    """The answer, and the most Python memory held while it was made."""
    tracemalloc.start()
    try:
        answer = send()
        return answer, tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def test_f2_an_xlsx_zip_bomb_is_refused_from_its_zip_directory(client, plant):
    """A 0.1 MB workbook whose cell A2 unpacks to 100 MB of "A" (the report's was 2,000 MB)."""
    bomb = bombs.xlsx_bomb(100)
    assert len(bomb) < 200_000
    login(client, "clerk")
    response, peak = peak_mb(lambda: import_file(client, "orders.xlsx", bomb))
    assert response.status_code == 400
    text = Elements(response.get_data(as_text=True)).select(id="import-errors")[0]["text"]
    assert "The workbook unpacks to too much data to import (xl/worksheets/sheet1.xml alone would be 100 MB)" in text
    assert peak < 20, f"{peak:.0f} MB held for a refused upload"  # the old reader held the whole string
    zh = Elements(import_file(client, "orders.xlsx", bomb, "zh").get_data(as_text=True))
    assert "工作簿解压后数据过多" in zh.select(id="import-errors")[0]["text"]
    assert Order.select().count() == 0


def test_f8_a_million_rows_are_refused_before_they_are_read(client, plant):
    login(client, "clerk")
    million = bombs.xlsx_rows(1_000_000, same=True)
    response, peak = peak_mb(lambda: import_file(client, "orders.xlsx", million))
    assert response.status_code == 400 and peak < 20
    assert "unpacks to too much data" in Elements(response.get_data(as_text=True)).select(id="import-errors")[0]["text"]


def test_f8_the_row_limit_is_checked_while_reading(client, plant):
    """6,000 rows of a size the zip check lets through: reading stops at row 5,002 with the limit in words."""
    login(client, "clerk")
    response = import_file(client, "orders.xlsx", bombs.xlsx_rows(6000))
    assert response.status_code == 400
    assert "Import at most 5000 rows at a time." in \
        Elements(response.get_data(as_text=True)).select(id="import-errors")[0]["text"]
    csv_rows = ("order,customer,due_date,model,quantity\n" + "SO1,LH,2026-12-20,DT-120,1\n" * 6000).encode()
    assert "Import at most 5000 rows" in import_file(client, "orders.csv", csv_rows).get_data(as_text=True)


def test_f8_a_cell_too_long_is_refused_while_reading(client, plant):
    login(client, "clerk")
    long_cell = ("order,customer,due_date,model,quantity,note\n" + "SO1,LH,2026-12-20,DT-120,1," + "x" * 5000
                 + "\n").encode()
    response = import_file(client, "orders.csv", long_cell)
    assert response.status_code == 400
    assert "Row 2 has a cell longer than 2000 characters" in response.get_data(as_text=True)


def test_f7_a_camera_frame_bomb_is_refused_by_its_header(client, plant):
    """An 18000 x 18000 PNG of 40 KB to the camera decoder (the report's: 4.65 GB, 23 s)."""
    bomb = bombs.png_bomb(18000, 18000)
    assert len(bomb) < 100_000
    kiosk_at(client, "qc")
    for lang, words in (("en", "The camera picture is 18000 x 18000 pixels (324.0 megapixels); the most is 8.3 "
                                "megapixels."), ("zh", "摄像头画面为 18000 x 18000 像素")):
        response = client.post(f"/station/qc/decode?lang={lang}", data=bomb, content_type="image/png",
                               headers={"X-CSRF-Token": _kiosk_token(client)})
        assert response.status_code == 400
        assert response.get_json()["error"].startswith(words)
    gif = client.post("/station/qc/decode?lang=en", data=b"GIF89a" + b"\0" * 100, content_type="image/gif",
                      headers={"X-CSRF-Token": _kiosk_token(client)})
    assert gif.status_code == 400 and "is not a JPEG, PNG or WebP picture" in gif.get_json()["error"]


def _kiosk_token(client) -> str:
    from tests.auth_helpers import page_csrf

    return page_csrf(client.get("/station/qc").get_data(as_text=True))


def test_f19_a_49_megapixel_photo_is_refused_before_decoding(photo_app, shipped_order):
    order, shipped = shipped_order
    client = photo_app.test_client()
    login(client, "clerk")
    bomb = bombs.png_bomb(7000, 7000)
    response = post(client, "/complaints/new?lang=en", {
        "order": order.number, "line": "1", "reason": "defect", "description": "x", "units": "1",
        "photos": (io.BytesIO(bomb), "huge.png")}, content_type="multipart/form-data")
    assert response.status_code < 500
    assert "Photo huge.png is 7000 x 7000 pixels (49.0 megapixels); the most is 24.0 megapixels." in \
        response.get_data(as_text=True)
    assert Complaint.select().count() == 0


def test_f19_a_photos_gps_position_is_not_kept_or_served(photo_app, shipped_order):
    order, shipped = shipped_order
    client = photo_app.test_client()
    login(client, "clerk")
    photo = bombs.jpeg_with_gps()
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)  # it really carries a position
    response = post(client, "/complaints/new", {
        "order": order.number, "line": "1", "reason": "defect", "description": "Leg split", "units": "1",
        "photos": (io.BytesIO(photo), "leg.jpg")}, content_type="multipart/form-data")
    assert response.status_code == 303
    stored = ComplaintPhoto.get()
    page = Elements(client.get(f"/complaints/{stored.complaint.code}").get_data(as_text=True))
    served = client.get(page.select(tag="img")[0]["attrs"]["src"])
    body = served.get_data()
    served.close()
    kept = Image.open(io.BytesIO(body))
    assert kept.size == (320, 240) and not kept.getexif() and b"Exif" not in body and b"PhoneMaker" not in body


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_header_sizes_are_read_without_decoding(kind):
    from kiosk.core.images import header_size

    assert header_size(picture(kind, (123, 45))) == (kind, 123, 45)
