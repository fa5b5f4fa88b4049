"""The two editorial roles: Editors publish, Contributors write drafts.

Permissions are created here explicitly: on a fresh database post_migrate (which
normally creates them) has not run yet when this migration does.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

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


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=[EDITORS, CONTRIBUTORS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_search_indexes"),
        ("summits", "0002_search_indexes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
