"""`python manage.py make_bench_csv OUT --rows N`: synthetic achievements in the import template's CSV layout."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from techtransfer.demo.bench import bench_csv_write


class Command(BaseCommand):
    help = (
        "Write N synthetic achievements (Chinese text, valid patent numbers) as a CSV with the import "
        "template's headers, for the import and search benchmarks. The same seed gives the same file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path, help="The CSV file to write (UTF-8 with BOM, as the template).")
        parser.add_argument("--rows", type=int, default=100_000, help="Number of rows (default 100,000).")
        parser.add_argument("--seed", type=int, default=42, help="Random seed.")
        parser.add_argument(
            "--no-external-ids",
            action="store_true",
            help="Leave out the external ID column, so re-imports are matched by content.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rows"] < 1:
            raise CommandError("--rows must be at least 1.")
        out: Path = options["out"]
        if not out.parent.is_dir():
            raise CommandError(f"The folder {out.parent} does not exist.")
        with out.open("w", encoding="utf-8-sig", newline="") as stream:
            written = bench_csv_write(
                stream, count=options["rows"], seed=options["seed"], external_ids=not options["no_external_ids"]
            )
        self.stdout.write(f"Wrote {written} rows to {out} ({out.stat().st_size / 2**20:.1f} MB).")
