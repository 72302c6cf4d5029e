"""Sending queued alert messages: oldest first, each retried with a growing pause until it is taken or
its tries are used up; then it shows as failed, with the error, on the alerts page. No Flask here.

A message whose condition cleared before it could go out (it waited out quiet hours) is dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from db import write_transaction
from db.models import AlertChannel, AlertDelivery, AlertState, utcnow
from kiosk.alerts import channels
from kiosk.alerts.channels import MailSettings, SendFailed
from kiosk.i18n import gettext

BACKOFF_MINUTES = (1, 2, 5, 10, 30)


@dataclass(frozen=True)
class Settings:
    retries: int = 5
    timeout: float = 10.0
    plant_name: str = ""
    mail: MailSettings = MailSettings()

    @classmethod
    def from_config(cls, config) -> Settings:
        return cls(retries=max(1, int(config.get("ALERT_RETRIES") or 5)),
                   timeout=float(config.get("ALERT_TIMEOUT") or 10), plant_name=str(config.get("PLANT_NAME") or ""),
                   mail=MailSettings.from_config(config))


Sender = Callable[[AlertChannel, str, Settings], None]


def subject_line(channel: AlertChannel, settings: Settings) -> str:
    title = gettext("Shop-floor alert", channel.lang)
    return f"[{settings.plant_name}] {title}" if settings.plant_name else title


def send_to(channel: AlertChannel, text: str, settings: Settings) -> None:
    channels.send(channel.kind, channel.target, channel.secret, subject_line(channel, settings), text,
                  settings.mail, timeout=settings.timeout)


def attempt(delivery: AlertDelivery, settings: Settings, now: dt.datetime, sender: Sender = send_to) -> bool:
    """One try of one message; records the outcome. True when the channel took it."""
    channel = delivery.channel
    error = ""
    if not channel.active:
        error = "channel switched off"
    else:
        try:
            sender(channel, delivery.text, settings)
        except SendFailed as failure:
            error = str(failure)
        except Exception as failure:  # noqa: BLE001 - any failure is shown and retried, never lost
            error = f"{type(failure).__name__}: {failure}"
    with write_transaction():
        delivery.attempts += 1
        if not error:
            delivery.status, delivery.sent_at, delivery.last_error = "sent", now, ""
        else:
            delivery.last_error = error[:256]
            if delivery.attempts >= settings.retries:
                delivery.status = "failed"
            else:
                pause = BACKOFF_MINUTES[min(delivery.attempts - 1, len(BACKOFF_MINUTES) - 1)]
                delivery.next_try_at = now + dt.timedelta(minutes=pause)
        delivery.save()
    return not error


def deliver_due(settings: Settings, now: dt.datetime | None = None, sender: Sender = send_to) -> dict[str, int]:
    """Send every queued message whose time has come; return counts of sent, retried, failed, dropped."""
    now = now or utcnow()
    counts = {"sent": 0, "retry": 0, "failed": 0, "dropped": 0}
    due = list(AlertDelivery.select().where((AlertDelivery.status == "queued") & (AlertDelivery.next_try_at <= now))
               .order_by(AlertDelivery.id))
    for delivery in due:
        if delivery.state_id is not None:
            state = AlertState.get_or_none(AlertState.id == delivery.state_id)
            cleared = state is not None and state.cleared_at is not None and state.cleared_at <= now
            if cleared and delivery.attempts == 0:
                with write_transaction():
                    delivery.status = "dropped"
                    delivery.last_error = "cleared before it was sent"
                    delivery.save()
                counts["dropped"] += 1
                continue
        if attempt(delivery, settings, now, sender):
            counts["sent"] += 1
        elif delivery.status == "failed":
            counts["failed"] += 1
        else:
            counts["retry"] += 1
    return counts


def send_test(channel: AlertChannel, settings: Settings, now: dt.datetime | None = None,
              sender: Sender = send_to) -> AlertDelivery:
    """A test message to a channel, tried at once (and retried like any other if it fails)."""
    now = now or utcnow()
    text = gettext("Test message from the shop-floor kiosk: alerts reach this channel.", channel.lang)
    if settings.plant_name:
        text = f"[{settings.plant_name}] {text}"
    with write_transaction():
        delivery = AlertDelivery.create(channel=channel.id, text=text, created_at=now, next_try_at=now, test=True)
    attempt(delivery, settings, now, sender)
    return delivery


def retry(delivery: AlertDelivery, now: dt.datetime | None = None) -> None:
    """A failed message queued again, with a fresh set of tries."""
    with write_transaction():
        delivery.status, delivery.attempts, delivery.next_try_at = "queued", 0, now or utcnow()
        delivery.save()
