"""Camera frames the project does not make itself: for bench/decode.py, to check the decoder is not tuned
to its own generator (tests/imaging.py).

Everything here is independent of tests/imaging.py and kiosk.labels: the barcodes come from zxing-cpp's
writer and python-barcode, the labels are plain cards drawn with OpenCV, the scenes are different, and
the transforms (blur, defocus, motion, perspective, a label wrapped round a cylinder and seen through a
pinhole camera, low light) are written here from scratch. Each condition is one named kind of trouble,
so a decoder's weak spot shows as a low rate in that condition.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

FRAME_W, FRAME_H = 1280, 720


@dataclass
class Frame:
    condition: str
    image: np.ndarray  # BGR
    codes: tuple[str, ...]
    symbology: str  # "CODE128" or "QRCODE"


# --- symbols and labels ---------------------------------------------------------------------------------


def payload(rng: np.random.Generator) -> str:
    """A code of the kinds the kiosk reads (job cards, cartons, all-digit)."""
    kind = rng.integers(0, 3)
    if kind == 0:
        return f"JC-{int(rng.integers(1, 999999)):06d}"
    if kind == 1:
        return f"C-{int(rng.integers(1, 9999)):04d}-{int(rng.integers(1, 99)):02d}"
    return "".join(str(d) for d in rng.integers(0, 10, int(rng.integers(8, 14))))


def zxing_symbol(text: str, qr: bool) -> np.ndarray:
    """One pixel a module, quiet zones included, grey 0/255: zxing-cpp's writer."""
    import zxingcpp

    fmt = zxingcpp.BarcodeFormat.QRCode if qr else zxingcpp.BarcodeFormat.Code128
    image = np.asarray(zxingcpp.create_barcode(text, fmt).to_image(scale=1, add_quiet_zones=True))
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def python_barcode_symbol(text: str) -> np.ndarray:
    """python-barcode's Code128 through its image writer, 0.762 mm bars at 100 dpi: 3 px a module."""
    import barcode
    from barcode.writer import ImageWriter
    from PIL import Image

    out = io.BytesIO()
    barcode.get("code128", text, writer=ImageWriter()).write(
        out, {"module_width": 0.762, "module_height": 5.0, "quiet_zone": 6.0, "dpi": 100, "write_text": False})
    return np.asarray(Image.open(out).convert("L"))


def narrowest_run(row: np.ndarray) -> int:
    """The narrowest bar or space in a row of a linear symbol, quiet zones left out: one module."""
    dark = row < 128
    edges = np.flatnonzero(np.diff(dark.astype(np.int8))) + 1
    return int(np.diff(edges).min())


def card(rng: np.random.Generator, text: str, qr: bool, module_px: float) -> tuple[np.ndarray, np.ndarray]:
    """A white label with the symbol and some text, at ~module_px px a module; and the symbol's quad."""
    if not qr and rng.random() < 0.35 and not text.isdigit():  # python-barcode eats a leading 99 of digits
        symbol = python_barcode_symbol(text)
        natural = narrowest_run(symbol[symbol.shape[0] // 2])
    else:
        symbol = zxing_symbol(text, qr)
        natural = 1.0
    scale = module_px / natural
    if not qr:  # linear symbols: bars as tall as a label prints them
        tall = max(int(symbol.shape[1] * rng.uniform(0.15, 0.3)), 4)
        symbol = cv2.resize(symbol, (symbol.shape[1], tall), interpolation=cv2.INTER_NEAREST)
    sym = cv2.resize(symbol, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR if scale >= 1 else cv2.INTER_AREA)
    sh, sw = sym.shape
    margin = int(rng.uniform(0.08, 0.25) * sw)
    text_h = int(max(14, 0.18 * sh if qr else 0.5 * sh))
    h, w = sh + 2 * margin + 2 * text_h, sw + 2 * margin
    paper = int(rng.uniform(215, 255))
    img = np.full((h, w), paper, np.uint8)
    top = margin + text_h
    img[top:top + sh, margin:margin + sw] = np.where(sym < 128, int(rng.uniform(10, 50)), paper)
    font = cv2.FONT_HERSHEY_PLAIN if rng.random() < 0.5 else cv2.FONT_HERSHEY_DUPLEX
    size = text_h / 22
    cv2.putText(img, text, (margin, top - int(0.25 * text_h)), font, size, 30, max(1, int(size)))
    cv2.putText(img, "LOT " + str(int(rng.integers(100, 999))), (margin, top + sh + int(0.8 * text_h)), font,
                size, 40, max(1, int(size)))
    quad = np.array([[margin, top], [margin + sw, top], [margin + sw, top + sh], [margin, top + sh]], np.float32)
    return img, quad


# --- scenes ---------------------------------------------------------------------------------------------


def scene(rng: np.random.Generator) -> np.ndarray:
    """Low-frequency clutter: smooth noise fields, discs, polygons, a few stripes (a shelf, a grille)."""
    coarse = rng.uniform(40, 200, (6, 10, 3)).astype(np.float32)
    img = cv2.resize(coarse, (FRAME_W, FRAME_H), interpolation=cv2.INTER_CUBIC)
    fine = cv2.resize(rng.normal(0, 12, (45, 80, 3)).astype(np.float32), (FRAME_W, FRAME_H))
    img = np.clip(img + fine, 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(2, 7))):
        centre = (int(rng.integers(0, FRAME_W)), int(rng.integers(0, FRAME_H)))
        cv2.circle(img, centre, int(rng.integers(20, 160)), [int(c) for c in rng.integers(0, 255, 3)], -1)
    for _ in range(int(rng.integers(1, 5))):
        pts = rng.integers(0, [FRAME_W, FRAME_H], (int(rng.integers(3, 7)), 2)).astype(np.int32)
        cv2.fillPoly(img, [pts], [int(c) for c in rng.integers(0, 255, 3)])
    if rng.random() < 0.4:  # a grille: parallel dark lines, a bar detector's decoy
        x0, y0 = int(rng.integers(0, FRAME_W - 200)), int(rng.integers(0, FRAME_H - 100))
        step = int(rng.integers(6, 18))
        for i in range(int(rng.integers(5, 15))):
            cv2.line(img, (x0 + i * step, y0), (x0 + i * step, y0 + int(rng.integers(40, 120))), (30, 30, 30), 2)
    return img


def paste(frame: np.ndarray, patch: np.ndarray, mask: np.ndarray) -> None:
    tint = np.array([1.0, 0.98, 0.96], np.float32)  # paper a little warm under shop lights
    colour = (patch.astype(np.float32)[..., None] * tint).astype(np.uint8)
    inside = mask > 0.5
    frame[inside] = colour[inside]


# --- geometry ---------------------------------------------------------------------------------------------


def flat_map(label: np.ndarray, rng: np.random.Generator, angle: float, tilt: float) -> np.ndarray:
    """A homography label -> frame: turned by `angle`, up to `tilt` foreshortening on a random side."""
    h, w = label.shape
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    dst = src - [w / 2, h / 2]
    if tilt:
        k = rng.uniform(0.5, 1.0) * tilt
        far = int(rng.integers(0, 4))  # which edge is further away: it shrinks
        a, b = [(0, 3), (1, 2), (0, 1), (2, 3)][far]
        mid = dst[[a, b]].mean(0)
        dst[[a, b]] = mid + (dst[[a, b]] - mid) * (1 - k)
        dst *= 1 + k * 0.5
    rad = math.radians(angle)
    dst = dst @ np.array([[math.cos(rad), math.sin(rad)], [-math.sin(rad), math.cos(rad)]], np.float32)
    span = dst.max(0) - dst.min(0)
    low = -dst.min(0) + 5
    high = np.array([FRAME_W, FRAME_H]) - dst.max(0) - 5
    if np.any(span > [FRAME_W - 10, FRAME_H - 10]):
        raise ValueError("label too big")
    dst += rng.uniform(low, np.maximum(low, high))
    return cv2.getPerspectiveTransform(src, dst.astype(np.float32))


def place_flat(frame: np.ndarray, label: np.ndarray, homography: np.ndarray) -> None:
    patch = cv2.warpPerspective(label, homography, (FRAME_W, FRAME_H), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.ones(label.shape, np.float32), homography, (FRAME_W, FRAME_H))
    paste(frame, patch, mask)


def place_on_cylinder(frame: np.ndarray, label: np.ndarray, rng: np.random.Generator) -> None:
    """Wrap the label round a cylinder (a pipe, a bottle) and look at it through a pinhole camera.

    Either the bars lie along the cylinder's axis (they stay straight and crowd together towards the
    sides) or they go round it (seen from a little off the axis they bend into arcs).
    """
    h, w = label.shape
    focal = 1000.0
    bars_round = rng.random() < 0.4
    wrapped = h if bars_round else w  # the label's side that goes round
    radius = wrapped / math.radians(rng.uniform(80, 170))
    distance = focal  # one surface unit is about one frame pixel at the front of the cylinder
    axis_angle = (0.0 if bars_round else 90.0) + rng.uniform(-12, 12)
    a = np.array([math.cos(math.radians(axis_angle)), math.sin(math.radians(axis_angle)),
                  rng.uniform(-0.5, 0.5) if bars_round else rng.uniform(-0.2, 0.2)])
    a /= np.linalg.norm(a)
    # off the optical axis by up to a third of the frame: the view is a little from the side
    centre3 = np.array([rng.uniform(-0.3, 0.3) * FRAME_W, rng.uniform(-0.25, 0.25) * FRAME_H, distance + radius])
    toward = -centre3 / np.linalg.norm(centre3)
    e1 = toward - (toward @ a) * a
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(e1, a)
    px, py = FRAME_W / 2, FRAME_H / 2
    cx, cy = px + focal * centre3[0] / centre3[2], py + focal * centre3[1] / centre3[2]
    reach = int(0.6 * math.hypot(w, h)) + 10
    x0, x1 = max(int(cx - reach), 0), min(int(cx + reach), FRAME_W)
    y0, y1 = max(int(cy - reach), 0), min(int(cy + reach), FRAME_H)
    if x1 - x0 < 50 or y1 - y0 < 50:
        raise ValueError("label out of the frame")
    vv, uu = np.mgrid[y0:y1, x0:x1].astype(np.float64)
    d = np.stack([(uu - px) / focal, (vv - py) / focal, np.ones_like(uu)], -1)
    # rays t*d meeting the cylinder: |(t d - C) - ((t d - C).a) a|^2 = R^2, a quadratic in t
    dperp = d - (d @ a)[..., None] * a
    cperp = centre3 - (centre3 @ a) * a
    qa = (dperp * dperp).sum(-1)
    qb = -2 * (dperp @ cperp)
    qc = cperp @ cperp - radius**2
    disc = qb * qb - 4 * qa * qc
    hit = disc > 0
    t = np.where(hit, (-qb - np.sqrt(np.maximum(disc, 0))) / (2 * qa), 0)
    p = t[..., None] * d - centre3
    along = p @ a
    turn = np.arctan2(p @ e2, p @ e1)
    around = radius * turn
    spin = math.radians(rng.uniform(-8, 8))  # the label stuck on a little askew
    u = math.cos(spin) * around - math.sin(spin) * along
    v = math.sin(spin) * around + math.cos(spin) * along
    lx, ly = (v + w / 2, h / 2 - u) if bars_round else (u + w / 2, v + h / 2)  # turned, not mirrored
    inside = hit & (lx >= 0) & (lx < w - 1) & (ly >= 0) & (ly < h - 1)
    patch = cv2.remap(label, lx.astype(np.float32), ly.astype(np.float32), cv2.INTER_LINEAR,
                      borderMode=cv2.BORDER_REPLICATE)
    shaded = (patch.astype(np.float32) * (0.6 + 0.4 * np.clip(np.cos(turn), 0, 1))).astype(np.uint8)
    paste(frame[y0:y1, x0:x1], shaded, inside.astype(np.float32))


# --- photometric ------------------------------------------------------------------------------------------


def gaussian(image: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(image, (0, 0), sigma)


def defocus(image: np.ndarray, radius: float) -> np.ndarray:
    size = int(2 * math.ceil(radius) + 1)
    kernel = np.zeros((size, size), np.float32)
    cv2.circle(kernel, (size // 2, size // 2), int(round(radius)), 1.0, -1, lineType=cv2.LINE_AA)
    return cv2.filter2D(image, -1, kernel / kernel.sum())


def motion(image: np.ndarray, length: int, angle: float) -> np.ndarray:
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2] = 1
    turn = cv2.getRotationMatrix2D(((length - 1) / 2, (length - 1) / 2), angle, 1)
    kernel = cv2.warpAffine(kernel, turn, (length, length))
    return cv2.filter2D(image, -1, kernel / kernel.sum())


def sensor(image: np.ndarray, rng: np.random.Generator, noise: float, gain: float = 1.0,
           quality: int = 0) -> np.ndarray:
    out = image.astype(np.float32) * gain + rng.normal(0, noise, image.shape)
    out = np.clip(out, 0, 255).astype(np.uint8)
    if quality:
        out = cv2.imdecode(cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, quality])[1], cv2.IMREAD_COLOR)
    return out


# --- conditions ---------------------------------------------------------------------------------------------


def _flat(rng, text, qr, *, module=(2.0, 4.0), angle=(-20, 20), tilt=0.0):
    label, _ = card(rng, text, qr, rng.uniform(*module) * (2.5 if qr else 1))
    frame = scene(rng)
    place_flat(frame, label, flat_map(label, rng, rng.uniform(*angle), tilt))
    return frame


def clean(rng, text, qr):
    return sensor(_flat(rng, text, qr), rng, 3)


def blur_heavy(rng, text, qr):
    module = rng.uniform(2.5, 6.0)
    label, _ = card(rng, text, qr, module * (2.5 if qr else 1))
    frame = scene(rng)
    place_flat(frame, label, flat_map(label, rng, rng.uniform(-8, 8), 0))
    # sigma 0.5..1.0 of a module: the narrow bars melt into grey, only wide ones show
    return sensor(gaussian(frame, module * rng.uniform(0.5, 1.0) * (2.5 if qr else 1) ** 0.5), rng, 3, quality=85)


def defocused(rng, text, qr):
    module = rng.uniform(2.5, 6.0)
    label, _ = card(rng, text, qr, module * (2.5 if qr else 1))
    frame = scene(rng)
    place_flat(frame, label, flat_map(label, rng, rng.uniform(-8, 8), 0))
    return sensor(defocus(frame, module * rng.uniform(0.8, 1.3)), rng, 3)


def motion_blur(rng, text, qr):
    module = rng.uniform(2.5, 4.5)
    frame = _flat(rng, text, qr, module=(module, module))
    return sensor(motion(frame, int(module * rng.uniform(1.2, 2.0)) | 1, rng.uniform(0, 180)), rng, 3)


def perspective(rng, text, qr):
    frame = _flat(rng, text, qr, module=(2.2, 5.0), angle=(-10, 10) if rng.random() < 0.7 else (-40, 40), tilt=0.75)
    return sensor(frame, rng, 3, quality=90)


def curved(rng, text, qr):
    label, _ = card(rng, text, qr, rng.uniform(2.5, 5.0) * (2.5 if qr else 1))
    frame = scene(rng)
    place_on_cylinder(frame, label, rng)
    return sensor(frame, rng, 3, quality=90)


def low_light(rng, text, qr):
    frame = _flat(rng, text, qr, module=(2.0, 3.5), angle=(-30, 30))
    return sensor(gaussian(frame, 0.8), rng, rng.uniform(8, 16), gain=rng.uniform(0.25, 0.45),
                  quality=int(rng.integers(40, 75)))


CONDITIONS: dict[str, Callable[[np.random.Generator, str, bool], np.ndarray]] = {
    "clean": clean,
    "blur_heavy": blur_heavy,
    "defocus": defocused,
    "motion": motion_blur,
    "perspective": perspective,
    "curved": curved,
    "low_light": low_light,
}


def no_code(rng: np.random.Generator) -> np.ndarray:
    """A scene with no label: grilles, edges and clutter only. Most frames a kiosk's camera sees."""
    frame = scene(rng)
    for _ in range(int(rng.integers(1, 4))):  # stray print: text on boxes
        org = (int(rng.integers(0, FRAME_W - 300)), int(rng.integers(40, FRAME_H)))
        cv2.putText(frame, "".join(chr(int(c)) for c in rng.integers(48, 91, int(rng.integers(5, 14)))), org,
                    cv2.FONT_HERSHEY_DUPLEX, rng.uniform(0.8, 2.0), (20, 20, 20), 2)
    return sensor(gaussian(frame, rng.uniform(0, 1.5)), rng, rng.uniform(2, 10), quality=80)


def foreign_frames(per_condition: int = 60, seed: int = 18) -> Iterator[Frame]:
    """`per_condition` frames of each condition, one code each (a QR code on about one in six); then
    `per_condition` frames with no code at all (condition "no_code")."""
    for index, (name, make) in enumerate(CONDITIONS.items()):
        rng = np.random.default_rng([seed, index])
        made = 0
        while made < per_condition:
            text = payload(rng)
            qr = rng.random() < 1 / 6
            try:
                image = make(rng, text, qr)
            except ValueError:  # the label came out bigger than the frame: draw again
                continue
            made += 1
            yield Frame(name, image, (text,), "QRCODE" if qr else "CODE128")
    rng = np.random.default_rng([seed, len(CONDITIONS)])
    for _ in range(per_condition):
        yield Frame("no_code", no_code(rng), (), "")
