"""Counts that never overstate, and positions whose sources are missing.

The Paris statement lists 4 of about 60 signatories: every page that prints
its count says so, in one wording; "attended" and "unknown" never count as
signed; a position without a source says "no source yet", and the home page's
sentence about sources is computed, so it is true in every state.
"""

import pytest
from django.core.cache import cache
from django.urls import reverse

from summits.models import Declaration, Signature
from tests.factories import DeclarationFactory, SignatoryFactory, SignatureFactory

pytestmark = pytest.mark.django_db

PARTIAL = "4 of about 60 recorded"


@pytest.fixture(autouse=True)
def fresh_cache():
    # Public pages are cached; each test reads its own data.
    cache.clear()


def get_text(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def paris_statement():
    """4 recorded signatures of about 60, plus positions that are not signatures."""
    statement = DeclarationFactory(
        title="Paris Statement", reported_signatory_count=60, summary=""
    )
    SignatureFactory.create_batch(4, declaration=statement)
    for status in (Signature.Status.ATTENDED, Signature.Status.UNKNOWN):
        SignatureFactory(declaration=statement, status=status, signed_on=None)
    return statement


def test_the_wording_lives_on_the_model(paris_statement):
    assert paris_statement.signed_figure == PARTIAL
    assert paris_statement.signed_summary == PARTIAL
    assert paris_statement.list_is_partial


def test_a_complete_list_is_a_plain_count_and_attended_or_unknown_never_count():
    declaration = DeclarationFactory(reported_signatory_count=2)
    SignatureFactory.create_batch(2, declaration=declaration)
    SignatureFactory(
        declaration=declaration, status=Signature.Status.ATTENDED, signed_on=None
    )
    SignatureFactory(
        declaration=declaration, status=Signature.Status.UNKNOWN, signed_on=None
    )

    assert not declaration.list_is_partial
    assert declaration.signed_figure == "2"
    assert declaration.signed_summary == "2 signed"


def test_attended_and_unknown_do_not_fill_a_partial_list():
    """60 reported, 4 signed + 56 that only attended: still partial."""
    declaration = DeclarationFactory(reported_signatory_count=6)
    SignatureFactory.create_batch(4, declaration=declaration)
    SignatureFactory.create_batch(
        2, declaration=declaration, status=Signature.Status.ATTENDED, signed_on=None
    )
    assert declaration.signed_figure == "4 of about 6 recorded"


@pytest.mark.parametrize(
    "url",
    [
        lambda d: reverse("home:home"),
        lambda d: reverse("summits:declaration_list"),
        lambda d: d.summit.get_absolute_url(),
        lambda d: d.get_absolute_url(),
        lambda d: reverse("summits:declaration_compare") + f"?kind=all&d={d.slug}",
    ],
    ids=["home", "declaration-list", "summit", "declaration", "matrix"],
)
def test_every_page_with_the_count_says_the_list_is_partial(
    client, paris_statement, url
):
    html = get_text(client, url(paris_statement))
    assert PARTIAL in html
    # The matrix's footer totals what it shows, and says the list is partial.
    footer = '4 signed <span\n          class="muted">(partial list)'
    assert "4 signed" not in html.replace(footer, "")


def test_the_home_timeline_never_prints_a_bare_total(client, paris_statement):
    html = get_text(client, reverse("home:home"))
    assert "— 4 signed," not in html
    assert "— <span" in html and PARTIAL in html


def test_the_link_preview_says_the_list_is_partial(client, paris_statement):
    preview = paris_statement.link_preview()
    assert preview.description.startswith(f"{PARTIAL}.")
    html = get_text(client, paris_statement.get_absolute_url())
    assert f'<meta property="og:description" content="{PARTIAL}.' in html


def test_the_csv_of_a_partial_list_says_so_in_its_name(client, paris_statement):
    response = client.get(
        reverse("summits:declaration_csv", args=[paris_statement.slug])
    )
    assert "signatories-4-of-about-60-recorded.csv" in response["Content-Disposition"]


def test_a_position_without_a_source_reads_no_source_yet_and_is_counted(client):
    declaration = DeclarationFactory()
    SignatureFactory(declaration=declaration, source_url="https://example.org/a")
    SignatureFactory.create_batch(3, declaration=declaration, source_url="")
    # A stage's source is a source: this one is not "without".
    SignatureFactory(
        declaration=declaration,
        source_url="",
        signed_source_url="https://example.org/signed",
    )

    html = get_text(client, declaration.get_absolute_url())

    assert "3 positions have no source yet" in html
    assert html.count("No source yet") == 3
    assert 'href="https://example.org/signed"' in html


def test_one_position_without_source_is_singular(client):
    declaration = DeclarationFactory()
    SignatureFactory(declaration=declaration, source_url="")
    html = get_text(client, declaration.get_absolute_url())
    assert "1 position has no source yet" in html


def test_a_treaty_chart_row_without_source_reads_no_source_yet(client):
    treaty = DeclarationFactory(kind=Declaration.Kind.TREATY, binding=True)
    SignatureFactory(declaration=treaty, source_url="")
    html = get_text(client, treaty.get_absolute_url())
    assert "No source yet" in html


def home_sentence(client):
    html = get_text(client, reverse("home:home"))
    marker = 'class="muted sources-sentence">'
    start = html.index(marker) + len(marker)
    return " ".join(html[start : html.index("</p>", start)].split())


def test_the_home_sentence_about_sources_is_true_with_no_positions(client):
    assert home_sentence(client) == "No positions recorded yet."


def test_the_home_sentence_about_sources_when_all_are_sourced(client):
    SignatureFactory.create_batch(2)
    assert home_sentence(client) == "2 recorded positions in all, each with its source."


def test_the_home_sentence_about_sources_counts_those_without(client):
    SignatureFactory.create_batch(2)
    SignatureFactory(source_url="")
    sentence = home_sentence(client)
    assert sentence == "3 recorded positions in all; 1 has no source yet."
    assert "each with its source" not in sentence


def test_the_home_sentence_says_when_lists_are_partial(client, paris_statement):
    sentence = home_sentence(client)
    assert "1 declaration lists only some of its reported signatories" in sentence
    html = get_text(client, reverse("home:home"))
    assert "<dt>Signatures recorded</dt>" in html


def test_draft_positions_do_not_move_the_home_sentence(client):
    SignatureFactory(source_url="https://example.org/s")
    SignatureFactory(declaration=DeclarationFactory(draft=True), source_url="")
    assert home_sentence(client) == "1 recorded position in all, each with its source."


def test_a_signatory_list_count_has_no_partial_wording(client, paris_statement):
    """Signatories' own counts are theirs, complete by definition."""
    signatory = SignatoryFactory()
    SignatureFactory(signatory=signatory, declaration=paris_statement)
    html = get_text(client, reverse("summits:signatory_list"))
    assert PARTIAL not in html
