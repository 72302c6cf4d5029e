"""Our Code 128 encoder, and how ZPL, TSPL and ESC/POS are told to print exactly its symbols."""

from __future__ import annotations

import barcode
import pytest
import zxingcpp
from PIL import Image
from pyzbar import pyzbar

from kiosk.labels import code128
from kiosk.labels.escpos_receipt import code128_data
from kiosk.labels.raster import draw_bars, to_paper
from kiosk.labels.readback import escpos_code128_values, tspl_code128m_values, zpl_code128_values
from kiosk.labels.tspl import code128m_data
from kiosk.labels.zpl import code128_field

SAMPLES = ["C-000192", "JC-000123", "99001234", "990012345", "99", "9", "ab12345678cd", "A\tb", "x>y^z~{q}",
           "PL-0042", "12345678901234567890"]


def scan(data: str, gs1: bool = False) -> tuple[list[bytes], list[tuple[str, str]]]:
    """Draw the symbol at 3 dots per module with quiet zones and read it with zbar and zxing."""
    bars = code128.pattern(data, gs1)
    image = Image.new("1", (len(bars) * 3 + 60, 100), 0)
    draw_bars(image, 30, 10, bars, 3, 80)
    paper = to_paper(image).convert("L")
    zbar = [r.data for r in pyzbar.decode(paper)]
    zx = [(r.text, r.symbology_identifier) for r in zxingcpp.read_barcodes(paper)]
    return zbar, zx


@pytest.mark.parametrize("data", SAMPLES)
def test_symbols_scan_back_to_the_data(data):
    zbar, zx = scan(data)
    assert zbar == [data.encode()]
    assert zx == [(data, "]C0")]


def test_python_barcode_pitfall_is_avoided():
    """python-barcode 0.16.1 drops the leading 99 of all-digit data; our symbols keep it."""
    theirs = barcode.get_barcode_class("code128")("99001234").build()[0]
    ours = code128.pattern("99001234")
    assert scan("99001234")[0] == [b"99001234"]
    assert theirs != ours


def test_gs1_128_sscc_starts_with_fnc1():
    tokens = code128.encode("00106141411234567897", gs1=True)
    assert [t.kind for t in tokens[:3]] == ["start", "fnc1", "pair"]
    assert code128.values(tokens)[:3] == [105, 102, 0]
    zbar, zx = scan("00106141411234567897", gs1=True)
    assert zbar == [b"00106141411234567897"]
    assert zx == [("(00)106141411234567897", "]C1")]  # ]C1: the symbol is GS1-128


def test_digit_runs_use_subset_c():
    kinds = [(t.kind, t.value) for t in code128.encode("C-000192")]
    assert kinds == [("start", "B"), ("char", "C"), ("char", "-"), ("switch", "C"), ("pair", "00"),
                     ("pair", "01"), ("pair", "92")]


def test_non_ascii_is_refused():
    with pytest.raises(code128.BarcodeDataError, match="ASCII only"):
        code128.encode("箱-1")


@pytest.mark.parametrize("data", SAMPLES)
def test_zpl_field_data_means_the_same_symbols(data):
    tokens = code128.encode(data)
    field = code128_field(tokens)
    assert "^" not in field and "~" not in field  # would start a ZPL command
    assert zpl_code128_values(field) == code128.values(tokens)


def test_zpl_field_data_exact():
    assert code128_field(code128.encode("00106141411234567897", gs1=True)) == ">;>800106141411234567897"
    assert code128_field(code128.encode("C-000192")) == ">:C->5000192"
    assert code128_field(code128.encode("99001234")) == ">;99001234"
    assert code128_field(code128.encode("a>b")) == ">:a>0b"


@pytest.mark.parametrize("data", SAMPLES)
def test_escpos_data_means_the_same_symbols(data):
    tokens = code128.encode(data)
    assert escpos_code128_values(code128_data(tokens).encode("ascii")) == code128.values(tokens)


def test_escpos_data_exact():
    assert code128_data(code128.encode("C-000192")) == "{BC-{C\x00\x01\x5c"
    assert code128_data(code128.encode("00106141411234567897", gs1=True)) == "{C{1" + "".join(
        chr(int("00106141411234567897"[i : i + 2])) for i in range(0, 20, 2))
    assert code128_data(code128.encode("{x")) == "{B{{x"


def test_tspl_manual_code128_for_gs1():
    data = code128m_data("00106141411234567897")
    assert data == "!105!10200106141411234567897"
    assert tspl_code128m_values(data) == code128.values(code128.encode("00106141411234567897", gs1=True))
    with pytest.raises(ValueError, match="even number of digits"):
        code128m_data("0012A")
