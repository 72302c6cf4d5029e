"""How many live event streams may be open: per viewer (a session or a paired device) and in total.

Each open stream holds one server thread for as long as the board is on screen. Without a cap one
session opened 205 streams and kiosk scans and /login timed out. A stream beyond either cap is
answered 429 with Retry-After; the threads left over stay for scans, sign-in and pages.

The open streams are rows of `stream_slot` in the database, so every gunicorn worker and every
server on the same PostgreSQL counts the same ones: a screen that reached its cap through one
process is refused by the others too. A slot is taken in one write transaction that counts and
inserts at once (SQLite's write lock; on PostgreSQL an advisory lock), so a burst sent to several
processes together cannot pass the cap. Each row is a lease its process renews every
LEASE_SECONDS / 3: a process that dies (power cut, OOM kill) frees its slots when they expire, and
a stream also ends after STREAM_MOST_SECONDS (the browser reconnects at once, resuming where it
was). No Flask here.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Iterator

import db
from db import database
from db.models import StreamSlot
from kiosk.eventlog.stream import connection
from kiosk.i18n import Msg, msg

log = logging.getLogger(__name__)

TABLE = StreamSlot._meta.table_name
LEASE_SECONDS = 60.0  # a slot nobody renewed for this long counts as free
ADVISORY_LOCK = 7312015  # PostgreSQL: takers of a slot wait for each other (any number, one plant)


class StreamsFull(Exception):
    """No slot for another stream; `message` says why."""

    def __init__(self, message: Msg):
        super().__init__(message.key)
        self.message = message


def _sql(text: str) -> str:
    return text.replace("?", database.param) if database.param != "?" else text


class Slots:
    def __init__(self, total: int = 200, per_viewer: int = 6, lease_seconds: float = LEASE_SECONDS):
        self.total = total
        self.per_viewer = per_viewer
        self.lease_seconds = lease_seconds
        self._mine: dict[int, object] = {}  # slot id -> the database it is in, renewed by this process
        self._lock = threading.Lock()
        self._renewer: threading.Thread | None = None
        self._holder = ""
        self._holder_pid = 0

    def configure(self, total: int, per_viewer: int) -> None:
        self.total, self.per_viewer = int(total), int(per_viewer)

    @property
    def holder(self) -> str:
        """This server process, as the slots it holds name it (a new one after a fork)."""
        if self._holder_pid != os.getpid():
            self._holder, self._holder_pid = f"{os.uname().nodename[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}", \
                os.getpid()
            self._renewer = None
            self._mine = {}
        return self._holder

    def open_count(self) -> int:
        with connection(database.obj):
            row = database.execute_sql(_sql(f'SELECT COUNT(*) FROM "{TABLE}" WHERE "expires" > ?'),
                                       [time.time()]).fetchone()
        return int(row[0] or 0)

    def take(self, viewer: str) -> int:
        """A slot for one more stream of `viewer` (its id), or StreamsFull."""
        viewer = str(viewer)[:96]
        holder = self.holder
        with connection(database.obj), db.write_transaction():
            if db.is_postgres():
                database.execute_sql(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK})")
            now = time.time()
            database.execute_sql(_sql(f'DELETE FROM "{TABLE}" WHERE "expires" <= ?'), [now])
            total, theirs = database.execute_sql(_sql(
                f'SELECT COUNT(*), COALESCE(SUM(CASE WHEN "viewer" = ? THEN 1 ELSE 0 END), 0) FROM "{TABLE}"'),
                [viewer]).fetchone()
            if int(theirs) >= self.per_viewer:
                raise StreamsFull(msg("This screen already has {n} live boards open; close one first.",
                                      n=self.per_viewer))
            if int(total) >= self.total:
                raise StreamsFull(msg("The server is showing as many live boards as it can ({n}). Try again in "
                                      "a minute.", n=self.total))
            slot = StreamSlot.create(viewer=viewer, holder=holder, expires=now + self.lease_seconds).id
        with self._lock:
            self._mine[slot] = database.obj
            if self._renewer is None or not self._renewer.is_alive():
                self._renewer = threading.Thread(target=self._renew_forever, name="kiosk-stream-slots", daemon=True)
                self._renewer.start()
        return slot

    def give_back(self, slot: int) -> None:
        with self._lock:
            self._mine.pop(slot, None)
        try:
            with connection(database.obj), db.write_transaction():
                database.execute_sql(_sql(f'DELETE FROM "{TABLE}" WHERE "id" = ?'), [slot])
        except Exception:  # noqa: BLE001 - the lease runs out by itself
            log.warning("stream slots: could not give slot %s back; it frees itself within %.0f s", slot,
                        self.lease_seconds)

    def renew(self) -> None:
        """Push back the expiry of every slot this process holds in the bound database."""
        with self._lock:
            current = database.obj
            for slot in [s for s, where in self._mine.items() if where is not current]:
                del self._mine[slot]  # a database no longer bound (tests): nothing to renew there
            slots = list(self._mine)
        if not slots or current is None:
            return
        marks = ", ".join(["?"] * len(slots))
        with connection(current), db.write_transaction():
            database.execute_sql(_sql(f'UPDATE "{TABLE}" SET "expires" = ? WHERE "id" IN ({marks})'),
                                 [time.time() + self.lease_seconds, *slots])

    def _renew_forever(self) -> None:
        while True:
            time.sleep(self.lease_seconds / 3)
            try:
                self.renew()
            except Exception:  # noqa: BLE001 - a lost database must not end the renewals
                log.exception("stream slots: renewing the leases failed")

    def held(self, slot: int, body: Iterator[str]) -> Iterator[str]:
        """`body`, giving the slot back when the stream ends or is closed (even before its first message)."""
        return _Held(self, slot, body)


class _Held:
    def __init__(self, slots: Slots, slot: int, body: Iterator[str]):
        self.slots, self.slot, self.body = slots, slot, body
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
            self.slots.give_back(self.slot)


STREAMS = Slots()
