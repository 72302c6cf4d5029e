"""Camera decoding: our pipeline against whole-frame pyzbar, zxing-cpp and OpenCV's barcode detector.

All four read the same generated 1280x720 frames (tests/imaging.py: our own labels "photographed" with
blur, noise, rotation, perspective, low contrast, glare, JPEG, small in frame, in combination; a few
frames hold two labels, a few none). Each decoder gets the BGR frame as a camera gives it, so
converting to grey is part of its time.

rate = share of the frames with codes on which the decoder read every code; ms = median per frame;
wrong = payloads our decoder reported that are not on the frame. Last line: one JSON object.

Usage: python bench/decode.py [--images 200] [--seed 6]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hardware.camera import decode_frame  # noqa: E402
from tests.imaging import random_photos  # noqa: E402


def ours(frame: np.ndarray) -> set[str]:
    return {decoded.data for decoded in decode_frame(frame)}


def raw_pyzbar(frame: np.ndarray) -> set[str]:
    from pyzbar import pyzbar

    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    return {symbol.data.decode("utf-8", "replace") for symbol in pyzbar.decode(gray)}


def raw_zxing(frame: np.ndarray) -> set[str]:
    import zxingcpp

    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    return {result.text for result in zxingcpp.read_barcodes(gray)}


_OPENCV = cv2.barcode.BarcodeDetector()


def opencv(frame: np.ndarray) -> set[str]:
    found, texts, _types, _points = _OPENCV.detectAndDecodeWithType(frame)
    return {text for text in texts if text} if found else set()


DECODERS: dict[str, Callable[[np.ndarray], set[str]]] = {
    "ours_pyzbar": ours,
    "raw_pyzbar": raw_pyzbar,
    "raw_zxing": raw_zxing,
    "opencv": opencv,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    photos = list(random_photos(args.images, args.seed))
    with_codes = sum(1 for photo in photos if photo.codes)
    print(f"{len(photos)} frames ({with_codes} with codes, "
          f"{sum(len(photo.codes) for photo in photos)} codes) made in {time.perf_counter() - started:.1f} s")

    for decode in DECODERS.values():  # first calls load libraries and build tables: not timed
        decode(photos[0].image)
    read = dict.fromkeys(DECODERS, 0)
    wrong = dict.fromkeys(DECODERS, 0)
    times: dict[str, list[float]] = {name: [] for name in DECODERS}
    missed: list[str] = []
    for photo in photos:
        expected = set(photo.codes)
        for name, decode in DECODERS.items():  # interleaved, so load from other work hits all alike
            t0 = time.perf_counter()
            got = decode(photo.image)
            times[name].append((time.perf_counter() - t0) * 1000)
            read[name] += bool(expected) and expected <= got
            wrong[name] += len(got - expected)
            if name == "ours_pyzbar" and not expected <= got:
                missed.append(photo.name)

    for name in DECODERS:
        ms = times[name]
        print(f"{name:12s} read {read[name]:3d}/{with_codes} = {read[name] / with_codes:6.1%}   "
              f"median {statistics.median(ms):6.2f} ms   p90 {np.percentile(ms, 90):6.2f} ms   "
              f"wrong payloads {wrong[name]}")
    print(f"ours missed: {', '.join(missed) or 'none'}")
    result = {"images": len(photos)}
    for name in DECODERS:
        result[f"{name}_rate"] = round(read[name] / with_codes, 3)
        result[f"{name}_ms"] = round(statistics.median(times[name]), 2)
    result["wrong"] = wrong["ours_pyzbar"]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
