"""The full-text index of community posts, in each database's own engine.

- SQLite: an FTS5 table over title and body that holds no copy of the text
  (``content='communities_post'``), kept in step by triggers, as in the FTS5 manual's
  "external content tables" section. The update trigger fires only when title or body is
  written, so counters and activity times do not churn the index.
- PostgreSQL: a stored generated ``tsvector`` column (title weighted A, body B) with a GIN
  index. The column is not on the Django model, which stays the same on both databases;
  ``communities/search.py`` reads it with raw SQL.

Both are invisible to Django's migration state. Two consequences for later migrations of
``Post``: on SQLite, any operation that makes Django rebuild the table (most AlterFields)
drops these triggers, and on PostgreSQL changing the type of ``title`` or ``body`` is
refused while the generated column depends on them. Such a migration must remove the index
first and install it again afterwards (the functions below); ``tests/communities/
test_search.py`` fails if the triggers go missing."""

from __future__ import annotations

from django.db import migrations

SQLITE_INSTALL = [
    """CREATE VIRTUAL TABLE communities_post_fts USING fts5(
        title, body, content='communities_post', content_rowid='id',
        tokenize='porter unicode61')""",
    """CREATE TRIGGER communities_post_fts_insert AFTER INSERT ON communities_post BEGIN
        INSERT INTO communities_post_fts(rowid, title, body)
        VALUES (new.id, new.title, new.body);
    END""",
    """CREATE TRIGGER communities_post_fts_delete AFTER DELETE ON communities_post BEGIN
        INSERT INTO communities_post_fts(communities_post_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
    END""",
    """CREATE TRIGGER communities_post_fts_update AFTER UPDATE OF title, body
    ON communities_post BEGIN
        INSERT INTO communities_post_fts(communities_post_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO communities_post_fts(rowid, title, body)
        VALUES (new.id, new.title, new.body);
    END""",
    # Index whatever posts exist already.
    "INSERT INTO communities_post_fts(communities_post_fts) VALUES ('rebuild')",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS communities_post_fts_insert",
    "DROP TRIGGER IF EXISTS communities_post_fts_delete",
    "DROP TRIGGER IF EXISTS communities_post_fts_update",
    "DROP TABLE IF EXISTS communities_post_fts",
]

POSTGRES_INSTALL = [
    """ALTER TABLE communities_post ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'B')
    ) STORED""",
    "CREATE INDEX communities_post_search ON communities_post USING gin (search_vector)",
]
POSTGRES_REMOVE = [
    "DROP INDEX IF EXISTS communities_post_search",
    "ALTER TABLE communities_post DROP COLUMN IF EXISTS search_vector",
]


def _run(schema_editor, statements_by_vendor):
    for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def install_search_index(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_INSTALL, "postgresql": POSTGRES_INSTALL})


def remove_search_index(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_REMOVE, "postgresql": POSTGRES_REMOVE})


class Migration(migrations.Migration):
    dependencies = [("communities", "0001_initial")]

    operations = [migrations.RunPython(install_search_index, remove_search_index)]
