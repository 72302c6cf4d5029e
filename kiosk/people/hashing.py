"""Password and PIN hashing with a bounded number at once, and a bounded wait for a turn.

werkzeug's scrypt takes about 32 MB and tens of milliseconds per hash (hundreds on a loaded
machine): 60 sign-ins at once with unknown user names took a worker from 75 MB to 1.3 GB. At most
`limit` hashes run at once in a process. A sign-in that would wait longer than `wait` seconds for
its turn (judged from how long recent hashes took and how many are ahead of it) is answered
"busy, try again in N seconds" at once instead of holding a server thread in a queue; one that
is let in still gives up after `wait`. A wrong user name costs one hash like a wrong password
(against a hash made in advance), so the answer's time does not tell which names exist.
No Flask here.
"""

from __future__ import annotations

import math
import threading
import time

from werkzeug.security import check_password_hash, generate_password_hash

from kiosk.core.errors import Refusal
from kiosk.i18n import Msg, msg

_limit = 2
_gate = threading.BoundedSemaphore(_limit)
_wait = 0.8
_state = threading.Lock()
_ahead = 0  # hashing or waiting for a turn now
_took = 0.1  # seconds one hash took lately (a moving average)

# A hash of a random secret nobody knows, made with werkzeug's default method (scrypt n=2^15, r=8,
# p=1) like every stored password: checking a wrong name against it costs what a wrong password costs.
_DUMMY = ("scrypt:32768:8:1$NRuXXZNcLGnTolVv$5ca64dbf5e4917e278ee9df13fbe87ecd8fa8e25698fae72e4bc75f2c7a52cc1"
          "6c2df229578e6aeebad2031973f1b09fba64bf3aa5a2fd3da0e8f3ec9207708b")


class HashingBusy(Refusal):
    """Too many sign-ins at this moment; `message` asks to try again in `retry_after` seconds (503: the
    server, not the input; the sign-in page answers 429 with Retry-After)."""

    status = 503

    def __init__(self, message: Msg, retry_after: int = 1):
        super().__init__(message)
        self.retry_after = retry_after


def configure(limit: int, wait: float) -> None:
    global _gate, _limit, _wait
    limit = max(1, int(limit))
    if limit != _limit:
        _gate, _limit = threading.BoundedSemaphore(limit), limit
    _wait = max(0.0, float(wait))


def _busy(seconds: float) -> HashingBusy:
    retry = max(1, math.ceil(seconds))
    return HashingBusy(msg("The server is busy checking other sign-ins. Try again in {seconds} seconds.",
                           seconds=retry), retry)


def expected_wait(ahead: int, limit: int, took: float) -> float:
    """Seconds until a turn when `ahead` hashes run or wait already: none while a slot is free, else
    one hash's time for every round of `limit` ahead of it."""
    if ahead < limit:
        return 0.0
    return ((ahead - limit) // limit + 1) * took


def _run(work):
    global _ahead, _took
    with _state:
        waiting = expected_wait(_ahead, _limit, _took)
        if waiting > _wait:
            raise _busy(waiting + _took)
        _ahead += 1
        gate, budget = _gate, _wait
    try:
        if not gate.acquire(timeout=max(budget, 0.001)):
            raise _busy(_took * 2)
        try:
            started = time.monotonic()
            result = work()
            took = time.monotonic() - started
            with _state:
                _took = 0.7 * _took + 0.3 * took
            return result
        finally:
            gate.release()
    finally:
        with _state:
            _ahead -= 1


def make(secret: str) -> str:
    return _run(lambda: generate_password_hash(secret))


def check(hashed: str, secret: str) -> bool:
    return bool(hashed) and _run(lambda: check_password_hash(hashed, secret))


def check_nothing(secret: str) -> None:
    """Spend the time of one check for an unknown name, so a wrong name answers as slowly as a wrong password."""
    check(_DUMMY, secret)
