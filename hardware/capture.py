"""Frames from a camera, a network stream or a video file, and the debounce that makes a code held in
view count once.

A live source (camera index, rtsp:// or http:// stream) is read on its own thread and only the newest
frame is kept, so a slow decode skips frames instead of falling further and further behind the
camera. A video file is read frame by frame and timed by its own clock, so a test video decodes the
same however fast the machine is.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)

RECONNECT_SECONDS = 2.0  # wait before reopening a camera or stream that stopped giving frames
DEBOUNCE_SECONDS = 2.0  # a code out of view this long counts again when it comes back


def parse_source(text: str | int) -> int | str:
    """'0' -> camera index 0; anything else (a path, rtsp://..., http://...) as given."""
    if isinstance(text, int):
        return text
    return int(text) if text.strip().isdigit() else text


def is_live(source: int | str) -> bool:
    """A camera or a network stream, as opposed to a video file that ends."""
    return isinstance(source, int) or "://" in source


class SourceError(RuntimeError):
    """The camera, stream or file could not be opened."""


class FrameSource:
    """Timed frames (seconds, BGR image) from a camera index, a stream URL or a video file."""

    def __init__(self, source: int | str, reconnect_seconds: float = RECONNECT_SECONDS):
        self.source = parse_source(source)
        self.live = is_live(self.source)
        self.reconnect_seconds = reconnect_seconds
        if not self.live and not Path(self.source).is_file():
            raise SourceError(f"no video file at {self.source}")

    def _open(self) -> cv2.VideoCapture:
        capture = cv2.VideoCapture(self.source)
        if isinstance(self.source, int):
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, 1280)
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, 720)
            capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        if not capture.isOpened():
            capture.release()
            raise SourceError(f"cannot open video source {self.source!r}")
        return capture

    def frames(self, stop: threading.Event) -> Iterator[tuple[float, np.ndarray]]:
        """Frames until `stop` is set (or a file ends)."""
        if self.live:
            yield from self._live_frames(stop)
        else:
            yield from self._file_frames(stop)

    def _file_frames(self, stop: threading.Event) -> Iterator[tuple[float, np.ndarray]]:
        capture = self._open()
        try:
            while not stop.is_set():
                ok, frame = capture.read()
                if not ok:
                    return
                yield capture.get(cv2.CAP_PROP_POS_MSEC) / 1000.0, frame
        finally:
            capture.release()

    def _live_frames(self, stop: threading.Event) -> Iterator[tuple[float, np.ndarray]]:
        newest: list[tuple[float, np.ndarray] | None] = [None]
        arrived = threading.Condition()
        reader = threading.Thread(target=self._read_live, args=(stop, newest, arrived), daemon=True,
                                  name="camera-reader")
        reader.start()
        try:
            while not stop.is_set():
                with arrived:
                    arrived.wait_for(lambda: newest[0] is not None or stop.is_set(), timeout=0.5)
                    item, newest[0] = newest[0], None
                if item is not None:
                    yield item
        finally:
            stop.set()
            reader.join(timeout=5)

    def _read_live(self, stop: threading.Event, newest: list, arrived: threading.Condition) -> None:
        while not stop.is_set():
            try:
                capture = self._open()
            except SourceError as error:
                log.warning("%s; trying again in %.0f s", error, self.reconnect_seconds)
                stop.wait(self.reconnect_seconds)
                continue
            try:
                while not stop.is_set():
                    ok, frame = capture.read()
                    if not ok:
                        log.warning("video source %r stopped giving frames; reopening", self.source)
                        break
                    with arrived:
                        newest[0] = (time.monotonic(), frame)
                        arrived.notify()
            finally:
                capture.release()
            stop.wait(self.reconnect_seconds)


class Debouncer:
    """One code held in view counts once: per station, a code counts again only after it has been out
    of sight for `window` seconds. Times come from the caller (a video's clock or time.monotonic())."""

    def __init__(self, window: float = DEBOUNCE_SECONDS):
        self.window = window
        self._last_seen: dict[tuple[str, str], float] = {}

    def fresh(self, station: str, code: str, now: float) -> bool:
        """True if this sighting is a new scan; every sighting (new or not) restarts the window."""
        key = (station, code)
        last = self._last_seen.get(key)
        self._last_seen[key] = now
        if len(self._last_seen) > 1000:  # forget codes long gone
            self._last_seen = {k: t for k, t in self._last_seen.items() if now - t <= self.window}
        return last is None or now - last > self.window or now < last
