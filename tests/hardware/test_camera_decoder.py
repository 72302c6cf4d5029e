"""The camera decoder on frames made from our own labels (tests/imaging.py): each case says what it proves."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from hardware import camera
from hardware.camera import decode_frame
from tests.imaging import label, named_photos, photograph, random_photos


@pytest.fixture(scope="module")
def photos():
    return named_photos()


def centre(polygon) -> tuple[float, float]:
    points = np.array(polygon, np.float32)
    return float(points[:, 0].mean()), float(points[:, 1].mean())


def inside(point: tuple[float, float], quad: np.ndarray, slack: float = 6.0) -> bool:
    return cv2.pointPolygonTest(quad.astype(np.float32), point, True) >= -slack


# Every one of these is a frame a worker's camera could give; the name says what makes it hard.
READABLE = [
    "clean",
    "blur",  # out of focus, Gaussian sigma 1.6 px
    "motion_blur",  # the label moved while the shutter was open
    "rotated_30",  # held at 30 degrees
    "rotated_75",  # nearly upright bars lying on their side
    "upside_down",  # a carton the other way round
    "perspective",  # label tilted away from the camera
    "glare",  # a lamp's reflection washing out part of the bars
    "tiny",  # barcode ~150 px wide in a 1280 px frame: 1.4 px a module
    "jpeg_q30",  # a stream compressed hard
    "low_contrast",  # a quarter of the contrast: dim, washed-out light
    "noise",  # sensor noise sigma 14
    "shaded",  # uneven light across the frame
    "digits_99",  # all-digit code starting with 99 (what python-barcode 0.16.1 gets wrong)
    "combined",  # turned, tilted, blurred, noisy, washed out and JPEG at once
]


@pytest.mark.parametrize("name", READABLE)
def test_reads_the_code_once(photos, name):
    photo = photos[name]
    assert [found.data for found in decode_frame(photo.image)] == list(photo.codes)


@pytest.mark.parametrize("name", ["rotated_30", "perspective", "tiny", "upside_down", "combined"])
def test_carton_code_is_reported_where_it_is_in_the_frame(photos, name):
    photo = photos[name]  # carton labels: one Code128, so the position has one right answer
    (found,) = decode_frame(photo.image)
    assert found.symbology == "CODE128"
    assert inside(centre(found.polygon), photo.quads[0])
    left, top, width, height = found.rect
    assert all(left - 1 <= x <= left + width + 1 and top - 1 <= y <= top + height + 1 for x, y in found.polygon)


def test_two_codes_in_one_frame_are_both_read_each_at_its_own_label(photos):
    photo = photos["two_codes"]
    found = {item.data: item for item in decode_frame(photo.image)}
    assert set(found) == set(photo.codes)
    # the job card also carries a QR of its code; either may be reported, but never twice
    carton_code = photo.codes[1]
    assert inside(centre(found[carton_code].polygon), photo.quads[1])


def test_a_frame_without_a_code_gives_nothing(photos):
    assert decode_frame(photos["no_code"].image) == []


def test_qr_code_is_read(photos):
    photo = photos["qr_code"]
    found = decode_frame(photo.image)
    assert [(item.data, item.symbology) for item in found] == [(photo.codes[0], "QRCODE")]
    assert inside(centre(found[0].polygon), photo.quads[0], slack=20)


def test_symbologies_not_asked_for_are_not_read(photos):
    assert decode_frame(photos["rotated_30"].image, symbologies=("QRCODE",)) == []
    assert decode_frame(photos["qr_code"].image, symbologies=("CODE128",)) == []


def test_grey_and_bgra_frames_read_like_bgr(photos):
    image = photos["clean"].image
    expected = [item.data for item in decode_frame(image)]
    assert [item.data for item in decode_frame(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))] == expected
    assert [item.data for item in decode_frame(cv2.cvtColor(image, cv2.COLOR_BGR2BGRA))] == expected


def test_job_card_code_is_reported_once_though_printed_twice():
    photo = photograph([label("JC-004711", "job_card")], seed=3, module_px=3.0, angle=-10)
    found = decode_frame(photo.image)
    assert [item.data for item in found] == ["JC-004711"]


def test_never_a_wrong_payload_on_a_mixed_bag_of_frames():
    """Hard frames may go unread, but whatever is reported is on the frame."""
    read = 0
    for photo in random_photos(30, seed=606):
        got = {item.data for item in decode_frame(photo.image)}
        assert got <= set(photo.codes), photo.name
        read += bool(photo.codes) and set(photo.codes) <= got
    assert read >= 15  # and it is not silent: most frames of the bag are read


def test_a_code_seen_on_one_scan_line_only_is_not_reported():
    photo = photograph([label("C-0042-07")], seed=5, module_px=3.0)
    gray = camera.to_gray(photo.image)
    x0, y0 = photo.quads[0].min(0).astype(int)
    x1, y1 = photo.quads[0].max(0).astype(int)
    row = gray[(y0 + y1) // 2, max(x0 - 40, 0): x1 + 40]
    strip = np.full((24, row.size), int(np.median(row)), np.uint8)
    strip[12] = row  # one row of bars in a flat strip: zbar can read it, but only on that one line
    assert [(payload, lines) for _, payload, lines, _ in camera.scan(strip, ["CODE128"], rows_only=True)] == [
        (b"C-0042-07", 1)
    ]
    assert camera.read_codes(strip, ["CODE128"], rows_only=True) == []
    strip[10:15] = row  # five lines agree: now it counts
    assert [text for text, _, _ in camera.read_codes(strip, ["CODE128"], rows_only=True)] == ["C-0042-07"]


@pytest.mark.parametrize(
    ("payload", "symbology", "expected"),
    [
        (b"JC-000123", "CODE128", "JC-000123"),
        (b"9912345678", "CODE128", "9912345678"),
        (b"JC 000123", "CODE128", None),  # a scanner cannot type a space into our code field
        (b"JC-\x00123", "CODE128", None),  # control characters are a misread
        (b"\xff\xfe", "CODE128", None),  # not text at all
        (b"", "CODE128", None),
        (b"X" * 65, "CODE128", None),  # longer than any code we print
        ("C-0001-01 联华".encode(), "QRCODE", "C-0001-01 联华"),  # a QR code may carry Chinese
    ],
)
def test_only_plausible_payloads_pass(payload, symbology, expected):
    assert camera.plausible(payload, symbology) == expected


def test_decoder_reports_it_is_usable():
    assert camera.is_usable()
