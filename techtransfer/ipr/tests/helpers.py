"""Test helpers for IP records: complete form data and a record made through the services."""

from __future__ import annotations

import datetime
from typing import Any

from techtransfer.accounts.models import User
from techtransfer.core.codetables import code_item
from techtransfer.ipr import services
from techtransfer.ipr.models import IPRecord
from techtransfer.ipr.validators import patent_number_with_check
from techtransfer.testing import Personas

PRIVATE_NOTE = "内部备注：估值约三百万元，正与北京智造洽谈独占许可"


def record_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "ip_type": "invention",
        "number": patent_number_with_check("202310123456"),
        "title": "一种锂电池极片涂布厚度在线检测方法",
        "abstract": "利用激光三角测距在线测量极片涂布厚度，精度±1微米。",
        "application_date": datetime.date(2023, 3, 15),
        "grant_date": datetime.date(2024, 6, 21),
        "legal_status": code_item("ip_legal_status", "granted"),
        "field": code_item("high_tech_field", "energy"),
        "private_note": PRIVATE_NOTE,
    }
    data.update(overrides)
    return data


def make_record(p: Personas, *, by: User | None = None, public: bool = False, holders: Any = None,
                **overrides: Any) -> IPRecord:
    by = by or p.tto_officer
    owner = by.memberships.first().organisation
    record = services.ip_create(by=by, owner=owner, data=record_data(**overrides), holders=holders,
                                inventors=["李研究", "王成果"])
    if public:
        record = services.ip_publish(record=record, by=by)
    return record


def serial_number(serial: int, *, year: int = 2022, type_digit: str = "1") -> str:
    """A well-formed application number: year, type digit, 7-digit serial and check digit."""
    return patent_number_with_check(f"{year}{type_digit}{serial:07d}")
