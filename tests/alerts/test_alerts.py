"""Alert rules fire once per condition and clear; messages reach WeCom / DingTalk robots and mail as they
expect them (checked on loopback servers that record what arrives); quiet hours; retries and failures."""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import hashlib
import hmac
import time

import pytest

from db.models import AlertChannel, AlertDelivery, AlertRule, AlertState, Order, Printer, Station, utcnow
from kiosk.alerts import channels, delivery, rules
from kiosk.alerts.channels import MailSettings
from kiosk.andon import calls
from kiosk.andon.calls import Limits
from kiosk.core import plant as plant_cache
from tests.factories import cards_of, make_order, scan
from tests.loopback import SmtpServer, WebhookServer

SETTINGS = delivery.Settings(retries=3, timeout=5, plant_name="Demo")


@pytest.fixture
def webhook():
    with WebhookServer() as server:
        yield server


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def floor(plant):
    plant_cache.forget()
    return plant


def channel(kind="wecom", target="", secret="", lang="zh") -> AlertChannel:
    return AlertChannel.create(name=f"{kind}-{AlertChannel.select().count()}", kind=kind, target=target,
                               secret=secret, lang=lang)


def rule(kind, to, threshold="", station=None, **fields) -> AlertRule:
    return AlertRule.create(kind=kind, channel=to, threshold=threshold, station=station, **fields)


def open_subjects(r: AlertRule) -> list[str]:
    states = AlertState.select().where((AlertState.rule == r) & AlertState.cleared_at.is_null())
    return sorted(s.subject for s in states)


def texts(r: AlertRule) -> list[str]:
    return [d.text for d in AlertDelivery.select().where(AlertDelivery.rule == r).order_by(AlertDelivery.id)]


# -- each rule fires once and clears --------------------------------------------------------------------


def test_card_waiting_fires_once_per_card_and_clears_when_it_moves(floor, webhook):
    order = make_order(lines=[("DT-120", 4)])
    card = cards_of(order)[0]
    scan("whitebody", card.code)
    finishing = Station.get(Station.code == "finishing")
    r = rule("card_waiting", channel(target=webhook.url), threshold="4", station=finishing)
    now = utcnow()
    assert rules.check(now + dt.timedelta(hours=3)) == {"opened": 0, "cleared": 0}
    assert rules.check(now + dt.timedelta(hours=5)) == {"opened": 1, "cleared": 0}
    assert rules.check(now + dt.timedelta(hours=6)) == {"opened": 0, "cleared": 0}  # once per condition
    assert open_subjects(r) == [f"card:{card.code}"]
    assert texts(r) == [f"卡 {card.code}（订单 {order.number}）已在涂装等待 5 小时"]
    scan("finishing", card.code)  # it moves on: the condition clears
    assert rules.check(now + dt.timedelta(hours=7)) == {"opened": 0, "cleared": 1}
    assert open_subjects(r) == []


def test_projected_late_fires_for_a_late_order_and_clears_when_the_due_date_moves(floor, webhook):
    late = make_order(lines=[("DT-120", 4)], due_date=dt.date.today() - dt.timedelta(days=2))
    r = rule("projected_late", channel(target=webhook.url, lang="en"))
    assert rules.check()["opened"] == 1
    assert rules.check()["opened"] == 0
    assert open_subjects(r) == [f"order:{late.number}"]
    assert texts(r)[0].startswith(f"[] Order {late.number}") is False  # plant name only when given
    assert f"Order {late.number}" in texts(r)[0] and "Late" in texts(r)[0]
    Order.update(due_date=dt.date.today() + dt.timedelta(days=60)).where(Order.id == late.id).execute()
    assert rules.check()["cleared"] == 1


def test_qc_fail_rate_fires_above_the_limit_and_clears_after_the_hour(floor, webhook):
    order = make_order(lines=[("DT-120", 10)], card_units=10)
    card = cards_of(order)[0]
    scan("whitebody", card.code)
    scan("finishing", card.code)
    assert scan("qc", card.code, verdict="fail", failed_units="3", defect="Scratch",
                rework_station="finishing").outcome == "warning"  # amber: units go back for rework
    qc = Station.get(Station.code == "qc")
    above = rule("qc_fail_rate", channel(target=webhook.url, lang="en"), threshold="25")
    below = rule("qc_fail_rate", channel(target=webhook.url), threshold="30", station=qc)
    now = utcnow()
    assert rules.check(now) == {"opened": 1, "cleared": 0}  # 3 of 10 = 30 %: above 25, not above 30
    assert open_subjects(above) == ["qc:qc"] and open_subjects(below) == []
    assert "30.0 % in the last hour (3 of 10 units), above 25 %" in texts(above)[0]
    assert rules.check(now + dt.timedelta(minutes=61)) == {"opened": 0, "cleared": 1}


def test_printer_offline_for_n_minutes(floor, webhook):
    now = utcnow()
    printer = Printer.create(name="packing-zpl", uri="tcp://127.0.0.1:9", language="zpl", state="offline",
                             last_error="connection refused", last_contact=now - dt.timedelta(minutes=4))
    r = rule("printer_offline", channel(target=webhook.url, lang="en"), threshold="10")
    assert rules.check(now)["opened"] == 0
    assert rules.check(now + dt.timedelta(minutes=7))["opened"] == 1
    assert "Printer packing-zpl has been offline since" in texts(r)[0]
    Printer.update(state="online", last_contact=now + dt.timedelta(minutes=8)).where(Printer.id == printer.id).execute()
    assert rules.check(now + dt.timedelta(minutes=9))["cleared"] == 1


def test_andon_escalated_alerts_each_level_once_and_clears_when_fixed(floor, webhook):
    limits = Limits(acknowledged=3)
    t0 = utcnow()
    call = calls.call(Station.get(Station.code == "finishing"), "machine", badge="W001", now=t0, limits=limits)
    r = rule("andon_escalated", channel(target=webhook.url, lang="en"), threshold="1")
    assert rules.check(t0)["opened"] == 0
    calls.escalate_overdue(t0 + dt.timedelta(minutes=3), limits)
    assert rules.check(t0 + dt.timedelta(minutes=3))["opened"] == 1
    assert rules.check(t0 + dt.timedelta(minutes=4))["opened"] == 0
    calls.escalate_overdue(t0 + dt.timedelta(minutes=6), limits)
    assert rules.check(t0 + dt.timedelta(minutes=6)) == {"opened": 1, "cleared": 1}  # the next level: one more
    assert [t.split(" escalated to ")[1].split(":")[0] for t in texts(r)] == ["Team leader", "Supervisor"]
    calls.advance(call.id, "arrived", badge="W002", now=t0 + dt.timedelta(minutes=7))
    calls.advance(call.id, "fixed", badge="W002", now=t0 + dt.timedelta(minutes=8))
    assert rules.check(t0 + dt.timedelta(minutes=9)) == {"opened": 0, "cleared": 1}


def test_a_condition_that_comes_back_alerts_again(floor, webhook):
    printer = Printer.create(name="p1", uri="tcp://127.0.0.1:9", language="zpl", state="offline")
    r = rule("printer_offline", channel(target=webhook.url), threshold="5")
    rules.check()
    Printer.update(state="online").where(Printer.id == printer.id).execute()
    rules.check()
    Printer.update(state="offline").where(Printer.id == printer.id).execute()
    rules.check()
    assert len(texts(r)) == 2


# -- channels: formats and the DingTalk signature ---------------------------------------------------------


def test_wecom_gets_its_text_message_json(floor, webhook):
    to = channel("wecom", target=f"{webhook.url}/cgi-bin/webhook/send?key=abc", lang="zh")
    Printer.create(name="p1", uri="tcp://127.0.0.1:9", language="zpl", state="offline")
    rule("printer_offline", to, threshold="5")
    rules.check(plant_name="Demo")
    assert delivery.deliver_due(SETTINGS) == {"sent": 1, "retry": 0, "failed": 0, "dropped": 0}
    [got] = webhook.received
    assert got["path"] == "/cgi-bin/webhook/send" and got["query"] == {"key": ["abc"]}
    assert got["headers"]["Content-Type"].startswith("application/json")
    assert got["json"]["msgtype"] == "text" and set(got["json"]) == {"msgtype", "text"}
    assert got["json"]["text"]["content"].startswith("[Demo] 打印机 p1 已离线超过 5 分钟")
    assert AlertDelivery.get().status == "sent"


def documented_dingtalk_sign(secret: str, timestamp: str) -> str:
    """DingTalk's documented steps, written out apart from the code under test: string_to_sign =
    timestamp + "\\n" + secret; HmacSHA256 with the secret as key; Base64; then urlEncode (the receiver
    decodes the query, so compare the decoded Base64)."""
    string_to_sign = timestamp + "\n" + secret
    return base64.b64encode(hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).digest()
                            ).decode()


def test_dingtalk_signs_the_timestamp_as_documented(floor, webhook):
    secret = "SEC0123456789abcdef+/="
    to = channel("dingtalk", target=f"{webhook.url}/robot/send?access_token=tok", secret=secret, lang="en")
    before = int(time.time() * 1000)
    delivery.send_test(to, SETTINGS)
    [got] = webhook.received
    assert got["path"] == "/robot/send"
    timestamp = got["query"]["timestamp"][0]
    assert abs(int(timestamp) - before) < 3_600_000  # DingTalk refuses a timestamp more than an hour off
    assert got["query"]["access_token"] == ["tok"]
    assert got["query"]["sign"] == [documented_dingtalk_sign(secret, timestamp)]
    assert "+" not in got["raw_query"].split("sign=")[1]  # Base64's + and / are percent-encoded
    assert got["json"] == {"msgtype": "text", "text": {
        "content": "[Demo] Test message from the shop-floor kiosk: alerts reach this channel."}}


def test_dingtalk_sign_with_a_fixed_timestamp():
    sign = channels.dingtalk_sign("secret", 1_700_000_000_000)
    expected = base64.b64encode(hmac.new(b"secret", b"1700000000000\nsecret", hashlib.sha256).digest()).decode()
    assert sign == expected.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    assert channels.dingtalk_url("http://127.0.0.1/robot/send?access_token=t", "", 5) == \
        "http://127.0.0.1/robot/send?access_token=t"  # no secret: no signature


def test_mail_goes_through_smtp_in_the_recipients_language(floor, smtp):
    to = channel("mail", target="lead@plant.example, boss@plant.example", lang="en")
    settings = delivery.Settings(retries=3, timeout=5, plant_name="Demo",
                                 mail=MailSettings(host="127.0.0.1", port=smtp.port, sender="kiosk@plant.example"))
    Printer.create(name="p1", uri="tcp://127.0.0.1:9", language="zpl", state="offline")
    rule("printer_offline", to, threshold="5")
    rules.check(plant_name="Demo")
    assert delivery.deliver_due(settings)["sent"] == 1
    [got] = smtp.messages
    assert got["from"] == "kiosk@plant.example" and got["to"] == ["lead@plant.example", "boss@plant.example"]
    message = email.message_from_bytes(got["data"], policy=email.policy.default)
    assert message["Subject"] == "[Demo] Shop-floor alert"
    assert "Printer p1 has been offline for more than 5 minutes" in message.get_content()


# -- quiet hours, retries, failures -------------------------------------------------------------------


def at_local(hour: int, minute: int = 0) -> dt.datetime:
    from kiosk.core.clock import PLANT_TZ

    local = dt.datetime.now(PLANT_TZ).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def test_quiet_hours_hold_the_message_until_they_end(floor, webhook):
    to = channel(target=webhook.url)
    r = rule("printer_offline", to, threshold="5", quiet_from="22:00", quiet_to="06:30")
    assert rules.quiet_until(r, at_local(23, 15)) == at_local(6, 30) + dt.timedelta(days=1)
    assert rules.quiet_until(r, at_local(3)) == at_local(6, 30)
    assert rules.quiet_until(r, at_local(12)) is None
    day = rule("printer_offline", to, quiet_from="12:00", quiet_to="13:00")
    assert rules.quiet_until(day, at_local(12, 30)) == at_local(13) and rules.quiet_until(day, at_local(13)) is None
    AlertRule.update(active=False).where(AlertRule.id == day.id).execute()

    Printer.create(name="p1", uri="tcp://127.0.0.1:9", language="zpl", state="offline")
    night = at_local(3)
    rules.check(night)
    assert delivery.deliver_due(SETTINGS, night + dt.timedelta(hours=1))["sent"] == 0
    assert webhook.received == []
    assert delivery.deliver_due(SETTINGS, at_local(6, 31))["sent"] == 1
    assert len(webhook.received) == 1


def test_a_message_whose_condition_cleared_in_quiet_hours_is_dropped(floor, webhook):
    to = channel(target=webhook.url)
    rule("printer_offline", to, threshold="5", quiet_from="22:00", quiet_to="06:30")
    printer = Printer.create(name="p1", uri="tcp://127.0.0.1:9", language="zpl", state="offline")
    rules.check(at_local(3))
    Printer.update(state="online").where(Printer.id == printer.id).execute()
    rules.check(at_local(4))
    assert delivery.deliver_due(SETTINGS, at_local(7))["dropped"] == 1
    assert webhook.received == [] and AlertDelivery.get().status == "dropped"


def test_failures_are_retried_then_shown_as_failed(floor, webhook):
    webhook.reply = {"errcode": 310000, "errmsg": "sign not match"}
    to = channel("dingtalk", target=f"{webhook.url}/robot/send?access_token=t", secret="SECx")
    Printer.create(name="p1", uri="tcp://127.0.0.1:9", language="zpl", state="offline")
    rule("printer_offline", to, threshold="5")
    now = utcnow()
    rules.check(now)
    assert delivery.deliver_due(SETTINGS, now)["retry"] == 1
    sent = AlertDelivery.get()
    assert (sent.status, sent.attempts, sent.last_error) == ("queued", 1, "errcode 310000: sign not match")
    assert delivery.deliver_due(SETTINGS, now)["retry"] == 0  # waits its pause (1 minute)
    webhook.status = 500
    assert delivery.deliver_due(SETTINGS, now + dt.timedelta(minutes=1))["retry"] == 1
    assert AlertDelivery.get().last_error == "HTTP 500"
    assert delivery.deliver_due(SETTINGS, now + dt.timedelta(minutes=10))["failed"] == 1
    assert (AlertDelivery.get().status, AlertDelivery.get().attempts) == ("failed", 3)
    webhook.status, webhook.reply = 200, {"errcode": 0}
    delivery.retry(AlertDelivery.get(), now + dt.timedelta(minutes=11))
    assert delivery.deliver_due(SETTINGS, now + dt.timedelta(minutes=11))["sent"] == 1
    assert len(webhook.received) == 4


def test_a_server_that_is_not_there_is_a_retried_failure(floor):
    with WebhookServer() as gone:
        url = gone.url
    to = channel(target=url)
    result = delivery.send_test(to, SETTINGS)
    assert result.status == "queued" and result.attempts == 1 and result.last_error.startswith("no connection")
