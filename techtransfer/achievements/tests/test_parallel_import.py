"""A large import read by helper processes (core.import_pool) saves, counts and reports exactly what the same
file read in the importing process does: the same rows created with the same parts and audit, the same bad
rows with the same row numbers, columns and reasons, repeats of earlier rows found across chunks, and
nothing saved in all-or-nothing mode when a row is bad.

The helpers are real processes reading the real test database, so these tests commit (transaction=True).
"""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from techtransfer.achievements.importing import AchievementFormat, achievement_import
from techtransfer.achievements.models import Achievement
from techtransfer.achievements.tests.test_importing import MIXED, csv_bytes, patent, row
from techtransfer.core import import_pool
from techtransfer.core.models import AuditEvent, ImportBatch, ImportMode
from techtransfer.testing import Personas

pytestmark = pytest.mark.django_db(transaction=True)

CHUNK = 40  # rows per chunk here, so that a file of a few hundred rows spans many chunks and helpers


def large_file(*, bad: bool = True) -> bytes:
    rows = [row(name=f"批量成果{i:03d}", patents=patent(f"20211012{i:04d}"), external_id=f"EXT-{i}" if i % 7 == 0
                else "") for i in range(230)]
    if bad:
        rows[50:50] = MIXED  # good and bad rows, including one the service refuses (it ends before it starts)
        rows.append(rows[3])  # a repeat of an early row, chunks later
        rows.append(row(name="改了名字", external_id="EXT-14"))  # an external ID seen in another chunk
    return csv_bytes(rows)


@pytest.fixture
def helpers(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Small chunks, helpers from the third chunk on; yields the number of imports the helpers read."""
    settings.IMPORT_WORKERS = 2
    settings.IMPORT_PARALLEL_MIN_ROWS = 2 * CHUNK
    monkeypatch.setattr(AchievementFormat, "chunk_size", CHUNK)
    used: list[int] = []
    pool_read: Callable[..., Any] = import_pool._pool_read

    def counted(*args: Any) -> Any:
        used.append(1)
        return pool_read(*args)

    monkeypatch.setattr(import_pool, "_pool_read", counted)
    yield used


def outcome(batch: ImportBatch) -> tuple[Any, ...]:
    batch.refresh_from_db()
    return (batch.total_rows, batch.created_count, batch.unchanged_count, batch.error_count, batch.nothing_saved,
            [(e["row"], e["field"], e["message"]) for e in batch.errors])


def records(owner: Any) -> dict[str, tuple[Any, ...]]:
    found = {}
    for a in Achievement.objects.filter(owner=owner).prefetch_related("units", "persons", "ip_items", "transfer_modes"):
        found[a.name] = (
            a.status, a.keywords, a.discipline_id, a.research_start, a.import_key, a.created_by_id,
            [u.name for u in a.units.all()][1:], [x.name for x in a.persons.all()],
            [(i.kind, i.number) for i in a.ip_items.all()], sorted(m.code for m in a.transfer_modes.all()),
        )
    return found


def import_both(p: Personas, settings: Any, content: bytes, mode: str = ImportMode.GOOD_ROWS) -> tuple[Any, Any]:
    """The file into one unit read here, and into another unit read by helpers."""
    settings.IMPORT_WORKERS = 0
    here = achievement_import(by=p.tto_officer, owner=p.university, file=content, file_name="a.csv", mode=mode)
    settings.IMPORT_WORKERS = 2
    there = achievement_import(by=p.other_tto, owner=p.other_university, file=content, file_name="a.csv", mode=mode)
    return here, there


def test_helpers_save_and_report_exactly_what_one_process_does(p: Personas, settings: Any, helpers: list[int]) -> None:
    here, there = import_both(p, settings, large_file())
    assert helpers == [1]
    assert outcome(there) == outcome(here)
    total, created, unchanged, errors, _nothing, problems = outcome(there)
    assert (total, created, unchanged, errors) == (243, 233, 0, 10)
    assert (58, "研究终止") in {(r, f) for r, f, _m in problems}  # refused by the service's own check
    assert [(r, f) for r, f, m in problems if "repeats" in m] == [(243, ""), (244, "外部编号")]

    mine, theirs = records(p.university), records(p.other_university)
    assert len(theirs) == 233 and theirs.keys() == mine.keys()
    for name, values in theirs.items():
        assert values[:5] == mine[name][:5] and values[6:] == mine[name][6:], name
        assert values[5] == p.other_tto.pk
    audited = AuditEvent.objects.filter(action="achievement.create", object_type="achievements.achievement")
    assert sorted(audited.values_list("object_id", flat=True).filter(actor=p.other_tto)) == sorted(
        str(pk) for pk in Achievement.objects.filter(owner=p.other_university).values_list("pk", flat=True)
    )


def test_importing_the_file_again_through_helpers_creates_nothing(
    p: Personas, settings: Any, helpers: list[int]
) -> None:
    content = large_file()
    first = achievement_import(by=p.other_tto, owner=p.other_university, file=content)
    again = achievement_import(by=p.other_tto, owner=p.other_university, file=content)
    assert helpers == [1, 1]
    assert (again.created_count, again.unchanged_count, again.error_count) == (0, first.created_count, 10)
    assert Achievement.objects.count() == first.created_count


def test_all_or_nothing_through_helpers_saves_nothing_when_a_row_is_bad(
    p: Personas, settings: Any, helpers: list[int]
) -> None:
    here, there = import_both(p, settings, large_file(), mode=ImportMode.ALL_OR_NOTHING)
    assert outcome(there) == outcome(here) and there.nothing_saved and there.error_count == 10
    assert not Achievement.objects.exists()
    assert not AuditEvent.objects.filter(action="achievement.create").exists()

    clean = achievement_import(by=p.other_tto, owner=p.other_university, file=large_file(bad=False),
                               mode=ImportMode.ALL_OR_NOTHING)
    assert helpers == [1, 1]
    assert (clean.created_count, clean.error_count, clean.nothing_saved) == (230, 0, False)


def test_a_small_file_is_read_in_the_importing_process(p: Personas, helpers: list[int]) -> None:
    content = csv_bytes([row(name=f"少量{i}") for i in range(2 * CHUNK - 1)])
    batch = achievement_import(by=p.tto_officer, owner=p.university, file=content)
    assert batch.created_count == 2 * CHUNK - 1 and helpers == []


@pytest.mark.django_db
def test_inside_a_transaction_helpers_are_not_used(p: Personas, helpers: list[int]) -> None:
    # The helpers could not see what the caller's transaction has not committed (here: the unit itself).
    batch = achievement_import(by=p.tto_officer, owner=p.university, file=large_file(bad=False))
    assert batch.created_count == 230 and helpers == []
