"""The move of ImportBatch to core keeps every existing batch: id, times, counts, problems and its unit."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from techtransfer.accounts.choices import OrgType
from techtransfer.core.models import ImportBatch
from techtransfer.testing import make_org, make_user

BEFORE = [("achievements", "0003_contact_phone_validated"), ("core", "0003_job")]


@pytest.mark.django_db(transaction=True)
def test_existing_import_batches_survive_the_move_to_core() -> None:
    unit = make_org("迁移测试大学", OrgType.UNIVERSITY)
    user = make_user("migrator", unit)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("achievements", "ImportBatch")
    errors = [{"row": 3, "field": "成果类型", "message": "发明创造 is not an achievement type"}]
    into_unit = old.objects.create(kind="achievements", organisation_id=unit.pk, by_id=user.pk, file_name="成果.csv",
                                   sha256="a" * 64, total_rows=11, created_count=3, error_count=8, errors=errors)
    programme = old.objects.create(kind="funded_projects", organisation_id=None, by_id=None, file_name="nsfc.tsv",
                                   sha256="b" * 64, total_rows=500, created_count=499, unchanged_count=1)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    first = ImportBatch.objects.get(pk=into_unit.pk)
    assert (first.kind, first.by_id, first.file_name, first.created) == ("achievements", user.pk, "成果.csv",
                                                                          into_unit.created)
    assert (first.total_rows, first.created_count, first.error_count, first.errors) == (11, 3, 8, errors)
    assert (first.scope_type, first.scope_id, first.scope_repr) == ("accounts.organisation", str(unit.pk), unit.name)
    assert first.mode == "good_rows" and not first.nothing_saved
    second = ImportBatch.objects.get(pk=programme.pk)
    assert (second.scope_type, second.scope_id, second.unchanged_count) == ("", "", 1)
    # New batches continue after the copied ids.
    assert ImportBatch.objects.create(kind="x", file_name="new.csv", sha256="c" * 64).pk > programme.pk
