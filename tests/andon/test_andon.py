"""Andon calls: each state with its time and who, escalation by the plant's minutes, the fixer's
badge, the order of a card just scanned, and a call becoming the delay reason of the orders it holds up."""

from __future__ import annotations

import datetime as dt

import pytest

from db.models import AndonCall, OrderDelay, ScanEvent, Station
from kiosk.andon import calls
from kiosk.andon.calls import AndonRefused, Limits
from kiosk.core import plant
from tests.factories import cards_of, make_order, scan

T0 = dt.datetime(2026, 3, 10, 2, 0, 0)  # naive UTC, 10:00 in the plant
LIMITS = Limits(acknowledged=3, arrived=10, fixed=30, rechecked=15, levels=3)


def minutes(n: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


@pytest.fixture
def finishing(plant):
    plant_cache_reset()
    return Station.get(Station.code == "finishing")


def plant_cache_reset():
    plant.forget()


def test_a_call_walks_through_every_state_with_its_time_and_who(finishing):
    found = calls.call(finishing, "machine", badge="W001", now=T0, limits=LIMITS)
    assert (found.state, found.open, found.called_by.badge, found.called_at) == ("called", True, "W001", T0)
    assert calls.awaited_state(found) == "acknowledged"
    assert calls.colour(found) == "red"

    found = calls.advance(found.id, "acknowledged", user="supervisor", now=minutes(1))
    assert (found.state, found.acknowledged_at, found.acknowledged_by) == ("acknowledged", minutes(1), "supervisor")
    found = calls.advance(found.id, "arrived", badge="W005", now=minutes(4))
    assert (found.state, found.arrived_at, found.arrived_by) == ("arrived", minutes(4), "陈静")
    assert found.open
    found = calls.advance(found.id, "fixed", badge="W005", now=minutes(20))
    assert (found.state, found.fixed_at, found.fixed_by.badge) == ("fixed", minutes(20), "W005")
    assert not found.open and found.closed_at == minutes(20)
    assert calls.colour(found) == "green"
    assert calls.minutes_open(found) == 20

    actions = [e.action for e in ScanEvent.select().where(ScanEvent.code == f"ANDON-{found.id}").order_by(ScanEvent.id)]
    assert actions == ["andon_call", "andon_acknowledged", "andon_arrived", "andon_fixed"]
    with pytest.raises(AndonRefused):
        calls.advance(found.id, "rechecked", badge="W002", now=minutes(21))


def test_a_quality_call_is_rechecked_by_someone_other_than_the_fixer(finishing):
    found = calls.call(finishing, "quality", badge="W001", now=T0, limits=LIMITS)
    assert calls.colour(found) == "yellow"
    calls.advance(found.id, "arrived", badge="W003", now=minutes(2))
    found = calls.advance(found.id, "fixed", badge="W003", now=minutes(10))
    assert found.open and calls.awaited_state(found) == "rechecked" and calls.colour(found) == "green"
    with pytest.raises(AndonRefused) as refused:
        calls.advance(found.id, "rechecked", badge="W003", now=minutes(11))
    assert "other than the fixer" in refused.value.message.key
    found = calls.advance(found.id, "rechecked", badge="W004", now=minutes(12))
    assert (found.state, found.open, found.rechecked_at) == ("rechecked", False, minutes(12))
    assert found.closed_at == minutes(12)


def test_arriving_acknowledges_and_fixing_needs_the_fixers_badge(finishing):
    found = calls.call(finishing, "help", now=T0, limits=LIMITS)
    assert found.called_by is None
    with pytest.raises(AndonRefused):
        calls.advance(found.id, "fixed", badge="W002", now=minutes(1))  # nobody arrived yet
    found = calls.advance(found.id, "arrived", badge="W002", now=minutes(2))
    assert found.acknowledged_at == minutes(2) and found.acknowledged_by == found.arrived_by
    with pytest.raises(AndonRefused):
        calls.advance(found.id, "fixed", user="clerk", now=minutes(3))  # a desk user has no badge
    with pytest.raises(AndonRefused):
        calls.advance(found.id, "fixed", badge="NOPE", now=minutes(3))
    with pytest.raises(AndonRefused):
        calls.advance(found.id, "arrived", badge="W003", now=minutes(3))  # already arrived
    assert calls.advance(found.id, "fixed", badge="W002", now=minutes(5)).closed_at == minutes(5)


def test_the_same_kind_twice_is_one_call_and_a_card_just_scanned_names_the_order(finishing):
    order = make_order(lines=[("DT-120", 4)])
    card = cards_of(order)[0]
    assert scan("whitebody", card.code).outcome == "ok"
    assert scan("finishing", card.code).outcome == "ok"
    first = calls.call(finishing, "material", badge="W001")
    assert (first.order_id, first.job_card_id) == (order.id, card.id)
    assert calls.colour(first) == "blue"
    again = calls.call(finishing, "material", badge="W002")
    assert again.id == first.id and AndonCall.select().count() == 1
    other = calls.call(Station.get(Station.code == "qc"), "material", badge="W002")
    assert other.id != first.id and other.order_id is None  # nothing scanned at QC


def test_escalation_one_level_per_limit_for_the_state_awaited(finishing):
    found = calls.call(finishing, "machine", now=T0, limits=LIMITS)
    assert calls.escalate_overdue(minutes(2.9), LIMITS) == []
    raised = calls.escalate_overdue(minutes(3), LIMITS)
    assert [c.id for c in raised] == [found.id] and raised[0].level == 1
    assert calls.escalate_overdue(minutes(4), LIMITS) == []  # once per level
    assert calls.escalate_overdue(minutes(6), LIMITS)[0].level == 2
    assert calls.escalate_overdue(minutes(60), LIMITS)[0].level == 3  # no higher than the last level
    assert calls.escalate_overdue(minutes(90), LIMITS) == []
    events = ScanEvent.select().where(ScanEvent.action == "andon_escalate").order_by(ScanEvent.id)
    assert [e.detail["level"] for e in events] == [1, 2, 3]


def test_escalation_counts_from_the_current_state(finishing):
    found = calls.call(finishing, "machine", now=T0, limits=LIMITS)
    calls.advance(found.id, "acknowledged", user="sup", now=minutes(1))
    assert calls.escalate_overdue(minutes(10.5), LIMITS) == []  # 9.5 minutes waiting to arrive, limit 10
    assert calls.escalate_overdue(minutes(11), LIMITS)[0].level == 1
    calls.advance(found.id, "arrived", badge="W002", now=minutes(12))
    assert calls.escalate_overdue(minutes(41), LIMITS) == []  # 29 of the 30 fixing minutes: level stays 1
    assert calls.escalate_overdue(minutes(72), LIMITS)[0].level == 2  # 60 minutes fixing: two limits
    calls.advance(found.id, "fixed", badge="W002", now=minutes(73))
    assert calls.escalate_overdue(minutes(500), LIMITS) == []  # closed calls never escalate


def test_limits_come_from_the_plant_settings():
    limits = Limits.from_config({"ANDON_ACK_MINUTES": "5", "ANDON_FIX_MINUTES": 45, "ANDON_LEVELS": 2})
    assert (limits.acknowledged, limits.arrived, limits.fixed, limits.levels) == (5, 10, 45, 2)


def test_a_call_becomes_the_delay_reason_of_the_orders_it_holds_up(finishing):
    waiting = make_order(lines=[("DT-120", 2)])
    elsewhere = make_order(lines=[("DT-120", 2)])
    card = cards_of(waiting)[0]
    scan("whitebody", card.code)  # now waits for finishing
    found = calls.call(finishing, "material", now=T0, limits=LIMITS)
    held = [o.number for o in calls.held_orders(found)]
    assert held == [waiting.number]
    made = calls.record_as_delay(found, [waiting.id, elsewhere.id], user="clerk1")
    assert [(d.order_id, d.reason) for d in made] == [(waiting.id, "material_shortage")]
    assert OrderDelay.select().where(OrderDelay.order == elsewhere.id).count() == 0
    assert made[0].note.startswith(f"ANDON-{found.id} finishing")
    with pytest.raises(AndonRefused):
        calls.record_as_delay(found, [elsewhere.id], user="clerk1")


def test_shown_calls_keep_a_fixed_call_green_for_a_while(finishing):
    found = calls.call(finishing, "machine", now=T0, limits=LIMITS)
    calls.advance(found.id, "arrived", badge="W002", now=minutes(1))
    calls.advance(found.id, "fixed", badge="W002", now=minutes(2))
    limits = Limits(resumed_minutes=10)
    assert [c.id for c in calls.shown_calls(minutes(11), limits=limits)] == [found.id]
    assert calls.shown_calls(minutes(13), limits=limits) == []


def test_a_migration_numbered_below_the_newest_applied_is_still_applied(tmp_path):
    """Migrations land in any order: a database already at v7 still gets v4 when it arrives later."""
    from peewee import SqliteDatabase

    from db import models, schema

    old = SqliteDatabase(str(tmp_path / "order.sqlite3"))
    with old.bind_ctx([models.SchemaVersion, *models.ALL_MODELS]):
        old.create_tables([models.SchemaVersion, *models.ALL_MODELS])
        for version in (1, 7):
            models.SchemaVersion.create(version=version)
        applied = schema.migrate(old)
        assert 7 not in applied and all(v in applied for v, _t, _s in schema.MIGRATIONS if v not in (1, 7))
        assert schema.migrate(old) == []
