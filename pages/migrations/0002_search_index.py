from django.db import migrations

from core.migration_operations import gin_index


class Migration(migrations.Migration):
    dependencies = [("pages", "0001_initial")]

    operations = [gin_index("pages_page")]
