"""The print queue: every label, job card and list waits in the database until its printer has it.

A PrintJob holds the exact bytes to send. `deliver_pending` sends one printer's queued jobs strictly
oldest first (by id), down one connection per run, in batches: one commit marks a batch "sending", the
batch goes down with the status request after each job (at most WINDOW of them unanswered), and one
commit records how each job went (printed only on the printer's own answer after it; see
`_deliver_batch`). When nothing got through (refused, unreachable), the head job stays at the head of the
queue with its attempts, error and next try (backoff 1 s doubling to 30 s); the printer is marked offline
and the run stops, so a later job never overtakes an earlier one. A printer down for minutes catches up in order.

Delivery guarantee: a job is never silently sent twice and never dropped. Each job ends printed (the
printer answered "ready" after its bytes), sent-not-confirmed (it took the bytes and could not or did
not say more), or "may have printed" for a person to check (delivery broke where nobody can know, or
the process died with the job "sending": at most one batch per printer). Only a job the printer
provably never took goes back to the queue. For TCP printers "took" means its TCP stack acknowledged
the bytes (see hardware/tcp.py); for CUPS it means CUPS spooled the job.

Ordering is by job id, which is commit order on SQLite (writers are serialised). On PostgreSQL two
requests queueing to the same printer at the same instant may commit out of id order; jobs queued by
one request (say, all the labels of one unit) always keep their order.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import signal
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from peewee import SqliteDatabase

import db
from db import write_transaction
from db.models import Printer, PrintJob, utcnow
from hardware import printer_status as status_protocol
from hardware.transports import TransportError, open_transport
from kiosk.core.errors import Refusal
from kiosk.i18n import Msg, msg

log = logging.getLogger(__name__)

QUEUED, SENDING, CANCELLED = "queued", "sending", "cancelled"
PRINTED = "printed"  # the printer answered its status request after the bytes, with no problem
UNCONFIRMED = "unconfirmed"  # sent, not confirmed: it took the bytes but did not (or could not) say so
MAYBE_PRINTED = "maybe_printed"  # delivery interrupted at an uncertain point: a person checks
DONE = (PRINTED, UNCONFIRMED, MAYBE_PRINTED)  # never sent again by the worker
ONLINE, OFFLINE = "online", "offline"
PRINT_LOCK_CLASS = 0x5052  # first key of pg_try_advisory_lock(class, printer id): "PR"
DEFAULT_POLL_S = 1.0  # how often a worker looks for new jobs queued by another process


class PrintingError(Refusal):
    """A print queue request that cannot be done as asked; `message` says why, in the reader's language."""


@dataclass(frozen=True)
class RetryPolicy:
    """Wait before retrying a printer's head job: first_s after the first failure, doubling, at most max_s."""

    first_s: float = 1.0
    max_s: float = 30.0

    def delay(self, attempts: int) -> dt.timedelta:
        seconds = min(self.max_s, self.first_s * 2 ** max(0, attempts - 1))
        return dt.timedelta(seconds=seconds)


DEFAULT_RETRY = RetryPolicy()


# -- queueing --------------------------------------------------------------------------------------


def enqueue(printer_name: str, document: str, payload: bytes) -> PrintJob:
    """Queue `payload` (rendered bytes) for the printer called `printer_name`; workers are woken."""
    return enqueue_many(printer_name, [(document, payload)])[0]


def enqueue_many(printer_name: str, documents: Iterable[tuple[str, bytes]], *, reason: str = "",
                 by: str = "") -> list[PrintJob]:
    """Queue several documents in one transaction, in the order given (all of a unit's carton labels).

    A reprint gives its `reason` and who asked (`by`): each job then records the job it copies (the
    last earlier one of the same document), for the reprint list on the printers page."""
    with write_transaction():
        printer = find_printer(printer_name)
        jobs = []
        for document, payload in documents:
            if not isinstance(payload, bytes | bytearray | memoryview) or not payload:
                raise PrintingError(msg("Nothing to print for {document}", document=document))
            original = _first_print(document[:64]) if reason else None
            jobs.append(PrintJob.create(printer=printer, document=document[:64], payload=bytes(payload),
                                        reprint_of=original, reason=reason[:128], requested_by=by[:64]))
    _wake_workers()
    return jobs


def _first_print(document: str) -> int | None:
    rows = list(PrintJob.select(PrintJob.id).where(PrintJob.document == document).order_by(PrintJob.id).limit(1))
    return rows[0].id if rows else None


def reprint_count(document: str) -> int:
    """How many times `document` was printed again (with a reason)."""
    return PrintJob.select().where(PrintJob.document == document, PrintJob.reprint_of.is_null(False)).count()


def recent_reprints(limit: int = 30) -> list[PrintJob]:
    """The latest reprints, newest first, each with `count` (its document's reprints so far)."""
    fields = [f for f in PrintJob._meta.sorted_fields if f.name != "payload"]
    reprints = list(PrintJob.select(*fields).where(PrintJob.reprint_of.is_null(False))
                    .order_by(PrintJob.id.desc()).limit(limit))
    for job in reprints:
        job.count = PrintJob.select().where(PrintJob.document == job.document, PrintJob.reprint_of.is_null(False),
                                            PrintJob.id <= job.id).count()
    return reprints


def queue_position(jobs: list[PrintJob]) -> tuple[int, dt.datetime | None]:
    """(jobs waiting before the first of `jobs` on its printer, since when that printer is offline or None)."""
    if not jobs:
        return 0, None
    first = jobs[0]
    ahead = PrintJob.select().where(PrintJob.printer == first.printer_id, PrintJob.status.in_([QUEUED, SENDING]),
                                    PrintJob.id < first.id).count()
    printer = Printer.get_by_id(first.printer_id)
    if printer.state != OFFLINE:
        return ahead, None
    return ahead, printer.offline_since or printer.last_contact or first.created_at


def find_printer(name: str) -> Printer:
    printer = Printer.get_or_none(Printer.name == name)
    if printer is None:
        raise PrintingError(msg("No printer is called {name} - add it on the printers page", name=name))
    return printer


def reprint(job_id: int, reason: str = "", by: str = "") -> PrintJob:
    """Queue the same bytes again as a new job at the end of its printer's queue: why, and who asked."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise PrintingError(msg("Say why it is printed again (torn, lost, wrong printer ...)"))
    with write_transaction():
        job = _job(job_id)
        copy = PrintJob.create(printer=job.printer_id, document=job.document, payload=bytes(job.payload),
                               reprint_of=job.reprint_of or job.id, reason=reason[:128], requested_by=by[:64])
    _wake_workers()
    return copy


def cancel(job_id: int) -> PrintJob:
    """Take a queued job out of the queue. A job already sent cannot be called back.

    If a worker is sending the job at this very moment, it still prints and is then recorded as sent.
    """
    with write_transaction():
        job = _job(job_id)
        if job.status in (UNCONFIRMED, MAYBE_PRINTED, SENDING):
            raise PrintingError(
                msg("{document} has already gone to the printer - reprint it if another copy is needed",
                    document=job.document)
            )
        if job.status == PRINTED:
            raise PrintingError(
                msg("{document} has already been printed - reprint it if another copy is needed", document=job.document)
            )
        PrintJob.update(status=CANCELLED).where(PrintJob.id == job.id, PrintJob.status == QUEUED).execute()
    return PrintJob.get_by_id(job.id)


def retry_now(printer: Printer | str) -> int:
    """Try the printer's queue at once instead of waiting out the backoff (it is back on, say)."""
    printer = _printer(printer)
    with write_transaction():
        count = (
            PrintJob.update(next_try_at=utcnow())
            .where(PrintJob.printer == printer, PrintJob.status == QUEUED)
            .execute()
        )
    _wake_workers()
    return count




def _job(job_id: int) -> PrintJob:
    job = PrintJob.get_or_none(PrintJob.id == job_id)
    if job is None:
        raise PrintingError(msg("Print job {id} does not exist", id=job_id))
    return job


def _printer(printer: Printer | str) -> Printer:
    return find_printer(printer) if isinstance(printer, str) else printer


# -- delivery --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """How one job's delivery ended: the job's new status and what to record about it."""

    status: str  # PRINTED, UNCONFIRMED or MAYBE_PRINTED; QUEUED: the printer never took it, it goes back
    note: Msg | None = None  # why not confirmed, or what the printer reported
    problem: Msg | None = None  # a printer problem: the printer shows offline and the run stops
    reconnect: bool = False


CONFIRMED = Delivery(PRINTED)


@dataclass(frozen=True)
class Batch:
    """How many due jobs of one printer go down the connection together: at most `jobs` jobs and about
    `bytes` bytes (always at least one job). One commit marks them "sending" and one records them."""

    jobs: int = 16
    bytes: int = 256 * 1024


DEFAULT_BATCH = Batch()
ONE_AT_A_TIME = Batch(jobs=1)


def deliver_pending(
    printer: Printer | str,
    now: dt.datetime | None = None,
    send: Callable[[bytes], Delivery | None] | None = None,
    *,
    retry: RetryPolicy = DEFAULT_RETRY,
    should_stop: Callable[[], bool] | None = None,
    batch: Batch = DEFAULT_BATCH,
) -> int:
    """Send the printer's due queued jobs in order; return how many were handed to the printer.

    Jobs go in batches (`batch`): one commit marks a batch "sending" before its bytes go; down a
    connection that answers, each job's bytes are followed by the status request, at most WINDOW jobs out
    unanswered at once (`_deliver_batch`): the printer's answer after a job proves it read that job's bytes,
    so each job is judged on its own answer, and one commit records the batch (and marks the next one
    "sending"). A job is printed only when its answer reports no problem. A job found still "sending"
    when the printer is next taken (the process died during delivery) is flagged "may have printed" for
    a person to check, never sent again silently: a kill flags at most one batch per printer. A printer
    that never answered, and a transport that cannot (`send` too, for tests: returning None counts as
    confirmed), get one job at a time. Returns 0 at once when another worker holds this printer. Stops
    at the first failure, at a printer problem, or when `should_stop()` says so. Must not run inside a
    transaction.
    """
    if db.database.in_transaction():
        raise RuntimeError("deliver_pending() inside a transaction would delay marking jobs printed")
    printer = _printer(printer)
    with PrinterLock(printer.id) as held:
        if not held:
            return 0
        _flag_interrupted(printer)
        language = printer.language
        transport = None
        checked = False  # the printer answered "ready" on this connection
        # Whether it answers status requests at all: one that has confirmed a job before does, so its
        # silence means it stopped (not "cannot answer"); one that never did is "sent, not confirmed".
        known_to_answer = _has_answered(printer)
        answers = True
        handed = 0
        size = ONE_AT_A_TIME if send is not None else batch
        # The commit that records a batch also marks the next one "sending" (one commit per batch, not
        # two); if the run then stops before sending it, it goes back to the queue in `finally`.
        marked: list[PrintJob] = []
        try:
            while not (should_stop and should_stop()):
                clock = now or utcnow()
                jobs, marked = (marked, []) if marked else (_due_batch(printer, clock, size), [])
                if not jobs:
                    break
                head = jobs[0]
                outcomes: list[Delivery]
                try:
                    if send is not None:
                        _mark_sending(jobs)
                        outcomes = [send(bytes(head.payload)) or CONFIRMED]
                    else:
                        transport = transport or open_transport(printer.uri)
                        request = status_protocol.query(language) if transport.can_answer else None
                        if request and answers and not checked:
                            ready = _check_ready(transport, language, request, known_to_answer)
                            if ready is SILENT:
                                answers = False  # never answered: its jobs are "sent, not confirmed"
                            elif ready is not None:
                                transport.close()
                                _record_failure(printer, jobs, ready, clock, retry)
                                break
                            else:
                                checked = known_to_answer = True
                        if not (request and answers) and len(jobs) > 1:
                            _unmark_sending(jobs[1:])  # one at a time: no answer tells how far it got
                            jobs = jobs[:1]
                        size = batch if request and answers else ONE_AT_A_TIME
                        _mark_sending([job for job in jobs if job.status != SENDING])
                        if request and answers:
                            outcomes = _deliver_batch(transport, language, [bytes(j.payload) for j in jobs],
                                                      request, known_to_answer)
                        else:
                            outcomes = [_deliver(transport, language, bytes(head.payload), None, known_to_answer)]
                        known_to_answer = known_to_answer or any(o.status == PRINTED for o in outcomes)
                except TransportError as error:
                    _record_failure(printer, jobs, Msg(error.message, error.params), clock, retry)
                    break
                except Exception as error:  # a fault of ours or an unexpected device error: same care
                    log.exception("printing %s on %s failed", head.document, printer.name)
                    _record_failure(printer, jobs, msg("Printing failed: {detail}", detail=repr(error)), clock, retry)
                    break
                stop = any(o.problem is not None for o in outcomes)
                go_on = not stop and not (should_stop and should_stop())
                marked = _record_batch(printer, jobs, outcomes, now or utcnow(), retry,
                                       mark_next=size if go_on else None)
                handed += sum(1 for o in outcomes if o.status != QUEUED)
                if any(o.reconnect for o in outcomes) and transport is not None:
                    transport.close()
                    checked = False
                if stop:
                    break
        finally:
            if marked:
                _unmark_sending(marked)
            if transport is not None:
                transport.close()
        return handed


NO_ANSWER = msg("Sent, not confirmed: the printer did not answer its status request")
CLOSED = msg("Sent, not confirmed: the printer closed the connection without answering")
BROKEN = msg("May have printed: the connection broke after the printer took the bytes - check the printer")
INTERRUPTED = msg("May have printed: the server stopped while sending it - check the printer")
BAD_ANSWER = msg("Sent, not confirmed: the printer's status answer was not understood")


SILENT = msg("Sent, not confirmed: the printer did not answer its status request")  # marker, see _check_ready
STALLED = msg("May have printed: the printer took the bytes, then stopped answering - check the printer")


def _has_answered(printer: Printer) -> bool:
    return PrintJob.select().where(PrintJob.printer == printer, PrintJob.status == PRINTED).exists()


def _check_ready(transport, language: str, request: bytes, known_to_answer: bool) -> Msg | None:
    """Ask before sending. None: ready. SILENT: no answer from a printer that never answered. Else a Msg
    saying why not (a problem it reports, or silence from one that answers): the job stays queued."""
    reply = transport.exchange(b"", request, lambda data: status_protocol.complete(language, data))
    if reply.ending == "answer":
        try:
            report = status_protocol.parse(language, reply.data)
        except status_protocol.BadAnswer:
            return None
        return None if report.ok else printer_problem(report)
    if reply.ending == "timeout":
        if not known_to_answer:
            return SILENT
        return msg("Printer {address} does not answer - check it is not paused, out of paper or stuck",
                   address=transport.uri)
    transport.close()
    return msg("Printer {address} dropped the connection when asked for its status", address=transport.uri)


def _deliver(transport, language: str, payload: bytes, request: bytes | None, known_to_answer: bool) -> Delivery:
    """Send one job's bytes and the status request behind them, and judge the answer."""
    if not request:
        transport.send(payload)
        return Delivery(UNCONFIRMED, NO_ANSWER)
    reply = transport.exchange(payload, request, lambda data: status_protocol.complete(language, data))
    if reply.ending == "timeout":
        if known_to_answer:  # it answers, but not now: stuck with our bytes in its buffer, or not
            return Delivery(MAYBE_PRINTED, STALLED, problem=msg(
                "Printer {address} does not answer - check it is not paused, out of paper or stuck",
                address=transport.uri), reconnect=True)
        return Delivery(UNCONFIRMED, NO_ANSWER)
    if reply.ending == "closed":
        return Delivery(UNCONFIRMED, CLOSED, reconnect=True)
    if reply.ending == "reset":
        return Delivery(MAYBE_PRINTED, BROKEN, reconnect=True)
    return _judge(language, reply.data)


TOOK_THEN_STOPPED = msg("May have printed: the printer took the bytes, then stopped reading - check the printer")


# Jobs of a batch out unanswered at once: a broken connection leaves at most these uncertain. 1: each
# job's status answer comes back before the next job goes, so a fault flags at most one label "may have
# printed" (bench/print_faults.py: 4 flagged with 4, 1 with 1); the batch still shares its commits, so
# 1,000 labels took 1.33 s against 1.06 s with 4 (bench/print_delivery.py, load average 0.7).
WINDOW = 1
NOT_SENT = Delivery(QUEUED)  # never written: back to the queue untouched (no attempt, no backoff)


def _deliver_batch(transport, language: str, payloads: list[bytes], request: bytes,
                   known_to_answer: bool) -> list[Delivery]:
    """Write every job's bytes, each followed by the status request, in one go; judge each job on its own answer.

    An answer after a job's bytes proves the printer read them (it answers a request only once it has
    read what came before it). Jobs without an answer are judged by how the exchange ended, as one job
    would be: no answer (timeout) from a printer that answers is "may have printed" (it took the bytes),
    from one that never did "sent, not confirmed"; an orderly close after the printer had acknowledged
    the job's bytes is "sent, not confirmed", anything less certain "may have printed". Only a job the
    printer provably never took (it stopped reading before it) comes back "queued": it goes back to the queue.
    """
    starts, ends, at = [], [], 0
    for payload in payloads:
        starts.append(at)
        at += len(payload) + len(request)
        ends.append(at)
    reply = transport.exchange_batch(b"".join(payload + request for payload in payloads),
                                     lambda data: len(status_protocol.answers_in(language, data)), len(payloads),
                                     ends=ends, window=WINDOW)
    answers = status_protocol.answers_in(language, reply.data)
    outcomes: list[Delivery] = [_judge(language, answer) for answer in answers[:len(payloads)]]
    stuck = msg("Printer {address} does not answer - check it is not paused, out of paper or stuck",
                address=transport.uri)
    stopped = msg("Printer {address} stopped taking data for {seconds} s - check paper, ribbon and cover",
                  address=transport.uri, seconds=f"{getattr(transport, 'write_timeout', 0):g}")
    for start, end in list(zip(starts, ends, strict=True))[len(outcomes):]:
        taken = reply.acknowledged >= end  # every byte of this job reached the printer's TCP stack
        if reply.sent <= start:  # not one byte of it was written: back to the queue as it was
            outcomes.append(NOT_SENT)
        elif reply.ending == "timeout":
            outcomes.append(Delivery(MAYBE_PRINTED, STALLED, problem=stuck, reconnect=True) if known_to_answer
                            else Delivery(UNCONFIRMED, NO_ANSWER))
        elif reply.ending == "closed" and taken:
            outcomes.append(Delivery(UNCONFIRMED, CLOSED, reconnect=True))
        elif reply.ending == "stalled":
            outcomes.append(Delivery(MAYBE_PRINTED, TOOK_THEN_STOPPED, problem=stopped, reconnect=True) if taken
                            else Delivery(QUEUED, stopped, problem=stopped, reconnect=True))
        else:  # reset, or closed before its bytes were acknowledged: nobody can know
            outcomes.append(Delivery(MAYBE_PRINTED, BROKEN, reconnect=True))
    return outcomes


def _judge(language: str, answer: bytes) -> Delivery:
    """One job's outcome from the printer's answer that followed its bytes."""
    try:
        report = status_protocol.parse(language, answer)
    except status_protocol.BadAnswer:
        return Delivery(UNCONFIRMED, BAD_ANSWER)
    if report.ok:
        return CONFIRMED
    problem = printer_problem(report)
    # The printer has the label but cannot print it now: it prints when the problem is fixed, so it
    # is not sent again; the person fixing the printer checks it came out.
    return Delivery(UNCONFIRMED, msg("Sent, not confirmed: {problem}", problem=problem), problem=problem)


PROBLEM_WORDS = {
    status_protocol.PAPER_OUT: Msg("out of paper"), status_protocol.HEAD_OPEN: Msg("print head open"),
    status_protocol.PAUSED: Msg("paused"), status_protocol.RIBBON_OUT: Msg("out of ribbon"),
    status_protocol.COVER_OPEN: Msg("cover open"), status_protocol.PAPER_JAM: Msg("paper jam"),
    status_protocol.OFFLINE: Msg("offline"), status_protocol.ERROR: Msg("printer error"),
    status_protocol.BUFFER_FULL: Msg("receive buffer full"),
    status_protocol.TEMPERATURE: Msg("temperature out of range"), status_protocol.CUTTER: Msg("cutter error"),
}


def printer_problem(report: status_protocol.StatusReport) -> Msg:
    """What the printer reported, as a message: "The printer reports: out of paper, paused - fix it ..."."""
    words = [PROBLEM_WORDS.get(p, Msg(p)) for p in report.problems]
    params: dict[str, object] = {f"p{i}": word.to_json() for i, word in enumerate(words)}
    key = ", ".join(f"{{p{i}}}" for i in range(len(words)))
    return msg("The printer reports: {problems} - fix it and printing goes on by itself",
               problems={"key": key, "params": params})


def _flag_interrupted(printer: Printer) -> None:
    """Jobs left "sending" by a process that died mid-delivery: flag them for a person, in order."""
    with write_transaction():
        PrintJob.update(status=MAYBE_PRINTED, last_error=store_message(INTERRUPTED)).where(
            PrintJob.printer == printer, PrintJob.status == SENDING
        ).execute()


def _due_batch(printer: Printer, at: dt.datetime, size: Batch) -> list[PrintJob]:
    """The printer's next due jobs, oldest first: at most `size.jobs`, about `size.bytes`, at least one;
    none when the head waits out a backoff. Read fully (a list): no cursor stays open while delivering."""
    rows = list(PrintJob.select().where(PrintJob.printer == printer, PrintJob.status == QUEUED)
                .order_by(PrintJob.id).limit(size.jobs))
    jobs, total = [], 0
    for job in rows:
        if job.next_try_at > at or (jobs and total + len(job.payload) > size.bytes):
            break
        jobs.append(job)
        total += len(job.payload)
    return jobs


def _mark_sending(jobs: list[PrintJob]) -> None:
    # Committed before the first byte goes: after a crash this is what says "it may be on paper".
    if not jobs:
        return
    with write_transaction():
        PrintJob.update(status=SENDING, attempts=PrintJob.attempts + 1).where(
            PrintJob.id.in_([job.id for job in jobs]), PrintJob.status == QUEUED
        ).execute()
    for job in jobs:
        job.status = SENDING  # attempts stays as read: a failure counts it once


def _unmark_sending(jobs: list[PrintJob]) -> None:
    """Jobs marked "sending" ahead whose bytes never went: back to the queue as they were."""
    with write_transaction():
        PrintJob.update(status=QUEUED, attempts=PrintJob.attempts - 1).where(
            PrintJob.id.in_([job.id for job in jobs]), PrintJob.status == SENDING
        ).execute()


def _record_batch(printer: Printer, jobs: list[PrintJob], outcomes: list[Delivery], at: dt.datetime,
                  retry: RetryPolicy, mark_next: Batch | None = None) -> list[PrintJob]:
    """Record how each job of the batch went, in one transaction, right away: once committed, no restart
    sends them again. An outcome "queued": the printer provably did not take that job (it stopped reading
    before it), so it goes back to the head of the queue, the first with the backoff. With `mark_next`,
    the same commit marks the printer's next due batch "sending" and returns it."""
    problem: Msg | None = next((o.problem for o in outcomes if o.problem is not None), None)
    requeued = [job for job, outcome in zip(jobs, outcomes, strict=False)
                if outcome.status == QUEUED and outcome is not NOT_SENT]
    untouched = [job for job, outcome in zip(jobs, outcomes, strict=False) if outcome is NOT_SENT]
    following: list[PrintJob] = []
    with write_transaction():
        for job, outcome in zip(jobs, outcomes, strict=False):
            if outcome.status != QUEUED:
                note = store_message(outcome.note) if outcome.note is not None else ""
                PrintJob.update(status=outcome.status, sent_at=at, last_error=note).where(
                    PrintJob.id == job.id).execute()
        if untouched:
            PrintJob.update(status=QUEUED, attempts=PrintJob.attempts - 1).where(
                PrintJob.id.in_([job.id for job in untouched]), PrintJob.status == SENDING).execute()
        if requeued:
            stored = store_message(problem)
            first = requeued[0]
            PrintJob.update(status=QUEUED, last_error=stored, next_try_at=at + retry.delay(first.attempts + 1),
                            attempts=first.attempts + 1).where(PrintJob.id == first.id).execute()
            for job in requeued[1:]:  # never tried as far as the printer knows: as they were
                PrintJob.update(status=QUEUED, attempts=job.attempts).where(PrintJob.id == job.id).execute()
            _mark_offline(printer, stored, at)
        elif problem is not None:
            _mark_offline(printer, store_message(problem), at)
        else:
            Printer.update(state=ONLINE, last_error="", last_contact=at, offline_since=None).where(
                Printer.id == printer.id
            ).execute()
        if mark_next is not None:
            following = _due_batch(printer, at, mark_next)
            if following:
                PrintJob.update(status=SENDING, attempts=PrintJob.attempts + 1).where(
                    PrintJob.id.in_([job.id for job in following]), PrintJob.status == QUEUED).execute()
                for job in following:
                    job.status = SENDING  # attempts stays as read: a failure counts it once
    return following


def _record_failure(printer: Printer, jobs: list[PrintJob], error: Msg, at: dt.datetime,
                    retry: RetryPolicy) -> None:
    """Nothing of `jobs` reached the printer: the first goes back to the head of the queue with its backoff,
    the others (marked "sending" ahead) back behind it as they were."""
    stored = store_message(error)
    head, rest = jobs[0], jobs[1:]
    with write_transaction():
        PrintJob.update(
            status=QUEUED,
            last_error=stored,
            next_try_at=at + retry.delay(head.attempts + 1),
            attempts=head.attempts + 1,
        ).where(PrintJob.id == head.id, PrintJob.status.in_([QUEUED, SENDING])).execute()
        if rest:
            PrintJob.update(status=QUEUED, attempts=PrintJob.attempts - 1).where(
                PrintJob.id.in_([job.id for job in rest]), PrintJob.status == SENDING).execute()
        _mark_offline(printer, stored, at)


def _mark_offline(printer: Printer, stored: str, at: dt.datetime) -> None:
    Printer.update(state=OFFLINE, last_error=stored).where(Printer.id == printer.id).execute()
    Printer.update(offline_since=at).where(Printer.id == printer.id, Printer.offline_since.is_null()).execute()


def store_message(message: Msg, limit: int = 256) -> str:
    """A Msg as JSON for the 256-character last_error columns, shortening long params to fit."""
    params = dict(message.params)
    while True:
        text = json.dumps({"key": message.key, "params": params}, ensure_ascii=False)
        longest = max(params, key=lambda name: len(str(params[name])), default=None)
        if len(text) <= limit or longest is None or len(str(params[longest])) <= 8:
            return text[:limit] if len(text) > limit else text
        value = str(params[longest])
        params[longest] = value[: max(8, len(value) - (len(text) - limit) - 3)] + "..."


def stored_message(text: str) -> Msg | None:
    """The Msg kept by `store_message`; plain text from elsewhere comes back untranslated."""
    if not text:
        return None
    try:
        value = json.loads(text)
        return Msg(value["key"], dict(value.get("params") or {}))
    except (ValueError, KeyError, TypeError):
        return Msg(text)


class PrinterLock:
    """Held while delivering one printer, so only one worker sends to it, across threads and processes.

    PostgreSQL: a session advisory lock, pg_try_advisory_lock(PRINT_LOCK_CLASS, printer id), on this
    thread's connection. SQLite: an exclusive flock on `<database file>.printer-<id>.lock` beside the
    database (flock, not lockf, so two threads of one process exclude each other too). Both are freed by
    the server or the kernel when the holder dies, so a crashed worker never leaves a printer stuck; a
    claim column would need a lease, a clock and a sweeper for that. In-memory SQLite (one process
    only) uses a lock per printer in this process. Never waits: a busy printer is someone else's job.
    """

    _local_locks: dict[int, threading.Lock] = {}
    _local_guard = threading.Lock()

    def __init__(self, printer_id: int, database=None):
        self.printer_id = printer_id
        self.database = database or db.database.obj
        self.held = False
        self._release: Callable[[], None] | None = None

    def __enter__(self) -> bool:
        self.held = self.acquire()
        return self.held

    def __exit__(self, *exc_info: object) -> None:
        self.release()

    def acquire(self) -> bool:
        if isinstance(self.database, SqliteDatabase):
            path = self.database.database
            if path in ("", ":memory:") or path.startswith("file::memory:"):
                return self._acquire_in_process()
            return self._acquire_file(f"{os.path.abspath(path)}.printer-{self.printer_id}.lock")
        return self._acquire_advisory()

    def release(self) -> None:
        release, self._release = self._release, None
        self.held = False
        if release is not None:
            release()

    def _acquire_file(self, path: str) -> bool:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._release = lambda: os.close(fd)  # closing the descriptor drops the flock
        return True

    def _acquire_advisory(self) -> bool:
        database, key = self.database, (PRINT_LOCK_CLASS, self.printer_id)
        if not database.execute_sql("SELECT pg_try_advisory_lock(%s, %s)", key).fetchone()[0]:
            return False

        def unlock() -> None:
            try:
                database.execute_sql("SELECT pg_advisory_unlock(%s, %s)", key)
            except Exception:  # connection gone: the server dropped the lock with it
                log.warning("could not release the print lock for printer %s", self.printer_id)

        self._release = unlock
        return True

    def _acquire_in_process(self) -> bool:
        with self._local_guard:
            lock = self._local_locks.setdefault(self.printer_id, threading.Lock())
        if not lock.acquire(blocking=False):
            return False
        self._release = lock.release
        return True


# -- the worker ------------------------------------------------------------------------------------

_workers: weakref.WeakSet[PrintWorker] = weakref.WeakSet()


def _wake_workers() -> None:
    """Jobs were queued: workers in this process look at once instead of at their next poll."""
    for worker in list(_workers):
        worker.wake()


class PrintWorker:
    """Delivers every printer's queue in a background thread until stopped.

    Start one in the web process (`PrintWorker().start()`, when config PRINT_WORKER is on) or run
    `kiosk print-worker`. Several may run at once (gunicorn workers, a second server): the PrinterLock
    lets exactly one deliver each printer, and the others skip it.
    """

    def __init__(self, poll_s: float = DEFAULT_POLL_S, retry: RetryPolicy = DEFAULT_RETRY):
        self.poll_s = poll_s
        self.retry = retry
        self.stop_event = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> PrintWorker:
        self.stop_event.clear()
        _workers.add(self)
        self._thread = threading.Thread(target=self.run, name="print-worker", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the loop to finish (after the job being sent) and wait for it."""
        self.stop_event.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        _workers.discard(self)

    def wake(self) -> None:
        self._wake.set()

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def run(self) -> None:
        """The loop: deliver every printer with queued jobs, then sleep until woken or poll_s passed."""
        database = db.database
        try:
            while not self.stop_event.is_set():
                self._wake.clear()
                try:
                    database.connect(reuse_if_open=True)
                    self.run_once()
                except Exception:  # database down or locked too long: log, keep the thread alive
                    log.exception("print worker pass failed; trying again in %.1f s", self.poll_s)
                    _close_quietly(database)
                self._wake.wait(self.poll_s)
        finally:
            _close_quietly(database)

    def run_once(self, now: dt.datetime | None = None) -> int:
        """One pass over the printers that have queued jobs; return how many jobs were sent."""
        # Read the printers fully first: a SELECT cursor left open while delivering keeps an old read
        # snapshot on this connection, and marking a job then fails at once ("database is locked")
        # whenever another writer committed in the meantime.
        waiting = PrintJob.select(PrintJob.printer).where(PrintJob.status == QUEUED)
        printers = list(Printer.select().where(Printer.id.in_(waiting)).order_by(Printer.id))
        sent = 0
        for printer in printers:
            if self.stop_event.is_set():
                break
            try:
                sent += deliver_pending(printer, now, retry=self.retry, should_stop=self.stop_event.is_set)
            except Exception:  # one printer's trouble must not stop the others
                log.exception("delivering to printer %s failed", printer.name)
        return sent

    def run_until_signal(self) -> None:
        """Run in the foreground until SIGINT or SIGTERM (`kiosk print-worker`)."""

        def stop(signum, frame) -> None:
            self.stop_event.set()
            self._wake.set()

        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, stop)
        _workers.add(self)
        try:
            self.run()
        finally:
            _workers.discard(self)


def _close_quietly(database) -> None:
    try:
        if not database.is_closed():
            database.close()
    except Exception:  # a broken connection: nothing left to close
        log.debug("closing the database connection failed", exc_info=True)


# -- status ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrinterStatus:
    """What the printers page shows for one printer."""

    name: str
    uri: str
    language: str
    state: str  # online, offline, unknown
    last_error: Msg | None
    last_contact: dt.datetime | None
    queued: int
    next_try_at: dt.datetime | None  # when the head job is tried again, if it failed before
    oldest_queued_at: dt.datetime | None
    offline_since: dt.datetime | None = None
    to_check: int = 0  # jobs sent but not confirmed, or that may have printed, nobody checked yet

    @property
    def online(self) -> bool:
        return self.state == ONLINE

    def summary(self) -> Msg:
        if self.state == OFFLINE:
            return msg(
                "Offline - {count} waiting; printing resumes by itself when the printer is back", count=self.queued
            )
        if self.state == ONLINE:
            return msg("Online - {count} waiting", count=self.queued)
        return msg("Not used yet - {count} waiting", count=self.queued)


def printer_status(printer: Printer | str) -> PrinterStatus:
    printer = _printer(printer)
    printer = Printer.get_by_id(printer.id)  # fresh: the worker may have changed it
    queued = PrintJob.select().where(PrintJob.printer == printer, PrintJob.status == QUEUED)
    rows = list(queued.order_by(PrintJob.id).limit(1))
    head = rows[0] if rows else None
    return PrinterStatus(
        name=printer.name,
        uri=printer.uri,
        language=printer.language,
        state=printer.state,
        last_error=stored_message(printer.last_error),
        last_contact=printer.last_contact,
        queued=queued.count(),
        next_try_at=head.next_try_at if head is not None and head.attempts else None,
        oldest_queued_at=head.created_at if head is not None else None,
        offline_since=printer.offline_since if printer.state == OFFLINE else None,
        to_check=PrintJob.select().where(PrintJob.printer == printer, PrintJob.status.in_([UNCONFIRMED, MAYBE_PRINTED]),
                                         PrintJob.checked_at.is_null()).count(),
    )


def recent_jobs(printer: Printer | str, limit: int = 50) -> list[PrintJob]:
    """The printer's latest jobs, newest first, for the printers page (payload not loaded)."""
    printer = _printer(printer)
    fields = [f for f in PrintJob._meta.sorted_fields if f.name != "payload"]
    return list(PrintJob.select(*fields).where(PrintJob.printer == printer).order_by(PrintJob.id.desc()).limit(limit))


