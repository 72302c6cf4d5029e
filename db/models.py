"""The plant's data: customers, products and routes, orders and job cards, cartons and pick lists,
the append-only scan event log, print jobs, users and kiosk devices.

Plain peewee models bound to `db.database`; no rules live here (see kiosk/ for those).
"""

from __future__ import annotations

import datetime as dt
import json

from peewee import (
    SQL,
    BlobField,
    BooleanField,
    CharField,
    CompositeKey,
    DateField,
    DateTimeField,
    DoubleField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from db import database


def utcnow() -> dt.datetime:
    """Naive UTC timestamp: one convention for SQLite and PostgreSQL alike."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class JSONField(TextField):
    """JSON stored as text, so SQLite and PostgreSQL hold the same thing."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


# -- stations and routes ---------------------------------------------------------------------------

# What a station does; the rules for each kind live in kiosk/stations/<kind>.py.
STATION_KINDS = ("process", "qc", "packing", "warehouse", "loading", "outside")  # outside: cards back from suppliers


class Station(BaseModel):
    code = CharField(max_length=32, unique=True)  # used in URLs: /station/<code>
    name_zh = CharField(max_length=64)
    name_en = CharField(max_length=64)
    kind = CharField(max_length=16)  # one of STATION_KINDS
    sort = IntegerField(default=0)
    receipt_printer = CharField(max_length=64, null=True)  # Printer.name
    label_printer = CharField(max_length=64, null=True)

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en


class Route(BaseModel):
    """The stations a product family passes through, in order."""

    name = CharField(max_length=64, unique=True)


class RouteStep(BaseModel):
    route = ForeignKeyField(Route, backref="steps", on_delete="CASCADE")
    seq = IntegerField()
    station = ForeignKeyField(Station, backref="route_steps")

    class Meta:
        indexes = ((("route", "seq"), True), (("route", "station"), True))


# -- master data -----------------------------------------------------------------------------------


class Customer(BaseModel):
    code = CharField(max_length=32, unique=True)
    name = CharField(max_length=128)
    address = CharField(max_length=256, default="")
    contact = CharField(max_length=64, default="")
    phone = CharField(max_length=32, default="")
    requires_payment_release = BooleanField(default=False)  # orders wait for finance by default (kiosk/payments.py)


class Product(BaseModel):
    model_no = CharField(max_length=32, unique=True)
    name = CharField(max_length=128)
    colour = CharField(max_length=64, default="")
    size = CharField(max_length=64, default="")
    cartons_per_unit = IntegerField(default=1)  # 包数: packages one unit ships in
    family = CharField(max_length=64, default="")
    route = ForeignKeyField(Route)
    finish = CharField(max_length=64, default="")  # fabric or finish (面料/工艺), shown with the colour


class Worker(BaseModel):
    badge = CharField(max_length=32, unique=True)
    name = CharField(max_length=64)
    active = BooleanField(default=True)


# -- orders ----------------------------------------------------------------------------------------

ORDER_STATUSES = (
    "draft",
    "released",
    "in_production",
    "packed",
    "in_stock",
    "partly_shipped",
    "shipped",
    "cancelled",
)


class Order(BaseModel):
    number = CharField(max_length=32, unique=True)
    customer = ForeignKeyField(Customer, backref="orders")
    due_date = DateField()
    rush = BooleanField(default=False)
    status = CharField(max_length=16, default="draft", index=True)
    on_hold = BooleanField(default=False)
    hold_reason = CharField(max_length=256, default="")
    destination = CharField(max_length=256, default="")
    # Who takes the goods at the destination (收货联系人 / phone); empty: the customer's default contact.
    contact = CharField(max_length=64, default="")
    phone = CharField(max_length=32, default="")
    note = TextField(default="")
    created_at = DateTimeField(default=utcnow)
    released_at = DateTimeField(null=True)
    kind = CharField(max_length=16, default="normal")  # "replacement": parts sent for a complaint
    replacement_for = ForeignKeyField("self", null=True, backref="replacements")  # the order complained about
    # Release for shipping by finance: "inherit" (the customer's default), "required" or "not_required".
    payment_release = CharField(max_length=16, default="inherit")
    payment_released_at = DateTimeField(null=True)
    payment_released_by = CharField(max_length=32, default="")


class OrderLine(BaseModel):
    order = ForeignKeyField(Order, backref="lines", on_delete="CASCADE")
    line_no = IntegerField()
    product = ForeignKeyField(Product)
    quantity = IntegerField()
    colour = CharField(max_length=64, default="")  # overrides the product's colour when set
    note = CharField(max_length=256, default="")
    finish = CharField(max_length=64, default="")  # overrides the product's fabric or finish when set

    class Meta:
        indexes = ((("order", "line_no"), True),)

    @property
    def colour_shown(self) -> str:
        return self.colour or self.product.colour

    @property
    def finish_shown(self) -> str:
        return self.finish or self.product.finish


class JobCard(BaseModel):
    """A traveller for some units of an order line; its code is what workers scan.

    `next_seq` is the route step the card waits for: steps with a lower seq are done.
    A rework card (QC fail) has `parent` set and starts at the station QC sent it back to.
    """

    code = CharField(max_length=32, unique=True)
    order_line = ForeignKeyField(OrderLine, backref="job_cards", on_delete="CASCADE")
    route = ForeignKeyField(Route)
    units = IntegerField()
    next_seq = IntegerField(default=0)
    status = CharField(max_length=16, default="open", index=True)  # open, done, void
    parent = ForeignKeyField("self", null=True, backref="rework_cards")
    rework_reason = CharField(max_length=128, default="")
    # Set when the order changed after this card started: stations refuse it with this message
    # ({"key": ..., "params": ...}) until the clerk clears it (kiosk/order_changes.py).
    change_notice = JSONField(default=None, null=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)


# -- cartons, warehouse, loading -------------------------------------------------------------------

CARTON_STATUSES = ("packed", "in_warehouse", "loaded")


class PickList(BaseModel):
    code = CharField(max_length=32, unique=True)
    customer = ForeignKeyField(Customer, backref="pick_lists")
    truck_plate = CharField(max_length=32, default="")
    dock = CharField(max_length=32, default="")
    ship_date = DateField()
    status = CharField(max_length=16, default="open")  # open, loading, finished
    override_reason = CharField(max_length=256, default="")
    created_at = DateTimeField(default=utcnow)
    finished_at = DateTimeField(null=True)


class PickListLine(BaseModel):
    pick_list = ForeignKeyField(PickList, backref="lines", on_delete="CASCADE")
    order_line = ForeignKeyField(OrderLine, backref="pick_list_lines")
    units = IntegerField()


class Carton(BaseModel):
    code = CharField(max_length=32, unique=True)
    job_card = ForeignKeyField(JobCard, backref="cartons", on_delete="CASCADE")
    order_line = ForeignKeyField(OrderLine, backref="cartons", on_delete="CASCADE")
    unit_no = IntegerField()  # which unit of the job card, 1-based
    package_no = IntegerField()  # i of N for that unit
    packages = IntegerField()  # N
    sscc = CharField(max_length=18, null=True, unique=True)
    status = CharField(max_length=16, default="packed", index=True)
    location = CharField(max_length=32, default="")
    pick_list = ForeignKeyField(PickList, null=True, backref="loaded_cartons")
    packed_at = DateTimeField(default=utcnow)
    stored_at = DateTimeField(null=True)
    loaded_at = DateTimeField(null=True)


# -- people and devices ----------------------------------------------------------------------------

ROLES = ("admin", "supervisor", "clerk", "warehouse", "finance")


class User(BaseModel):
    username = CharField(max_length=32, unique=True)
    name = CharField(max_length=64)
    role = CharField(max_length=16)
    password_hash = CharField(max_length=256)
    active = BooleanField(default=True)
    lang = CharField(max_length=8, default="")
    # issue 15: approvals at a kiosk (the supervisor's own badge + a PIN, hashed) and server-side sign-out
    badge = CharField(max_length=16, null=True, unique=True)
    pin_hash = CharField(max_length=256, default="")
    session_gen = IntegerField(default=0)  # raised by sign-out and a new password: older sessions end


class Device(BaseModel):
    """A kiosk browser, identified by a random token in its cookie, paired to one station."""

    token_hash = CharField(max_length=64, unique=True)
    pairing_code = CharField(max_length=8, index=True)
    station = ForeignKeyField(Station, null=True, backref="devices")
    label = CharField(max_length=64, default="")
    lang = CharField(max_length=8, default="")
    approved_by = CharField(max_length=32, default="")
    created_at = DateTimeField(default=utcnow)
    last_seen = DateTimeField(default=utcnow)
    address = CharField(max_length=64, default="")  # who asked to pair (pending pairings are capped per address)


# -- the event log ---------------------------------------------------------------------------------


class ScanEvent(BaseModel):
    """Append-only: every scan and every action, accepted or rejected. Never updated or deleted.

    `id` orders the log and is the Server-Sent Events id boards resume from.
    `idem_key` comes from the client, so a retried request is recorded once.
    """

    idem_key = CharField(max_length=64, unique=True)
    at = DateTimeField(default=utcnow, index=True)  # when the server recorded it
    scanned_at = DateTimeField(null=True)  # when the worker scanned (offline kiosks send later)
    station = ForeignKeyField(Station, null=True, backref="events")
    worker = ForeignKeyField(Worker, null=True, backref="events")
    user = CharField(max_length=32, default="")  # clerk or supervisor for desk actions
    code = CharField(max_length=64, default="")  # what was scanned, as typed
    action = CharField(max_length=24)  # e.g. pass, qc_pass, qc_fail, pack, store, load, undo
    outcome = CharField(max_length=12)  # ok, warning, rejected, duplicate
    reason = CharField(max_length=32, default="")  # machine-readable why, e.g. out_of_sequence
    message = JSONField(default=None, null=True)  # {"key": ..., "params": {...}} translated on display
    units = IntegerField(default=0)  # units this event moved (0 for rejections and duplicates)
    order = ForeignKeyField(Order, null=True, backref="events")
    job_card = ForeignKeyField(JobCard, null=True, backref="events")
    carton = ForeignKeyField(Carton, null=True, backref="events")
    pick_list = ForeignKeyField(PickList, null=True, backref="events")
    detail = JSONField(default=None, null=True)

    class Meta:
        indexes = ((("job_card", "station", "outcome"), False),
                   (("worker", "at"), False), (("action", "at"), False))  # a worker's day, rare actions (pay)


class BoardCount(BaseModel):
    """What the order board shows per order and station, kept as the log is written (db/board_counts.py).

    `units`: units through the station (job cards past it; at warehouse-in and loading, units whose
    cartons are all in or all loaded). `cards`: the order's live job cards whose route passes it (0: the
    stage does not apply). `cartons`: cartons through it (packing: every carton packed; warehouse-in:
    in or loaded; loading: loaded). Refreshed for an order in the transaction that changes it;
    `kiosk rebuild-board-counts` checks them against the cards and cartons.
    """

    order = ForeignKeyField(Order, on_delete="CASCADE", index=False)
    station = ForeignKeyField(Station, on_delete="CASCADE", index=False)
    units = IntegerField(default=0)
    cards = IntegerField(default=0)
    cartons = IntegerField(default=0)

    class Meta:
        primary_key = CompositeKey("order", "station")


# -- supervisor notes ------------------------------------------------------------------------------

# Why an order runs late, as a supervisor records it; labels and Chinese in kiosk/supervisor.py.
DELAY_REASONS = (
    "plan_error",
    "machine_fault",
    "material_shortage",
    "high_defect_rate",
    "rush_order_impact",
    "upstream_delay",
    "staffing",
)


class OrderDelay(BaseModel):
    """A delay reason recorded on an order: one of DELAY_REASONS, a note, who and when."""

    order = ForeignKeyField(Order, backref="delays", on_delete="CASCADE")
    reason = CharField(max_length=32)
    note = CharField(max_length=500, default="")
    user = CharField(max_length=32, default="")
    at = DateTimeField(default=utcnow, index=True)
    cleared_at = DateTimeField(null=True)  # a supervisor cleared it (schema v7): no longer shown as the reason
    cleared_by = CharField(max_length=32, default="")


# -- order follow-up: changes and the customer's status link ---------------------------------------


class OrderChange(BaseModel):
    """One change a clerk made to an order after entering it: what, before and after, who, when, why."""

    order = ForeignKeyField(Order, backref="changes", on_delete="CASCADE")
    line = ForeignKeyField(OrderLine, null=True, backref="changes", on_delete="CASCADE")
    field = CharField(max_length=16)  # quantity, cancel, colour, options, due_date
    before = CharField(max_length=256, default="")
    after = CharField(max_length=256, default="")
    reason = CharField(max_length=500, default="")
    user = CharField(max_length=32, default="")
    at = DateTimeField(default=utcnow, index=True)
    detail = JSONField(default=None, null=True)  # job cards adjusted, held, added


class StatusLink(BaseModel):
    """A customer's read-only link to one order's progress. Only a hash of its token is stored."""

    order = ForeignKeyField(Order, backref="status_links", on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    salt = CharField(max_length=64)  # the token is re-derived from this and the secret key to show it again
    created_by = CharField(max_length=32, default="")
    created_at = DateTimeField(default=utcnow)
    revoked_at = DateTimeField(null=True)
    revoked_by = CharField(max_length=32, default="")


# -- complaints and replacement parts (kiosk/complaints.py) ------------------------------------------


class Complaint(BaseModel):
    """A customer's complaint about shipped goods: which line, carton or part, what is wrong; a manager
    confirms it (and a replacement order is made) or rejects it, with a note."""

    code = CharField(max_length=32, unique=True)
    order = ForeignKeyField(Order, backref="complaints", on_delete="CASCADE")
    order_line = ForeignKeyField(OrderLine, backref="complaints", on_delete="CASCADE")
    carton = ForeignKeyField(Carton, null=True, backref="complaints", on_delete="SET NULL")
    part = CharField(max_length=128, default="")
    reason = CharField(max_length=32)  # one of kiosk.complaints.REASONS
    description = TextField(default="")
    units = IntegerField(default=1)  # units (or sets of the part) the customer needs again
    state = CharField(max_length=16, default="open", index=True)  # open, confirmed, rejected
    created_by = CharField(max_length=32, default="")
    created_at = DateTimeField(default=utcnow)
    decided_by = CharField(max_length=32, default="")
    decided_at = DateTimeField(null=True)
    decision_note = CharField(max_length=500, default="")
    replacement_order = ForeignKeyField(Order, null=True, backref="replacing_complaints")


class ComplaintPhoto(BaseModel):
    """A photo of the complaint, stored as a file under the instance folder; `path` is relative to it."""

    complaint = ForeignKeyField(Complaint, backref="photos", on_delete="CASCADE")
    path = CharField(max_length=256)
    content_type = CharField(max_length=32)
    size = IntegerField()
    uploaded_by = CharField(max_length=32, default="")
    created_at = DateTimeField(default=utcnow)


# -- delivery notes and outside work (kiosk/delivery_notes.py, kiosk/outside_work.py) ---------------


class DeliveryNote(BaseModel):
    """送货单: one per customer on a finished pick list. The customer signs a copy that comes back to the
    plant and is scanned in at the clerk desk (`returned_at`)."""

    code = CharField(max_length=32, unique=True)  # DN + digits: the note's own barcode
    pick_list = ForeignKeyField(PickList, backref="delivery_notes", on_delete="CASCADE")
    customer = ForeignKeyField(Customer, backref="delivery_notes")
    printed_at = DateTimeField(default=utcnow, index=True)
    returned_at = DateTimeField(null=True)
    returned_by = CharField(max_length=32, default="")

    class Meta:
        indexes = ((("pick_list", "customer"), True),)


class Supplier(BaseModel):
    """An outside workshop (外协厂) that does a route stage for the plant, e.g. spraying or carving."""

    code = CharField(max_length=32, unique=True)
    name = CharField(max_length=128)
    contact = CharField(max_length=64, default="")
    phone = CharField(max_length=32, default="")
    lead_days = IntegerField(default=7)  # usual days work stays there: the expected-back date's default
    active = BooleanField(default=True)


class OutsideWork(BaseModel):
    """A job card out at a supplier for one route stage: when it went, when it is due back, when it came."""

    job_card = ForeignKeyField(JobCard, backref="outside_work", on_delete="CASCADE")
    supplier = ForeignKeyField(Supplier, backref="work")
    station = ForeignKeyField(Station)  # the route stage the supplier does
    units = IntegerField()
    sent_at = DateTimeField(default=utcnow)
    sent_by = CharField(max_length=64, default="")
    expected_back = DateField()
    returned_at = DateTimeField(null=True, index=True)
    returned_by = CharField(max_length=64, default="")
    note = CharField(max_length=256, default="")


# -- printing --------------------------------------------------------------------------------------


class Printer(BaseModel):
    name = CharField(max_length=64, unique=True)
    uri = CharField(max_length=256)  # tcp://host:9100, usb://VID:PID, serial:///dev/ttyUSB0, file://, cups://
    language = CharField(max_length=8)  # escpos, zpl, tspl
    options = JSONField(default=None, null=True)  # e.g. {"chinese": "gb18030"|"raster", "dpi": 203}
    state = CharField(max_length=16, default="unknown")  # online, offline, unknown
    last_error = CharField(max_length=256, default="")
    last_contact = DateTimeField(null=True)
    offline_since = DateTimeField(null=True)  # when it last went from answering to not (schema v3)


class PrintJob(BaseModel):
    printer = ForeignKeyField(Printer, backref="jobs")
    document = CharField(max_length=64)  # e.g. "carton C-0192", "job card JC-1"
    payload = BlobField()
    # queued, sending, printed, unconfirmed (sent, not confirmed), maybe_printed, cancelled
    status = CharField(max_length=16, default="queued", index=True)
    attempts = IntegerField(default=0)
    last_error = CharField(max_length=256, default="")
    created_at = DateTimeField(default=utcnow)
    next_try_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True)
    # schema v3: reprints say why and who; a person's check of an unconfirmed job
    reprint_of = IntegerField(null=True)  # the job this one copies
    reason = CharField(max_length=128, default="")
    requested_by = CharField(max_length=64, default="")
    checked_by = CharField(max_length=64, default="")
    checked_at = DateTimeField(null=True)


class LabelVoid(BaseModel):
    """A carton label declared void (damaged, wrong, lost): loading refuses the carton until reprinted."""

    carton = ForeignKeyField(Carton, backref="label_voids", on_delete="CASCADE")
    reason = CharField(max_length=128)
    voided_by = CharField(max_length=64)
    voided_at = DateTimeField(default=utcnow)
    cleared_by_job = IntegerField(null=True)  # the reprint job that replaced the label
    cleared_at = DateTimeField(null=True)


# -- andon, alerts, plan (kiosk/andon/, kiosk/alerts/, kiosk/plan/; schema v7) -----------------------

ANDON_KINDS = ("material", "machine", "quality", "help")
ANDON_STATES = ("called", "acknowledged", "arrived", "fixed", "rechecked")


class AndonCall(BaseModel):
    """A call for help from a station: what kind, who called, for which order, and when each state came."""

    station = ForeignKeyField(Station, backref="andon_calls")
    kind = CharField(max_length=16)  # one of ANDON_KINDS
    state = CharField(max_length=16, default="called", index=True)  # one of ANDON_STATES
    open = BooleanField(default=True, index=True)
    level = IntegerField(default=0)  # escalation level reached (0: the first responders)
    called_by = ForeignKeyField(Worker, null=True, backref="andon_calls")
    order = ForeignKeyField(Order, null=True, backref="andon_calls")
    job_card = ForeignKeyField(JobCard, null=True, backref="andon_calls")
    note = CharField(max_length=256, default="")
    called_at = DateTimeField(default=utcnow, index=True)
    acknowledged_at = DateTimeField(null=True)
    acknowledged_by = CharField(max_length=64, default="")
    arrived_at = DateTimeField(null=True)
    arrived_by = CharField(max_length=64, default="")
    fixed_at = DateTimeField(null=True)
    fixed_by = ForeignKeyField(Worker, null=True, backref="andon_fixes")
    rechecked_at = DateTimeField(null=True)
    rechecked_by = CharField(max_length=64, default="")
    escalated_at = DateTimeField(null=True)
    closed_at = DateTimeField(null=True)


class AlertChannel(BaseModel):
    """Where alert messages go: a WeCom or DingTalk group robot (webhook) or mail recipients."""

    name = CharField(max_length=64, unique=True)
    kind = CharField(max_length=16)  # wecom, dingtalk, mail
    target = CharField(max_length=512)  # webhook URL, or mail addresses separated by commas
    secret = CharField(max_length=128, default="")  # DingTalk's signing secret (SEC...)
    lang = CharField(max_length=8, default="zh")
    active = BooleanField(default=True)


class AlertRule(BaseModel):
    """A condition a clerk or supervisor watches for, sent to one channel, outside quiet hours."""

    kind = CharField(max_length=24)  # card_waiting, projected_late, qc_fail_rate, printer_offline, andon_escalated
    threshold = CharField(max_length=16, default="")  # hours, percent, minutes or level, as the kind says
    station = ForeignKeyField(Station, null=True, backref="alert_rules")
    channel = ForeignKeyField(AlertChannel, backref="rules")
    quiet_from = CharField(max_length=5, default="")  # HH:MM plant time; empty: no quiet hours
    quiet_to = CharField(max_length=5, default="")
    active = BooleanField(default=True)
    created_by = CharField(max_length=32, default="")
    created_at = DateTimeField(default=utcnow)


class AlertState(BaseModel):
    """One condition of a rule while it holds: opened once (one message), cleared when it stops."""

    rule = ForeignKeyField(AlertRule, backref="states", on_delete="CASCADE")
    subject = CharField(max_length=96)  # what the condition is about, e.g. "card:JC-1"
    message = JSONField(default=None, null=True)
    opened_at = DateTimeField(default=utcnow)
    cleared_at = DateTimeField(null=True, index=True)


class AlertDelivery(BaseModel):
    """A message to a channel: queued, sent, or failed after its retries; the error is shown."""

    channel = ForeignKeyField(AlertChannel, backref="deliveries", on_delete="CASCADE")
    rule = ForeignKeyField(AlertRule, null=True, backref="deliveries", on_delete="SET NULL")
    state = ForeignKeyField(AlertState, null=True, backref="deliveries", on_delete="SET NULL")
    text = TextField()
    status = CharField(max_length=12, default="queued", index=True)  # queued, sent, failed, dropped
    attempts = IntegerField(default=0)
    last_error = CharField(max_length=256, default="")
    created_at = DateTimeField(default=utcnow)
    next_try_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True)
    test = BooleanField(default=False)


class StationPlan(BaseModel):
    """The units a station is planned to move on one day: entered, imported or derived."""

    station = ForeignKeyField(Station, backref="plans")
    day = DateField(index=True)
    units = IntegerField()
    source = CharField(max_length=12, default="entered")  # entered, imported, derived
    user = CharField(max_length=32, default="")
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("station", "day"), True),)


# -- piece pay (kiosk/pay/) -------------------------------------------------------------------------


class PayRate(BaseModel):
    """工价: what one pass at a station earns for a product (its model, or its family as a default).

    Append-only: a change is a new row with the time it takes effect, so past pay never changes.
    `tiers` are [[after_units, unit_fen], ...]: a higher unit rate after that many units in a day.
    Money is integer fen (分) everywhere.
    """

    station = ForeignKeyField(Station, backref="pay_rates")
    model_no = CharField(max_length=32, default="")  # a product's model, or "" for the family default
    family = CharField(max_length=64, default="")
    unit_fen = IntegerField(default=0)
    carton_fen = IntegerField(default=0)
    tiers = JSONField(default=None, null=True)
    rework_fen = IntegerField(default=0)  # per unit on a rework card's pass; 0: rework is not paid
    deduct_percent = IntegerField(default=100)  # of a unit's pay lost when QC fails it (质量扣减)
    effective_at = DateTimeField(index=True)  # naive UTC
    created_by = CharField(max_length=32, default="")
    created_at = DateTimeField(default=utcnow)


class Crew(BaseModel):
    """班组: workers who sign in together on one kiosk with the crew's card and share each pass."""

    code = CharField(max_length=32, unique=True)  # printed on the crew card, scanned like a badge
    name = CharField(max_length=64)
    active = BooleanField(default=True)


class CrewMember(BaseModel):
    crew = ForeignKeyField(Crew, backref="members", on_delete="CASCADE")
    worker = ForeignKeyField(Worker, backref="crews")
    share = IntegerField(default=1)  # weight of this worker's part of each pass
    seq = IntegerField(default=0)  # the first member signs the crew's scans

    class Meta:
        indexes = ((("crew", "worker"), True),)


class PassShare(BaseModel):
    """Who shared a crew's scan, copied from the event's detail so a worker's day is found by index."""

    event = ForeignKeyField(ScanEvent, backref="shares", on_delete="CASCADE")
    worker = ForeignKeyField(Worker, backref="pass_shares")
    share = IntegerField()


class PayPeriod(BaseModel):
    """A settled period (day, week or month) approved by a supervisor: locked, with its totals."""

    kind = CharField(max_length=8)  # day, week, month
    start = DateField(index=True)
    end = DateField()  # exclusive
    approved_by = CharField(max_length=32)
    approved_at = DateTimeField(default=utcnow)
    totals = JSONField(default=None, null=True)  # {worker_id: amount_fen} as approved


class PayAdjustment(BaseModel):
    """A correction after approval (or any time): a new audited line, never an edit of a settled one."""

    worker = ForeignKeyField(Worker, backref="pay_adjustments")
    day = DateField(index=True)  # plant date it counts on
    amount_fen = IntegerField()
    reason = CharField(max_length=200)
    user = CharField(max_length=32)
    at = DateTimeField(default=utcnow)


class PayLedger(BaseModel):
    """Piece pay kept as the scans arrive (kiosk/pay/ledger.py): each worker's passes summed per plant day,
    station, product, rework or not, the rate in force and the party (alone or the crew) that earned them.

    Counts only, never money: an amount is priced from these counts and the rates when read, so tiers,
    crews' splits and rate changes come out exactly as from the raw log. One row per member of a party
    (`member` is their place in it, 0 for the crew's lead, whose rows a settlement reads).
    """

    worker = ForeignKeyField(Worker, backref="pay_ledger")
    day = DateField()  # the plant day it is paid on
    station = ForeignKeyField(Station, backref="pay_ledger")
    model_no = CharField(max_length=32)
    family = CharField(max_length=64, default="")
    rework = BooleanField(default=False)
    rate = IntegerField(default=0)  # PayRate.id in force when scanned; 0: none (earns nothing)
    party = CharField(max_length=255)  # "worker:share,worker:share" in the crew's order
    member = IntegerField(default=0)
    units = IntegerField(default=0)
    cartons = IntegerField(default=0)
    passes = IntegerField(default=0)

    class Meta:
        indexes = ((("worker", "day", "station", "model_no", "family", "rework", "rate", "party", "member"), True),
                   (("day", "member"), False))


class PayDeduction(BaseModel):
    """A quality deduction kept with the failure that caused it: a worker's part of what they lose for units
    they passed at the responsible station (kiosk/pay/deductions.py). Removed with the failure's undo, and
    worked out again when the pass it was charged to is undone."""

    fault = ForeignKeyField(ScanEvent, backref="pay_deductions")
    culprit = ForeignKeyField(ScanEvent, backref="pay_charged")  # the pass it is charged to
    worker = ForeignKeyField(Worker, backref="pay_deductions")
    day = DateField()  # the failure's plant pay day
    amount_fen = IntegerField()  # negative
    station = ForeignKeyField(Station, backref="pay_deductions")  # where the units were passed
    model_no = CharField(max_length=32, default="")
    units = IntegerField(default=0)
    rework = BooleanField(default=False)
    reason = CharField(max_length=64, default="")
    code = CharField(max_length=64, default="")
    at = DateTimeField()  # the failure's scan time

    class Meta:
        indexes = ((("worker", "day"), False), (("day",), False), (("fault",), False), (("culprit",), False))


class PayLedgerFill(BaseModel):
    """One row once the ledger holds the whole log (kiosk/pay/ledger.py fills it after an upgrade). State of
    the schema, like SchemaVersion: not among ALL_MODELS (emptying the plant's data leaves it)."""

    filled_at = DateTimeField(default=utcnow)


class ThrottleCount(BaseModel):
    """Failed sign-in (or PIN) tries by key, shared by every server process (kiosk/people/throttle.py).

    `last` is seconds since the epoch (time.time()) of the latest counted try or wrong answer."""

    key = CharField(max_length=200, primary_key=True)  # pair:<account>|<address>, addr:..., acct:..., trust:...
    failures = IntegerField(default=0)
    last = DoubleField(default=0.0, index=True)


class StreamSlot(BaseModel):
    """One open live event stream, a lease its server process renews (kiosk/boards/slots.py): every
    process counts the same open streams, and a process that died frees its slots when they expire."""

    viewer = CharField(max_length=96, index=True)  # device:<id>, user:<id>:<sign-in time>, address:<ip>
    holder = CharField(max_length=96, index=True)  # the server process holding the stream
    expires = DoubleField(index=True)  # time.time() after which the slot counts as free


class PaySettings(BaseModel):
    """One row: how many times the pay rates or the approved periods have changed (db/schema.py keeps it
    with triggers on pay_rate and pay_period), so a server process keeps them in memory and asks one number
    per scan instead of reading them all (kiosk/pay/ledger.settings). `epoch` tells databases apart.
    State of the schema, like SchemaVersion: not among ALL_MODELS."""

    epoch = CharField(max_length=32)
    version = IntegerField(default=0)


class SchemaVersion(BaseModel):
    version = IntegerField()
    applied_at = DateTimeField(default=utcnow)


ALL_MODELS = [
    Station,
    Route,
    RouteStep,
    Customer,
    Product,
    Worker,
    Order,
    OrderLine,
    JobCard,
    PickList,
    PickListLine,
    Carton,
    User,
    Device,
    ScanEvent,
    OrderDelay,
    OrderChange,
    StatusLink,
    Printer,
    PrintJob,
    LabelVoid,
    Complaint,
    ComplaintPhoto,
    DeliveryNote,
    Supplier,
    OutsideWork,
    PayRate,
    Crew,
    CrewMember,
    PassShare,
    PayPeriod,
    PayAdjustment,
    PayLedger,
    PayDeduction,
    AndonCall,
    AlertChannel,
    AlertRule,
    AlertState,
    AlertDelivery,
    StationPlan,
    BoardCount,
    ThrottleCount,
    StreamSlot,
]

__all__ = [m.__name__ for m in ALL_MODELS] + ["SchemaVersion", "PayLedgerFill", "PaySettings", "ALL_MODELS", "utcnow",
                                              "SQL"]
