"""Carriers' part of tests/test_api_exposure.py: carriers and firms with internal notes, the URLs of every API
read, and the field rule each carrier or firm in a response must follow."""

from __future__ import annotations

import datetime
from typing import Any

from techtransfer.carriers import permissions
from techtransfer.carriers.models import Carrier, IncubatedFirm
from techtransfer.carriers.tests.helpers import FIRM_NOTE, PRIVATE_NOTE, add_firm, make_carrier
from techtransfer.core.codetables import code_item

SECRETS = [PRIVATE_NOTE, FIRM_NOTE]


def carriers(world: Any) -> dict[str, Any]:
    """A listed and a draft carrier of the university, each with a firm and internal notes; made once per world."""
    cached = getattr(world, "_carriers", None)
    if cached is not None:
        return cached
    p = world.p
    listed = make_carrier(p, listed=True, name="暴露测试科技园")
    draft = make_carrier(p, name="暴露测试孵化器", carrier_type=code_item("carrier_type", "incubator"))
    records = {
        "listed": listed, "draft": draft,
        "listed_firm": add_firm(p, listed, 9001, entry=datetime.date(2023, 1, 1)),
        "draft_firm": add_firm(p, draft, 9002, entry=datetime.date(2023, 1, 1)),
    }
    world._carriers = records
    return records


ROUTE_URLS = {
    "carriers/": lambda w: ["carriers/", "carriers/?q=暴露测试", "carriers/?status=draft"],
    "carriers/incubation": lambda w: ["carriers/incubation", "carriers/incubation?on=2024-01-01"],
    "carriers/<int:pk>/": lambda w: [f"carriers/{carriers(w)[k].pk}/" for k in ("listed", "draft")],
    "carriers/<int:pk>/firms/": lambda w: [f"carriers/{carriers(w)[k].pk}/firms/" for k in ("listed", "draft")],
    "carriers/<int:pk>/firms/<int:firm_pk>/": lambda w: [
        f"carriers/{carriers(w)[k].pk}/firms/{carriers(w)[f'{k}_firm'].pk}/" for k in ("listed", "draft")
    ],
}


def workflow_records(world: Any) -> list[Any]:
    return [carriers(world)["listed"], carriers(world)["draft"]]


def check_carrier_record(record: dict[str, Any], user: Any) -> None:
    """A carrier shows its internal and review notes, a firm its note, only to the operator and its reviewers."""
    if "firms_incubating" in record and "private_note" in record:
        carrier = Carrier.objects.get(pk=record["id"])
        if not Carrier.objects.filter(permissions.carrier_private_q(user), pk=carrier.pk).exists():
            assert record["private_note"] == "" and record["review_note"] == ""
    if "uscc" in record and "entry_date" in record and "note" in record:
        firm = IncubatedFirm.objects.get(pk=record["id"])
        if not Carrier.objects.filter(permissions.carrier_private_q(user), pk=firm.carrier_id).exists():
            assert record["note"] == ""


def reads_world(p: Any) -> dict[str, list[int]]:
    """For tests/test_reads_never_write.py: a listed and a draft carrier, each with a firm."""
    listed = make_carrier(p, listed=True, name="只读测试科技园")
    draft = make_carrier(p, name="只读测试孵化器", carrier_type=code_item("carrier_type", "incubator"))
    add_firm(p, listed, 9101, entry=datetime.date(2023, 1, 1))
    add_firm(p, draft, 9102, entry=datetime.date(2023, 1, 1))
    return {"carrier": [listed.pk, draft.pk]}
