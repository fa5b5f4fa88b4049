"""Re-render stored markdown: links within the site lose rel="nofollow".

core/markdown.py now gives links to our own pages no rel and other sites'
links "noopener noreferrer"; HTML rendered before still says "nofollow".
"""

from django.db import migrations

from core.migration_operations import rerender_markdown

OLD_REL = 'rel="nofollow'


class Migration(migrations.Migration):
    dependencies = [
        ("summits", "0007_merge_positions_and_series_groups"),
    ]

    operations = [
        rerender_markdown("summits.Summit", {"body": "body_html"}, OLD_REL),
        rerender_markdown("summits.Declaration", {"text": "text_html"}, OLD_REL),
    ]
