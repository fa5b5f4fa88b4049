"""core.reversing.reverse_slug gives reverse()'s text, or reverse()'s refusal."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from core.reversing import reverse_slug

ROUTES = [
    "articles:article_detail",
    "pages:page_detail",
    "summits:summit_detail",
    "summits:declaration_detail",
    "summits:signatory_detail",
    "summits:series_detail",
    "summits:group_detail",
]


@pytest.mark.parametrize("name", ROUTES)
@pytest.mark.parametrize(
    "slug", ["a", "paris-2025", "UK_9", "feed", "slug-marker-4f2a"]
)
def test_the_same_address_as_reverse(name, slug):
    assert reverse_slug(name, slug) == reverse(name, args=[slug])


@pytest.mark.parametrize("slug", ["", "a b", "ü", "a/b", "a?b", "../x"])
def test_a_slug_reverse_refuses_is_refused(slug):
    with pytest.raises(NoReverseMatch):
        reverse_slug("articles:article_detail", slug)


def test_the_script_prefix_in_force_is_used():
    try:
        set_script_prefix("/mirror/")
        mirrored = reverse_slug("summits:summit_detail", "paris")
        expected = reverse("summits:summit_detail", args=["paris"])
    finally:
        set_script_prefix("/")
    assert mirrored == expected == "/mirror/summits/paris/"
    assert reverse_slug("summits:summit_detail", "paris") == "/summits/paris/"
