"""`python manage.py seed_demo`: load the demo (techtransfer/demo/data) through the services."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Model, TextChoices

from techtransfer.accounts.choices import OrgType
from techtransfer.accounts.models import Organisation
from techtransfer.achievements.choices import Status
from techtransfer.achievements.models import Achievement
from techtransfer.challenges.choices import ChallengeStatus
from techtransfer.challenges.models import Challenge
from techtransfer.demo.agencies import agencies_counts, agencies_seed
from techtransfer.demo.carriers import carriers_seed
from techtransfer.demo.compliance import compliance_seed
from techtransfer.demo.content import content_load
from techtransfer.demo.contracts import DEFAULT_CONTRACTS, contracts_seed
from techtransfer.demo.facilities import facilities_seed, facilities_summary_line
from techtransfer.demo.investment import investment_seed, investment_summary_line
from techtransfer.demo.ipr import ipr_seed
from techtransfer.demo.loader import CLOSING_SECONDS, DEMO_PASSWORD, DemoError, DemoLoader, demo_exists
from techtransfer.demo.medium import medium_content
from techtransfer.demo.packages import packages_seed, packages_summary_line
from techtransfer.demo.talent import talent_seed, talent_summary_line
from techtransfer.market.choices import DemandStatus
from techtransfer.market.models import TechnologyDemand
from techtransfer.matchmaking.choices import Stage
from techtransfer.matchmaking.models import ContactRequest

SIZES = ("small", "medium")


def _counts(model: type[Model], field: str, choices: type[TextChoices]) -> str:
    """How many records of each state, in the order of the workflow, as they stand in the database."""
    counts = Counter(model.objects.values_list(field, flat=True))
    return ", ".join(f"{label} {counts[value]}" for value, label in choices.choices if counts[value])


class Command(BaseCommand):
    help = (
        "Load the demo: Beijing units (the S&T commission as registration body, universities, an institute, a "
        "hospital, enterprises, a technology-transfer institution), their people (password demo12345, demo "
        "only), funded projects, achievements in every workflow state, demands, challenges, contact requests "
        "and subscriptions, all written through the services; then build the search and matching index."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size",
            choices=SIZES,
            default="small",
            help="small: the hand-written demo (15 organisations, 47 achievements, 12 demands); medium adds "
            "24 organisations, about 550 achievements and 40 demands recombined from data/recombine.toml.",
        )
        parser.add_argument("--seed", type=int, default=42, help="Random seed of the medium demo's recombination.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if the database holds any data.")
        parser.add_argument(
            "--contracts", type=int, default=DEFAULT_CONTRACTS,
            help="Registered technology contracts to generate (demo/contracts.py; 0 for none; default %(default)s).",
        )
        parser.add_argument(
            "--closing-seconds",
            type=float,
            default=CLOSING_SECONDS,
            help="The closed and awarded challenges take proposals for this many seconds after they are posted; "
            "the loader then waits for their deadline to pass before the owners award (default %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and demo_exists():
            self.stdout.write("The database already holds data; the demo was not loaded (--if-empty).")
            return
        started = time.monotonic()
        content = content_load()
        if options["size"] == "medium":
            content.extend(medium_content(content, seed=options["seed"]))
        self.stdout.write(
            f"Loading the {options['size']} demo: {len(content.organisations)} organisations, "
            f"{len(content.achievements)} achievements, {len(content.demands)} demands…"
        )
        try:
            loader = DemoLoader(
                content,
                closing_seconds=options["closing_seconds"],
                progress=lambda message: self.stdout.write(f"  {message}"),
            )
            summary = loader.run()
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Demo data written in {summary.seconds:.1f} s."))
        self.stdout.write("Organisations: " + _counts(Organisation, "org_type", OrgType))
        self.stdout.write(f"Users: {summary.users} (password {DEMO_PASSWORD!r}, demo only)")
        self.stdout.write(f"Funded projects: {summary.funded_projects}")
        self.stdout.write("Achievements: " + _counts(Achievement, "status", Status))
        self.stdout.write("Demands: " + _counts(TechnologyDemand, "status", DemandStatus))
        self.stdout.write(
            "Challenges: "
            + _counts(Challenge, "status", ChallengeStatus)
            + f"; {summary.proposals} proposals, {summary.questions} questions"
            + (f" (waited {summary.waited:.1f} s for the closing deadline)" if summary.waited else "")
        )
        self.stdout.write("Contact requests: " + _counts(ContactRequest, "stage", Stage))
        # Every kind (achievements, demands, challenges, expert and organisation profiles) and their vectors.
        call_command("rebuild_matching_index", stdout=self.stdout, stderr=self.stderr)
        loader.notify()
        self.stdout.write(f"Subscriptions: {summary.subscriptions}, {summary.notifications} notifications")
        if options["contracts"] > 0:
            made = contracts_seed(options["contracts"], progress=lambda message: self.stdout.write(f"  {message}"))
            self.stdout.write(f"Technology contracts: {made.registered} registered, {made.waiting} in other states, "
                              f"{made.points} registration points ({made.seconds:.1f} s)")
        made_compliance = compliance_seed(progress=lambda message: self.stdout.write(f"  {message}"))
        self.stdout.write(
            f"Compliance ({made_compliance.data_year} reporting year): {made_compliance.deals} transformation deals, "
            f"{made_compliance.plans} reward plans, {made_compliance.sci_reports} S&T reports, "
            f"{made_compliance.annual_reports} annual reports"
        )
        self.stdout.write(talent_summary_line(talent_seed(progress=lambda message: self.stdout.write(f"  {message}"))))
        made_investment = investment_seed(progress=lambda message: self.stdout.write(f"  {message}"))
        self.stdout.write(investment_summary_line(made_investment))
        made_ip = ipr_seed(progress=lambda message: self.stdout.write(f"  {message}"))
        self.stdout.write(
            f"IP records: {made_ip.records} ({made_ip.public} public, {made_ip.linked} linked to achievements, "
            f"{made_ip.fees_due_90} with a fee due within 90 days) ({made_ip.seconds:.1f} s)"
        )
        made_carriers = carriers_seed(progress=lambda message: self.stdout.write(f"  {message}"))
        self.stdout.write(
            f"Transformation carriers: {made_carriers.carriers} ({made_carriers.listed} listed), "
            f"{made_carriers.firms} incubated firms, {made_carriers.incubating} in incubation today "
            f"({made_carriers.seconds:.1f} s)"
        )
        agencies_seed(progress=lambda message: self.stdout.write(f"  {message}"))
        self.stdout.write("Service agencies: " + agencies_counts())
        made_facilities = facilities_seed(progress=lambda message: self.stdout.write(f"  {message}"))
        self.stdout.write(facilities_summary_line(made_facilities))
        made_packages = packages_seed(progress=lambda message: self.stdout.write(f"  {message}"))
        self.stdout.write(packages_summary_line(made_packages))
        self.stdout.write(self.style.SUCCESS(f"Demo loaded in {time.monotonic() - started:.1f} s."))
        self.stdout.write("Run `python manage.py demo_logins` to see the demo accounts.")
