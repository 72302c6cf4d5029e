"""Camera scanning in a real browser: chromium's fake camera shows a job card to a station page; the
page posts frames, the server finds the code, and the scan is recorded once while it stays in view."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from barcode import Code128
from barcode.writer import ImageWriter
from PIL import Image

from db.models import JobCard, ScanEvent
from tests.auth_helpers import pair_browser
from tests.browser import launch_chromium
from tests.factories import cards_of, make_order

pytestmark = pytest.mark.browser


def write_y4m(path, code: str, frames: int = 20, size=(640, 480)) -> None:
    """A short video of a printed job-card barcode, as chromium's fake camera plays it (YUV4MPEG2)."""
    out = io.BytesIO()
    Code128(code, writer=ImageWriter()).write(out, options={"module_width": 0.35, "module_height": 14,
                                                            "write_text": False, "quiet_zone": 6, "dpi": 150})
    label = Image.open(out).convert("L")
    frame = Image.new("L", size, 235)
    frame.paste(label, ((size[0] - label.width) // 2, (size[1] - label.height) // 2))
    luma = np.asarray(frame, dtype=np.uint8)
    chroma = np.full((size[1] // 2, size[0] // 2), 128, dtype=np.uint8)
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{size[0]} H{size[1]} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + luma.tobytes() + chroma.tobytes() + chroma.tobytes())


def test_card_held_to_the_camera_is_recorded_once(demo_server, playwright_instance, tmp_path):
    order = make_order(lines=[("DT-120", 2)], number="SO-CAM-1")
    card = cards_of(order)[0]
    video = tmp_path / "card.y4m"
    write_y4m(video, card.code)
    browser = launch_chromium(playwright_instance, [
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ])
    try:
        context = browser.new_context(locale="en-US")
        pair_browser(context, demo_server.url, "whitebody")
        page = context.new_page()
        page.goto(f"{demo_server.url}/station/whitebody?lang=en")
        page.keyboard.type("W001")
        page.keyboard.press("Enter")
        page.wait_for_selector("#worker-panel >> text=张伟")
        page.click("#camera-toggle")
        page.wait_for_function(
            """code => {
                const shown = document.querySelector('#scan-result .answer-code');
                return shown && shown.textContent === code;
            }""", arg=card.code, timeout=20000)
        assert page.locator("#scan-result .answer").get_attribute("data-outcome") == "ok"
        assert card.code in page.locator("#camera-seen").inner_text()
        time.sleep(2.5)  # the card stays in view for several more frames
    finally:
        browser.close()
    assert JobCard.get_by_id(card.id).next_seq == 1
    events = ScanEvent.select().where(ScanEvent.code == card.code)
    assert [(e.outcome, e.station.code) for e in events] == [("ok", "whitebody")]
