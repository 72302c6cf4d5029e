"""How long it takes to queue carton labels and deliver them all to a loopback TCP printer.

Each label is queued in its own transaction (one synced commit each), then one delivery run sends them
down one connection in the print queue's batches (kiosk/printing/queue.py): one commit marks a batch
"sending", one write carries its labels each followed by the ~HS status request, and one commit records
each label printed on its own answer. The clock stops when the printer has received every byte, and the
bytes must equal the labels in order, each once. queue_s and send_s are reported apart (with the load
average: the machine is shared).
Target (issue 3): 1,000 labels in <= 3 s.  Usage: python bench/print_delivery.py [n]
"""

from __future__ import annotations

import json
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import db  # noqa: E402
from db.models import Printer  # noqa: E402
from db.schema import migrate  # noqa: E402
from kiosk.printing import queue as printing  # noqa: E402
from kiosk.printing.fake_printer import StatusAnswers  # noqa: E402


class CountingPrinter:
    """A raw TCP printer on 127.0.0.1 that keeps every byte it receives and counts connections."""

    def __init__(self):
        self.received = bytearray()
        self.connections = 0
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._server.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._read, args=(connection,), daemon=True).start()

    def _read(self, connection: socket.socket) -> None:
        # Like a real Zebra it answers ~HS after the bytes before it, so each job is confirmed printed.
        status = StatusAnswers()
        with connection:
            while chunk := connection.recv(65536):
                printed, answer = status.feed(chunk)
                with self._lock:
                    self.received += printed
                if answer:
                    connection.sendall(answer)

    def wait_for(self, size: int, timeout: float = 30.0) -> bytes:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= size:
                    break
            time.sleep(0.0005)
        with self._lock:
            return bytes(self.received)

    def close(self) -> None:
        self._server.shutdown(socket.SHUT_RDWR)
        self._server.close()


def carton_labels(n: int) -> tuple[list[bytes], str]:
    """n distinct carton labels in ZPL: real ones from kiosk.labels when it can render them."""
    try:
        from kiosk.labels.documents import CartonDoc
        from kiosk.labels.layout import carton_label_layout
        from kiosk.labels.zpl import render_zpl

        labels = []
        for i in range(n):
            doc = CartonDoc(
                code=f"C-{i:06d}", sscc=None, customer="联华家具", destination="上海市浦东新区 3号仓",
                order_number="SO-2024-0088", product_model="DT-120", product_name="餐桌 1.2m",
                colour="胡桃色", package_no=i % 3 + 1, packages=3, unit_no=i // 3 + 1, units=n // 3 + 1,
            )  # fmt: skip
            # A Zebra with a CJK font stored on it (E:SIMSUN.TTF), so Chinese goes as text.
            labels.append(render_zpl(carton_label_layout(doc, "zh"), cjk_font="E:SIMSUN.TTF"))
        return labels, "kiosk.labels carton_label_layout + render_zpl"
    except (ImportError, TypeError, AttributeError):  # labels not there yet: same size, made up
        filler = "^FX" + "." * 880
        return [
            f"^XA^CI28^FO40,40^A0N,40,40^FDC-{i:06d}^FS^FO40,120^BCN,80,Y,N,N^FDC{i:06d}^FS{filler}^XZ\n".encode()
            for i in range(n)
        ], "synthetic 1 KB ZPL"


def deliver_labels(n: int = 1000, report: dict | None = None) -> float:
    """Seconds to queue n carton labels and deliver them all to a loopback printer, exactly once, in order."""
    labels, source = carton_labels(n)
    expected = b"".join(labels)
    loopback = CountingPrinter()
    with tempfile.TemporaryDirectory() as folder:
        database = db.open_database(f"sqlite:///{folder}/bench.sqlite3")
        migrate(database)
        database.connect(reuse_if_open=True)
        printer = Printer.create(name="packing-labels", uri=f"tcp://127.0.0.1:{loopback.port}", language="zpl")
        try:
            start = time.perf_counter()
            for i, label in enumerate(labels):
                printing.enqueue(printer.name, f"carton C-{i:06d}", label)
            queued = time.perf_counter()
            sent = printing.deliver_pending(printer)
            received = loopback.wait_for(len(expected))
            done = time.perf_counter()
        finally:
            database.close()
            loopback.close()
    if sent != n or received != expected:
        raise AssertionError(f"sent {sent} of {n}; bytes match: {received == expected}")
    if report is not None:
        report.update(
            source=source,
            label_bytes=round(len(expected) / n),
            queue_s=round(queued - start, 3),
            send_s=round(done - queued, 3),
            connections=loopback.connections,
        )
    return done - start


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    report: dict = {}
    seconds = deliver_labels(n, report)
    print(f"labels: {report['source']}, about {report['label_bytes']} bytes each")
    print(f"queued {n} labels in {report['queue_s']:.3f} s (one transaction each)")
    print(f"delivered them in {report['send_s']:.3f} s over {report['connections']} connection(s), each confirmed")
    print(f"total {seconds:.3f} s for {n} labels ({n / seconds:.0f} labels/s); target <= 3 s for 1000")
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else None
    print(json.dumps({f"deliver_{n}_s": round(seconds, 3), "queue_s": report["queue_s"],
                      "send_s": report["send_s"], "loadavg_1m": load}))


if __name__ == "__main__":
    main()
