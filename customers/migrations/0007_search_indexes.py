"""Indexes for searching and sorting customers at scale (the benchmark's targets).

PostgreSQL: pg_trgm GIN indexes on the stored search keys, so ``LIKE '%term%'`` (terms of three
characters or more) is an index search instead of a scan of every row.
SQLite: an FTS5 trigram table over the same keys, kept in step by triggers; customers.search uses it
for terms of three characters or more.
Both: an index for a seller's customers of one level sorted by the last follow-up.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

KEYS = ("search_text", "contact_search", "phone_norm")
PG_INDEXES = [f"customer_{key}_trgm" for key in KEYS]

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS customers_customer_fts USING fts5("
    "search_text, contact_search, phone_norm, content='customers_customer', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS customers_customer_fts_ai AFTER INSERT ON customers_customer BEGIN "
    "INSERT INTO customers_customer_fts(rowid, search_text, contact_search, phone_norm) "
    "VALUES (new.id, new.search_text, new.contact_search, new.phone_norm); END",
    "CREATE TRIGGER IF NOT EXISTS customers_customer_fts_ad AFTER DELETE ON customers_customer BEGIN "
    "INSERT INTO customers_customer_fts(customers_customer_fts, rowid, search_text, contact_search, phone_norm) "
    "VALUES ('delete', old.id, old.search_text, old.contact_search, old.phone_norm); END",
    "CREATE TRIGGER IF NOT EXISTS customers_customer_fts_au AFTER UPDATE OF search_text, contact_search, phone_norm "
    "ON customers_customer BEGIN "
    "INSERT INTO customers_customer_fts(customers_customer_fts, rowid, search_text, contact_search, phone_norm) "
    "VALUES ('delete', old.id, old.search_text, old.contact_search, old.phone_norm); "
    "INSERT INTO customers_customer_fts(rowid, search_text, contact_search, phone_norm) "
    "VALUES (new.id, new.search_text, new.contact_search, new.phone_norm); END",
    "INSERT INTO customers_customer_fts(customers_customer_fts) VALUES ('rebuild')",
]
SQLITE_FTS_DROP = [
    "DROP TRIGGER IF EXISTS customers_customer_fts_ai",
    "DROP TRIGGER IF EXISTS customers_customer_fts_ad",
    "DROP TRIGGER IF EXISTS customers_customer_fts_au",
    "DROP TABLE IF EXISTS customers_customer_fts",
]


def pg_trigram_sql() -> list[str]:
    return [f"CREATE INDEX IF NOT EXISTS {name} ON customers_customer USING gin ({key} gin_trgm_ops)"
            for name, key in zip(PG_INDEXES, KEYS, strict=True)]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = [*pg_trigram_sql(),
                      "CREATE INDEX IF NOT EXISTS customer_owner_level_fu_idx ON customers_customer "
                      "(owner_id, level_id, last_followup_at DESC NULLS LAST, id DESC)"]
    elif vendor == "sqlite":
        statements = [*SQLITE_FTS,
                      "CREATE INDEX IF NOT EXISTS customer_owner_level_fu_idx ON customers_customer "
                      "(owner_id, level_id, last_followup_at, id)"]
    else:
        return
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = ["DROP INDEX IF EXISTS customer_owner_level_fu_idx"]
    if vendor == "postgresql":
        statements += [f"DROP INDEX IF EXISTS {name}" for name in PG_INDEXES]
    elif vendor == "sqlite":
        statements += SQLITE_FTS_DROP
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("customers", "0006_pools")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(forwards, backwards),
    ]
