"""Writes the demo content (content.py) into the database through the services' public functions, so that
registration numbers, status histories, the audit trail, notifications and the search index are the real
thing. Organisations and their people are set up directly, as an administrator would in the admin.

Time. Some of the story needs time to have passed: a challenge can only be shortlisted and awarded once its
submission deadline is over, and its proposals must have come in before. Nothing here fakes the clock
(time-machine is a test dependency, absent from production installs) and no timestamp a rule reads is
rewritten afterwards. Instead, the closed and awarded challenges are posted first, with a submission deadline
`closing_seconds` ahead (a loader option, `seed_demo --closing-seconds`); their proposals are handed in at
once; everything else is loaded meanwhile; then the loader waits for whatever is left of the deadline (usually
nothing or a second) and the owners shortlist and award through the services like anyone would. Those two
challenges therefore show a deadline of the moment the demo was loaded. Every other date is either fixed in
the data (research periods, evaluations) or counted from the day of loading (demand and open challenge
deadlines), so the demo never looks out of date.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from techtransfer.accounts.choices import MembershipStatus, Role
from techtransfer.accounts.models import Membership, Organisation, User
from techtransfer.achievements import services as achievement_services
from techtransfer.achievements.choices import AttachmentKind
from techtransfer.achievements.funded import funded_projects_import
from techtransfer.achievements.models import Achievement, FundedProject
from techtransfer.challenges import services as challenge_services
from techtransfer.challenges.models import Challenge, Proposal
from techtransfer.core import jobs
from techtransfer.core.codetables import code_item
from techtransfer.core.models import CodeItem
from techtransfer.demo.content import (
    ACHIEVEMENT_CODES,
    AchievementSpec,
    ChallengeSpec,
    ContactRequestSpec,
    Content,
    DemandSpec,
    content_problems,
)
from techtransfer.demo.identifiers import proof_pdf
from techtransfer.market import services as demand_services
from techtransfer.market.models import TechnologyDemand
from techtransfer.matchmaking import services as contact_services
from techtransfer.subscriptions import services as subscription_services
from techtransfer.subscriptions.models import Subscription

# Demo only: every demo account has this password (README, `demo_logins`).
DEMO_PASSWORD = "demo12345"
# Reserved for examples (RFC 2606): mail to the demo's people goes nowhere.
EMAIL_DOMAIN = "example.org"
CLOSING_SECONDS = 3.0
ACHIEVEMENT_CHUNK = 100  # achievements per transaction: far fewer commits (and fsyncs) than one per service call

# The columns of a programme's list of funded projects, as the import reads them.
FUNDED_HEADERS = ["批准号", "项目类别", "项目名称", "依托单位", "负责人", "金额(万元)", "起止年月", "结题评估"]
# The form field each data-file text of an achievement fills.
TEXT_FIELDS = {
    "name": "name",
    "name_en": "name_en",
    "summary": "summary",
    "summary_en": "summary_en",
    "programme": "programme_name",
    "programme_number": "programme_number",
}


class DemoError(Exception):
    """The content cannot be loaded (inconsistent files, or the database already holds the demo)."""


@dataclass
class SeedSummary:
    """What one seed did besides the records the command counts, for its report."""

    users: int = 0
    funded_projects: int = 0
    proposals: int = 0
    questions: int = 0
    subscriptions: int = 0
    notifications: int = 0
    waited: float = 0.0  # seconds spent waiting for the closing challenges' deadline
    seconds: float = 0.0


@functools.cache
def demo_password_hash() -> str:
    """The demo password, hashed once per process: hashing it for every demo login would cost seconds."""
    return make_password(DEMO_PASSWORD)


def demo_user(
    username: str, *, name: str, organisation: Organisation | None = None, role: str = Role.MEMBER,
    email_domain: str = EMAIL_DOMAIN,
) -> tuple[User, bool]:
    """A demo login (the demo password, its e-mail confirmed) with an active membership of `organisation`; the
    one already there when a seed runs again. Returns the user and whether it was created."""
    user, created = User.objects.get_or_create(username=username, defaults={
        "email": f"{username}@{email_domain}", "password": demo_password_hash(), "full_name": name,
        "email_confirmed": True,
    })
    if organisation is not None:
        Membership.objects.get_or_create(user=user, organisation=organisation,
                                         defaults={"role": role, "status": MembershipStatus.ACTIVE})
    return user, created


def email_of(username: str, org_key: str) -> str:
    domain = f"{org_key.replace('_', '-')}.{EMAIL_DOMAIN}" if org_key else EMAIL_DOMAIN
    return f"{username}@{domain}"


def _at_five_pm(day: datetime.date) -> datetime.datetime:
    """Deadlines fall at the end of an office day, in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(17, 0)))


@contextmanager
def _no_side_effects() -> Iterator[None]:
    """No per-record jobs (indexing, embedding, mail) while loading: the index is rebuilt once afterwards,
    and the demo's people have no real mailboxes."""
    with jobs.suppressed():
        yield


class DemoLoader:
    """Loads one Content. Use once: `DemoLoader(content).run()`."""

    def __init__(
        self,
        content: Content,
        *,
        closing_seconds: float = CLOSING_SECONDS,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        problems = content_problems(content)
        if problems:
            raise DemoError("The demo content is inconsistent:\n  " + "\n  ".join(problems))
        self.content = content
        self.closing_seconds = closing_seconds
        self.progress = progress or (lambda _message: None)
        self.summary = SeedSummary()
        self.orgs: dict[str, Organisation] = {}
        self.users: dict[str, User] = {}
        self.achievements: dict[str, Achievement] = {}
        self.demands: dict[str, TechnologyDemand] = {}
        self._codes: dict[tuple[str, str], CodeItem] = {}
        self._closing: list[tuple[ChallengeSpec, Challenge, list[tuple[str, Proposal]]]] = []
        self.today = timezone.localdate()
        self.reviewer: User | None = None
        self.moderator: User | None = None

    # -- helpers ---------------------------------------------------------------------------------------

    def code(self, table: str, code: str) -> CodeItem:
        if (table, code) not in self._codes:
            self._codes[(table, code)] = code_item(table, code)
        return self._codes[(table, code)]

    def officer(self, org_key: str) -> User:
        return self.users[self.content.officer(org_key).username]

    # -- organisations and people ----------------------------------------------------------------------

    def people(self) -> None:
        taken = set(Organisation.objects.filter(name__in=[o.name for o in self.content.organisations]))
        if taken:
            raise DemoError(
                f"The database already holds the demo ({len(taken)} of its organisations); "
                "load it into an empty database (or run `manage.py flush` first)."
            )
        password = make_password(DEMO_PASSWORD)  # hashed once: hashing per user would dominate small seeds
        for spec in self.content.organisations:  # departments come before the units they supervise
            org = Organisation(
                name=spec.name,
                name_en=spec.name_en,
                org_type=spec.type,
                uscc=spec.uscc,
                region=self.code("region", spec.region),
                registry_code=spec.registry_code,
                address=spec.address,
                description=spec.description,
                is_verified=True,
                supervising_department=self.orgs[spec.department] if spec.department else None,
            )
            org.full_clean()
            org.save()
            self.orgs[spec.key] = org
        phones = {org.key: org.phone for org in self.content.organisations}
        for spec in self.content.users:
            user = User.objects.create(
                username=spec.username,
                email=email_of(spec.username, spec.org),
                password=password,
                full_name=spec.name,
                phone=phones.get(spec.org, ""),
                email_confirmed=True,
                is_staff=spec.staff or spec.superuser,
                is_superuser=spec.superuser,
            )
            if spec.org:
                Membership.objects.create(user=user, organisation=self.orgs[spec.org], role=spec.role)
            self.users[spec.username] = user
            self.summary.users += 1
        commission = next(o for o in self.content.organisations if o.type == "registration_body")
        self.reviewer = next(self.users[u.username] for u in commission.users if u.role == "reviewer")
        # The commission's administrator moderates the market in every region.
        self.moderator = next(self.users[u.username] for u in commission.users if u.role == "commission_admin")

    # -- funded projects: the programme lists, imported as the commission would ----------------------------

    def funded_projects(self) -> None:
        assert self.moderator is not None
        for programme in sorted({f.programme for f in self.content.funded}):
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(FUNDED_HEADERS)
            for f in self.content.funded:
                if f.programme == programme:
                    host = self.content.organisation(f.host).name
                    writer.writerow([f.grant, f.type, f.title, host, f.pi, f.amount, f.period, f.evaluation])
            batch = funded_projects_import(
                file=out.getvalue().encode("utf-8"),
                programme_code=programme,
                by=self.moderator,
                file_name=f"{programme}-funded-projects.csv",
            )
            if batch.error_count:
                raise DemoError(f"Funded projects of {programme} did not import: {batch.errors}")
            self.summary.funded_projects += batch.created_count

    # -- achievements ----------------------------------------------------------------------------------

    def _persons(self, spec: AchievementSpec, names: Sequence[str]) -> list[dict[str, Any]]:
        persons = []
        for name in names:
            for key in (spec.owner, *spec.partners):
                org = self.content.organisation(key)
                researcher = next((r for r in org.researchers if r.name == name), None)
                if researcher is not None:
                    persons.append(
                        {
                            "name": name,
                            "unit_name": org.name,
                            "title": researcher.title,
                            "education": researcher.education,
                            "birth_year": researcher.born,
                        }
                    )
                    break
        return persons

    def _data(self, spec: AchievementSpec, values: dict[str, Any]) -> dict[str, Any]:
        """Form fields from data-file values (texts, codes, `application` and the like)."""
        data: dict[str, Any] = {}
        for name, value in values.items():
            if name in TEXT_FIELDS:
                data[TEXT_FIELDS[name]] = value
            elif name in ACHIEVEMENT_CODES:
                table = ACHIEVEMENT_CODES[name]
                data[table] = self.code(table, value)
        return data

    def _achievement_data(self, spec: AchievementSpec) -> dict[str, Any]:
        owner = self.content.organisation(spec.owner)
        officer = self.content.officer(spec.owner)
        data = self._data(spec, {**spec.texts, **spec.codes})
        data.update(
            achievement_type=spec.type,
            keywords=spec.keywords,
            keywords_en=spec.keywords_en,
            research_start=spec.research[0],
            research_end=spec.research[1],
            evaluation_date=spec.evaluated,
            internal_registration_date=spec.evaluated + datetime.timedelta(days=14),
            # A record the commission registers but does not publish: the unit asked to keep it off the portal.
            public_release=spec.state != "registered",
            contact_name=officer.name,
            contact_phone=owner.phone,
            contact_email=email_of(officer.username, owner.key),
            contact_address=owner.address,
        )
        if spec.grant:
            project = FundedProject.objects.select_related("programme").get(grant_number=spec.grant)
            data.update(
                funded_project=project,
                project_source=project.programme,
                programme_name=f"{project.programme.label_zh}{project.grant_type}"[:200],
                programme_number=project.grant_number,
            )
        return data

    def _attach(self, achievement: Achievement, by: User, kind: str, spec: AchievementSpec) -> None:
        label = AttachmentKind(kind).name.replace("_", " ").lower()
        pdf = proof_pdf(
            [
                f"{label.capitalize()} - placeholder for the scanned document",
                f"Achievement: {spec.texts.get('name_en', '')}",
                f"Evaluation date: {spec.evaluated:%Y-%m-%d}",
            ]
        )
        achievement_services.attachment_add(
            achievement=achievement,
            by=by,
            upload=SimpleUploadedFile(f"{kind.replace('_', '-')}.pdf", pdf, "application/pdf"),
            kind=kind,
        )

    def achievement(self, spec: AchievementSpec) -> Achievement:
        """Create the record and take it through the workflow to its state, as the unit and the commission would."""
        assert self.reviewer is not None
        owner = self.orgs[spec.owner]
        officer = self.officer(spec.owner)
        author = self.users[spec.author] if spec.author else officer
        final = self._achievement_data(spec)
        returned = spec.returned or {}
        before = returned.get("before", {}) if spec.state != "returned" else {}
        first = {**final, **self._data(spec, before)}
        achievement = achievement_services.achievement_create(
            by=author,
            owner=owner,
            data=first,
            units=[{"name": owner.name, "organisation": owner}]
            + [{"name": self.orgs[key].name, "organisation": self.orgs[key]} for key in spec.partners],
            persons=self._persons(spec, before.get("persons", spec.persons)),
            ip_items=[{**item, "holder": owner.name} for item in spec.ip],
            transfer_modes=[self.code("transfer_mode", mode) for mode in spec.transfer],
        )
        if not spec.materials:
            return achievement  # an unfinished draft: its proofs are not uploaded yet
        proof = AttachmentKind.IP_CERTIFICATE if spec.codes.get("evaluation") == "patent" else AttachmentKind.EVALUATION
        self._attach(achievement, author, proof, spec)
        withdrawn = spec.withdrawn or {}
        after = withdrawn.get("after", "draft")

        def withdraw() -> Achievement:
            return achievement_services.achievement_withdraw(
                achievement=achievement, by=officer, reason=withdrawn["reason"]
            )

        if spec.state == "draft" or (spec.state == "withdrawn" and after == "draft"):
            return withdraw() if spec.state == "withdrawn" else achievement
        achievement = achievement_services.achievement_submit(achievement=achievement, by=officer)
        if spec.state == "submitted" or (spec.state == "withdrawn" and after == "submitted"):
            return withdraw() if spec.state == "withdrawn" else achievement
        if returned:
            achievement = achievement_services.achievement_return(
                achievement=achievement, by=self.reviewer, reason=returned["reason"]
            )
            if spec.state == "returned":
                return achievement
            # The unit fixes what the reviewer asked for, and the TTO officer sends it again.
            if before:
                fixed = {name: value for name, value in final.items() if name in self._data(spec, before)}
                achievement = achievement_services.achievement_update(
                    achievement=achievement,
                    by=author,
                    data=fixed,
                    persons=self._persons(spec, spec.persons) if "persons" in before else None,
                )
            if "attach" in returned:
                self._attach(achievement, author, returned["attach"], spec)
            achievement = achievement_services.achievement_submit(achievement=achievement, by=officer)
        achievement = achievement_services.achievement_register(achievement=achievement, by=self.reviewer)
        if spec.state == "withdrawn":
            return withdraw()
        if spec.revised:
            changes = {k: v for k, v in spec.revised.items() if k != "reason"}
            achievement_services.achievement_revise(
                achievement=achievement, by=officer, data=self._data(spec, changes), reason=spec.revised["reason"]
            )
        return achievement

    def achievements_all(self) -> None:
        specs = self.content.achievements
        for start in range(0, len(specs), ACHIEVEMENT_CHUNK):
            with transaction.atomic():
                for spec in specs[start : start + ACHIEVEMENT_CHUNK]:
                    achievement = self.achievement(spec)
                    if spec.key:
                        self.achievements[spec.key] = achievement
            if len(specs) > ACHIEVEMENT_CHUNK:
                self.progress(f"{min(start + ACHIEVEMENT_CHUNK, len(specs))}/{len(specs)} achievements")

    # -- demands ---------------------------------------------------------------------------------------

    def demand(self, spec: DemandSpec) -> TechnologyDemand:
        assert self.moderator is not None
        by = self.users[spec.by]
        owner = self.orgs[spec.owner]
        phone = self.content.organisation(spec.owner).phone
        demand = demand_services.demand_create(
            by=by,
            owner=owner,
            data={
                "title": spec.title,
                "description": spec.description,
                "field": self.code("high_tech_field", spec.field),
                "region": owner.region,
                "budget_min": Decimal(spec.budget[0]),
                "budget_max": Decimal(spec.budget[1]),
                "deadline": self.today + datetime.timedelta(days=spec.deadline_days),
                "contact_public": spec.contact_public,
                "contact_name": by.full_name,
                "contact_phone": phone,
                "contact_email": by.email,
            },
            cooperation_modes=[self.code("cooperation_mode", mode) for mode in spec.modes],
        )
        if spec.state != "draft":
            demand = demand_services.demand_submit(demand=demand, by=by)
            if spec.state == "returned":
                demand = demand_services.demand_reject(demand=demand, by=self.moderator, reason=spec.returned)
            elif spec.state == "published":
                demand = demand_services.demand_approve(demand=demand, by=self.moderator)
        self.demands[spec.key] = demand
        return demand

    # -- challenges ------------------------------------------------------------------------------------

    def _challenge_post(
        self, spec: ChallengeSpec, deadline: datetime.datetime, qa: datetime.datetime | None
    ) -> Challenge:
        assert self.moderator is not None
        by = self.users[spec.by]
        owner = self.orgs[spec.owner]
        challenge = challenge_services.challenge_create(
            by=by,
            owner=owner,
            data={
                "title": spec.title,
                "problem": spec.problem,
                "requirements": spec.requirements,
                "field": self.code("high_tech_field", spec.field),
                "region": owner.region,
                "reward": Decimal(spec.reward),
                "reward_note": spec.reward_note,
                "submission_deadline": deadline,
                "qa_deadline": qa,
                "eligibility": spec.eligibility,
                "max_winners": spec.max_winners,
            },
        )
        challenge = challenge_services.challenge_submit(challenge=challenge, by=by)
        return challenge_services.challenge_approve(challenge=challenge, by=self.moderator)

    def _proposals(self, spec: ChallengeSpec, challenge: Challenge) -> list[tuple[str, Proposal]]:
        handed_in = []
        for p in spec.proposals:
            by = self.users[p.by]
            proposal = challenge_services.proposal_create(
                challenge=challenge,
                by=by,
                data={
                    "team_org": self.orgs[p.team],
                    "team_name": p.team_name,
                    "members": p.members,
                    "summary": p.summary,
                    "approach": p.approach,
                    "price_quote": Decimal(p.price),
                },
            )
            self.summary.proposals += 1
            if p.state != "draft":
                proposal = challenge_services.proposal_submit(proposal=proposal, by=by)
                handed_in.append((p.state, proposal))
        return handed_in

    def challenges_closing(self) -> None:
        """Post the challenges the demo shows closed or awarded, and hand in their proposals, first thing."""
        for spec in self.content.challenges:
            if spec.state == "open":
                continue
            deadline = timezone.now() + datetime.timedelta(seconds=self.closing_seconds)
            with transaction.atomic():
                challenge = self._challenge_post(spec, deadline, None)
                handed_in = self._proposals(spec, challenge)
            if timezone.now() >= deadline:
                raise DemoError(
                    f"The proposals of “{spec.title}” were not in before its deadline; this machine needs a longer "
                    f"--closing-seconds than {self.closing_seconds:g}."
                )
            self._closing.append((spec, challenge, handed_in))

    def challenge_open(self, spec: ChallengeSpec) -> None:
        deadline = _at_five_pm(self.today + datetime.timedelta(days=spec.deadline_days))
        qa = _at_five_pm(self.today + datetime.timedelta(days=spec.qa_days))
        challenge = self._challenge_post(spec, deadline, qa)
        owner = self.users[spec.by]
        for q in spec.questions:
            question = challenge_services.question_ask(challenge=challenge, by=self.users[q.by], text=q.text)
            self.summary.questions += 1
            if q.answer:
                challenge_services.question_answer(question=question, by=owner, answer=q.answer)
        self._proposals(spec, challenge)

    def challenges_decide(self) -> None:
        """Once the closing deadlines are over, the owners read the proposals, shortlist and award."""
        if not self._closing:
            return
        last = max(challenge.submission_deadline for _spec, challenge, _p in self._closing)
        assert last is not None
        wait = (last - timezone.now()).total_seconds()
        if wait > 0:
            time.sleep(wait + 0.05)
            self.summary.waited = wait
        for spec, challenge, handed_in in self._closing:
            owner = self.users[spec.by]
            with transaction.atomic():
                shortlist = [p for state, p in handed_in if state in {"shortlisted", "awarded"}]
                if shortlist and spec.state == "closed":
                    challenge_services.proposals_shortlist(challenge=challenge, by=owner, proposals=shortlist)
                if spec.state == "awarded":
                    winners = [p for state, p in handed_in if state == "awarded"]
                    challenge_services.challenge_award(
                        challenge=challenge, by=owner, proposals=winners, result_note=spec.result
                    )

    # -- contact requests ------------------------------------------------------------------------------

    def contact_request(self, spec: ContactRequestSpec) -> None:
        by = self.users[spec.by]
        # The services move copies they lock: read the records' states back before pairing them.
        demand, achievement = self.demands[spec.demand], self.achievements[spec.achievement]
        demand.refresh_from_db()
        achievement.refresh_from_db()
        request = contact_services.contact_request_open(
            by=by,
            demand=demand,
            achievement=achievement,
            message=spec.message,
        )
        if spec.advance:
            request = contact_services.contact_request_advance(
                contact_request=request, by=self.users[spec.advance["by"]], note=spec.advance["note"]
            )
        for note in spec.notes:
            contact_services.contact_note_add(contact_request=request, by=self.users[note["by"]], text=note["text"])
        for step in spec.signing:
            request = contact_services.contact_request_confirm_signing(
                contact_request=request, by=self.users[step["by"]], note=step["note"]
            )
        if spec.abandon:
            request = contact_services.contact_request_abandon(
                contact_request=request, by=self.users[spec.abandon["by"]], reason=spec.abandon["reason"]
            )

    # -- subscriptions ---------------------------------------------------------------------------------

    def subscriptions(self) -> None:
        """Subscribed before anything is published, so that the first check finds news for them."""
        for spec in self.content.subscriptions:
            subscription_services.subscription_create(
                by=self.users[spec.user],
                data={
                    "name": spec.name,
                    "kinds": spec.kinds,
                    "keywords": spec.keywords,
                    "frequency": spec.frequency,
                    # Switched on after the first check (see `notify`): nothing is mailed while loading.
                    "email_enabled": False,
                },
                fields=[self.code("high_tech_field", code) for code in spec.fields],
            )
            self.summary.subscriptions += 1

    def notify(self) -> None:
        """The first subscription check (needs the search index): in-site notifications only; then the
        subscribers who want e-mail digests get them switched on, from the next check."""
        result = subscription_services.subscriptions_check()
        self.summary.notifications = result.notifications
        for spec in self.content.subscriptions:
            if spec.email:
                user = self.users[spec.user]
                for subscription in Subscription.objects.filter(user=user, name=spec.name):
                    subscription_services.subscription_update(
                        subscription=subscription, by=user, data={"email_enabled": True}
                    )

    # -- the whole demo --------------------------------------------------------------------------------

    def run(self) -> SeedSummary:
        """Everything but the search index: the caller rebuilds it, then calls `notify()`."""
        started = time.monotonic()
        with _no_side_effects():
            with transaction.atomic():
                self.people()
                self.funded_projects()
                self.subscriptions()
            self.progress(
                f"{len(self.orgs)} organisations, {self.summary.users} users, "
                f"{self.summary.funded_projects} funded projects"
            )
            self.challenges_closing()
            self.achievements_all()
            with transaction.atomic():
                for spec in self.content.demands:
                    self.demand(spec)
                for challenge in self.content.challenges:
                    if challenge.state == "open":
                        self.challenge_open(challenge)
                for request in self.content.contact_requests:
                    self.contact_request(request)
            self.challenges_decide()
        self.summary.seconds = time.monotonic() - started
        return self.summary


def demo_exists() -> bool:
    """Whether the database holds anything a demo would collide with or pile onto."""
    return Organisation.objects.exists() or Achievement.objects.exists() or TechnologyDemand.objects.exists()
