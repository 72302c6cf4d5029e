"""The CJK font for previews and bitmap text, and cached text bitmaps built from cached glyphs.

Bitmaps are Pillow mode "1" images where 1 is ink. Glyphs are rendered once per (character,
size, weight) and pasted side by side, so a new carton number costs a few pastes, not a FreeType
run; whole lines are cached too because most label lines repeat from carton to carton.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_ENV = "KIOSK_CJK_FONT"
CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # Debian/Ubuntu fonts-noto-cjk
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",  # Fedora, Arch
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)
BASELINE = 0.9  # baseline below the top of the line, in ems
LINE_HEIGHT = 1.15  # bitmap height in ems: room for accents above and descenders below


class FontMissing(RuntimeError):
    """No Chinese font on this machine, so Chinese text cannot be drawn."""


@lru_cache(maxsize=1)
def cjk_font_path() -> str:
    """The font file: $KIOSK_CJK_FONT, else a known Noto CJK location, else what fontconfig offers."""
    configured = os.environ.get(FONT_ENV)
    if configured:
        if not Path(configured).is_file():
            raise FontMissing(f"{FONT_ENV}={configured} is not a file; point it at a CJK .ttc/.otf font")
        return configured
    for candidate in CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    if shutil.which("fc-match"):
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", "sans-serif:lang=zh-cn"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if found and Path(found).is_file() and _has_chinese(found):
            return found
    raise FontMissing(
        "No Chinese font found for labels and previews. Install one (Debian/Ubuntu: "
        f"apt-get install fonts-noto-cjk) or set {FONT_ENV} to a .ttc/.otf file."
    )


def _has_chinese(path: str) -> bool:
    font = ImageFont.truetype(path, 24)
    return font.getmask("中").getbbox() is not None


def _bold_path(path: str) -> str | None:
    bold = path.replace("Regular", "Bold")
    return bold if bold != path and Path(bold).is_file() else None


@lru_cache(maxsize=4)
def _face_index(path: str) -> int:
    """In a collection (.ttc) pick the Simplified Chinese face; plain fonts have only face 0."""
    for index in range(12):
        try:
            family = ImageFont.truetype(path, 12, index=index).getname()[0] or ""
        except OSError:
            break
        if family.endswith(" SC") or " SC " in family:
            return index
    return 0


@lru_cache(maxsize=64)
def font(size_px: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The CJK font at `size_px` (em in pixels); bold uses the Bold file when there is one."""
    path = cjk_font_path()
    if bold and (bold_path := _bold_path(path)):
        path = bold_path
    return ImageFont.truetype(path, max(1, size_px), index=_face_index(path))


def _fake_bold(bold: bool, path_has_bold: bool) -> int:
    return 1 if bold and not path_has_bold else 0


@lru_cache(maxsize=16384)
def glyph(ch: str, size_px: int, bold: bool = False) -> tuple[Image.Image | None, int, int, float]:
    """(ink bitmap or None for blank, left offset, top offset from the line top, advance) for `ch`."""
    face = font(size_px, bold)
    stroke = _fake_bold(bold, _bold_path(cjk_font_path()) is not None)
    left, top, right, bottom = face.getbbox(ch, anchor="ls", stroke_width=stroke)
    advance = face.getlength(ch) + stroke
    if right <= left or bottom <= top:
        return None, 0, 0, advance
    image = Image.new("1", (right - left, bottom - top), 0)
    ImageDraw.Draw(image).text(
        (-left, -top), ch, font=face, fill=255, anchor="ls", stroke_width=stroke, stroke_fill=255
    )
    return image, left, round(size_px * BASELINE) + top, advance


def line_height_px(size_px: int) -> int:
    return math.ceil(size_px * LINE_HEIGHT)


def text_width_px(text: str, size_px: int, bold: bool = False) -> int:
    return max(1, math.ceil(sum(glyph(ch, size_px, bold)[3] for ch in text)))


@lru_cache(maxsize=4096)
def text_bitmap(text: str, size_px: int, bold: bool = False) -> Image.Image:
    """`text` as a mode "1" image (1 = ink), `size_px` em, line_height_px tall, as wide as the text."""
    image = Image.new("1", (text_width_px(text, size_px, bold), line_height_px(size_px)), 0)
    pen = 0.0
    for ch in text:
        bitmap, left, top, advance = glyph(ch, size_px, bold)
        if bitmap is not None:
            image.paste(255, (round(pen) + left, top), bitmap)
        pen += advance
    return image
