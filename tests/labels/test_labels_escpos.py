"""ESC/POS output: Chinese mode with GB18030 bytes, raster fallback, exact barcode commands, receipts that scan."""

from __future__ import annotations

import pytest
import zxingcpp
from pyzbar import pyzbar

from kiosk.labels import (
    Layout,
    Text,
    carton_label_layout,
    job_card_layout,
    manifest_layout,
    pick_list_layout,
    render_escpos,
)
from kiosk.labels.escpos_receipt import CHINESE_OFF, CHINESE_ON
from kiosk.labels.raster import to_paper
from kiosk.labels.readback import escpos_image
from kiosk.labels.samples import sample_carton, sample_job_card, sample_manifest, sample_pick_list

SSCC = "106141411234567897"
RASTER = b"\x1dv0"  # GS v 0: raster bit image


def receipt(*texts: Text) -> Layout:
    return Layout(72, None, texts)


def scans(data: bytes) -> list[tuple[str, str]]:
    image = to_paper(escpos_image(data)).convert("L")
    return sorted((r.text, r.symbology_identifier) for r in zxingcpp.read_barcodes(image))


def test_chinese_line_is_sent_in_chinese_mode_as_gb18030():
    out = render_escpos(receipt(Text(0, 0, "联华家具 SO-88：沪A·12345")), cut=False)
    expected = (b"\x1c&"  # FS & - Chinese mode on
                b"\xc1\xaa\xbb\xaa\xbc\xd2\xbe\xdf SO-88\xa3\xba\xbb\xa6A\xa1\xa412345"
                b"\x1c.")  # FS . - Chinese mode off
    assert expected in out
    assert CHINESE_ON + "联华家具 SO-88：沪A·12345".encode("gb18030") + CHINESE_OFF == expected
    assert out.startswith(b"\x1b@")  # ESC @ initialise
    assert RASTER not in out


def test_ascii_line_is_plain_text():
    out = render_escpos(receipt(Text(0, 0, "Order: SO-88")), cut=False)
    assert b"Order: SO-88\n" in out and CHINESE_ON not in out


def test_character_outside_the_printer_font_rasters_that_line_only():
    out = render_escpos(receipt(Text(0, 0, "𠮷野家具"), Text(0, 5, "联华家具")), cut=False)
    assert out.count(RASTER) == 1
    assert out.count(CHINESE_ON) == 1 and CHINESE_ON + "联华家具".encode("gb18030") + CHINESE_OFF in out
    assert "野家具".encode("gb18030") not in out  # the whole line is a picture: no text, so no '?' either
    ink = escpos_image(out)
    assert ink.crop((0, 0, 576, 30)).getbbox() is not None  # the rastered line has ink


def test_raster_mode_prints_chinese_as_images():
    out = render_escpos(carton_label_layout(sample_carton(), "zh"), chinese="raster")
    assert CHINESE_ON not in out
    assert out.count(RASTER) >= 6  # customer, destination, product, order/colour, carton, unit
    assert "联华".encode("gb18030") not in out


def test_unknown_chinese_mode_is_refused():
    with pytest.raises(ValueError, match="gb18030"):
        render_escpos(receipt(Text(0, 0, "x")), chinese="big5")


def test_native_barcode_command_is_exact():
    out = render_escpos(carton_label_layout(sample_carton(code="C-000192", sscc=SSCC), "en"))
    assert b"\x1dkI\x09{BC-{C\x00\x01\x5c" in out  # GS k 73, 9 bytes: subset B "C-", subset C 00 01 92
    sscc_data = b"{C{1" + bytes(int(("00" + SSCC)[i : i + 2]) for i in range(0, 20, 2))
    assert b"\x1dkI" + bytes([len(sscc_data)]) + sscc_data in out
    assert b"\x1dH\x00" in out  # HRI off: our own text line follows the bars
    assert out.endswith(b"\x1dV\x00")  # cut


def test_native_qr_command():
    out = render_escpos(job_card_layout(sample_job_card(code="JC-000123"), "en"))
    assert b"\x1d(k\x0c\x001P0JC-000123" in out and b"\x1d(k\x03\x001Q0" in out


@pytest.mark.parametrize("profile", ["TM-T20II", "default", "POS-5890"])
def test_nothing_is_printed_to_stdout(capsys, profile):
    layout = job_card_layout(sample_job_card(), "zh")
    render_escpos(layout, profile=profile)
    render_escpos(layout, profile=profile, chinese="raster", barcodes="raster", qr="raster")
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("barcodes", ["native", "raster"])
def test_58mm_printer_gets_barcodes_that_fit(barcodes):
    out = render_escpos(carton_label_layout(sample_carton(sscc=SSCC), "zh"), profile="POS-5890", barcodes=barcodes)
    image = to_paper(escpos_image(out, width_dots=384)).convert("L")
    found = sorted(r.text for r in zxingcpp.read_barcodes(image))
    assert found == ["(00)" + SSCC, "C-000192"]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("chinese", ["gb18030", "raster"])
@pytest.mark.parametrize("barcodes", ["native", "raster"])
def test_printed_carton_label_scans_to_the_carton_code(lang, chinese, barcodes):
    out = render_escpos(carton_label_layout(sample_carton(code="C-000192"), lang), chinese=chinese,
                        barcodes=barcodes)
    assert scans(out) == [("C-000192", "]C0")]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("mode", ["native", "raster"])
def test_printed_documents_scan_all_their_codes(lang, mode):
    carton = render_escpos(carton_label_layout(sample_carton(code="9900123", sscc=SSCC), lang), barcodes=mode)
    assert scans(carton) == [("(00)" + SSCC, "]C1"), ("9900123", "]C0")]
    job = render_escpos(job_card_layout(sample_job_card(code="JC-000123"), lang), barcodes=mode, qr=mode)
    assert scans(job) == [("JC-000123", "]C0"), ("JC-000123", "]Q1")]
    pick = escpos_image(render_escpos(pick_list_layout(sample_pick_list(), lang), barcodes=mode))
    assert [r.data for r in pyzbar.decode(to_paper(pick).convert("L"))] == [b"PL-0042"]


def test_receipt_rows_keep_their_columns():
    out = render_escpos(pick_list_layout(sample_pick_list(), "en"), cut=False)
    assert b" Truck: " in out
    row = next(line for line in out.split(b"\n") if b"Dock: D3" in line)
    text = row[row.index(CHINESE_ON) + 2 : row.index(CHINESE_OFF)].decode("gb18030")
    width = sum(1 if ord(ch) < 0x80 else 2 for ch in text)
    assert text.endswith("Dock: D3") and width <= 48  # right column ends at the edge of 48 columns


def test_manifest_prints_in_both_languages():
    zh = render_escpos(manifest_layout(sample_manifest(), "zh"))
    en = render_escpos(manifest_layout(sample_manifest(), "en"))
    assert "装车清单".encode("gb18030") in zh and b"Loading manifest" in en
    assert b"C-000193" in zh and b"C-000193" in en
