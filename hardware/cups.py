"""Printing through a CUPS queue, raw: `lp -d queue -o raw`, for printers only CUPS can reach.

"Sent" here means CUPS accepted and spooled the job; from then on CUPS owns retries for it.
"""

from __future__ import annotations

import shutil
import subprocess

from hardware.transports import (
    PrinterURIError,
    Transport,
    TransportError,
    TransportUnavailable,
    short,
    split_uri,
)

OPTIONS: dict[str, object] = {"timeout": 30.0}


def is_usable() -> bool:
    return shutil.which("lp") is not None


class CupsTransport(Transport):
    """cups://queue, or cups://server:631/queue for a queue on another CUPS server."""

    scheme = "cups"

    def __init__(self, queue: str, server: str | None = None, timeout: float = 30.0) -> None:
        self.lp = shutil.which("lp")
        if self.lp is None:
            raise TransportUnavailable(
                "CUPS printing needs the lp command: install the cups-client package (queue {queue})",
                queue=queue,
            )
        self.queue = queue
        self.server = server
        self.timeout = timeout
        self.uri = f"cups://{server}/{queue}" if server else f"cups://{queue}"

    @staticmethod
    def is_usable() -> bool:
        return is_usable()

    @classmethod
    def from_uri(cls, uri: str) -> CupsTransport:
        parts, options = split_uri(uri, OPTIONS)
        queue_path = parts.path.strip("/")
        if queue_path:
            server, queue = parts.netloc, queue_path
        else:
            server, queue = None, parts.netloc
        if not queue or "/" in queue:
            raise PrinterURIError("Printer address {uri} names no CUPS queue - write cups://queue", uri=uri)
        return cls(queue, server or None, **options)

    def send(self, data: bytes) -> None:
        if not data:
            return
        command = [self.lp, "-d", self.queue, "-o", "raw"]
        if self.server:
            command += ["-h", self.server]
        try:
            done = subprocess.run(command, input=data, capture_output=True, timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired:
            raise TransportError(
                "CUPS did not answer within {seconds} s for queue {queue}",
                seconds=f"{self.timeout:g}",
                queue=self.queue,
            ) from None
        except OSError as error:
            raise TransportError("Could not run lp ({detail})", detail=short(error)) from error
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace") or f"exit status {done.returncode}"
            raise TransportError(
                "CUPS did not accept the job for queue {queue}: {detail}",
                queue=self.queue,
                detail=short(RuntimeError(detail)),
            )
