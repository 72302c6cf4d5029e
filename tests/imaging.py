"""Camera frames made by the project: our labels, "photographed" into 1280x720 frames from a seed.

Each `Photo` says which codes are on it and where, so tests and bench/decode.py can check a decoder
against the truth. Nothing is stored: the same seed gives the same frames, byte for byte.
The labels are the project's own, rendered by kiosk.labels exactly as they are printed.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import cv2
import numpy as np
from PIL import Image
from pyzbar.pyzbar import ZBarSymbol, decode

from kiosk import labels
from kiosk.labels import QRCode, Text, code128
from kiosk.labels.elements import Barcode128, barcode_left, barcode_width, dots, qr_module_dots
from kiosk.labels.raster import qr_matrix, to_paper
from kiosk.labels.samples import sample_carton, sample_job_card

FRAME_W, FRAME_H = 1280, 720


@dataclass
class Label:
    """A printed label as pixels (grey, one per printer dot) and where its barcode sits on it."""

    image: np.ndarray
    code: str
    symbology: str  # "CODE128" or "QRCODE"
    barcode_box: tuple[int, int, int, int]  # x0, y0, x1, y1 in label pixels
    modules: int  # modules across the barcode, quiet zones excluded


@dataclass
class Photo:
    """One generated camera frame and the truth about it."""

    name: str
    image: np.ndarray  # BGR, FRAME_H x FRAME_W
    codes: tuple[str, ...]
    quads: list[np.ndarray] = field(default_factory=list)  # each barcode's 4 corners in the frame
    params: dict[str, Any] = field(default_factory=dict)


# --- labels -------------------------------------------------------------------------------------------

DPI = 203  # our label printers': 8 dots a mm, a 0.375 mm module is 3 dots


@lru_cache(maxsize=512)
def label(code: str, kind: str = "carton", lang: str = "zh") -> Label:
    """Our own label for `code`, rendered by kiosk.labels as it would be printed.

    kind: "carton" (a carton label: one Code128), "job_card" (a job card: Code128 and a QR of the same
    code; `barcode_box` is the Code128) or "sticker" (a small label with only a QR code).
    """
    if kind == "sticker":
        layout = labels.Layout(40, 36, (QRCode(5, 3, code, 24), Text(3, 29, code, 3.0, align="center", width=34)))
    elif kind == "job_card":
        layout = labels.job_card_layout(sample_job_card(code=code), lang)
    elif kind == "carton":
        layout = labels.carton_label_layout(sample_carton(code=code), lang)
    else:
        raise ValueError(f"kind is carton, job_card or sticker, not {kind!r}")
    image = np.asarray(Image.open(io.BytesIO(labels.render_png(layout, DPI))).convert("L"))
    for element in layout.elements:
        if kind != "sticker" and isinstance(element, Barcode128) and element.data == code:
            left, top = barcode_left(element, DPI), dots(element.y, DPI)
            box = (left, top, left + barcode_width(element, DPI), top + dots(element.height, DPI))
            return Label(image, code, "CODE128", box, code128.width_modules(element.data, element.gs1))
        if kind == "sticker" and isinstance(element, QRCode):
            side = len(qr_matrix(code))
            size = side * qr_module_dots(side, element.size, DPI)
            left, top = dots(element.x, DPI), dots(element.y, DPI)
            return Label(image, code, "QRCODE", (left, top, left + size, top + size), side)
    raise AssertionError(f"the {kind} layout has no barcode for {code}")


def round_a_pipe(lbl: Label, degrees: float, sag: float = 0.0) -> Label:
    """The label wrapped round a pipe whose axis runs along the bars, its barcode over `degrees` of the
    circumference, as a camera sees it from the front: the bars crowd together towards the sides, which
    fall into shade; what is round the back is out of sight.

    sag: seen a little from above or below, the bars bend; the middle of each bar lies `sag` label
    pixels to the side of its ends.
    """
    h, w = lbl.image.shape
    x0, y0, x1, y1 = lbl.barcode_box
    half = math.radians(degrees) / 2
    radius = (x1 - x0) / 2 / half
    middle = (x0 + x1) / 2
    left = max(middle - radius * math.pi / 2, 0)  # the label's edges, or the pipe's if nearer
    right = min(middle + radius * math.pi / 2, w)
    out_left = middle - radius * math.sin((middle - left) / radius)
    out_w = int(radius * (math.sin((right - middle) / radius) + math.sin((middle - left) / radius)))
    yy, xx = np.mgrid[0:h, 0:out_w].astype(np.float32)
    across = np.clip((xx + out_left - middle) / radius, -1, 1)
    bend = sag * (1 - ((yy - (y0 + y1) / 2) / ((y1 - y0) / 2)) ** 2)  # bars' middles pushed sideways
    src_x = middle + radius * np.arcsin(across) + bend * np.sqrt(1 - across**2)
    image = cv2.remap(lbl.image, src_x.astype(np.float32), yy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    image = image.astype(np.float32) * (0.55 + 0.45 * np.sqrt(1 - across**2))
    ends = [int(middle - out_left + radius * math.sin((x - middle) / radius)) for x in (x0, x1)]
    return Label(np.clip(image, 0, 255).astype(np.uint8), lbl.code, lbl.symbology, (ends[0], y0, ends[1], y1),
                 lbl.modules)


# --- photographing --------------------------------------------------------------------------------------


def background(rng: np.random.Generator) -> np.ndarray:
    """A cluttered shop-floor scene: shaded wall, boxes, wood grain, stray text and lines."""
    yy, xx = np.mgrid[0:FRAME_H, 0:FRAME_W].astype(np.float32)
    base = rng.uniform(60, 170) + rng.uniform(-40, 40) * xx / FRAME_W + rng.uniform(-30, 30) * yy / FRAME_H
    scene = np.dstack([base * rng.uniform(0.85, 1.15) for _ in range(3)])
    if rng.random() < 0.6:  # wood grain: long, parallel, soft stripes (a trap for bar detectors)
        angle = rng.uniform(0, math.pi)
        u = xx * math.cos(angle) + yy * math.sin(angle)
        grain = 18 * np.sin(u / rng.uniform(3, 9) + 3 * np.sin(u / 97.0)) * rng.uniform(0.4, 1.0)
        scene += np.dstack([grain, grain * 0.8, grain * 0.6])
    scene = np.clip(scene, 0, 255).astype(np.uint8)
    for _ in range(rng.integers(3, 9)):  # boxes and shelves
        x0, y0 = int(rng.integers(-200, FRAME_W)), int(rng.integers(-200, FRAME_H))
        x1, y1 = x0 + int(rng.integers(80, 500)), y0 + int(rng.integers(60, 400))
        colour = [int(c) for c in rng.integers(30, 230, 3)]
        cv2.rectangle(scene, (x0, y0), (x1, y1), colour, -1)
    for _ in range(rng.integers(2, 8)):
        p0 = (int(rng.integers(0, FRAME_W)), int(rng.integers(0, FRAME_H)))
        p1 = (int(rng.integers(0, FRAME_W)), int(rng.integers(0, FRAME_H)))
        cv2.line(scene, p0, p1, [int(c) for c in rng.integers(0, 255, 3)], int(rng.integers(1, 6)))
    for _ in range(rng.integers(1, 5)):  # printed text: high-contrast edges in every direction
        org = (int(rng.integers(0, FRAME_W - 300)), int(rng.integers(30, FRAME_H)))
        words = "".join(chr(int(c)) for c in rng.integers(65, 91, int(rng.integers(6, 18))))
        cv2.putText(scene, words, org, cv2.FONT_HERSHEY_SIMPLEX, rng.uniform(0.6, 1.6),
                    [int(c) for c in rng.integers(0, 80, 3)], int(rng.integers(1, 3)))
    return scene


def _placement(lbl: Label, rng: np.random.Generator, module_px: float, angle: float, tilt: float,
               centre: tuple[float, float] | None) -> np.ndarray:
    """Homography label -> frame: scale to `module_px` per module, turn by `angle`, tilt by `tilt`."""
    h, w = lbl.image.shape
    x0, y0, x1, y1 = lbl.barcode_box
    scale = module_px * lbl.modules / (x1 - x0)
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32) - [w / 2, h / 2]
    corners *= scale
    # perspective: one side further from the camera than the other
    side = rng.integers(0, 4)
    shrink = np.ones(4, np.float32)
    if side == 0:
        shrink[[1, 2]] = 1 - tilt
    elif side == 1:
        shrink[[0, 3]] = 1 - tilt
    elif side == 2:
        shrink[[0, 1]] = 1 - tilt
    else:
        shrink[[2, 3]] = 1 - tilt
    corners[:, 1] *= shrink if side < 2 else 1
    corners[:, 0] *= shrink if side >= 2 else 1
    rad = math.radians(angle)
    rot = np.array([[math.cos(rad), -math.sin(rad)], [math.sin(rad), math.cos(rad)]], np.float32)
    corners = corners @ rot.T
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    if centre is None:
        # anywhere, as long as the barcode and its quiet zones are in the frame; the label may not be
        centred = cv2.getPerspectiveTransform(src, corners.astype(np.float32))
        quiet = (x1 - x0) * 10 / lbl.modules
        box = np.array([[[x0 - quiet, y0], [x1 + quiet, y0], [x1 + quiet, y1], [x0 - quiet, y1]]], np.float32)
        placed = cv2.perspectiveTransform(box, centred)[0]
        low, high = -placed.min(0) + 4, np.array([FRAME_W, FRAME_H]) - placed.max(0) - 4
        centre = tuple(rng.uniform(lo, max(lo, hi)) for lo, hi in zip(low, high, strict=True))
    corners += np.array(centre, np.float32)
    return cv2.getPerspectiveTransform(src, corners.astype(np.float32))


def _place(frame: np.ndarray, lbl: Label, homography: np.ndarray, paper: np.ndarray) -> np.ndarray:
    """Warp the label onto the frame (ink dark grey, paper tinted) and return its barcode's quad."""
    tinted = lbl.image.astype(np.float32)[..., None] / 255.0
    ink = np.array([28, 26, 30], np.float32)
    label_bgr = (ink + tinted * (paper - ink)).astype(np.uint8)
    warped = cv2.warpPerspective(label_bgr, homography, (FRAME_W, FRAME_H), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full(lbl.image.shape, 255, np.uint8), homography, (FRAME_W, FRAME_H))
    inside = mask > 127
    frame[inside] = warped[inside]
    x0, y0, x1, y1 = lbl.barcode_box
    box = np.array([[[x0, y0], [x1, y0], [x1, y1], [x0, y1]]], np.float32)
    return cv2.perspectiveTransform(box, homography)[0]


def photograph(on_frame: list[Label], seed: int, name: str = "", *, module_px: float | list[float] = 2.5,
               angle: float | list[float] = 0.0, tilt: float = 0.0, blur: float = 0.0, motion: int = 0,
               noise: float = 0.0, contrast: float = 1.0, glare: float = 0.0, shade: float = 0.0,
               jpeg: int = 0, centres: list[tuple[float, float]] | None = None) -> Photo:
    """Put the labels into a 1280x720 frame as a camera would see them.

    module_px: frame pixels per barcode module; angle: degrees; tilt: 0..0.4, perspective; blur: Gaussian
    sigma in px; motion: motion-blur length in px; noise: sensor noise sigma; contrast: 1 = full, 0.3 =
    washed out; glare: 0..1 strength of a bright spot over the label; shade: 0..1 uneven light;
    jpeg: quality, 0 = not compressed.
    """
    rng = np.random.default_rng(seed)
    frame = background(rng)
    sizes = module_px if isinstance(module_px, list) else [module_px] * len(on_frame)
    angles = angle if isinstance(angle, list) else [angle] * len(on_frame)
    quads = []
    for i, lbl in enumerate(on_frame):
        centre = centres[i] if centres else None
        homography = _placement(lbl, rng, sizes[i], angles[i], tilt, centre)
        paper = np.array([rng.uniform(225, 250), rng.uniform(230, 252), rng.uniform(232, 255)], np.float32)
        quads.append(_place(frame, lbl, homography, paper))
    image = frame.astype(np.float32)
    if shade:
        yy, xx = np.mgrid[0:FRAME_H, 0:FRAME_W].astype(np.float32)
        cx, cy = rng.uniform(0, FRAME_W), rng.uniform(0, FRAME_H)
        light = 1 - shade * np.clip(np.hypot(xx - cx, yy - cy) / 900, 0, 1)
        image *= light[..., None]
    if glare and quads:
        # a bright spot on the first label: lamps reflect off the glossy label
        target = quads[0].mean(0) + rng.uniform(-0.3, 0.3, 2) * (quads[0].max(0) - quads[0].min(0))
        yy, xx = np.mgrid[0:FRAME_H, 0:FRAME_W].astype(np.float32)
        radius = max(float(np.ptp(quads[0][:, 0])) * rng.uniform(0.12, 0.3), 12)
        spot = glare * 255 * np.exp(-((xx - target[0]) ** 2 + (yy - target[1]) ** 2) / (2 * radius**2))
        image += spot[..., None]
    if contrast != 1.0:
        mid = rng.uniform(100, 160)
        image = mid + (image - image.mean()) * contrast
    image = np.clip(image, 0, 255).astype(np.uint8)
    if motion:
        kernel = np.zeros((motion, motion), np.float32)
        kernel[motion // 2, :] = 1 / motion
        rot = cv2.getRotationMatrix2D((motion / 2 - 0.5, motion / 2 - 0.5), rng.uniform(0, 180), 1)
        kernel = cv2.warpAffine(kernel, rot, (motion, motion))
        image = cv2.filter2D(image, -1, kernel / max(kernel.sum(), 1e-6))
    if blur:
        image = cv2.GaussianBlur(image, (0, 0), blur)
    if noise:
        image = np.clip(image + rng.normal(0, noise, image.shape), 0, 255).astype(np.uint8)
    if jpeg:
        ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(jpeg)])
        image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    params = dict(module_px=module_px, angle=angle, tilt=tilt, blur=blur, motion=motion, noise=noise,
                  contrast=contrast, glare=glare, shade=shade, jpeg=jpeg)
    return Photo(name, image, tuple(lbl.code for lbl in on_frame), quads, params)


# --- the sets ---------------------------------------------------------------------------------------------


def sample_code(rng: np.random.Generator) -> str:
    """A code as our labels print them: job cards, cartons, or all-digit ones starting with 99."""
    kind = rng.integers(0, 3)
    if kind == 0:
        return f"JC-{int(rng.integers(1, 999999)):06d}"
    if kind == 1:
        return f"C-{int(rng.integers(1, 9999)):04d}-{int(rng.integers(1, 99)):02d}"
    return "99" + "".join(str(d) for d in rng.integers(0, 10, int(rng.integers(6, 13))))


def named_photos(seed: int = 6) -> dict[str, Photo]:
    """One frame per difficulty, each named for what decoding it proves."""
    job = label("JC-000123", "job_card")
    carton = label("C-0001-01", "carton")
    digits = label("9912345678", "carton", "en")
    cases = {
        "clean": ([job], dict(module_px=2.5)),
        "blur": ([job], dict(module_px=3.0, blur=1.6)),
        "motion_blur": ([carton], dict(module_px=3.0, motion=5)),
        "rotated_30": ([carton], dict(module_px=2.5, angle=30)),
        "rotated_75": ([job], dict(module_px=2.5, angle=-75)),
        "upside_down": ([digits], dict(module_px=2.5, angle=180)),
        "perspective": ([carton], dict(module_px=2.5, angle=8, tilt=0.3)),
        "glare": ([job], dict(module_px=2.5, glare=0.9)),
        "tiny": ([carton], dict(module_px=1.4)),
        "jpeg_q30": ([job], dict(module_px=2.0, jpeg=30)),
        "low_contrast": ([carton], dict(module_px=2.5, contrast=0.25)),
        "noise": ([job], dict(module_px=2.5, noise=14)),
        "shaded": ([digits], dict(module_px=2.5, shade=0.7)),
        "digits_99": ([digits], dict(module_px=2.0, angle=-12)),
        "two_codes": ([job, carton], dict(module_px=2.2, angle=[5, -20], centres=[(330, 360), (950, 360)])),
        "combined": ([carton], dict(module_px=2.5, angle=25, tilt=0.15, blur=1.0, noise=8, contrast=0.5,
                                    jpeg=50)),
        "qr_code": ([label("C-0001-01", "sticker")], dict(module_px=4.0, angle=20)),
        "no_code": ([], dict()),
    }
    return {name: photograph(on_frame, seed + i, name, **kw)
            for i, (name, (on_frame, kw)) in enumerate(cases.items())}


def random_photos(count: int = 200, seed: int = 6) -> Iterator[Photo]:
    """A mixed bag of frames for the benchmark: every difficulty, often several at once."""
    rng = np.random.default_rng(seed)
    for i in range(count):
        roll = rng.random()
        n_labels = 0 if roll < 0.04 else 2 if roll < 0.12 else 1
        on_frame: list[Label] = []
        for _ in range(n_labels):
            kind = str(rng.choice(["carton", "job_card", "sticker"], p=[0.5, 0.4, 0.1]))
            on_frame.append(label(sample_code(rng), kind, str(rng.choice(["zh", "en"]))))
        pose = rng.random()
        angle = rng.uniform(-8, 8) if pose < 0.4 else rng.uniform(-45, 45) if pose < 0.8 else rng.uniform(0, 360)
        bar_px = float(np.exp(rng.uniform(math.log(1.2), math.log(4.0))))  # narrowest bar, frame px
        if n_labels == 2:
            bar_px = min(bar_px, 2.2)  # two labels side by side must both fit
        # labels are held at about the same distance, and a QR module is printed 3 times a bar's width
        module_px = [bar_px * (3 if lbl.symbology == "QRCODE" else 1) for lbl in on_frame]
        kw = dict(
            module_px=module_px,
            angle=angle,
            tilt=float(rng.uniform(0, 0.3)) if rng.random() < 0.5 else 0.0,
            blur=float(rng.exponential(0.7)) if rng.random() < 0.6 else 0.0,
            motion=int(rng.integers(3, 7)) if rng.random() < 0.1 else 0,
            noise=float(rng.uniform(0, 12)),
            contrast=float(rng.uniform(0.25, 1.0)) if rng.random() < 0.4 else 1.0,
            glare=float(rng.uniform(0.4, 1.0)) if rng.random() < 0.2 else 0.0,
            shade=float(rng.uniform(0, 0.7)) if rng.random() < 0.3 else 0.0,
            jpeg=int(rng.integers(30, 95)) if rng.random() < 0.7 else 0,
        )
        if n_labels == 2:
            kw["centres"] = [(330.0, 360.0 + rng.uniform(-120, 120)), (950.0, 360.0 + rng.uniform(-120, 120))]
        yield photograph(on_frame, int(rng.integers(0, 2**31)), f"random_{i:03d}", **kw)


SYMBOLS = [ZBarSymbol.CODE128, ZBarSymbol.QRCODE]


def codes_printed(payload: bytes, language: str) -> list[tuple[str, str]]:
    """The barcodes on paper when the printer prints `payload`: (symbology, data), sorted."""
    image = to_paper(labels.printed_image(payload, language)).convert("L")
    return sorted((found.type, found.data.decode()) for found in decode(image, symbols=SYMBOLS))
