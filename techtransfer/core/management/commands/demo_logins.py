"""`python manage.py demo_logins`: the demo accounts to try the platform with (demo data only)."""

import unicodedata
from typing import Any

from django.core.management.base import BaseCommand

from techtransfer.achievements.demo import DEMO_PASSWORD, demo_logins


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "Print the demo logins (role, username, organisation, password) created by seed_demo."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = demo_logins()
        if not rows:
            self.stdout.write("No demo accounts found. Run `python manage.py seed_demo` first.")
            return
        header = ("角色 Role", "用户名 Username", "单位 Organisation", "密码 Password")
        table = [header] + [
            (
                f"{r['role_zh']} / {r['role_en']}",
                r["username"],
                r["organisation"] + (f" ({r['organisation_en']})" if r["organisation_en"] else ""),
                r["password"],
            )
            for r in rows
        ]
        widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
        rule = "  ".join("-" * w for w in widths)
        self.stdout.write("")
        self.stdout.write("演示账号 Demo logins")
        for n, row in enumerate(table):
            self.stdout.write("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
            if n == 0:
                self.stdout.write(rule)
        self.stdout.write("")
        self.stdout.write(
            f"所有演示账号的密码均为 {DEMO_PASSWORD}，仅用于演示，切勿用于生产环境。\n"
            f"Every demo account's password is {DEMO_PASSWORD}: for the demo only, never in production."
        )
