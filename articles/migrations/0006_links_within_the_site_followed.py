"""Re-render stored markdown: links within the site lose rel="nofollow".

core/markdown.py now gives links to our own pages no rel and other sites'
links "noopener noreferrer"; HTML rendered before still says "nofollow".
"""

from django.db import migrations

from core.migration_operations import rerender_markdown


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_web_urls"),
    ]

    operations = [
        rerender_markdown("articles.Article", {"body": "body_html"}, 'rel="nofollow'),
    ]
