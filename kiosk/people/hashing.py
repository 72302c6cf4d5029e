"""Password and PIN hashing with a bounded number at once.

werkzeug's scrypt takes about 32 MB and tens of milliseconds per hash: 60 sign-ins at once with
unknown user names took a worker from 75 MB to 1.3 GB. At most `limit` hashes run at once in a
process; others wait up to `wait` seconds (at most 8 per hash slot wait at all) and are then
answered "busy" instead of piling up.
No Flask here.
"""

from __future__ import annotations

import threading

from werkzeug.security import check_password_hash, generate_password_hash

from kiosk.core.errors import Refusal
from kiosk.i18n import msg

_limit = 2
_gate = threading.BoundedSemaphore(_limit)
_wait = 1.5
_queue_most = 8 * _limit  # waiting at once; beyond that a sign-in is told "busy" at once
_waiting = 0
_waiting_lock = threading.Lock()


class HashingBusy(Refusal):
    """Too many sign-ins at this moment; `message` asks to try again (503: the server, not the input)."""

    status = 503


def configure(limit: int, wait: float) -> None:
    global _gate, _limit, _wait, _queue_most
    limit = max(1, int(limit))
    if limit != _limit:
        _gate, _limit = threading.BoundedSemaphore(limit), limit
    _wait, _queue_most = float(wait), 8 * limit


def _run(work):
    global _waiting
    busy = HashingBusy(msg("The server is busy checking other sign-ins. Try again in a moment."))
    with _waiting_lock:
        if _waiting >= _queue_most:
            raise busy
        _waiting += 1
    try:
        acquired = _gate.acquire(timeout=_wait)
    finally:
        with _waiting_lock:
            _waiting -= 1
    if not acquired:
        raise busy
    try:
        return work()
    finally:
        _gate.release()


def make(secret: str) -> str:
    return _run(lambda: generate_password_hash(secret))


def check(hashed: str, secret: str) -> bool:
    return bool(hashed) and _run(lambda: check_password_hash(hashed, secret))


_dummy: str | None = None


def check_nothing(secret: str) -> None:
    """Spend the time of one check for an unknown name, so a wrong name answers as slowly as a wrong password."""
    global _dummy
    _dummy = _dummy or make("not a password")
    check(_dummy, secret)
