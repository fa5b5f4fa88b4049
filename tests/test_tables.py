"""Sortable and filterable tables, and the signatory's fuller record."""

import datetime
import re

import pytest
from django.http import QueryDict
from django.urls import reverse

from core.sorting import Sorting, by_name
from summits.models import Declaration, Signature
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    GroupFactory,
    MembershipFactory,
    SignatoryFactory,
    SignatureFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def names_in(
    html, pattern=r'<th scope="row"><a href="/signatories/[^"]+/">([^<]+)</a>'
):
    return re.findall(pattern, html)


@pytest.fixture
def paris():
    paris = DeclarationFactory(title="Paris statement", slug="paris")
    for name, day in [("zambia", 3), ("Österreich", 1), ("Åland", None), ("brazil", 2)]:
        SignatureFactory(
            declaration=paris,
            signatory=SignatoryFactory(name=name),
            signed_on=D(2025, 2, day) if day else None,
        )
    SignatureFactory(
        declaration=paris,
        signatory=SignatoryFactory(name="Chile"),
        status=Signature.Status.DECLINED,
    )
    return paris


def test_sorting_keeps_to_the_allowed_keys():
    keys = {"name": by_name(lambda s: s), "len": len}
    assert Sorting(QueryDict("sort=-name"), keys, "name").value == "-name"
    for bad in ("sort=drop", "sort=--name", "sort=", "sort=-", "sort=name%00"):
        assert Sorting(QueryDict(bad), keys, "name").value == "name", bad
    rows = ["b", "Á", "a", "c"]
    assert Sorting(QueryDict(""), keys, "name").apply(rows) == ["Á", "a", "b", "c"]


def test_names_sort_without_regard_to_case_or_accents(client, paris):
    html = client.get(paris.get_absolute_url()).content.decode()
    assert names_in(html) == ["Åland", "brazil", "Österreich", "zambia", "Chile"]
    html = client.get(paris.get_absolute_url() + "?sort=-name").content.decode()
    assert names_in(html) == ["zambia", "Österreich", "brazil", "Åland", "Chile"]


def test_dates_sort_with_the_unknown_last(client, paris):
    html = client.get(paris.get_absolute_url() + "?sort=date").content.decode()
    assert names_in(html)[:4] == ["Österreich", "brazil", "zambia", "Åland"]
    html = client.get(paris.get_absolute_url() + "?sort=-date").content.decode()
    assert names_in(html)[:4] == ["zambia", "brazil", "Österreich", "Åland"]


def test_headers_are_links_with_aria_sort(client, paris):
    html = client.get(paris.get_absolute_url() + "?status=signed").content.decode()
    # Sorted by name ascending: its header links to the reverse order and
    # keeps the filter; the date header links to date order.
    assert (
        '<th scope="col" aria-sort="ascending"><a class="sort-link"\n'
        '  href="?status=signed&amp;sort=-name"' in html
    )
    assert 'href="?status=signed&amp;sort=date"' in html


def test_a_status_filter_shows_that_table_alone(client, paris):
    html = client.get(paris.get_absolute_url() + "?status=declined").content.decode()
    assert names_in(html) == ["Chile"]
    assert 'aria-current="true">Declined' in html
    html = client.get(paris.get_absolute_url() + "?status=withdrawn").content.decode()
    assert names_in(html) == []
    assert "No position of this kind is recorded." in html


@pytest.mark.parametrize(
    "query",
    ["sort=password", "sort=-", "status=secret", "sort[]=x", "status=&sort=",
     "sort=" + "x" * 5000, "kind=dragon", "sort=name&sort=-date"],
)  # fmt: skip
@pytest.mark.parametrize(
    "url",
    [
        lambda d: d.get_absolute_url(),
        lambda d: reverse("summits:declaration_list"),
        lambda d: reverse("summits:signatory_list"),
        lambda d: reverse("summits:declaration_compare"),
    ],
    ids=["declaration", "declarations", "signatories", "matrix"],
)
def test_parameters_outside_the_lists_are_ignored(client, paris, url, query):
    response = client.get(url(paris) + "?" + query)
    assert response.status_code == 200


def test_the_signatory_list_sorts_and_filters_by_kind(client, paris):
    SignatureFactory(
        declaration=paris, signatory=SignatoryFactory(name="Acme", kind="company")
    )
    url = reverse("summits:signatory_list")
    html = client.get(url + "?kind=company").content.decode()
    assert names_in(html) == ["Acme"]
    html = client.get(url + "?kind=country&sort=-name").content.decode()
    assert names_in(html) == ["zambia", "Österreich", "Chile", "brazil", "Åland"]
    html = client.get(url + "?sort=-declined").content.decode()
    assert names_in(html)[0] == "Chile"


def test_the_declaration_list_sorts_by_title_and_counts(client, paris):
    DeclarationFactory(title="Bletchley Declaration", adopted_on=D(2023, 11, 1))
    url = reverse("summits:declaration_list")
    pattern = r'<th scope="row"><a href="/declarations/[^"]+/">([^<]+)</a>'
    html = client.get(url + "?sort=title").content.decode()
    assert names_in(html, pattern) == ["Bletchley Declaration", "Paris statement"]
    html = client.get(url + "?sort=-signed").content.decode()
    assert names_in(html, pattern) == ["Paris statement", "Bletchley Declaration"]


def test_the_matrix_sorts_its_rows(client, paris):
    url = reverse("summits:declaration_compare") + "?kind=all&d=paris"
    html = client.get(url + "&sort=-name").content.decode()
    assert names_in(html) == ["zambia", "Österreich", "Chile", "brazil", "Åland"]
    html = client.get(url + "&sort=-signed").content.decode()
    assert names_in(html)[-1] == "Chile"


# ---------------------------------------------------------------- signatory


def test_a_signatory_lists_texts_of_the_same_topic_with_no_position(client, paris):
    chile = paris.signatures.get(signatory__name="Chile").signatory
    DeclarationFactory(title="Seoul declaration")
    DeclarationFactory(title="Montreal Protocol", topic=Declaration.Topic.PRECEDENT)
    DeclarationFactory(title="Draft accord", draft=True)

    html = client.get(chile.get_absolute_url()).content.decode()
    section = html.split('id="not-recorded"')[1]
    assert "Seoul declaration" in section
    assert "no position recorded" in section
    assert "Montreal Protocol" not in html  # another topic
    assert "Draft accord" not in html
    assert "Paris statement" not in section  # it has a position there


def test_a_signatory_shows_its_description_groups_and_related_articles(client, paris):
    chile = paris.signatures.get(signatory__name="Chile").signatory
    chile.description = "A South American republic."
    chile.save()
    MembershipFactory(group=GroupFactory(name="OECD"), signatory=chile)
    ArticleFactory(title="Why Chile declined").declarations.add(paris)
    ArticleFactory(title="Draft analysis", draft=True).declarations.add(paris)
    ArticleFactory(title="Unrelated piece")

    html = client.get(chile.get_absolute_url()).content.decode()
    assert "A South American republic." in html
    assert "OECD</a>" in html
    assert "Why Chile declined" in html
    assert "Draft analysis" not in html
    assert "Unrelated piece" not in html
