"""The synthetic demo: `seed_demo` writes a complete, valid, deterministic demo through the services."""

from __future__ import annotations

import random
import re
from io import StringIO

from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.test import TestCase

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import Organisation, User
from techtransfer.achievements import services
from techtransfer.achievements.choices import PATENT_KINDS, REGISTERED_STATUSES, Status
from techtransfer.achievements.demo import (
    DEMO_PASSWORD,
    KEY_LOGINS,
    THEMES,
    achievement_rows,
    achievement_text,
    organisations_plan,
)
from techtransfer.achievements.models import Achievement, FundedProject, StatusChange
from techtransfer.achievements.permissions import achievement_visible_q
from techtransfer.core.models import AuditEvent
from techtransfer.lib.validators import validate_patent_number, validate_uscc

SEED = 7
USCC_CATEGORY = {
    OrgType.REGISTRATION_BODY: "11",
    OrgType.SUPERVISING_DEPARTMENT: "11",
    OrgType.UNIVERSITY: "12",
    OrgType.INSTITUTE: "12",
    OrgType.HOSPITAL: "12",
    OrgType.ENTERPRISE: "91",
    OrgType.INVESTOR: "91",
}


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


class SeedDemoSmallTests(TestCase):
    """One small demo, seeded once for the class."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = seed("--size", "small", "--seed", str(SEED))

    def test_it_creates_the_small_preset(self) -> None:
        self.assertEqual(Achievement.objects.count(), 60)
        self.assertEqual(Organisation.objects.count(), 12)
        self.assertIn("Demo data created", self.output)
        self.assertIn("Achievements: Draft", self.output)

    def test_the_market_demo_has_published_demands_challenges_and_contact_requests(self) -> None:
        from techtransfer.challenges.models import Challenge
        from techtransfer.market.models import TechnologyDemand
        from techtransfer.matching.models import DocumentVector
        from techtransfer.matchmaking.models import ContactRequest
        from techtransfer.search.models import SearchDocument

        self.assertEqual(TechnologyDemand.objects.filter(status="published").count(), 7)
        self.assertEqual(Challenge.objects.filter(status="awarded").count(), 1)
        self.assertEqual(ContactRequest.objects.count(), 2)
        self.assertIn("2 contact requests", self.output)
        # Every kind is indexed and embedded, so the match panels work straight away.
        self.assertEqual(DocumentVector.objects.count(), SearchDocument.objects.count())

    def test_every_workflow_state_is_present(self) -> None:
        present = set(Achievement.objects.values_list("status", flat=True))
        self.assertEqual(present, set(Status.values))

    def test_the_demo_university_has_a_record_in_every_state(self) -> None:
        officer = User.objects.get(username="tto_demo_univ")
        university = officer.memberships.get().organisation
        present = set(Achievement.objects.filter(owner=university).values_list("status", flat=True))
        self.assertEqual(present, set(Status.values))

    def test_every_organisation_has_a_valid_credit_code_of_its_category(self) -> None:
        for org in Organisation.objects.select_related("region"):
            assert org.uscc is not None
            validate_uscc(org.uscc)
            if org.org_type in USCC_CATEGORY:
                self.assertEqual(org.uscc[:2], USCC_CATEGORY[org.org_type], org.name)
            self.assertEqual(org.uscc[2:8], org.region.code, org.name)

    def test_the_registration_body_and_departments_are_there(self) -> None:
        commission = Organisation.objects.get(name="北京市科学技术委员会")
        self.assertEqual(commission.org_type, OrgType.REGISTRATION_BODY)
        self.assertEqual((commission.registry_code, commission.region.code), ("110", "110000"))
        departments = set(
            Organisation.objects.filter(org_type=OrgType.SUPERVISING_DEPARTMENT).values_list("name", flat=True)
        )
        self.assertEqual(departments, {"北京市教育委员会", "北京市卫生健康委员会"})
        for university in Organisation.objects.filter(org_type=OrgType.UNIVERSITY, region__code__startswith="11"):
            self.assertEqual(university.supervising_department.name, "北京市教育委员会")

    def test_units_are_spread_over_districts_with_a_neighbour_outside_beijing(self) -> None:
        codes = list(Organisation.objects.values_list("region__code", flat=True))
        districts = {c for c in codes if c.startswith("11") and c != "110000"}
        self.assertGreaterEqual(len(districts), 4)
        self.assertTrue(any(c[:2] in {"12", "13"} for c in codes))

    def test_registered_records_have_unique_twelve_character_numbers(self) -> None:
        numbers = list(
            Achievement.objects.exclude(registration_number=None).values_list("registration_number", flat=True)
        )
        self.assertTrue(numbers)
        self.assertEqual(len(numbers), len(set(numbers)))
        for number in numbers:
            self.assertRegex(number, r"^110\d{4}[YJR]\d{4}$")
        self.assertFalse(Achievement.objects.filter(status__in=REGISTERED_STATUSES, registration_number=None).exists())

    def test_every_achievement_passes_model_validation(self) -> None:
        for achievement in Achievement.objects.all():
            achievement.full_clean()
            self.assertTrue(1 <= len(achievement.keywords) <= 3, achievement.name)
            self.assertTrue(re.search(r"[\u4e00-\u9fff]", achievement.name), achievement.name)
            self.assertTrue(achievement.name_en and achievement.summary_en)
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
            steps = list(achievement.status_changes.values_list("to_status", flat=True))
            self.assertEqual(steps[-2:], [Status.REGISTERED, Status.PUBLISHED])
        for achievement in Achievement.objects.filter(status=Status.RETURNED):
            self.assertTrue(achievement.return_reason)
            self.assertEqual(achievement.status_changes.last().reason, achievement.return_reason)
        self.assertFalse(StatusChange.objects.filter(achievement__status=Status.DRAFT).exists())

    def test_draft_records_stay_private(self) -> None:
        drafts = Achievement.objects.filter(status=Status.DRAFT)
        self.assertFalse(Achievement.objects.filter(achievement_visible_q(AnonymousUser()), pk__in=drafts).exists())
        enterprise = User.objects.get(username="enterprise")
        others = drafts.exclude(owner__memberships__user=enterprise)
        self.assertTrue(others.exists())
        self.assertFalse(Achievement.objects.filter(achievement_visible_q(enterprise), pk__in=others).exists())

    def test_funded_projects_are_partly_reported(self) -> None:
        projects = FundedProject.objects.all()
        self.assertTrue(20 <= projects.count() <= 50)
        self.assertEqual(set(projects.values_list("programme__code", flat=True)), {"nsfc", "beijing"})
        reported = projects.exclude(achievements=None)
        self.assertTrue(reported.exists())
        self.assertTrue(projects.filter(achievements=None).exists())
        for achievement in Achievement.objects.exclude(funded_project=None).select_related("funded_project"):
            self.assertEqual(achievement.programme_number, achievement.funded_project.grant_number)

    def test_the_key_demo_users_log_in_with_the_demo_password_and_their_roles(self) -> None:
        for username, _zh, _en in KEY_LOGINS:
            self.assertIsNotNone(authenticate(username=username, password=DEMO_PASSWORD), username)
        self.assertIsNone(authenticate(username="reviewer", password="wrong-password"))
        roles = {
            "tto_demo_univ": (Role.TTO_OFFICER, OrgType.UNIVERSITY),
            "researcher": (Role.MEMBER, OrgType.UNIVERSITY),
            "reviewer": (Role.REVIEWER, OrgType.REGISTRATION_BODY),
            "commission": (Role.COMMISSION_ADMIN, OrgType.REGISTRATION_BODY),
            "enterprise": (Role.TTO_OFFICER, OrgType.ENTERPRISE),
        }
        for username, (role, org_type) in roles.items():
            membership = User.objects.get(username=username).memberships.select_related("organisation").get()
            self.assertEqual((membership.role, membership.organisation.org_type), (role, org_type), username)
        self.assertTrue(User.objects.get(username="admin").is_superuser)

    def test_if_empty_leaves_an_existing_demo_alone(self) -> None:
        before = (Achievement.objects.count(), Organisation.objects.count(), User.objects.count())
        output = seed("--if-empty")
        self.assertIn("--if-empty", output)
        self.assertEqual(before, (Achievement.objects.count(), Organisation.objects.count(), User.objects.count()))

    def test_the_same_seed_gives_the_same_demo_again(self) -> None:
        from techtransfer.matchmaking.models import ContactRequest

        names = list(Achievement.objects.order_by("pk").values_list("name", "owner__name", "status"))
        ContactRequest.objects.all().delete()  # they keep the achievements they are about
        Achievement.objects.all().delete()
        FundedProject.objects.all().delete()
        seed("--size", "small", "--seed", str(SEED))
        again = list(Achievement.objects.order_by("pk").values_list("name", "owner__name", "status"))
        self.assertEqual(names, again)
        self.assertEqual(Organisation.objects.count(), 12)  # units and people are reused, not duplicated

    def test_demo_logins_prints_every_key_account_in_both_languages(self) -> None:
        out = StringIO()
        call_command("demo_logins", stdout=out)
        text = out.getvalue()
        for username, role_zh, role_en in KEY_LOGINS:
            self.assertIn(username, text)
            self.assertIn(role_zh, text)
            self.assertIn(role_en, text)
        self.assertIn(DEMO_PASSWORD, text)
        self.assertIn("北京市科学技术委员会", text)


class SeedDemoArgumentsTests(TestCase):
    def test_demo_logins_says_what_to_do_before_a_seed(self) -> None:
        out = StringIO()
        call_command("demo_logins", stdout=out)
        self.assertIn("seed_demo", out.getvalue())

    def test_it_refuses_too_few_achievements_to_show_every_state(self) -> None:
        from django.core.management.base import CommandError

        with self.assertRaisesMessage(CommandError, "--achievements must be at least 6"):
            seed("--achievements", "3")
        self.assertFalse(Organisation.objects.exists())


class DemoGeneratorTests(TestCase):
    """The pure generators: deterministic, and valid without a database."""

    def test_the_same_seed_gives_the_same_organisations(self) -> None:
        first = [(o.name, o.uscc, o.region) for o in organisations_plan(random.Random(3), 40)]
        second = [(o.name, o.uscc, o.region) for o in organisations_plan(random.Random(3), 40)]
        other = [(o.name, o.uscc, o.region) for o in organisations_plan(random.Random(4), 40)]
        self.assertEqual(first, second)
        self.assertNotEqual(first, other)

    def test_a_large_plan_has_unique_names_codes_and_slugs_across_all_districts(self) -> None:
        plan = organisations_plan(random.Random(42), 100)
        self.assertEqual(len(plan), 100)
        for attribute in ("name", "uscc", "slug"):
            values = [getattr(o, attribute) for o in plan]
            self.assertEqual(len(values), len(set(values)), attribute)
        for org in plan:
            validate_uscc(org.uscc)
        districts = {o.region for o in plan if o.region.startswith("11") and o.region != "110000"}
        self.assertEqual(len(districts), 16)

    def test_texts_are_bilingual_with_one_to_three_keywords(self) -> None:
        rng = random.Random(1)
        for theme in THEMES.values():
            for kind in ("applied", "basic", "soft"):
                text = achievement_text(rng, theme, kind)
                self.assertTrue(text.name and text.name_en and text.summary and text.summary_en)
                self.assertTrue(1 <= len(text.keywords) == len(text.keywords_en) <= 3)

    def test_bench_rows_are_deterministic_and_carry_valid_patents(self) -> None:
        rows = list(achievement_rows(50, seed=5))
        self.assertEqual([r["name"] for r in rows], [r["name"] for r in achievement_rows(50, seed=5)])
        self.assertEqual(len({r["external_id"] for r in rows}), 50)
        patents = [i["number"] for r in rows for i in r["ip_items"] if i["kind"] in PATENT_KINDS]
        self.assertTrue(patents)
        for number in patents:
            validate_patent_number(number)


class BenchCsvTests(TestCase):
    """The benchmark file is read by the real importer without a single bad row."""

    def test_every_bench_row_imports_and_a_second_import_creates_nothing(self) -> None:
        from techtransfer.achievements.demo import bench_csv_write
        from techtransfer.achievements.importing import achievement_import
        from techtransfer.testing import make_personas

        p = make_personas()
        out = StringIO()
        self.assertEqual(bench_csv_write(out, count=40, seed=9), 40)
        content = out.getvalue().encode("utf-8")
        batch = achievement_import(by=p.tto_officer, owner=p.university, file=content, file_name="bench.csv")
        self.assertEqual((batch.created_count, batch.error_count), (40, 0), batch.errors)
        self.assertEqual(Achievement.objects.filter(owner=p.university, status=Status.DRAFT).count(), 40)
        again = achievement_import(by=p.tto_officer, owner=p.university, file=content, file_name="bench.csv")
        self.assertEqual((again.created_count, again.unchanged_count), (0, 40))

    def test_make_bench_csv_writes_the_file(self) -> None:
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.csv"
            out = StringIO()
            call_command("make_bench_csv", str(path), "--rows", "25", stdout=out)
            lines = path.read_text(encoding="utf-8-sig")
            self.assertIn("成果名称", lines)
            self.assertIn("Wrote 25 rows", out.getvalue())
