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


def rerender_markdown(model_name, fields, only_if_html_contains):
    """RunPython re-rendering stored markdown after the pipeline changed.

    `fields` maps markdown fields to their `*_html` fields. Only rows whose
    HTML holds `only_if_html_contains` are touched, each with a bare UPDATE
    of its HTML: no save(), so `updated_at`, revisions and edit-conflict
    checks are left alone, and a database with nothing to change costs one
    query per field.
    """

    def forwards(apps, schema_editor):
        from core.markdown import render_markdown

        model = apps.get_model(*model_name.split("."))
        for source, target in fields.items():
            stale = model._default_manager.filter(
                **{f"{target}__contains": only_if_html_contains}
            ).only("pk", source)
            for row in stale.iterator(chunk_size=500):
                model._default_manager.filter(pk=row.pk).update(
                    **{target: render_markdown(getattr(row, source))}
                )

    return migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)
