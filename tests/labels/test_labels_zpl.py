"""ZPL II output: structure, Chinese as printer font or bitmap, exact barcode fields, and labels that scan."""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

import pytest
import zxingcpp
from pyzbar import pyzbar

from kiosk.labels import Layout, Text, carton_label_layout, fonts, job_card_layout, pick_list_layout, render_zpl
from kiosk.labels.raster import to_paper
from kiosk.labels.readback import zpl_decompress, zpl_image
from kiosk.labels.samples import sample_carton, sample_job_card, sample_pick_list
from kiosk.labels.zpl import compress_hex

GOLDEN = Path(__file__).parent / "golden"
SSCC = "106141411234567897"
CJK = re.compile(r"[\u3400-\u9fff\U00020000-\U0003ffff]")


def commands(zpl: bytes) -> list[str]:
    return ["^" + c.strip() for c in zpl.decode("utf-8").split("^")[1:]]


def scans(zpl: bytes) -> list[tuple[str, str]]:
    image = to_paper(zpl_image(zpl)).convert("L")
    return sorted((r.text, r.symbology_identifier) for r in zxingcpp.read_barcodes(image))


def ascii_carton(**overrides):
    fields = dict(customer="Lianhua Furniture", destination="Shanghai DC 3", product_name="Wardrobe, walnut",
                  colour="Walnut")
    fields.update(overrides)
    return sample_carton(**fields)


def test_label_frame_and_size():
    zpl = render_zpl(carton_label_layout(sample_carton(), "zh"))
    cmds = commands(zpl)
    assert cmds[:5] == ["^XA", "^CI28", "^PW799", "^LL559", "^LH0,0"]
    assert cmds[-1] == "^XZ" and zpl.count(b"^XA") == 1
    cmds300 = commands(render_zpl(carton_label_layout(sample_carton(), "zh"), dpi=300))
    assert "^PW1181" in cmds300 and "^LL827" in cmds300


def test_barcode_fields_are_exact():
    cmds = commands(render_zpl(carton_label_layout(sample_carton(code="99001234", sscc=SSCC), "en")))
    assert len([c for c in cmds if re.fullmatch(r"\^BCN,\d+,N,N,N", c)]) == 2
    fields = [cmds[i + 1] for i, c in enumerate(cmds) if c.startswith("^BC")]
    assert fields == ["^FD>;99001234", "^FD>;>800" + SSCC]
    assert "^FD(00) " + SSCC in cmds
    assert any(c.startswith("^BY3") for c in cmds)


def test_chinese_without_printer_font_goes_as_bitmaps_that_match_our_drawing():
    layout = carton_label_layout(sample_carton(), "zh")
    zpl = render_zpl(layout)
    assert not CJK.search(zpl.decode("utf-8"))
    graphics = re.findall(r"\^FO(\d+),(\d+)\^GFA,(\d+),\d+,(\d+),([^^]*)\^FS", zpl.decode("utf-8"))
    chinese = [el for el in layout.elements if isinstance(el, Text) and CJK.search(el.text)]
    assert len(graphics) == len(chinese) > 0
    first = chinese[0]
    total, row_bytes, data = int(graphics[0][2]), int(graphics[0][3]), graphics[0][4]
    expected = fonts.text_bitmap(first.text, round(first.size * 203 / 25.4), first.bold).tobytes()
    assert zpl_decompress(data, row_bytes) == expected and total == len(expected)


def test_chinese_with_printer_font_uses_it_and_falls_back_for_what_it_lacks():
    doc = sample_carton(customer="𠮷野家具")  # U+20BB7 is outside the printer font's GB18030 core
    zpl = render_zpl(carton_label_layout(doc, "zh"), cjk_font="E:SIMSUN.FNT").decode("utf-8")
    assert "^A@N,28,28,E:SIMSUN.FNT^FD目的地：上海市浦东新区 3 号仓^FS" in zpl
    assert re.search(r"\^FO24,\d+\^A@N,(\d+),\1,E:SIMSUN.FNT\^FD第 2 箱 / 共 3 箱\^FS", zpl)
    assert "^A@N,28,28,E:SIMSUN.FNT^FB263,1,0,R,0^FD第 4 件 / 共 5 件^FS" in zpl  # right-aligned block
    assert "𠮷" not in zpl and "?" not in zpl
    assert zpl.count("^GFA") == 1  # only the customer line


def test_command_characters_in_text_are_escaped():
    zpl = render_zpl(Layout(50, 20, (Text(1, 1, "A^B~C\\D"),))).decode("utf-8")
    assert "^FH\\^FDA\\5EB\\7EC\\5CD^FS" in zpl
    assert render_zpl(Layout(50, 20, (Text(1, 1, "plain"),))).decode("utf-8").count("^FH") == 0


@pytest.mark.parametrize("seed", range(5))
def test_bitmap_compression_round_trips(seed):
    rng = random.Random(seed)
    row_bytes = rng.randint(1, 120)
    rows = []
    for _ in range(rng.randint(1, 40)):
        kind = rng.random()
        if kind < 0.3 and rows:
            rows.append(rows[-1])  # repeated row
        elif kind < 0.5:
            rows.append(bytes(row_bytes))  # blank row
        elif kind < 0.7:
            rows.append(bytes([0xFF]) * row_bytes)  # long run
        else:
            rows.append(bytes(rng.choice([0, 0, 0x0F, 0xF0, rng.randint(0, 255)]) for _ in range(row_bytes)))
    data = b"".join(rows)
    packed = compress_hex(data, row_bytes)
    assert zpl_decompress(packed, row_bytes) == data
    assert len(packed) <= len(data) * 2


def test_long_runs_are_split_into_valid_counts():
    data = bytes([0xAA]) * 300  # 600 hex characters in one row: more than one count (max 419)
    assert zpl_decompress(compress_hex(data, 300), 300) == data


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("cjk_font", [None, "E:SIMSUN.FNT"])
def test_printed_carton_label_scans_to_the_carton_code(lang, cjk_font):
    zpl = render_zpl(carton_label_layout(sample_carton(code="C-000192"), lang), cjk_font=cjk_font)
    assert scans(zpl) == [("C-000192", "]C0")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_printed_labels_scan_all_their_codes(lang):
    assert scans(render_zpl(carton_label_layout(sample_carton(code="9900123", sscc=SSCC), lang))) == [
        ("(00)" + SSCC, "]C1"), ("9900123", "]C0")]
    assert scans(render_zpl(job_card_layout(sample_job_card(code="JC-000123"), lang))) == [
        ("JC-000123", "]C0"), ("JC-000123", "]Q1")]
    image = to_paper(zpl_image(render_zpl(pick_list_layout(sample_pick_list(), lang)))).convert("L")
    assert [r.data for r in pyzbar.decode(image)] == [b"PL-0042"]


def test_golden_ascii_carton_label():
    """A reviewed ZPL file for an all-ASCII label; KIOSK_UPDATE_GOLDEN=1 rewrites it after a deliberate change."""
    zpl = render_zpl(carton_label_layout(ascii_carton(sscc=SSCC), "en"))
    path = GOLDEN / "carton_en.zpl"
    if os.environ.get("KIOSK_UPDATE_GOLDEN") == "1":
        path.write_bytes(zpl)
    assert zpl == path.read_bytes()
