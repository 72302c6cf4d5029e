"""A real kiosk server for browser and process tests: gunicorn, as the README runs it, on a free
port of 127.0.0.1 with its own instance folder and database."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, database_url: str, instance: Path, port: int | None = None, workers: int = 1,
                 threads: int = 32, env: dict | None = None, app: str = "kiosk.wsgi:app"):
        self.database_url = database_url
        self.instance = Path(instance)
        self.port = port or free_port()
        self.workers = workers
        self.threads = threads
        self.extra_env = env or {}
        self.app = app  # the WSGI app gunicorn serves (bench/scan_reference.py for the bench's limit)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> LiveServer:
        env = dict(os.environ, KIOSK_INSTANCE=str(self.instance), DATABASE_URL=self.database_url,
                   KIOSK_BIND=f"127.0.0.1:{self.port}", KIOSK_WORKERS=str(self.workers),
                   KIOSK_THREADS=str(self.threads), KIOSK_LOG_LEVEL="warning",
                   # the tests migrate their databases themselves (gunicorn.conf.py would run init-db, 1.4 s more)
                   **{"KIOSK_INIT_DB": "0", **self.extra_env})
        self.instance.mkdir(parents=True, exist_ok=True)
        self.log = open(self.instance / f"server-{self.port}.log", "ab")
        self.process = subprocess.Popen(
            [GUNICORN, "-c", str(ROOT / "gunicorn.conf.py"), self.app],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.read_log()[-2000:]
                self.stop()
                raise RuntimeError(f"server exited: {log}")
            try:
                with urllib.request.urlopen(self.url + "/api/health", timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        log = self.read_log()[-2000:]
        self.stop(signal.SIGKILL)  # and close the log: a failed start leaves nothing open
        raise RuntimeError(f"server did not answer in {timeout}s: {log}")

    def read_log(self) -> str:
        return (self.instance / f"server-{self.port}.log").read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
        if getattr(self, "log", None):
            self.log.close()
            self.log = None

    def kill(self) -> None:
        """Power-cut style: SIGKILL the whole process group, no graceful shutdown."""
        self.stop(signal.SIGKILL)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def post_scan(url: str, scan: dict, timeout: float = 10) -> tuple[int, str]:
    """(HTTP status, outcome) for one scan; status 0 when no answer came (refused, reset, timed out)."""
    body = json.dumps({"station": scan["station"], "code": scan["code"], "idem_key": scan["key"],
                       "worker_badge": scan["badge"], "scanned_at": scan["scanned_at"]}).encode()
    request = urllib.request.Request(url + "/api/scan", data=body, method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {scan['token']}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read()).get("outcome", "")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (OSError, ValueError, http.client.HTTPException):  # refused, reset, timed out, cut off mid-way
        return 0, ""
