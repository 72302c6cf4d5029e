"""The background pass that keeps exceptions moving: escalate late andon calls, check the alert rules,
send what is due. One thread per web process (config ALERT_WORKER); several processes are safe (rule
checks take a lock, and each message is marked sent in its own transaction)."""

from __future__ import annotations

import logging
import threading

import db
from kiosk.alerts import delivery, rules
from kiosk.andon import calls

log = logging.getLogger(__name__)


def run_once(config, now=None) -> dict:
    """One pass: andon escalation, rule check, delivery. Returns what happened (for logs and tests)."""
    raised = calls.escalate_overdue(now, calls.Limits.from_config(config))
    checked = rules.check(now, plant_name=str(config.get("PLANT_NAME") or ""))
    sent = delivery.deliver_due(delivery.Settings.from_config(config), now)
    return {"escalated": len(raised), **checked, **sent}


class AlertWorker:
    def __init__(self, config, every_s: float | None = None):
        self.config = dict(config)
        self.every_s = float(every_s or config.get("ALERT_CHECK_SECONDS") or 60)
        self.stop_event = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> AlertWorker:
        self._thread = threading.Thread(target=self.run, name="alert-worker", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run(self) -> None:
        database = db.database
        while not self.stop_event.wait(self.every_s):
            try:
                database.connect(reuse_if_open=True)
                run_once(self.config)
            except Exception:  # noqa: BLE001 - database away for a moment: try again next pass
                log.exception("alert pass failed; trying again in %.0f s", self.every_s)
            finally:
                if not database.is_closed():
                    database.close()
