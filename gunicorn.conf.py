"""gunicorn settings for the kiosk server (used by scripts/demo.sh, the benches and the tests).

Threaded workers: each open board (Server-Sent Events) holds one thread, so `threads` bounds the
boards and kiosks one process serves at once; add processes with KIOSK_WORKERS (with PostgreSQL,
or SQLite on one machine). Every setting can be overridden by its KIOSK_* variable.
"""

import os

bind = os.environ.get("KIOSK_BIND", "0.0.0.0:8000")
# Two processes, on SQLite too: a scan costs Python CPU, and one process has one interpreter lock. SQLite
# takes one writer at a time; each process queues its writers in memory and commits them together, and
# the processes take turns on a lock file beside the database (db._between_processes). Measured by
# bench/scan.py on a quiet 2-core machine: 335 scans/s with 2 processes vs 204 with 1, p99 16 ms vs
# 101 ms at 200 scans/s. PostgreSQL: several processes, each with a small connection pool.
workers = int(os.environ.get("KIOSK_WORKERS", "2"))
worker_class = "gthread"
# 200 live event streams at most (MAX_STREAMS, kiosk/boards/slots.py) + threads kept for scans and sign-in
threads = int(os.environ.get("KIOSK_THREADS", "260"))
worker_connections = 1000
timeout = 30
graceful_timeout = int(os.environ.get("KIOSK_GRACEFUL_TIMEOUT", "20"))
keepalive = 5
accesslog = os.environ.get("KIOSK_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("KIOSK_LOG_LEVEL", "info")
control_socket_disable = True  # gunicorn 27 opens a control socket in $HOME otherwise


def on_starting(server):
    """Before any worker starts: the schema upgraded and the pay ledger filled, once, by `kiosk init-db` in a
    process of its own. Each worker would otherwise do it as it boots, and the first fill over a long log
    (a million events: a minute) takes longer than a worker may take to boot (`timeout`): gunicorn would kill
    the workers and start them again, over and over. A database that cannot be reached stops the server
    here, with the reason. KIOSK_INIT_DB=0 leaves it to the workers (tests that prepared the database)."""
    if os.environ.get("KIOSK_INIT_DB", "1") == "0" or not str(getattr(server.app, "app_uri", "")).startswith(
            "kiosk."):
        return  # another app served with these settings (bench/scan_reference.py)
    import subprocess
    import sys

    subprocess.run([sys.executable, "-c", "from kiosk.cli import main; main()", "init-db"], check=True)


def worker_int(worker):
    """SIGINT/SIGQUIT: let open event streams end so the worker can exit."""
    _stop_streams()


def worker_exit(server, worker):
    _stop_streams()


def _stop_streams():
    try:
        from kiosk.eventlog import stream as events
    except ImportError:
        return
    stop = getattr(events, "shutdown", None)
    if stop:
        stop()
