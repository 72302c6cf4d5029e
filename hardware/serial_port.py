"""Serial printers (RS-232 or a USB-serial adapter) through pyserial.

pyserial is the optional extra [serial], imported guarded so the kiosk starts without it.
`send()` returns after the port's output buffer drained (pyserial's flush, tcdrain on Linux).
"""

from __future__ import annotations

from hardware.transports import (
    PrinterURIError,
    Transport,
    TransportError,
    TransportUnavailable,
    short,
    split_uri,
)

try:
    import serial
except ImportError:  # the [serial] extra is not installed: is_usable() says so, open says what to do
    serial = None

OPTIONS: dict[str, object] = {
    "baudrate": 9600,
    "bytesize": 8,
    "parity": "N",
    "stopbits": 1,
    "rtscts": False,
    "dsrdtr": False,
    "xonxoff": False,
    "timeout": 10.0,
}
MISSING_EXTRA = "Serial printers need the serial extra: pip install shopfloor-kiosk[serial]"


def is_usable() -> bool:
    return serial is not None


class SerialTransport(Transport):
    """A serial port such as /dev/ttyUSB0 (serial:///dev/ttyUSB0?baudrate=9600), or COM3 on Windows."""

    scheme = "serial"

    def __init__(self, port: str, timeout: float = 10.0, **settings: object) -> None:
        if not is_usable():
            raise TransportUnavailable(MISSING_EXTRA)
        self.port = port
        self.timeout = timeout
        self.settings = {name: settings.get(name, default) for name, default in OPTIONS.items()}
        del self.settings["timeout"]
        self.uri = f"serial://{port}"
        self._serial = None

    @staticmethod
    def is_usable() -> bool:
        return is_usable()

    @classmethod
    def from_uri(cls, uri: str) -> SerialTransport:
        parts, options = split_uri(uri, OPTIONS)
        port = parts.path if not parts.netloc else parts.netloc + parts.path
        if not port:
            raise PrinterURIError("Printer address {uri} names no serial port - write serial:///dev/ttyUSB0", uri=uri)
        return cls(port, **options)

    def send(self, data: bytes) -> None:
        if not data:
            return
        port = self._opened()
        try:
            port.write(data)
            port.flush()
        except serial.SerialTimeoutException:
            self.close()
            raise TransportError(
                "Printer on {port} stopped taking data for {seconds} s - check paper and that flow control "
                "matches the printer",
                port=self.port,
                seconds=f"{self.timeout:g}",
            ) from None
        except (serial.SerialException, OSError) as error:
            self.close()
            raise TransportError(
                "Lost the printer on serial port {port} ({detail}) - check the cable",
                port=self.port,
                detail=short(error),
            ) from error

    def close(self) -> None:
        port, self._serial = self._serial, None
        if port is not None:
            try:
                port.close()
            except (serial.SerialException, OSError):
                pass

    def _opened(self):
        if self._serial is None:
            try:
                self._serial = serial.Serial(port=self.port, write_timeout=self.timeout, **self.settings)
            except (serial.SerialException, OSError, ValueError) as error:
                raise TransportError(
                    "Could not open serial port {port} ({detail}) - check the cable and the port name",
                    port=self.port,
                    detail=short(error),
                ) from error
        return self._serial
