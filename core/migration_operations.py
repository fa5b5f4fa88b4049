"""Migration operations shared by the apps."""

from django.db import migrations


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that runs only on PostgreSQL.

    Full-text GIN indexes exist only on PostgreSQL; on SQLite (the zero-setup
    default) search falls back to plain lookups and needs no index.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def gin_index(table):
    """A PostgreSQL-only GIN index on `table.search_vector`."""
    name = f"{table}_search_gin"
    return PostgresOnlySQL(
        sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_vector)",
        reverse_sql=f"DROP INDEX IF EXISTS {name}",
    )
