"""Contact entries get a full-text index of their own, so finding a contact stays cheap when
the same word fills a million posts (the post search reads its index newest first and stops;
see ``selectors.find``).

SQLite: a second FTS5 table over the same content table, kept in step by triggers that only
act on contact entries (``post_id IS NULL``). PostgreSQL: a partial GIN index on those rows.
"""

from django.db import migrations

SQLITE_UP = [
    """CREATE VIRTUAL TABLE inbox_contact_fts USING fts5(
        body, content='inbox_searchentry', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2")""",
    """CREATE TRIGGER inbox_contact_ai AFTER INSERT ON inbox_searchentry
        WHEN new.post_id IS NULL BEGIN
        INSERT INTO inbox_contact_fts(rowid, body) VALUES (new.id, new.body); END""",
    """CREATE TRIGGER inbox_contact_ad AFTER DELETE ON inbox_searchentry
        WHEN old.post_id IS NULL BEGIN
        INSERT INTO inbox_contact_fts(inbox_contact_fts, rowid, body)
        VALUES ('delete', old.id, old.body); END""",
    # One trigger, so the old text is taken out before the new one goes in (SQLite does not
    # promise an order between two triggers on the same event).
    """CREATE TRIGGER inbox_contact_au AFTER UPDATE OF body, post_id ON inbox_searchentry
        WHEN old.post_id IS NULL OR new.post_id IS NULL BEGIN
        INSERT INTO inbox_contact_fts(inbox_contact_fts, rowid, body)
        SELECT 'delete', old.id, old.body WHERE old.post_id IS NULL;
        INSERT INTO inbox_contact_fts(rowid, body)
        SELECT new.id, new.body WHERE new.post_id IS NULL; END""",
    """INSERT INTO inbox_contact_fts(rowid, body)
        SELECT id, body FROM inbox_searchentry WHERE post_id IS NULL""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS inbox_contact_au",
    "DROP TRIGGER IF EXISTS inbox_contact_ad",
    "DROP TRIGGER IF EXISTS inbox_contact_ai",
    "DROP TABLE IF EXISTS inbox_contact_fts",
]

POSTGRES_UP = [
    """CREATE INDEX inbox_search_contact_gin ON inbox_searchentry USING gin (tsv)
        WHERE post_id IS NULL""",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS inbox_search_contact_gin"]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}.get(
        schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}.get(
        schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("inbox", "0002_fulltext")]
    operations = [migrations.RunPython(forwards, backwards)]
