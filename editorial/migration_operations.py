"""Migration operations for the editorial roles (Editors, Contributors)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# The roles' names, as core.admin knows them; repeated here so that a
# migration does not load the admin.
EDITORS_GROUP = "Editors"
CONTRIBUTORS_GROUP = "Contributors"


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
