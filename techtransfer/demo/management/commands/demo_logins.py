"""`python manage.py demo_logins`: the demo accounts to try the platform with (demo data only)."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.management.base import BaseCommand

from techtransfer.accounts.models import User
from techtransfer.demo.agencies import agency_logins
from techtransfer.demo.carriers import carrier_logins
from techtransfer.demo.content import content_load
from techtransfer.demo.contracts import registrar_logins
from techtransfer.demo.facilities import voucher_logins
from techtransfer.demo.investment import investment_logins
from techtransfer.demo.loader import DEMO_PASSWORD
from techtransfer.demo.talent import talent_logins


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, username, organisation) of the demo accounts in this database: the accounts to try first (as
    the data files describe them), then every other unit's people with their role."""
    content = content_load()
    specs = sorted(content.users, key=lambda u: u.login is None)  # stable: file order within each group
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[s.username for s in specs]).prefetch_related(
            "memberships__organisation"
        )
    }
    rows = []
    for spec in specs:
        user = users.get(spec.username)
        if user is None:
            continue
        membership = next(iter(user.memberships.all()), None)
        org = membership.organisation if membership else None
        if spec.login:
            role = f"{spec.login[0]} / {spec.login[1]}"
        else:
            role = membership.get_role_display() if membership else ""
        where = f"{org.name} ({org.name_en})" if org and org.name_en else (org.name if org else "—")
        rows.append((role, spec.username, where))
    return [*rows, *registrar_logins(), *voucher_logins(), *agency_logins(), *carrier_logins(),
            *investment_logins()[:1], *talent_logins()]


class Command(BaseCommand):
    help = "Print the demo logins (role, username, organisation) created by seed_demo; the password is demo12345."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = demo_logins()
        if not rows:
            self.stdout.write("No demo accounts found. Run `python manage.py seed_demo` first.")
            return
        header = ("角色 Role", "用户名 Username", "单位 Organisation")
        table = [header, *rows]
        widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
        self.stdout.write("")
        self.stdout.write("演示账号 Demo logins")
        for n, row in enumerate(table):
            self.stdout.write("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        self.stdout.write("")
        self.stdout.write(
            f"所有演示账号的密码均为 {DEMO_PASSWORD}，仅用于演示，切勿用于生产环境。\n"
            f"Every demo account's password is {DEMO_PASSWORD}: for the demo only, never in production."
        )
