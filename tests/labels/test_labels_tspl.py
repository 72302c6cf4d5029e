"""TSPL output: CRLF commands, Chinese in the printer's GB font or as BITMAP, exact barcodes, labels that scan."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from kiosk.labels import Layout, Text, carton_label_layout, fonts, job_card_layout, render_tspl
from kiosk.labels.raster import to_paper
from kiosk.labels.readback import tspl_image
from kiosk.labels.samples import sample_carton, sample_job_card

GOLDEN = Path(__file__).parent / "golden"
SSCC = "106141411234567897"


def lines(tspl: bytes) -> list[bytes]:
    """Command lines (BITMAP data included in its line); every command ends in CRLF."""
    assert tspl.endswith(b"\r\n")
    return tspl[:-2].split(b"\r\n")


def scans(tspl: bytes) -> list[tuple[str, str]]:
    image = to_paper(tspl_image(tspl)).convert("L")
    return sorted((r.text, r.symbology_identifier) for r in zxingcpp.read_barcodes(image))


def test_label_setup_and_print():
    out = lines(render_tspl(carton_label_layout(sample_carton(), "zh")))
    assert out[:5] == [b"SIZE 100 mm,70 mm", b"GAP 2 mm,0 mm", b"DIRECTION 1", b"REFERENCE 0,0", b"CLS"]
    assert out[-1] == b"PRINT 1,1"
    assert lines(render_tspl(carton_label_layout(sample_carton(), "zh"), copies=2))[-1] == b"PRINT 1,2"


def test_chinese_text_goes_to_tss24_in_gb_bytes():
    out = render_tspl(carton_label_layout(sample_carton(), "zh"))
    assert b'TEXT 24,80,"TSS24.BF2",0,1,1,"' + "目的地：上海市浦东新区 3 号仓".encode("gb2312") + b'"\r\n' in out
    assert "目的地".encode("gb2312") == b"\xc4\xbf\xb5\xc4\xb5\xd8"  # the bytes the printer's GB font reads
    assert b"BITMAP" not in out  # everything on this label is in GB2312


def test_text_outside_the_font_charset_becomes_a_bitmap():
    layout = Layout(100, 20, (Text(3, 2, "喆华家具", 4.0), Text(3, 10, "联华家具", 4.0)))
    gb2312 = render_tspl(layout)
    assert b'"TSS24.BF2",0,1,1,"' + "联华家具".encode("gb2312") + b'"' in gb2312
    assert gb2312.count(b"BITMAP ") == 1 and "喆".encode("gbk") not in gb2312  # 喆 is GBK, not GB2312
    gbk = render_tspl(layout, cjk_charset="gbk")
    assert b"BITMAP " not in gbk and "喆华家具".encode("gbk") in gbk
    rare = render_tspl(Layout(100, 20, (Text(3, 2, "𠮷野家具", 4.0),)), cjk_charset="gbk")
    assert rare.count(b"BITMAP ") == 1 and b"TEXT " not in rare  # drawn, never sent as '?' to the font


def test_bitmap_is_our_drawing_with_zero_bits_for_ink():
    size_px = round(4.0 * 203 / 25.4)
    tspl = render_tspl(Layout(100, 20, (Text(3, 2, "喆华家具", 4.0),)))
    start = tspl.index(b"BITMAP ")
    x, y, row_bytes, rows, mode, rest = tspl[start + 7 :].split(b",", 5)
    assert (x, y, mode) == (b"24", b"16", b"0")
    data = rest[: int(row_bytes) * int(rows)]
    expected = fonts.text_bitmap("喆华家具", size_px)
    printed = Image.frombytes("1", (int(row_bytes) * 8, int(rows)), data)  # 1 = paper here
    assert printed.crop((0, 0) + expected.size).tobytes() == to_paper(expected).tobytes()
    assert rest[int(row_bytes) * int(rows) :].startswith(b"\r\n")


def test_without_a_cjk_font_ascii_uses_builtin_font_and_chinese_is_bitmap():
    out = render_tspl(carton_label_layout(sample_carton(), "en"), cjk_font=None)
    assert b'TEXT 24,150,"3",0,1,1,"Order: SO-2025-0088"\r\n' in out
    assert b"TSS24" not in out and out.count(b"BITMAP ") >= 3  # customer, destination, product, colour


def test_barcodes_are_exact():
    out = render_tspl(carton_label_layout(sample_carton(code="99001234", sscc=SSCC), "en"))
    barcodes = [line for line in lines(out) if line.startswith(b"BARCODE ")]
    assert len(barcodes) == 2
    assert barcodes[0].split(b",")[2] == b'"128"'
    assert barcodes[0].endswith(b',0,0,3,3,"99001234"')
    assert barcodes[1].split(b",")[2] == b'"128M"'
    assert barcodes[1].endswith(b',0,0,3,3,"!105!10200' + SSCC.encode() + b'"')


def test_quotes_in_text_are_escaped():
    out = render_tspl(Layout(60, 10, (Text(1, 1, 'say "hi"'),)))
    assert b'"say \\["]hi\\["]"' in out


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("cjk_font", ["TSS24.BF2", None])
def test_printed_carton_label_scans_to_the_carton_code(lang, cjk_font):
    tspl = render_tspl(carton_label_layout(sample_carton(code="C-000192"), lang), cjk_font=cjk_font)
    assert scans(tspl) == [("C-000192", "]C0")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_printed_labels_scan_all_their_codes(lang):
    assert scans(render_tspl(carton_label_layout(sample_carton(code="9900123", sscc=SSCC), lang))) == [
        ("(00)" + SSCC, "]C1"), ("9900123", "]C0")]
    assert scans(render_tspl(job_card_layout(sample_job_card(code="JC-000123"), lang))) == [
        ("JC-000123", "]C0"), ("JC-000123", "]Q1")]


def test_golden_ascii_carton_label():
    """A reviewed TSPL file for an all-ASCII label; KIOSK_UPDATE_GOLDEN=1 rewrites it after a deliberate change."""
    doc = sample_carton(customer="Lianhua Furniture", destination="Shanghai DC 3", product_name="Wardrobe, walnut",
                        colour="Walnut", sscc=SSCC)
    tspl = render_tspl(carton_label_layout(doc, "en"))
    path = GOLDEN / "carton_en.tspl"
    if os.environ.get("KIOSK_UPDATE_GOLDEN") == "1":
        path.write_bytes(tspl)
    assert tspl == path.read_bytes()


@pytest.mark.parametrize(("text", "size_mm"),
                         [("喆堃镕", 3.5), ("𠮷野家", 3.5), ("沪A·D8812", 4.0), ("沪B·12345", 4.0)])
def test_bitmap_rows_are_padded_with_paper_so_no_bar_prints_at_the_right_edge(text, size_mm):
    """Every bit after the drawing in a BITMAP row is 1 (no dot); rendered, the edge columns are paper."""
    tspl = render_tspl(Layout(100, 20, (Text(3, 2, text, size_mm),)), cjk_font=None)
    start = tspl.index(b"BITMAP ")
    x, y, row_bytes, rows, _mode, rest = tspl[start + 7 :].split(b",", 5)
    width, row_bytes, rows = fonts.text_bitmap(text, round(size_mm * 203 / 25.4)).width, int(row_bytes), int(rows)
    assert row_bytes * 8 > width  # there is padding to look at
    data = rest[: row_bytes * rows]
    # the bytes themselves: unpack each row and look at the padding bits
    for row in range(rows):
        bits = "".join(f"{byte:08b}" for byte in data[row * row_bytes : (row + 1) * row_bytes])
        assert set(bits[width:]) == {"1"}, (row, bits[width - 4 :])
    # and rendered, as a printer would: the last column of the bitmap and the one after hold no ink,
    # while the drawing itself has ink
    label = tspl_image(tspl)  # mode "1", 1 = ink
    left, top = int(x), int(y)
    for column in (left + row_bytes * 8 - 1, left + width):
        assert not any(label.getpixel((column, top + r)) for r in range(rows)), column
    assert any(label.getpixel((c, top + r)) for c in range(left, left + width) for r in range(rows))
