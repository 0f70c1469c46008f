"""Database triggers that make the audit trail append-only for anyone who bypasses the ORM."""

from __future__ import annotations

from typing import Any

SQLITE_ON = [
    "CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update BEFORE UPDATE ON core_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
    "CREATE TRIGGER IF NOT EXISTS core_auditevent_no_delete BEFORE DELETE ON core_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
]
SQLITE_OFF = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_update",
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete",
]
# Row triggers: TRUNCATE (what `flush` uses on PostgreSQL) stays possible for the database owner.
POSTGRES_ON = [
    """CREATE OR REPLACE FUNCTION core_auditevent_refuse() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql;""",
    "DROP TRIGGER IF EXISTS core_auditevent_no_change ON core_auditevent",
    "CREATE TRIGGER core_auditevent_no_change BEFORE UPDATE OR DELETE ON core_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse();",
]
POSTGRES_OFF = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_change ON core_auditevent",
    "DROP FUNCTION IF EXISTS core_auditevent_refuse()",
]


def _run(connection: Any, statements: dict[str, list[str]]) -> None:
    with connection.cursor() as cursor:
        for sql in statements.get(connection.vendor, []):
            cursor.execute(sql)


def audit_guard_on(connection: Any) -> None:
    _run(connection, {"sqlite": SQLITE_ON, "postgresql": POSTGRES_ON})


def audit_guard_off(connection: Any) -> None:
    _run(connection, {"sqlite": SQLITE_OFF, "postgresql": POSTGRES_OFF})
