"""The benchmark file (`make_bench_csv`): deterministic, valid, and read by the real importer."""

from __future__ import annotations

import hashlib
import random
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import SimpleTestCase, TestCase

from techtransfer.achievements.choices import PATENT_KINDS, Status
from techtransfer.achievements.importing import achievement_import
from techtransfer.achievements.models import Achievement
from techtransfer.demo.bench import achievement_rows, bench_csv_write
from techtransfer.demo.recombine import achievement_text, words
from techtransfer.lib.validators import validate_patent_number
from techtransfer.testing import make_personas


class BenchRowsTests(SimpleTestCase):
    def test_rows_are_deterministic_and_carry_valid_patents(self) -> None:
        rows = list(achievement_rows(50, seed=5))
        self.assertEqual([r["name"] for r in rows], [r["name"] for r in achievement_rows(50, seed=5)])
        self.assertEqual(len({r["external_id"] for r in rows}), 50)
        patents = [i["number"] for r in rows for i in r["ip_items"] if i["kind"] in PATENT_KINDS]
        self.assertTrue(patents)
        for number in patents:
            validate_patent_number(number)

    def test_texts_are_bilingual_with_one_to_three_keywords(self) -> None:
        rng = random.Random(1)
        for theme in words().themes.values():
            for kind in ("applied", "basic", "soft"):
                text = achievement_text(rng, theme, kind)
                self.assertTrue(text.name and text.name_en and text.summary and text.summary_en)
                self.assertTrue(1 <= len(text.keywords) == len(text.keywords_en) <= 3)

    def test_the_file_has_not_changed(self) -> None:
        """Benchmarks compare runs over time, so the same seed keeps giving the same file. If the word lists
        change on purpose, update this fingerprint and say so in BENCHMARKS.md."""
        out = StringIO()
        bench_csv_write(out, count=200, seed=42)
        self.assertEqual(
            hashlib.sha256(out.getvalue().encode()).hexdigest(),
            "56f0d15b594b981e165c36557d4c96fd7326e81b92b89ab9a41316c0b47bb214",
        )


class BenchCsvTests(TestCase):
    def test_every_bench_row_imports_and_a_second_import_creates_nothing(self) -> None:
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
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.csv"
            out = StringIO()
            call_command("make_bench_csv", str(path), "--rows", "25", stdout=out)
            self.assertIn("成果名称", path.read_text(encoding="utf-8-sig"))
            self.assertIn("Wrote 25 rows", out.getvalue())
