"""The two editorial roles: Editors publish, Contributors write drafts.

Editorial owns the roles (they were made by articles' 0003 migration, which is
now empty). Safe on every database: a fresh one gets the groups here, one made
by the old migration keeps its groups, and every permission below is added
once (`get_or_create`, `add`), so nothing is duplicated.

Permissions are created here explicitly: on a fresh database post_migrate (which
normally creates them) has not run yet when this migration does.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# A snapshot of the content models when the roles were made; a later content
# model grants its permissions to the roles in its own migration.
CONTENT_MODELS = {
    "summits": ["signatory", "summit", "declaration", "signature"],
    "articles": ["article"],
}
EDITORS = "Editors"
CONTRIBUTORS = "Contributors"


def create_groups(apps, schema_editor):
    for app_label in CONTENT_MODELS:
        app_config = apps.get_app_config(app_label)
        # Migration state's app configs are stubs without models_module, which
        # create_permissions checks to skip apps that have no models.
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(actions):
        codenames = [
            f"{action}_{model}"
            for models in CONTENT_MODELS.values()
            for model in models
            for action in actions
        ]
        return Permission.objects.filter(
            content_type__app_label__in=list(CONTENT_MODELS), codename__in=codenames
        )

    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.add(*permissions(["view", "add", "change", "delete"]))
    contributors, _ = Group.objects.get_or_create(name=CONTRIBUTORS)
    # No delete; publishing is refused by the admin (core.admin.user_can_publish).
    contributors.permissions.add(*permissions(["view", "add", "change"]))


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0001_initial"),
        # After the old owner, so a database that ran it keeps its groups.
        ("articles", "0003_editorial_groups"),
        ("articles", "0005_web_urls"),
        ("summits", "0004_web_urls"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # Unapplying keeps the groups: they hold people's memberships.
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
