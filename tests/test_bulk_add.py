"""Bulk add: other names and codes, "did you mean", new signatories, one source."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError
from django.urls import reverse

from summits.forms import BulkAddSignaturesForm
from summits.models import Signatory, SignatoryAlias, Signature
from tests.factories import DeclarationFactory, SignatoryFactory, SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def declaration():
    return DeclarationFactory(title="Paris statement")


@pytest.fixture
def signatories():
    uk = SignatoryFactory(name="United Kingdom", country="GB")
    SignatoryAlias.objects.create(signatory=uk, name="UK")
    eu = SignatoryFactory(
        name="European Union", kind=Signatory.Kind.ORGANISATION, country=""
    )
    SignatoryAlias.objects.create(signatory=eu, name="EU")
    france = SignatoryFactory(name="France", country="FR")
    finland = SignatoryFactory(name="Finland", country="FI")
    return {"uk": uk, "eu": eu, "france": france, "finland": finland}


def bulk_form(declaration, names, **extra):
    data = {
        "names": names,
        "status": "signed",
        "date": "2025-02",
        "source_url": "https://www.elysee.fr/statement",
        "note": "",
        **extra,
    }
    return BulkAddSignaturesForm(data, declaration=declaration)


def test_uk_and_eu_are_found_by_their_other_names(declaration, signatories):
    form = bulk_form(declaration, "UK\nEU\nGBR")
    assert form.is_valid(), form.errors
    assert form.to_add == [signatories["uk"], signatories["eu"]]
    assert form.repeated == [signatories["uk"]]


def test_an_unknown_name_gets_up_to_three_suggestions(declaration, signatories):
    form = bulk_form(declaration, "UK\nFrnace\nAtlantis")
    assert not form.is_valid()
    first, second = form.line_problems
    assert first["line"] == 2
    assert first["suggestions"][0] == "France"
    assert len(first["suggestions"]) <= 3
    assert first["message"].startswith(
        "Line 2, “Frnace”: not found; did you mean “France”"
    )
    assert first["message"].endswith("?")
    assert second["suggestions"] == []
    assert second["message"] == "Line 3, “Atlantis”: not found."


def test_a_close_other_name_suggests_its_signatory(declaration, signatories):
    form = bulk_form(declaration, "European Unoin")
    assert not form.is_valid()
    assert form.line_problems[0]["suggestions"][0] == "European Union"


def test_the_shared_source_and_date_go_on_every_new_position(declaration, signatories):
    form = bulk_form(declaration, "UK\nEU\nMistral AI | company")
    assert form.is_valid(), form.errors
    form.save()
    positions = declaration.signatures.order_by("signatory__name")
    assert [p.signatory.name for p in positions] == [
        "European Union",
        "Mistral AI",
        "United Kingdom",
    ]
    assert {p.source_url for p in positions} == {"https://www.elysee.fr/statement"}
    assert {(p.signed_on, p.signed_on_precision) for p in positions} == {
        (datetime.date(2025, 2, 1), "month")
    }


def test_a_missing_signatory_is_created_with_its_kind(declaration, signatories):
    form = bulk_form(
        declaration,
        "Mistral AI | company\nAfrican Union | organisation\nmistral ai | Company",
        status="declined",
        date="2025-02-11",
    )
    assert form.is_valid(), form.errors
    form.save()
    mistral = Signatory.objects.get(name="Mistral AI")
    assert mistral.kind == Signatory.Kind.COMPANY
    assert mistral.slug == "mistral-ai"
    assert Signatory.objects.get(name="African Union").kind == "organisation"
    assert Signatory.objects.filter(folded_name="mistral ai").count() == 1
    position = declaration.signatures.get(signatory=mistral)
    assert position.status == Signature.Status.DECLINED
    assert position.declined_on == datetime.date(2025, 2, 11)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Mistral AI | startup", "“startup” is not a kind"),
        ("France | country", "already recorded as “France”"),
        ("| company", "give a name before the bar"),
    ],
)
def test_a_bad_new_signatory_line_is_refused(declaration, signatories, line, message):
    form = bulk_form(declaration, f"UK\n{line}")
    assert not form.is_valid()
    assert message in form.errors["names"][0]
    assert Signatory.objects.count() == 4


def test_someone_who_may_not_add_signatories_cannot_create_one(declaration):
    form = BulkAddSignaturesForm(
        {
            "names": "Mistral AI | company",
            "status": "signed",
            "source_url": "https://a.example/",
        },
        declaration=declaration,
        may_create_signatories=False,
    )
    assert not form.is_valid()
    assert "you may not add signatories" in form.errors["names"][0]


@pytest.mark.parametrize(
    "url", ["ftp://example.org/list", "javascript:alert(1)", "not a url"]
)
def test_a_source_that_is_not_a_web_address_is_refused(declaration, signatories, url):
    form = bulk_form(declaration, "UK", source_url=url)
    assert not form.is_valid()
    assert "source_url" in form.errors


def test_nothing_is_half_saved_when_a_position_cannot_be_written(
    declaration, signatories
):
    form = bulk_form(declaration, "UK\nMistral AI | company")
    assert form.is_valid(), form.errors
    # Another editor records the UK meanwhile: the positions' insert fails.
    SignatureFactory(declaration=declaration, signatory=signatories["uk"])
    with pytest.raises(IntegrityError):
        form.save()
    assert not Signatory.objects.filter(name="Mistral AI").exists()
    assert declaration.signatures.count() == 1


class TestTheView:
    @pytest.fixture
    def editor_client(self, client, django_user_model):
        user = django_user_model.objects.create_user(
            username="eda", password="pw", is_staff=True
        )
        user.groups.add(Group.objects.get(name="Editors"))
        client.force_login(user)
        return client

    def post(self, client, declaration, names, **extra):
        url = reverse("admin:summits_declaration_bulk_add", args=[declaration.pk])
        data = {
            "names": names,
            "status": "signed",
            "date": "2025-02-11",
            "source_url": "https://www.elysee.fr/statement",
            **extra,
        }
        return client.post(url, data, follow=True)

    def test_unknown_lines_offer_their_suggestions_and_new_kinds_as_buttons(
        self, editor_client, declaration, signatories
    ):
        html = self.post(editor_client, declaration, "UK\nFrnace").content.decode()
        assert "Nothing was saved" in html
        assert 'data-text="France">France</button>' in html
        assert 'data-text="Frnace | company">company</button>' in html
        assert "admin-extra/bulk-add.js" in html
        assert not declaration.signatures.exists()

    def test_a_created_signatory_is_reported_and_logged(
        self, editor_client, declaration, signatories
    ):
        response = self.post(editor_client, declaration, "EU\nMistral AI | company")
        html = response.content.decode()
        assert "Added 2 signatures." in html
        assert "New signatories: Mistral AI (company)." in html
        mistral = Signatory.objects.get(name="Mistral AI")
        history = editor_client.get(
            reverse("admin:summits_signatory_history", args=[mistral.pk])
        ).content.decode()
        assert "Added while bulk-adding to “Paris statement”." in history

    def test_the_inline_links_each_position_to_its_stages(
        self, editor_client, declaration, signatories
    ):
        position = SignatureFactory(
            declaration=declaration, signatory=signatories["uk"]
        )
        html = editor_client.get(
            reverse("admin:summits_declaration_change", args=[declaration.pk])
        ).content.decode()
        url = reverse("admin:summits_signature_change", args=[position.pk])
        assert f'<a href="{url}">Stages and sources…</a>' in html
        assert 'name="signatures-0-withdrawn_on"' not in html
        assert 'name="signatures-0-source_url"' in html
