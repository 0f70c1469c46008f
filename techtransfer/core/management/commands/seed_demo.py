"""`python manage.py seed_demo`: fill the database with a synthetic demo (see techtransfer.achievements.demo)."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from techtransfer.accounts.choices import OrgType
from techtransfer.achievements.choices import Status
from techtransfer.achievements.demo import (
    DEMO_PASSWORD,
    MIN_ORGANISATIONS,
    SIZES,
    STATE_SHARES,
    demo_seed,
    side_effects_suppressed,
)
from techtransfer.achievements.models import Achievement
from techtransfer.market.demo import market_demo_seed


class Command(BaseCommand):
    help = (
        "Create a synthetic demo: the Beijing S&T commission, supervising departments, universities, institutes, "
        "hospitals, enterprises across the districts, their people (password demo12345, demo only), funded "
        "projects and achievements in every workflow state, all written through the services."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size",
            choices=sorted(SIZES),
            default="small",
            help="small ≈ 12 organisations / 60 achievements, medium ≈ 40 / 600, large ≈ 100 / 5,000.",
        )
        parser.add_argument("--achievements", type=int, help="Number of achievements (overrides --size).")
        parser.add_argument("--organisations", type=int, help="Number of organisations (overrides --size).")
        parser.add_argument("--seed", type=int, default=42, help="Random seed; the same seed gives the same demo.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if any achievement exists.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Achievement.objects.exists():
            self.stdout.write("Achievements already exist; the demo data was not loaded (--if-empty).")
            return
        default_orgs, default_achievements = SIZES[options["size"]]
        organisations = options["organisations"] or default_orgs
        achievements = options["achievements"] or default_achievements
        if organisations < MIN_ORGANISATIONS:
            raise CommandError(f"--organisations must be at least {MIN_ORGANISATIONS}.")
        if achievements < len(STATE_SHARES):
            raise CommandError(f"--achievements must be at least {len(STATE_SHARES)}, one for each workflow state.")
        self.stdout.write(
            f"Seeding a demo of {organisations} organisations and {achievements} achievements (seed {options['seed']})…"
        )
        summary = demo_seed(
            organisations=organisations,
            achievements=achievements,
            seed=options["seed"],
            progress=lambda message: self.stdout.write(f"  {message}"),
        )
        org_types = dict(OrgType.choices)
        statuses = dict(Status.choices)
        self.stdout.write(self.style.SUCCESS(f"Demo data created in {summary.seconds:.1f} s."))
        self.stdout.write(
            "Organisations: " + ", ".join(f"{org_types[kind]} {count}" for kind, count in summary.organisations.items())
        )
        self.stdout.write(f"Users: {summary.users} new (password {DEMO_PASSWORD!r}, demo only)")
        self.stdout.write(
            "Achievements: "
            + ", ".join(f"{statuses[state]} {summary.achievements[state]}" for state, _ in STATE_SHARES)
            + f"; {summary.revisions} revised after registration"
        )
        self.stdout.write(
            f"Funded projects: {summary.funded_projects}, of which {summary.funded_linked} reported by an achievement"
        )
        with side_effects_suppressed():  # the index is rebuilt once, below
            market = market_demo_seed(seed=options["seed"])
        self.stdout.write(
            f"Market: {market.demands} demands, {market.challenges} challenges with {market.proposals} proposals, "
            f"{market.contact_requests} contact requests, {market.subscriptions} subscriptions"
            + (f" ({'; '.join(market.notes)})" if market.notes else "")
        )
        self.stdout.write(f"Search index: {summary.reindexed}")
        # Every kind (demands, challenges, expert and organisation profiles) and their vectors, with a bar.
        call_command("rebuild_matching_index", stdout=self.stdout, stderr=self.stderr)
        self.stdout.write("Run `python manage.py demo_logins` to see the demo accounts.")
