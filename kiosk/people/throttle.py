"""Sign-in and PIN throttling with backoff, per account, per address and per account-and-address.

No hard lockout an attacker can trigger: wrong tries from one address slow down that address (for
that account, and for every account once it sprays many names); the account-wide count slows only
addresses that never signed in to that account before, so the real owner at their usual desk or
kiosk is not locked out by someone guessing elsewhere. Each wait doubles from one second up to a cap.
Counted per server process, in memory, with a bounded number of entries. No Flask here.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

MAX_ENTRIES = 20000


@dataclass
class Rule:
    free: int  # failures before any wait
    cap: float  # longest wait, seconds


PAIR = Rule(free=3, cap=60)  # one account from one address
ADDRESS = Rule(free=6, cap=300)  # one address, any accounts: spraying many names
ACCOUNT = Rule(free=20, cap=60)  # one account from addresses that never signed in to it


@dataclass
class _Entry:
    failures: int = 0
    last: float = 0.0


class Throttle:
    """Counts failures by key; `wait_for(...)` is how long the next try must still wait (0: go on)."""

    def __init__(self, forget_after: float = 3600.0):
        self.forget_after = forget_after
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._trusted: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def _wait(self, key: str, rule: Rule, now: float) -> float:
        entry = self._entries.get(key)
        if entry is None or entry.failures < rule.free:
            return 0.0
        if now - entry.last > self.forget_after:
            self._entries.pop(key, None)
            return 0.0
        delay = min(rule.cap, 2.0 ** (entry.failures - rule.free))
        return max(0.0, entry.last + delay - now)

    def _keys(self, account: str, address: str) -> list[tuple[str, Rule]]:
        keys = [(f"pair:{account}|{address}", PAIR), (f"addr:{address}", ADDRESS)]
        if f"{account}|{address}" not in self._trusted:
            keys.append((f"acct:{account}", ACCOUNT))
        return keys

    def wait_for(self, account: str, address: str) -> float:
        now = time.monotonic()
        with self._lock:
            return max(self._wait(key, rule, now) for key, rule in self._keys(account, address))

    def attempt(self, account: str, address: str) -> float:
        """Start a try: how long it must still wait (then nothing is counted), else 0 and the try is
        counted as failed until `succeeded` says otherwise. Checked and counted at once, so a burst of
        tries sent together is slowed down as if they had come one after another."""
        now = time.monotonic()
        with self._lock:
            wait = max(self._wait(key, rule, now) for key, rule in self._keys(account, address))
            if wait <= 0:
                self._count(account, address, now)
            return wait

    def failed(self, account: str, address: str) -> None:
        with self._lock:
            self._count(account, address, time.monotonic())

    def answered_wrong(self, account: str, address: str) -> None:
        """A try counted by `attempt` turned out wrong: its wait runs from now, when the answer is given,
        not from when the (slow) check began."""
        now = time.monotonic()
        with self._lock:
            for key, _rule in self._keys(account, address):
                entry = self._entries.get(key)
                if entry is not None:
                    entry.last = now

    def _count(self, account: str, address: str, now: float) -> None:
        keys = {key for key, _rule in self._keys(account, address)} | {f"acct:{account}"}
        for key in sorted(keys):
            entry = self._entries.pop(key, None) or _Entry()
            entry.failures += 1
            entry.last = now
            self._entries[key] = entry
        while len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)

    def succeeded(self, account: str, address: str) -> None:
        with self._lock:
            self._entries.pop(f"pair:{account}|{address}", None)
            self._entries.pop(f"addr:{address}", None)
            entry = self._entries.get(f"acct:{account}")
            if entry is not None and entry.failures > 0:
                entry.failures -= 1  # this try was counted when it began
            self._trusted.pop(f"{account}|{address}", None)
            self._trusted[f"{account}|{address}"] = time.monotonic()
            while len(self._trusted) > MAX_ENTRIES:
                self._trusted.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._trusted.clear()


SIGN_IN = Throttle()
PIN = Throttle()
