"""Camera scanning on a station page: the browser posts frames, the server finds the codes in them.

Decoding only: a code the page has not seen for a moment goes through the station's normal scan
form, with its own idempotency key, exactly like a hand scanner (and the offline queue). So one
code held in view counts once per station, and every rule and message is the same.
"""

from __future__ import annotations

import numpy as np
from flask import Blueprint, jsonify, request

from kiosk.i18n import gettext
from kiosk.people.auth import kiosk_station
from kiosk.stations.views import get_station
from kiosk.web import current_lang

bp = Blueprint("camera", __name__)

MAX_FRAME_BYTES = 2 * 1024 * 1024  # a 1280x720 JPEG is ~100-300 KB


@bp.post("/station/<code>/decode")
@kiosk_station()
def decode(code: str):
    get_station(code)
    data = request.get_data(cache=False)
    lang = current_lang()
    if not data or len(data) > MAX_FRAME_BYTES:
        return jsonify({"error": gettext("The camera picture is empty or too large.", lang), "codes": []}), 400
    from kiosk.core.images import CAMERA_MAX_PIXELS, ImageRefused, check_size
    from kiosk.i18n import msg

    try:  # by the header's width x height, before OpenCV allocates the picture
        check_size(data, CAMERA_MAX_PIXELS, msg("The camera picture"))
    except ImageRefused as refused:
        return jsonify({"error": refused.message.render(lang), "codes": []}), 400
    import cv2

    from hardware.camera import decode_frame

    frame = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if frame is None:
        return jsonify({"error": gettext("The camera picture could not be read.", lang), "codes": []}), 400
    codes = [{"data": d.data, "symbology": d.symbology, "rect": list(d.rect)} for d in decode_frame(frame)]
    return jsonify({"codes": codes, "width": int(frame.shape[1]), "height": int(frame.shape[0])})
