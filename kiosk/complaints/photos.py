"""Complaint photos: checked by their bytes (JPEG, PNG or WebP, verified by Pillow, not too large) and
kept as files under the instance folder, photos/<complaint code>/<random>.<ext>; the database holds
the relative path. Files are written before their rows, and removed again if the transaction fails.

Plain Python; no Flask, no models beyond ComplaintPhoto.
"""

from __future__ import annotations

import io
import math
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from db.models import Complaint, ComplaintPhoto
from kiosk.core import images
from kiosk.core.errors import Refusal
from kiosk.i18n import msg

PHOTO_DIR = "photos"  # under the instance folder, unless COMPLAINT_PHOTO_DIR says otherwise
PHOTO_MAX_BYTES = 5 * 1024 * 1024  # default of COMPLAINT_PHOTO_MAX_BYTES
PHOTO_MAX_PIXELS = images.PHOTO_MAX_PIXELS  # checked in the header, before anything decodes the picture
PHOTO_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


class PhotoRefused(Refusal):
    """A file that is not kept as a photo; `message` says why and what to do."""


@dataclass(frozen=True)
class Upload:
    """A photo as it came in: the name on the clerk's computer (for messages only) and its bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class CheckedPhoto:
    data: bytes
    content_type: str
    extension: str


def check_photo(upload: Upload, max_bytes: int = PHOTO_MAX_BYTES) -> CheckedPhoto:
    """A JPEG, PNG or WebP picture no larger than `max_bytes`, judged by its bytes, not its name."""
    name = "".join(ch for ch in os.path.basename(upload.filename or "") if ch.isprintable())[:80] or "-"
    if len(upload.data) > max_bytes:
        raise PhotoRefused(msg("Photo {name} is {size} MB; the most is {max} MB. Send a smaller copy (a phone's "
                               "\"medium\" size is enough).", name=name, size=_mb(len(upload.data), up=True),
                               max=_mb(max_bytes)))
    if not upload.data:
        raise PhotoRefused(msg("Photo {name} is empty. Choose the picture again.", name=name))
    kind = images.image_format(upload.data)
    not_a_picture = msg("Photo {name} is not a JPEG, PNG or WebP picture. Save it as one of those and try again.",
                        name=name)
    if kind is None:
        raise PhotoRefused(not_a_picture)
    try:  # its size from the header, before any decoding (a small file can declare a huge picture)
        images.check_size(upload.data, PHOTO_MAX_PIXELS, msg("Photo {name}", name=name))
    except images.ImageRefused as refused:
        raise PhotoRefused(refused.message) from None

    try:
        with Image.open(io.BytesIO(upload.data)) as image:
            if image.format != kind:
                raise PhotoRefused(not_a_picture)
            width, height = image.size
            if width * height > PHOTO_MAX_PIXELS:
                raise PhotoRefused(msg("Photo {name} is {width} x {height} pixels, too large to keep. Send a "
                                       "smaller copy.", name=name, width=width, height=height))
            image.verify()  # reads the whole file: a truncated or corrupt picture fails here
    except PhotoRefused:
        raise
    except Exception:  # noqa: BLE001 - Pillow raises many kinds; each means "not a sound picture"
        raise PhotoRefused(msg("Photo {name} is damaged or incomplete and cannot be opened. Take or save it "
                               "again.", name=name)) from None
    content_type, extension = PHOTO_TYPES[kind]
    try:  # kept without EXIF (a phone's GPS position, its serial number) and turned upright
        clean = images.without_metadata(upload.data, kind)
    except Exception:  # noqa: BLE001 - verify() passed but the full decode did not: a damaged picture
        raise PhotoRefused(msg("Photo {name} is damaged or incomplete and cannot be opened. Take or save it "
                               "again.", name=name)) from None
    return CheckedPhoto(clean, content_type, extension)



def _mb(size: int, up: bool = False) -> str:
    """Megabytes to one decimal; rounded up for a file's size, so it never reads as small as the limit."""
    tenths = size * 10 / (1024 * 1024)
    return f"{(math.ceil(tenths) if up else round(tenths)) / 10:.1f}"


def store_photos(complaint: Complaint, photos: list[CheckedPhoto], root: Path, user: str,
                 written: list[Path]) -> list[ComplaintPhoto]:
    """Write each file (fsynced, renamed into place), then its row; `written` collects the files so the
    caller can remove them if its transaction fails."""
    if not photos:
        return []
    root = Path(root)
    (root / complaint.code).mkdir(parents=True, exist_ok=True)
    rows = []
    for photo in photos:
        relative = f"{complaint.code}/{secrets.token_hex(16)}.{photo.extension}"
        target = root / relative
        temporary = target.with_suffix(".part")
        with open(temporary, "wb") as handle:
            handle.write(photo.data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        written.append(target)
        rows.append(ComplaintPhoto.create(complaint=complaint, path=relative, content_type=photo.content_type,
                                          size=len(photo.data), uploaded_by=user[:32]))
    return rows


def remove_files(files: list[Path]) -> None:
    for path in files:
        try:
            path.unlink()
        except OSError:
            pass


def photo_root(config: Mapping, instance_path: str) -> Path:
    """Where photos are kept: COMPLAINT_PHOTO_DIR when set, else <instance folder>/photos."""
    configured = config.get("COMPLAINT_PHOTO_DIR")
    return Path(configured) if configured else Path(instance_path) / PHOTO_DIR


def photo_path(photo: ComplaintPhoto, root: Path) -> Path | None:
    """The photo's file, only if it lies inside the photo folder and exists."""
    base = Path(root).resolve()
    path = (base / photo.path).resolve()
    if base not in path.parents or not path.is_file():
        return None
    return path
