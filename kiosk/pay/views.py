"""Piece pay pages: the rate table (工价表) and crews for supervisors, settlement (对账) with approval and
export, and "my day" on a station kiosk. The rules are in kiosk/pay/*.py."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from db import write_transaction
from db.models import Crew, CrewMember, PayRate, Product, Worker, utcnow
from kiosk.core import crews, plant
from kiosk.core.clock import today
from kiosk.core.roles import SUPERVISORS
from kiosk.core.text import clean_text
from kiosk.eventlog.audit import record_action
from kiosk.i18n import msg
from kiosk.pay import export, rate_import, settlement
from kiosk.pay.money import parse_fen, yuan
from kiosk.pay.myday import my_day
from kiosk.pay.rates import RateInput, RateRefused, current_rates, set_rate
from kiosk.people.auth import current_username, kiosk_station, require
from kiosk.web import current_lang, flash_msg

bp = Blueprint("pay", __name__)
PAY_READERS = (*SUPERVISORS, "finance")  # settlement: read and export; approval is the supervisors'


@bp.app_template_filter("yuan")
def yuan_filter(fen) -> str:
    return yuan(int(fen or 0))


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "")[:10]) if value else None
    except ValueError:
        return None


# -- rates and crews -------------------------------------------------------------------------------


def _in_force() -> set[int]:
    """Ids of the rates in force now (the newest started row of each station and product)."""
    now, found, seen = utcnow(), set(), set()
    for row in PayRate.select().where(PayRate.effective_at <= now).order_by(PayRate.effective_at.desc(),
                                                                              PayRate.id.desc()):
        key = (row.station_id, row.model_no, row.family)
        if key not in seen:
            seen.add(key)
            found.add(row.id)
    return found


@bp.get("/pay/rates")
@require(*SUPERVISORS)
def rates_page():
    crew_list = list(Crew.select().order_by(Crew.code))
    members = {}
    for member in CrewMember.select(CrewMember, Worker).join(Worker).order_by(CrewMember.seq, CrewMember.id):
        members.setdefault(member.crew_id, []).append(member)
    return render_template(
        "pay/rates.html", rates=current_rates(), in_force=_in_force(), stations=plant.stations(),
        models=[p.model_no for p in Product.select().order_by(Product.model_no)],
        families=sorted({p.family for p in Product.select() if p.family}), crews=crew_list, members=members,
        today=today(), errors=None)


def _tiers_from_form(text: str):
    tiers = rate_import._tiers(text or "")
    if tiers is None:
        raise RateRefused(msg("Tiers are written like 10:1.50; 20:2.00"))
    return tiers


@bp.post("/pay/rates")
@require(*SUPERVISORS)
def add_rate():
    form = request.form
    try:
        amounts = {}
        for name in ("unit", "carton", "rework"):
            text = (form.get(name) or "").strip() or "0"
            amounts[name] = parse_fen(text[:20])
            if amounts[name] is None:
                raise RateRefused(msg("“{value}” is not an amount in yuan.", value=text[:20]))
        deduct = (form.get("deduct") or "100").strip()
        if not deduct.isdigit():
            raise RateRefused(msg("The quality deduction is a percentage from 0 to 100."))
        product = (form.get("product") or "")[:70]
        kind, _, name = product.partition(":")
        rate = set_rate(RateInput(
            station_code=(form.get("station") or "")[:32], model_no=name if kind == "model" else "",
            family=name if kind == "family" else "", unit_fen=amounts["unit"], carton_fen=amounts["carton"],
            rework_fen=amounts["rework"], deduct_percent=int(deduct[:3]),
            tiers=_tiers_from_form((form.get("tiers") or "")[:200]) or None,
            effective=_date(form.get("effective")) or today()), current_username())
    except RateRefused as refused:
        flash_msg(refused.message, "error")
    else:
        flash_msg(msg("Rate saved: {product} at {station}.", product=rate.model_no or rate.family,
                      station={"zh": rate.station.name_zh, "en": rate.station.name_en}), "ok")
    return redirect(url_for("pay.rates_page"), code=303)


@bp.post("/pay/rates/import")
@require(*SUPERVISORS)
def import_rates():
    upload = request.files.get("file")
    content = upload.read(rate_import.MAX_TOTAL_BYTES + 1) if upload else b""
    try:
        if not content:
            raise rate_import.ImportRefused([rate_import.RowError(0, msg("Choose an XLSX file."))])
        count = rate_import.import_rates(content, current_username())
    except rate_import.ImportRefused as refused:
        return render_template("pay/_import_errors.html", errors=refused.errors), 400
    flash_msg(msg("{n} rates imported.", n=count), "ok")
    return redirect(url_for("pay.rates_page"), code=303)


def _members_from_text(text: str) -> list[tuple[Worker, int]]:
    """"W001:2, W002" -> [(worker, 2), (worker, 1)]."""
    found = []
    for part in text.replace("，", ",").replace(";", ",").split(","):
        badge, _, share = part.strip().partition(":")
        if not badge:
            continue
        worker = Worker.get_or_none((Worker.badge == badge.strip()[:32]) & Worker.active)
        if worker is None:
            raise RateRefused(msg("No active worker has badge {badge}.", badge=badge.strip()[:32]))
        share = share.strip() or "1"
        if not share.isdigit() or not 1 <= int(share) <= 100:
            raise RateRefused(msg("A share is a whole number from 1 to 100."))
        found.append((worker, int(share)))
    if not found:
        raise RateRefused(msg("A crew needs at least one worker."))
    if len({w.id for w, _ in found}) != len(found):
        raise RateRefused(msg("A worker is listed twice."))
    return found


@bp.post("/pay/crews")
@require(*SUPERVISORS)
def save_crew():
    form = request.form
    code = clean_text(form.get("code") or "", 32).upper()
    name = clean_text(form.get("name") or "", 64)
    try:
        if not code.startswith(crews.CREW_PREFIX) or not code.isalnum() or not name:
            raise RateRefused(msg("A crew needs a code starting with CR (letters and digits) and a name."))
        if Worker.select().where(Worker.badge == code).exists():
            raise RateRefused(msg("Badge {badge} already belongs to a worker.", badge=code))
        members = _members_from_text((form.get("members") or "")[:500])
        with write_transaction():
            crew, _created = Crew.get_or_create(code=code, defaults={"name": name})
            crew.name, crew.active = name, form.get("active", "1") == "1"
            crew.save()
            CrewMember.delete().where(CrewMember.crew == crew).execute()
            for seq, (worker, share) in enumerate(members):
                CrewMember.create(crew=crew, worker=worker, share=share, seq=seq)
            record_action("pay_crew", current_username(), msg(
                "Crew {code} ({name}) set by {user}: {members}.", code=code, name=name, user=current_username(),
                members=", ".join(f"{w.name} {s}" for w, s in members)),
                code=code, detail={"crew": crew.id, "members": [[w.id, s] for w, s in members]})
    except RateRefused as refused:
        flash_msg(refused.message, "error")
    else:
        flash_msg(msg("Crew {code} saved.", code=code), "ok")
    return redirect(url_for("pay.rates_page") + "#crews", code=303)


# -- settlement ------------------------------------------------------------------------------------


def _period_args():
    kind = request.values.get("kind") or "month"
    if kind not in settlement.PERIOD_KINDS:
        kind = "month"
    return kind, _date(request.values.get("day")) or today()


@bp.get("/pay/settlement")
@require(*PAY_READERS)
def settlement_page():
    kind, day = _period_args()
    found = settlement.settle(kind, day)
    return render_template("pay/settlement.html", s=found, kind=kind, day=day, kinds=settlement.PERIOD_KINDS,
                           stations={s.id: s for s in plant.stations()},
                           workers=list(Worker.select().where(Worker.active).order_by(Worker.badge)),
                           can_approve=found.period is None and found.start <= today(), timedelta=dt.timedelta,
                           today_date=today())


@bp.get("/pay/settlement.xlsx")
@require(*PAY_READERS)
def settlement_xlsx():
    kind, day = _period_args()
    found = settlement.settle(kind, day)
    data = export.export_xlsx(found, current_lang())
    name = f"pay-{kind}-{found.start.isoformat()}.xlsx"
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/pay/settlement/approve")
@require(*SUPERVISORS)
def approve():
    kind, day = _period_args()
    try:
        settlement.approve(kind, day, current_username())
    except settlement.SettlementRefused as refused:
        flash_msg(refused.message, "error")
    else:
        flash_msg(msg("Approved and locked."), "ok")
    return redirect(url_for("pay.settlement_page", kind=kind, day=day.isoformat()), code=303)


@bp.post("/pay/adjustments")
@require(*SUPERVISORS)
def add_adjustment():
    kind, day = _period_args()
    worker = Worker.get_or_none(Worker.badge == (request.form.get("badge") or "")[:32])
    try:
        if worker is None:
            raise settlement.SettlementRefused(msg("Choose a worker."))
        settlement.adjust(worker, parse_fen((request.form.get("amount") or "")[:20]), request.form.get("reason", ""),
                          current_username(), _date(request.form.get("on")) or today())
    except settlement.SettlementRefused as refused:
        flash_msg(refused.message, "error")
    else:
        flash_msg(msg("Adjustment recorded."), "ok")
    return redirect(url_for("pay.settlement_page", kind=kind, day=day.isoformat()), code=303)


# -- my day at the kiosk ---------------------------------------------------------------------------


@bp.get("/station/<code>/my-day")
@kiosk_station()
def my_day_panel(code: str):
    """The signed-in worker's day, in place of the scan answer; the next scan replaces it."""
    station = plant.station_by_code(code[:32])
    if station is None:
        abort(404)
    badge = (request.args.get("badge") or "")[:64]
    worker = Worker.get_or_none((Worker.badge == badge) & Worker.active) if badge else None
    crew = crews.crew_by_code(badge) if worker is None else None
    day = my_day(worker) if worker is not None else None
    return render_template("pay/_my_day.html", station=station, day=day, crew=crew,
                           stations={s.id: s for s in plant.stations()})
