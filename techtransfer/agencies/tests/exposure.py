"""Agencies' part of tests/test_api_exposure.py: records with private parts, the URLs of every API read, and the
field rule each profile in a response must follow."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.agencies import permissions, services
from techtransfer.agencies.choices import AgencyKind
from techtransfer.agencies.models import Agency, HelpRequest
from techtransfer.agencies.tests.helpers import broker_data, list_it, lists
from techtransfer.testing import make_org, make_user

RETURN_REASON = "机构退回理由午：营业执照经营范围不含技术中介"
HELP_MESSAGE = "委托留言未：请勿外传我方配方"
TURNOVER = Decimal("97531.00")
SECRETS = [RETURN_REASON, HELP_MESSAGE, "97531"]


@dataclass
class AgencyRecords:
    draft: Agency  # an institution's profile, returned with a reason
    listed: Agency  # a broker with a filing
    help_request: HelpRequest


def agency_records(world: Any) -> AgencyRecords:
    """Made once per test world (the routes' URL functions share it)."""
    cached = getattr(world, "_agency_records", None)
    if cached is not None:
        return cached
    p = world.p
    institution = make_org("北京午未技术转移有限公司", OrgType.TRANSFER_INSTITUTION, region="110105")
    officer = make_user("wuwei_officer", institution, Role.TTO_OFFICER)
    draft = services.agency_create(
        by=officer, kind=AgencyKind.INSTITUTION, organisation=institution, data={"description": "简介"}, **lists()
    )
    services.agency_submit(agency=draft, by=officer)
    services.agency_return(agency=draft, by=p.reviewer, reason=RETURN_REASON)
    broker = make_user("wuwei_broker", None)
    listed = services.agency_create(
        by=broker, kind=AgencyKind.BROKER, data=broker_data(certificate_number="JJR-EXPOSURE"), **lists()
    )
    listed = list_it(listed, broker, p.reviewer, on=datetime.date(2024, 5, 10))
    services.filing_submit(agency=listed, by=broker, year=2024, data={"contracts_brokered": 3, "turnover": TURNOVER})
    help_request = services.help_request_open(
        by=world.ent.staff, agency=listed, demand=world.demand, message=HELP_MESSAGE
    )
    records = AgencyRecords(draft, listed, help_request)
    world._agency_records = records
    return records


ROUTE_URLS = {
    "agencies/": lambda w: ["agencies/", "agencies/?q=技术评估", "agencies/?scope=mine", "agencies/?scope=review"],
    "agencies/<int:pk>/": lambda w: [
        f"agencies/{a.pk}/" for a in (agency_records(w).draft, agency_records(w).listed)
    ],
    "agencies/<int:pk>/filings/": lambda w: [
        f"agencies/{a.pk}/filings/" for a in (agency_records(w).draft, agency_records(w).listed)
    ],
    "agencies/help-requests/": lambda w: ["agencies/help-requests/"],
    "agencies/help-requests/<int:pk>/": lambda w: [f"agencies/help-requests/{agency_records(w).help_request.pk}/"],
    "brokers/": lambda w: ["brokers/"],
    "brokers/<int:pk>/": lambda w: [f"brokers/{agency_records(w).listed.pk}/"],
}


def workflow_records(world: Any) -> list[Any]:
    records = agency_records(world)
    return [records.draft, records.listed, records.help_request]


def check_agency_record(record: dict[str, Any], user: Any) -> None:
    """A profile in a response shows the review note and the filings' figures only to its insiders."""
    if "filing_status" in record and "review_note" in record:
        agency = Agency.objects.get(pk=record["id"])
        if not permissions.is_insider(user, agency):
            assert record["review_note"] == ""
            assert all(f["turnover"] is None and f["contracts_brokered"] is None for f in record["filings"])


def reads_world(p: Any, ent: Any, demand: Any) -> dict[str, list[int]]:
    """Agencies' records for tests/test_reads_never_write.py: a draft, a listed broker with a filing whose next
    filing is overdue (nothing lapses by being read), and a request for help."""
    institution = make_org("北京读不写技术转移有限公司", OrgType.TRANSFER_INSTITUTION, region="110105")
    officer = make_user("readonly_officer", institution, Role.TTO_OFFICER)
    draft = services.agency_create(
        by=officer, kind=AgencyKind.INSTITUTION, organisation=institution, data={"description": "简介"}, **lists()
    )
    broker = make_user("readonly_broker", None)
    listed = services.agency_create(
        by=broker, kind=AgencyKind.BROKER, data=broker_data(certificate_number="JJR-READS"), **lists()
    )
    listed = list_it(listed, broker, p.reviewer, on=datetime.date(2023, 5, 10))
    services.filing_submit(agency=listed, by=broker, year=2023, data={"contracts_brokered": 1, "turnover": TURNOVER})
    help_request = services.help_request_open(by=ent.staff, agency=listed, demand=demand, message="请协助")
    return {"agency": [draft.pk, listed.pk], "help_request": [help_request.pk]}
