"""Printing by writing to a device node (/dev/usb/lp0 from the usblp driver), or appending to a plain file.

A path under /dev/ is never created: an unplugged printer's device node is missing, and creating a
regular file in its place would swallow labels silently. Writes to a device are non-blocking with a
timeout, so a printer out of paper reports an error instead of hanging the print worker.
"""

from __future__ import annotations

import os
import select
import stat
import time

from hardware.transports import PrinterURIError, Transport, TransportError, short, split_uri

OPTIONS: dict[str, object] = {"timeout": 10.0}


class DeviceFileTransport(Transport):
    """Writes to file:///dev/usb/lp0 (or any absolute path, appended to)."""

    scheme = "file"

    def __init__(self, path: str, timeout: float = 10.0) -> None:
        self.path = path
        self.timeout = timeout
        self.uri = f"file://{path}"
        self._fd: int | None = None

    @classmethod
    def from_uri(cls, uri: str) -> DeviceFileTransport:
        parts, options = split_uri(uri, OPTIONS)
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise PrinterURIError("Printer address {uri} needs an absolute path - write file:///dev/usb/lp0", uri=uri)
        return cls(parts.path, **options)

    def send(self, data: bytes) -> None:
        if not data:
            return
        fd = self._opened()
        view = memoryview(data)
        deadline = time.monotonic() + self.timeout
        try:
            while view:
                try:
                    written = os.write(fd, view)
                except BlockingIOError:
                    written = 0
                view = view[written:]
                if view and not select.select([], [fd], [], max(0.0, deadline - time.monotonic()))[1]:
                    raise TimeoutError
        except TimeoutError:
            self.close()
            raise TransportError(
                "Printer device {path} stopped taking data for {seconds} s - check paper and cover",
                path=self.path,
                seconds=f"{self.timeout:g}",
            ) from None
        except OSError as error:
            self.close()
            raise TransportError("Could not write to {path} ({detail})", path=self.path, detail=short(error)) from error

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass

    def _opened(self) -> int:
        if self._fd is not None:
            return self._fd
        is_device_path = self.path.startswith("/dev/")
        flags = os.O_WRONLY | os.O_APPEND | (0 if is_device_path else os.O_CREAT)
        try:
            fd = os.open(self.path, flags, 0o644)
        except FileNotFoundError:
            if is_device_path:
                raise TransportError(
                    "Printer device {path} is not there - check the USB cable and that the printer is switched on",
                    path=self.path,
                ) from None
            raise TransportError(
                "The folder for {path} does not exist - check the printer address", path=self.path
            ) from None
        except PermissionError:
            raise TransportError(
                "No permission to write to {path} - add the kiosk's user to the lp group", path=self.path
            ) from None
        except OSError as error:
            raise TransportError("Could not open {path} ({detail})", path=self.path, detail=short(error)) from error
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.set_blocking(fd, False)
        self._fd = fd
        return fd
