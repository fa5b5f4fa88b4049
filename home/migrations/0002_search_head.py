"""PostgreSQL: each searchable table gets `search_head`, its search vector's
A and B words (title, names, summary, place), computed by the database.

A common word matches thousands of articles; ranking them all reads every
matching row's whole vector, most of it body text stored out of line, which
is what made search slow (see core.search: `head`). The head is small, kept
in the row, GIN indexed, and kept in step by PostgreSQL itself whenever
`search_vector` is written (a generated column), so nothing that writes the
index needs to know about it. Not a model field: only search's SQL reads it.

SQLite needs nothing: its FTS5 index filters by column (`{a b} : …`).
"""

from django.db import migrations

from core.migration_operations import PostgresOnlySQL

TABLES = (
    "summits_summit",
    "summits_declaration",
    "summits_signatory",
    "summits_series",
    "summits_group",
    "articles_article",
    "pages_page",
)


def head_column(table):
    return PostgresOnlySQL(
        sql=[
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_head tsvector "
            "GENERATED ALWAYS AS (ts_filter(search_vector, '{a,b}')) STORED",
            f"CREATE INDEX IF NOT EXISTS {table}_search_head_gin "
            f"ON {table} USING gin (search_head)",
        ],
        reverse_sql=[
            f"DROP INDEX IF EXISTS {table}_search_head_gin",
            f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_head",
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0001_search_index"),
        ("pages", "0002_search_index"),
    ]

    operations = [head_column(table) for table in TABLES]
