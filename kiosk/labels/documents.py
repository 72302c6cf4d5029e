"""What goes on each printed document, as plain frozen values.

Domain code fills these from the database; the layouts in `layout.py` turn them into drawings.
Nothing here knows about peewee or Flask, so labels can be rendered and tested on their own.
Bilingual data (a station name) may be given as {"zh": ..., "en": ...}; plain text prints as is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Bilingual = str | Mapping[str, str]


def localised(value: Bilingual, lang: str) -> str:
    """The text of a plain-or-bilingual value in `lang` (falling back to the other language)."""
    if isinstance(value, Mapping):
        return str(value.get(lang) or value.get("en") or value.get("zh") or "")
    return str(value)


def _freeze(obj: Any, name: str, convert=None) -> None:
    """Turn a list field into a tuple after __init__, so a document cannot change once built."""
    items = getattr(obj, name)
    object.__setattr__(obj, name, tuple(convert(item) if convert else item for item in items))


@dataclass(frozen=True)
class JobCardDoc:
    """A traveller that goes with some units of an order line through the plant."""

    code: str
    order_number: str
    customer: str
    product_model: str
    product_name: str
    colour: str
    size: str
    units: int
    due_date: dt.date
    route: tuple[Bilingual, ...] = ()
    rush: bool = False
    rework_of: str | None = None
    finish: str = ""  # fabric or finish (面料/工艺)
    note: str = ""  # the line's and the order's notes

    def __post_init__(self) -> None:
        _freeze(self, "route")


@dataclass(frozen=True)
class CartonDoc:
    """One carton: package `package_no` of `packages` for unit `unit_no` of `units` on its job card."""

    code: str
    sscc: str | None
    customer: str
    destination: str
    order_number: str
    product_model: str
    product_name: str
    colour: str
    package_no: int
    packages: int
    unit_no: int
    units: int
    replacement: bool = False
    replacement_for: str = ""  # a replacement-parts carton: the number of the order complained about


@dataclass(frozen=True)
class PickLine:
    """An order line to load: how many units and which cartons are expected on the truck."""

    order_number: str
    product_model: str
    product_name: str
    units: int
    cartons: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _freeze(self, "cartons")


def _pick_line(value: PickLine | Iterable[Any]) -> PickLine:
    return value if isinstance(value, PickLine) else PickLine(*value)


@dataclass(frozen=True)
class PickListDoc:
    """What the warehouse loads onto one truck; its code is scanned to start loading."""

    code: str
    customer: str
    truck_plate: str
    dock: str
    ship_date: dt.date
    lines: tuple[PickLine, ...] = ()

    def __post_init__(self) -> None:
        _freeze(self, "lines", _pick_line)

    @property
    def carton_count(self) -> int:
        return sum(len(line.cartons) for line in self.lines)


@dataclass(frozen=True)
class ManifestLine:
    """An order line as loaded: expected and loaded units, loaded and missing carton codes."""

    order_number: str
    product_model: str
    product_name: str
    units: int
    units_loaded: int
    cartons_loaded: tuple[str, ...] = ()
    cartons_missing: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _freeze(self, "cartons_loaded")
        _freeze(self, "cartons_missing")


def _manifest_line(value: ManifestLine | Iterable[Any]) -> ManifestLine:
    return value if isinstance(value, ManifestLine) else ManifestLine(*value)


@dataclass(frozen=True)
class ManifestDoc:
    """The loading manifest handed to the driver when a pick list is finished."""

    pick_list_code: str
    customer: str
    truck_plate: str
    dock: str
    finished_at: dt.datetime
    lines: tuple[ManifestLine, ...] = ()
    override_reason: str = ""

    def __post_init__(self) -> None:
        _freeze(self, "lines", _manifest_line)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(code for line in self.lines for code in line.cartons_missing)

    @property
    def cartons_loaded(self) -> int:
        return sum(len(line.cartons_loaded) for line in self.lines)

    @property
    def units_loaded(self) -> int:
        return sum(line.units_loaded for line in self.lines)
