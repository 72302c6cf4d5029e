"""The limit bench/scan.py compares the kiosk against: a bare scan server, run by the same gunicorn.

Flask and the database driver only: one `UPDATE ... RETURNING` and one `INSERT` per scan, in one
write transaction committed on its own (SQLite: the project's pragmas, synchronous=FULL, BEGIN
IMMEDIATE behind an in-process lock, so writers queue in memory as the kiosk's do). No ORM, no
identity, no templates. Same URLs as a station kiosk, so the same simulated kiosks drive it.

    DATABASE_URL=sqlite:///ref.sqlite3 gunicorn -c gunicorn.conf.py bench.scan_reference:app
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys
import threading
import time
from pathlib import Path

from flask import Flask, g, request

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from db import SQLITE_PRAGMAS, sqlite_path_from_url  # noqa: E402

URL = os.environ.get("DATABASE_URL", "")
SQLITE = URL.startswith("sqlite")
MARK = "?" if SQLITE else "%s"
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS ref_card (code VARCHAR(32) PRIMARY KEY, next_seq INTEGER NOT NULL, "
    "units INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS ref_event (id {serial} PRIMARY KEY, idem_key VARCHAR(64) NOT NULL UNIQUE, "
    "at TIMESTAMP NOT NULL, station VARCHAR(32) NOT NULL, worker VARCHAR(64), code VARCHAR(64) NOT NULL, "
    "outcome VARCHAR(12) NOT NULL, units INTEGER NOT NULL)",
)
_local = threading.local()
_writer = threading.Lock()


def connect():
    """This thread's connection, opened once (as the kiosk keeps one per thread on SQLite)."""
    conn = getattr(_local, "conn", None)
    if conn is None:
        if SQLITE:
            conn = sqlite3.connect(sqlite_path_from_url(URL), timeout=10, isolation_level=None,
                                   check_same_thread=False)
            for name, value in SQLITE_PRAGMAS.items():
                conn.execute(f"PRAGMA {name} = {value}")
        else:
            import psycopg2

            conn = psycopg2.connect(URL)
        _local.conn = conn
    return conn


def create_schema(cards: list[str], url: str = URL) -> None:
    """Tables and the cards waiting (called by the bench before the server starts)."""
    global URL, SQLITE, MARK
    URL, SQLITE, MARK = url, url.startswith("sqlite"), "?" if url.startswith("sqlite") else "%s"
    conn = connect()
    cursor = conn.cursor()
    for statement in SCHEMA:
        cursor.execute(statement.format(serial="INTEGER" if SQLITE else "SERIAL"))
    cursor.executemany(f"INSERT INTO ref_card (code, next_seq, units) VALUES ({MARK}, 0, 2)",
                       [(code,) for code in cards])
    conn.commit()
    conn.close()
    _local.conn = None


def record(station: str, code: str, idem: str, worker: str | None) -> tuple[str, int]:
    conn = connect()
    cursor = conn.cursor()
    if SQLITE:
        _writer.acquire()
        cursor.execute("BEGIN IMMEDIATE")
    try:
        cursor.execute(f"UPDATE ref_card SET next_seq = next_seq + 1 WHERE code = {MARK} AND next_seq = 0 "
                       "RETURNING units", (code,))
        row = cursor.fetchone()
        outcome, units = ("ok", row[0]) if row else ("rejected", 0)
        cursor.execute("INSERT INTO ref_event (idem_key, at, station, worker, code, outcome, units) "
                       f"VALUES ({', '.join([MARK] * 7)})",
                       (idem, dt.datetime.now(dt.UTC).replace(tzinfo=None), station, worker, code, outcome, units))
        if SQLITE:
            cursor.execute("COMMIT")
        else:
            conn.commit()
    except Exception:
        conn.rollback()
        raise
    finally:
        if SQLITE:
            _writer.release()
    return outcome, units


app = Flask(__name__)


@app.before_request
def _started():
    g.started = time.perf_counter()


@app.after_request
def _server_timing(response):
    # as the kiosk says it (kiosk/web.py): what the app spent, for bench/kiosk_answer.py
    response.headers["Server-Timing"] = f"app;dur={1000 * (time.perf_counter() - g.started):.1f}"
    return response


@app.get("/api/health")
def health():
    conn = connect()
    conn.cursor().execute("SELECT 1")
    if not SQLITE:
        conn.commit()  # psycopg2 opened a transaction: left open, its snapshot holds back PostgreSQL's cleanup
    return {"ok": True}


@app.get("/station/<code>")
def station_page(code: str):
    return '<meta name="csrf-token" content="reference">'


# The bare page bench/kiosk_answer.py compares the kiosk page with: a field, Enter, the same POST,
# the answer put on the page. No outbox, no htmx, no list.
BARE_PAGE = """<!doctype html><meta charset="utf-8"><title>bare</title>
<input id="scan-input" autofocus><section id="scan-result"><div class="answer"></div></section>
<script>
document.getElementById("scan-input").addEventListener("keydown", async (event) => {
  if (event.key !== "Enter") return;
  const input = event.target, code = input.value;
  input.value = "";
  const body = new URLSearchParams({code: code, idem: crypto.randomUUID().replaceAll("-", ""), worker_badge: "W001"});
  const response = await fetch(location.pathname + "/scan", {method: "POST", body: body});
  const answer = document.createElement("div");
  answer.className = "answer";
  answer.innerHTML = await response.text() + '<div class="answer-code"></div>';
  answer.lastChild.textContent = code;
  document.querySelector("#scan-result .answer").replaceWith(answer);
});
</script>"""


@app.get("/bare/<code>")
def bare_page(code: str):
    return BARE_PAGE


@app.post("/bare/<code>/scan")
def bare_scan(code: str):
    return scan(code)


@app.post("/station/<code>/scan")
def scan(code: str):
    form = request.form
    outcome, units = record(code[:32], (form.get("code") or "")[:64], (form.get("idem") or "")[:64],
                            form.get("worker_badge"))
    return f'<div class="result {outcome}">{units}</div>'
