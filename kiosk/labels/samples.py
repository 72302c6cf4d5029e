"""Sample documents with realistic Chinese and English content, for previews, benchmarks and tests.

Each is a plain function with defaults; pass keyword arguments to change any field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from kiosk.labels.documents import CartonDoc, JobCardDoc, ManifestDoc, ManifestLine, PickLine, PickListDoc

ROUTE = (
    {"zh": "白身", "en": "White body"},
    {"zh": "油漆", "en": "Finishing"},
    {"zh": "质检", "en": "QC"},
    {"zh": "包装", "en": "Packing"},
    {"zh": "入库", "en": "Warehouse in"},
    {"zh": "装车", "en": "Loading"},
)


def sample_carton(**overrides: Any) -> CartonDoc:
    doc = CartonDoc(
        code="C-000192",
        sscc=None,
        customer="联华家具有限公司",
        destination="上海市浦东新区 3 号仓",
        order_number="SO-2025-0088",
        product_model="WD-1800",
        product_name="三门衣柜 胡桃木",
        colour="胡桃色",
        package_no=2,
        packages=3,
        unit_no=4,
        units=5,
    )
    return dataclasses.replace(doc, **overrides)


def sample_job_card(**overrides: Any) -> JobCardDoc:
    doc = JobCardDoc(
        code="JC-000123",
        order_number="SO-2025-0088",
        customer="联华家具有限公司",
        product_model="WD-1800",
        product_name="三门衣柜 Three-door wardrobe",
        colour="胡桃色 Walnut",
        size="1800x600x2200",
        units=5,
        due_date=dt.date(2025, 3, 18),
        route=ROUTE,
    )
    return dataclasses.replace(doc, **overrides)


def sample_pick_list(**overrides: Any) -> PickListDoc:
    doc = PickListDoc(
        code="PL-0042",
        customer="联华家具有限公司",
        truck_plate="沪A·12345",
        dock="D3",
        ship_date=dt.date(2025, 3, 20),
        lines=(
            PickLine("SO-2025-0088", "WD-1800", "三门衣柜 胡桃木", 2,
                     ("C-000190", "C-000191", "C-000192", "C-000193", "C-000194", "C-000195")),
            PickLine("SO-2025-0091", "TB-1200", "餐桌 Dining table", 2, ("C-000201", "C-000202")),
        ),
    )
    return dataclasses.replace(doc, **overrides)


def sample_manifest(**overrides: Any) -> ManifestDoc:
    doc = ManifestDoc(
        pick_list_code="PL-0042",
        customer="联华家具有限公司",
        truck_plate="沪A·12345",
        dock="D3",
        finished_at=dt.datetime(2025, 3, 20, 15, 42),
        lines=(
            ManifestLine("SO-2025-0088", "WD-1800", "三门衣柜 胡桃木", 2, 1,
                         ("C-000190", "C-000191", "C-000192"), ("C-000193", "C-000194", "C-000195")),
            ManifestLine("SO-2025-0091", "TB-1200", "餐桌 Dining table", 2, 2, ("C-000201", "C-000202")),
        ),
        override_reason="客户同意先发一件 customer agreed",
    )
    return dataclasses.replace(doc, **overrides)
