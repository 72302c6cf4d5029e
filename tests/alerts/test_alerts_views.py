"""The alerts desk: a clerk adds channels and rules, sends a test (to a loopback robot), sees failures."""

from __future__ import annotations

from db.models import AlertChannel, AlertDelivery, AlertRule, Printer, Station
from kiosk.alerts import worker
from tests.auth_helpers import login, post
from tests.loopback import WebhookServer


def test_a_clerk_sets_up_a_channel_sends_a_test_and_adds_a_rule(client, plant):
    login(client, "clerk")
    with WebhookServer() as robot:
        answer = post(client, "/alerts/channels", {"name": "line group", "kind": "wecom", "lang": "zh",
                                                    "target": f"{robot.url}/cgi-bin/webhook/send?key=secret-key"})
        assert answer.status_code == 302
        channel = AlertChannel.get()
        page = client.get("/alerts")
        assert "secret-key" not in page.text  # the robot's key is not shown
        post(client, f"/alerts/channels/{channel.id}/test")
        assert robot.received[0]["json"]["text"]["content"].endswith("车间终端测试消息：预警可以送达此渠道。")
        page = client.get("/alerts")
        assert 'data-status="sent"' in page.text and "测试消息已发送到 line group" in page.text

        qc = Station.get(Station.code == "qc")
        post(client, "/alerts/rules", {"kind": "qc_fail_rate", "threshold": "15", "station": str(qc.id),
                                       "channel": str(channel.id), "quiet_from": "22:00", "quiet_to": "06:00"})
        rule = AlertRule.get()
        assert (rule.kind, rule.threshold, rule.station_id, rule.quiet_from, rule.quiet_to) == \
            ("qc_fail_rate", "15", qc.id, "22:00", "06:00")
        refused = post(client, "/alerts/rules", {"kind": "printer_offline", "threshold": "ten",
                                                 "channel": str(channel.id)}, follow_redirects=True)
        assert "限值必须是大于等于零的数字" in refused.text and AlertRule.select().count() == 1
        post(client, f"/alerts/rules/{rule.id}/switch")
        assert AlertRule.get().active is False


def test_a_failing_channel_is_shown_and_can_be_tried_again(client, plant):
    login(client, "supervisor")
    with WebhookServer() as robot:
        robot.status = 500
        post(client, "/alerts/channels", {"name": "ding", "kind": "dingtalk", "lang": "en", "secret": "SECabc",
                                          "target": f"{robot.url}/robot/send?access_token=t"})
        channel = AlertChannel.get()
        answer = post(client, f"/alerts/channels/{channel.id}/test", follow_redirects=True)
        assert "failed: HTTP 500" in answer.text or "HTTP 500" in answer.text
        sent = AlertDelivery.get()
        assert (sent.status, sent.attempts, sent.last_error) == ("queued", 1, "HTTP 500")
        robot.status = 200
        post(client, f"/alerts/sent/{sent.id}/retry")
        assert AlertDelivery.get().status == "sent" and len(robot.received) == 2


def test_the_worker_pass_escalates_checks_and_sends(app, plant):
    from db.models import utcnow

    with WebhookServer() as robot:
        channel = AlertChannel.create(name="w", kind="wecom", target=robot.url, lang="en")
        AlertRule.create(kind="printer_offline", threshold="0", channel=channel)
        Printer.create(name="p9", uri="tcp://127.0.0.1:9", language="zpl", state="offline")
        result = worker.run_once(app.config, utcnow())
        assert result["opened"] == 1 and result["sent"] == 1
        assert "Printer p9" in robot.received[0]["json"]["text"]["content"]
        assert worker.run_once(app.config, utcnow())["sent"] == 0  # once per condition


def test_bad_channels_are_refused(client, plant):
    login(client, "clerk")
    post(client, "/alerts/channels", {"name": "x", "kind": "wecom", "target": "ftp://127.0.0.1/robot"})
    post(client, "/alerts/channels", {"name": "y", "kind": "mail", "target": "not an address"})
    post(client, "/alerts/channels", {"name": "", "kind": "mail", "target": "a@b.example"})
    assert AlertChannel.select().count() == 0
