"""`seed_demo` writes the data files through the real services: a coherent demo, once, with real history."""

from __future__ import annotations

import re
from io import StringIO

from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.test import TestCase
from django.urls import reverse
from django.utils.html import strip_tags

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import Membership, Organisation, User
from techtransfer.achievements import services
from techtransfer.achievements.choices import PATENT_KINDS, REGISTERED_STATUSES, Status
from techtransfer.achievements.models import Achievement, FundedProject, StatusChange
from techtransfer.achievements.permissions import achievement_visible_q
from techtransfer.challenges.choices import ChallengeStatus, ProposalStatus
from techtransfer.challenges.models import Challenge, ChallengeQuestion, Proposal
from techtransfer.core.models import AuditEvent, ImportBatch
from techtransfer.demo.content import BOILERPLATE, content_load
from techtransfer.demo.loader import DEMO_PASSWORD, DemoLoader
from techtransfer.demo.medium import medium_content
from techtransfer.lib.validators import validate_patent_number, validate_uscc
from techtransfer.market.choices import DemandStatus
from techtransfer.market.models import TechnologyDemand
from techtransfer.matching import selectors as matching
from techtransfer.matching.models import DocumentVector
from techtransfer.matchmaking.choices import Stage
from techtransfer.matchmaking.models import ContactNote, ContactRequest
from techtransfer.search.models import SearchDocument
from techtransfer.subscriptions.models import Notification, Subscription

USCC_CATEGORY = {
    OrgType.REGISTRATION_BODY: "11",
    OrgType.SUPERVISING_DEPARTMENT: "11",
    OrgType.UNIVERSITY: "12",
    OrgType.INSTITUTE: "12",
    OrgType.HOSPITAL: "12",
    OrgType.ENTERPRISE: "91",
    OrgType.INVESTOR: "91",  # fund managers, partnerships and a bank branch (the investment demo)
    OrgType.TRANSFER_INSTITUTION: ("91", "12"),  # a company, or a public institution (a university's centre)
}
# Everything a seed writes: a second seed must leave every count alone.
MODELS = (
    Organisation,
    User,
    Membership,
    FundedProject,
    Achievement,
    StatusChange,
    TechnologyDemand,
    Challenge,
    Proposal,
    ChallengeQuestion,
    ContactRequest,
    ContactNote,
    Subscription,
    Notification,
    AuditEvent,
    SearchDocument,
)


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def without_boilerplate(test: TestCase, text: str, where: str) -> None:
    for word in BOILERPLATE:
        test.assertNotIn(word, text, where)


class SeedDemoSmallTests(TestCase):
    """The small demo, seeded once for the class (a one-second closing deadline keeps it quick)."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.content = content_load()
        cls.output = seed("--size", "small", "--closing-seconds", "1", "--contracts", "0")

    def test_it_loads_every_record_of_the_data_files(self) -> None:
        # The data files' units and people (later seeds, e.g. the service agencies, add their own).
        names = [o.name for o in self.content.organisations]
        self.assertEqual(Organisation.objects.filter(name__in=names).count(), len(self.content.organisations))
        usernames = [u.username for u in self.content.users]
        self.assertEqual(User.objects.filter(username__in=usernames).count(), len(self.content.users))
        self.assertEqual(Achievement.objects.count(), len(self.content.achievements))
        self.assertEqual(FundedProject.objects.count(), len(self.content.funded))
        self.assertEqual(TechnologyDemand.objects.count(), len(self.content.demands))
        self.assertEqual(Challenge.objects.count(), len(self.content.challenges))
        self.assertEqual(ContactRequest.objects.count(), len(self.content.contact_requests))
        self.assertEqual(Subscription.objects.count(), len(self.content.subscriptions))
        self.assertIn("Demo loaded", self.output)

    def test_the_small_demo_has_the_size_a_visitor_needs(self) -> None:
        names = [o.name for o in self.content.organisations]
        self.assertTrue(10 <= Organisation.objects.filter(name__in=names).count() <= 15)
        self.assertTrue(30 <= Achievement.objects.count() <= 60)
        self.assertTrue(10 <= TechnologyDemand.objects.count() <= 15)
        self.assertGreater(TechnologyDemand.objects.filter(status__in=["published", "matched"]).count(), 6)
        kinds = set(Organisation.objects.values_list("org_type", flat=True))
        self.assertTrue(set(USCC_CATEGORY) <= kinds)

    def test_every_achievement_state_is_present_and_the_demo_university_has_each(self) -> None:
        self.assertEqual(set(Achievement.objects.values_list("status", flat=True)), set(Status.values))
        university = User.objects.get(username="tto_demo_univ").memberships.get().organisation
        present = set(Achievement.objects.filter(owner=university).values_list("status", flat=True))
        self.assertEqual(present, set(Status.values))

    def test_every_organisation_has_a_valid_credit_code_of_its_category(self) -> None:
        for org in Organisation.objects.select_related("region"):
            if org.org_type == OrgType.OTHER and org.uscc is None:
                continue  # a start-up team without a company yet (the voucher demo) has no credit code
            assert org.uscc is not None
            validate_uscc(org.uscc)
            self.assertIn(org.uscc[:2], USCC_CATEGORY[org.org_type], org.name)
            self.assertEqual(org.uscc[2:8], org.region.code, org.name)
            without_boilerplate(self, org.description, org.name)

    def test_the_registration_body_and_departments_are_there(self) -> None:
        commission = Organisation.objects.get(name="北京市科学技术委员会")
        self.assertEqual(commission.org_type, OrgType.REGISTRATION_BODY)
        self.assertEqual((commission.registry_code, commission.region.code), ("110", "110000"))
        departments = set(
            Organisation.objects.filter(org_type=OrgType.SUPERVISING_DEPARTMENT).values_list("name", flat=True)
        )
        self.assertEqual(departments, {"北京市教育委员会", "北京市卫生健康委员会"})
        for university in Organisation.objects.filter(org_type=OrgType.UNIVERSITY):
            self.assertEqual(university.supervising_department.name, "北京市教育委员会")

    def test_units_are_spread_over_beijing_districts(self) -> None:
        codes = set(Organisation.objects.values_list("region__code", flat=True))
        self.assertGreaterEqual(len({c for c in codes if c.startswith("11") and c != "110000"}), 8)

    def test_registered_records_have_unique_twelve_character_numbers(self) -> None:
        numbers = list(
            Achievement.objects.exclude(registration_number=None).values_list("registration_number", flat=True)
        )
        self.assertEqual(len(numbers), len(set(numbers)))
        for number in numbers:
            self.assertRegex(number, r"^110\d{4}[YJR]\d{4}$")
        self.assertFalse(Achievement.objects.filter(status__in=REGISTERED_STATUSES, registration_number=None).exists())

    def test_every_achievement_passes_model_validation(self) -> None:
        for achievement in Achievement.objects.all():
            achievement.full_clean()
            self.assertTrue(1 <= len(achievement.keywords) <= 3, achievement.name)
            self.assertTrue(achievement.name_en and achievement.summary_en, achievement.name)
            self.assertLess(achievement.research_start, achievement.research_end)
            for item in achievement.ip_items.all():
                if item.kind in PATENT_KINDS:
                    validate_patent_number(item.number)
            self.assertTrue(achievement.persons.exists())
            self.assertEqual(achievement.units.first().organisation_id, achievement.owner_id)

    def test_submitted_records_were_complete_when_submitted(self) -> None:
        for achievement in Achievement.objects.exclude(status=Status.DRAFT).exclude(status_changes=None):
            self.assertEqual(services.submission_problems(achievement), {}, achievement.name)

    def test_the_workflow_went_through_the_services(self) -> None:
        self.assertEqual(AuditEvent.objects.filter(action="achievement.create").count(), Achievement.objects.count())
        for achievement in Achievement.objects.filter(status=Status.PUBLISHED):
            steps = list(achievement.status_changes.values_list("to_state", flat=True))
            self.assertEqual(steps[-2:], [Status.REGISTERED, Status.PUBLISHED])
        for achievement in Achievement.objects.filter(status=Status.RETURNED):
            self.assertTrue(achievement.return_reason)
            self.assertEqual(achievement.status_changes.last().reason, achievement.return_reason)
        self.assertFalse(StatusChange.objects.filter(record__status=Status.DRAFT).exists())
        # Returned once, fixed by the unit, sent again: the fix is in the audit trail, not in the summary.
        fixed = Achievement.objects.get(name="汽车精密零部件表面缺陷机器视觉在线检测系统")
        steps = AuditEvent.objects.filter(object_type__endswith="achievement", object_id=str(fixed.pk)).order_by("pk")
        self.assertEqual(
            [action.removeprefix("achievement.") for action in steps.values_list("action", flat=True)],
            ["create", "attachment.add", "submit", "return", "update", "submit", "register", "publish"],
        )
        self.assertIn("检出率99.2%", fixed.summary)
        revised = Achievement.objects.get(name="超低功耗蓝牙5.3双模SoC芯片")
        self.assertEqual((revised.revision_count, revised.application_status.code), (1, "industrial"))

    def test_history_notes_are_written_as_people_would(self) -> None:
        # Every workflow step's reason or note is in the audit trail (whatever history model each app keeps).
        notes = [*AuditEvent.objects.values_list("note", flat=True), *ContactNote.objects.values_list("text", flat=True)]
        self.assertTrue(any("用户使用证明" in note for note in notes))
        for note in notes:
            without_boilerplate(self, note or "", "history note")

    def test_draft_records_stay_private(self) -> None:
        drafts = Achievement.objects.filter(status=Status.DRAFT)
        self.assertFalse(Achievement.objects.filter(achievement_visible_q(AnonymousUser()), pk__in=drafts).exists())
        enterprise = User.objects.get(username="enterprise")
        others = drafts.exclude(owner__memberships__user=enterprise)
        self.assertFalse(Achievement.objects.filter(achievement_visible_q(enterprise), pk__in=others).exists())

    def test_funded_projects_came_through_the_import_and_are_partly_reported(self) -> None:
        self.assertEqual(ImportBatch.objects.filter(kind="funded_projects").count(), 2)
        projects = FundedProject.objects.all()
        self.assertEqual(set(projects.values_list("programme__code", flat=True)), {"nsfc", "beijing"})
        self.assertFalse(projects.filter(organisation=None).exists())
        self.assertTrue(projects.exclude(achievements=None).exists())
        self.assertTrue(projects.filter(achievements=None).exists())
        for achievement in Achievement.objects.exclude(funded_project=None).select_related("funded_project"):
            self.assertEqual(achievement.programme_number, achievement.funded_project.grant_number)

    def test_every_enterprise_asks_within_its_own_fields(self) -> None:
        fields = {org.name: set(org.fields) for org in self.content.organisations}
        demands = TechnologyDemand.objects.select_related("owner", "field")
        for demand in demands:
            self.assertIn(demand.field.code, fields[demand.owner.name], demand.title)
        for challenge in Challenge.objects.select_related("owner", "field"):
            self.assertIn(challenge.field.code, fields[challenge.owner.name], challenge.title)
        owners = set(demands.values_list("owner__org_type", flat=True))
        self.assertEqual(owners, {OrgType.ENTERPRISE})
        self.assertEqual(demands.values("owner").distinct().count(), 5)

    def test_no_two_achievements_or_demands_share_a_text(self) -> None:
        for model, fields in (
            (Achievement, ("name", "summary", "summary_en")),
            (TechnologyDemand, ("title", "description")),
        ):
            for name in fields:
                repeated = model.objects.values(name).annotate(n=Count("pk")).filter(n__gt=1)
                self.assertFalse(repeated.exists(), f"{model.__name__}.{name}: {list(repeated)}")
        for name in Achievement.objects.values_list("name", flat=True):
            self.assertIsNone(re.search(r"\s\d+$", name), name)  # no numbered clones

    def test_the_search_index_holds_no_boilerplate(self) -> None:
        documents = SearchDocument.objects.all()
        self.assertEqual(
            set(documents.values_list("kind", flat=True)),
            {"achievement", "demand", "challenge", "expert", "organisation", "investor"},
        )
        for doc in documents:
            for text in (doc.title, doc.body, doc.keywords):
                without_boilerplate(self, text, f"{doc.kind} {doc.object_id}")
        # Every kind is indexed and embedded, so the match panels work straight away.
        self.assertEqual(DocumentVector.objects.count(), documents.count())

    def test_the_match_panels_show_no_boilerplate(self) -> None:
        shown = 0
        for demand in TechnologyDemand.objects.filter(status=DemandStatus.PUBLISHED):
            for group in matching.demand_matches(demand=demand):
                for result in group.results:
                    shown += 1
                    for text in (result.title_html, result.snippet_html, result.subtitle, *result.reasons):
                        without_boilerplate(self, strip_tags(str(text)), f"match for {demand.title}")
        for achievement in Achievement.objects.filter(status=Status.PUBLISHED):
            groups = matching.achievement_matches(achievement=achievement)
            results = [r for g in groups for r in g.results] + matching.similar_achievements(achievement=achievement)
            for result in results:
                shown += 1
                for text in (result.title_html, result.snippet_html, result.subtitle):
                    without_boilerplate(self, strip_tags(str(text)), f"match for {achievement.name}")
        self.assertGreater(shown, 100)

    def test_a_demand_finds_the_achievement_written_for_it(self) -> None:
        demand = TechnologyDemand.objects.get(title="长效注射微球制剂缓释技术合作开发")
        achievements = next(g for g in matching.demand_matches(demand=demand) if g.kind == "achievement")
        self.assertEqual(achievements.results[0].obj.name, "低突释长效注射用PLGA微球制备技术")

    def test_the_challenges_tell_their_story(self) -> None:
        open_, closed, awarded = (
            Challenge.objects.get(status=status)
            for status in (ChallengeStatus.OPEN, ChallengeStatus.CLOSED, ChallengeStatus.AWARDED)
        )
        questions = open_.questions.all()
        self.assertEqual(questions.filter(is_public=True).count(), 2)
        self.assertTrue(questions.filter(answered_at=None, is_public=False).exists())
        self.assertEqual(set(open_.proposals.values_list("status", flat=True)), {"draft", "submitted"})
        self.assertEqual(
            sorted(closed.proposals.values_list("status", flat=True)), ["shortlisted", "shortlisted", "submitted"]
        )
        self.assertEqual(
            sorted(awarded.proposals.values_list("status", flat=True)),
            [ProposalStatus.AWARDED, ProposalStatus.NOT_SELECTED],
        )
        self.assertTrue(awarded.result_note and awarded.awarded_at > awarded.submission_deadline)
        for proposal in Proposal.objects.exclude(submitted_at=None).select_related("challenge"):
            self.assertLess(proposal.submitted_at, proposal.challenge.submission_deadline)

    def test_contact_requests_stand_at_every_stage_and_signing_matched_the_demand(self) -> None:
        self.assertEqual(set(ContactRequest.objects.values_list("stage", flat=True)), set(Stage.values))
        signed = ContactRequest.objects.select_related("demand").get(stage=Stage.SIGNED)
        self.assertEqual(signed.demand.status, DemandStatus.MATCHED)
        self.assertTrue(ContactNote.objects.exists())

    def test_subscribers_have_notifications_and_their_digest_choice(self) -> None:
        researcher = Subscription.objects.get(user__username="researcher")
        enterprise = Subscription.objects.get(user__username="enterprise")
        self.assertTrue(researcher.notifications.exists())
        self.assertTrue(enterprise.notifications.exists())
        self.assertEqual((researcher.email_enabled, enterprise.email_enabled), (True, False))
        self.assertFalse(Notification.objects.filter(digest_pending=True).exists())  # nothing mailed on seeding

    def test_the_demo_logins_log_in_through_the_login_page(self) -> None:
        for spec in self.content.users:
            self.client.logout()
            response = self.client.post(
                reverse("accounts:login"), {"username": spec.username, "password": DEMO_PASSWORD}
            )
            self.assertEqual(response.status_code, 302, spec.username)
            self.assertEqual(self.client.session["_auth_user_id"], str(User.objects.get(username=spec.username).pk))
        self.client.logout()
        response = self.client.post(reverse("accounts:login"), {"username": "reviewer", "password": "wrong"})
        self.assertNotIn("_auth_user_id", self.client.session)
        roles = {
            "tto_demo_univ": (Role.TTO_OFFICER, OrgType.UNIVERSITY),
            "researcher": (Role.MEMBER, OrgType.UNIVERSITY),
            "reviewer": (Role.REVIEWER, OrgType.REGISTRATION_BODY),
            "commission": (Role.COMMISSION_ADMIN, OrgType.REGISTRATION_BODY),
            "enterprise": (Role.TTO_OFFICER, OrgType.ENTERPRISE),
            "broker": (Role.TTO_OFFICER, OrgType.TRANSFER_INSTITUTION),
        }
        for username, (role, org_type) in roles.items():
            membership = User.objects.get(username=username).memberships.select_related("organisation").get()
            self.assertEqual((membership.role, membership.organisation.org_type), (role, org_type), username)
        self.assertTrue(User.objects.get(username="admin").is_superuser)

    def test_demo_logins_prints_the_accounts_with_role_and_organisation(self) -> None:
        out = StringIO()
        call_command("demo_logins", stdout=out)
        text = out.getvalue()
        for spec in self.content.users:
            self.assertIn(spec.username, text)
        for spec in self.content.users:
            if spec.login:
                self.assertIn(spec.login[0], text)
                self.assertIn(spec.login[1], text)
        self.assertIn("北京市科学技术委员会", text)
        self.assertIn(DEMO_PASSWORD, text)
        self.assertLess(text.index("tto_demo_univ"), text.index("tto_jbmu"))  # the accounts to try first, first

    def test_the_service_agencies_are_reviewed_filed_and_one_has_lapsed(self) -> None:
        from techtransfer.agencies.choices import AgencyKind, AgencyStatus, HelpStatus
        from techtransfer.agencies.models import Agency, AgencyFiling, HelpRequest
        from techtransfer.agencies.selectors import agency_track_record

        agencies = Agency.objects.all()
        self.assertEqual(agencies.filter(kind=AgencyKind.INSTITUTION).count(), 8)
        self.assertEqual(agencies.filter(kind=AgencyKind.BROKER).count(), 15)
        self.assertEqual(agencies.filter(status=AgencyStatus.LAPSED).count(), 1)
        self.assertEqual(
            {a.status for a in agencies}, {AgencyStatus.LISTED, AgencyStatus.LAPSED, AgencyStatus.UNDER_REVIEW,
                                           AgencyStatus.DRAFT},
        )
        self.assertGreater(AgencyFiling.objects.count(), 40)
        self.assertTrue(Agency.objects.filter(status_changes__step="return").exists())  # returned, then listed
        statuses = set(HelpRequest.objects.values_list("status", flat=True))
        self.assertTrue({HelpStatus.ACCEPTED, HelpStatus.PENDING, HelpStatus.DECLINED} <= statuses)
        # The broker of the market demo opened a contact request: it is in the institution's track record.
        jintai = Agency.objects.get(organisation__name="北京金台技术转移有限公司")
        self.assertEqual(agency_track_record(jintai).contact_requests, 1)
        out = StringIO()
        call_command("demo_logins", stdout=out)
        self.assertIn("broker_lin", out.getvalue())
        self.client.logout()
        response = self.client.post(reverse("accounts:login"), {"username": "broker_lin", "password": DEMO_PASSWORD})
        self.assertEqual(response.status_code, 302)

    def test_the_shared_facilities_and_vouchers_have_a_year_of_use(self) -> None:
        from techtransfer.facilities.models import Booking, Facility
        from techtransfer.vouchers.choices import VoucherStatus
        from techtransfer.vouchers.models import Programme, Redemption, Voucher
        from techtransfer.vouchers.selectors import budget_figures

        self.assertGreaterEqual(Facility.objects.filter(status="published").count(), 15)
        self.assertEqual({"instrument", "pilot_line", "test_platform"}, set(Facility.objects.values_list("kind", flat=True)))
        self.assertTrue({"completed", "confirmed", "pending", "declined", "cancelled"}
                        <= set(Booking.objects.values_list("status", flat=True)))
        self.assertEqual(set(Programme.objects.values_list("kind", flat=True)), {"capital", "jingjinji"})
        self.assertEqual(set(Voucher.objects.values_list("status", flat=True)), set(VoucherStatus.values))
        self.assertGreaterEqual(Redemption.objects.count(), 3)
        for programme in Programme.objects.all():
            figures = budget_figures(programme=programme)
            self.assertTrue(0 <= figures.committed <= programme.budget)
        out = StringIO()
        call_command("demo_logins", stdout=out)
        self.assertIn("team_demo", out.getvalue())
        self.assertIn("platform_demo", out.getvalue())
        for username in ("team_demo", "platform_demo"):
            self.client.logout()
            response = self.client.post(reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD})
            self.assertEqual(response.status_code, 302, username)

    def test_if_empty_creates_nothing_twice(self) -> None:
        before = [model.objects.count() for model in MODELS]
        output = seed("--if-empty")
        self.assertIn("--if-empty", output)
        self.assertEqual(before, [model.objects.count() for model in MODELS])

    def test_a_second_seed_without_if_empty_is_refused(self) -> None:
        before = [model.objects.count() for model in MODELS]
        with self.assertRaisesMessage(CommandError, "already holds the demo"):
            seed("--size", "small")
        self.assertEqual(before, [model.objects.count() for model in MODELS])


class SeedDemoEmptyTests(TestCase):
    def test_demo_logins_says_what_to_do_before_a_seed(self) -> None:
        out = StringIO()
        call_command("demo_logins", stdout=out)
        self.assertIn("seed_demo", out.getvalue())

    def test_a_slice_of_the_medium_demo_loads_through_the_services(self) -> None:
        """The recombined records take the same paths: every state, returns with a fix, withdrawals."""
        content = content_load()
        extra = medium_content(content, seed=3)
        extra.achievements = extra.achievements[:60]
        extra.demands = extra.demands[:6]
        content.extend(extra)
        DemoLoader(content, closing_seconds=1).run()
        self.assertEqual(Achievement.objects.count(), len(content.achievements))
        self.assertEqual(set(Achievement.objects.values_list("status", flat=True)), set(Status.values))
        self.assertEqual(TechnologyDemand.objects.count(), len(content.demands))
        for model, name in ((Achievement, "summary"), (TechnologyDemand, "description")):
            self.assertFalse(model.objects.values(name).annotate(n=Count("pk")).filter(n__gt=1).exists())
