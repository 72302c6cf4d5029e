"""Every layout in both languages: the right text, and a PNG whose barcodes scan back to the payload."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image
from pyzbar import pyzbar

from kiosk.labels import (
    Barcode128,
    Layout,
    QRCode,
    carton_label_layout,
    job_card_layout,
    manifest_layout,
    pick_list_layout,
    printer_test_layout,
    render_png,
    render_svg,
)
from kiosk.labels.layout import wrap
from kiosk.labels.samples import sample_carton, sample_job_card, sample_manifest, sample_pick_list
from tests.pages import texts

LANGS = ("zh", "en")
SSCC = "106141411234567897"




def png_codes(layout: Layout) -> list[tuple[str, str]]:
    """(symbology, data) of every code zbar finds in the PNG preview, sorted."""
    image = Image.open(io.BytesIO(render_png(layout))).convert("L")
    return sorted((r.type, r.data.decode()) for r in pyzbar.decode(image))


def all_layouts(lang: str) -> dict[str, Layout]:
    return {
        "carton": carton_label_layout(sample_carton(code="C-000192"), lang),
        "carton_99": carton_label_layout(sample_carton(code="99001234"), lang),
        "carton_sscc": carton_label_layout(sample_carton(code="C-000193", sscc=SSCC), lang),
        "job_card": job_card_layout(sample_job_card(code="JC-000123", rush=True, rework_of="JC-000100"), lang),
        "pick_list": pick_list_layout(sample_pick_list(code="PL-0042"), lang),
        "manifest": manifest_layout(sample_manifest(), lang),
        "test_label": printer_test_layout(lang, "Packing 1"),
    }


EXPECTED_CODES = {
    "carton": [("CODE128", "C-000192")],
    "carton_99": [("CODE128", "99001234")],
    "carton_sscc": [("CODE128", "00" + SSCC), ("CODE128", "C-000193")],
    "job_card": [("CODE128", "JC-000123"), ("QRCODE", "JC-000123")],
    "pick_list": [("CODE128", "PL-0042")],
    "manifest": [],
    "test_label": [("CODE128", "9912345678"), ("QRCODE", "TEST Packing 1")],
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", sorted(EXPECTED_CODES))
def test_png_barcodes_scan_to_the_payload(name, lang):
    layout = all_layouts(lang)[name]
    assert png_codes(layout) == EXPECTED_CODES[name]


@pytest.mark.parametrize("lang", LANGS)
def test_sscc_barcode_is_gs1_128(lang):
    image = Image.open(io.BytesIO(render_png(all_layouts(lang)["carton_sscc"]))).convert("L")
    found = {(r.text, r.symbology_identifier) for r in zxingcpp.read_barcodes(image)}
    assert ("(00)" + SSCC, "]C1") in found
    assert ("C-000193", "]C0") in found


def test_carton_label_says_which_carton_in_each_language():
    doc = sample_carton(package_no=2, packages=3, unit_no=4, units=5, sscc=SSCC)
    zh, en = texts(carton_label_layout(doc, "zh")), texts(carton_label_layout(doc, "en"))
    assert "第 2 箱 / 共 3 箱" in zh and "第 4 件 / 共 5 件" in zh
    assert "Carton 2 of 3" in en and "Unit 4 of 5" in en
    for lines in (zh, en):
        assert doc.customer in lines
        assert "C-000192" in lines and "(00) " + SSCC in lines
        assert any(doc.order_number in line for line in lines)
        assert any(doc.destination in line for line in lines)
        assert any(doc.product_model in line and doc.product_name in line for line in lines)


def test_carton_label_size_is_configurable_and_stays_inside():
    for width, height in ((100, 70), (100, 150), (60, 40)):
        layout = carton_label_layout(sample_carton(sscc=SSCC), "zh", width_mm=width, height_mm=height)
        assert (layout.width, layout.height) == (width, height)
        for element in layout.elements:
            assert element.bottom <= height + 0.01, element
        assert png_codes(layout) == [("CODE128", "00" + SSCC), ("CODE128", "C-000192")]


def test_replacement_label_is_marked():
    assert "补打标签" in texts(carton_label_layout(sample_carton(replacement=True), "zh"))
    assert "Replacement label" not in texts(carton_label_layout(sample_carton(), "en"))


def test_job_card_shows_route_in_the_reader_language_and_flags():
    doc = sample_job_card(rush=True, rework_of="JC-000100")
    zh, en = texts(job_card_layout(doc, "zh")), texts(job_card_layout(doc, "en"))
    assert [t for t in zh if t[:2] in ("1.", "6.")] == ["1. 白身", "6. 装车"]
    assert [t for t in en if t[:2] in ("1.", "6.")] == ["1. White body", "6. Loading"]
    assert "加急" in zh and "RUSH" in en
    assert any("JC-000100" in t for t in zh) and "Rework of JC-000100" in en
    assert "交期：2025-03-18" in zh and "Due: 2025-03-18" in en
    plain = texts(job_card_layout(sample_job_card(route=("Saw", "Paint")), "en"))
    assert "RUSH" not in plain and "1. Saw" in plain and "2. Paint" in plain


def test_receipts_flow_as_long_as_their_content():
    short = pick_list_layout(sample_pick_list(lines=()), "en")
    long = pick_list_layout(sample_pick_list(lines=sample_pick_list().lines * 10), "en")
    assert short.height is None and long.height is None
    assert long.page_height > short.page_height + 50
    assert short.width == 72.0


def test_manifest_lists_missing_cartons_and_the_override():
    zh = " ".join(texts(manifest_layout(sample_manifest(), "zh")))
    en = " ".join(texts(manifest_layout(sample_manifest(), "en")))
    assert "C-000193" in en and "Missing cartons: 3" in en and "Loaded 1 of 2 units" in en
    assert "缺少箱数：3" in zh and "缺箱放行" in zh and "customer agreed" in zh
    complete = " ".join(texts(manifest_layout(sample_manifest(lines=sample_manifest().lines[1:],
                                                              override_reason=""), "en")))
    assert "All cartons loaded" in complete and "approved" not in complete


def test_long_text_wraps_within_the_receipt():
    flow_lines = wrap("三门衣柜 " * 12 + "walnut veneer wardrobe with three doors and a mirror", 3.0, 70.0)
    assert len(flow_lines) > 2
    assert all(len(line) > 0 for line in flow_lines)
    assert "".join(flow_lines).replace(" ", "") == ("三门衣柜" * 12 + "walnutveneerwardrobewiththreedoorsandamirror")
    for word in "walnut veneer wardrobe with three doors and a mirror".split():  # words are not split
        assert any(word in line.split() for line in flow_lines), word


def test_every_barcode_element_holds_ascii():
    for lang in LANGS:
        for layout in all_layouts(lang).values():
            for element in layout.elements:
                if isinstance(element, (Barcode128, QRCode)):
                    assert element.data.isascii()


def test_svg_preview_has_text_and_bars():
    svg = render_svg(all_layouts("zh")["carton"]).decode("utf-8")
    assert svg.startswith("<svg") and 'width="100mm"' in svg
    assert "第 2 箱 / 共 3 箱" in svg and "<path d=\"M" in svg
