"""Test factories: plain functions with defaults, overridable by keyword."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import threading
import uuid

from PIL import Image

import db
import kiosk.stations  # noqa: F401  (every room registers its rule, as create_app does)
from db.models import Carton, JobCard, Order, OrderLine, Printer, PrintJob, ScanEvent, Station
from kiosk.core import plant as plant_cache
from kiosk.core.clock import PLANT_TZ
from kiosk.core.outcome import ScanRequest
from kiosk.core.plant import route_stations
from kiosk.eventlog.scan_path import record_scan
from kiosk.orders.orders import LineInput, OrderInput, create_order
from kiosk.printing import queue as printing
from kiosk.shipping.pick_lists import create_pick_list

_numbers = itertools.count(1)
_names = itertools.count(1)


def make_order(lines=None, release=True, card_units=20, **overrides) -> Order:
    """An order for customer LH due in a week; `lines` as [(model, quantity), ...]."""
    lines = lines or [("DT-120", 4)]
    data = OrderInput(
        number=overrides.pop("number", f"T{next(_numbers):05d}"),
        customer_code=overrides.pop("customer_code", "LH"),
        due_date=overrides.pop("due_date", dt.date.today() + dt.timedelta(days=7)),
        lines=[LineInput(model_no=m, quantity=q) for m, q in lines],
        **overrides,
    )
    return create_order(data, release=release, card_units=card_units)


def cards_of(order: Order) -> list[JobCard]:
    return list(JobCard.select().join(OrderLine).where(OrderLine.order == order).order_by(JobCard.id))


def scan(station: str, code: str, badge: str | None = "W001", key: str | None = None, **options):
    """One scan; at QC (which records only an explicit verdict) a pass unless a verdict is given."""
    if station == "qc" and "verdict" not in options and "reprint" not in options:
        options["verdict"] = "pass"
    return record_scan(ScanRequest(station_code=station, code=code, idem_key=key or uuid.uuid4().hex,
                                   worker_badge=badge, options=options))


def through_qc(order: Order, badge: str = "W001") -> None:
    """Every card of the order through its stations up to packing, by real scans."""
    for card in cards_of(order):
        for station in route_stations(card.route_id)[card.next_seq:]:
            if station.kind == "packing":
                break
            result = scan(station.code, card.code, badge=badge, verdict="pass")
            assert result.ok, result.message.render("en")


def packed(order: Order, badge: str = "W002") -> list[Carton]:
    through_qc(order)
    for card in cards_of(order):
        if not card.cartons.exists():
            assert scan("packing", card.code, badge=badge).ok
    return cartons_of(order)


def stocked(order: Order, location: str = "A01") -> list[Carton]:
    cartons = packed(order)
    for carton in cartons:
        if carton.status == "packed":
            assert scan("warehouse", carton.code, badge="W003", location=location).ok
    return cartons_of(order)


def cartons_of(order: Order) -> list[Carton]:
    return list(Carton.select().join(OrderLine).where(OrderLine.order == order).order_by(Carton.id))


def whole(order: Order) -> dict[int, int]:
    return {line.id: line.quantity for line in order.lines}


def set_printer(station_code: str, field: str, name: str, language: str) -> Printer:
    """A printer row and a station that uses it (the plant cache forgets the old station at once)."""
    printer = Printer.create(name=name, uri="tcp://127.0.0.1:9", language=language)
    Station.update({getattr(Station, field): name}).where(Station.code == station_code).execute()
    plant_cache.forget()
    return printer


def status_of(order: Order) -> str:
    return Order.get_by_id(order.id).status


def ship(order: Order, units_by_line: dict[int, int] | None = None) -> list[Carton]:
    """Make and store the order, then load whole units (all of them, or `units_by_line`) on a pick list
    and finish it: those units are shipped."""
    stocked(order)
    wanted = units_by_line or whole(order)
    pick_list = create_pick_list(order.customer.code, wanted, "沪A12345", "loading")
    assert scan("loading", pick_list.code, badge="W004").ok
    for line_id, units in wanted.items():
        cartons = [c for c in cartons_of(order) if c.order_line_id == line_id]
        chosen = sorted({(c.job_card_id, c.unit_no) for c in cartons})[:units]
        for carton in cartons:
            if (carton.job_card_id, carton.unit_no) in chosen:
                assert scan("loading", carton.code, badge="W004", pick_list=pick_list.code).ok
    finished = scan("loading", pick_list.code, badge="W004", finish="1")
    assert finished.ok, finished.message.render("en")
    return cartons_of(order)


def picture(kind: str = "PNG", size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, format=kind)
    return out.getvalue()


def finish_truck(customer: str = "LH", lines=(("SF-301", 1), ("DC-08", 2)), plate: str = "沪A·D8812"):
    """An order stocked, all of it loaded on a pick list, loading finished at the loading kiosk."""
    order = make_order(lines=list(lines), customer_code=customer)
    cartons = stocked(order)
    pick_list = create_pick_list(customer, whole(order), plate, "loading")
    assert scan("loading", pick_list.code, badge="W004").ok
    for carton in cartons:
        assert scan("loading", carton.code, badge="W004", pick_list=pick_list.code).ok
    finished = scan("loading", pick_list.code, badge="W004", finish="1")
    assert finished.outcome == "ok", finished.message.render("en")
    return order, pick_list, finished


def carton_labels(count: int, tag: str = "C") -> list[bytes]:
    """Distinct ZPL labels of about 1 KB, so any loss, repeat or reordering shows in the bytes."""
    return [
        (
            f"^XA^FO40,40^A0N,40,40^FD{tag}-{i:04d}^FS^FO40,120^BCN,80,Y,N,N^FD{tag}{i:04d}^FS" + "^FX" + "." * 900
        ).encode("ascii")
        + b"^XZ\n"
        for i in range(count)
    ]


def queue(printer: Printer, labels: list[bytes]) -> list[PrintJob]:
    return [printing.enqueue(printer.name, f"carton {i}", label) for i, label in enumerate(labels)]


def statuses(printer: Printer) -> list[str]:
    return [job.status for job in PrintJob.select().where(PrintJob.printer == printer).order_by(PrintJob.id)]


DAY = dt.date(2026, 3, 10)


def at(day: dt.date, hh: int, mm: int) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(hh, mm), tzinfo=PLANT_TZ)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def scan_at(when: dt.datetime, station: str, code: str, badge: str, **options):
    result = scan(station, code, badge=badge, **options)
    ScanEvent.update(at=when).where(ScanEvent.id == result.event_id).execute()
    return result


THREADS = 8


def run_together(database_url: str, work, count: int = THREADS) -> tuple[list, list]:
    """Run `work(i)` in `count` threads released at once, each on its own connection."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def target(index: int) -> None:
        try:
            with db.database.connection_context():
                barrier.wait()
                results[index] = work(index)
        except Exception as error:  # noqa: BLE001 - the test reports every failure
            errors.append(repr(error))

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors


def make_printer(**overrides) -> Printer:
    values = {"name": f"label-{next(_names)}", "uri": "tcp://127.0.0.1:9", "language": "zpl"}
    values.update(overrides)
    return Printer.create(**values)
