"""The demo is the top layer: it may import every app, and no app imports it."""

from __future__ import annotations

import re
from pathlib import Path

from django.test import SimpleTestCase

PACKAGE = Path(__file__).resolve().parents[2]  # techtransfer/
IMPORT = re.compile(r"^\s*(from|import)\s+techtransfer\.demo\b", re.MULTILINE)


class LayerTests(SimpleTestCase):
    def test_no_other_app_imports_the_demo(self) -> None:
        offenders = [
            str(path.relative_to(PACKAGE.parent))
            for path in PACKAGE.rglob("*.py")
            if "demo" not in path.relative_to(PACKAGE).parts[:1] and IMPORT.search(path.read_text(encoding="utf-8"))
        ]
        self.assertEqual(offenders, [])

    def test_core_names_no_demo_command(self) -> None:
        commands = {p.stem for p in (PACKAGE / "core" / "management" / "commands").glob("*.py")}
        self.assertFalse(commands & {"seed_demo", "demo_logins", "make_bench_csv"})
