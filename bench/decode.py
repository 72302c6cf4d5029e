"""Camera decoding: our pipeline against whole-frame pyzbar, zxing-cpp and OpenCV's barcode detector.

All four read the same generated 1280x720 frames (tests/imaging.py: our own labels "photographed" with
blur, noise, rotation, perspective, low contrast, glare, JPEG, small in frame, in combination; a few
frames hold two labels, a few none). Each decoder gets the BGR frame as a camera gives it, so
converting to grey is part of its time.

Then frames the project does not make (bench/foreign_frames.py: zxing-cpp's and python-barcode's
symbols on plain cards, transforms written apart from tests/imaging.py), per condition (clean, heavy
blur, defocus, motion, perspective, curved round a cylinder, low light), ours against zxing-cpp on the
same frames in the same run.

rate = share of the frames with codes on which the decoder read every code; ms = median per frame
(p90 beside it: the expensive attempts run only on frames where the cheap pass read nothing), and
cpu_ms = median CPU time per frame, which the other work on a shared machine disturbs far less;
wrong = payloads a decoder reported that are not on the frame. Last line: one JSON object, with the
load average (the machine is shared: figures are only comparable within one run).

Usage: python bench/decode.py [--images 200] [--seed 6] [--foreign 60]
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

from bench.foreign_frames import CONDITIONS, foreign_frames  # noqa: E402
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
    parser.add_argument("--foreign", type=int, default=60, help="frames per condition from another generator")
    args = parser.parse_args(argv)
    load_before = _loadavg()

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
    cpu: dict[str, list[float]] = {name: [] for name in DECODERS}
    idle: list[float] = []  # ours on frames without a code: what a kiosk's camera sees most of the day
    missed: list[str] = []
    for photo in photos:
        expected = set(photo.codes)
        for name, decode in DECODERS.items():  # interleaved, so load from other work hits all alike
            t0, c0 = time.perf_counter(), time.process_time()
            got = decode(photo.image)
            times[name].append((time.perf_counter() - t0) * 1000)
            cpu[name].append((time.process_time() - c0) * 1000)
            if name == "ours_pyzbar" and not expected:
                idle.append(cpu[name][-1])
            read[name] += bool(expected) and expected <= got
            wrong[name] += len(got - expected)
            if name == "ours_pyzbar" and not expected <= got:
                missed.append(photo.name)

    for name in DECODERS:
        ms = times[name]
        print(f"{name:12s} read {read[name]:3d}/{with_codes} = {read[name] / with_codes:6.1%}   "
              f"median {statistics.median(ms):6.2f} ms   p90 {np.percentile(ms, 90):6.2f} ms   "
              f"cpu {statistics.median(cpu[name]):6.2f} ms   wrong payloads {wrong[name]}")
    print(f"ours missed: {', '.join(missed) or 'none'}")
    idle_ms = round(statistics.median(idle), 2) if idle else None
    print(f"ours on the {len(idle)} frames without a code: median cpu {idle_ms} ms")
    result = {"images": len(photos)}
    for name in DECODERS:
        result[f"{name}_rate"] = round(read[name] / with_codes, 3)
        result[f"{name}_ms"] = round(statistics.median(times[name]), 2)
        result[f"{name}_cpu_ms"] = round(statistics.median(cpu[name]), 2)
    result["wrong"] = wrong["ours_pyzbar"]
    result["ours_no_code_cpu_ms"] = idle_ms
    if args.foreign:
        result.update(foreign(args.foreign, args.seed))
    result["loadavg"] = [load_before, _loadavg()]
    print(json.dumps(result))
    return 0


FOREIGN_DECODERS = {"ours": ours, "zxing": raw_zxing}


def foreign(per_condition: int, seed: int) -> dict[str, object]:
    """Ours against zxing-cpp on frames made elsewhere, per condition; the figures for the JSON line."""
    started = time.perf_counter()
    frames = list(foreign_frames(per_condition, seed))
    print(f"\n{len(frames)} frames from bench/foreign_frames.py ({per_condition} per condition and as many "
          "without a code) "
          f"made in {time.perf_counter() - started:.1f} s")
    read = {(c, n): 0 for c in CONDITIONS for n in FOREIGN_DECODERS}
    wrong = dict.fromkeys(FOREIGN_DECODERS, 0)
    times: dict[str, list[float]] = {name: [] for name in FOREIGN_DECODERS}  # frames with a code
    cpu: dict[str, list[float]] = {name: [] for name in FOREIGN_DECODERS}
    idle: dict[str, list[float]] = {name: [] for name in FOREIGN_DECODERS}  # CPU ms on frames without a code
    for frame in frames:
        expected = set(frame.codes)
        for name, decode in FOREIGN_DECODERS.items():
            t0, c0 = time.perf_counter(), time.process_time()
            got = decode(frame.image)
            wall, used = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
            if expected:
                times[name].append(wall)
                cpu[name].append(used)
            else:
                idle[name].append(used)
            if expected:
                read[frame.condition, name] += expected <= got
            wrong[name] += len(got - expected)
    with_codes = len(frames) - len(idle["ours"])
    out: dict[str, object] = {"foreign_frames": len(frames)}
    for condition in CONDITIONS:
        ours_read, zxing_read = read[condition, "ours"], read[condition, "zxing"]
        mark = "" if ours_read >= zxing_read else "   <- below zxing-cpp"
        print(f"{condition:12s} ours {ours_read:3d}/{per_condition}   zxing-cpp {zxing_read:3d}/{per_condition}{mark}")
        out[f"foreign_{condition}"] = [ours_read, zxing_read]
    for name in FOREIGN_DECODERS:
        total = sum(read[c, name] for c in CONDITIONS)
        ms = times[name]
        print(f"{name:12s} read {total}/{with_codes} = {total / with_codes:6.1%}   "
              f"median {statistics.median(ms):6.2f} ms   p90 {np.percentile(ms, 90):6.2f} ms   "
              f"cpu {statistics.median(cpu[name]):6.2f} ms (p90 {np.percentile(cpu[name], 90):6.2f})   "
              f"no code: cpu {statistics.median(idle[name]):6.2f} ms   wrong payloads {wrong[name]}")
        out[f"foreign_{name}_rate"] = round(total / with_codes, 3)
        out[f"foreign_{name}_ms"] = round(statistics.median(ms), 2)
        out[f"foreign_{name}_p90_ms"] = round(float(np.percentile(ms, 90)), 2)
        out[f"foreign_{name}_cpu_ms"] = round(statistics.median(cpu[name]), 2)
        out[f"foreign_{name}_cpu_p90_ms"] = round(float(np.percentile(cpu[name], 90)), 2)
        out[f"foreign_{name}_no_code_cpu_ms"] = round(statistics.median(idle[name]), 2)
    out["foreign_wrong"] = wrong["ours"]
    out["foreign_below_zxing"] = [c for c in CONDITIONS if read[c, "ours"] < read[c, "zxing"]]
    return out


def _loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


if __name__ == "__main__":
    raise SystemExit(main())
