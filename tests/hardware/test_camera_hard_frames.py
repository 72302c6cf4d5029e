"""The camera decoder where the cheap pass reads nothing: heavy blur, a QR code seen at a slant, a label
wrapped round a pipe. Each frame is one of our own labels (tests/imaging.py) that the cheap pass alone
cannot read; the comparison with zxing-cpp is in bench/decode.py, not here."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from hardware import bars, camera
from hardware.camera import decode_frame
from tests.imaging import label, photograph, round_a_pipe


def centre(polygon) -> tuple[float, float]:
    points = np.array(polygon, np.float32)
    return float(points[:, 0].mean()), float(points[:, 1].mean())


def inside(point: tuple[float, float], quad: np.ndarray, slack: float = 10.0) -> bool:
    return cv2.pointPolygonTest(quad.astype(np.float32), point, True) >= -slack


def cheap_pass_only(frame: np.ndarray, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the decoder reads with the expensive attempts switched off."""
    with monkeypatch.context() as patched:
        patched.setattr(camera, "_escalated", lambda *args: iter(()))
        return [found.data for found in decode_frame(frame)]


CARTON = ("C-0001-01", "carton", "zh")
JOB = ("JC-000123", "job_card", "zh")
STICKER = ("C-0001-01", "sticker", "zh")

HARD = {
    # out of focus: Gaussian sigma 2 px at 3 px a module, the narrow bars a grey smear
    "heavy_blur": (CARTON, {}, dict(module_px=3.0, blur=2.0), 1),
    "heavy_blur_2": (CARTON, {}, dict(module_px=3.0, blur=2.0), 3),
    # a QR sticker on a box face turned away from the camera
    "qr_at_a_slant": (STICKER, {}, dict(module_px=4.0, angle=10, tilt=0.5), 1),
    "qr_at_a_slant_2": (STICKER, {}, dict(module_px=4.0, angle=10, tilt=0.6), 2),
    # so steep that OpenCV's QR detector loses it: squared from the three finder patterns' corners
    "qr_at_a_steep_slant": (STICKER, {}, dict(module_px=4.0, angle=35, tilt=0.7), 1),
    # a carton label round a pipe, its code over 130 degrees of it: the bars crowd towards the sides
    "round_a_pipe": (CARTON, dict(degrees=130), dict(module_px=3.5), 1),
    "job_card_round_a_pipe": (JOB, dict(degrees=140), dict(module_px=3.5), 2),
    # and seen a little from above: the bars bend as well
    "round_a_pipe_bent": (CARTON, dict(degrees=130, sag=20), dict(module_px=3.5), 2),
}


def hard_photo(name: str):
    (code, kind, lang), wrap, photo_kw, seed = HARD[name]
    lbl = label(code, kind, lang)
    if wrap:
        lbl = round_a_pipe(lbl, **wrap)
    return photograph([lbl], seed, name, **photo_kw)


@pytest.mark.parametrize("name", list(HARD))
def test_a_frame_the_cheap_pass_misses_is_read_by_the_escalation(name, monkeypatch):
    photo = hard_photo(name)
    assert cheap_pass_only(photo.image, monkeypatch) == []  # what makes the frame hard
    assert [found.data for found in decode_frame(photo.image)] == list(photo.codes)


@pytest.mark.parametrize("name", ["heavy_blur", "qr_at_a_slant", "qr_at_a_steep_slant", "round_a_pipe",
                                  "round_a_pipe_bent"])
def test_an_escalated_read_is_reported_where_the_code_is(name):
    photo = hard_photo(name)  # the outline comes back through the deblurred, squared or unrolled cut-out
    (found,) = decode_frame(photo.image)
    assert inside(centre(found.polygon), photo.quads[0], slack=20)


def test_the_steep_qr_code_is_beyond_opencvs_detector_but_not_its_finder_patterns():
    photo = hard_photo("qr_at_a_steep_slant")
    gray = camera.to_gray(photo.image)
    blobs = [region for region in camera.find_regions(gray) if not region.coherent
             and camera.qr_cut_out(gray, region) is not None]
    assert blobs
    assert all(camera.qr_rectified(gray, region) is None for region in blobs)
    squared = [camera.qr_from_finders(gray, region) for region in blobs]
    assert any(cut is not None and camera.read_codes(cut.image, ["QRCODE"]) for cut in squared)


def test_frames_the_cheap_pass_reads_never_reach_the_expensive_attempts(monkeypatch):
    def refuse(*args):
        raise AssertionError("escalated although the cheap pass read the frame")

    monkeypatch.setattr(camera, "_escalated", refuse)
    photo = photograph([label(*JOB)], seed=4, module_px=2.5, angle=12)
    assert [found.data for found in decode_frame(photo.image)] == ["JC-000123"]


def test_a_frame_without_a_code_stays_empty_through_the_escalation():
    """Wood grain, stripes and text look like bars to the locator; the expensive attempts read them too."""
    for seed in range(5):
        assert decode_frame(photograph([], seed=900 + seed).image) == []


def test_unrolling_evens_out_bars_that_crowd_towards_a_pipes_sides():
    flat = label(*CARTON)
    x0, y0, x1, y1 = flat.barcode_box
    row_band = flat.image[y0 + 10 : y1 - 10, x0 - 40 : x1 + 40]
    level = camera.CutOut(np.ascontiguousarray(row_band), np.eye(3)[:2])
    assert camera.unrolled(level) is None  # a flat label: nothing to unroll
    piped = round_a_pipe(flat, 130)
    px0, _, px1, _ = piped.barcode_box
    band = piped.image[y0 + 10 : y1 - 10, max(px0 - 30, 0) : px1 + 30]
    unrolled = camera.unrolled(camera.CutOut(np.ascontiguousarray(band), np.eye(3)[:2]))
    assert unrolled is not None
    _, before = bars.edge_spacing(band)
    _, after = bars.edge_spacing(unrolled.image)

    def ends_to_middle(gaps: np.ndarray) -> float:
        """Mean spacing in the outer sixths against the middle third's."""
        sixth = gaps.size // 6
        return float(np.r_[gaps[:sixth], gaps[-sixth:]].mean() / gaps[2 * sixth : -2 * sixth].mean())

    assert ends_to_middle(before) < 0.8  # crowded on the pipe
    assert 0.85 < ends_to_middle(after) < 1.15  # about even once unrolled


def test_deconvolution_restores_the_contrast_of_narrow_bars():
    pattern = np.tile(np.repeat(np.array([40, 220] * 20, np.uint8), 3), (8, 1))  # 3 px bars and spaces
    blurred = cv2.GaussianBlur(pattern, (0, 0), 2.0)
    sharpened = bars.deconvolved(blurred, 2.0)
    middle = slice(30, 90)
    assert np.ptp(blurred[4, middle]) < 0.35 * np.ptp(pattern[4, middle])
    assert np.ptp(sharpened[4, middle]) > 0.7 * np.ptp(pattern[4, middle])
