"""The GS1 logistic label (100 x 150 mm): SSCC as GS1-128 at X >= 0.495 mm and bars >= 31.75 mm, data
titles and the (00) line; measured on the label drawn from the very bytes each printer gets. And the
ESC/POS carton label prints the customer large."""

from __future__ import annotations

import pytest
import zxingcpp

from kiosk.core import settings
from kiosk.labels import (
    carton_label_layout,
    gs1_logistic_label_layout,
    printed_image,
    render_escpos,
    render_tspl,
    render_zpl,
)
from kiosk.labels.elements import Barcode128, Text
from kiosk.labels.raster import to_paper
from kiosk.labels.samples import sample_carton
from kiosk.shipping import cartons

SSCC = "106141411234567897"
DPI = 203


def drawn(language: str, layout) -> object:
    render = {"zpl": render_zpl, "tspl": render_tspl}[language]
    return to_paper(printed_image(render(layout), language)).convert("L")


def runs(values: list[bool]) -> list[tuple[bool, int]]:
    found: list[tuple[bool, int]] = []
    for value in values:
        if found and found[-1][0] == value:
            found[-1] = (value, found[-1][1] + 1)
        else:
            found.append((value, 1))
    return found


@pytest.mark.parametrize("language", ["zpl", "tspl"])
def test_sscc_barcode_meets_gs1_logistic_label_minimums(language):
    layout = gs1_logistic_label_layout(sample_carton(sscc=SSCC), "zh", "某某家具厂")
    image = drawn(language, layout)
    assert abs(image.width - 100 / 25.4 * DPI) <= 2 and abs(image.height - 150 / 25.4 * DPI) <= 2
    found = {r.text: r for r in zxingcpp.read_barcodes(image)}
    assert set(found) == {f"(00){SSCC}", "C-000192"}
    sscc = found[f"(00){SSCC}"]
    assert sscc.symbology_identifier == "]C1"  # GS1-128: FNC1 first
    corners = [(p.x, p.y) for p in (sscc.position.top_left, sscc.position.top_right,
                                    sscc.position.bottom_right, sscc.position.bottom_left)]
    left, right = min(x for x, _ in corners), max(x for x, _ in corners)
    top, bottom = min(y for _, y in corners), max(y for _, y in corners)
    pixels = image.load()
    middle = (top + bottom) // 2
    row = runs([pixels[x, middle] < 128 for x in range(left - 5, right + 6)])
    bars = [length for dark, length in row if dark]
    spaces = [length for dark, length in row[1:-1] if not dark]
    narrowest = min(bars + spaces)
    assert narrowest * 25.4 / DPI >= 0.495, narrowest  # X
    assert max(bars) == 4 * narrowest  # widths are whole modules
    first_bar = next(x for x in range(left - 5, right) if pixels[x, middle] < 128) + 1
    column = runs([pixels[first_bar, y] < 128 for y in range(image.height)])
    tallest = max(length for dark, length in column if dark)
    assert tallest * 25.4 / DPI >= 31.75, tallest  # bar height


def test_data_titles_and_the_00_line():
    layout = gs1_logistic_label_layout(sample_carton(sscc=SSCC), "en", "Demo Furniture Co.")
    texts = [e.text for e in layout.elements if isinstance(e, Text)]
    for title in ("SSCC", "ORDER", "CONTENT", "COUNT"):
        assert title in texts
    assert "From: Demo Furniture Co." in texts and "SO-2025-0088" in texts and "Carton 2 of 3" in texts
    [gs1] = [e for e in layout.elements if isinstance(e, Barcode128) and e.gs1]
    assert gs1.human_text.startswith("(00) ") and gs1.human_text.replace(" ", "") == f"(00){SSCC}"
    assert gs1.data == f"00{SSCC}"
    assert gs1.module >= 0.495 and gs1.height >= 31.75
    with pytest.raises(ValueError):
        gs1_logistic_label_layout(sample_carton(sscc=None), "en")


def test_customers_that_need_it_get_the_gs1_label_the_rest_the_100x70(plant, monkeypatch):
    from db.models import Customer, Printer
    from tests.factories import cards_of, make_order, through_qc

    settings.configure({"SSCC_COMPANY_PREFIX": "0614141", "SSCC_EXTENSION": 3})
    try:
        order = make_order(lines=[("SF-301", 1)])
        through_qc(order)
        from tests.factories import scan

        scan("packing", cards_of(order)[0].code)
        carton = cartons.cartons_of_card(cards_of(order)[0])[0]
        printer = Printer.create(name="pack-zpl", uri="tcp://127.0.0.1:9", language="zpl")
        assert cartons.carton_layout_for(carton, printer).height == 70
        code = Customer.get_by_id(order.customer_id).code
        settings.configure({"SSCC_COMPANY_PREFIX": "0614141", "SSCC_EXTENSION": 3, "GS1_LABEL_CUSTOMERS": [code]})
        layout = cartons.carton_layout_for(carton, printer)
        assert (layout.width, layout.height) == (100, 150)
        assert any(isinstance(e, Barcode128) and e.gs1 and e.module >= 0.495 for e in layout.elements)
        receipt = Printer.create(name="desk", uri="tcp://127.0.0.1:9", language="escpos")
        assert cartons.carton_layout_for(carton, receipt).height != 150  # receipt paper: the small label
    finally:
        settings.configure({})


def test_escpos_carton_label_prints_the_customer_at_double_size():
    layout = carton_label_layout(sample_carton(customer="联华家具有限公司"), "zh", 72, 50.4)
    data = render_escpos(layout)
    name = "联华家具有限公司".encode("gb18030")
    at = data.index(name)
    size_commands = [i for i in range(at) if data[i:i + 2] == b"\x1d!"]
    assert size_commands, "no character size command before the customer"
    size = data[size_commands[-1] + 2]
    assert (size >> 4) + 1 >= 2 and (size & 0x0F) + 1 >= 2  # width and height at least doubled
