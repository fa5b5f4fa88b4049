"""The editors' data-quality view: what is missing, and a link to fix each.

On the admin home page and on /admin/data-quality/ (staff only); counts in a
number of queries that does not grow with the data.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from editorial.models import SourceLink
from home.data_quality import data_quality_report
from summits.models import Signatory, Signature
from tests.factories import (
    CommitmentFactory,
    DeclarationFactory,
    SignatoryFactory,
    SignatureFactory,
)

pytestmark = pytest.mark.django_db

PAGE = "/admin/data-quality/"


@pytest.fixture
def editor_client(client, django_user_model):
    user = django_user_model.objects.create_user(
        username="eda", password="pw", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return client


def problems(report=None):
    return {p.name: p for p in (report or data_quality_report()).problems}


def make_problems(n):
    """n of each problem the view reports."""
    for i in range(n):
        declaration = DeclarationFactory(
            title=f"Partial {i}",
            reported_signatory_count=50,
            adopted_on=None,
            summary="",
        )
        SignatureFactory(declaration=declaration, source_url="")
        SignatureFactory(
            declaration=declaration,
            status=Signature.Status.DECLINED,
            declined_on=None,
            source_url=f"https://example.org/dead-{i}",
        )
        SignatoryFactory(name=f"Nowhere {i}", country="")
        SourceLink.objects.create(
            url=f"https://example.org/dead-{i}", last_status=404, dead=True
        )
        # A promise due in February 2025 that nobody has assessed.
        commitment = CommitmentFactory(title=f"Framework {i}")
        SignatureFactory(declaration=commitment.declaration)


def test_each_problem_is_counted_with_its_rows():
    declaration = DeclarationFactory(
        title="Paris Statement", reported_signatory_count=60, adopted_on=None
    )
    SignatureFactory.create_batch(4, declaration=declaration)
    unsourced = SignatureFactory(
        declaration=declaration, source_url="", signatory__name="Nauru"
    )
    SignatoryFactory(name="Atlantis", country="")
    SignatoryFactory(name="European Union", kind=Signatory.Kind.ORGANISATION)
    DeclarationFactory(title="No words", text="", summary="Some")

    found = problems()

    assert found["signature-no-source"].count == 1
    assert found["signature-no-source"].rows[0].admin_url == reverse(
        "admin:summits_signature_change", args=[unsourced.pk]
    )
    partial = found["declaration-partial"]
    assert partial.count == 1
    assert partial.rows[0].detail == "5 of about 60 recorded"
    assert found["declaration-undated"].count == 1
    assert found["declaration-no-text"].count == 2  # Paris has no summary either
    # Countries only: the EU has no ISO code and is not a problem.
    no_iso = [r.label for r in found["signatory-no-iso"].rows]
    assert "Atlantis" in no_iso and "European Union" not in no_iso
    assert found["signatory-no-iso"].more_url == (
        reverse("admin:summits_signatory_changelist") + "?quality=no-iso"
    )


def test_each_more_link_opens_exactly_the_rows_counted(editor_client):
    make_problems(3)
    for problem in data_quality_report().problems:
        response = editor_client.get(problem.more_url)
        assert response.status_code == 200, problem.more_url
        assert response.context["cl"].result_count == problem.count, problem.name


def test_lists_are_capped_with_an_and_more_link(editor_client):
    make_problems(12)
    report = data_quality_report(limit=10)
    unsourced = problems(report)["signature-no-source"]
    assert len(unsourced.rows) == 10 and unsourced.hidden == 2

    html = editor_client.get(reverse("admin:index")).content.decode()
    assert "and 2 more" in html


def test_a_dead_link_links_to_the_record_citing_it(editor_client):
    position = SignatureFactory(
        source_url="", signed_source_url="https://gone.example/"
    )
    SourceLink.objects.create(url="https://gone.example/", last_status=410, dead=True)
    SourceLink.objects.create(url="https://fine.example/", last_status=200)

    dead = problems()["dead-links"]

    assert dead.count == 1
    assert dead.rows[0].label == "https://gone.example/"
    assert dead.rows[0].detail == "HTTP 410"
    assert dead.rows[0].admin_url == reverse(
        "admin:summits_signature_change", args=[position.pk]
    )
    html = editor_client.get(PAGE).content.decode()
    assert "https://gone.example/" in html and "HTTP 410" in html


@pytest.mark.parametrize("size", [1, 15])
def test_the_report_takes_the_same_number_of_queries_at_any_size(
    size, django_assert_num_queries
):
    make_problems(size)
    # 6 checks × (rows + count), dead links (rows + count), one query per
    # model citing sources (declarations, positions, articles), and three for
    # the commitments past their deadline (commitments, assessments, positions).
    with django_assert_num_queries(20):
        report = data_quality_report()
        [problem.rows for problem in report.problems]


def test_commitments_past_their_deadline_wait_for_assessments(editor_client):
    commitment = CommitmentFactory(title="Publish a framework")
    SignatureFactory(declaration=commitment.declaration, signatory__name="Late Labs")
    overdue = problems()["commitment-overdue"]
    assert overdue.count == 1
    assert overdue.rows[0].admin_url == reverse(
        "admin:summits_commitment_assess", args=[commitment.pk]
    )
    assert "Late Labs" in overdue.rows[0].detail
    html = editor_client.get(PAGE).content.decode()
    assert "Commitments past their deadline" in html and "Late Labs" in html


def test_the_admin_home_shows_the_data_quality_list(editor_client):
    SignatureFactory(source_url="")
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert "Data quality" in html
    assert "Positions without a source" in html
    assert f'href="{PAGE}"' in html


def test_with_nothing_missing_the_view_says_so(editor_client):
    html = editor_client.get(PAGE).content.decode()
    assert "Nothing missing" in html


def test_the_page_is_for_staff_only(client, django_user_model):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    user = django_user_model.objects.create_user(username="visitor", password="pw")
    client.force_login(user)
    assert client.get(PAGE).status_code == 302


def test_check_sources_finds_a_dead_link_and_the_view_shows_it(editor_client, server):
    """The whole path: a source 404s, the checker marks it, editors see it."""
    _, base = server
    SignatureFactory(source_url=f"{base}/gone")

    call_command("check_sources", verbosity=0, timeout=0.5)

    html = editor_client.get(PAGE).content.decode()
    assert f"{base}/gone" in html and "HTTP 404" in html
