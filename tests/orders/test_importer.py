"""Order import from CSV and XLSX: every bad row named, nothing half-imported."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from db.models import JobCard, Order, OrderLine
from kiosk.orders.importer import ImportFailed, import_orders

GOOD_CSV = (
    "order,customer,due_date,model,quantity,colour,rush\n"
    "SO-A1,LH,2026-12-20,SF-301,2,Walnut,yes\n"
    "SO-A1,LH,2026-12-20,DC-08,6,,\n"
    "SO-A2,OAK,2026/12/24,DT-120,3,,\n"
)


def test_csv_creates_orders_with_their_lines_and_cards(plant):
    numbers = import_orders("orders.csv", GOOD_CSV.encode(), release=True)
    assert numbers == ["SO-A1", "SO-A2"]
    first = Order.get(Order.number == "SO-A1")
    assert first.rush and str(first.due_date) == "2026-12-20"
    assert [(line.product.model_no, line.quantity, line.colour) for line in first.lines.order_by(OrderLine.line_no)] \
        == [("SF-301", 2, "Walnut"), ("DC-08", 6, "")]
    assert JobCard.select().count() == 3


def test_chinese_headers_in_gb18030_csv(plant):
    text = "订单号,客户,交期,型号,数量\nSO-ZH1,HM,2026-12-01,WD-4,1\n"
    assert import_orders("订单.csv", text.encode("gb18030")) == ["SO-ZH1"]
    assert Order.get(Order.number == "SO-ZH1").status == "draft"


def test_bad_rows_are_each_reported_and_nothing_is_saved(plant):
    text = (
        "order,customer,due_date,model,quantity\n"
        "SO-B1,LH,2026-12-20,SF-301,2\n"
        "SO-B2,NOPE,2026-12-20,SF-301,2\n"
        "SO-B3,LH,tomorrow,SF-301,2\n"
        "SO-B4,LH,2026-12-20,XX-1,2\n"
        "SO-B5,LH,2026-12-20,SF-301,-3\n"
        ",LH,2026-12-20,SF-301,1\n"
    )
    with pytest.raises(ImportFailed) as failure:
        import_orders("orders.csv", text.encode())
    rows = {error.row: error.message.render("en") for error in failure.value.errors}
    assert sorted(rows) == [3, 4, 5, 6, 7]
    assert "NOPE" in rows[3] and "tomorrow" in rows[4] and "XX-1" in rows[5]
    assert "between 1 and" in rows[6] and "empty" in rows[7]
    assert Order.select().count() == 0


def test_xlsx_with_real_dates(plant):
    import datetime as dt

    book = Workbook()
    sheet = book.active
    sheet.append(["order", "customer", "due_date", "model", "quantity"])
    sheet.append(["SO-X1", "NB", dt.datetime(2026, 12, 31), "BD-180", 2])
    out = io.BytesIO()
    book.save(out)
    assert import_orders("orders.xlsx", out.getvalue()) == ["SO-X1"]
    assert str(Order.get(Order.number == "SO-X1").due_date) == "2026-12-31"


@pytest.mark.parametrize("name,content", [
    ("orders.pdf", b"%PDF"),
    ("orders.xlsx", b"not a zip"),
    ("orders.csv", b""),
    ("orders.csv", b"foo,bar\n1,2\n"),
    ("orders.csv", b"\xff\xfe\x00garbage\x81"),
])
def test_unreadable_files_get_a_clear_message(plant, name, content):
    with pytest.raises(ImportFailed) as failure:
        import_orders(name, content)
    assert failure.value.errors and failure.value.errors[0].message.render("zh")


def test_an_order_already_in_the_database_is_refused(plant):
    import_orders("a.csv", GOOD_CSV.encode())
    with pytest.raises(ImportFailed) as failure:
        import_orders("a.csv", GOOD_CSV.encode())
    assert "already exists" in failure.value.errors[0].message.render("en")
