"""The compare matrix: who signed what, across declarations, from plain GET."""

import datetime

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from summits.matrix import DEFAULT_COLUMNS, build_matrix
from summits.models import Signatory, Signature
from tests.factories import DeclarationFactory, SignatoryFactory, SignatureFactory

pytestmark = pytest.mark.django_db

URL = reverse("summits:declaration_compare")
SIGNED = Signature.Status.SIGNED
DECLINED = Signature.Status.DECLINED
WITHDRAWN = Signature.Status.WITHDRAWN


def matrix_for(query=""):
    return build_matrix(QueryDict(query))


def grid(matrix):
    """{signatory name: {declaration title: status or None}}."""
    titles = [column.declaration.title for column in matrix.columns]
    return {
        row.signatory.name: dict(zip(titles, row.cells, strict=True))
        for row in matrix.rows
    }


def seoul_and_paris():
    seoul = DeclarationFactory(title="Seoul", adopted_on=datetime.date(2024, 5, 21))
    paris = DeclarationFactory(title="Paris", adopted_on=datetime.date(2025, 2, 11))
    uk = SignatoryFactory(name="United Kingdom")
    us = SignatoryFactory(name="United States")
    france = SignatoryFactory(name="France")
    openai = SignatoryFactory(name="OpenAI", kind=Signatory.Kind.COMPANY)
    SignatureFactory(declaration=seoul, signatory=uk)
    SignatureFactory(declaration=paris, signatory=uk, status=DECLINED)
    SignatureFactory(declaration=seoul, signatory=us, status=WITHDRAWN)
    SignatureFactory(declaration=paris, signatory=france)
    SignatureFactory(declaration=seoul, signatory=openai)
    return seoul, paris


@pytest.fixture(scope="class")
def paris_and_seoul(build_once):
    return build_once(seoul_and_paris)


class TestParisAndSeoul:
    """Seoul and Paris, four signatories: built once, read by every test."""

    def test_each_cell_is_the_signatorys_position_or_not_recorded(
        self, paris_and_seoul
    ):
        matrix = matrix_for()

        assert grid(matrix) == {
            "France": {"Seoul": None, "Paris": SIGNED},
            "United Kingdom": {"Seoul": SIGNED, "Paris": DECLINED},
            "United States": {"Seoul": WITHDRAWN, "Paris": None},
        }
        # Columns read left to right in time; totals count what is shown.
        assert [
            (c.declaration.title, c.signed, c.declined, c.withdrawn)
            for c in matrix.columns
        ] == [("Seoul", 1, 0, 1), ("Paris", 1, 1, 0)]

    def test_the_default_shows_countries_only(self, paris_and_seoul):
        assert "OpenAI" not in grid(matrix_for())

    def test_kind_filter_shows_companies(self, paris_and_seoul):
        assert list(grid(matrix_for("kind=company"))) == ["OpenAI"]

    def test_kind_all_shows_every_signatory(self, paris_and_seoul):
        assert set(grid(matrix_for("kind=all"))) == {
            "France",
            "OpenAI",
            "United Kingdom",
            "United States",
        }

    def test_choosing_declarations_limits_the_columns(self, paris_and_seoul):
        matrix = matrix_for("d=paris")

        assert [c.declaration.title for c in matrix.columns] == ["Paris"]
        # Rows are the signatories with a position on a chosen declaration.
        assert grid(matrix) == {
            "France": {"Paris": SIGNED},
            "United Kingdom": {"Paris": DECLINED},
        }

    def test_draft_and_scheduled_declarations_are_never_columns_nor_counted(
        self,
        paris_and_seoul,
    ):
        secret = DeclarationFactory(title="Secret", slug="secret", draft=True)
        later = DeclarationFactory(title="Later", slug="later", scheduled=True)
        ghost = SignatoryFactory(name="Ghost Country")
        SignatureFactory(declaration=secret, signatory=ghost)
        SignatureFactory(declaration=later, signatory=ghost)

        for query in ("", "d=all", "d=secret&d=later", "d=secret&d=paris"):
            matrix = matrix_for(query)
            titles = {c.declaration.title for c in matrix.columns}
            assert not titles & {"Secret", "Later"}, query
            assert "Ghost Country" not in grid(matrix), query
            assert {d.title for d in matrix.all_declarations} == {"Seoul", "Paris"}

    def test_the_default_view_leaves_out_declarations_with_no_positions_of_the_kind(
        self,
        paris_and_seoul,
    ):
        commitments = DeclarationFactory(title="Commitments", slug="commitments")
        SignatureFactory(
            declaration=commitments,
            signatory=SignatoryFactory(name="Anthropic", kind=Signatory.Kind.COMPANY),
        )

        countries = [c.declaration.title for c in matrix_for().columns]
        companies = [c.declaration.title for c in matrix_for("kind=company").columns]
        chosen = matrix_for("d=commitments&d=paris")

        assert countries == ["Seoul", "Paris"]
        assert companies == ["Seoul", "Commitments"]
        # A visitor's own choice is always shown, blank or not.
        assert [c.declaration.title for c in chosen.columns] == ["Commitments", "Paris"]

    @pytest.mark.parametrize(
        "query",
        [
            "kind=dragon",
            "kind=",
            "d=no-such-declaration",
            "d=",
            "d=%FF%FE",  # not UTF-8 (NUL gets a 400: tests/test_hostile_requests.py)
            "kind=country&kind=company&d=seoul&d=seoul",
            "d=" + "x" * 5000,
            "page=-1&kind[]=1&d[]=2",
        ],
    )
    def test_bad_get_parameters_are_ignored_not_an_error(
        self, client, paris_and_seoul, query
    ):
        response = client.get(f"{URL}?{query}")

        assert response.status_code == 200
        assert '<table class="matrix" data-sortable>' in response.content.decode()

    def test_the_matrix_reads_signatures_in_one_query(self, paris_and_seoul):
        with CaptureQueriesContext(connection) as queries:
            matrix_for("kind=all&d=all")
        # The columns' query joins positions for its counts; one query reads them.
        signature_queries = [
            q for q in queries if 'FROM "summits_signature"' in q["sql"]
        ]
        assert len(signature_queries) == 1
        assert len(queries) == 2  # the published declarations, then the signatures

    def test_the_page_is_an_accessible_table_with_caption_and_scoped_headers(
        self, client, paris_and_seoul
    ):
        response = client.get(URL)
        html = response.content.decode()

        assert (
            '<caption id="matrix-caption" class="visually-hidden">Countries × 2 '
            "declarations" in html
        )
        # The same words are visible above the scroller, where a phone shows them.
        assert '<p class="matrix-summary" aria-hidden="true">Countries × 2' in html
        # "Signatory" (sorted by name, a link that sorts) + 2 declarations
        assert '<th scope="col" aria-sort="ascending"><a class="sort-link"' in html
        assert html.count('<th scope="col"') == 3
        assert html.count('<th scope="row">') == 3 + 1  # 3 countries + totals
        # Words, not only symbols or colour: a recorded position in words, and
        # an empty cell for "not recorded", which the caption says in words.
        assert '<td><span class="s">Signed</span></td>' in html
        assert "<td></td>" in html
        assert "An empty cell: not recorded.</caption>" in html
        # The legend explains every state.
        for label in ("Signed", "Declined", "Withdrawn", "Not recorded"):
            assert label in html

    def test_the_form_works_without_javascript(self, client, paris_and_seoul):
        html = client.get(f"{URL}?kind=company&d=seoul").content.decode()

        assert '<form class="matrix-form" method="get"' in html
        assert 'name="kind" value="company" checked' in html
        assert 'name="d" value="seoul" checked' in html
        assert 'name="d" value="paris">' in html
        assert "<script" not in html

    def test_the_default_columns_are_not_ticked_so_changing_kind_keeps_a_default(
        self, client, paris_and_seoul
    ):
        # Found in the browser: ticked defaults were resubmitted as a choice, so
        # switching from countries to companies kept the countries' columns.
        html = client.get(URL).content.decode()

        assert 'name="d" value="seoul" checked' not in html
        assert 'name="d" value="seoul">' in html

    def test_a_kind_with_no_positions_says_so(self, client, paris_and_seoul):
        html = client.get(f"{URL}?kind=organisation").content.decode()
        assert "No positions of international organisations are recorded" in html


def test_the_default_is_the_latest_declarations_and_all_is_one_filter_away():
    for day in range(1, DEFAULT_COLUMNS + 4):
        declaration = DeclarationFactory(
            title=f"D{day:02}", adopted_on=datetime.date(2024, 1, day)
        )
        SignatureFactory(declaration=declaration)

    default = matrix_for()
    assert [c.declaration.title for c in default.columns] == [
        f"D{day:02}" for day in range(4, DEFAULT_COLUMNS + 4)
    ]
    assert default.defaulted and not default.showing_all
    assert len(matrix_for("d=all").columns) == DEFAULT_COLUMNS + 3
