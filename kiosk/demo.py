"""Demo plant: stations and routes, customers, products, workers and about 30 orders at
different stages, moved there by real scans through the same rules the kiosks use."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from db import write_transaction
from db.models import Customer, Order, Product, Route, RouteStep, ScanEvent, Station, Worker, utcnow
from kiosk.orders import LineInput, OrderInput, create_order, set_hold
from kiosk.scans import ScanRequest, record_scan

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
    seed_orders()
