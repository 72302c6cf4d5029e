"""Alert channels: the message formats of WeCom and DingTalk group robots and of mail, and sending them.

WeCom (企业微信) group robot: POST {"msgtype": "text", "text": {"content": ...}} as JSON to the robot's
webhook URL; it answers {"errcode": 0, "errmsg": "ok"}.
DingTalk (钉钉) custom robot: the same text message; with a signing secret the URL also carries
`timestamp` (milliseconds) and `sign` = urlencode(base64(HMAC-SHA256(key=secret, f"{timestamp}\\n{secret}"))),
as DingTalk documents; it answers {"errcode": 0, ...} too, and refuses a timestamp more than an hour off.
Mail: one plain-text message over SMTP (STARTTLS and login when configured).
No Flask here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

KINDS = ("wecom", "dingtalk", "mail")
KIND_LABELS = {"wecom": "WeCom group robot", "dingtalk": "DingTalk group robot", "mail": "Mail"}
MAX_TEXT = 2000  # both robots cap a text message (WeCom at 2048 bytes of content); keep well inside


class SendFailed(Exception):
    """The channel did not take the message; str() says why (shown on the alerts page)."""


@dataclass(frozen=True)
class MailSettings:
    host: str = ""
    port: int = 25
    sender: str = "kiosk@localhost"
    user: str = ""
    password: str = ""
    starttls: bool = False
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config) -> MailSettings:
        return cls(host=str(config.get("ALERT_SMTP_HOST") or ""), port=int(config.get("ALERT_SMTP_PORT") or 25),
                   sender=str(config.get("ALERT_SMTP_FROM") or "kiosk@localhost"),
                   user=str(config.get("ALERT_SMTP_USER") or ""), password=str(config.get("ALERT_SMTP_PASSWORD") or ""),
                   starttls=bool(config.get("ALERT_SMTP_STARTTLS")), timeout=float(config.get("ALERT_TIMEOUT") or 10))


def text_payload(text: str) -> dict[str, Any]:
    """The text message both robots take."""
    return {"msgtype": "text", "text": {"content": text[:MAX_TEXT]}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature of a timestamp, already URL-encoded for the query string."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, digestmod=hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def dingtalk_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    """The webhook URL with timestamp and sign appended (unchanged when there is no secret)."""
    if not secret:
        return url
    timestamp_ms = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def valid_webhook(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def recipients(target: str) -> list[str]:
    return [a.strip() for a in target.replace(";", ",").split(",") if "@" in a.strip()]


def post_json(url: str, payload: dict, timeout: float) -> None:
    body = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) checked
            answer = response.read(65536)
    except urllib.error.HTTPError as error:
        raise SendFailed(f"HTTP {error.code}") from error
    except (urllib.error.URLError, OSError) as error:
        raise SendFailed(f"no connection: {getattr(error, 'reason', error)}") from error
    try:
        reply = json.loads(answer or b"{}")
    except ValueError as error:
        raise SendFailed("the robot's answer is not JSON") from error
    if not isinstance(reply, dict) or reply.get("errcode", 0) != 0:
        code = reply.get("errcode") if isinstance(reply, dict) else "?"
        message = reply.get("errmsg", "") if isinstance(reply, dict) else ""
        raise SendFailed(f"errcode {code}: {message}"[:200])


def send_mail(to: list[str], subject: str, text: str, settings: MailSettings) -> None:
    if not settings.host:
        raise SendFailed("no mail server set (ALERT_SMTP_HOST)")
    if not to:
        raise SendFailed("no mail address")
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid()
    message.set_content(text)
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls()
            if settings.user:
                smtp.login(settings.user, settings.password)
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        raise SendFailed(f"mail: {error}"[:200]) from error


def send(kind: str, target: str, secret: str, subject: str, text: str, mail: MailSettings,
         timeout: float = 10.0) -> None:
    """Deliver one message; raises SendFailed with the reason."""
    if kind == "wecom":
        post_json(target, text_payload(text), timeout)
    elif kind == "dingtalk":
        post_json(dingtalk_url(target, secret), text_payload(text), timeout)
    elif kind == "mail":
        send_mail(recipients(target), subject, text, mail)
    else:
        raise SendFailed(f"unknown channel kind {kind}")
