"""Test helpers for carriers: complete form data, credit codes with their check character, a listed carrier."""

from __future__ import annotations

import datetime
import random
from typing import Any

from techtransfer.accounts.models import User
from techtransfer.carriers import services
from techtransfer.carriers.models import Carrier, IncubatedFirm
from techtransfer.core.codetables import code_item
from techtransfer.lib.validators import uscc_check_character
from techtransfer.testing import Personas

PRIVATE_NOTE = "内部备注：运营补贴申请尚未批复"
FIRM_NOTE = "企业备注：拖欠房租两个月"
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(seed: int, *, region: str = "110108") -> str:
    """A well-formed enterprise credit code (category 91, "MA" organisation code) with its check character."""
    rng = random.Random(seed)
    first17 = "91" + region + "MA0" + "".join(rng.choice(_ALPHABET) for _ in range(6))
    return first17 + uscc_check_character(first17)


def carrier_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "示范大学科技园",
        "name_en": "Demo University Science Park",
        "carrier_type": code_item("carrier_type", "science_park"),
        "level": "national",
        "recognition_year": 2015,
        "recognised_by": "科学技术部、教育部",
        "district": code_item("region", "110108"),
        "address": "北京市海淀区示范路1号",
        "area_m2": 52000,
        "description": "依托北京示范大学建设的国家大学科技园。",
        "contact_name": "孙园区",
        "contact_phone": "010-62780001",
        "private_note": PRIVATE_NOTE,
    }
    data.update(overrides)
    return data


def make_carrier(p: Personas, *, by: User | None = None, listed: bool = False, **overrides: Any) -> Carrier:
    by = by or p.tto_officer
    owner = by.memberships.first().organisation
    carrier = services.carrier_create(by=by, owner=owner, data=carrier_data(**overrides),
                                      fields=[code_item("high_tech_field", "electronics")])
    if listed:
        carrier = services.carrier_submit(carrier=carrier, by=by)
        carrier = services.carrier_approve(carrier=carrier, by=p.commission_admin)
    return carrier


def add_firm(p: Personas, carrier: Carrier, seed: int, *, entry: datetime.date, exit_: datetime.date | None = None,
             status: str = "", by: User | None = None, **overrides: Any) -> IncubatedFirm:
    data = {
        "name": f"北京测试{seed}科技有限公司", "uscc": uscc(seed), "entry_date": entry, "graduation_date": exit_,
        "status": status or ("graduated" if exit_ else "incubating"),
        "field": code_item("high_tech_field", "electronics"), "note": FIRM_NOTE,
    }
    data.update(overrides)
    return services.firm_create(carrier=carrier, by=by or p.tto_officer, data=data)
