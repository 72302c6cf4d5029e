"""Printer transports: send raw bytes to the printer a URI names, and nothing else.

Like python-escpos's printer/*.py, a transport only connects, sends and closes; the bytes come from the
renderers in kiosk/labels, and nothing here knows about orders or printer languages.

    tcp://host[:port][?connect_timeout=3&write_timeout=10]   raw TCP, port 9100 by default
    usb://VID:PID[?interface=0&out_ep=0x01&timeout=10]       USB printer (pyusb, extra [usb])
    serial:///dev/ttyUSB0[?baudrate=9600&rtscts=1]           serial port (pyserial, extra [serial])
    file:///dev/usb/lp0                                      a device node, or a plain file to append to
    cups://queue  or  cups://server:631/queue                a CUPS queue, raw (`lp -o raw`)

`open_transport(uri)` checks the URI and the optional dependencies but does no I/O: the first `send()`
connects and later sends reuse the connection, so a run of labels goes down one connection.
Every failure is a `TransportError` whose `message` is English text with {placeholders} and whose
`params` fill them, so the caller can translate it; a missing extra is a `TransportUnavailable`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

# scheme -> "module:class"; imported on first use so a missing extra never breaks start-up.
KINDS: dict[str, str] = {
    "tcp": "hardware.tcp:TcpTransport",
    "usb": "hardware.usb_port:UsbTransport",
    "serial": "hardware.serial_port:SerialTransport",
    "file": "hardware.device_file:DeviceFileTransport",
    "cups": "hardware.cups:CupsTransport",
}


class TransportError(Exception):
    """A printer could not be reached or did not take the bytes."""

    def __init__(self, message: str, /, **params: object) -> None:
        self.message = message
        self.params = params
        super().__init__(message.format(**params))


class TransportUnavailable(TransportError):
    """This kind of transport cannot work here: an optional extra or a system tool is missing."""


class PrinterURIError(TransportError, ValueError):
    """The printer address is not a URI we understand."""


@dataclass(frozen=True)
class Reply:
    """What came back after bytes and a status request were sent.

    ending: "answer" (a whole answer arrived), "timeout" (none within the wait, connection still up),
    "closed" (the printer closed the connection in order without answering), "reset" (the connection
    broke after the printer had acknowledged every byte of the payload: it may or may not have them).
    """

    data: bytes
    ending: str
    acknowledged: int = 0  # exchange_batch: payload bytes the printer's TCP stack acknowledged (a lower bound)
    sent: int = 0  # exchange_batch: payload bytes handed to the connection (none after them ever left)


class Transport:
    """Sends raw bytes to one printer. Subclasses implement `send` and `close`; two-way ones `exchange`."""

    can_answer: ClassVar[bool] = False  # whether a status request can be answered down this transport

    scheme: ClassVar[str] = ""
    uri: str = ""

    @staticmethod
    def is_usable() -> bool:
        """Whether this kind of transport's dependencies are installed."""
        return True

    @classmethod
    def from_uri(cls, uri: str) -> Transport:
        raise NotImplementedError

    def send(self, data: bytes) -> None:
        """Deliver all of `data`, or raise TransportError. Returns once the printer side has it."""
        raise NotImplementedError

    def exchange(self, payload: bytes, request: bytes, complete: Callable[[bytes], bool]) -> Reply:
        """Send `payload` then the status `request` and read the answer until `complete(answer)`.

        TransportError when the payload could not be handed over (nothing printed, or not all of it).
        One-way transports send the payload and report "timeout" (no answer possible).
        """
        self.send(payload)
        return Reply(b"", "timeout")

    def exchange_batch(self, payload: bytes, answered: Callable[[bytes], int], wanted: int,
                       ends: list[int] | None = None, window: int = 4) -> Reply:
        """Send `payload` (jobs, each followed by a status request) and read answers until `answered(data)`
        reaches `wanted`. ending as `exchange`, or "stalled": the printer stopped reading part way
        (`acknowledged` says how far it got). One-way transports send it all and report "timeout"."""
        self.send(payload)
        return Reply(b"", "timeout", len(payload), len(payload))

    def close(self) -> None:
        """Release the connection; safe to call twice. The next send reconnects."""

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.uri}>"


def transport_class(uri: str) -> type[Transport]:
    """The Transport subclass for `uri`'s scheme (importing its module), or PrinterURIError."""
    scheme = uri.partition("://")[0].lower() if "://" in uri else ""
    if scheme not in KINDS:
        raise PrinterURIError(
            "Printer address {uri} is not understood - use tcp://host:9100, usb://VID:PID, "
            "serial:///dev/ttyUSB0, file:///dev/usb/lp0 or cups://queue",
            uri=uri,
        )
    module_name, _, class_name = KINDS[scheme].partition(":")
    return getattr(importlib.import_module(module_name), class_name)


def open_transport(uri: str) -> Transport:
    """A transport for `uri`, checked but not yet connected (the first send connects)."""
    return transport_class(uri).from_uri(uri)


def is_usable(uri: str) -> bool:
    """Whether the transport for `uri` has its dependencies installed (False for a bad URI too)."""
    try:
        return transport_class(uri).is_usable()
    except PrinterURIError:
        return False


# -- helpers for the transport modules -------------------------------------------------------------


def split_uri(uri: str, known_options: dict[str, object]):
    """(urlsplit result, options) with option values converted like their defaults; unknown ones refused."""
    parts = urlsplit(uri)
    options = dict(known_options)
    for name, values in parse_qs(parts.query, keep_blank_values=True).items():
        if name not in known_options:
            raise PrinterURIError(
                "Unknown option {option} in printer address {uri} - known options: {known}",
                option=name,
                uri=uri,
                known=", ".join(sorted(known_options)) or "none",
            )
        options[name] = convert_option(uri, name, values[-1], known_options[name])
    return parts, options


def convert_option(uri: str, name: str, text: str, default: object) -> object:
    """`text` as the type of `default` (bool, int, float or str); PrinterURIError when it is not."""
    try:
        if isinstance(default, bool):
            lowered = text.lower()
            if lowered not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ValueError(text)
            return lowered in ("1", "true", "yes", "on")
        if isinstance(default, int):
            return int(text, 0)
        if isinstance(default, float):
            value = float(text)
            if value <= 0:
                raise ValueError(text)
            return value
        return text
    except ValueError:
        raise PrinterURIError(
            "Option {option}={value} in printer address {uri} is not a valid value",
            option=name,
            value=text,
            uri=uri,
        ) from None


def short(error: BaseException, limit: int = 120) -> str:
    """An OS or library error as one short line, for the {detail} of a message."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."
