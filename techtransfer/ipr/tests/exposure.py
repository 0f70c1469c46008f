"""IP records' part of tests/test_api_exposure.py: records with private parts, the URLs of every API read, and
the field rule each IP record in a response must follow."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from techtransfer.ipr import permissions, services
from techtransfer.ipr.models import IPRecord
from techtransfer.ipr.tests.helpers import PRIVATE_NOTE, make_record, serial_number

FEE = Decimal("4321.98")
SECRETS = [PRIVATE_NOTE, "4321.98"]


def ip_records(world: Any) -> dict[str, IPRecord]:
    """A draft and a public record of the university, each with the internal note and a fee; made once per world."""
    cached = getattr(world, "_ip_records", None)
    if cached is not None:
        return cached
    p = world.p
    draft = make_record(p, number=serial_number(9001), title="暴露测试草稿专利")
    public = make_record(p, number=serial_number(9002), title="暴露测试公开专利", public=True)
    for record in (draft, public):
        services.fee_add(record=record, by=p.tto_officer,
                         data={"due_date": datetime.date.today() + datetime.timedelta(days=10), "amount": FEE})
    services.ip_links_set(record=public, by=p.tto_officer, achievements=[world.achievement.pk])
    records = {"draft": draft, "public": public}
    world._ip_records = records
    return records


ROUTE_URLS = {
    "ip-records/": lambda w: ["ip-records/", "ip-records/?q=暴露测试", "ip-records/?status=draft"],
    "ip-records/analysis": lambda w: ["ip-records/analysis", "ip-records/analysis?field=energy&top=50"],
    "ip-records/fees-due": lambda w: ["ip-records/fees-due?days=730"],
    "ip-records/<int:pk>/": lambda w: [f"ip-records/{r.pk}/" for r in ip_records(w).values()],
}


def workflow_records(world: Any) -> list[Any]:
    return list(ip_records(world).values())


def check_ip_record(record: dict[str, Any], user: Any) -> None:
    """An IP record in a response shows its internal note, fees and next fee only to its unit and the commission."""
    if "display_number" in record and "reads_private" in record:
        ip = IPRecord.objects.get(pk=record["id"])
        if not permissions.reads_private(user, ip):
            assert record["reads_private"] is False and record["private_note"] == "" and record["fees"] == []
            assert record["next_fee_due"] is None and record["next_fee_amount"] is None


def reads_world(p: Any) -> dict[str, list[int]]:
    """For tests/test_reads_never_write.py: a draft and a public record with fees and a link."""
    draft = make_record(p, number=serial_number(9101), title="只读测试草稿")
    public = make_record(p, number=serial_number(9102), title="只读测试公开", public=True)
    services.fee_add(record=public, by=p.tto_officer,
                     data={"due_date": datetime.date.today() + datetime.timedelta(days=5), "amount": FEE})
    return {"ip_record": [draft.pk, public.pk]}
