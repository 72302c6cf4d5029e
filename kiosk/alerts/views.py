"""The alerts desk: channels (WeCom, DingTalk, mail) with a "send a test" button, the rules and what was sent."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from db import write_transaction
from db.models import AlertChannel, AlertDelivery, AlertRule, Station
from kiosk.alerts import channels, delivery, rules
from kiosk.i18n import LANGS, Msg, msg
from kiosk.people.auth import current_username, require
from kiosk.web import flash_msg

bp = Blueprint("alerts", __name__)
DESK = ("admin", "supervisor", "clerk")


def _settings() -> delivery.Settings:
    return delivery.Settings.from_config(current_app.config)


def _done(message: Msg, ok: bool = True):
    flash_msg(message, "ok" if ok else "error")
    return redirect(url_for("alerts.index"))


def _text(name: str, limit: int) -> str:
    return " ".join((request.form.get(name) or "").split())[:limit]


@bp.get("/alerts")
@require(*DESK)
def index():
    return render_template(
        "alerts/index.html",
        channel_list=list(AlertChannel.select().order_by(AlertChannel.name)),
        rule_list=list(AlertRule.select().order_by(AlertRule.id)),
        sent=list(AlertDelivery.select().order_by(AlertDelivery.id.desc()).limit(50)),
        stations=list(Station.select().order_by(Station.sort, Station.id)),
        channel_kinds=channels.KIND_LABELS, rule_kinds=rules.KIND_LABELS, units=rules.THRESHOLD_LABELS,
        defaults=rules.DEFAULT_THRESHOLDS, langs=LANGS,
        mail_ready=bool(current_app.config.get("ALERT_SMTP_HOST")), shown_target=shown_target,
        status_labels=STATUS_LABELS,
    )


STATUS_LABELS = {"queued": "Waiting", "sent": "Delivered", "failed": "Not delivered", "dropped": "Dropped (cleared)"}


def shown_target(channel: AlertChannel) -> str:
    """A webhook's address without its key (the query holds the robot's token); mail addresses as they are."""
    if channel.kind == "mail":
        return channel.target

    parts = urlsplit(channel.target)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" + ("?…" if parts.query else "")


@bp.post("/alerts/channels")
@require(*DESK)
def add_channel():
    name, kind, target = _text("name", 64), request.form.get("kind", ""), _text("target", 512)
    lang = request.form.get("lang") if request.form.get("lang") in LANGS else "zh"
    if not name or kind not in channels.KINDS or not target:
        return _done(msg("Give the channel a name, a kind and a webhook address or mail addresses."), ok=False)
    if kind in ("wecom", "dingtalk") and not channels.valid_webhook(target):
        return _done(msg("The webhook address must start with http:// or https://."), ok=False)
    if kind == "mail" and not channels.recipients(target):
        return _done(msg("Give at least one mail address."), ok=False)
    if AlertChannel.get_or_none(AlertChannel.name == name):
        return _done(msg("A channel named {name} already exists.", name=name), ok=False)
    with write_transaction():
        AlertChannel.create(name=name, kind=kind, target=target, secret=_text("secret", 128), lang=lang)
    return _done(msg("Channel {name} added. Send a test to check it.", name=name))


@bp.post("/alerts/channels/<int:channel_id>/test")
@require(*DESK)
def test_channel(channel_id: int):
    channel = AlertChannel.get_or_none(AlertChannel.id == channel_id)
    if channel is None:
        abort(404)
    sent = delivery.send_test(channel, _settings())
    if sent.status == "sent":
        return _done(msg("Test message sent to {name}.", name=channel.name))
    return _done(msg("The test message to {name} failed: {error}. It will be tried again.", name=channel.name,
                     error=sent.last_error), ok=False)


@bp.post("/alerts/rules")
@require(*DESK)
def add_rule():
    kind = request.form.get("kind", "")
    channel = AlertChannel.get_or_none(AlertChannel.id == _int(request.form.get("channel")))
    if kind not in rules.KINDS or channel is None:
        return _done(msg("Choose what to watch for and the channel to tell."), ok=False)
    value = (request.form.get("threshold") or "").strip()[:16] or str(rules.DEFAULT_THRESHOLDS[kind])
    try:
        if float(value) < 0:
            raise ValueError
    except ValueError:
        return _done(msg("The limit must be a number of zero or more."), ok=False)
    quiet_from = (request.form.get("quiet_from") or "").strip()[:5]
    quiet_to = (request.form.get("quiet_to") or "").strip()[:5]
    if (quiet_from or quiet_to) and not (rules.valid_time(quiet_from) and rules.valid_time(quiet_to)):
        return _done(msg("Quiet hours are two times of day, HH:MM to HH:MM."), ok=False)
    station = Station.get_or_none(Station.id == _int(request.form.get("station")))
    with write_transaction():
        AlertRule.create(kind=kind, threshold=value, station=station, channel=channel, quiet_from=quiet_from,
                         quiet_to=quiet_to, created_by=current_username())
    return _done(msg("Alert rule added."))


@bp.post("/alerts/rules/<int:rule_id>/switch")
@require(*DESK)
def switch_rule(rule_id: int):
    rule = AlertRule.get_or_none(AlertRule.id == rule_id)
    if rule is None:
        abort(404)
    with write_transaction():
        rule.active = not rule.active
        rule.save()
    return _done(msg("Alert rule switched on.") if rule.active else msg("Alert rule switched off."))


@bp.post("/alerts/sent/<int:delivery_id>/retry")
@require(*DESK)
def retry_delivery(delivery_id: int):
    found = AlertDelivery.get_or_none(AlertDelivery.id == delivery_id)
    if found is None:
        abort(404)
    delivery.retry(found)
    delivery.attempt(found, _settings(), found.next_try_at)
    if found.status == "sent":
        return _done(msg("Sent."))
    return _done(msg("Not sent: {error}. It will be tried again.", error=found.last_error), ok=False)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
