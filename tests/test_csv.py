"""A declaration's signatories as CSV: what a journalist opens in a spreadsheet."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from summits.models import Signature
from summits.views import CSV_HEADER, csv_safe
from tests.factories import DeclarationFactory, SignatoryFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def csv_url(declaration):
    return reverse("summits:declaration_csv", args=[declaration.slug])


def download(client, declaration):
    response = client.get(csv_url(declaration))
    assert response.status_code == 200
    return response, list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_is_the_signatory_table_as_rows(client):
    declaration = DeclarationFactory(slug="paris-statement")
    SignatureFactory(
        declaration=declaration,
        signatory=SignatoryFactory(name="France", country="FR"),
        signed_on=datetime.date(2025, 2, 11),
        ratified_on=datetime.date(2025, 6, 1),
        ratification_act="ratification",
        source_url="https://elysee.fr/statement",
        note="Host country",
    )
    SignatureFactory(
        declaration=declaration,
        signatory=SignatoryFactory(name="United Kingdom", country="GB"),
        status=Signature.Status.DECLINED,
        declined_on=None,
        source_url="https://gov.uk/paris",
    )

    response, rows = download(client, declaration)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="paris-statement-signatories.csv"'
    )
    assert rows == [
        CSV_HEADER,
        [
            "France",
            "Country",
            "France",
            "Signed",
            "2025-02-11",
            "2025-06-01",
            "https://elysee.fr/statement",
            "Host country",
            "2025-02-11",
            "Ratification",
            "",
            "",
        ],
        [
            "United Kingdom",
            "Country",
            "United Kingdom",
            "Declined",
            "",
            "",
            "https://gov.uk/paris",
            "",
            "",
            "",
            "",
            "",
        ],
    ]


def test_rows_follow_the_page_signed_then_declined_then_withdrawn(client):
    declaration = DeclarationFactory()
    for name, status in [
        ("Aland", Signature.Status.WITHDRAWN),
        ("Bhutan", Signature.Status.DECLINED),
        ("Chile", Signature.Status.SIGNED),
    ]:
        SignatureFactory(
            declaration=declaration,
            signatory=SignatoryFactory(name=name),
            status=status,
        )

    _, rows = download(client, declaration)

    assert [row[0] for row in rows[1:]] == ["Chile", "Bhutan", "Aland"]
    assert [row[3] for row in rows[1:]] == ["Signed", "Declined", "Withdrawn"]


def test_a_name_with_a_comma_a_quote_and_non_ascii_round_trips(client):
    declaration = DeclarationFactory()
    name = 'Côte d\'Ivoire, "République" — 日本'
    SignatureFactory(declaration=declaration, signatory=SignatoryFactory(name=name))

    response, rows = download(client, declaration)

    assert rows[1][0] == name
    # Quoted as spreadsheets expect: the field in quotes, inner quotes doubled.
    assert '"Côte d\'Ivoire, ""République"" — 日本"'.encode() in response.content
    assert len(rows) == 2 and len(rows[1]) == len(CSV_HEADER)


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("x")', "+1", "-2+3", "@SUM(A1)"])
def test_cells_that_a_spreadsheet_would_run_as_formulas_are_defused(client, dangerous):
    declaration = DeclarationFactory()
    SignatureFactory(
        declaration=declaration,
        signatory=SignatoryFactory(name=dangerous),
        note=dangerous,
    )

    _, rows = download(client, declaration)

    assert rows[1][0] == "'" + dangerous
    assert rows[1][7] == "'" + dangerous


def test_csv_safe_leaves_ordinary_text_alone():
    assert csv_safe("United Kingdom") == "United Kingdom"
    assert csv_safe("") == ""
    assert csv_safe(None) == ""
    assert csv_safe("=1+1") == "'=1+1"


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_the_csv_of_an_unpublished_declaration_is_not_found(client, state):
    declaration = DeclarationFactory(**{state: True})
    SignatureFactory(declaration=declaration)

    assert client.get(csv_url(declaration)).status_code == 404


def test_staff_may_download_a_draft_in_preview_never_cached(staff_client):
    declaration = DeclarationFactory(draft=True)
    SignatureFactory(declaration=declaration, signatory=SignatoryFactory(name="Peru"))

    response = staff_client.get(csv_url(declaration) + "?preview=1")

    assert response.status_code == 200
    assert "Peru" in response.content.decode()
    assert "no-cache" in response["Cache-Control"]
