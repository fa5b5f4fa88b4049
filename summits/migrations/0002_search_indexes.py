from django.db import migrations

from core.migration_operations import gin_index


class Migration(migrations.Migration):
    dependencies = [("summits", "0001_initial")]

    operations = [
        gin_index("summits_summit"),
        gin_index("summits_declaration"),
        gin_index("summits_signatory"),
    ]
