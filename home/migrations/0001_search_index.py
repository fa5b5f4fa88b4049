"""The full-text index of site search, on either database (see core.search).

PostgreSQL: the `summitwatch` text search configuration that every stored
`search_vector` and every query uses: English stems without stop words (a
search for "US", "IT" or "IN" must find the United States, Italy, India),
with `unaccent` first (the extension comes from summits 0005).

SQLite: one FTS5 table for every searchable model, weighted columns a, b, c,
porter stems over `unicode61 remove_diacritics 2`.

Existing rows are indexed after migrating (home.apps runs the rebuild when
this migration has just been applied).
"""

from django.db import migrations

from core.migration_operations import VendorSQL


class Migration(migrations.Migration):
    dependencies = [
        ("summits", "0007_merge_positions_and_series_groups"),
        ("articles", "0005_web_urls"),
    ]

    operations = [
        VendorSQL(
            sql=[
                "CREATE TEXT SEARCH DICTIONARY summitwatch_stem "
                "(TEMPLATE = snowball, LANGUAGE = english)",
                "CREATE TEXT SEARCH CONFIGURATION summitwatch (COPY = english)",
                "ALTER TEXT SEARCH CONFIGURATION summitwatch ALTER MAPPING FOR "
                "asciiword, asciihword, hword_asciipart, word, hword, hword_part "
                "WITH unaccent, summitwatch_stem",
            ],
            reverse_sql=[
                "DROP TEXT SEARCH CONFIGURATION IF EXISTS summitwatch",
                "DROP TEXT SEARCH DICTIONARY IF EXISTS summitwatch_stem",
            ],
            vendor="postgresql",
        ),
        VendorSQL(
            sql="CREATE VIRTUAL TABLE search_index USING fts5("
            "a, b, c, tokenize = 'porter unicode61 remove_diacritics 2')",
            reverse_sql="DROP TABLE IF EXISTS search_index",
            vendor="sqlite",
        ),
    ]
