"""The event stream: SSE framing, live delivery, resume from Last-Event-ID, the cursor held below a
late-committing id, and two server processes on one PostgreSQL database."""

from __future__ import annotations

import time

import pytest

import db
from kiosk.eventlog import stream as events
from tests.factories import cards_of, make_order, scan
from tests.pages import SseClient, agent_token, display_cookie, parse_sse, post_scan, sign_in


@pytest.fixture(autouse=True)
def fresh_hub():
    from kiosk.boards import live

    events.reset()
    live.base.clear()
    yield
    events.reset()
    live.base.clear()


def test_sse_message_puts_each_line_in_its_own_data_field():
    text = events.sse_message("order-7", "<tr>\n<td>1</td>\n</tr>", id=42)
    assert text == "event: order-7\ndata: <tr>\ndata: <td>1</td>\ndata: </tr>\nid: 42\n\n"
    [parsed] = parse_sse(text.split("\n"))
    assert (parsed.event, parsed.data, parsed.id) == ("order-7", "<tr>\n<td>1</td>\n</tr>", "42")


class Chunks:
    """Reads a streamed test-client response chunk by chunk, parsed as SSE."""

    def __init__(self, response):
        self.response = response
        self.iterator = iter(response.response)
        self.lines: list[str] = []

    def until(self, predicate, limit: int = 60):
        for _ in range(limit):
            chunk = next(self.iterator)
            chunk = chunk.decode() if isinstance(chunk, bytes) else chunk
            self.lines.extend(chunk.split("\n"))
            found = [m for m in parse_sse(self.lines) if predicate(m)]
            if found:
                return found[-1]
        raise AssertionError(f"no matching message in {limit} chunks: {self.lines[-30:]}")

    def close(self):
        self.response.close()


def row_done(html: str, station: str) -> str:
    marker = f'data-station="{station}">'
    cell = html[html.index(marker):]
    return cell[cell.index('class="done">') + len('class="done">'):cell.index("</small>")]


def test_board_stream_sends_the_changed_row_and_resumes_after_last_event_id(plant, client, monkeypatch):
    monkeypatch.setattr(events, "HEARTBEAT_SECONDS", 0.5)
    sign_in(client)
    order = make_order(lines=[("DT-120", 4)], number="SO-SSE-1")
    other = make_order(lines=[("DC-08", 2)], number="SO-SSE-2")
    card, other_card = cards_of(order)[0], cards_of(other)[0]
    first = scan("whitebody", card.code)

    response = client.get("/board/events?view=orders&since=0&lang=en", buffered=False)
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    stream = Chunks(response)
    opening = next(stream.iterator)
    assert (opening.decode() if isinstance(opening, bytes) else opening).startswith("retry: 2000\n")

    # replay from `since`: the order's row as it is now, the cursor on the last message of the batch
    replayed = stream.until(lambda m: m.event == f"order-{order.id}")
    assert row_done(replayed.data, "whitebody") == "4/4"
    assert replayed.data.startswith(f'<tr id="order-{order.id}"')
    tick = stream.until(lambda m: m.event == "tick")
    assert tick.id == str(first.event_id)

    # live: a scan after the stream opened arrives as the new row, with the new event's id
    second = scan("finishing", card.code)
    live = stream.until(lambda m: m.event == f"order-{order.id}" and row_done(m.data, "finishing") == "4/4")
    assert live.id is None  # not the last message of its batch
    tick = stream.until(lambda m: m.event == "tick" and m.id == str(second.event_id))
    stream.close()

    # while no board is connected, two more scans; the board comes back with Last-Event-ID
    third = scan("whitebody", other_card.code)
    fourth = scan("qc", card.code, verdict="pass")
    resumed = Chunks(client.get("/board/events?view=orders&lang=en", headers={"Last-Event-ID": tick.id},
                                buffered=False))
    missed_other = resumed.until(lambda m: m.event == f"order-{other.id}")
    assert row_done(missed_other.data, "whitebody") == "2/2"
    missed_order = resumed.until(lambda m: m.event == f"order-{order.id}")
    assert row_done(missed_order.data, "qc") == "4/4"
    end = resumed.until(lambda m: m.id is not None)
    assert end.id == str(max(third.event_id, fourth.event_id))
    # nothing new: heartbeats (comment lines) keep the connection honest, and carry the cursor
    beat = resumed.until(lambda m: "heartbeat" in m.comments)
    assert beat.id == end.id
    resumed.close()


def test_a_board_too_far_behind_is_told_to_reload(plant, client, monkeypatch):
    monkeypatch.setattr(events, "REPLAY_LIMIT", 2)
    sign_in(client)
    order = make_order(lines=[("DC-08", 2)], number="SO-SSE-3")
    card = cards_of(order)[0]
    for station in ("whitebody", "finishing"):
        scan(station, card.code)
    scan("qc", card.code, verdict="pass")
    stream = Chunks(client.get("/board/events?view=orders&since=0", buffered=False))
    assert stream.until(lambda m: m.event == "refresh").data == "reload"
    stream.close()


def test_stations_and_trace_streams_send_their_own_fragments(plant, client):
    sign_in(client)
    order = make_order(lines=[("DT-120", 3)], number="SO-SSE-4")
    card = cards_of(order)[0]
    since = events.latest_id(db.database.obj)
    stations = Chunks(client.get(f"/board/events?view=stations&since={since}&lang=en", buffered=False))
    scan("whitebody", card.code, badge="W002")
    panel = stations.until(lambda m: m.event == "stations")
    assert panel.data.startswith('<div id="station-panel"')
    assert 'data-badge="W002"' in panel.data
    stations.close()  # (one stream at a time per thread: each holds its request context)

    trace = Chunks(client.get(f"/board/events?view=trace&code={card.code}&since={since}&lang=en", buffered=False))
    row = trace.until(lambda m: m.event == "trace")
    assert row.data.count("<tr ") == 1 and card.code in row.data and "王芳" in row.data
    trace.close()


def test_cursor_stays_below_an_id_that_has_not_committed_yet(plant):
    """On PostgreSQL id 41 may commit after id 42: a resume from the cursor must not skip 41."""
    from db.models import ScanEvent

    hub = events.Hub(db.database.obj)
    hub._head = 40
    change = events.Change(42, None, None, None, None, None, None, None, "pass", "ok", 1)
    hub._take([change])
    assert hub.cursor == 40  # 41 is a hole: not yet safe to resume past it
    subscription = hub.subscribe()
    late = events.Change(41, None, None, None, None, None, None, None, "pass", "ok", 1)
    hub._take([late])
    batch = subscription.next(0.1)
    assert [c.id for c in batch.changes] == [41]
    assert batch.cursor == 42
    # a hole that never fills (a rolled-back insert) is given up after GAP_SECONDS
    hub._take([events.Change(44, None, None, None, None, None, None, None, "pass", "ok", 1)])
    assert hub.cursor == 42
    hub._gaps = {k: v - events.GAP_SECONDS - 1 for k, v in hub._gaps.items()}
    hub._take([])
    assert hub.cursor == 44
    assert ScanEvent.select().count() == 0  # all of this was in memory


def test_event_recorded_wakes_the_poller_after_commit_only(plant):
    hub = events.hub()
    woken = []
    hub.wake = lambda: woken.append(True)  # noqa: B023 - instance attribute on purpose
    with db.write_transaction():
        events.event_recorded()
        assert woken == []  # not before the commit
    assert woken == [True]
    try:
        with db.write_transaction():
            events.event_recorded()
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert woken == [True]  # a rolled-back write announces nothing


@pytest.mark.slow
def test_scan_through_one_server_reaches_a_board_on_another(pg_url, tmp_path):
    """Two gunicorn processes on one PostgreSQL database: scan through A, the board streams from B."""
    from kiosk.demo import seed_plant
    from tests.conftest import _truncate_pg
    from tests.live import LiveServer

    database = db.open_database(pg_url)
    _truncate_pg(database)
    seed_plant()
    order = make_order(lines=[("DT-120", 4)], number="SO-TWO-1")
    card = cards_of(order)[0]
    token = agent_token("whitebody")
    finishing_token = agent_token("finishing")
    cookie = display_cookie()
    server_a = LiveServer(pg_url, tmp_path / "a", workers=1, threads=8).start()
    server_b = LiveServer(pg_url, tmp_path / "b", workers=1, threads=8).start()
    try:
        board = SseClient(f"{server_b.url}/board/events?view=orders&lang=en", headers=cookie).start()
        assert board.status == 200 and board.content_type.startswith("text/event-stream")
        board.wait_for(lambda e: "connected" in e.comments)

        answer = post_scan(server_a.url, token, "whitebody", card.code)
        assert answer["outcome"] == "ok"
        answered = time.monotonic()
        row = board.wait_for(lambda e: e.event == f"order-{order.id}", timeout=10)
        assert row_done(row.data, "whitebody") == "4/4"
        print(f"scan via A -> board on B: {1000 * (row.received - answered):.0f} ms")
        tick = board.wait_for(lambda e: e.event == "tick")
        assert tick.id == str(answer["event_id"])
        board.close()

        # the board is away; a scan lands through B; it comes back to A and gets what it missed
        missed = post_scan(server_b.url, finishing_token, "finishing", card.code)
        again = SseClient(f"{server_a.url}/board/events?view=orders&lang=en",
                          headers={**cookie, "Last-Event-ID": tick.id}).start()
        row = again.wait_for(lambda e: e.event == f"order-{order.id}", timeout=10)
        assert row_done(row.data, "finishing") == "4/4"
        assert again.wait_for(lambda e: e.id is not None).id == str(missed["event_id"])

        # stopping a server ends its open streams at once instead of waiting out the graceful timeout
        started = time.monotonic()
        server_a.stop()
        assert again.closed.wait(5)
        assert "server stopping" in [c for e in again.all for c in e.comments]
        assert time.monotonic() - started < 10
    finally:
        server_a.stop()
        server_b.stop()
        database.close()


def test_notify_wakes_a_poller_on_postgresql(plant, database_url):
    """With LISTEN/NOTIFY the poller does not wait for its next poll (set to 30 s here)."""
    if not database_url.startswith("postgres"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    order = make_order(lines=[("DC-08", 1)], number="SO-NOTIFY")
    hub = events.Hub(db.database.obj, poll_seconds=30).start()
    try:
        subscription = hub.subscribe()
        time.sleep(0.3)  # the poller is now waiting on its LISTEN connection
        result = scan("whitebody", cards_of(order)[0].code)
        db.database.execute_sql(f"NOTIFY {events.CHANNEL}")  # what event_recorded() sends after commit
        batch = subscription.next(5)
        assert [c.id for c in batch.changes] == [result.event_id]
    finally:
        hub.shutdown()
