"""Export → import into an empty database → export: nothing lost, same bytes.

This is the promise that lets an operator move the site from SQLite to
PostgreSQL with two commands; CI runs it on both databases.
"""

import pytest
from django.core.management import call_command

from articles.models import Article
from summits.models import Declaration, Group, Series, Signatory, Summit
from tests.exchange_helpers import (
    export,
    full_dataset,
    import_file,
    row_counts,
    write_document,
)

pytestmark = pytest.mark.django_db


def empty_the_database():
    Article.objects.all().delete()
    Declaration.objects.all().delete()  # signatures go with them
    Summit.objects.all().delete()
    Series.objects.all().delete()
    Group.objects.all().delete()  # memberships go with them
    Signatory.objects.all().delete()  # other names go with them
    assert not any(row_counts().values())


def html_of_everything():
    return {
        "summits": dict(Summit.objects.values_list("slug", "body_html")),
        "declarations": dict(Declaration.objects.values_list("slug", "text_html")),
        "articles": dict(Article.objects.values_list("slug", "body_html")),
        "series": dict(Series.objects.values_list("slug", "description_html")),
        "groups": dict(Group.objects.values_list("slug", "description_html")),
        "searchable names": dict(
            Signatory.objects.values_list("slug", "other_names_text")
        ),
    }


def round_trip(tmp_path, *export_args):
    first = export("--no-timestamp", *export_args)
    counts, html = row_counts(), html_of_everything()
    empty_the_database()
    out, _ = import_file(write_document(tmp_path, first))
    assert " 0 updated, 0 unchanged" in out
    second = export("--no-timestamp", *export_args)
    return first, second, counts, html


def test_every_field_survives_a_round_trip_byte_for_byte(tmp_path):
    full_dataset()
    first, second, counts, html = round_trip(tmp_path, "--include-drafts")
    assert second == first
    assert row_counts() == counts
    # The HTML was rebuilt from the markdown, through the same pipeline.
    assert html_of_everything() == html


def test_a_published_only_export_also_round_trips(tmp_path):
    full_dataset()
    first, second, _, _ = round_trip(tmp_path)
    assert second == first


def test_compact_output_round_trips(tmp_path):
    full_dataset()
    first, second, _, _ = round_trip(tmp_path, "--include-drafts", "--indent", "0")
    assert second == first


def test_the_demo_content_round_trips(tmp_path):
    call_command("load_demo_content", verbosity=0)
    first, second, counts, _ = round_trip(tmp_path, "--include-drafts")
    assert second == first
    assert row_counts() == counts


def test_reimporting_an_export_over_the_same_data_changes_nothing(tmp_path):
    full_dataset()
    document = export("--no-timestamp", "--include-drafts")
    out, _ = import_file(write_document(tmp_path, document))
    for section in ("signatories", "groups", "series", "summits", "declarations"):
        assert f"{section}: 0 created, 0 updated," in out
