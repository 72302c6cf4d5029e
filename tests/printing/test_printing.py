"""The print queue against a real TCP printer on 127.0.0.1: order, exactly once, retry, restart, locks."""

from __future__ import annotations

import ast
import datetime as dt
import itertools
import subprocess
import sys
import threading
import time
from pathlib import Path
from string import Formatter

import pytest

from db.models import Printer, PrintJob, utcnow
from hardware.transports import TransportError
from kiosk.i18n import ZH, gettext
from kiosk.printing import queue as printing
from kiosk.printing.documents import print_test_label
from kiosk.printing.queue import PrinterLock, PrintingError, PrintWorker, RetryPolicy
from tests.factories import carton_labels, make_printer, queue, statuses
from tests.imaging import codes_printed
from tests.loopback import LoopbackPrinter, free_port

ROOT = Path(__file__).resolve().parents[2]
FAST_RETRY = RetryPolicy(first_s=0.05, max_s=0.2)
_names = itertools.count(1)










def wait_until(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


@pytest.fixture
def loopback_printer():
    with LoopbackPrinter() as printer:
        yield printer


def refused(data: bytes) -> None:
    raise TransportError("Printer {address} refused the connection - check it is switched on", address="x:9100")


# -- queue and deliver -----------------------------------------------------------------------------


def test_queued_jobs_are_delivered_once_in_order(database, loopback_printer):
    printer = make_printer(uri=loopback_printer.uri)
    labels = carton_labels(5)
    jobs = queue(printer, labels)
    assert statuses(printer) == ["queued"] * 5

    assert printing.deliver_pending(printer) == 5
    assert loopback_printer.wait_for(sum(map(len, labels))) == b"".join(labels)
    assert len(loopback_printer.connections) == 1  # one connection for the run
    assert statuses(printer) == ["printed"] * 5
    first = PrintJob.get_by_id(jobs[0].id)
    assert (first.attempts, first.last_error, first.sent_at is not None) == (1, "", True)
    assert Printer.get_by_id(printer.id).state == "online"

    assert printing.deliver_pending(printer) == 0
    time.sleep(0.05)
    assert loopback_printer.received() == b"".join(labels)


def test_printer_refusing_for_a_while_then_accepting_gets_each_job_once_in_order(database):
    port = free_port()
    printer = make_printer(uri=f"tcp://127.0.0.1:{port}")
    labels = carton_labels(4)
    jobs = queue(printer, labels)
    t0 = utcnow()

    assert printing.deliver_pending(printer, now=t0) == 0
    status = printing.printer_status(printer)
    assert (status.state, status.queued) == ("offline", 4)
    assert status.last_error.key.startswith("Printer {address} refused the connection")
    head = PrintJob.get_by_id(jobs[0].id)
    assert (head.attempts, head.next_try_at) == (1, t0 + dt.timedelta(seconds=1))
    assert [PrintJob.get_by_id(j.id).attempts for j in jobs[1:]] == [0, 0, 0]  # nothing behind it tried

    assert printing.deliver_pending(printer, now=t0 + dt.timedelta(seconds=0.5)) == 0  # backing off
    assert PrintJob.get_by_id(jobs[0].id).attempts == 1

    with LoopbackPrinter(port=port) as back_on:
        assert printing.deliver_pending(printer, now=t0 + dt.timedelta(seconds=1)) == 4
        assert back_on.wait_for(sum(map(len, labels))) == b"".join(labels)
        assert printing.deliver_pending(printer, now=t0 + dt.timedelta(seconds=60)) == 0
        time.sleep(0.05)
        assert back_on.received() == b"".join(labels)
    assert printing.printer_status(printer).state == "online"
    assert statuses(printer) == ["printed"] * 4


def test_worker_catches_up_when_a_stopped_printer_comes_back(database):
    port = free_port()
    printer = make_printer(uri=f"tcp://127.0.0.1:{port}")
    worker = PrintWorker(poll_s=0.05, retry=FAST_RETRY).start()
    try:
        labels = carton_labels(6)
        queue(printer, labels[:3])
        assert wait_until(lambda: Printer.get_by_id(printer.id).state == "offline")
        queue(printer, labels[3:])  # more arrive while it is off
        time.sleep(0.3)  # a few failed retries
        head = PrintJob.select().where(PrintJob.printer == printer).order_by(PrintJob.id).first()
        assert PrintJob.get_by_id(head.id).attempts >= 2
        with LoopbackPrinter(port=port) as back_on:
            got = back_on.wait_for(sum(map(len, labels)))
            assert wait_until(lambda: statuses(printer) == ["printed"] * 6)
            time.sleep(0.2)  # several more polls: nothing may come twice
            assert back_on.received() == got == b"".join(labels)
    finally:
        worker.stop()
    assert not worker.is_alive()


def test_a_new_worker_after_a_restart_does_not_resend_sent_jobs(database, loopback_printer):
    printer = make_printer(uri=loopback_printer.uri)
    labels = carton_labels(8)
    queue(printer, labels[:6])

    def three_sent() -> bool:
        return PrintJob.select().where(PrintJob.printer == printer, PrintJob.status == "printed").count() >= 3

    # The first worker is stopped half way (a server restart), after three jobs (one at a time, to stop there).
    assert printing.deliver_pending(printer, should_stop=three_sent, batch=printing.ONE_AT_A_TIME) == 3
    assert loopback_printer.wait_for(sum(map(len, labels[:3]))) == b"".join(labels[:3])

    worker = PrintWorker(poll_s=0.05).start()
    try:
        assert loopback_printer.wait_for(sum(map(len, labels[:6]))) == b"".join(labels[:6])
        queue(printer, labels[6:])
        assert loopback_printer.wait_for(sum(map(len, labels))) == b"".join(labels)
    finally:
        worker.stop()
    assert PrintWorker().run_once() == 0  # and yet another one finds nothing left
    time.sleep(0.05)
    assert loopback_printer.received() == b"".join(labels)


def test_two_workers_deliver_each_job_once(database, loopback_printer):
    printer = make_printer(uri=loopback_printer.uri)
    labels = carton_labels(40)
    workers = [PrintWorker(poll_s=0.01).start(), PrintWorker(poll_s=0.01).start()]
    try:
        for i, label in enumerate(labels):
            printing.enqueue(printer.name, f"carton {i}", label)
        got = loopback_printer.wait_for(sum(map(len, labels)))
        time.sleep(0.1)
    finally:
        for worker in workers:
            worker.stop()
    assert got == loopback_printer.received() == b"".join(labels)


# -- failures and backoff --------------------------------------------------------------------------


def test_backoff_doubles_and_is_capped(database):
    printer = make_printer()
    head, behind = queue(printer, carton_labels(2))
    tried: list[bytes] = []

    def refuse(data: bytes) -> None:
        tried.append(data)
        refused(data)

    waits, at = [], utcnow()
    for _ in range(7):
        assert printing.deliver_pending(printer, now=at, send=refuse) == 0
        job = PrintJob.get_by_id(head.id)
        waits.append((job.next_try_at - at).total_seconds())
        at = job.next_try_at
    assert waits == [1, 2, 4, 8, 16, 30, 30]
    assert PrintJob.get_by_id(head.id).attempts == 7
    assert PrintJob.get_by_id(behind.id).attempts == 0
    assert tried == [bytes(head.payload)] * 7


def test_a_failed_job_is_never_overtaken(database):
    printer = make_printer()
    labels = carton_labels(4)
    queue(printer, labels)
    printed: list[bytes] = []
    failures = iter([False, True])  # the second label fails once

    def flaky(data: bytes) -> None:
        if next(failures, False):
            raise TransportError("Lost the connection to printer {address} ({detail})", address="x", detail="reset")
        printed.append(data)

    t0 = utcnow()
    assert printing.deliver_pending(printer, now=t0, send=flaky) == 1
    assert statuses(printer) == ["printed", "queued", "queued", "queued"]
    assert printing.printer_status(printer).state == "offline"
    assert printing.deliver_pending(printer, now=t0 + dt.timedelta(seconds=1), send=flaky) == 3
    assert printed == labels


def test_an_unexpected_error_in_sending_is_recorded_and_keeps_the_order(database):
    printer = make_printer()
    queue(printer, carton_labels(2))

    def broken(data: bytes) -> None:
        raise RuntimeError("driver bug")

    assert printing.deliver_pending(printer, send=broken) == 0
    status = printing.printer_status(printer)
    assert status.state == "offline"
    assert status.last_error.render("en") == "Printing failed: RuntimeError('driver bug')"
    assert statuses(printer) == ["queued", "queued"]


def test_retry_now_skips_the_backoff(database, loopback_printer):
    printer = make_printer(uri=f"tcp://127.0.0.1:{free_port()}")
    labels = carton_labels(2)
    queue(printer, labels)
    assert printing.deliver_pending(printer) == 0
    assert printing.deliver_pending(printer) == 0  # still waiting out the first second
    Printer.update(uri=loopback_printer.uri).where(Printer.id == printer.id).execute()  # fixed the address
    assert printing.retry_now(printer.name) == 2
    assert printing.deliver_pending(Printer.get_by_id(printer.id)) == 2
    assert loopback_printer.wait_for(sum(map(len, labels))) == b"".join(labels)


# -- reprint, cancel, status, test label ----------------------------------------------------------


def test_cancel_and_reprint(database, loopback_printer):
    printer = make_printer(uri=loopback_printer.uri)
    a, b, c = carton_labels(3)
    job_a, job_b, job_c = queue(printer, [a, b, c])

    assert printing.cancel(job_b.id).status == "cancelled"
    assert printing.deliver_pending(printer) == 2
    assert loopback_printer.wait_for(len(a + c)) == a + c

    with pytest.raises(PrintingError) as caught:
        printing.cancel(job_a.id)
    assert caught.value.message.render("en") == (
        "carton 0 has already been printed - reprint it if another copy is needed"
    )

    again = printing.reprint(job_a.id, "torn", "clerk1")
    assert (again.id > job_c.id, again.status, bytes(again.payload)) == (True, "queued", a)
    assert printing.deliver_pending(printer) == 1
    assert loopback_printer.wait_for(len(a + c + a)) == a + c + a
    assert statuses(printer) == ["printed", "cancelled", "printed", "printed"]

    with pytest.raises(PrintingError, match="does not exist"):
        printing.reprint(999_999, "lost")


def test_cancelling_the_stuck_head_lets_the_next_job_print(database, loopback_printer):
    printer = make_printer(uri=f"tcp://127.0.0.1:{free_port()}")
    stuck, waiting = queue(printer, carton_labels(2))
    assert printing.deliver_pending(printer) == 0
    printing.cancel(stuck.id)
    Printer.update(uri=loopback_printer.uri).where(Printer.id == printer.id).execute()
    assert printing.deliver_pending(Printer.get_by_id(printer.id)) == 1
    assert loopback_printer.wait_for(len(waiting.payload)) == bytes(waiting.payload)


def test_printer_status_shows_state_error_and_queue(database):
    printer = make_printer()
    status = printing.printer_status(printer.name)
    assert (status.state, status.queued, status.last_error, status.next_try_at) == ("unknown", 0, None, None)
    assert status.summary().render("en") == "Not used yet - 0 waiting"

    queue(printer, carton_labels(3))
    at = utcnow()
    printing.deliver_pending(printer, now=at, send=refused)
    status = printing.printer_status(printer)
    assert (status.state, status.online, status.queued) == ("offline", False, 3)
    assert status.next_try_at == at + dt.timedelta(seconds=1)
    assert status.last_error.render("en") == "Printer x:9100 refused the connection - check it is switched on"
    assert status.summary().render("zh") == "离线 - 3 个任务等待；打印机恢复后会自动继续打印"

    printing.deliver_pending(printer, now=at + dt.timedelta(seconds=1), send=lambda data: None)
    status = printing.printer_status(printer)
    assert (status.state, status.queued, status.last_error) == ("online", 0, None)
    assert status.summary().render("en") == "Online - 0 waiting"
    assert [job.document for job in printing.recent_jobs(printer)] == ["carton 2", "carton 1", "carton 0"]


@pytest.mark.parametrize(
    ("language", "starts", "ends"),
    [
        ("zpl", b"^XA", b"^XZ\n"),
        ("tspl", b"SIZE 100 mm,70 mm\r\n", b"PRINT 1,1\r\n"),
        ("escpos", b"\x1b", b"\x1dV\x00"),
    ],
)
def test_test_label_prints_in_the_printers_language(database, loopback_printer, language, starts, ends):
    # the printers page's test print, as the app queues it (kiosk/printing/documents.py)
    name = "Packing label" if language == "tspl" else "包装线 label"  # TSPL's QRCODE command takes ASCII only
    printer = make_printer(name=name, uri=loopback_printer.uri, language=language)
    printed = print_test_label(printer, "en")
    assert (printed.ok, printed.queued) == (True, 1)
    [job] = PrintJob.select().where(PrintJob.printer == printer)
    assert job.document == "test label"
    payload = bytes(job.payload)
    assert payload.startswith(starts) and payload.endswith(ends)
    assert codes_printed(payload, language) == [("CODE128", "9912345678"), ("QRCODE", f"TEST {name}")]
    assert printing.deliver_pending(printer) == 1
    assert loopback_printer.wait_for(len(payload)) == payload


def test_enqueue_refuses_unknown_printers_and_empty_payloads(database):
    with pytest.raises(PrintingError) as caught:
        printing.enqueue("no such printer", "carton 1", b"^XA^XZ")
    assert caught.value.message.render("zh") == "没有名为 no such printer 的打印机 - 请在打印机页面添加"
    printer = make_printer()
    with pytest.raises(PrintingError, match="Nothing to print"):
        printing.enqueue_many(printer.name, [("carton 1", b"^XA^XZ"), ("carton 2", b"")])
    assert statuses(printer) == []  # all or nothing


# -- one deliverer per printer ---------------------------------------------------------------------


def _in_thread(function):
    result = []
    thread = threading.Thread(target=lambda: result.append(function()))
    thread.start()
    thread.join(30)
    return result[0]


def _deliver_in_own_connection(printer: Printer):
    import db

    def deliver():
        try:
            return printing.deliver_pending(printer)
        finally:
            db.database.close()

    return _in_thread(deliver)


def test_a_printer_held_by_another_worker_is_skipped(database, loopback_printer):
    printer = make_printer(uri=loopback_printer.uri)
    label = carton_labels(1)[0]
    queue(printer, [label])
    with PrinterLock(printer.id) as held:
        assert held
        assert _deliver_in_own_connection(printer) == 0
    assert statuses(printer) == ["queued"]
    assert _deliver_in_own_connection(printer) == 1
    assert loopback_printer.wait_for(len(label)) == label


def test_a_printer_held_by_another_process_is_skipped(database, database_url, loopback_printer):
    printer = make_printer(uri=loopback_printer.uri)
    label = carton_labels(1)[0]
    queue(printer, [label])
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, db\n"
            f"db.open_database({database_url!r})\n"
            "from kiosk.printing.queue import PrinterLock\n"
            f"assert PrinterLock({printer.id}).acquire()\n"
            "print('holding', flush=True)\n"
            "sys.stdin.read()\n",
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        assert _deliver_in_own_connection(printer) == 0
    finally:
        holder.stdin.close()
        holder.wait(30)
        holder.stdout.close()
    assert holder.returncode == 0
    assert _deliver_in_own_connection(printer) == 1  # the lock died with the process
    assert loopback_printer.wait_for(len(label)) == label


# -- messages --------------------------------------------------------------------------------------


def _message_ids(path: Path) -> set[str]:
    makers = {"TransportError", "TransportUnavailable", "PrinterURIError", "msg", "Msg"}
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in makers and node.args:
            if isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                found.add(node.args[0].value)
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "MISSING_EXTRA":
            found.add(node.value.value)
    return found


def test_every_printer_message_has_chinese():
    paths = [*sorted((ROOT / "hardware").glob("*.py")), ROOT / "kiosk" / "printing" / "queue.py"]
    ids = set().union(*(_message_ids(path) for path in paths))
    assert len(ids) > 40
    assert sorted(ids - set(ZH)) == []
    for msgid in ids:  # the Chinese keeps every {placeholder}, so both languages format
        names = {name for _, name, _, _ in Formatter().parse(msgid) if name}
        assert {name for _, name, _, _ in Formatter().parse(ZH[msgid]) if name} == names, msgid
        assert gettext(msgid, "zh", **dict.fromkeys(names, "P"))


def test_long_errors_are_shortened_to_fit_the_column():
    message = printing.msg("Could not write to {path} ({detail})", path="/dev/usb/lp0", detail="x" * 500)
    stored = printing.store_message(message)
    assert len(stored) <= 256
    back = printing.stored_message(stored)
    assert back.key == message.key and back.params["path"] == "/dev/usb/lp0"
    assert back.params["detail"].startswith("xxxx") and back.params["detail"].endswith("...")
    assert printing.stored_message("plain text from elsewhere").render("zh") == "plain text from elsewhere"
