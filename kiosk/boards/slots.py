"""How many live event streams may be open: per viewer (a session or a paired device) and in total.

Each open stream holds one server thread for as long as the board is on screen. Without a cap one
session opened 205 streams and kiosk scans and /login timed out. A stream beyond either cap is
answered 429 with Retry-After; the threads left over stay for scans, sign-in and pages. Per process,
in memory. No Flask here.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

from kiosk.i18n import Msg, msg


class StreamsFull(Exception):
    """No slot for another stream; `message` says why."""

    def __init__(self, message: Msg):
        super().__init__(message.key)
        self.message = message


class Slots:
    def __init__(self, total: int = 200, per_viewer: int = 6):
        self.total = total
        self.per_viewer = per_viewer
        self._open: Counter[str] = Counter()
        self._lock = threading.Lock()

    def configure(self, total: int, per_viewer: int) -> None:
        self.total, self.per_viewer = int(total), int(per_viewer)

    def open_count(self) -> int:
        with self._lock:
            return sum(self._open.values())

    def take(self, viewer: str) -> None:
        with self._lock:
            if self._open[viewer] >= self.per_viewer:
                raise StreamsFull(msg("This screen already has {n} live boards open; close one first.",
                                      n=self.per_viewer))
            if sum(self._open.values()) >= self.total:
                raise StreamsFull(msg("The server is showing as many live boards as it can ({n}). Try again in "
                                      "a minute.", n=self.total))
            self._open[viewer] += 1

    def give_back(self, viewer: str) -> None:
        with self._lock:
            self._open[viewer] -= 1
            if self._open[viewer] <= 0:
                del self._open[viewer]

    def held(self, viewer: str, body: Iterator[str]) -> Iterator[str]:
        """`body`, giving the slot back when the stream ends or is closed (even before its first message)."""
        return _Held(self, viewer, body)


class _Held:
    def __init__(self, slots: Slots, viewer: str, body: Iterator[str]):
        self.slots, self.viewer, self.body = slots, viewer, body
        self.done = False

    def __iter__(self):
        return self

    def __next__(self) -> str:
        try:
            return next(self.body)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self.done:
            return
        self.done = True
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self.slots.give_back(self.viewer)


STREAMS = Slots()
