"""Compiled queries (db.compiled / run_compiled): from the second run on, rows are built from the kept plan
without peewee's row loop; they must be exactly the models peewee builds - same classes, data, joined
instances (a missing LEFT JOIN row as None), nothing dirty, lazy foreign keys still loading."""

from __future__ import annotations

import uuid

from peewee import JOIN

import db
from db import compiled, run_compiled
from db.models import JobCard, Order, OrderLine, Product, ScanEvent, Worker
from tests.factories import cards_of, make_order, scan


def shape(instance, depth: int = 0):
    """Everything a caller can see of a model instance: its class, data, cached relations, dirty fields."""
    if instance is None or depth > 4:
        return instance
    return (type(instance).__name__, dict(instance.__data__), sorted(instance._dirty),
            {name: shape(related, depth + 1) for name, related in instance.__rel__.items()})


def twice(key: str, build, **values):
    """The rows of a compiled query on its first run (peewee's loop), on a later run (the kept plan), and as
    peewee builds them from the same query uncompiled."""
    entry = compiled(f"test-{key}-{uuid.uuid4().hex}", build)
    first = run_compiled(entry, **values)
    later = run_compiled(entry, **values)
    plan = next(plan for (sql, *_rest), plan in db._row_plans.items() if sql == entry[1])
    reference = list(build(lambda name: values[name]))
    return first, later, reference, plan.get("_kiosk_hydrator")


def test_a_join_of_four_models_is_built_as_peewee_builds_it(plant):
    card = cards_of(make_order(lines=[("DT-120", 2)], note="Gift wrap"))[0]
    first, later, reference, hydrator = twice("card", lambda p: (
        JobCard.select(JobCard, OrderLine, Product, Order).join(OrderLine).join(Product).switch(OrderLine)
        .join(Order).where(JobCard.code == p("code"))), code=card.code)
    assert hydrator is not None  # the kept plan builds these rows
    assert [shape(r) for r in later] == [shape(r) for r in first] == [shape(r) for r in reference]
    row = later[0]
    assert row.order_line.order.note == "Gift wrap" and row.order_line.product.model_no == "DT-120"
    assert row.route.id == card.route_id  # not joined: loaded lazily, as peewee does


def test_a_left_join_with_no_row_on_the_right_is_none(plant):
    card = cards_of(make_order(lines=[("DT-120", 2)]))[0]
    scan("whitebody", card.code, badge="W001")
    with db.write_transaction():
        ScanEvent.update(worker=None).execute()

    def build(p):
        return (ScanEvent.select(ScanEvent.id, ScanEvent.code, ScanEvent.message, ScanEvent.worker, Worker.id,
                                 Worker.name)
                .join(Worker, on=(ScanEvent.worker == Worker.id), join_type=JOIN.LEFT_OUTER)
                .where(ScanEvent.code == p("code")))

    first, later, reference, hydrator = twice("left", build, code=card.code)
    assert hydrator is not None
    assert [shape(r) for r in later] == [shape(r) for r in first] == [shape(r) for r in reference]
    assert later[0].worker is None and later[0].worker_id is None
    assert isinstance(later[0].message, dict)  # a JSON field's value converted as peewee converts it


def test_one_model_with_a_foreign_key_and_a_json_field(plant):
    card = cards_of(make_order(lines=[("DT-120", 2)]))[0]
    scan("whitebody", card.code, badge="W002")
    first, later, reference, hydrator = twice("event", lambda p: ScanEvent.select().where(
        ScanEvent.code == p("code")), code=card.code)
    assert hydrator is not None
    assert [shape(r) for r in later] == [shape(r) for r in first] == [shape(r) for r in reference]
    event = later[0]
    assert event.worker.badge == "W002" and event.job_card.code == card.code  # lazy, as peewee loads them
    event.units = 9  # and a change is tracked as on any model
    assert "units" in event._dirty


def test_what_peewee_alone_can_build_stays_with_peewee(plant):
    make_order(lines=[("DT-120", 2)])
    from peewee import fn

    first, later, reference, hydrator = twice("count", lambda p: (
        JobCard.select(JobCard.route, fn.COUNT(JobCard.id).alias("cards")).where(JobCard.units >= p("units"))
        .group_by(JobCard.route)), units=1)
    assert hydrator is None  # an aggregate is no plain field
    assert [(r.route_id, r.cards) for r in later] == [(r.route_id, r.cards) for r in reference]


def test_a_computed_column_of_a_join_is_a_plain_attribute_as_peewee_makes_it(plant):
    """load_card's "is it out at a supplier" column (kiosk/cards/route.py): a subquery, not a field."""
    from peewee import fn

    card = cards_of(make_order(lines=[("DT-120", 2)]))[0]
    scan("whitebody", card.code, badge="W001")

    def build(p):
        latest = ScanEvent.select(fn.MAX(ScanEvent.id)).where(ScanEvent.job_card == JobCard.id)
        never = ScanEvent.select(fn.MAX(ScanEvent.id)).where((ScanEvent.job_card == JobCard.id)
                                                             & (ScanEvent.outcome == p("outcome")))
        return (JobCard.select(JobCard, OrderLine, latest.alias("latest_event"), never.alias("never_event"))
                .join(OrderLine).where(JobCard.code == p("code")))

    first, later, reference, hydrator = twice("computed", build, code=card.code, outcome="never")
    assert hydrator is not None
    assert [shape(r) for r in later] == [shape(r) for r in first] == [shape(r) for r in reference]
    assert ([(r.latest_event, r.never_event) for r in later] == [(r.latest_event, r.never_event) for r in reference]
            == [(ScanEvent.get(ScanEvent.job_card == card.id).id, None)])
