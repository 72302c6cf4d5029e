"""Sign-in and PIN throttling with backoff, per account, per address and per account-and-address.

No hard lockout an attacker can trigger: wrong tries from one address slow down that address (for
that account, and for every account once it sprays many names); the account-wide count slows only
addresses that never signed in to that account before, so the real owner at their usual desk or
kiosk is not locked out by someone guessing elsewhere. Each wait doubles from one second up to a cap.

Counted in the database (`throttle_count`), so every gunicorn worker and every server on the same
PostgreSQL counts the same tries: a limit reached through one holds on the others. A try is checked
and counted in one write transaction whose rows are locked first (an UPSERT that returns them:
SQLite's write lock, PostgreSQL's row locks), so a burst of tries sent together through several
processes is slowed down as if they had come one after another. Times are `time.time()` seconds:
the servers of a plant share one clock (NTP). No Flask here.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from peewee import DatabaseError

import db
from db import database
from db.models import ThrottleCount

TABLE = ThrottleCount._meta.table_name
KEY_MOST = 200  # the column's length
TRUST_KEPT = 30 * 24 * 3600.0  # an address that signed in to an account stays trusted for a month
SWEEP_EVERY = 60.0  # forgotten rows are deleted at most this often per process


@dataclass
class Rule:
    free: int  # failures before any wait
    cap: float  # longest wait, seconds


PAIR = Rule(free=3, cap=60)  # one account from one address
ADDRESS = Rule(free=6, cap=300)  # one address, any accounts: spraying many names
ACCOUNT = Rule(free=20, cap=60)  # one account from addresses that never signed in to it


def _sql(text: str) -> str:
    """`text` with `?` placeholders in the bound database's style (%s on PostgreSQL)."""
    return text.replace("?", database.param) if database.param != "?" else text


class Throttle:
    """Counts failures by key; `attempt(...)` is how long the next try must still wait (0: go on)."""

    def __init__(self, name: str, forget_after: float = 3600.0):
        self.name = name  # keys of this throttle start with it: sign-in and PIN tries never mix
        self.forget_after = forget_after
        self._swept = 0.0
        self._sweep_lock = threading.Lock()

    # -- keys ------------------------------------------------------------------------------------

    def _key(self, kind: str, value: str) -> str:
        return f"{self.name}:{kind}:{value}"[:KEY_MOST]

    def _trusted(self, account: str, address: str) -> bool:
        row = database.execute_sql(_sql(f'SELECT 1 FROM "{TABLE}" WHERE "key" = ?'),
                                   [self._key("trust", f"{account}|{address}")]).fetchone()
        return row is not None

    def _keys(self, account: str, address: str) -> list[tuple[str, Rule]]:
        keys = [(self._key("pair", f"{account}|{address}"), PAIR), (self._key("addr", address), ADDRESS)]
        if not self._trusted(account, address):
            keys.append((self._key("acct", account), ACCOUNT))
        return keys

    # -- the rows ----------------------------------------------------------------------------------

    def _lock(self, keys: list[str]) -> dict[str, tuple[int, float]]:
        """Every row of `keys` (made when missing), locked until the transaction ends: key -> (failures, last).

        The no-op DO UPDATE takes the row lock on PostgreSQL, so a concurrent try on the same key
        waits here for this one to commit and then reads what it wrote."""
        keys = sorted(set(keys))  # one order for everyone: two tries never wait for each other's rows
        values = ", ".join(["(?, 0, 0)"] * len(keys))
        cursor = database.execute_sql(_sql(
            f'INSERT INTO "{TABLE}" ("key", "failures", "last") VALUES {values} '
            f'ON CONFLICT ("key") DO UPDATE SET "failures" = "{TABLE}"."failures" '
            f'RETURNING "key", "failures", "last"'), keys)
        return {row[0]: (int(row[1]), float(row[2])) for row in cursor.fetchall()}

    def _wait(self, row: tuple[int, float], rule: Rule, now: float) -> float:
        failures, last = row
        if failures < rule.free or now - last > self.forget_after:
            return 0.0
        delay = min(rule.cap, 2.0 ** (failures - rule.free))
        return max(0.0, last + delay - now)

    def _count(self, keys: list[str], now: float) -> None:
        """One more failure on each key (a key not counted for `forget_after` starts again at one)."""
        marks = ", ".join(["?"] * len(keys))
        database.execute_sql(_sql(
            f'UPDATE "{TABLE}" SET "failures" = CASE WHEN "last" < ? THEN 1 ELSE "failures" + 1 END, '
            f'"last" = ? WHERE "key" IN ({marks})'), [now - self.forget_after, now, *keys])

    # -- what sign-in asks -------------------------------------------------------------------------

    def wait_for(self, account: str, address: str) -> float:
        """How long a try must still wait now (read only: nothing is counted)."""
        now = time.time()
        keys = self._keys(account, address)
        marks = ", ".join(["?"] * len(keys))
        rows = {row[0]: (int(row[1]), float(row[2])) for row in database.execute_sql(_sql(
            f'SELECT "key", "failures", "last" FROM "{TABLE}" WHERE "key" IN ({marks})'),
            [key for key, _rule in keys]).fetchall()}
        return max(self._wait(rows.get(key, (0, 0.0)), rule, now) for key, rule in keys)

    def attempt(self, account: str, address: str) -> float:
        """Start a try: how long it must still wait (then nothing is counted), else 0 and the try is
        counted as failed until `succeeded` says otherwise. Checked and counted at once, in one
        transaction over locked rows, so a burst of tries sent together (to any server process) is
        slowed down as if they had come one after another."""
        self._sweep()
        waiting = self.wait_for(account, address)
        if waiting > 0:
            # Read without a lock: a wait only ends with time (or a right password elsewhere, when a
            # refusal is harmless), so a try seen waiting is refused without a write.
            return waiting

        def check_and_count() -> float:
            now = time.time()
            keys = self._keys(account, address)
            counted = [key for key, _rule in keys] + [self._key("acct", account)]
            rows = self._lock(counted)
            wait = max(self._wait(rows[key], rule, now) for key, rule in keys)
            if wait <= 0:
                self._count(sorted(set(counted)), now)
            return wait

        return db.write(check_and_count)

    def failed(self, account: str, address: str) -> None:
        """Count one failure without asking whether the try had to wait."""
        def count() -> None:
            counted = sorted({key for key, _rule in self._keys(account, address)} | {self._key("acct", account)})
            self._lock(counted)
            self._count(counted, time.time())

        db.write(count)

    def answered_wrong(self, account: str, address: str) -> None:
        """A try counted by `attempt` turned out wrong: its wait runs from now, when the answer is given,
        not from when the (slow) check began."""
        def mark() -> None:
            keys = [key for key, _rule in self._keys(account, address)]
            marks = ", ".join(["?"] * len(keys))
            database.execute_sql(_sql(f'UPDATE "{TABLE}" SET "last" = ? WHERE "key" IN ({marks}) AND '
                                      f'"failures" > 0'), [time.time(), *keys])

        db.write(mark)

    def succeeded(self, account: str, address: str) -> None:
        """The right password: this address's counts end, the account's loses this try, and the
        address is trusted for the account from now on."""
        def forget() -> None:
            now = time.time()
            pair, addr = self._key("pair", f"{account}|{address}"), self._key("addr", address)
            database.execute_sql(_sql(f'DELETE FROM "{TABLE}" WHERE "key" IN (?, ?)'), [pair, addr])
            database.execute_sql(_sql(f'UPDATE "{TABLE}" SET "failures" = "failures" - 1 WHERE "key" = ? AND '
                                      f'"failures" > 0'), [self._key("acct", account)])  # counted when it began
            database.execute_sql(_sql(
                f'INSERT INTO "{TABLE}" ("key", "failures", "last") VALUES (?, 0, ?) '
                f'ON CONFLICT ("key") DO UPDATE SET "last" = excluded."last"'),
                [self._key("trust", f"{account}|{address}"), now])

        db.write(forget)

    def _sweep(self) -> None:
        """Delete rows nobody has counted for a long time (at most once a minute per process)."""
        now = time.time()
        with self._sweep_lock:
            if now - self._swept < SWEEP_EVERY:
                return
            self._swept = now

        def sweep() -> None:
            database.execute_sql(_sql(
                f'DELETE FROM "{TABLE}" WHERE "key" LIKE ? AND (("last" < ? AND "key" NOT LIKE ?) OR "last" < ?)'),
                [f"{self.name}:%", now - self.forget_after, f"{self.name}:trust:%", now - TRUST_KEPT])

        db.write(sweep)

    def clear(self) -> None:
        """Forget every count and trust of this throttle (tests; an admin after an incident)."""
        if database.obj is None:
            return
        opened = database.is_closed()
        try:
            with db.write_transaction():
                database.execute_sql(_sql(f'DELETE FROM "{TABLE}" WHERE "key" LIKE ?'), [f"{self.name}:%"])
        except DatabaseError:
            pass  # a database without the table: nothing is counted there
        finally:
            if opened and not database.is_closed():
                database.close()


SIGN_IN = Throttle("signin")
PIN = Throttle("pin")
