"""core.bulk writes what bulk_create would write, on SQLite and PostgreSQL alike."""

import datetime
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from techtransfer.core.bulk import InstanceMaker, bulk_insert, bulk_insert_rows
from techtransfer.core.models import AuditEvent, CodeItem, CodeTable, Job


@pytest.fixture
def table(db: None) -> CodeTable:
    return CodeTable.objects.create(key="bulk_test", version="1", name="批量")


def columns(obj: Any) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key}


class TestBulkInsert:
    def test_it_stores_the_same_rows_as_bulk_create_and_sets_their_keys(self, table: CodeTable) -> None:
        parent = CodeItem.objects.create(table=table, code="P", label_zh="上级")
        ours = [CodeItem(table=table, code=f"A{i}", label_zh=f"甲{i}", parent=parent, sort_order=i) for i in range(3)]
        theirs = [CodeItem(table=table, code=f"B{i}", label_zh=f"甲{i}", parent=parent, sort_order=i) for i in range(3)]
        bulk_insert(ours)
        CodeItem.objects.bulk_create(theirs)
        assert all(o.pk and not o._state.adding for o in ours) and len({o.pk for o in ours}) == 3
        for mine, other in zip(ours, theirs, strict=True):
            a, b = CodeItem.objects.get(pk=mine.pk), CodeItem.objects.get(pk=other.pk)
            assert {**columns(a), "code": ""} == {**columns(b), "code": ""}

    def test_json_dates_and_chinese_text_read_back_unchanged(self, db: None) -> None:
        when = timezone.now() - datetime.timedelta(days=3)
        jobs = [Job(path="x.y", kwargs={"名称": ["钙钛矿", 1, None], "n": 1.5}, run_after=when) for _ in range(2)]
        bulk_insert(jobs)
        stored = Job.objects.get(pk=jobs[0].pk)
        assert stored.kwargs == {"名称": ["钙钛矿", 1, None], "n": 1.5} and stored.run_after == when
        if connection.vendor == "sqlite":  # stored as UTF-8 text, not \\u escapes: a third of the bytes
            with connection.cursor() as cursor:
                cursor.execute("SELECT kwargs FROM core_job WHERE id = %s", [jobs[0].pk])
                assert "钙钛矿" in cursor.fetchone()[0]

    def test_rows_without_instances_take_the_fields_defaults(self, db: None) -> None:
        bulk_insert_rows(AuditEvent, [
            {"action": "x.import", "object_type": "core.codetable", "object_id": str(n), "changes": {"行": n}}
            for n in range(3)
        ])
        events = list(AuditEvent.objects.order_by("object_id"))
        assert [e.changes for e in events] == [{"行": 0}, {"行": 1}, {"行": 2}]
        assert all(e.actor_id is None and e.note == "" and e.at <= timezone.now() for e in events)

    def test_it_refuses_a_row_that_exists_or_points_at_an_unsaved_one(self, table: CodeTable) -> None:
        saved = CodeItem.objects.create(table=table, code="S", label_zh="已存")
        with pytest.raises(ValueError, match="new rows only"):
            bulk_insert([saved])
        with pytest.raises(ValueError, match="not saved yet"):
            bulk_insert([CodeItem(table=table, code="C", label_zh="子", parent=CodeItem(table=table, code="N"))])

    def test_the_instance_maker_fills_defaults_like_the_constructor(self, table: CodeTable) -> None:
        made = InstanceMaker(Job)(path="a.b")
        built = Job(path="a.b")
        assert {k: v for k, v in columns(made).items() if k not in {"created", "run_after"}} == {
            k: v for k, v in columns(built).items() if k not in {"created", "run_after"}
        }
        assert made.kwargs == {} and made.kwargs is not InstanceMaker(Job)().kwargs  # a fresh dict each time

    def test_without_init_listeners_the_maker_builds_the_same_instance_directly(self, db: None) -> None:
        from django.db.models.signals import post_init

        from techtransfer.achievements.models import Achievement

        maker = InstanceMaker(Achievement)
        made, built = maker(name="甲", owner_id=1, keywords=["a"]), Achievement(name="甲", owner_id=1, keywords=["a"])
        assert maker.direct
        skip = {"_state", "created"}
        assert {k: v for k, v in made.__dict__.items() if k not in skip} == {
            k: v for k, v in built.__dict__.items() if k not in skip
        }
        assert made._state.adding and made._state.db is None and made.owner_id == 1
        seen: list[Any] = []

        def listener(sender: Any, instance: Any, **kwargs: Any) -> None:
            seen.append(instance)

        post_init.connect(listener, sender=Achievement)
        try:
            listened = InstanceMaker(Achievement)
            assert not listened.direct and listened(name="乙").name == "乙" and len(seen) == 1
        finally:
            post_init.disconnect(listener, sender=Achievement)
