"""Full-text search over ``inbox_searchentry.body``, made per database vendor.

SQLite: an FTS5 external-content table kept in step by triggers (diacritics folded, so
"bloquée" finds "bloquee"). PostgreSQL: a ``tsvector`` column filled by a trigger with the
stemming configuration of the entry's language (dutch, french, english, german, else simple)
plus the unstemmed words, and a GIN index.
"""

from django.db import migrations

SQLITE_UP = [
    """CREATE VIRTUAL TABLE inbox_search_fts USING fts5(
        body, content='inbox_searchentry', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2")""",
    """CREATE TRIGGER inbox_search_ai AFTER INSERT ON inbox_searchentry BEGIN
        INSERT INTO inbox_search_fts(rowid, body) VALUES (new.id, new.body); END""",
    """CREATE TRIGGER inbox_search_ad AFTER DELETE ON inbox_searchentry BEGIN
        INSERT INTO inbox_search_fts(inbox_search_fts, rowid, body)
        VALUES ('delete', old.id, old.body); END""",
    """CREATE TRIGGER inbox_search_au AFTER UPDATE OF body ON inbox_searchentry BEGIN
        INSERT INTO inbox_search_fts(inbox_search_fts, rowid, body)
        VALUES ('delete', old.id, old.body);
        INSERT INTO inbox_search_fts(rowid, body) VALUES (new.id, new.body); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS inbox_search_au",
    "DROP TRIGGER IF EXISTS inbox_search_ad",
    "DROP TRIGGER IF EXISTS inbox_search_ai",
    "DROP TABLE IF EXISTS inbox_search_fts",
]

POSTGRES_UP = [
    "ALTER TABLE inbox_searchentry ADD COLUMN tsv tsvector",
    """CREATE OR REPLACE FUNCTION inbox_search_config(lang text) RETURNS regconfig
        LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE lang WHEN 'nl' THEN 'dutch'::regconfig WHEN 'fr' THEN 'french'::regconfig
                         WHEN 'en' THEN 'english'::regconfig WHEN 'de' THEN 'german'::regconfig
                         ELSE 'simple'::regconfig END $$""",
    """CREATE OR REPLACE FUNCTION inbox_search_tsv() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          NEW.tsv := to_tsvector(inbox_search_config(NEW.language), NEW.body)
                     || to_tsvector('simple'::regconfig, NEW.body);
          RETURN NEW;
        END $$""",
    """CREATE TRIGGER inbox_search_tsv BEFORE INSERT OR UPDATE OF body, language
        ON inbox_searchentry FOR EACH ROW EXECUTE FUNCTION inbox_search_tsv()""",
    "CREATE INDEX inbox_search_tsv_gin ON inbox_searchentry USING gin (tsv)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS inbox_search_tsv_gin",
    "DROP TRIGGER IF EXISTS inbox_search_tsv ON inbox_searchentry",
    "DROP FUNCTION IF EXISTS inbox_search_tsv()",
    "DROP FUNCTION IF EXISTS inbox_search_config(text)",
    "ALTER TABLE inbox_searchentry DROP COLUMN IF EXISTS tsv",
]


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
    dependencies = [("inbox", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
