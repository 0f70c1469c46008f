from typing import Any

from django.core.management.base import BaseCommand

from techtransfer.core.codetables import code_tables_load_all


class Command(BaseCommand):
    help = "Load or update the versioned code tables shipped with the platform (run after every migrate)."

    def handle(self, *args: Any, **options: Any) -> None:
        for table in code_tables_load_all():
            self.stdout.write(f"{table.key} {table.version}: {table.items.count()} items")
