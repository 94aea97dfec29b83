"""Full-text index of posts: an FTS5 table kept in sync by triggers (SQLite), or a GIN
index on the text's tsvector (PostgreSQL)."""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS posts_post_fts USING fts5("
    "text, spoiler_text, content='posts_post', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS posts_post_fts_ai AFTER INSERT ON posts_post BEGIN "
    "INSERT INTO posts_post_fts(rowid, text, spoiler_text) "
    "VALUES (new.id, new.text, new.spoiler_text); END",
    "CREATE TRIGGER IF NOT EXISTS posts_post_fts_ad AFTER DELETE ON posts_post BEGIN "
    "INSERT INTO posts_post_fts(posts_post_fts, rowid, text, spoiler_text) "
    "VALUES ('delete', old.id, old.text, old.spoiler_text); END",
    "CREATE TRIGGER IF NOT EXISTS posts_post_fts_au AFTER UPDATE OF text, spoiler_text "
    "ON posts_post BEGIN "
    "INSERT INTO posts_post_fts(posts_post_fts, rowid, text, spoiler_text) "
    "VALUES ('delete', old.id, old.text, old.spoiler_text); "
    "INSERT INTO posts_post_fts(rowid, text, spoiler_text) "
    "VALUES (new.id, new.text, new.spoiler_text); END",
    "INSERT INTO posts_post_fts(posts_post_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS posts_post_fts_ai",
    "DROP TRIGGER IF EXISTS posts_post_fts_ad",
    "DROP TRIGGER IF EXISTS posts_post_fts_au",
    "DROP TABLE IF EXISTS posts_post_fts",
]
POSTGRES_FORWARD = [
    "CREATE INDEX IF NOT EXISTS posts_post_search_idx ON posts_post USING GIN "
    "(to_tsvector('english'::regconfig, COALESCE(text, '') || ' ' || "
    "COALESCE(spoiler_text, '')))",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS posts_post_search_idx"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("posts", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
