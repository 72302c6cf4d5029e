"""The order's own receiving contact (收货联系人 and phone): entered with the order's 收货地址, imported from
CSV or XLSX when the file has such columns, and printed on the delivery note in every printer language,
the preview and the A4 page, instead of the customer's default contact."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from db.models import Customer, DeliveryNote, Order
from db.schema import migrate
from kiosk.labels import render_escpos, render_tspl, render_zpl
from kiosk.labels.elements import Text
from kiosk.orders.importer import ImportFailed, import_orders
from kiosk.orders.orders import OrderError
from kiosk.shipping import delivery_notes
from kiosk.shipping.pick_lists import create_pick_list
from tests.auth_helpers import login, post
from tests.factories import make_order, scan, stocked, whole
from tests.pages import Elements

ORDER_CONTACT, ORDER_PHONE = "陈师傅", "138 0013 8000"


@pytest.fixture
def default_contact(plant):
    Customer.update(contact="王经理", phone="020-8888 0000").where(Customer.code == "LH").execute()


def note_for(order_kwargs: dict) -> DeliveryNote:
    """The delivery note of one order (with `order_kwargs`), stocked, loaded and finished at loading."""
    order = make_order(lines=[("SF-301", 1), ("DC-08", 2)], **order_kwargs)
    return loaded_note([order])


def loaded_note(orders) -> DeliveryNote:
    cartons = [carton for order in orders for carton in stocked(order)]
    wanted = {}
    for order in orders:
        wanted.update(whole(order))
    pick_list = create_pick_list("LH", wanted, "沪A·D8812", "loading")
    assert scan("loading", pick_list.code, badge="W004").ok
    for carton in cartons:
        assert scan("loading", carton.code, badge="W004", pick_list=pick_list.code).ok
    assert scan("loading", pick_list.code, badge="W004", finish="1").outcome == "ok"
    return DeliveryNote.get(DeliveryNote.pick_list == pick_list)


def layout_texts(layout) -> str:
    return " ".join(e.text for e in layout.elements if isinstance(e, Text))


def test_the_delivery_note_names_the_orders_contact_in_every_printer_language(default_contact):
    note = note_for({"contact": ORDER_CONTACT, "phone": ORDER_PHONE})
    assert delivery_notes.note_contact(note) == (ORDER_CONTACT, ORDER_PHONE)
    for lang, word in (("zh", "联系人"), ("en", "Contact")):
        layout = delivery_notes.note_layout(note, lang)
        texts = layout_texts(layout)
        assert f"{word}" in texts and ORDER_CONTACT in texts and ORDER_PHONE in texts
        assert "王经理" not in texts and "8888" not in texts
        printed = {
            "escpos": (render_escpos(layout), "gb18030"),
            "tspl": (render_tspl(layout), "gb2312"),
            "zpl": (render_zpl(layout, cjk_font="E:SIMSUN.FNT"), "utf-8"),
        }
        for language, (payload, charset) in printed.items():
            assert ORDER_CONTACT.encode(charset) in payload, language
            assert ORDER_PHONE.encode("ascii") in payload, language
            assert "王经理".encode(charset) not in payload, language


def test_without_its_own_contact_the_note_names_the_customers_default(default_contact):
    note = note_for({})
    assert delivery_notes.note_contact(note) == ("王经理", "020-8888 0000")
    assert "王经理" in layout_texts(delivery_notes.note_layout(note, "zh"))


def test_two_orders_with_two_contacts_on_one_note_list_both(default_contact):
    first = make_order(lines=[("DC-08", 1)], contact=ORDER_CONTACT, phone=ORDER_PHONE)
    second = make_order(lines=[("DC-08", 1)])  # the customer's default for this one
    note = loaded_note([first, second])
    contact, phone = delivery_notes.note_contact(note)
    assert contact == f"{ORDER_CONTACT} {ORDER_PHONE}; 王经理 020-8888 0000" and phone == ""


def test_the_a4_page_names_the_orders_contact(client, default_contact):
    note = note_for({"contact": ORDER_CONTACT, "phone": ORDER_PHONE})
    login(client, "clerk")
    page = client.get(f"/delivery/notes/{note.code}/a4?lang=zh").text
    assert ORDER_CONTACT in page and ORDER_PHONE in page and "王经理" not in page


def test_the_new_order_form_takes_the_contact_with_the_address(client, plant):
    login(client, "clerk")
    form = Elements(client.get("/orders/new?lang=en").text)
    names = {e["attrs"].get("name") for e in form.select(tag="input")}
    assert {"destination", "contact", "phone"} <= names
    response = post(client, "/orders/new", {"number": "SO-CT1", "customer": "LH", "due_date": "2026-12-31",
                                            "destination": "广州市天河区体育西路 1 号", "contact": ORDER_CONTACT,
                                            "phone": ORDER_PHONE, "model_1": "DC-08", "quantity_1": "2"})
    assert response.status_code == 303
    order = Order.get(Order.number == "SO-CT1")
    assert (order.destination, order.contact, order.phone) == ("广州市天河区体育西路 1 号", ORDER_CONTACT, ORDER_PHONE)
    detail = Elements(client.get("/orders/SO-CT1?lang=en").text)
    assert " ".join(detail.select(id="order-contact")[0]["text"].split()) == f"{ORDER_CONTACT} {ORDER_PHONE}"

    bad = post(client, "/orders/new", {"number": "SO-CT2", "customer": "LH", "due_date": "2026-12-31",
                                       "phone": "call Wang", "model_1": "DC-08", "quantity_1": "2"})
    assert bad.status_code == 200 and "is not a phone number" in bad.text
    assert not Order.select().where(Order.number == "SO-CT2").exists()


def test_an_xlsx_with_contact_columns_sets_each_orders_contact(plant):
    book = Workbook()
    sheet = book.active
    sheet.append(["订单号", "客户", "交期", "型号", "数量", "收货地址", "收货联系人", "电话"])
    sheet.append(["SO-X7", "LH", "2026-12-31", "DC-08", 2, "广州市天河区", ORDER_CONTACT, ORDER_PHONE])
    sheet.append(["SO-X7", "LH", "2026-12-31", "SF-301", 1, "广州市天河区", ORDER_CONTACT, ORDER_PHONE])
    sheet.append(["SO-X8", "LH", "2026-12-31", "DC-08", 1, "", "", ""])
    out = io.BytesIO()
    book.save(out)
    assert import_orders("orders.xlsx", out.getvalue()) == ["SO-X7", "SO-X8"]
    seven, eight = Order.get(Order.number == "SO-X7"), Order.get(Order.number == "SO-X8")
    assert (seven.contact, seven.phone) == (ORDER_CONTACT, ORDER_PHONE)
    assert (eight.contact, eight.phone) == ("", "")


def test_an_import_with_a_bad_phone_saves_nothing_and_says_which_row(plant):
    content = ("order,customer,due_date,model,quantity,contact,phone\n"
               "SO-X9,LH,2026-12-31,DC-08,1,陈师傅,ask at the gate\n").encode()
    with pytest.raises(ImportFailed) as failed:
        import_orders("orders.csv", content)
    [error] = failed.value.errors
    assert error.row == 2 and "is not a phone number" in error.message.render("en")
    assert "不是电话号码" in error.message.render("zh")
    assert Order.select().count() == 0


def test_a_phone_with_letters_is_refused_in_words(plant):
    with pytest.raises(OrderError) as refused:
        make_order(phone="138-abc")
    assert "is not a phone number" in refused.value.message.render("en")


def test_migration_10_adds_the_columns_to_an_older_database_keeping_its_orders(tmp_path):
    from peewee import SqliteDatabase

    from db import models, schema

    old = SqliteDatabase(str(tmp_path / "v7.sqlite3"))
    old.execute_sql('CREATE TABLE "order" (id INTEGER PRIMARY KEY, number VARCHAR(32), destination VARCHAR(256))')
    old.execute_sql("INSERT INTO \"order\" VALUES (1, 'SO-OLD', '天河区')")
    with old.bind_ctx([models.SchemaVersion, *models.ALL_MODELS]):
        old.create_tables([models.SchemaVersion])
        for version in (1, 3, 4, 5, 7):
            models.SchemaVersion.create(version=version)
        assert 10 in migrate(old)
        assert old.execute_sql('SELECT number, contact, phone FROM "order"').fetchall() == [("SO-OLD", "", "")]
        schema._v10_order_contact(old)  # idempotent
