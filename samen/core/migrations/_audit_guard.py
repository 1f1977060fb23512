"""Database triggers that keep the audit log append-only (used by migration 0002)."""

from __future__ import annotations

from typing import Any

SQLITE_UPDATE = ("CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update BEFORE UPDATE ON "
                 "core_auditevent BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;")
SQLITE_DELETE = ("CREATE TRIGGER IF NOT EXISTS core_auditevent_no_delete BEFORE DELETE ON "
                 "core_auditevent BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;")
POSTGRES = [
    "CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql;",
    "DROP TRIGGER IF EXISTS core_auditevent_no_change ON core_auditevent;",
    "CREATE TRIGGER core_auditevent_no_change BEFORE UPDATE OR DELETE ON core_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();",
]


def install(connection: Any) -> None:
    statements = {"sqlite": [SQLITE_UPDATE, SQLITE_DELETE], "postgresql": POSTGRES}
    with connection.cursor() as cursor:
        for sql in statements.get(connection.vendor, []):
            cursor.execute(sql)


def remove_delete_guard(connection: Any) -> None:
    """Only for emptying a test database (PostgreSQL truncates, which the trigger allows)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_delete;")


def uninstall(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update;")
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_delete;")
        elif connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_change ON core_auditevent;")
