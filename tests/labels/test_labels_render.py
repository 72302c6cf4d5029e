"""Choosing a renderer by printer language and options, the PNG preview, and a clear error without a font."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from kiosk.labels import (
    Layout,
    Text,
    carton_label_layout,
    fonts,
    printed_image,
    render,
    render_escpos,
    render_png,
    render_tspl,
    render_zpl,
    renderer_options,
)
from kiosk.labels.samples import sample_carton


def test_render_picks_the_language_and_passes_its_options():
    layout = carton_label_layout(sample_carton(), "zh")
    assert render(layout, "zpl", {"cjk_font": "E:SIMSUN.FNT"}) == render_zpl(layout, cjk_font="E:SIMSUN.FNT")
    assert render(layout, "tspl", {"cjk_charset": "gbk", "timeout": 5}) == render_tspl(layout, cjk_charset="gbk")
    assert render(layout, "escpos", {"chinese": "raster", "dpi": 203}) == render_escpos(layout, chinese="raster")
    assert render(layout, "escpos", None) == render_escpos(layout)


def test_renderer_options_name_what_printer_options_may_set():
    assert "chinese" in renderer_options("escpos") and "cjk_font" in renderer_options("zpl")
    with pytest.raises(ValueError, match="unknown printer language 'pcl'"):
        render(Layout(10, 10), "pcl")


@pytest.mark.parametrize("language", ["zpl", "tspl", "escpos"])
def test_printed_image_reads_every_language(language):
    layout = carton_label_layout(sample_carton(), "en")
    image = printed_image(render(layout, language), language)
    assert image.getbbox() is not None


def test_png_preview_is_the_label_at_printer_resolution():
    png = render_png(carton_label_layout(sample_carton(), "zh"))
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (799, 559) and image.mode == "1"
    assert image.info["dpi"] == pytest.approx((203, 203), abs=0.5)
    big = Image.open(io.BytesIO(render_png(carton_label_layout(sample_carton(), "zh"), dpi=300)))
    assert big.size == (1181, 827)


def test_missing_font_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(fonts.FONT_ENV, "/nowhere/NoSuchFont.ttc")
    fonts.cjk_font_path.cache_clear()
    try:
        with pytest.raises(fonts.FontMissing, match="KIOSK_CJK_FONT=/nowhere/NoSuchFont.ttc is not a file"):
            fonts.cjk_font_path()
        # labels in plain ASCII still render for the printer's own fonts, no font file needed
        assert b"^FDhello^FS" in render_zpl(Layout(40, 10, (Text(1, 1, "hello"),)))
    finally:
        monkeypatch.delenv(fonts.FONT_ENV)
        fonts.cjk_font_path.cache_clear()


def test_font_is_found_and_draws_chinese():
    assert fonts.cjk_font_path().endswith((".ttc", ".otf", ".ttf"))
    bitmap = fonts.text_bitmap("联华", 24)
    assert bitmap.getbbox() is not None and bitmap.height == fonts.line_height_px(24)
