"""Migration operations shared by the apps."""

from django.contrib.auth.management import create_permissions
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


def grant_to_roles(app_label, model_names):
    """Give the Editors and Contributors groups their permissions on new models.

    For a content model added after the roles were made (see
    editorial/migrations/0002_editor_groups.py): Editors may do everything,
    Contributors everything but delete (publishing is refused by the admin).
    The groups are made if missing; running twice adds nothing twice.
    """

    def grant(apps, schema_editor):
        app_config = apps.get_app_config(app_label)
        # Migration state's app configs have no models_module, which
        # create_permissions checks to skip apps without models.
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")

        def permissions(actions):
            return Permission.objects.filter(
                content_type__app_label=app_label,
                codename__in=[
                    f"{action}_{model}" for model in model_names for action in actions
                ],
            )

        for group, actions in (
            (EDITORS_GROUP, ["view", "add", "change", "delete"]),
            (CONTRIBUTORS_GROUP, ["view", "add", "change"]),
        ):
            role, _ = Group.objects.get_or_create(name=group)
            role.permissions.add(*permissions(actions))

    # Unapplying keeps the permissions: the groups hold people's memberships.
    return migrations.RunPython(grant, migrations.RunPython.noop)


# The roles' names, as core.admin knows them; repeated here so that importing
# migration helpers does not load the admin.
EDITORS_GROUP = "Editors"
CONTRIBUTORS_GROUP = "Contributors"
