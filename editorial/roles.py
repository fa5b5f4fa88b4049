"""Granting the Editors and Contributors groups permissions, from a migration.

A later app's data migration calls `grant_permissions` for its own models
(see editorial/migrations/0002_editor_groups.py for the roles themselves).
Kept small and stable: migrations import it.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant_permissions(apps, app_label, grants):
    """Give each group in `grants` ({group name: [codename…]}) those permissions.

    Permissions are created first: on a fresh database post_migrate (which
    normally creates them) has not run yet when a migration does. Safe to run
    again: nothing is added twice.
    """
    app_config = apps.get_app_config(app_label)
    # Migration state's app configs are stubs without models_module, which
    # create_permissions checks to skip apps without models.
    previous = getattr(app_config, "models_module", None)
    app_config.models_module = previous or True
    try:
        create_permissions(app_config, verbosity=0, apps=apps)
    finally:
        app_config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in grants.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
        )


def grant_to_roles(app_label, model_names):
    """A migration operation: the usual grants on models added after the roles.

    Editors may do everything, Contributors everything but delete (publishing
    is refused by the admin). Unapplying keeps the permissions: the groups
    hold people's memberships.
    """
    actions = {
        "Editors": ("view", "add", "change", "delete"),
        "Contributors": ("view", "add", "change"),
    }
    grants = {
        group: [f"{action}_{model}" for model in model_names for action in allowed]
        for group, allowed in actions.items()
    }

    def grant(apps, schema_editor):
        grant_permissions(apps, app_label, grants)

    return migrations.RunPython(grant, migrations.RunPython.noop)
