"""Paired kiosks: a browser (or camera agent) an admin has bound to one station.

A kiosk browser asks to be paired and gets a random token (kept in its cookie; only a hash is
stored) and a short pairing code to show on screen. An admin approves the code for one station;
from then on that device may record scans there and nowhere else. A device approved without a
station is a display (boards) and records nothing. No Flask here: kiosk/auth.py reads the cookie.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from peewee import JOIN

from db import compiled, database, is_postgres, run_compiled, write_transaction
from db.models import Device, Station, utcnow
from kiosk.core import plant
from kiosk.core.errors import Refusal
from kiosk.core.text import clean_text
from kiosk.eventlog.audit import record_action
from kiosk.i18n import Msg, msg

PAIRING_ALPHABET = "0123456789"  # digits: read aloud and typed alike by everyone, whatever their language
PAIRING_CODE_LENGTH = 8
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
TOUCH_EVERY = dt.timedelta(seconds=60)  # how often "last contact" is written, not on every request
FORGET_PENDING_AFTER = dt.timedelta(days=1)


class DeviceError(Refusal):
    """A kiosk pairing that cannot be done as asked; `message` says why."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_paired(device: Device | None) -> bool:
    """Approved by an admin (for a station, or as a display)."""
    return device is not None and bool(device.approved_by)


def paired_station_id(device: Device | None) -> int | None:
    return device.station_id if is_paired(device) else None


def find_device(token: str | None) -> Device | None:
    """The device holding `token`, or None for a missing, malformed or forgotten token."""
    if not token or not TOKEN_RE.match(token):
        return None
    query = compiled("device-by-token", lambda p: Device.select().where(Device.token_hash == p("hash")))
    rows = run_compiled(query, hash=hash_token(token))  # every kiosk request asks: SQL built once
    return rows[0] if rows else None


def format_code(code: str) -> str:
    """48239157 -> 4823-9157: easier to read aloud and compare."""
    return f"{code[:4]}-{code[4:]}" if len(code) == PAIRING_CODE_LENGTH else code


def normalise_code(text: str) -> str:
    return "".join(ch for ch in str(text or "").upper() if ch in PAIRING_ALPHABET)[:PAIRING_CODE_LENGTH]


def new_pairing_code() -> str:
    while True:
        code = "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(PAIRING_CODE_LENGTH))
        if not Device.select().where(Device.pairing_code == code).exists():
            return code


PENDING_PER_ADDRESS = 5  # kiosks one address may have waiting at once; its oldest is dropped beyond
PAIRING_LOCK = 7312016  # PostgreSQL advisory lock: pairing requests counted one at a time, on every server


def register_device(max_pending: int = 50, address: str = "", per_address: int = PENDING_PER_ADDRESS
                    ) -> tuple[Device, str]:
    """A new unpaired device and its token (to put in the browser's cookie; not stored).

    One address has at most `per_address` waiting (its oldest request is dropped for a new one), so a
    visitor posting /pair in a loop cannot fill the queue the real kiosks need."""
    address = str(address or "")[:64]
    with write_transaction():
        if is_postgres():  # SQLite's write lock already lets one request count at a time, over every process
            database.execute_sql(f"SELECT pg_advisory_xact_lock({PAIRING_LOCK})")
        cutoff = utcnow() - FORGET_PENDING_AFTER
        Device.delete().where((Device.approved_by == "") & (Device.last_seen < cutoff)).execute()
        mine = list(Device.select(Device.id).where((Device.approved_by == "") & (Device.address == address))
                    .order_by(Device.created_at.desc(), Device.id.desc()))
        if len(mine) >= per_address:
            Device.delete().where(Device.id.in_([d.id for d in mine[per_address - 1:]])).execute()
        if Device.select().where(Device.approved_by == "").count() >= max_pending:
            raise DeviceError(msg("Too many kiosks are waiting to be paired. Ask an admin to pair or "
                                  "remove them first."))
        token = secrets.token_urlsafe(32)
        device = Device.create(token_hash=hash_token(token), pairing_code=new_pairing_code(), address=address)
    return device, token


def touch(device: Device) -> None:
    """Note the device's last contact, at most once a minute."""
    now = utcnow()
    if device.last_seen and now - device.last_seen < TOUCH_EVERY:
        return
    with write_transaction():
        Device.update(last_seen=now).where(Device.id == device.id).execute()
    device.last_seen = now


def set_lang(device: Device, lang: str) -> None:
    with write_transaction():
        Device.update(lang=lang).where(Device.id == device.id).execute()
    device.lang = lang


def _clean_label(label: str) -> str:
    return clean_text(label, 64)


def approve(code: str, station: Station | None, label: str, by: str) -> Device:
    """Pair the waiting device showing `code` with `station` (None: a display that records nothing)."""
    code = normalise_code(code)
    with write_transaction():
        device = Device.get_or_none((Device.pairing_code == code) & (Device.approved_by == "")) if code else None
        if device is None:
            raise DeviceError(msg("No kiosk is waiting with the code {code}. Check the code on the kiosk's "
                                  "screen.", code=format_code(code) or "-"))
        device.station = station
        device.label = _clean_label(label) or (station.code if station else "display")
        device.approved_by = by[:32]
        device.save()
        record_action("device_paired", by, _paired_message(device, station),
                      detail={"device": device.id, "station": station.code if station else None})
    return device


def _paired_message(device: Device, station: Station | None) -> Msg:
    if station is None:
        return msg("Device {label} paired as a display.", label=device.label)
    return msg("Device {label} paired with {station}.", label=device.label,
               station=plant.station_label(station))


def add_agent(station: Station, label: str, by: str) -> tuple[Device, str]:
    """A scanner program (camera agent) for `station`, paired at once; its token is shown only now."""
    with write_transaction():
        token = secrets.token_urlsafe(32)
        device = Device.create(token_hash=hash_token(token), pairing_code=new_pairing_code(), station=station,
                               label=_clean_label(label) or f"agent-{station.code}", approved_by=by[:32])
        record_action("device_paired", by, _paired_message(device, station),
                      detail={"device": device.id, "station": station.code, "agent": True})
    return device, token


def unpair(device: Device, by: str) -> Device:
    """Take the device off its station: it records nothing until paired again with its new code."""
    with write_transaction():
        device = Device.get_by_id(device.id)
        station = device.station
        device.station = None
        device.approved_by = ""
        device.pairing_code = new_pairing_code()
        device.last_seen = utcnow()  # not forgotten as idle straight away
        device.save()
        record_action("device_unpaired", by, msg("Device {label} unpaired.", label=device.label or "-"),
                      detail={"device": device.id, "station": station.code if station else None})
    return device


def remove(device: Device, by: str) -> None:
    """Forget a device: its token stops working at once."""
    with write_transaction():
        label = device.label or format_code(device.pairing_code)
        Device.delete().where(Device.id == device.id).execute()
        record_action("device_removed", by, msg("Device {label} removed.", label=label),
                      detail={"device": device.id})


def may_record_at(device: Device | None, station_code: str) -> bool:
    """Only a device paired with this very station may record scans at it."""
    if not is_paired(device) or device.station_id is None:
        return False
    station = plant.station_by_code(station_code)
    return station is not None and device.station_id == station.id


def list_devices() -> list[Device]:
    """Paired devices first (by station), then those waiting, most recently seen first."""
    devices = list(Device.select(Device, Station).join(Station, JOIN.LEFT_OUTER)
                   .order_by(Device.last_seen.desc()))
    return sorted(devices, key=lambda d: (not is_paired(d), d.station.sort if d.station_id else 999))
