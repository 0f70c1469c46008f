import time
from typing import Any

from django.core.management.base import BaseCommand

from techtransfer.core.codetables import code_tables_load_all


class Command(BaseCommand):
    help = "Load or update the versioned code tables shipped with the platform (run after every migrate)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        tables = code_tables_load_all()
        elapsed = time.perf_counter() - started
        for table in tables:
            self.stdout.write(f"{table.key} {table.version}: {table.items.count()} items")
        self.stdout.write(f"{len(tables)} tables loaded in {elapsed * 1000:.0f} ms")
