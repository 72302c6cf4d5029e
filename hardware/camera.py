"""Camera frames in, codes out: find label barcodes in a 1280x720 frame and read them with zbar.

Whole-frame zbar costs 25-45 ms a frame here and misses turned, small or noisy codes, so it is not
tried at all. Instead OpenCV finds where bars are on a half-size frame (the structure tensor: strong
gradients that all point one way), and each such region is cut out, turned level, scaled to about 3 px
a module and averaged down to a few dozen rows, which zbar reads in a fraction of a millisecond.
QR codes are found as compact blobs of edges that hold finder patterns. Variants of a cut-out
(smoothed, plain, sharpened, thresholded, contrast-stretched) are tried in turn only while nothing
has been read from it. Only on a frame where this cheap pass read nothing at all do the expensive
attempts run, on the few strongest regions that looked like codes: bars deconvolved for blur and
narrowed or widened, a label round a pipe unrolled flat from how its bars crowd together, bent or
fanned bars read in strips, a slanted QR code squared from its four corners. Reported are only codes
zbar read with their checksum, as text a scanner could type, and (for bar codes) on at least two scan
lines: one lucky line is how wrong reads get in.
"""

from __future__ import annotations

import ctypes
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from hardware import bars

try:
    from pyzbar import wrapper as zbar
    from pyzbar.wrapper import ZBarConfig, ZBarSymbol
except ImportError:  # pyzbar or libzbar0 missing: is_usable() says so
    zbar = None

DEFAULT_SYMBOLOGIES = ("CODE128", "QRCODE")
WORK_SCALE = 0.5  # locate on a half-size frame: 4x fewer pixels, bars of 2+ px still show
TENSOR_WINDOW = 9  # px on the half-size frame: wider than the widest bar of an arm's-length label
CLOSE_PX = 13  # and gaps narrower than this inside one are bridged
JOIN_GAP_PX = 80  # pieces of bars this close along one line are tried as one code too
JOIN_COS = math.cos(math.radians(4))  # and must be this parallel
OPEN_PX = 13  # a bar region must be wider than this both ways (half-size px); a lone edge is not
MIN_EDGE_ENERGY = 1500.0  # mean coherent gradient energy that counts as bars (Sobel units squared)
MIN_QR_ENERGY = 8000.0  # gradient energy of a QR code's edges; camera noise stays well below
MIN_COHERENCE = 0.55  # share of the gradient energy pointing one way; text and noise stay below
MAX_REGIONS = 6  # bar regions tried per frame, strongest first
MAX_SQUARES = 3  # and blobs that may be QR codes
MIN_BARS_PX = 48  # a region shorter than this across the bars (full-size px) cannot hold a Code128
TARGET_LENGTH_PX = 520  # scale cut-outs so a code is about this long: ~3 px per module
CROP_HEIGHT_PX = 48  # rows of a level cut-out kept (averaged down to): enough scan lines, little time
MIN_SCAN_LINES = 2  # a linear code must read the same on this many scan lines
MAX_CODE_LENGTH = 64
# What our bar codes hold (JC-000123, C-0001-01, 9912345678, GS1 digits). zbar's rare wrong Code128 reads
# that still pass the checksum come from a few look-alike symbols and nearly always contain punctuation
# like " # & ' ( , = (C-2887-12 read as "-2887-12): anything outside this set is taken for a misread.
CODE_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._/:+")
_GREY_FOURCC = 0x30303859  # "Y800": 8-bit grey


@dataclass(frozen=True)
class Decoded:
    """One code seen in a frame: its text, symbology and where it is, in frame pixels."""

    data: str
    symbology: str
    polygon: tuple[tuple[int, int], ...]
    rect: tuple[int, int, int, int]  # left, top, width, height


@dataclass
class Region:
    """Where a code probably is: centre, the unit vector across the bars, the size along and across it."""

    centre: tuple[float, float]
    across: tuple[float, float]  # direction of reading (perpendicular to the bars)
    length: float  # along `across`, full-size px
    height: float  # along the bars, full-size px
    score: float
    coherent: bool  # False: strong edges every way (a QR code, or text)


def is_usable() -> bool:
    """True when pyzbar and the zbar library are installed."""
    return zbar is not None


def _require_zbar() -> None:
    if zbar is None:
        raise RuntimeError(
            "Camera decoding needs pyzbar and the zbar library: apt-get install libzbar0; pip install pyzbar"
        )


def to_gray(frame: np.ndarray) -> np.ndarray:
    """A grey copy of a BGR, BGRA or grey frame."""
    if frame.ndim == 2:
        return frame
    if frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


# --- locating -----------------------------------------------------------------------------------------


def find_regions(gray: np.ndarray, squares: bool = True) -> list[Region]:
    """Regions of parallel bars (and, if `squares`, square blobs of edges: QR codes), strongest first.

    Uses the structure tensor: summed over a small window, gradients of a barcode all point the same
    way (coherence near 1) while text, noise and texture point every way; a QR code has strong edges
    every way, packed into a square.
    """
    small = cv2.resize(gray, None, fx=WORK_SCALE, fy=WORK_SCALE, interpolation=cv2.INTER_AREA)
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    gxx, gyy, gxy = cv2.multiply(gx, gx), cv2.multiply(gy, gy), cv2.multiply(gx, gy)
    window = (TENSOR_WINDOW, TENSOR_WINDOW)
    energy = cv2.boxFilter(gxx + gyy, -1, window)
    diff = cv2.boxFilter(gxx - gyy, -1, window)
    cross = cv2.boxFilter(gxy, -1, window, normalize=False) * (2 / TENSOR_WINDOW**2)
    coherent = cv2.magnitude(diff, cross)  # the part of the energy that points one way
    # a lone straight edge (a box, a label's border) is coherent too, but only a window wide: opening
    # with a slightly bigger square removes it, while a barcode, many edges side by side, stays
    opening = cv2.getStructuringElement(cv2.MORPH_RECT, (OPEN_PX, OPEN_PX))
    bars = cv2.bitwise_and(
        cv2.compare(coherent, MIN_EDGE_ENERGY, cv2.CMP_GT), cv2.compare(coherent, energy * MIN_COHERENCE, cv2.CMP_GT)
    )
    bars = cv2.morphologyEx(bars, cv2.MORPH_OPEN, opening)
    # a close-up's wide spaces are wider than the window: bridge them so one code stays one region
    bars = cv2.morphologyEx(bars, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (CLOSE_PX, CLOSE_PX)))
    regions = _bar_regions(bars, diff, cross)
    regions = sorted(regions + _joined(regions), key=lambda region: region.score, reverse=True)
    regions = regions[:MAX_REGIONS]
    if squares:
        blobs = cv2.morphologyEx(cv2.compare(energy, MIN_QR_ENERGY, cv2.CMP_GT), cv2.MORPH_OPEN, opening)
        regions += _square_regions(blobs, energy)
    return regions


def _bar_regions(mask: np.ndarray, diff: np.ndarray, cross: np.ndarray) -> list[Region]:
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    regions = []
    inv = 1 / WORK_SCALE
    for contour in contours:
        if cv2.contourArea(contour) < 60:
            continue
        x, y, w, h = cv2.boundingRect(contour)
        inside = np.zeros((h, w), np.uint8)
        cv2.drawContours(inside, [contour], -1, 1, -1, offset=(-x, -y))
        sum_diff = float(cv2.sumElems(cv2.multiply(diff[y : y + h, x : x + w], inside, dtype=cv2.CV_32F))[0])
        sum_cross = float(cv2.sumElems(cv2.multiply(cross[y : y + h, x : x + w], inside, dtype=cv2.CV_32F))[0])
        theta = 0.5 * math.atan2(sum_cross, sum_diff)  # mean gradient direction = across the bars
        ux, uy = math.cos(theta), math.sin(theta)
        points = contour.reshape(-1, 2).astype(np.float32)
        along = points @ np.array([ux, uy], np.float32)
        perp = points @ np.array([-uy, ux], np.float32)
        length = (along.max() - along.min()) * inv
        height = (perp.max() - perp.min()) * inv
        if length < MIN_BARS_PX or height < 8:
            continue
        mid_along = (along.max() + along.min()) / 2
        mid_perp = (perp.max() + perp.min()) / 2
        cx = (mid_along * ux - mid_perp * uy) * inv
        cy = (mid_along * uy + mid_perp * ux) * inv
        regions.append(Region((cx, cy), (ux, uy), length, height, math.hypot(sum_diff, sum_cross), True))
    return regions


def _joined(regions: list[Region]) -> list[Region]:
    """Pieces of one code split by a glare spot or a close-up's wide spaces, joined into one region.

    Pieces count as one code when they are parallel, on one line and close along it. The pieces stay
    candidates too, in case they were two codes after all.
    """
    group = list(range(len(regions)))

    def root(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    for i, a in enumerate(regions):
        for j in range(i + 1, len(regions)):
            b = regions[j]
            if abs(a.across[0] * b.across[0] + a.across[1] * b.across[1]) < JOIN_COS:
                continue
            dx, dy = b.centre[0] - a.centre[0], b.centre[1] - a.centre[1]
            along = abs(dx * a.across[0] + dy * a.across[1])
            aside = abs(-dx * a.across[1] + dy * a.across[0])
            if aside < 0.25 * max(a.height, b.height) and along - (a.length + b.length) / 2 < JOIN_GAP_PX:
                group[root(j)] = root(i)
    members: dict[int, list[Region]] = {}
    for i, region in enumerate(regions):
        members.setdefault(root(i), []).append(region)
    joined = []
    for pieces in members.values():
        if len(pieces) < 2:
            continue
        ux, uy = pieces[0].across
        ends = []
        for piece in pieces:
            mid = piece.centre[0] * ux + piece.centre[1] * uy
            ends += [mid - piece.length / 2, mid + piece.length / 2]
        perp = float(np.mean([-piece.centre[0] * uy + piece.centre[1] * ux for piece in pieces]))
        mid = (min(ends) + max(ends)) / 2
        centre = (mid * ux - perp * uy, mid * uy + perp * ux)
        joined.append(Region(centre, (ux, uy), max(ends) - min(ends), max(p.height for p in pieces),
                             sum(p.score for p in pieces), True))
    return joined


def _square_regions(mask: np.ndarray, energy: np.ndarray) -> list[Region]:
    """Compact blobs of strong edges. A QR code often merges with the label text next to it, so the
    blob need not be square; zbar on a small cut-out is cheap enough to try a few."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    regions = []
    inv = 1 / WORK_SCALE
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        if min(w, h) < OPEN_PX + 4 or max(w, h) > 2.5 * min(w, h):
            continue
        if cv2.contourArea(contour) < 0.4 * w * h:  # an outline (a box, a label's border), not a code
            continue
        strength = float(energy[y : y + h, x : x + w].sum())
        regions.append(Region(((x + w / 2) * inv, (y + h / 2) * inv), (1.0, 0.0), w * inv, h * inv, strength, False))
    regions.sort(key=lambda region: region.score, reverse=True)
    return regions[:MAX_SQUARES]


# --- cutting out --------------------------------------------------------------------------------------


@dataclass
class CutOut:
    """A region cut out of the frame, level and scaled, and the map back to frame pixels."""

    image: np.ndarray
    back: np.ndarray  # 2x3 affine, or 3x3 homography: cut-out (x, y, 1) -> frame (x, y)
    columns: np.ndarray | None = None  # resampled across the bars: column i came from x = columns[i]

    def to_frame(self, points: Iterable[tuple[float, float]]) -> list[tuple[int, int]]:
        out = []
        for x, y in points:
            if self.columns is not None:
                x = float(np.interp(x, np.arange(self.columns.size), self.columns))
            fx, fy = float(self.back[0] @ (x, y, 1)), float(self.back[1] @ (x, y, 1))
            if self.back.shape[0] == 3:
                w = float(self.back[2] @ (x, y, 1))
                fx, fy = fx / w, fy / w
            out.append((round(fx), round(fy)))
        return out


def _warp(gray: np.ndarray, centre: tuple[float, float], across: tuple[float, float], width: float,
          height: float, scale: float) -> CutOut:
    """Cut a width x height box around `centre`, its x axis along `across`, enlarged by `scale`."""
    out_w, out_h = max(int(width * scale), 8), max(int(height * scale), 8)
    ux, uy = across
    cx, cy = centre
    # output pixel (x, y) -> frame point: centre + (x - out_w/2)/scale * u + (y - out_h/2)/scale * v
    back = np.array([[ux / scale, -uy / scale, cx - (ux * out_w - uy * out_h) / (2 * scale)],
                     [uy / scale, ux / scale, cy - (uy * out_w + ux * out_h) / (2 * scale)]], np.float64)
    image = cv2.warpAffine(gray, back, (out_w, out_h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                           borderMode=cv2.BORDER_REPLICATE)
    return CutOut(image, back)


def cut_out(gray: np.ndarray, region: Region, fine: float = 1.0) -> CutOut:
    """A bar region turned level (bars upright) with its quiet zones, scaled so a module is ~3 px
    (`fine` times that: where bars crowd together, their narrowest need the extra pixels).

    It is also averaged down to CROP_HEIGHT_PX rows: less noise, fewer rows to scan, and still enough
    scan lines to agree on a reading.
    """
    width = region.length * 1.24 + 16  # the region's edge lies inside the outer bars; add quiet zones
    height = max(region.height * 0.8, 8)  # keep off the label text above and below the bars
    scale = min(max(TARGET_LENGTH_PX / width, 1.0), 3.0)
    height = min(height, CROP_HEIGHT_PX * 2 / scale)
    cut = _warp(gray, region.centre, region.across, width, height, scale * fine)
    rows = cut.image.shape[0]
    if rows > CROP_HEIGHT_PX:
        cut.image = cv2.resize(cut.image, (cut.image.shape[1], CROP_HEIGHT_PX), interpolation=cv2.INTER_AREA)
        cut.back[:, 1] *= rows / CROP_HEIGHT_PX
    return cut


def finder_patterns(image: np.ndarray) -> list[tuple[float, float, float]]:
    """QR finder patterns (a dark ring round a dark square) in a grey image: (x, y, side) each."""
    found = []
    for contour in finder_outlines(image):
        (x, y), _, _ = cv2.minAreaRect(contour)
        found.append((x, y, math.sqrt(cv2.contourArea(contour))))
    return found


def finder_outlines(image: np.ndarray, squareness: float = 0.6) -> list[np.ndarray]:
    """The outer outlines of the QR finder patterns in a grey image (OpenCV contours): at least
    `squareness` as wide one way as the other (less for a code seen at a slant)."""
    block = 2 * (max(image.shape) // 16) + 3
    dark = cv2.adaptiveThreshold(image, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 4)
    contours, hierarchy = cv2.findContours(dark, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    tree = hierarchy[0]
    found = []
    for i, contour in enumerate(contours):
        hole = tree[i][2]
        core = tree[hole][2] if hole >= 0 else -1
        if core < 0 or tree[core][0] >= 0 or tree[hole][0] >= 0:  # exactly one hole, with one core
            continue
        outer = cv2.contourArea(contour)
        inner = cv2.contourArea(contours[core])
        if outer < 40 or not 2.5 < outer / max(inner, 1) < 12:  # 7x7 modules round 3x3: 5.4
            continue
        _, (w, h), _ = cv2.minAreaRect(contour)
        if min(w, h) < squareness * max(w, h):
            continue
        found.append(contour)
    return found


def qr_cut_out(gray: np.ndarray, region: Region) -> CutOut | None:
    """Where a blob holds QR finder patterns: the code cut out, scaled to ~4 px a module; else None.

    Checking for finder patterns first costs a fraction of a millisecond; zbar's QR reader on a
    whole blob of label text costs several.
    """
    side = max(region.length, region.height) + 24
    look = _warp(gray, region.centre, (1.0, 0.0), region.length + 24, region.height + 24,
                 2.0 if side < 300 else 1.0)  # rings of small codes need the extra pixels
    finders = finder_patterns(look.image)
    if not finders:
        return None
    points = np.array(look.to_frame([(x, y) for x, y, _ in finders]), np.float64)
    scale_back = math.hypot(look.back[0, 0], look.back[1, 0])
    module = float(np.median([size for *_, size in finders])) * scale_back / 7
    if len(finders) >= 3:
        # the two finders farthest apart sit on a diagonal: the code lies within the circle over it
        pairs = [(np.linalg.norm(a - b), a, b) for i, a in enumerate(points) for b in points[i + 1:]]
        diagonal, a, b = max(pairs, key=lambda pair: pair[0])
        middle, reach = (a + b) / 2, diagonal / 2 + 6 * module
        low, high = middle - reach, middle + reach
    else:  # one or two finders: the rest of the code is somewhere within a large code's size of them
        low, high = points.min(0) - 30 * module, points.max(0) + 30 * module
    left, top = max(low[0], 0), max(low[1], 0)
    right, bottom = min(high[0], gray.shape[1]), min(high[1], gray.shape[0])
    scale = min(max(4 / max(module, 0.5), 1.0), 4.0)
    return _warp(gray, ((left + right) / 2, (top + bottom) / 2), (1.0, 0.0), right - left, bottom - top, scale)


# Each variant reads some frames the others miss; they are tried in this order, stopping at the first
# that reads something, so the common case costs one zbar call. Measured with bench/decode.py.
def _smoothed(image: np.ndarray) -> np.ndarray:
    return cv2.GaussianBlur(image, (0, 0), 0.8)  # zbar's edge finder trips over pixel noise


def _plain(image: np.ndarray) -> np.ndarray:
    return image


def _sharpened(image: np.ndarray) -> np.ndarray:
    return cv2.addWeighted(image, 2.0, cv2.GaussianBlur(image, (0, 0), 2.0), -1.0, 0)


def _binarised(image: np.ndarray) -> np.ndarray:
    return cv2.threshold(_smoothed(image), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]


def _stretched(image: np.ndarray) -> np.ndarray:
    return cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 1)).apply(_smoothed(image))


BAR_VARIANTS = (_smoothed, _plain, _sharpened, _binarised, _stretched)
QR_VARIANTS = (_plain, _binarised)


# --- when the cheap pass reads nothing ----------------------------------------------------------------
# A kiosk decodes live frames, so these run only on a frame where nothing at all was read: each costs a
# few zbar calls on small images, and a frame that is hard to read is usually the only one in view.

DEBLUR_SIGMAS = (1.5, 2.5, 3.5)  # Gaussian blur, cut-out px (~3 px a module): half a module to more than one
DEBLUR_ROWS = 8  # a cut-out averaged down to this many rows before deconvolving: less noise, less work
WIDTH_FACTORS = (0.75, 0.5, 1.5)  # copies of a cut-out this much narrower or wider
FINE = 2.0  # curved or fanned bars are cut out at twice the usual px a module: the crowded ones need them
STRIPS = 4  # a curved or tilted region is read in this many strips along the bars, each straight enough
STRIP_ROWS = 6  # rows each strip is averaged down to: still two or more scan lines to agree
MAX_ESCALATED = {True: 3, False: 2}  # bar regions, and QR blobs with finder patterns, tried the expensive way


def narrowed(cut: CutOut, factor: float) -> CutOut:
    """The cut-out `factor` times as wide. zbar's Code128 reader is picky about how many pixels a module
    has: where bars crowd together (a label round a pipe) or a blur spans several px, a narrower or wider
    copy often reads where the first did not."""
    width = max(int(cut.image.shape[1] * factor), 8)
    back = cut.back.copy()
    back[:, 0] *= cut.image.shape[1] / width
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    return CutOut(cv2.resize(cut.image, (width, cut.image.shape[0]), interpolation=interpolation), back)


def deblurred_variants(cut: CutOut) -> Iterable[CutOut]:
    """The cut-out deconvolved for a few blur widths, then narrowed and widened."""
    rows = cut.image.shape[0]
    few = cv2.resize(cut.image, (cut.image.shape[1], DEBLUR_ROWS), interpolation=cv2.INTER_AREA)
    back = cut.back.copy()
    back[:, 1] *= rows / DEBLUR_ROWS
    for sigma in DEBLUR_SIGMAS:
        yield CutOut(bars.deconvolved(few, sigma), back)
    for factor in WIDTH_FACTORS:
        other = narrowed(cut, factor)
        yield CutOut(_smoothed(other.image), other.back)


def unrolled(cut: CutOut) -> CutOut | None:
    """A cut-out of a label round a pipe, resampled as if unrolled flat (hardware.bars.unroll_columns);
    None when its bars do not crowd together like that."""
    columns = bars.unroll_columns(cut.image)
    if columns is None:
        return None
    rows, size = cut.image.shape[0], columns.size
    map_x = np.tile(columns.astype(np.float32), (rows, 1))
    map_y = np.repeat(np.arange(rows, dtype=np.float32)[:, None], size, 1)
    image = cv2.remap(cut.image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return CutOut(image, cut.back, columns)


def strip_cut_outs(gray: np.ndarray, region: Region) -> list[CutOut]:
    """The bar region cut level in strips along the bars, each averaged down on its own.

    On a label wrapped round a pipe, or tilted away, the bars bend or fan out: averaged over the whole
    height they smear, but over a quarter of it each bar is still nearly straight.
    """
    width = region.length * 1.3 + 24  # the region's ends may have crowded together: more quiet zone
    height = max(region.height * 0.95, 8)
    scale = min(max(TARGET_LENGTH_PX / width, 1.0), 3.0) * FINE
    cut = _warp(gray, region.centre, region.across, width, height, scale)
    rows = cut.image.shape[0]
    strips = []
    for k in range(STRIPS):
        top, bottom = rows * k // STRIPS, rows * (k + 1) // STRIPS
        band = cut.image[top:bottom]
        if bottom - top < STRIP_ROWS:
            continue
        image = cv2.resize(band, (band.shape[1], STRIP_ROWS), interpolation=cv2.INTER_AREA)
        back = cut.back.copy()
        back[:, 2] += back[:, 1] * top  # strip (x, y) -> cut-out (x, top + y * (bottom - top) / rows)
        back[:, 1] *= (bottom - top) / STRIP_ROWS
        strips.append(CutOut(image, back))
    return strips


_QR_DETECTOR = cv2.QRCodeDetector()
QR_RECTIFIED_PX = 240  # a QR code turned square at this size: 4+ px a module up to version 7 (45 modules)
QR_TYPICAL_MODULES = 25  # our codes' QR symbols are version 1 to 3 (21 to 29 modules)
QR_DEBLUR_MODULES = (0.45, 0.65)  # Gaussian blurs tried away, in modules


def qr_rectified(gray: np.ndarray, region: Region) -> CutOut | None:
    """The QR code in a blob, its four corners found by OpenCV and warped to a square; None if none.

    zbar reads a QR code seen at a slant, or blurred, far more often once it is square.
    """
    margin = 0.5 * max(region.length, region.height) + 16
    look = _warp(gray, region.centre, (1.0, 0.0), region.length + margin, region.height + margin,
                 2.0 if max(region.length, region.height) < 150 else 1.0)
    found, corners = _QR_DETECTOR.detect(look.image)
    if not found or corners is None:
        return None
    quad = corners.reshape(4, 2).astype(np.float32)
    if cv2.contourArea(quad) < 400:
        return None
    edge = QR_RECTIFIED_PX
    pad = edge // 8  # the quiet zone round it
    square = np.array([[pad, pad], [pad + edge, pad], [pad + edge, pad + edge], [pad, pad + edge]], np.float32)
    to_square = cv2.getPerspectiveTransform(quad, square)
    image = cv2.warpPerspective(look.image, to_square, (edge + 2 * pad, edge + 2 * pad), flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_REPLICATE)
    back = np.vstack([look.back, (0, 0, 1)]) @ np.linalg.inv(to_square)
    return CutOut(image, back)


QR_SIZES = (21, 25, 29, 33, 37)  # modules a side: QR versions 1 to 5, what our codes need and a little


def qr_from_finders(gray: np.ndarray, region: Region) -> CutOut | None:
    """The QR code in a blob squared from its three finder patterns' corners, twelve points in all,
    for a code seen so much at a slant that OpenCV's detector loses it; None without three finders.

    The corner finder is the one the other two lie at right angles from; each outline's four corners
    are matched to the finder's corners in module units, and the homography is fitted for each likely
    code size, keeping the one that fits best.
    """
    margin = 0.5 * max(region.length, region.height) + 16
    look = _warp(gray, region.centre, (1.0, 0.0), region.length + margin, region.height + margin,
                 2.0 if max(region.length, region.height) < 150 else 1.0)
    outlines = finder_outlines(look.image, squareness=0.3)
    if len(outlines) < 3:
        return None
    quads = []
    for outline in outlines:
        corners = cv2.approxPolyDP(outline, 0.1 * cv2.arcLength(outline, True), True).reshape(-1, 2)
        if len(corners) == 4:
            quads.append(corners.astype(np.float64))
    if len(quads) < 3:
        return None
    centres = [quad.mean(0) for quad in quads]
    best = None
    for i, corner in enumerate(centres):  # the finder at the code's corner: the others at right angles
        for j, k in itertools.combinations([n for n in range(len(quads)) if n != i], 2):
            a, b = centres[j] - corner, centres[k] - corner
            cos = abs(a @ b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-9)
            if best is None or cos < best[0]:
                best = (cos, i, j, k)
    if best is None or best[0] > 0.5:
        return None
    _, i, j, k = best
    a, b = centres[j] - centres[i], centres[k] - centres[i]
    if a[0] * b[1] - a[1] * b[0] < 0:  # j must be the top-right finder, k the bottom-left (y points down)
        j, k = k, j
    picked = [quads[i], quads[j], quads[k]]
    fit = None
    for size in QR_SIZES:
        middles = np.array([[3.5, 3.5], [size - 3.5, 3.5], [3.5, size - 3.5]])
        affine = cv2.getAffineTransform(np.float32([centres[i], centres[j], centres[k]]), np.float32(middles))
        image_points, module_points = [], []
        for quad, middle in zip(picked, middles, strict=True):
            for point in quad:
                x, y = affine @ (point[0], point[1], 1)
                image_points.append(point)  # snapped to the finder's corner on the same side of its middle
                module_points.append(middle + 3.5 * np.sign([x - middle[0], y - middle[1]]))
        homography, _ = cv2.findHomography(np.array(image_points), np.array(module_points), 0)
        if homography is None:
            continue
        placed = cv2.perspectiveTransform(np.array([image_points], np.float64), homography)[0]
        error = float(np.abs(placed - np.array(module_points)).mean())
        if fit is None or error < fit[0]:
            fit = (error, size, homography)
    if fit is None or fit[0] > 0.5:  # off by half a module on average: not three finders of one code
        return None
    _, size, homography = fit
    edge = QR_RECTIFIED_PX
    pad = edge // 8
    to_square = np.array([[edge / size, 0, pad], [0, edge / size, pad], [0, 0, 1]]) @ homography
    image = cv2.warpPerspective(look.image, to_square, (edge + 2 * pad, edge + 2 * pad), flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_REPLICATE)
    back = np.vstack([look.back, (0, 0, 1)]) @ np.linalg.inv(to_square)
    return CutOut(image, back)


def _escalated(gray: np.ndarray, region: Region, symbols: Sequence[str]) -> Iterable[tuple[CutOut, bool]]:
    """The expensive cut-outs of a region, cheapest first: (cut-out, read its rows only)."""
    if region.coherent:
        flat = unrolled(cut_out(gray, region, FINE))
        if flat is not None:
            yield CutOut(_smoothed(flat.image), flat.back, flat.columns), True
        yield from ((variant, True) for variant in deblurred_variants(cut_out(gray, region)))
        for strip in strip_cut_outs(gray, region):
            yield CutOut(_smoothed(strip.image), strip.back), True
            flat = unrolled(strip)
            if flat is not None:
                yield CutOut(_smoothed(flat.image), flat.back, flat.columns), True
    else:
        rectified = qr_rectified(gray, region)
        if rectified is not None:
            for variant in (_plain, _binarised, _sharpened):
                yield CutOut(variant(rectified.image), rectified.back), False
            for blur in QR_DEBLUR_MODULES:  # out of focus: a square code deconvolved both ways
                sharp = bars.deconvolved_2d(rectified.image, blur * QR_RECTIFIED_PX / QR_TYPICAL_MODULES)
                yield CutOut(sharp, rectified.back), False
        squared = qr_from_finders(gray, region)
        if squared is not None:
            for variant in (_plain, _binarised):
                yield CutOut(variant(squared.image), squared.back), False


# --- reading ------------------------------------------------------------------------------------------


def plausible(data: bytes, symbology: str) -> str | None:
    """The payload as text if it could be one of our labels' codes, else None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text or len(text) > MAX_CODE_LENGTH or not text.isprintable():
        return None
    if symbology != "QRCODE" and not (set(text) <= CODE_CHARACTERS and text[0].isalnum()):
        return None
    return text


def scan(image: np.ndarray, symbologies: Sequence[str],
         rows_only: bool = False) -> list[tuple[str, bytes, int, list]]:
    """zbar on a grey image: (symbology, payload, scan lines that agree, points) for each code read.

    `rows_only` skips zbar's column scan, half its work, for a cut-out whose bars are upright.
    """
    image = np.ascontiguousarray(image, dtype=np.uint8)
    height, width = image.shape
    scanner = zbar.zbar_image_scanner_create()
    zbar_image = zbar.zbar_image_create()
    try:
        zbar.zbar_image_scanner_set_config(scanner, ZBarSymbol.NONE, ZBarConfig.CFG_ENABLE, 0)
        for name in symbologies:
            zbar.zbar_image_scanner_set_config(scanner, ZBarSymbol[name], ZBarConfig.CFG_ENABLE, 1)
        if rows_only:
            zbar.zbar_image_scanner_set_config(scanner, ZBarSymbol.NONE, ZBarConfig.CFG_X_DENSITY, 0)
        zbar.zbar_image_set_format(zbar_image, _GREY_FOURCC)
        zbar.zbar_image_set_size(zbar_image, width, height)
        pixels = image.tobytes()
        zbar.zbar_image_set_data(zbar_image, ctypes.cast(pixels, ctypes.c_void_p), len(pixels), None)
        if zbar.zbar_scan_image(scanner, zbar_image) < 0:
            raise RuntimeError("zbar could not scan the image")
        found = []
        symbol = zbar.zbar_image_first_symbol(zbar_image)
        while symbol:
            payload = ctypes.string_at(zbar.zbar_symbol_get_data(symbol), zbar.zbar_symbol_get_data_length(symbol))
            points = [
                (zbar.zbar_symbol_get_loc_x(symbol, i), zbar.zbar_symbol_get_loc_y(symbol, i))
                for i in range(zbar.zbar_symbol_get_loc_size(symbol))
            ]
            try:
                name = ZBarSymbol(symbol.contents.type).name
            except ValueError:
                name = str(symbol.contents.type)
            found.append((name, payload, zbar.zbar_symbol_get_quality(symbol), points))
            symbol = zbar.zbar_symbol_next(symbol)
        return found
    finally:
        zbar.zbar_image_destroy(zbar_image)
        zbar.zbar_image_scanner_destroy(scanner)


def read_codes(image: np.ndarray, symbologies: Sequence[str],
               rows_only: bool = False) -> list[tuple[str, str, list]]:
    """The codes zbar reads in a grey image that pass our checks: (text, symbology, outline) each."""
    found = []
    for symbology, payload, lines, points in scan(image, symbologies, rows_only):
        text = plausible(payload, symbology)
        # a wrong Code128 gets through on one lucky scan line; a printed one is read on several
        if text is None or (symbology != "QRCODE" and lines < MIN_SCAN_LINES):
            continue
        found.append((text, symbology, _hull(points)))
    return found


def _hull(points: list[tuple[int, int]]) -> list[tuple[int, int]]:
    if len(points) < 3:
        return points
    return [(int(x), int(y)) for x, y in cv2.convexHull(np.array(points, np.int32)).reshape(-1, 2)]


def _decoded(text: str, symbology: str, polygon: list[tuple[int, int]]) -> Decoded:
    xs = [x for x, _ in polygon]
    ys = [y for _, y in polygon]
    return Decoded(text, symbology, tuple(polygon), (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))


def _inside(point: tuple[float, float], decoded: Decoded) -> bool:
    left, top, width, height = decoded.rect
    return left <= point[0] <= left + width and top <= point[1] <= top + height


def decode_frame(frame: np.ndarray, symbologies: Sequence[str] = DEFAULT_SYMBOLOGIES) -> list[Decoded]:
    """Every code readable in the frame (BGR or grey), each once, with where it is in the frame."""
    _require_zbar()
    linear = [name for name in symbologies if name != "QRCODE"]
    square = [name for name in symbologies if name == "QRCODE"]
    gray = to_gray(frame)
    found: dict[str, Decoded] = {}
    regions = find_regions(gray, squares=bool(square))
    hopeful = []  # regions that look like a code but read as nothing: the expensive attempts' work
    for region in regions:
        symbols = linear if region.coherent else square
        if not symbols or any(_inside(region.centre, seen) for seen in found.values()):
            continue
        cut = cut_out(gray, region) if region.coherent else qr_cut_out(gray, region)
        if cut is None:
            continue
        for variant in BAR_VARIANTS if region.coherent else QR_VARIANTS:
            hits = read_codes(variant(cut.image), symbols, rows_only=region.coherent)
            for text, symbology, polygon in hits:
                found.setdefault(text, _decoded(text, symbology, cut.to_frame(polygon)))
            if hits:
                break
        else:
            hopeful.append((region, symbols))
    if found:
        return list(found.values())
    budget = dict(MAX_ESCALATED)
    for region, symbols in hopeful:  # nothing read at all: now the expensive attempts, strongest first
        if not budget[region.coherent] or any(_inside(region.centre, seen) for seen in found.values()):
            continue
        budget[region.coherent] -= 1
        for cut, rows_only in _escalated(gray, region, symbols):
            hits = read_codes(cut.image, symbols, rows_only=rows_only)
            for text, symbology, polygon in hits:
                found.setdefault(text, _decoded(text, symbology, cut.to_frame(polygon)))
            if hits:
                break
    return list(found.values())
