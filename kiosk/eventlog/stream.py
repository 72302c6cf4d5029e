"""The live event stream: every new ScanEvent, pushed to open boards over Server-Sent Events.

The event log (`ScanEvent`, id ascending) is the only source. Each server process runs one
poller thread (`Hub`) that reads the events after the last one it saw - a primary-key range
query, every POLL_SECONDS - and hands them to every subscriber through one Condition, so a
hundred open boards cost one query, not a hundred. A scan recorded in this process wakes the
poller at once (`event_recorded()`, run after commit); on PostgreSQL the same hook has a NOTIFY sent
(one for the scans of NOTIFY_EVERY, off the scan's path) and every process's poller LISTENs, so a scan
through one server reaches boards on another without waiting for the next poll. Polling stays on as
the safety net: nothing depends on NOTIFY.

The SSE `id:` is a ScanEvent id, the *resume cursor*: every event with a lower or equal id has
been delivered. A reconnecting board sends it back as Last-Event-ID and gets what it missed
replayed from the log. On PostgreSQL ids are handed out at insert but become visible at commit,
so id 41 can appear after id 42; the poller remembers such holes for GAP_SECONDS and the cursor
stays below the oldest open hole, so a resume never skips an event that committed late.

No Flask here: kiosk/boards/live.py turns batches of changes into htmx fragments.
"""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import logging
import os
import select
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from peewee import PostgresqlDatabase

from db import database
from db.models import ScanEvent

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25  # how often the poller looks for new events when nothing wakes it
POLL_LIMIT = 1_000  # events read per query; more are read at once in the next round
BUFFER_SIZE = 20_000  # changes kept in memory for subscribers that fall a little behind
REPLAY_LIMIT = 5_000  # a reconnecting board further behind than this reloads instead
GAP_SECONDS = 10.0  # how long a missing id may still commit (a write transaction is milliseconds)
MAX_GAPS = 1_000
HEARTBEAT_SECONDS = 15.0  # a comment line this often: proxies keep the stream, dead clients show up
RETRY_MS = 2_000  # the browser's reconnect delay after a dropped stream
CHANNEL = "kiosk_events"  # PostgreSQL NOTIFY channel

COLUMNS = ("id", "at", "station_id", "worker_id", "order_id", "job_card_id", "carton_id", "pick_list_id",
           "action", "outcome", "units")


@dataclass(frozen=True)
class Change:
    """One new event, as much of it as a board needs to decide what to redraw."""

    id: int
    at: dt.datetime | None
    station_id: int | None
    worker_id: int | None
    order_id: int | None
    job_card_id: int | None
    carton_id: int | None
    pick_list_id: int | None
    action: str
    outcome: str
    units: int


@dataclass
class Batch:
    """What a subscriber gets at a time. `cursor` is the SSE id to send after it."""

    changes: list[Change] = field(default_factory=list)
    cursor: int = 0
    overflow: bool = False  # the subscriber missed too much: the page should reload its data
    seq: tuple[int, int] | None = None  # (hub, how far it had read): equal for subscribers woken together

    @property
    def key(self):
        """Same for subscribers that got the same news at once, so they can share one rendering."""
        return ("hub", self.seq) if self.seq is not None else ("replay", id(self))


def _parse_at(value) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    text = str(value)
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def read_changes(database, after: int, also: tuple[int, ...] = (), limit: int = POLL_LIMIT) -> list[Change]:
    """Events with id > `after` (and the ids in `also`), id ascending: a primary-key range read."""
    table = ScanEvent._meta.table_name
    param = database.param
    sql = f'SELECT {", ".join(COLUMNS)} FROM "{table}" WHERE id > {param}'
    params: list = [after]
    if also:
        sql += f" OR id IN ({', '.join([param] * len(also))})"
        params.extend(also)
    sql += f" ORDER BY id LIMIT {int(limit)}"
    rows = database.execute_sql(sql, params).fetchall()
    return [Change(row[0], _parse_at(row[1]), *row[2:8], row[8], row[9], int(row[10] or 0)) for row in rows]


def latest_id(database) -> int:
    row = database.execute_sql(f'SELECT MAX(id) FROM "{ScanEvent._meta.table_name}"').fetchone()
    return int(row[0] or 0)


class connection:
    """Use the thread's connection, opening (and afterwards closing) it only if it was closed."""

    def __init__(self, database):
        self.database = database
        self.opened = False

    def __enter__(self):
        if self.database.is_closed():
            self.database.connect()
            self.opened = True
        return self.database

    def __exit__(self, *exc):
        if self.opened and not self.database.is_closed():
            self.database.close()


_hub_numbers = itertools.count(1)


class Hub:
    """One per process: the poller thread, the recent changes, and the subscribers waiting on them."""

    def __init__(self, database, poll_seconds: float = POLL_SECONDS, buffer_size: int = BUFFER_SIZE):
        self.database = database
        self.number = next(_hub_numbers)
        self.poll_seconds = poll_seconds
        self._cond = threading.Condition()
        self._buffer: collections.deque[tuple[int, Change]] = collections.deque(maxlen=buffer_size)
        self._seq = 0  # changes appended so far; a subscriber's place in the buffer
        self._head = 0  # highest id read
        self._gaps: dict[int, float] = {}  # missing id -> when it was first missed
        self._closed = False
        self._thread: threading.Thread | None = None
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_w, False)
        self._listen = None
        self._server = None

    # -- life cycle --------------------------------------------------------------------------------

    def start(self) -> Hub:
        with connection(self.database):
            self._head = latest_id(self.database)
        self._server = _gunicorn_worker()
        self._thread = threading.Thread(target=self._run, name="kiosk-events", daemon=True)
        self._thread.start()
        return self

    @property
    def closed(self) -> bool:
        return self._closed

    def shutdown(self) -> None:
        """End every open stream now; the poller thread exits on its next round."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self.wake()

    def wake(self) -> None:
        """Something was committed here: poll now instead of at the next tick."""
        try:
            os.write(self._wake_w, b"!")
        except (BlockingIOError, OSError):
            pass  # a full pipe already means "wake"; a closed one means we are gone

    # -- the poller --------------------------------------------------------------------------------

    def _run(self) -> None:
        failures = 0
        while not self._closed:
            if self._server is not None and not getattr(self._server, "alive", True):
                # gunicorn's graceful stop (SIGTERM) only clears `alive`; end the streams so the
                # worker does not wait out its graceful timeout for boards that never finish.
                self.shutdown()
                break
            try:
                self._wait()
                if self._closed:
                    break
                self._poll()
                failures = 0
            except Exception:  # noqa: BLE001 - a lost database must not kill the thread
                failures += 1
                if failures in (1, 10) or failures % 100 == 0:
                    log.exception("event poller: reading the event log failed (%d in a row)", failures)
                self._close_database()
                time.sleep(min(5.0, self.poll_seconds * failures))
        self._close_database()
        for fd in (self._wake_r, self._wake_w):
            try:
                os.close(fd)
            except OSError:
                pass

    def _wait(self) -> None:
        listen = self._listen_connection()
        watched = [self._wake_r] + ([listen] if listen is not None else [])
        ready, _, _ = select.select(watched, [], [], self.poll_seconds)
        if self._wake_r in ready:
            try:
                os.read(self._wake_r, 4096)
            except BlockingIOError:
                pass
        if listen is not None and listen in ready:
            listen.poll()
            listen.notifies.clear()

    def _listen_connection(self):
        """PostgreSQL only: a connection of its own that LISTENs, so NOTIFY wakes the poller."""
        if self._listen is not None or not _is_postgres(self.database):
            return self._listen
        import psycopg2  # only on PostgreSQL (LISTEN/NOTIFY); SQLite plants never load the driver

        params = dict(self.database.connect_params)
        connection = psycopg2.connect(dbname=self.database.database, **params)
        connection.autocommit = True
        connection.cursor().execute(f"LISTEN {CHANNEL}")
        self._listen = connection
        return connection

    def _poll(self) -> None:
        if self.database.is_closed():
            self.database.connect()
        while True:
            changes = read_changes(self.database, self._head, tuple(self._gaps))
            self._take(changes)
            if len(changes) < POLL_LIMIT:
                return

    def _take(self, changes: list[Change]) -> None:
        now = time.monotonic()
        with self._cond:
            for missed_id, since in list(self._gaps.items()):
                if now - since > GAP_SECONDS:
                    del self._gaps[missed_id]  # rolled back (or a very slow writer): stop waiting for it
            for change in changes:
                self._gaps.pop(change.id, None)
            fresh = [c for c in changes if c.id > self._head]
            if fresh:
                seen = {c.id for c in fresh}
                for missing in range(self._head + 1, fresh[-1].id):
                    if missing not in seen and len(self._gaps) < MAX_GAPS:
                        self._gaps[missing] = now
                self._head = fresh[-1].id
            for change in changes:
                self._seq += 1
                self._buffer.append((self._seq, change))
            if changes:
                self._cond.notify_all()

    def _close_database(self) -> None:
        try:
            if not self.database.is_closed():
                self.database.close()
        except Exception:  # noqa: BLE001
            pass
        if self._listen is not None:
            try:
                self._listen.close()
            except Exception:  # noqa: BLE001
                pass
            self._listen = None

    # -- subscribers -------------------------------------------------------------------------------

    @property
    def cursor(self) -> int:
        """Every event with an id up to this one has been read (or given up as rolled back)."""
        with self._cond:
            return self._cursor()

    def _cursor(self) -> int:
        return min(self._gaps) - 1 if self._gaps else self._head

    def subscribe(self, since: int | None = None) -> Subscription:
        """A subscriber from now on; with `since`, the events after that id are replayed first."""
        with self._cond:
            return Subscription(self, self._seq, since, self._cursor())


class Subscription:
    """One open stream's place in the hub: how far it has read, and what its client already has."""

    def __init__(self, hub: Hub, seq: int, since: int | None, cursor: int):
        self.hub = hub
        self.seq = seq
        self.since = since
        self.floor = since or 0  # the client has every event up to here
        self.cursor = max(cursor, self.floor)
        self._replayed: set[int] = set()

    def next(self, timeout: float) -> Batch | None:
        """The next changes (an empty batch after `timeout` with none), or None when the hub is shut."""
        if self.since is not None:
            return self._replay()
        hub = self.hub
        deadline = time.monotonic() + timeout
        with hub._cond:
            while not hub._closed and hub._seq <= self.seq:
                left = deadline - time.monotonic()
                if left <= 0:
                    return Batch([], self._advance(hub._cursor()))
                hub._cond.wait(left)
            if hub._closed:
                return None
            waiting = hub._seq - self.seq
            self.seq = hub._seq
            cursor = hub._cursor()
            if waiting > len(hub._buffer):
                return Batch([], self._advance(cursor), overflow=True)
            # newest first from the right end: O(what this subscriber has not seen), not O(buffer)
            changes = [change for _, change in itertools.islice(reversed(hub._buffer), waiting)]
        changes.reverse()
        changes = [c for c in changes if c.id > self.floor and c.id not in self._replayed]
        return Batch(changes, self._advance(cursor), seq=(hub.number, self.seq))

    def _advance(self, cursor: int) -> int:
        self.cursor = max(self.cursor, cursor)
        return self.cursor

    def _replay(self) -> Batch:
        """What happened after the id the client last saw, straight from the log.

        Every id up to the hub's cursor had committed before this read, so the replay holds them
        all; later ones come through the buffer (this subscription's place was taken before).
        """
        since, self.since = self.since, None
        with self.hub._cond:
            safe = self.hub._cursor()
        with connection(self.hub.database):
            changes = read_changes(self.hub.database, since, limit=REPLAY_LIMIT + 1)
        if len(changes) > REPLAY_LIMIT:
            return Batch([], self._advance(safe), overflow=True)
        self._replayed = {c.id for c in changes}
        # Ids that follow on without a hole from the safe point committed too: the cursor may pass them.
        cursor = max(safe, since)
        while cursor + 1 in self._replayed:
            cursor += 1
        return Batch(changes, self._advance(cursor))


# -- the process's hub ---------------------------------------------------------------------------

_hub: Hub | None = None
_hub_lock = threading.Lock()
_stopped = False


def hub() -> Hub:
    """This process's hub, started on first use (for the database `db.database` is bound to now)."""
    global _hub

    with _hub_lock:
        if _hub is not None and (_hub.closed or _hub.database is not database.obj):
            _hub.shutdown()
            _hub = None
        if _hub is None:
            _hub = Hub(database.obj)
            if _stopped:
                _hub._closed = True  # the server is stopping: streams end at once
            else:
                _hub.start()
        return _hub


def shutdown() -> None:
    """End every open stream (gunicorn.conf.py calls this when a worker stops)."""
    global _stopped
    with _hub_lock:
        _stopped = True
        if _hub is not None:
            _hub.shutdown()


def reset() -> None:
    """Forget the hub and the stopped flag (tests, and a process that serves again)."""
    global _hub, _stopped
    with _hub_lock:
        if _hub is not None:
            _hub.shutdown()
        _hub = None
        _stopped = False


def event_recorded() -> None:
    """Call inside the transaction that wrote a ScanEvent: once it commits, boards hear of it.

    Wakes this process's poller and, on PostgreSQL, NOTIFYs the other processes. Runs after the
    outermost commit (peewee's `after_commit`), so a rolled-back scan announces nothing.
    """
    if database.obj is None:
        return
    database.after_commit(_announce)


def _announce() -> None:
    current = _hub
    if current is not None and current.database is database.obj:
        current.wake()
    if _is_postgres(database.obj):
        _notifier.poke()


NOTIFY_EVERY = 0.05  # PostgreSQL: one NOTIFY per process this often at most, for every scan committed meanwhile


class _Notifier:
    """NOTIFYs the other processes' pollers (PostgreSQL) that events committed, from a thread of its own.

    A NOTIFY is a round trip, and PostgreSQL lets one notifying transaction commit at a time: one NOTIFY
    per scan, in the request, made every scan of every process wait for the others' commits (PostgreSQL
    scans/s did not rise with processes). Scans committed within NOTIFY_EVERY now share one NOTIFY,
    sent after them; this process's own poller is woken directly, and polling stays the safety net.
    """

    def __init__(self):
        self._wanted = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    def poke(self) -> None:
        self._wanted.set()
        thread = self._thread
        if thread is None or not thread.is_alive() or self._pid != os.getpid():
            with self._lock:
                if self._thread is None or not self._thread.is_alive() or self._pid != os.getpid():
                    self._pid = os.getpid()  # after a fork the parent's thread is not there
                    self._thread = threading.Thread(target=self._run, name="event-notify", daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            time.sleep(NOTIFY_EVERY)  # the scans committing meanwhile go with this one
            self._wanted.clear()
            target = database.obj
            if not _is_postgres(target):
                continue
            try:
                with target.connection_context():
                    target.execute_sql(f"NOTIFY {CHANNEL}")
            except Exception:  # noqa: BLE001 - the poll picks the events up anyway
                log.warning("event stream: NOTIFY failed; boards will see the scans at the next poll")


_notifier = _Notifier()


def _is_postgres(database) -> bool:
    return isinstance(database, PostgresqlDatabase)


def _gunicorn_worker():
    """The gunicorn worker serving this process, if any, found through its SIGTERM handler.

    gunicorn's graceful stop waits for open requests and calls no hook first; watching the
    worker's `alive` flag lets the poller end the streams instead of holding the stop for the
    whole graceful timeout.
    """
    try:
        handler = signal.getsignal(signal.SIGTERM)
    except (ValueError, OSError):
        return None
    owner = getattr(handler, "__self__", None)
    if owner is not None and hasattr(owner, "alive") and type(owner).__module__.startswith("gunicorn"):
        return owner
    return None


# -- Server-Sent Events framing ------------------------------------------------------------------


def sse_message(event: str | None, data: str, id: int | None = None) -> str:
    """One SSE message; every line of `data` gets its own `data:` field."""
    lines = []
    if event:
        lines.append(f"event: {event}")
    for line in data.splitlines() or [""]:
        lines.append(f"data: {line}")
    if id is not None:
        lines.append(f"id: {id}")
    return "\n".join(lines) + "\n\n"


COALESCE_SECONDS = 0.2  # a stream sends at most about five batches a second (issue 15: scans keep their threads)
STREAM_MOST_SECONDS = 1800.0  # then the stream ends and the browser reconnects, resuming at its cursor
TURNS_AT_ONCE = 2  # streams preparing a batch at the same moment, in one process
TURN_WAIT_MOST = 1.0  # seconds a stream waits for its turn (and for the scans in flight) before going anyway


class Foreground:
    """The requests in flight in this process that are not streams: scans, sign-ins, pages.

    With 200 boards open, every scan woke 200 stream threads at once, and the scan's own thread and
    the next one waited for the interpreter behind them. A stream with news now takes a turn first:
    a few streams at a time, and only while no other request is running (or after TURN_WAIT_MOST at
    the latest, so boards are never starved either). kiosk/web.py counts the requests."""

    def __init__(self, turns: int = TURNS_AT_ONCE):
        self._cond = threading.Condition()
        self._running = 0
        self._turns = threading.BoundedSemaphore(turns)

    @property
    def running(self) -> int:
        return self._running

    def begin(self) -> None:
        with self._cond:
            self._running += 1

    def end(self) -> None:
        with self._cond:
            self._running = max(0, self._running - 1)
            if self._running == 0:
                self._cond.notify_all()

    def turn(self, most: float | None = None) -> _Turn:
        return _Turn(self, TURN_WAIT_MOST if most is None else most)


class _Turn:
    def __init__(self, foreground: Foreground, most: float):
        self.foreground, self.most, self.held = foreground, most, False

    def __enter__(self):
        deadline = time.monotonic() + self.most
        self.held = self.foreground._turns.acquire(timeout=self.most)
        with self.foreground._cond:
            while self.foreground._running > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.foreground._cond.wait(left)
        return self

    def __exit__(self, *exc):
        if self.held:
            self.foreground._turns.release()


FOREGROUND = Foreground()


def stream(subscription: Subscription, messages_for: Callable[[Batch], list[tuple[str, str]]],
           heartbeat_seconds: float = HEARTBEAT_SECONDS, most_seconds: float = STREAM_MOST_SECONDS) -> Iterator[str]:
    """The text of one SSE response: messages for each batch, heartbeats in between, and an end.

    The cursor goes on the last message of a batch only (or alone, when the batch meant nothing
    to this page), so a stream cut in the middle of a batch resumes before it, never after. A batch
    goes out as one chunk (one write), prepared in its turn (`FOREGROUND`); after `most_seconds`
    the stream ends and the browser's EventSource reconnects with its cursor (Last-Event-ID).
    """
    yield f"retry: {RETRY_MS}\n: connected\n\n"
    ends = time.monotonic() + most_seconds
    while True:
        left = ends - time.monotonic()
        if left <= 0:
            yield ": reconnect\n\n"
            return
        batch = subscription.next(min(heartbeat_seconds, left))
        if batch is None:
            yield ": server stopping\n\n"
            return
        if not batch.changes and not batch.overflow:
            yield f": heartbeat\nid: {batch.cursor}\n\n" if batch.cursor else ": heartbeat\n\n"
            continue
        with FOREGROUND.turn():
            messages = messages_for(batch)
            if not messages:
                text = f"id: {batch.cursor}\n\n"
            else:
                text = "".join(sse_message(event, data, id=batch.cursor if index == len(messages) - 1 else None)
                               for index, (event, data) in enumerate(messages))
        yield text
        # With 200 boards open, waking every stream for every scan takes the CPU the scans need: a
        # short pause lets the scans of a busy moment arrive as one batch (the next one).
        time.sleep(COALESCE_SECONDS)
