"""Demo plant: stations and routes, customers, products, workers and about 30 orders at
different stages, moved there by real scans through the same rules the kiosks use."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from db import write_transaction
from db.models import Customer, Order, Product, Route, RouteStep, ScanEvent, Station, Worker, utcnow
from kiosk.eventlog.scan_path import ScanRequest, record_scan
from kiosk.orders.orders import LineInput, OrderInput, create_order, set_hold

STATIONS = [
    # code, 中文, English, kind
    ("whitebody", "白茬", "White-body", "process"),
    ("finishing", "涂装", "Finishing", "process"),
    ("qc", "质检", "QC", "qc"),
    ("packing", "包装", "Packing", "packing"),
    ("warehouse", "入库", "Warehouse-in", "warehouse"),
    ("loading", "装车", "Loading", "loading"),
]
ROUTES = {
    "standard": ["whitebody", "finishing", "qc", "packing", "warehouse", "loading"],
    "no-finish": ["whitebody", "qc", "packing", "warehouse", "loading"],
}
CUSTOMERS = [
    ("LH", "联华家居 Lianhua Home", "上海市闵行区七莘路 88 号"),
    ("HM", "宏美家具城 Hongmei Furniture Mall", "广州市番禺区迎宾路 12 号"),
    ("OAK", "Oak & Ash Interiors Ltd", "12 Harbour Road, Felixstowe, UK"),
    ("JY", "佳园软装 Jiayuan Soft Décor", "成都市武侯区科华北路 5 号"),
    ("NB", "Nordic Bed Co.", "Strandvägen 7, Stockholm, SE"),
    ("XJ", "鑫家装饰 Xinjia Decoration", "杭州市余杭区文一西路 998 号"),
]
PRODUCTS = [
    # model, name, colour, size, cartons per unit (包数), route
    ("SF-301", "三人布艺沙发 3-seat fabric sofa", "烟灰 Smoke grey", "2100x900x850", 3, "standard"),
    ("SF-205", "双人皮沙发 2-seat leather sofa", "棕 Brown", "1600x900x820", 2, "standard"),
    ("DT-120", "实木餐桌 Solid oak dining table", "原木 Natural", "1200x800x750", 2, "standard"),
    ("DC-08", "餐椅 Dining chair", "胡桃 Walnut", "450x520x880", 1, "standard"),
    ("BD-180", "双人床 King bed 1.8 m", "白橡 White oak", "1800x2000", 3, "standard"),
    ("NS-02", "床头柜 Nightstand", "胡桃 Walnut", "500x400x550", 1, "standard"),
    ("WD-4", "四门衣柜 4-door wardrobe", "白 White", "1600x600x2200", 4, "standard"),
    ("TV-160", "电视柜 TV cabinet", "黑胡桃 Black walnut", "1600x400x450", 2, "standard"),
    ("MT-10", "床垫 Spring mattress", "白 White", "1800x2000x250", 1, "no-finish"),
    ("ST-01", "铁艺边几 Metal side table", "黑 Black", "450x450x550", 1, "no-finish"),
]
WORKERS = [
    ("W001", "张伟"), ("W002", "王芳"), ("W003", "李娜"), ("W004", "刘洋"), ("W005", "陈静"),
    ("W006", "杨磊"), ("W007", "赵敏"), ("W008", "黄强"), ("W009", "周杰"), ("W010", "吴婷"),
]


def seed_plant() -> None:
    """Stations, routes, customers, products and workers; safe to run on an empty database only."""
    with write_transaction():
        stations = {}
        for sort, (code, zh, en, kind) in enumerate(STATIONS):
            stations[code] = Station.create(code=code, name_zh=zh, name_en=en, kind=kind, sort=sort)
        routes = {}
        for name, codes in ROUTES.items():
            route = routes[name] = Route.create(name=name)
            for seq, code in enumerate(codes):
                RouteStep.create(route=route, seq=seq, station=stations[code])
        for code, name, address in CUSTOMERS:
            Customer.create(code=code, name=name, address=address)
        for model, name, colour, size, cartons, route in PRODUCTS:
            Product.create(model_no=model, name=name, colour=colour, size=size, cartons_per_unit=cartons,
                           family=route, route=routes[route])
        for badge, name in WORKERS:
            Worker.create(badge=badge, name=name)


def _scan(station: str, code: str, badge: str, at: dt.datetime, **options) -> None:
    record_scan(ScanRequest(station_code=station, code=code, idem_key=uuid.uuid4().hex, worker_badge=badge,
                            scanned_at=at, options=options))


def seed_orders(count: int = 30, seed: int = 7) -> list[Order]:
    """`count` orders spread over the route: drafts, untouched, mid-production, rework, on hold."""
    rng = random.Random(seed)
    today = dt.date.today()
    customers = [c.code for c in Customer.select()]
    products = [p.model_no for p in Product.select()]
    orders = []
    for index in range(count):
        lines = [LineInput(model_no=rng.choice(products), quantity=rng.choice([2, 4, 5, 6, 8, 10, 12]))
                 for _ in range(rng.choice([1, 1, 2, 3]))]
        due = today + dt.timedelta(days=rng.randint(-3, 21))
        order = create_order(
            OrderInput(number=f"SO{2611000 + index + 1}", customer_code=rng.choice(customers), due_date=due,
                       lines=lines, rush=rng.random() < 0.15),
            release=index % 10 != 9,  # every tenth order stays a draft
        )
        orders.append(order)

    # Move released orders along their routes with real scans, backdated over the last days.
    from db.models import JobCard, OrderLine

    now = utcnow()
    for index, order in enumerate(orders):
        if index % 10 == 9:
            continue
        stage_goal = index % 4  # 0 untouched, 1 white-body, 2 finishing, 3 QC
        cards = JobCard.select().join(OrderLine).where(OrderLine.order == order).order_by(JobCard.id)
        for card in list(cards):
            at = now - dt.timedelta(hours=rng.randint(20, 72))
            for step in ("whitebody", "finishing", "qc")[:stage_goal]:
                at += dt.timedelta(minutes=rng.randint(30, 400))
                badge = rng.choice(WORKERS)[0]
                card = JobCard.get_by_id(card.id)
                if step == "finishing" and card.route.name == "no-finish":
                    continue
                if step == "qc" and card.units > 2 and rng.random() < 0.3:
                    _scan("qc", card.code, badge, at, verdict="fail", failed_units="1", defect="Scratch",
                          rework_station="finishing" if card.route.name == "standard" else "whitebody")
                else:
                    _scan(step, card.code, badge, at, verdict="pass")
    for order in orders[5:7]:
        set_hold(order, True, "客户确认颜色 Customer to confirm colour")
    # demo history: events carry the time they were scanned
    with write_transaction():
        ScanEvent.update(at=ScanEvent.scanned_at).where(ScanEvent.scanned_at.is_null(False)).execute()
    return orders


def seed_demo() -> None:
    seed_plant()
    seed_history()  # before the printers: a week of past work prints no labels
    seed_printers()
    seed_orders()
    seed_shipping()
    seed_complaints()
    seed_follow_up()
    seed_outside_and_delivery()


def seed_history(days: int = 7, seed: int = 19) -> list[Order]:
    """A week of work already done and shipped: orders due over the past days, scanned through every
    station at a steady pace and loaded onto trucks. It gives each station a believable pace, so the
    board shows a real mix of on-time, at-risk and late orders (kiosk/boards/figures.py)."""
    from db.models import Carton, JobCard, OrderLine
    from kiosk.cards.route import route_stations
    from kiosk.shipping.pick_lists import create_pick_list

    rng = random.Random(seed)
    now = utcnow()
    customers = [c.code for c in Customer.select()]
    models = [p.model_no for p in Product.select().join(Route).where(Route.name == "standard")] or \
        [p.model_no for p in Product.select()]
    shipped = []
    for index in range(days):
        start = now - dt.timedelta(days=days) + dt.timedelta(hours=24 * index + rng.randint(0, 3))
        customer = rng.choice(customers)
        order = create_order(OrderInput(
            number=f"SO26H{index + 1:03d}", customer_code=customer, due_date=start.date() + dt.timedelta(days=1),
            lines=[LineInput(model_no=rng.choice(models), quantity=rng.choice([10, 12, 15, 16, 18, 20]))]),
            release=True)
        at = start
        for card in list(JobCard.select().join(OrderLine).where(OrderLine.order == order).order_by(JobCard.id)):
            for station in route_stations(card.route_id):
                if station.kind in ("warehouse", "loading"):
                    break
                at += dt.timedelta(minutes=rng.randint(20, 60))
                _scan(station.code, card.code, rng.choice(WORKERS)[0], at, verdict="pass")
        cartons = list(Carton.select().join(OrderLine).where(OrderLine.order == order).order_by(Carton.id))
        for carton in cartons:
            at += dt.timedelta(seconds=rng.randint(20, 60))
            _scan("warehouse", carton.code, "W008", at, location="H01")
        pick_list = create_pick_list(customer, {line.id: line.quantity for line in order.lines}, "", "loading",
                                     ship_date=at.date())
        _scan("loading", pick_list.code, "W004", at)
        for carton in cartons:
            at += dt.timedelta(seconds=rng.randint(10, 30))
            _scan("loading", carton.code, "W004", at, pick_list=pick_list.code)
        _scan("loading", pick_list.code, "W004", at, finish="1")
        shipped.append(order)
    with write_transaction():
        ScanEvent.update(at=ScanEvent.scanned_at).where(ScanEvent.scanned_at.is_null(False)).execute()
    return shipped


# Demo printers: name, address, language, options, and the stations that use them (code, "label"/"receipt").
DEMO_PRINTERS = [
    ("packing-label", "tcp://127.0.0.1:9101", "zpl", {"dpi": 203}, [("packing", "label")]),
    ("desk-receipt", "tcp://127.0.0.1:9102", "escpos", {"chinese": "gb18030"},
     [("warehouse", "receipt"), ("loading", "receipt")]),
]


def seed_printers() -> None:
    """A ZPL label printer for packing (127.0.0.1:9101) and an ESC/POS receipt printer for the desk and
    loading (127.0.0.1:9102), each with a test label queued.

    Nothing listens there until `kiosk fake-printer --port 9101` (and 9102) runs, so they show offline
    and their jobs wait: the demo shows that nothing is lost while a printer is off.
    """
    from db.models import Printer
    from kiosk.core import plant
    from kiosk.printing.documents import print_test_label

    with write_transaction():
        for name, uri, language, options, users in DEMO_PRINTERS:
            Printer.create(name=name, uri=uri, language=language, options=options)
            for code, kind in users:
                Station.update(**{f"{kind}_printer": name}).where(Station.code == code).execute()
    plant.forget()  # stations now name their printers
    for printer in Printer.select().where(Printer.name.in_([p[0] for p in DEMO_PRINTERS])):
        print_test_label(printer)


# Orders past QC, made here and moved by real scans: (number, customer, lines, how far).
SHIPPING_ORDERS = [
    ("SO2612001", "LH", [("SF-301", 2), ("DC-08", 4)], "in_stock"),  # on a pick list, ready to load
    ("SO2612002", "OAK", [("DT-120", 2), ("NS-02", 2)], "in_stock"),  # ready to ship: make a pick list
    ("SO2612003", "HM", [("TV-160", 2)], "packed"),  # cartons waiting for warehouse-in
    ("SO2612004", "XJ", [("MT-10", 3), ("ST-01", 2)], "qc"),  # QC passed: ready to pack
]


def seed_shipping() -> None:
    """Goods past QC: an order ready to pack, packed cartons waiting for warehouse-in, cartons in
    stock by bin (LOC-A01 ...), and pick list PL000001 for Lianhua's truck at the loading dock."""
    from db.models import Carton, JobCard, OrderLine
    from kiosk.cards.route import route_stations
    from kiosk.shipping.pick_lists import create_pick_list

    rng = random.Random(11)
    at = utcnow() - dt.timedelta(hours=30)
    orders = {}
    for number, customer, lines, goal in SHIPPING_ORDERS:
        order = orders[number] = create_order(
            OrderInput(number=number, customer_code=customer, due_date=dt.date.today() + dt.timedelta(days=4),
                       lines=[LineInput(model_no=model, quantity=quantity) for model, quantity in lines]),
            release=True,
        )
        cards = list(JobCard.select().join(OrderLine).where(OrderLine.order == order).order_by(JobCard.id))
        for card in cards:
            for station in route_stations(card.route_id):
                if station.kind == "packing" and goal == "qc":
                    break
                if station.kind == "warehouse":
                    break
                at += dt.timedelta(minutes=rng.randint(3, 20))
                _scan(station.code, card.code, rng.choice(WORKERS)[0], at, verdict="pass")
        if goal != "in_stock":
            continue
        shelf = f"A{len(orders):02d}"
        _scan("warehouse", f"LOC-{shelf}", "W008", at)
        for carton in Carton.select().join(OrderLine).where(OrderLine.order == order).order_by(Carton.id):
            at += dt.timedelta(seconds=rng.randint(20, 90))
            _scan("warehouse", carton.code, "W008", at, location=shelf)
    first = orders[SHIPPING_ORDERS[0][0]]
    create_pick_list(first.customer.code, {line.id: line.quantity for line in first.lines}, "沪A·D8812", "loading")
    with write_transaction():
        ScanEvent.update(at=ScanEvent.scanned_at).where(ScanEvent.scanned_at.is_null(False)).execute()


# -- complaints and replacement parts (kiosk/complaints.py) ----------------------------------------

REPLACEMENT_ROUTE = ("replacement", ["finishing", "qc", "packing", "warehouse", "loading"])


def seed_replacement_route() -> Route:
    """A route for replacement parts made from stock white-body: finishing, QC, packing, warehouse, loading."""
    name, codes = REPLACEMENT_ROUTE
    with write_transaction():
        route = Route.get_or_none(Route.name == name)
        if route is None:
            route = Route.create(name=name)
            for seq, code in enumerate(codes):
                RouteStep.create(route=route, seq=seq, station=Station.get(Station.code == code))
    from kiosk.core import plant

    plant.forget()
    return route


def seed_complaints() -> None:
    """Order SO2612009 for Jiayuan, made, loaded and shipped by real scans, and complaint CP000001 about
    a table-top carton crushed in transit, with a photo, waiting for a manager's decision."""
    from db.models import Carton, JobCard, OrderLine, PickList
    from kiosk.cards.route import route_stations
    from kiosk.complaints import complaint as complaints
    from kiosk.complaints.photos import Upload
    from kiosk.shipping.pick_lists import create_pick_list

    seed_replacement_route()
    rng = random.Random(23)
    at = utcnow() - dt.timedelta(days=3)
    order = create_order(OrderInput(number="SO2612009", customer_code="JY", due_date=dt.date.today(),
                                    lines=[LineInput(model_no="DT-120", quantity=2),
                                           LineInput(model_no="DC-08", quantity=4)]), release=True)
    for card in JobCard.select().join(OrderLine).where(OrderLine.order == order).order_by(JobCard.id):
        for station in route_stations(card.route_id):
            if station.kind == "warehouse":
                break
            at += dt.timedelta(minutes=rng.randint(3, 20))
            _scan(station.code, card.code, rng.choice(WORKERS)[0], at, verdict="pass")
    cartons = list(Carton.select().join(OrderLine).where(OrderLine.order == order).order_by(Carton.id))
    for carton in cartons:
        at += dt.timedelta(seconds=rng.randint(20, 90))
        _scan("warehouse", carton.code, "W008", at, location="B01")
    pick_list = create_pick_list("JY", {line.id: line.quantity for line in order.lines}, "川A·K2209", "loading")
    _scan("loading", pick_list.code, "W004", at)
    for carton in cartons:
        at += dt.timedelta(seconds=rng.randint(10, 40))
        _scan("loading", carton.code, "W004", at, pick_list=pick_list.code)
    _scan("loading", pick_list.code, "W004", at, finish="1")
    assert PickList.get_by_id(pick_list.id).status == "finished"
    with write_transaction():
        ScanEvent.update(at=ScanEvent.scanned_at).where(ScanEvent.scanned_at.is_null(False)).execute()
    root = _photo_root()
    photos = [Upload("table-corner.jpg", demo_photo())] if root else []
    complaints.open_complaint(complaints.ComplaintInput(
        order_number=order.number, reason="transit_damage", line_no=1, carton_code=cartons[0].code,
        part="桌面 Table top", units=1, photos=photos,
        description="客户收货时桌面一角压坏，外箱也破了。Table top corner crushed; the carton was torn on arrival.",
    ), "clerk", root or "")


def _photo_root():
    """Where the running app keeps complaint photos (the demo is loaded by `flask init-db --demo`)."""
    from flask import current_app

    from kiosk.complaints.photos import photo_root

    try:
        return photo_root(current_app.config, current_app.instance_path)
    except RuntimeError:  # no app: the demo complaint has no photo
        return None


def demo_photo() -> bytes:
    """A small JPEG standing in for the customer's photo: a table top with a broken corner."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), (236, 232, 226))
    draw = ImageDraw.Draw(image)
    draw.polygon([(40, 60), (440, 60), (440, 260), (120, 260), (40, 190)], fill=(181, 136, 89))
    draw.line([(40, 190), (120, 260)], fill=(90, 60, 30), width=6)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def seed_follow_up() -> None:
    """Order follow-up: SO2613001 (Nordic Bed) is in stock on pick list for its truck but waits for
    finance to release payment, so loading refuses it; SO2613002 (Jiayuan) changed colour while in
    production, so its card past white-body is held at every station until the clerk clears it."""
    from db.models import Carton, JobCard, OrderLine
    from kiosk.cards.route import route_stations
    from kiosk.orders.changes import change_order
    from kiosk.shipping.pick_lists import create_pick_list

    at = utcnow() - dt.timedelta(hours=20)
    today = dt.date.today()
    unpaid = create_order(OrderInput(number="SO2613001", customer_code="NB", due_date=today + dt.timedelta(days=2),
                                     lines=[LineInput(model_no="NS-02", quantity=2)]), release=True)
    with write_transaction():
        Order.update(payment_release="required").where(Order.id == unpaid.id).execute()
    for card in JobCard.select().join(OrderLine).where(OrderLine.order == unpaid).order_by(JobCard.id):
        for station in route_stations(card.route_id):
            if station.kind == "warehouse":
                break
            at += dt.timedelta(minutes=7)
            _scan(station.code, card.code, "W005", at, verdict="pass")
    for carton in Carton.select().join(OrderLine).where(OrderLine.order == unpaid).order_by(Carton.id):
        at += dt.timedelta(seconds=40)
        _scan("warehouse", carton.code, "W008", at, location="C01")
    create_pick_list("NB", {line.id: line.quantity for line in unpaid.lines}, "粤B·77881", "loading")

    changed = create_order(OrderInput(number="SO2613002", customer_code="JY", due_date=today + dt.timedelta(days=9),
                                      lines=[LineInput(model_no="DC-08", quantity=8, colour="原木 Natural")]),
                           release=True, card_units=4)
    first = JobCard.select().join(OrderLine).where(OrderLine.order == changed).order_by(JobCard.id).first()
    _scan("whitebody", first.code, "W002", at + dt.timedelta(minutes=30))
    with write_transaction():
        ScanEvent.update(at=ScanEvent.scanned_at).where(ScanEvent.scanned_at.is_null(False)).execute()
    change_order(changed, "colour", "胡桃 Walnut", "客户来电改色 The customer called to change the colour", "demo",
                 line_no=1)


SUPPLIERS = [
    # code, name, contact, phone, usual days out
    ("XD", "鑫达喷涂 Xinda Spraying", "陈经理", "0757-2288 1234", 5),
    ("KL", "凯丽油漆 Kaili Lacquer", "李师傅", "0757-2366 8080", 3),
]


def seed_outside_and_delivery() -> None:
    """Outside work and delivery notes: order SO2614001 (Lianhua) has one card at Xinda Spraying for
    finishing, due back tomorrow, and one at Kaili Lacquer, three days overdue; order SO2614002 (Hongmei)
    was loaded and shipped nine days ago and its signed delivery note has not come back (overdue)."""
    from db.models import Carton, DeliveryNote, JobCard, OrderLine, OutsideWork, PickList
    from kiosk.cards.outside import save_supplier, send_out
    from kiosk.cards.route import route_stations
    from kiosk.core.clock import today as plant_today
    from kiosk.shipping.pick_lists import create_pick_list

    for code, name, contact, phone, days in SUPPLIERS:
        save_supplier(code, name, contact, phone, days)
    now, today = utcnow(), plant_today()
    outside = create_order(OrderInput(number="SO2614001", customer_code="LH", due_date=today + dt.timedelta(days=8),
                                      lines=[LineInput(model_no="DC-08", quantity=8)]), release=True, card_units=4)
    cards = list(JobCard.select().join(OrderLine).where(OrderLine.order == outside).order_by(JobCard.id))
    for (card, supplier, days_ago, back_in), badge in zip(((cards[0], "XD", 2, 1), (cards[1], "KL", 6, -3)),
                                                          ("W001", "W006"), strict=True):
        sent_at = now - dt.timedelta(days=days_ago)
        _scan("whitebody", card.code, badge, sent_at - dt.timedelta(hours=3))
        result = send_out(card.code, supplier, today + dt.timedelta(days=1), "demo", uuid.uuid4().hex)
        with write_transaction():
            OutsideWork.update(sent_at=sent_at, expected_back=today + dt.timedelta(days=back_in)).where(
                OutsideWork.job_card == card.id).execute()
            ScanEvent.update(at=sent_at).where(ScanEvent.id == result.event_id).execute()

    shipped_at = now - dt.timedelta(days=9)
    order = create_order(OrderInput(number="SO2614002", customer_code="HM", due_date=today - dt.timedelta(days=8),
                                    lines=[LineInput(model_no="DT-120", quantity=1),
                                           LineInput(model_no="DC-08", quantity=2)]), release=True)
    at = shipped_at - dt.timedelta(days=2)
    for card in JobCard.select().join(OrderLine).where(OrderLine.order == order).order_by(JobCard.id):
        for station in route_stations(card.route_id):
            if station.kind == "warehouse":
                break
            at += dt.timedelta(minutes=25)
            _scan(station.code, card.code, "W003", at, verdict="pass")
    cartons = list(Carton.select().join(OrderLine).where(OrderLine.order == order).order_by(Carton.id))
    for carton in cartons:
        at += dt.timedelta(minutes=2)
        _scan("warehouse", carton.code, "W008", at, location="A09")
    pick_list = create_pick_list("HM", {line.id: line.quantity for line in order.lines}, "粤A·3C920", "loading",
                                 today - dt.timedelta(days=9))
    _scan("loading", pick_list.code, "W004", shipped_at - dt.timedelta(minutes=30))
    for carton in cartons:
        _scan("loading", carton.code, "W004", shipped_at - dt.timedelta(minutes=20), pick_list=pick_list.code)
    _scan("loading", pick_list.code, "W004", shipped_at, finish="1")
    with write_transaction():
        ScanEvent.update(at=ScanEvent.scanned_at).where(ScanEvent.scanned_at.is_null(False)).execute()
        # scans older than a week keep the server's time (kiosk/scans.py): date this order's history here
        history = list(ScanEvent.select().where((ScanEvent.order == order.id) | (ScanEvent.pick_list == pick_list.id))
                       .order_by(ScanEvent.id))
        for index, event in enumerate(history):
            event.at = shipped_at - dt.timedelta(minutes=5 * (len(history) - 1 - index))
            event.save(only=[ScanEvent.at])
        DeliveryNote.update(printed_at=shipped_at).where(DeliveryNote.pick_list == pick_list.id).execute()
        PickList.update(finished_at=shipped_at).where(PickList.id == pick_list.id).execute()
