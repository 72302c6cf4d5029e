"""Pictures judged by their header before anything decodes them, and stored without their metadata.

Pillow and OpenCV decode an image at the size its header declares: an 18000 x 18000 PNG of 300 KB
asks for about a gigabyte. `header_size` reads width and height from the first bytes of a JPEG, PNG
or WebP file (no decoding), so a picture larger than a limit in megapixels is refused first.
`without_metadata` re-encodes a checked photo upright and without EXIF (GPS position, camera serial,
time) or text chunks. No Flask here.
"""

from __future__ import annotations

import io
import struct

from kiosk.i18n import Msg, msg

CAMERA_MAX_PIXELS = 3840 * 2160  # a 4K camera frame; a station's camera sends 1280 x 720
PHOTO_MAX_PIXELS = 24_000_000  # a phone's full-size photo is 12 megapixels


class ImageRefused(ValueError):
    """A picture refused before decoding; `message` says why."""

    def __init__(self, message: Msg):
        super().__init__(message.key)
        self.message = message


def image_format(data: bytes) -> str | None:
    """The picture format its first bytes announce (Pillow's name for it), or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _png(data: bytes) -> tuple[int, int] | None:
    if len(data) >= 24 and data[12:16] == b"IHDR":
        return struct.unpack(">II", data[16:24])
    return None


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg(data: bytes) -> tuple[int, int] | None:
    at, end = 2, len(data)  # walk the markers up to the first frame header
    while at + 4 <= end:
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # no length
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2:at + 4])
        if marker in _SOF:
            if at + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return width, height
        if marker == 0xDA or length < 2:  # image data before any frame header: not a sound JPEG
            return None
        at += 2 + length
    return None


def _webp(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        (bits,) = struct.unpack("<I", data[21:25])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    return None


def header_size(data: bytes) -> tuple[str, int, int] | None:
    """(format, width, height) from the header alone, or None when it is not a JPEG, PNG or WebP we can read."""
    kind = image_format(data)
    size = {"JPEG": _jpeg, "PNG": _png, "WEBP": _webp}[kind](data) if kind else None
    if size is None or size[0] <= 0 or size[1] <= 0:
        return None
    return kind, size[0], size[1]


def check_size(data: bytes, max_pixels: int, what: Msg) -> tuple[str, int, int]:
    """Refuse, before any decoding, a picture that is not JPEG/PNG/WebP or has more than `max_pixels`."""
    found = header_size(data)
    if found is None and image_format(data) is not None:
        raise ImageRefused(msg("{what} is damaged or incomplete and cannot be opened. Take or save it again.",
                               what=what))
    if found is None:
        raise ImageRefused(msg("{what} is not a JPEG, PNG or WebP picture. Save it as one of those and try again.",
                               what=what))
    kind, width, height = found
    if width * height > max_pixels:
        raise ImageRefused(msg("{what} is {width} x {height} pixels ({mp} megapixels); the most is {max} "
                               "megapixels. Send a smaller copy.", what=what, width=width, height=height,
                               mp=round(width * height / 1e6, 1), max=round(max_pixels / 1e6, 1)))
    return kind, width, height


def without_metadata(data: bytes, kind: str) -> bytes:
    """The same picture, turned upright by its EXIF orientation and saved again without EXIF, XMP or text."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as image:
        icc = image.info.get("icc_profile")
        upright = ImageOps.exif_transpose(image)
        if kind == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        out = io.BytesIO()
        options = {"icc_profile": icc} if icc else {}
        if kind == "JPEG":
            upright.save(out, "JPEG", quality=92, **options)
        elif kind == "PNG":
            upright.save(out, "PNG", optimize=False, **options)
        else:
            upright.save(out, "WEBP", quality=90, **options)
        return out.getvalue()
