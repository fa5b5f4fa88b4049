"""Commitments and assessments in the export format: round trip and bad input."""

import copy
import datetime

import pytest
from django.core.management.base import CommandError

from summits.models import Assessment, Commitment, Result, Signatory
from tests.exchange_helpers import export, export_document, import_file, write_document
from tests.factories import (
    AssessmentFactory,
    CommitmentFactory,
    DeclarationFactory,
    SignatoryFactory,
    SignatureFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessed():
    declaration = DeclarationFactory(
        slug="seoul-commitments",
        kind="commitments",
        adopted_on=datetime.date(2024, 5, 21),
    )
    amazon = SignatoryFactory(name="Amazon", kind=Signatory.Kind.COMPANY)
    mistral = SignatoryFactory(name="Mistral", kind=Signatory.Kind.COMPANY)
    for signatory in (amazon, mistral):
        SignatureFactory(declaration=declaration, signatory=signatory)
    commitment = CommitmentFactory(
        declaration=declaration,
        slug="framework",
        title="Publish a safety framework",
        applies_to=Signatory.Kind.COMPANY,
    )
    CommitmentFactory(declaration=declaration, slug="report", deadline=None)
    AssessmentFactory(
        commitment=commitment,
        signatory=amazon,
        evidence="https://example.com/amazon-framework",
        note="Published **before** the summit.",
    )
    AssessmentFactory(
        commitment=commitment,
        signatory=mistral,
        result=Result.NO_INFORMATION,
        evidence=False,
        draft=True,
    )
    return declaration


def declaration_of(document, slug="seoul-commitments"):
    return next(d for d in document["declarations"] if d["slug"] == slug)


def refused(tmp_path, document):
    path = write_document(tmp_path, document)
    with pytest.raises(CommandError) as error:
        import_file(path)
    return str(error.value)


def test_the_export_carries_commitments_and_public_assessments_only(assessed):
    item = declaration_of(export_document())
    framework, report = item["commitments"]
    assert framework["slug"] == "framework" and report["slug"] == "report"
    assert framework["deadline"] == "2025-02"
    assert framework["assessments"] == [
        {
            "signatory": "amazon",
            "status": "published",
            "published_at": framework["assessments"][0]["published_at"],
            "result": "met",
            "assessed_on": "2025-02-03",
            "assessed_by": "Summit Watch",
            "note": "Published **before** the summit.",
            "evidence": [
                {
                    "source_url": "https://example.com/amazon-framework",
                    "source_name": "Safety framework",
                }
            ],
        }
    ]
    with_drafts = declaration_of(export_document("--include-drafts"))
    assert len(with_drafts["commitments"][0]["assessments"]) == 2


def test_a_draft_declarations_commitments_are_not_exported(assessed):
    assessed.status = "draft"
    assessed.save()
    assert "Publish a safety framework" not in export()


def test_round_trip_gives_the_same_document(tmp_path, assessed):
    first = export("--include-drafts")
    path = tmp_path / "first.json"
    path.write_text(first)
    Assessment.objects.all().delete()
    Commitment.objects.all().delete()
    import_file(path)
    assert Assessment.objects.get(signatory__slug="amazon").note_html.startswith(
        "<p>Published <strong>before</strong>"
    )
    second = export("--include-drafts")
    strip = lambda text: text.split("\n", 3)[3]  # noqa: E731 (drops exported_at)
    assert strip(first) == strip(second)
    # A second import of the same document changes nothing.
    out, _ = import_file(path)
    assert "declarations: 0 created, 0 updated" in out


def test_an_older_document_without_commitments_leaves_them_alone(tmp_path, assessed):
    document = export_document()
    for item in document["declarations"]:
        del item["commitments"]
    import_file(write_document(tmp_path, document))
    assert Commitment.objects.count() == 2
    assert Assessment.objects.count() == 2


def test_an_empty_list_removes_the_commitments(tmp_path, assessed):
    document = export_document()
    declaration_of(document)["commitments"] = []
    import_file(write_document(tmp_path, document))
    assert not Commitment.objects.exists()


@pytest.mark.parametrize(
    "change, expected",
    [
        (
            lambda c: c["assessments"][0]["evidence"][0].update(
                source_url="ftp://x.org/f"
            ),
            "$.declarations[0].commitments[0].assessments[0].evidence[0].source_url: "
            "'ftp://x.org/f' is not in the expected form",
        ),
        (
            lambda c: c["assessments"][0].update(result="kept"),
            "$.declarations[0].commitments[0].assessments[0].result: "
            "'kept' is not one of",
        ),
        (
            lambda c: c.update(deadline="2024-04"),
            "$.declarations[0].commitments[0].deadline (commitment 'framework' of "
            "declaration 'seoul-commitments'): The deadline (April 2024) comes before",
        ),
        (
            lambda c: c["assessments"][0].update(signatory="nobody"),
            "$.declarations[0].commitments[0].assessments[0].signatory (assessment of "
            "signatory 'nobody' on commitment 'framework' of declaration "
            "'seoul-commitments'): unknown signatory slug 'nobody'.",
        ),
        (
            lambda c: c["assessments"][0]["evidence"].clear(),
            "$.declarations[0].commitments[0].assessments[0].evidence (assessment of "
            "signatory 'amazon' on commitment 'framework' of declaration "
            "'seoul-commitments'): a finding of 'met' needs at least one "
            "evidence link.",
        ),
    ],
)
def test_bad_input_is_refused_with_path_kind_and_slug(
    tmp_path, assessed, change, expected
):
    document = export_document()
    change(declaration_of(document)["commitments"][0])
    before = Assessment.objects.count()
    message = refused(tmp_path, document)
    assert expected in message
    assert "nothing was imported" in message
    assert Assessment.objects.count() == before


def test_an_assessment_of_a_signatory_that_did_not_sign_is_refused(tmp_path, assessed):
    document = export_document()
    item = declaration_of(document)
    for position in item["signatures"]:
        if position["signatory"] == "amazon":
            position.update(status="declined", signed_on=None, declined_on="2024-05")
    message = refused(tmp_path, copy.deepcopy(document))
    assert (
        "assessments[0].signatory (assessment of signatory 'amazon' on commitment "
        "'framework' of declaration 'seoul-commitments'): 'amazon' did not sign "
        "this declaration (its position is 'declined')"
    ) in message
