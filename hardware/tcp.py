"""Raw TCP printing (JetDirect / port 9100), the way most network label and receipt printers take jobs.

`send()` returns only when the printer's TCP stack has acknowledged every byte (on Linux the socket's
unacknowledged-bytes counter, TIOCOUTQ, drops to zero), not merely when the kernel buffered it. Raw
9100 has no application-level reply, so this is the strongest "the printer has it" we can get, and it
means a printer switched off mid-run shows up as an error on the job it lost rather than on a later one.
"""

from __future__ import annotations

import errno
import fcntl
import select
import socket
import struct
import sys
import termios
import time
from collections.abc import Callable

from hardware.transports import PrinterURIError, Reply, Transport, TransportError, short, split_uri

DEFAULT_PORT = 9100
OPTIONS: dict[str, object] = {"connect_timeout": 3.0, "write_timeout": 10.0, "status_timeout": 3.0}
_CAN_COUNT_UNACKED = sys.platform.startswith("linux")


class TcpTransport(Transport):
    """A raw TCP connection to host:port, opened on the first send and kept for the next ones."""

    scheme = "tcp"
    can_answer = True

    def __init__(
        self, host: str, port: int = DEFAULT_PORT, connect_timeout: float = 3.0, write_timeout: float = 10.0,
        status_timeout: float = 3.0,
    ) -> None:
        self.host = host
        self.port = port
        self.connect_timeout = connect_timeout
        self.write_timeout = write_timeout
        self.status_timeout = status_timeout
        self.uri = f"tcp://{host}:{port}"
        self._sock: socket.socket | None = None

    @classmethod
    def from_uri(cls, uri: str) -> TcpTransport:
        parts, options = split_uri(uri, OPTIONS)
        try:
            port = parts.port or DEFAULT_PORT
        except ValueError:
            raise PrinterURIError("The port in printer address {uri} is not a number", uri=uri) from None
        if not parts.hostname:
            raise PrinterURIError("Printer address {uri} has no host - write tcp://host:9100", uri=uri)
        return cls(parts.hostname, port, **options)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def send(self, data: bytes) -> None:
        if not data:
            return
        sock = self._connected()
        try:
            sock.sendall(data)
            self._wait_until_acknowledged(sock)
        except TimeoutError:
            self.close()
            raise TransportError(
                "Printer {address} stopped taking data for {seconds} s - check paper, ribbon and cover",
                address=self.address,
                seconds=f"{self.write_timeout:g}",
            ) from None
        except OSError as error:
            self.close()
            raise TransportError(
                "Lost the connection to printer {address} ({detail}) - check it is switched on and on the network",
                address=self.address,
                detail=short(error),
            ) from error

    def exchange(self, payload: bytes, request: bytes, complete: Callable[[bytes], bool]) -> Reply:
        """Payload and status request in one write; then the printer's answer, read until complete.

        Once payload bytes went out, a broken connection is "reset", not an error: the printer may have
        read the whole label (its acknowledgement can still be on its way, delayed ACK), so sending it
        again could print it twice, and the TCP counters cannot tell. A printer that stops reading
        (write_timeout) is an error: it did not take the label.
        """
        sock = self._connected()
        try:
            sock.sendall(payload + request)
            self._wait_until_acknowledged(sock)
        except TimeoutError:
            self.close()
            raise TransportError(
                "Printer {address} stopped taking data for {seconds} s - check paper, ribbon and cover",
                address=self.address,
                seconds=f"{self.write_timeout:g}",
            ) from None
        except OSError as error:
            self.close()
            if payload:
                return Reply(b"", "reset")
            raise TransportError(
                "Lost the connection to printer {address} ({detail}) - check it is switched on and on the network",
                address=self.address,
                detail=short(error),
            ) from error
        return self._read_answer(sock, complete)

    def exchange_batch(self, payload: bytes, answered: Callable[[bytes], int], wanted: int,
                       ends: list[int] | None = None, window: int = 4) -> Reply:
        """A batch of jobs, each followed by its status request, written while the answers are read.

        With `ends` (where each job's bytes and request end in `payload`), at most `window` jobs are out
        unanswered at any time: job i+window is written only once job i was answered, so a connection
        that breaks leaves at most `window` jobs uncertain; `sent` in the reply says how far writing got
        (bytes never written provably never reached the printer).

        Ends "answer" once `answered(data)` reaches `wanted`; "timeout" when every byte was acknowledged
        and no further answer came for status_timeout; "stalled" when the printer acknowledged nothing
        more for write_timeout while bytes were still to go (the connection is then aborted, so what it
        never took cannot reach it later); "closed" or "reset" when the connection ended. `acknowledged`
        counts the payload bytes the printer's TCP stack had acknowledged while the connection was sound
        (a lower bound: an acknowledgement may still be on its way).
        """
        sock = self._connected()
        view, written, acked, data = memoryview(payload), 0, 0, b""
        limit = len(payload)
        last_progress = answer_deadline = time.monotonic()
        pause = 0.0002
        try:
            while (count := answered(data)) < wanted:
                now = time.monotonic()
                if ends:
                    limit = ends[min(len(ends) - 1, count + window - 1)]
                _raise_pending_error(sock)
                now_acked = written - _unacknowledged_bytes(sock) if _CAN_COUNT_UNACKED else written
                if now_acked > acked:
                    acked, last_progress, pause = now_acked, now, 0.0002
                if acked < limit:
                    answer_deadline = now + self.status_timeout
                    if now - last_progress > self.write_timeout:
                        self._abort()
                        return Reply(data, "stalled", acked, written)
                elif now > answer_deadline:
                    return Reply(data, "timeout", acked, written)
                readable, writable, _ = select.select([sock], [sock] if written < limit else [], [], pause)
                if writable:
                    written += sock.send(view[written:min(limit, written + 262144)])
                if readable:
                    chunk = sock.recv(4096)
                    if not chunk:
                        return self._closed_by_printer(sock, data, written, acked)
                    data += chunk
                    last_progress, answer_deadline, pause = now, now + self.status_timeout, 0.0002
                elif not writable:
                    pause = min(pause * 2, 0.02)
        except (OSError, TimeoutError):
            self.close()
            return Reply(data, "reset", acked, written)
        return Reply(data, "answer", len(payload), len(payload))

    def _closed_by_printer(self, sock: socket.socket, data: bytes, written: int, acked: int) -> Reply:
        """The printer closed in order (FIN). Its FIN acknowledges every byte its TCP stack had, so the
        count is read again now; a reset after it (our bytes it never read) empties that count, so a
        pending error makes it a reset instead (read after the count: the error is set before the purge)."""
        if _CAN_COUNT_UNACKED:
            unacked = _unacknowledged_bytes(sock)
            if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                self.close()
                return Reply(data, "reset", acked, written)
            acked = max(acked, written - unacked)
        self.close()
        return Reply(data, "closed", acked, written)

    def _abort(self) -> None:
        """Close with a reset: bytes still in our send queue are thrown away, never delivered later."""
        sock, self._sock = self._sock, None
        if sock is None:
            return
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        sock.close()

    def _read_answer(self, sock: socket.socket, complete: Callable[[bytes], bool]) -> Reply:
        data = b""
        deadline = time.monotonic() + self.status_timeout
        while not complete(data):
            left = deadline - time.monotonic()
            if left <= 0:
                return Reply(data, "timeout")
            try:
                ready = select.select([sock], [], [], left)[0]
                if not ready:
                    continue
                chunk = sock.recv(4096)
            except OSError:
                self.close()
                return Reply(data, "reset")
            if not chunk:
                self.close()
                return Reply(data, "closed")
            data += chunk
        return Reply(data, "answer")

    def close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is None:
            return
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    def _connected(self) -> socket.socket:
        if self._sock is not None and self._peer_has_closed(self._sock):
            # Printers often drop idle connections; every byte sent so far was acknowledged, so
            # reconnecting loses nothing.
            self.close()
        if self._sock is None:
            self._sock = self._connect()
        return self._sock

    def _connect(self) -> socket.socket:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        except ConnectionRefusedError:
            raise TransportError(
                "Printer {address} refused the connection - check it is switched on and that port {port} is right",
                address=self.address,
                port=self.port,
            ) from None
        except TimeoutError:
            raise TransportError(
                "No answer from printer {address} within {seconds} s - check it is switched on and on the network",
                address=self.address,
                seconds=f"{self.connect_timeout:g}",
            ) from None
        except socket.gaierror:
            raise TransportError("Printer host {host} is unknown - check the printer address", host=self.host) from None
        except OSError as error:
            raise TransportError(
                "Could not connect to printer {address} ({detail})", address=self.address, detail=short(error)
            ) from error
        sock.settimeout(self.write_timeout)
        # Push the end of each job out at once instead of waiting for the previous segment's ACK.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def _wait_until_acknowledged(self, sock: socket.socket) -> bool:
        """Block until the peer has acknowledged all sent bytes; TimeoutError after write_timeout."""
        if _CAN_COUNT_UNACKED:
            deadline = time.monotonic() + self.write_timeout
            pause = 0.0002
            while _unacknowledged_bytes(sock) > 0:
                _raise_pending_error(sock)  # after a reset the counter may never reach zero
                if time.monotonic() > deadline:
                    raise TimeoutError
                time.sleep(pause)
                pause = min(pause * 2, 0.02)
        # A reset (printer rebooted) empties the send queue too: make sure that is not why it is empty.
        _raise_pending_error(sock)
        return True

    @staticmethod
    def _peer_has_closed(sock: socket.socket) -> bool:
        """True when the printer closed or reset the connection; any status bytes it sent are discarded."""
        try:
            while select.select([sock], [], [], 0)[0]:
                if not sock.recv(4096, socket.MSG_DONTWAIT):
                    return True
        except BlockingIOError:
            return False
        except OSError:
            return True
        return False


def _raise_pending_error(sock: socket.socket) -> None:
    pending = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if pending:
        raise OSError(pending, errno.errorcode.get(pending, "socket error"))


def _unacknowledged_bytes(sock: socket.socket) -> int:
    # SIOCOUTQ (same number as TIOCOUTQ): bytes in the send queue not yet acknowledged by the peer.
    return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]
