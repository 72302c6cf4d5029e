"""The print worker reads its list of printers fully before delivering: another writer committing
while a label is on its way must never make marking that job fail ("database is locked")."""

from __future__ import annotations

import threading

from db import write_transaction
from db.models import Printer, PrintJob
from hardware.tcp import TcpTransport
from kiosk.printing import queue as printing
from kiosk.printing.queue import PrintWorker
from tests.factories import carton_labels, make_printer, queue
from tests.loopback import LoopbackPrinter


def test_a_commit_by_another_writer_during_delivery_does_not_break_marking(database, monkeypatch):
    with LoopbackPrinter() as first, LoopbackPrinter() as second:
        printers = [make_printer(uri=first.uri), make_printer(uri=second.uri)]
        for printer in printers:
            queue(printer, carton_labels(2))
        real_open = printing.open_transport

        class CommitsMeanwhile(TcpTransport):
            """The real TCP transport; while each label is sent another thread commits a write."""

            def send(self, data: bytes) -> None:
                super().send(data)
                writer = threading.Thread(target=_other_writer)
                writer.start()
                writer.join()

        def _other_writer() -> None:
            with write_transaction():
                Printer.update(options={"dpi": 203}).where(Printer.id == printers[1].id).execute()

        monkeypatch.setattr(printing, "open_transport", lambda uri: CommitsMeanwhile.from_uri(real_open(uri).uri))
        PrintWorker().run_once()
        labels = [bytes(job.payload) for job in PrintJob.select().order_by(PrintJob.id)]
        assert first.wait_for(len(labels[0] + labels[1])) == labels[0] + labels[1]
        assert second.wait_for(len(labels[2] + labels[3])) == labels[2] + labels[3]
    assert PrintJob.select().where(PrintJob.status == "queued").count() == 0
