"""A job counts as printed only when the printer said so, in its own language, over a real socket.

The loopback printers answer ZPL ~HS, TSPL <ESC>!? and ESC/POS DLE EOT n byte for byte as the
Zebra, TSC and Epson manuals give them (hardware/printer_status.py), including paper out, head open
and paused.
"""

from __future__ import annotations

import pytest

from db.models import Printer, PrintJob
from hardware import printer_status
from hardware.printer_status import Condition
from kiosk.printing import queue as printing
from tests.factories import carton_labels, make_printer, queue, statuses
from tests.loopback import LoopbackPrinter

LANGUAGES = ["zpl", "tspl", "escpos"]


def labels_for(language: str, count: int) -> list[bytes]:
    if language == "zpl":
        return carton_labels(count)
    if language == "tspl":
        return [f'SIZE 100 mm,70 mm\r\nCLS\r\nTEXT 40,40,"3",0,1,1,"C-{i:04d}"\r\nPRINT 1,1\r\n'.encode()
                for i in range(count)]
    return [b"\x1b@" + f"carton C-{i:04d}\n".encode() + b"\x1dV\x00" for i in range(count)]


def error_of(printer: Printer) -> str:
    return printing.stored_message(Printer.get_by_id(printer.id).last_error).render("en")


# -- what the manuals say, parsed ------------------------------------------------------------------


def test_zpl_host_status_strings_from_the_programming_guide():
    ready = (b"\x02030,0,0,1245,000,0,0,0,000,0,0,0\x03\r\n"
             b"\x02001,0,0,0,1,2,6,0,00000000,1,000\x03\r\n\x021234,0\x03\r\n")
    assert printer_status.complete("zpl", ready) and not printer_status.complete("zpl", ready[:-8])
    assert printer_status.parse("zpl", ready).ok
    paper_out_paused = ready.replace(b"030,0,0,1245,002", b"030,1,1,1245,002").replace(b"030,0,0", b"030,1,1")
    report = printer_status.parse("zpl", paper_out_paused)
    assert report.problems == (printer_status.PAPER_OUT, printer_status.PAUSED)
    head_up = ready.replace(b"001,0,0,0,1", b"001,0,1,0,1")
    assert printer_status.parse("zpl", head_up).problems == (printer_status.HEAD_OPEN,)
    with pytest.raises(printer_status.BadAnswer):
        printer_status.parse("zpl", b"\x02garbage\x03\r\n" * 3)


def test_tspl_status_byte_bits_from_the_manual():
    table = {0x00: (), 0x01: ("print head open",), 0x04: ("out of paper",), 0x05: ("print head open", "out of paper"),
             0x10: ("paused",), 0x20: (), 0x0C: ("out of paper", "out of ribbon"), 0x02: ("paper jam",)}
    for byte, problems in table.items():  # 0x20 is "printing": busy, not a problem
        assert printer_status.parse("tspl", bytes([byte])).problems == problems, hex(byte)


def test_escpos_dle_eot_status_bytes_from_the_manual():
    assert printer_status.parse("escpos", bytes([0x12, 0x12, 0x12, 0x12])).ok  # fixed bits 1 and 4 only
    # paper end: offline (n=1 bit 3), stopped by paper end and error (n=2 bits 5, 6), roll end (n=4 bits 5, 6)
    assert printer_status.parse("escpos", bytes([0x1A, 0x72, 0x12, 0x7E])).problems == (printer_status.PAPER_OUT,)
    assert printer_status.parse("escpos", bytes([0x1A, 0x56, 0x12, 0x12])).problems == (printer_status.COVER_OPEN,)
    assert printer_status.parse("escpos", bytes([0x12, 0x12, 0x1A, 0x12])).problems == (printer_status.CUTTER,)
    with pytest.raises(printer_status.BadAnswer):  # not status bytes: fixed bits wrong
        printer_status.parse("escpos", b"\x00\x00\x00\x00")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("condition", [Condition(), Condition(paper_out=True), Condition(head_open=True),
                                       Condition(paused=True)])
def test_the_pretend_printers_answer_the_way_the_parser_reads(language, condition):
    report = printer_status.parse(language, printer_status.answer(language, condition))
    expected = {"paper_out": printer_status.PAPER_OUT, "paused": printer_status.PAUSED,
                "head_open": printer_status.COVER_OPEN if language == "escpos" else printer_status.HEAD_OPEN}
    wanted = {word for flag, word in expected.items() if getattr(condition, flag)}
    if language == "escpos" and condition.paused:
        wanted = {printer_status.OFFLINE}
    assert set(report.problems) == wanted


# -- delivery against loopback printers ------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_printed_only_after_the_printer_answers_ready(database, language):
    with LoopbackPrinter() as loopback:
        printer = make_printer(uri=loopback.uri, language=language)
        labels = labels_for(language, 3)
        queue(printer, labels)
        assert printing.deliver_pending(printer) == 3
        assert loopback.received() == b"".join(labels)  # the requests are not printed
        asked = {"zpl": ["zpl"], "tspl": ["tspl"], "escpos": ["escpos1", "escpos2", "escpos3", "escpos4"]}[language]
        assert loopback.requests == asked * 4  # once before the first label, then after each one
    assert statuses(printer) == ["printed"] * 3
    assert Printer.get_by_id(printer.id).state == "online"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("flag", "word"), [("paper_out", "out of paper"), ("head_open", None),
                                            ("paused", None)])
def test_a_printer_reporting_a_problem_gets_nothing_and_shows_why(database, language, flag, word):
    with LoopbackPrinter(condition=Condition(**{flag: True})) as loopback:
        printer = make_printer(uri=loopback.uri, language=language)
        labels = labels_for(language, 2)
        queue(printer, labels)
        assert printing.deliver_pending(printer) == 0
        assert loopback.received() == b""
        assert statuses(printer) == ["queued", "queued"]
        status = printing.printer_status(printer)
        assert status.state == "offline" and status.offline_since is not None
        reported = printing.printer_problem(printer_status.parse(language, printer_status.answer(
            language, loopback.condition)))
        assert status.last_error == reported
        assert error_of(printer).startswith("The printer reports: ")
        if word:
            assert word in error_of(printer)
            assert "缺纸" in status.last_error.render("zh")

        setattr(loopback.condition, flag, False)  # paper loaded, head closed, resumed
        printing.retry_now(printer)
        assert printing.deliver_pending(printer) == 2
        assert loopback.received() == b"".join(labels)
    assert statuses(printer) == ["printed", "printed"]
    status = printing.printer_status(printer)
    assert (status.state, status.offline_since) == ("online", None)


def test_a_printer_that_never_answers_gives_sent_not_confirmed(database):
    with LoopbackPrinter(answers=False) as loopback:
        printer = make_printer(uri=loopback.uri + "?status_timeout=0.2")
        labels = carton_labels(2)
        queue(printer, labels)
        assert printing.deliver_pending(printer) == 2
        assert loopback.wait_for(len(b"".join(labels))) == b"".join(labels)
    assert statuses(printer) == ["unconfirmed", "unconfirmed"]
    job = PrintJob.select().where(PrintJob.printer == printer).order_by(PrintJob.id).first()
    assert printing.stored_message(job.last_error) == printing.NO_ANSWER
    assert printing.printer_status(printer).to_check == 2


def test_a_printer_that_hangs_up_after_the_label_is_not_confirmed_nor_sent_again(database):
    with LoopbackPrinter(hang_up="close") as loopback:
        printer = make_printer(uri=loopback.uri)
        labels = carton_labels(2)
        for label in labels:  # one job per run: each is the whole batch
            queue(printer, [label])
            assert printing.deliver_pending(printer) == 1
        assert loopback.wait_for(len(b"".join(labels))) == b"".join(labels)
        assert len(loopback.connections) == 2  # it reconnected for the second label
    assert statuses(printer) == ["unconfirmed", "unconfirmed"]
    assert [printing.stored_message(j.last_error) for j in PrintJob.select().order_by(PrintJob.id)] == [
        printing.CLOSED] * 2


def test_a_hang_up_inside_a_batch_loses_nothing_and_repeats_nothing(database):
    """It hangs up after the first label's status request: that label is "sent, not confirmed"; every later one
    of the batch is either confirmed-less too (it was read) or flagged "may have printed", never queued again."""
    with LoopbackPrinter(hang_up="close") as loopback:
        printer = make_printer(uri=loopback.uri)
        labels = carton_labels(6)
        queue(printer, labels)
        assert printing.deliver_pending(printer) == 6
        received = loopback.received()
    jobs = list(PrintJob.select().order_by(PrintJob.id))
    assert jobs[0].status == "unconfirmed" and labels[0] in received
    for job, label in zip(jobs[1:], labels[1:], strict=True):
        assert job.status in ("unconfirmed", "maybe_printed")
        if label not in received:
            assert job.status == "maybe_printed"  # not on paper and not silently dropped: a person looks
    assert received.count(labels[0]) == 1


def test_a_connection_reset_after_the_bytes_is_flagged_may_have_printed(database):
    with LoopbackPrinter(hang_up="reset") as loopback:
        printer = make_printer(uri=loopback.uri)
        labels = carton_labels(2)
        for label in labels:
            queue(printer, [label])
            assert printing.deliver_pending(printer) == 1
        assert loopback.received() == b"".join(labels)
    assert statuses(printer) == ["maybe_printed", "maybe_printed"]
    job = PrintJob.select().order_by(PrintJob.id).first()
    assert printing.stored_message(job.last_error) == printing.BROKEN


def test_a_stalled_printer_times_out_and_the_job_stays_queued(database):
    with LoopbackPrinter(read=False, receive_buffer=4096) as loopback:
        printer = make_printer(uri=loopback.uri + "?write_timeout=0.3&status_timeout=0.2")
        big = [b"^XA^FX" + b"." * 2_000_000 + b"^XZ\n"]
        queue(printer, big)
        assert printing.deliver_pending(printer) == 0
    assert statuses(printer) == ["queued"]
    assert "stopped taking data" in error_of(printer)
    assert PrintJob.select().order_by(PrintJob.id).first().attempts == 1


def test_a_batch_goes_down_one_connection_each_job_confirmed_by_its_own_answer(database):
    with LoopbackPrinter() as loopback:
        printer = make_printer(uri=loopback.uri)
        labels = carton_labels(40)
        queue(printer, labels)
        assert printing.deliver_pending(printer) == 40
        assert loopback.received() == b"".join(labels)
        assert len(loopback.connections) == 1
        assert loopback.requests == ["zpl"] * 41  # before the first job, then after each one
    assert statuses(printer) == ["printed"] * 40


def test_a_printer_that_stops_reading_inside_a_batch_gets_the_rest_again_later(database):
    """At most WINDOW jobs are out unanswered: what it took but never answered may be on paper (flagged);
    what was never written goes back to the queue untouched, in order, and prints when it is back."""
    labels = carton_labels(16)
    # It reads (and answers) the ready check and the first three labels with their requests, then no more.
    with LoopbackPrinter(stop_reading_after=3 + 3 * (len(labels[0]) + 3), receive_buffer=4096) as loopback:
        printer = make_printer(uri=loopback.uri + "?write_timeout=0.3&status_timeout=0.2")
        queue(printer, labels)
        handed = printing.deliver_pending(printer)
        assert loopback.received() == b"".join(labels[:3])
    found = statuses(printer)
    assert found[:3] == ["printed"] * 3  # answered
    flagged = handed - 3  # written, never answered: may be on paper
    assert 1 <= flagged <= printing.WINDOW
    assert found[3:] == ["maybe_printed"] * flagged + ["queued"] * (13 - flagged)
    waiting = list(PrintJob.select().where(PrintJob.status == "queued").order_by(PrintJob.id))
    assert [j.attempts for j in waiting][1:] == [0] * (len(waiting) - 1)  # never tried, as far as anyone knows
    assert "stopped taking data" in error_of(printer) or "does not answer" in error_of(printer)
    assert printing.printer_status(printer).state == "offline"

    with LoopbackPrinter() as back:  # back at another address: the rest prints, once each, in order
        Printer.update(uri=back.uri).where(Printer.id == printer.id).execute()
        printing.retry_now(printer.name)
        assert printing.deliver_pending(printer.name) == len(waiting)
        assert back.received() == b"".join(labels[3 + flagged:])


def test_a_job_left_sending_by_a_crash_is_flagged_and_never_sent_again(database):
    with LoopbackPrinter() as loopback:
        printer = make_printer(uri=loopback.uri)
        labels = carton_labels(3)
        first, *_ = queue(printer, labels)
        # The process died after committing "sending" and before recording the answer.
        PrintJob.update(status="sending", attempts=1).where(PrintJob.id == first.id).execute()
        assert printing.deliver_pending(printer) == 2
        assert loopback.received() == b"".join(labels[1:])  # not repeated, not dropped: flagged
    assert statuses(printer) == ["maybe_printed", "printed", "printed"]
    assert printing.stored_message(PrintJob.get_by_id(first.id).last_error) == printing.INTERRUPTED
    with pytest.raises(printing.PrintingError):
        printing.cancel(first.id)


def test_a_printer_that_answered_before_and_falls_silent_keeps_its_jobs_queued(database):
    with LoopbackPrinter() as loopback:
        printer = make_printer(uri=loopback.uri + "?status_timeout=0.2")
        first, second = carton_labels(2)
        queue(printer, [first])
        assert printing.deliver_pending(printer) == 1
        loopback.answers = False  # stuck: it still takes connections, it no longer answers
        queue(printer, [second])
        assert printing.deliver_pending(printer) == 0
        assert loopback.received() == first
    assert statuses(printer) == ["printed", "queued"]
    assert "does not answer" in error_of(printer)
