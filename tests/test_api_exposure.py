"""The API shows each user exactly what the pages show them, and files go out only through checked routes.

Every GET route under /api/v1/ is taken from the URL resolver: a new endpoint fails `test_every_api_read_
is_walked` until it is walked here (ROUTE_URLS) or skipped with a reason (SKIPPED). Each is read as an
anonymous visitor and as an outsider (a signed-in user of an unrelated organisation) over data that has
registration materials, personal data, private contacts, a sealed proposal, an unanswered question, a
contact request with notes and a private subscription; no response may carry any of those values, and every
record in a response is checked field by field against its app's visibility rule.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from techtransfer.accounts.models import User
from techtransfer.achievements import permissions as achievement_perms
from techtransfer.achievements import services as achievement_services
from techtransfer.achievements.models import Achievement
from techtransfer.agencies.tests import exposure as agencies_exposure
from techtransfer.carriers.tests import exposure as carriers_exposure
from techtransfer.challenges import permissions as challenge_perms
from techtransfer.challenges import services as challenge_services
from techtransfer.challenges.models import Challenge, Proposal
from techtransfer.challenges.tests.helpers import make_open_challenge, make_proposal
from techtransfer.contracts.models import TechnologyContract
from techtransfer.contracts.tests.factories import make_people, registered
from techtransfer.core.codetables import code_item
from techtransfer.core.workflow import workflow_for
from techtransfer.deals import services as deal_services
from techtransfer.deals import services_rewards as reward_services
from techtransfer.deals.models import Deal, Mobility, RewardPlan
from techtransfer.deals.tests.deal_factories import make_deal
from techtransfer.investment.tests import exposure as investment_exposure
from techtransfer.ipr.tests import exposure as ipr_exposure
from techtransfer.market import permissions as market_perms
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.tests.helpers import Enterprise, make_enterprise, make_published
from techtransfer.matchmaking import services as matchmaking_services
from techtransfer.matchmaking.models import ContactRequest
from techtransfer.packages.tests import exposure as packages_exposure
from techtransfer.reports import services as report_services
from techtransfer.reports.models import AnnualReport
from techtransfer.scireports.models import ScienceReport
from techtransfer.scireports.tests.helpers import make_report as make_sci_report
from techtransfer.subscriptions import services as subscription_services
from techtransfer.subscriptions.models import Subscription
from techtransfer.talent.tests import exposure as talent_exposure
from techtransfer.testing import PDF_BYTES, Personas, achievement_data
from techtransfer.vouchers.tests import exposure as vouchers_exposure

API = "api/v1/"

# The concrete values nobody outside may read, whatever the endpoint.
MATERIAL_NAME = "机密评价报告-SECRET1.pdf"
MATERIAL_SHA256 = hashlib.sha256(PDF_BYTES).hexdigest()
BIRTH_YEAR = 1943
EDUCATION = "工学博士（保密）"
RETURN_REASON = "退回理由：第三完成人身份证明缺失"
PRIVATE_PHONE = "010-82000000"
PRIVATE_EMAIL = "liu@smart.example.cn"
SEALED_TEAM = "密封团队甲"
SEALED_APPROACH = "密封技术路线乙：原子层沉积包覆"
SEALED_FILE = "密封方案丙.pdf"
OPEN_QUESTION = "未答复的问题丁：能否分期验收？"
REQUEST_MESSAGE = "对接留言戊：希望下周面谈"
REQUEST_NOTE = "对接备注己：报价约八十万元"
SUBSCRIPTION_NAME = "私人订阅壬"
CONTRACT_PROJECT = "技术合同庚：未公开的项目"
OBJECTOR_CONTACT = "objector-13911112222@example.cn"
OBJECTION_TEXT = "异议子：评估价格偏低"
DUE_DILIGENCE = "尽职调查丑：核查权属无瑕疵"
REWARD_PERSON = "奖励对象寅"
MOBILITY_ENTERPRISE = "离岗创业企业卯有限公司"
ANNUAL_PROBLEMS = "年度报告辰：内部存在的问题"
SCIREPORT_TITLE = "科技报告巳：尚未公开的最终报告"
SENSITIVE_TEXT = [
    MATERIAL_NAME,
    MATERIAL_SHA256,
    EDUCATION,
    RETURN_REASON,
    PRIVATE_PHONE,
    PRIVATE_EMAIL,
    SEALED_TEAM,
    SEALED_APPROACH,
    SEALED_FILE,
    OPEN_QUESTION,
    REQUEST_MESSAGE,
    REQUEST_NOTE,
    SUBSCRIPTION_NAME,
    CONTRACT_PROJECT,
    OBJECTOR_CONTACT,
    OBJECTION_TEXT,
    DUE_DILIGENCE,
    REWARD_PERSON,
    MOBILITY_ENTERPRISE,
    ANNUAL_PROBLEMS,
    SCIREPORT_TITLE,
    *agencies_exposure.SECRETS,
    *ipr_exposure.SECRETS,
    *talent_exposure.SECRETS,
    *investment_exposure.SECRETS,
    *carriers_exposure.SECRETS,
    *vouchers_exposure.SECRETS,
    *packages_exposure.SECRETS,
    "/media/",
]


@dataclass
class World:
    p: Personas
    ent: Enterprise
    achievement: Achievement  # published, with materials and personal data, once returned with a reason
    demand: TechnologyDemand  # published, contact private
    challenge: Challenge  # open, with a sealed proposal and an unanswered question
    proposal: Proposal
    contact_request: ContactRequest
    subscription: Subscription
    contract: TechnologyContract  # registered; only its parties, its point's registrars and administrators read it
    deal: Deal  # publicised: the public reads the notice, never the objection, its contact or the due diligence
    plan: RewardPlan  # a draft: only the unit reads it
    mobility: Mobility
    annual_report: AnnualReport  # a draft: only the unit reads it
    sci_report: ScienceReport  # a draft: only the unit reads it

    def other_emails(self) -> list[str]:
        """Every user's address; the outsider may read only their own (on /me)."""
        return list(User.objects.exclude(pk=self.p.other_tto.pk).values_list("email", flat=True))


@pytest.fixture
def world(p: Personas, django_capture_on_commit_callbacks: Any) -> World:
    with django_capture_on_commit_callbacks(execute=True):
        achievement = achievement_services.achievement_create(
            by=p.tto_officer,
            owner=p.university,
            data=achievement_data(contact_email="achievement-contact@example.cn"),
            persons=[{"name": "李研究", "title": "教授", "education": EDUCATION, "birth_year": BIRTH_YEAR}],
            transfer_modes=[code_item("transfer_mode", "licence")],
        )
        upload = SimpleUploadedFile(MATERIAL_NAME, PDF_BYTES, content_type="application/pdf")
        achievement_services.attachment_add(achievement=achievement, by=p.tto_officer, upload=upload, kind="evaluation")
        achievement_services.achievement_submit(achievement=achievement, by=p.tto_officer)
        achievement_services.achievement_return(achievement=achievement, by=p.reviewer, reason=RETURN_REASON)
        achievement_services.achievement_submit(achievement=achievement, by=p.tto_officer)
        achievement_services.achievement_register(achievement=achievement, by=p.reviewer)
        ent = make_enterprise()
        demand = make_published(ent, p.reviewer, contact_phone=PRIVATE_PHONE, contact_email=PRIVATE_EMAIL)
        challenge = make_open_challenge(ent, p.reviewer)
    achievement.refresh_from_db()
    challenge_services.question_ask(challenge=challenge, by=p.researcher, text=OPEN_QUESTION)
    proposal = make_proposal(challenge, p.researcher, team_name=SEALED_TEAM, approach=SEALED_APPROACH)
    challenge_services.proposal_update(
        proposal=proposal,
        by=p.researcher,
        data={},
        upload=SimpleUploadedFile(SEALED_FILE, PDF_BYTES, content_type="application/pdf"),
    )
    contact_request = matchmaking_services.contact_request_open(
        by=ent.staff, demand=demand, achievement=achievement, message=REQUEST_MESSAGE
    )
    matchmaking_services.contact_note_add(contact_request=contact_request, by=p.tto_officer, text=REQUEST_NOTE)
    subscription = subscription_services.subscription_create(
        by=p.tto_officer, data={"name": SUBSCRIPTION_NAME, "kinds": ["achievement"]}
    )
    assert achievement.status == "published"
    with django_capture_on_commit_callbacks(execute=True):
        contract = registered(make_people(), project_name=CONTRACT_PROJECT)
    deal = deal_services.deal_publicise(deal=make_deal(p, achievement, due_diligence=DUE_DILIGENCE), by=p.tto_officer)
    deal_services.objection_lodge(deal=deal, by=None, name="公众甲", contact=OBJECTOR_CONTACT, text=OBJECTION_TEXT)
    plan = reward_services.plan_create(
        by=p.tto_officer, deal=deal, data={"income_date": datetime.date.today(), "gross_income": Decimal("1000000")}
    )
    reward_services.allocation_add(
        plan=plan, by=p.tto_officer, data={"person_name": REWARD_PERSON, "form": "cash", "amount": Decimal("700000")}
    )
    mobility = reward_services.mobility_create(
        by=p.tto_officer,
        organisation=p.university,
        data={
            "person_name": "兼职人员",
            "kind": "leave",
            "enterprise": MOBILITY_ENTERPRISE,
            "start": datetime.date.today() - datetime.timedelta(days=30),
        },
    )
    annual_report = report_services.report_create(
        by=p.tto_officer, organisation=p.university, year=datetime.date.today().year - 1
    )
    report_services.report_update(report=annual_report, by=p.tto_officer, data={"part1_problems": ANNUAL_PROBLEMS})
    sci_report = make_sci_report(p, title=SCIREPORT_TITLE)
    return World(
        p,
        ent,
        achievement,
        demand,
        challenge,
        proposal,
        contact_request,
        subscription,
        contract,
        deal,
        plan,
        mobility,
        annual_report,
        sci_report,
    )


# ---------------------------------------------------------------- the routes


def api_get_routes() -> dict[str, Any]:
    """Every API route (as written, without the /api/v1/ prefix) whose view answers GET."""
    found: dict[str, Any] = {}

    def walk(resolver: URLResolver, prefix: str) -> None:
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry, route)
            elif isinstance(entry, URLPattern) and route.startswith(API):
                view_class = getattr(entry.callback, "cls", None)
                if view_class is not None and hasattr(view_class, "get"):
                    found[route.removeprefix(API)] = view_class

    walk(get_resolver(), "")
    return found


SKIPPED = {
    "openapi.json": "the OpenAPI document: shapes and descriptions, no record",
    "docs/": "the Swagger page that reads openapi.json",
    "redoc/": "the ReDoc page that reads openapi.json",
}

ROUTE_URLS: dict[str, Callable[[World], list[str]]] = {
    "code-tables/": lambda w: ["code-tables/"],
    "code-tables/<slug:key>/": lambda w: ["code-tables/transfer_mode/"],
    "workflows/<slug:kind>/<int:pk>": lambda w: [
        f"workflows/{workflow_for(record).kind}/{record.pk}"
        for record in (
            w.achievement, w.demand, w.challenge, w.proposal, w.contact_request,
            *agencies_exposure.workflow_records(w),
            *ipr_exposure.workflow_records(w),
            *talent_exposure.workflow_records(w),
            *investment_exposure.workflow_records(w),
            *carriers_exposure.workflow_records(w),
            *vouchers_exposure.workflow_records(w),
            *packages_exposure.workflow_records(w),
        )
    ],
    "organisations/": lambda w: ["organisations/"],
    "me": lambda w: ["me"],
    "tokens/": lambda w: ["tokens/"],
    "achievements/": lambda w: ["achievements/", "achievements/?q=" + quote("肺结节")],
    "achievements/<int:pk>/": lambda w: [f"achievements/{w.achievement.pk}/"],
    "achievements/<int:pk>/history": lambda w: [f"achievements/{w.achievement.pk}/history"],
    "demands/": lambda w: ["demands/", "demands/?q=" + quote("涂布")],
    "demands/<int:pk>/": lambda w: [f"demands/{w.demand.pk}/"],
    "challenges/": lambda w: ["challenges/"],
    "challenges/<int:pk>/": lambda w: [f"challenges/{w.challenge.pk}/"],
    "challenges/<int:pk>/questions/": lambda w: [f"challenges/{w.challenge.pk}/questions/"],
    "challenges/<int:pk>/proposals/": lambda w: [f"challenges/{w.challenge.pk}/proposals/"],
    "challenge-proposals/": lambda w: ["challenge-proposals/"],
    "challenge-proposals/<int:pk>/": lambda w: [f"challenge-proposals/{w.proposal.pk}/"],
    "matching/demands/<int:pk>": lambda w: [f"matching/demands/{w.demand.pk}"],
    "matching/achievements/<int:pk>": lambda w: [f"matching/achievements/{w.achievement.pk}"],
    "matching/achievements/<int:pk>/similar": lambda w: [f"matching/achievements/{w.achievement.pk}/similar"],
    "matching/search": lambda w: [
        f"matching/search?kind={kind}&q=" + quote("肺结节 涂布 正极材料")
        for kind in ("achievement", "demand", "challenge", "expert", "organisation")
    ],
    "matching/status": lambda w: ["matching/status"],
    "contact-requests/": lambda w: ["contact-requests/"],
    "contact-requests/<int:pk>/": lambda w: [f"contact-requests/{w.contact_request.pk}/"],
    "contact-requests/<int:pk>/notes": lambda w: [f"contact-requests/{w.contact_request.pk}/notes"],
    "subscriptions/": lambda w: ["subscriptions/"],
    "subscriptions/<int:pk>/": lambda w: [f"subscriptions/{w.subscription.pk}/"],
    "notifications/": lambda w: ["notifications/"],
    "contracts/": lambda w: ["contracts/", "contracts/?q=" + quote("技术合同庚")],
    "contracts/<int:pk>/": lambda w: [f"contracts/{w.contract.pk}/"],
    "stats/summary": lambda w: ["stats/summary"],
    "stats/breakdown": lambda w: ["stats/breakdown?by=category", "stats/breakdown?by=seller_district"],
    "stats/flows": lambda w: ["stats/flows?direction=out", "stats/flows?direction=in"],
    "stats/region-groups": lambda w: ["stats/region-groups"],
    "stats/live": lambda w: ["stats/live"],
    "deals/": lambda w: ["deals/"],
    "deals/<int:pk>/": lambda w: [f"deals/{w.deal.pk}/"],
    "deals/<int:pk>/objections/": lambda w: [f"deals/{w.deal.pk}/objections/"],
    "publicity/": lambda w: ["publicity/"],
    "publicity/<int:pk>/": lambda w: [f"publicity/{w.deal.pk}/"],
    "reward-plans/": lambda w: ["reward-plans/"],
    "reward-plans/<int:pk>/": lambda w: [f"reward-plans/{w.plan.pk}/"],
    "mobility/": lambda w: ["mobility/"],
    "mobility/<int:pk>/": lambda w: [f"mobility/{w.mobility.pk}/"],
    "annual-reports/": lambda w: ["annual-reports/"],
    "annual-reports/<int:pk>/": lambda w: [f"annual-reports/{w.annual_report.pk}/"],
    "annual-reports/overview/": lambda w: [f"annual-reports/overview/?year={w.annual_report.year}"],
    "sci-reports/": lambda w: ["sci-reports/", "sci-reports/?q=" + quote("科技报告巳")],
    "sci-reports/<int:pk>/": lambda w: [f"sci-reports/{w.sci_report.pk}/"],
    "sci-reports/coverage/": lambda w: ["sci-reports/coverage/"],
}

ROUTE_URLS.update(agencies_exposure.ROUTE_URLS)
ROUTE_URLS.update(ipr_exposure.ROUTE_URLS)
ROUTE_URLS.update(talent_exposure.ROUTE_URLS)
ROUTE_URLS.update(investment_exposure.ROUTE_URLS)
ROUTE_URLS.update(carriers_exposure.ROUTE_URLS)
ROUTE_URLS.update(vouchers_exposure.ROUTE_URLS)
ROUTE_URLS.update(packages_exposure.ROUTE_URLS)


def test_every_api_read_is_walked_or_skipped_with_a_reason() -> None:
    routes = set(api_get_routes())
    assert routes, "no API route found"
    unknown = routes - set(ROUTE_URLS) - set(SKIPPED)
    assert not unknown, f"API reads neither walked nor skipped (add them to ROUTE_URLS or SKIPPED): {unknown}"
    stale = (set(ROUTE_URLS) | set(SKIPPED)) - routes
    assert not stale, f"walked or skipped routes that no longer exist: {stale}"


# ---------------------------------------------------------------- the checks


def _records(data: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in a response, nested ones included."""
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _records(value)
    elif isinstance(data, list):
        for value in data:
            yield from _records(value)


def _blank(value: Any) -> bool:
    return value in ("", None, [])


def check_fields_follow_the_rules(data: Any, user: Any) -> None:
    """Each record in the response leaves out what its app's visibility rule keeps from `user`."""
    for record in _records(data):
        agencies_exposure.check_agency_record(record, user)
        ipr_exposure.check_ip_record(record, user)
        investment_exposure.check_investment_record(record, user)
        carriers_exposure.check_carrier_record(record, user)
        vouchers_exposure.check_voucher_record(record, user)
        if "persons" in record and "attachments" in record:
            visibility = achievement_perms.achievement_visibility(user, Achievement.objects.get(pk=record["id"]))
            if not visibility.materials:
                assert record["attachments"] == []
            if not visibility.personal_data:
                for person in record["persons"]:
                    assert all(_blank(person[name]) for name in achievement_perms.PERSONAL_FIELDS), person
            if not visibility.internal:
                assert all(_blank(record[name]) for name in achievement_perms.INTERNAL_FIELDS), record
        if "review_note" in record and "contact_visible" in record:
            demand = TechnologyDemand.objects.get(pk=record["id"])
            if not market_perms.reads_review_note(user, demand):
                assert record["review_note"] == ""
            if not market_perms.demand_contact_visible(user, demand):
                assert record["contact_visible"] is False
                assert all(record[name] == "" for name in ("contact_name", "contact_phone", "contact_email"))
        if "moderation_note" in record and "proposals_opened_at" in record:
            challenge = Challenge.objects.get(pk=record["id"])
            if not challenge_perms.reads_moderation_note(user, challenge):
                assert record["moderation_note"] == ""


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _birth_year_in(response: Any) -> bool:
    """Whether the birth year is in the answer: in any text, or as the number of a year-like field. (Another
    number that happens to equal it, such as a record's id on PostgreSQL, whose sequences are not reset
    between tests, is not a leak.)"""
    year = re.compile(rf"(?<![\d.]){BIRTH_YEAR}(?!\d)")
    if "json" not in response.get("Content-Type", ""):
        return bool(year.search(response.content.decode()))

    def found(value: Any, key: str = "") -> bool:
        if isinstance(value, dict):
            return any(found(v, k) for k, v in value.items())
        if isinstance(value, list):
            return any(found(v, key) for v in value)
        if isinstance(value, str):
            return bool(year.search(value))
        return value == BIRTH_YEAR and any(part in key for part in ("birth", "born", "year"))

    return found(response.json())


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_no_api_read_shows_anonymous_or_outsiders_what_the_pages_hide(world: World, who: str) -> None:
    user = world.p.other_tto if who == "outsider" else None  # a TTO officer of an unrelated university
    client = _client(user)
    sensitive = [*SENSITIVE_TEXT, *world.other_emails()]
    walked = 0
    for urls in ROUTE_URLS.values():
        for url in urls(world):
            response = client.get(f"/{API}{url}", HTTP_ACCEPT_LANGUAGE="zh-hans")
            assert response.status_code in (200, 401, 403, 404), (url, response.status_code)
            body = response.content.decode()
            leaked = [value for value in sensitive if re.search(rf"(?<![\w.-]){re.escape(value)}", body)]
            assert not leaked, f"{who} reads {leaked} at {url}"
            assert not _birth_year_in(response), f"{who} reads a birth year at {url}"
            if response.status_code == 200:
                check_fields_follow_the_rules(response.json(), user)
            walked += 1
    assert walked >= len(ROUTE_URLS)


def test_the_achievement_detail_still_gives_its_unit_and_reviewers_the_materials_and_personal_data(
    world: World,
) -> None:
    attachment = world.achievement.attachments.get()
    for user in (world.p.tto_officer, world.p.researcher, world.p.reviewer):
        response = _client(user).get(f"/{API}achievements/{world.achievement.pk}/")
        data = response.json()
        assert data["persons"][0]["birth_year"] == BIRTH_YEAR and data["persons"][0]["education"] == EDUCATION
        assert _birth_year_in(response)  # the check the outsiders' walk relies on finds it where it is
        history = _client(user).get(f"/{API}achievements/{world.achievement.pk}/history").json()
        assert RETURN_REASON in json.dumps(history, ensure_ascii=False)
        [listed] = data["attachments"]
        assert listed["original_name"] == MATERIAL_NAME and listed["sha256"] == MATERIAL_SHA256
        route = reverse("achievements:attachment", args=[world.achievement.pk, attachment.pk])
        assert listed["url"] == f"http://testserver{route}"
        check_fields_follow_the_rules(data, user)
    public = _client(None).get(f"/{API}achievements/{world.achievement.pk}/").json()
    assert public["persons"][0]["name"] == "李研究" and public["persons"][0]["title"] == "教授"
    assert public["persons"][0]["birth_year"] is None and public["persons"][0]["education"] == ""
    assert public["attachments"] == [] and public["return_reason"] == ""
    assert public["contact_phone"] == "010-62780000"  # the achievement's public contact, on its page too


def test_the_page_and_the_api_show_the_same_parts(world: World) -> None:
    url = reverse("achievements:detail", args=[world.achievement.pk])
    public_page = _client(world.p.other_tto).get(url).content.decode()
    assert "李研究" in public_page
    assert EDUCATION not in public_page and str(BIRTH_YEAR) not in public_page and MATERIAL_NAME not in public_page
    own_page = _client(world.p.tto_officer).get(url).content.decode()
    assert EDUCATION in own_page and str(BIRTH_YEAR) in own_page and MATERIAL_NAME in own_page


def test_the_owner_reads_the_private_contact_and_the_bidder_the_sealed_proposal(world: World) -> None:
    demand = _client(world.ent.staff).get(f"/{API}demands/{world.demand.pk}/").json()
    assert demand["contact_phone"] == PRIVATE_PHONE and demand["contact_email"] == PRIVATE_EMAIL
    proposal = _client(world.p.researcher).get(f"/{API}challenge-proposals/{world.proposal.pk}/").json()
    assert proposal["approach"] == SEALED_APPROACH and proposal["attachment_name"] == SEALED_FILE
    route = reverse("challenges:proposal_attachment", args=[world.proposal.pk])
    assert proposal["attachment_url"] == f"http://testserver{route}"
    # Sealed: before the deadline not even the challenge's owner reads it.
    assert _client(world.ent.staff).get(f"/{API}challenge-proposals/{world.proposal.pk}/").status_code == 404
    notes = _client(world.ent.staff).get(f"/{API}contact-requests/{world.contact_request.pk}/notes").json()
    assert REQUEST_NOTE in json.dumps(notes, ensure_ascii=False)


# ---------------------------------------------------------------- the download routes


def _download_url(world: World) -> str:
    attachment = world.achievement.attachments.get()
    return reverse("achievements:attachment", args=[world.achievement.pk, attachment.pk])


def test_the_download_route_serves_the_unit_and_reviewers_and_refuses_everyone_else(world: World) -> None:
    url = _download_url(world)
    for user in (world.p.tto_officer, world.p.reviewer):
        response = _client(user).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(MATERIAL_NAME)}"
        assert "no-store" in response["Cache-Control"]
    for user in (None, world.p.other_tto, world.ent.staff):
        assert _client(user).get(url).status_code == 404


def test_media_files_are_not_served_from_media_url(world: World) -> None:
    name = world.achievement.attachments.get().file.name
    assert _client(world.p.tto_officer).get(f"/{settings.MEDIA_URL.strip('/')}/{name}").status_code == 404


def test_behind_nginx_the_route_answers_with_x_accel_redirect_and_no_body(world: World, settings: Any) -> None:
    settings.PROTECTED_FILES_SERVER = "nginx"
    settings.PROTECTED_FILES_PREFIX = "/_protected/"
    attachment = world.achievement.attachments.get()
    response = _client(world.p.tto_officer).get(_download_url(world))
    assert response.status_code == 200
    assert response.content == b""
    assert response["X-Accel-Redirect"] == "/_protected/" + quote(attachment.file.name)
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(MATERIAL_NAME)}"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert _client(world.p.other_tto).get(_download_url(world)).status_code == 404


def test_behind_apache_the_route_answers_with_x_sendfile(world: World, settings: Any) -> None:
    settings.PROTECTED_FILES_SERVER = "apache"
    attachment = world.achievement.attachments.get()
    response = _client(world.p.reviewer).get(_download_url(world))
    assert response.status_code == 200 and response.content == b""
    assert response["X-Sendfile"] == attachment.file.path


def test_a_sealed_proposal_file_goes_only_to_its_team(world: World) -> None:
    url = reverse("challenges:proposal_attachment", args=[world.proposal.pk])
    response = _client(world.p.researcher).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(SEALED_FILE)}"
    for user in (world.ent.staff, world.p.other_tto, world.p.commission_admin):
        assert _client(user).get(url).status_code == 404
    assert _client(None).get(url).status_code == 302  # to the login page
