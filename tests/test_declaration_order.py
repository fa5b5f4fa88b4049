"""Undated declarations come last everywhere, on SQLite and PostgreSQL alike.

PostgreSQL puts NULL first in a descending order and SQLite last, so every
ordering by adoption date says where NULLs go. Run this module on both:
`DATABASE_URL=postgres://… pytest tests/test_declaration_order.py`.
"""

import datetime

import pytest
from django.http import QueryDict
from django.urls import reverse

from summits.matrix import build_matrix
from summits.models import Declaration
from tests.factories import DeclarationFactory, SignatoryFactory, SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def declarations():
    """Two dated texts and one undated, all signed by one country at one summit."""
    older = DeclarationFactory(title="B Older", adopted_on=datetime.date(2023, 11, 1))
    summit = older.summit
    newer = DeclarationFactory(
        title="C Newer", summit=summit, adopted_on=datetime.date(2025, 2, 11)
    )
    undated = DeclarationFactory(title="A Undated", summit=summit, adopted_on=None)
    country = SignatoryFactory(name="France", country="FR")
    for declaration in (older, newer, undated):
        SignatureFactory(declaration=declaration, signatory=country)
    return older, newer, undated, country


def titles_in(html, names):
    return sorted(names, key=html.index)


def test_the_model_order_is_newest_first_then_undated(declarations):
    assert [d.title for d in Declaration.objects.all()] == [
        "C Newer",
        "B Older",
        "A Undated",
    ]


@pytest.mark.parametrize(
    "url",
    [
        lambda d: reverse("summits:declaration_list"),
        lambda d: d[0].summit.get_absolute_url(),
        lambda d: d[3].get_absolute_url(),
    ],
    ids=["list", "summit", "signatory"],
)
def test_pages_list_undated_declarations_last(client, declarations, url):
    html = client.get(url(declarations)).content.decode()
    names = ["C Newer", "B Older", "A Undated"]
    assert titles_in(html, names) == names


def test_the_home_timeline_is_oldest_first_then_undated(client, declarations):
    html = client.get(reverse("home:home")).content.decode()
    names = ["B Older", "C Newer", "A Undated"]
    timeline = html[html.index('id="timeline-heading"') :]
    assert titles_in(timeline, names) == names


@pytest.mark.parametrize("query", ["kind=all&d=all", "kind=all"])
def test_matrix_columns_read_in_time_with_undated_last(declarations, query):
    matrix = build_matrix(QueryDict(query))
    assert [c.declaration.title for c in matrix.columns] == [
        "B Older",
        "C Newer",
        "A Undated",
    ]


# The export stays in slug order: tests/test_export.py
# (test_lists_are_sorted_by_slug_in_code_point_order).
