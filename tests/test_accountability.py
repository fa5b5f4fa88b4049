"""Commitments and assessments: the rules, the scorecard, the record, the feeds."""

import datetime
import re

import feedparser
import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from summits import scorecard
from summits.models import (
    Assessment,
    AssessmentChange,
    AssessmentEvidence,
    Commitment,
    Result,
    Signatory,
)
from summits.scorecard import overdue_unassessed
from tests.factories import (
    AssessmentFactory,
    CommitmentFactory,
    DeclarationFactory,
    SignatoryFactory,
    SignatureFactory,
)

pytestmark = pytest.mark.django_db

COMPANY = Signatory.Kind.COMPANY


def company(name):
    return SignatoryFactory(name=name, kind=COMPANY)


def signed(declaration, *signatories):
    for signatory in signatories:
        SignatureFactory(declaration=declaration, signatory=signatory)


@pytest.fixture
def seoul():
    """A commitments text signed by four companies, one commitment due Feb 2025."""
    declaration = DeclarationFactory(
        title="Frontier AI Safety Commitments",
        kind="commitments",
        adopted_on=datetime.date(2024, 5, 21),
    )
    companies = [company(n) for n in ("Amazon", "Anthropic", "Mistral", "Zhipu")]
    signed(declaration, *companies)
    commitment = CommitmentFactory(
        declaration=declaration,
        title="Publish a safety framework",
        applies_to=COMPANY,
    )
    return declaration, commitment, companies


def detail(client, declaration, query=""):
    response = client.get(declaration.get_absolute_url() + query)
    assert response.status_code == 200
    return response.content.decode()


class TestRules:
    def test_a_signatory_that_did_not_sign_is_refused_with_the_reason(self, seoul):
        declaration, commitment, _ = seoul
        outsider = company("Outsider")
        assessment = Assessment(
            commitment=commitment,
            signatory=outsider,
            result=Result.MET,
            assessed_on=datetime.date(2025, 2, 1),
        )
        with pytest.raises(ValidationError) as error:
            assessment.full_clean()
        message = " ".join(error.value.message_dict["signatory"])
        assert "Outsider did not sign" in message
        assert "has no recorded position" in message

    def test_a_signatory_that_declined_is_refused_saying_so(self, seoul):
        declaration, commitment, _ = seoul
        refuser = company("Refuser")
        SignatureFactory(declaration=declaration, signatory=refuser, status="declined")
        assessment = Assessment(
            commitment=commitment,
            signatory=refuser,
            assessed_on=datetime.date(2025, 2, 1),
        )
        with pytest.raises(ValidationError) as error:
            assessment.full_clean()
        assert "“declined”" in " ".join(error.value.message_dict["signatory"])

    def test_a_signatory_of_another_kind_is_not_bound(self, seoul):
        declaration, commitment, _ = seoul
        country = SignatoryFactory(name="Korea")
        signed(declaration, country)
        assessment = Assessment(
            commitment=commitment, signatory=country, assessed_on=datetime.date.today()
        )
        with pytest.raises(ValidationError) as error:
            assessment.full_clean()
        assert "binds companies only" in " ".join(error.value.message_dict["signatory"])

    def test_a_status_outside_the_list_is_refused(self, seoul):
        _, commitment, companies = seoul
        assessment = Assessment(
            commitment=commitment,
            signatory=companies[0],
            result="kept-ish",
            assessed_on=datetime.date(2025, 2, 1),
        )
        with pytest.raises(ValidationError) as error:
            assessment.full_clean()
        assert "result" in error.value.message_dict

    @pytest.mark.parametrize(
        "url", ["ftp://example.org/f.pdf", "javascript:alert(1)", "example"]
    )
    def test_an_evidence_link_must_be_a_web_address(self, seoul, url):
        _, commitment, companies = seoul
        assessment = AssessmentFactory(commitment=commitment, signatory=companies[0])
        evidence = AssessmentEvidence(
            assessment=assessment, source_url=url, source_name="x"
        )
        with pytest.raises(ValidationError) as error:
            evidence.full_clean()
        assert "http:// or https://" in " ".join(error.value.message_dict["source_url"])

    def test_a_deadline_before_adoption_is_refused(self, seoul):
        declaration, _, _ = seoul
        commitment = Commitment(
            declaration=declaration,
            title="Too early",
            deadline=datetime.date(2024, 4, 1),
            deadline_precision="month",
        )
        with pytest.raises(ValidationError) as error:
            commitment.full_clean()
        message = " ".join(error.value.message_dict["deadline"])
        assert "April 2024" in message and "21 May 2024" in message

    def test_a_deadline_in_the_month_of_adoption_is_compared_by_period(self, seoul):
        declaration, _, _ = seoul
        commitment = Commitment(
            declaration=declaration,
            title="Same month",
            deadline=datetime.date(2024, 5, 1),
            deadline_precision="month",
        )
        commitment.full_clean()  # "May 2024" is not before "21 May 2024"

    def test_commitment_slugs_are_unique_within_their_declaration(self, seoul):
        declaration, commitment, _ = seoul
        twin = CommitmentFactory(declaration=declaration, title=commitment.title)
        assert twin.slug == f"{commitment.slug}-2"


class TestChanges:
    def test_each_change_of_result_is_a_dated_event(self, seoul):
        _, commitment, companies = seoul
        assessment = AssessmentFactory(
            commitment=commitment, signatory=companies[0], result=Result.NOT_YET_DUE
        )
        assessment.note = "Reworded, same finding."
        assessment.save()
        assessment.result = Result.MET
        assessment.assessed_on = datetime.date(2025, 2, 3)
        assessment.save()
        changes = list(assessment.changes.order_by("pk"))
        assert [(c.previous_result, c.result) for c in changes] == [
            ("", "not_yet_due"),
            ("not_yet_due", "met"),
        ]
        assert changes[1].assessed == changes[1].assessed.of(datetime.date(2025, 2, 3))

    def test_changes_are_listed_on_the_declaration_page(self, client, seoul):
        declaration, commitment, companies = seoul
        AssessmentFactory(commitment=commitment, signatory=companies[0])
        page = detail(client, declaration)
        assert "Latest changes" in page
        assert "Amazon</a>:\n      met, assessed" in page


class TestScorecard:
    def test_each_cell_shows_the_status_its_evidence_and_date(self, client, seoul):
        declaration, commitment, companies = seoul
        AssessmentFactory(
            commitment=commitment,
            signatory=companies[0],
            evidence="https://example.com/amazon-framework",
        )
        page = detail(client, declaration)
        assert 'href="https://example.com/amazon-framework"' in page
        assert "result--met" in page
        assert '<time datetime="2025-02-03">3 Feb 2025</time>' in page

    def test_a_date_every_assessment_shares_is_said_once_in_the_caption(
        self, client, seoul
    ):
        declaration, commitment, companies = seoul
        for signatory in companies[:3]:
            AssessmentFactory(commitment=commitment, signatory=signatory)
        table = detail(client, declaration).split('id="scorecard-caption"')[1]
        caption, cells = table.split("</caption>", 1)
        assert '· all assessed on <time datetime="2025-02-03">' in caption
        assert "<small>assessed" not in cells.split("</table>")[0]

        AssessmentFactory(
            commitment=CommitmentFactory(declaration=declaration, title="Report"),
            signatory=companies[0],
            assessed_on=datetime.date(2025, 3, 1),
        )
        table = detail(client, declaration).split('id="scorecard-caption"')[1]
        assert "all assessed" not in table.split("</caption>")[0]
        assert table.count("<small>assessed <time") == 4

    def test_no_information_is_never_shown_or_counted_as_not_met(self, client, seoul):
        declaration, commitment, companies = seoul
        AssessmentFactory(commitment=commitment, signatory=companies[0])
        AssessmentFactory(commitment=commitment, signatory=companies[1])
        AssessmentFactory(
            commitment=commitment,
            signatory=companies[2],
            result=Result.NO_INFORMATION,
            evidence=False,
        )
        page = detail(client, declaration)
        assert "<strong>2 of 4</strong> companies that signed" in page
        assert "; 1 no information; 1 not assessed." in page
        assert "Not met" not in page.split('id="scorecard-status"')[0]
        assert "result--not_met" not in page

    def test_the_status_filter_keeps_matching_rows_only(self, client, seoul):
        declaration, commitment, companies = seoul
        AssessmentFactory(commitment=commitment, signatory=companies[1])
        page = detail(client, declaration, "?status=met")
        table = page.split('id="scorecard-caption"')[1]
        assert "Anthropic" in table and "Amazon" not in table
        assert "1 of 4" in table

    def test_the_filter_on_one_commitment(self, client, seoul):
        declaration, commitment, companies = seoul
        other = CommitmentFactory(declaration=declaration, title="Report")
        AssessmentFactory(commitment=other, signatory=companies[0])
        met_on_framework = detail(
            client, declaration, f"?status=met&commitment={commitment.slug}"
        )
        assert "No signatory matches this filter." in met_on_framework
        met_on_report = detail(
            client, declaration, f"?status=met&commitment={other.slug}"
        )
        assert "Amazon</a></th>" in met_on_report

    def test_sorting_by_most_met_puts_them_first(self, client, seoul):
        declaration, commitment, companies = seoul
        AssessmentFactory(commitment=commitment, signatory=companies[3])
        page = detail(client, declaration, "?sort=kept")
        table = page.split('id="scorecard-caption"')[1]
        assert table.index("Zhipu") < table.index("Amazon")

    @pytest.mark.parametrize(
        "query",
        [
            "?status=bogus",
            "?commitment=nope&sort=%E2%9C%93",
            "?status=not_met&status=bogus&sort=-name",
            "?sort[]=1",
        ],
    )
    def test_unknown_parameters_are_ignored(self, client, seoul, query):
        declaration, commitment, companies = seoul
        page = detail(client, declaration, query)
        assert "Mistral" in page.split('id="scorecard-caption"')[1]

    def test_a_draft_assessment_never_shows(self, client, seoul):
        declaration, commitment, companies = seoul
        AssessmentFactory(
            commitment=commitment,
            signatory=companies[0],
            draft=True,
            evidence="https://example.com/secret-draft",
        )
        page = detail(client, declaration)
        assert "secret-draft" not in page
        assert "<strong>0 of 4</strong>" in page
        assert "Latest changes" not in page

    def test_a_declaration_without_commitments_has_no_scorecard(self, client):
        declaration = DeclarationFactory()
        assert "Commitments: were they kept?" not in detail(client, declaration)

    def test_a_withdrawn_position_hides_its_assessment(self, client, seoul):
        declaration, commitment, companies = seoul
        AssessmentFactory(
            commitment=commitment,
            signatory=companies[0],
            evidence="https://example.com/withdrawn",
        )
        position = declaration.signatures.get(signatory=companies[0])
        position.status = "withdrawn"
        position.withdrawn_on = datetime.date(2025, 1, 1)
        position.save()
        assert "example.com/withdrawn" not in detail(client, declaration)
        assert not Assessment.objects.public().exists()


class TestScorecardPages:
    """A page of PAGE_SIZE signatories at a time, links kept, nothing lost."""

    @pytest.fixture
    def large(self, settings):
        size = scorecard.PAGE_SIZE * 2 + 5
        return build_scorecard_data(size, 2), size

    def rows_of(self, page):
        table = page.split('id="scorecard-caption"')[1].split("</table>")[0]
        return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', table)

    def test_every_signatory_is_on_exactly_one_page(self, client, large):
        declaration, size = large
        seen = []
        for number in (1, 2, 3):
            page = detail(client, declaration, f"?scorecard_page={number}")
            seen += self.rows_of(page)
        assert seen == [f"Party {i:03d}" for i in range(size)]
        # The summaries above count everyone, not the page.
        assert f"<strong>{size // 2} of {size}</strong>" in page

    def test_the_caption_and_links_say_where_you_are(self, client, large):
        declaration, size = large
        page = detail(client, declaration, "?scorecard_page=2&sort=kept")
        caption = page.split('id="scorecard-caption"')[1].split("</caption>")[0]
        first = scorecard.PAGE_SIZE + 1
        assert f"{size} of {size}" in caption
        assert f"{first}–{2 * scorecard.PAGE_SIZE} on this page" in caption
        pager = page.split('aria-label="Pages of the scorecard"')[1].split("</nav>")[0]
        # The sort is kept, and the page a link leads to is in it.
        assert 'href="?sort=kept#scorecard-caption"' in pager
        assert 'href="?sort=kept&amp;scorecard_page=3#scorecard-caption"' in pager
        assert '<strong aria-current="page">2</strong>' in pager

    def test_links_never_repeat_what_a_visitor_typed(self, client, large):
        declaration, size = large
        page = detail(client, declaration, "?scorecard_page=2&utm=%3Cscript%3E")
        pager = page.split('aria-label="Pages of the scorecard"')[1].split("</nav>")[0]
        assert "utm" not in pager and "script" not in pager

    @pytest.mark.parametrize(
        "value", ["0", "-1", "x", "99", "1e3", "٣", "9" * 40, "1000000", " 2 "]
    )
    def test_odd_page_numbers_show_a_page(self, client, large, value):
        declaration, size = large
        response = client.get(declaration.get_absolute_url(), {"scorecard_page": value})
        assert response.status_code == 200
        assert len(self.rows_of(response.content.decode())) > 0

    @pytest.mark.parametrize("page", ["99", "1000000", "9" * 40])
    def test_a_page_past_the_last_shows_the_last(self, client, large, page):
        declaration, size = large
        rows = self.rows_of(detail(client, declaration, f"?scorecard_page={page}"))
        assert rows == [f"Party {i:03d}" for i in range(2 * scorecard.PAGE_SIZE, size)]

    def test_an_assessment_link_finds_its_cell_on_any_page(self, client, large):
        declaration, size = large
        last = Signatory.objects.get(slug=f"party-{size - 1:03d}")
        commitment = declaration.commitments.first()
        assessment = AssessmentFactory(commitment=commitment, signatory=last)
        url = assessment.get_absolute_url()
        path, anchor = url.split("#")
        page = client.get(path).content.decode()
        assert f'id="{anchor}"' in page
        assert self.rows_of(page) == [last.name]
        assert (
            "only Party"
            in page.split('id="scorecard-caption"')[1].split("</caption>")[0]
        )
        assert "Show every signatory" in page

    def test_the_matrix_commitments_view_pages_and_keeps_its_view(self, client, large):
        declaration, size = large
        url = reverse("summits:declaration_compare")
        query = f"?view=commitments&kind=all&d={declaration.slug}"
        first = client.get(url + query).content.decode()
        second = client.get(url + query + "&scorecard_page=2").content.decode()
        assert self.rows_of(first)[0] == "Party 000"
        assert self.rows_of(second)[0] == f"Party {scorecard.PAGE_SIZE:03d}"
        assert (
            f'href="?view=commitments&amp;kind=all&amp;d={declaration.slug}'
            '&amp;scorecard_page=3#scorecard-caption"'
        ) in second

    def test_the_matrix_commitments_view_keeps_its_kind_on_every_page(
        self, client, large
    ):
        """No kind (or an unknown one) means every signatory, on page 2 too;
        a kind keeps that kind; and they are not one cached table."""
        declaration, size = large
        url = reverse("summits:declaration_compare")
        base = f"{url}?view=commitments&d={declaration.slug}"
        everyone = client.get(base).content.decode()
        companies = client.get(base + "&kind=company").content.decode()
        countries = client.get(base + "&kind=country").content.decode()
        assert len(self.rows_of(everyone)) == scorecard.PAGE_SIZE
        assert len(self.rows_of(companies)) == scorecard.PAGE_SIZE
        assert self.rows_of(countries) == []  # the parties are companies
        assert "kind=all&amp;d=" in everyone.split("Pages of the scorecard")[1]
        assert "kind=company&amp;d=" in companies.split("Pages of the scorecard")[1]

    def test_the_matrix_commitments_view_is_filtered_apart(self, client, seoul):
        """The view's table is a cached fragment: a filtered one must not be
        served for the unfiltered address (or the other way round)."""
        declaration, commitment, companies = seoul
        AssessmentFactory(commitment=commitment, signatory=companies[0])
        url = reverse("summits:declaration_compare")
        query = f"?view=commitments&kind=all&d={declaration.slug}"
        filtered = client.get(url + query + "&status=met").content.decode()
        everyone = client.get(url + query).content.decode()
        assert len(self.rows_of(filtered)) == 1
        assert len(self.rows_of(everyone)) == 4


def build_scorecard_data(signatories, commitments):
    declaration = DeclarationFactory(kind="commitments")
    parties = Signatory.objects.bulk_create(
        Signatory(name=f"Party {i:03d}", slug=f"party-{i:03d}", kind=COMPANY)
        for i in range(signatories)
    )
    for party in parties:
        SignatureFactory(declaration=declaration, signatory=party)
    for n in range(commitments):
        commitment = CommitmentFactory(declaration=declaration, title=f"Promise {n}")
        for party in parties[: signatories // 2]:
            AssessmentFactory(commitment=commitment, signatory=party)
    return declaration


class TestQueryCounts:
    # The declaration with its summit, the signatures, the articles, the
    # commitments, the assessments, their evidence, the recent changes, and
    # the menus of editors' pages (base.html), and the newest revision
    # ("Cite this record").
    QUERIES = 9

    @pytest.mark.parametrize("size", [(16, 8), (200, 10)])
    def test_the_scorecard_renders_in_a_constant_number_of_queries(
        self, client, django_assert_num_queries, size
    ):
        declaration = build_scorecard_data(*size)
        with django_assert_num_queries(self.QUERIES):
            response = client.get(declaration.get_absolute_url())
        assert response.status_code == 200
        # Half the parties are assessed; the table shows a page of them.
        shown = min(size[0] // 2, scorecard.PAGE_SIZE)
        assert response.content.decode().count("result--met") == size[1] * shown

    @pytest.mark.parametrize("size", [(4, 2), (30, 3)])
    def test_the_signatory_record_queries_do_not_grow(
        self, client, django_assert_num_queries, size
    ):
        declaration = build_scorecard_data(*size)
        party = declaration.signatures.first().signatory
        # The signatory, its positions, the summits attended, the
        # commitments, the assessments and their evidence; its other names,
        # its groups, and the menus of editors' pages (base.html); the texts
        # with no position recorded, the articles about its texts and its
        # newest revision ("Cite this record").
        with django_assert_num_queries(12):
            response = client.get(party.get_absolute_url())
        assert "Kept <strong>" in response.content.decode()


class TestSignatoryRecord:
    def test_kept_states_its_denominator_and_leaves_no_information_apart(
        self, client, seoul
    ):
        declaration, commitment, companies = seoul
        second = CommitmentFactory(declaration=declaration, title="Report")
        third = CommitmentFactory(declaration=declaration, title="Red-team")
        AssessmentFactory(commitment=commitment, signatory=companies[0])
        AssessmentFactory(
            commitment=second, signatory=companies[0], result=Result.NOT_MET
        )
        AssessmentFactory(
            commitment=third,
            signatory=companies[0],
            result=Result.NO_INFORMATION,
            evidence=False,
        )
        page = client.get(companies[0].get_absolute_url()).content.decode()
        assert "Kept <strong>1 of 2</strong> assessed commitments" in page
        assert "; 1 no information." in page


class TestMatrixCommitmentsView:
    def test_it_shows_commitment_status_instead_of_signatures(self, client, seoul):
        declaration, commitment, companies = seoul
        AssessmentFactory(commitment=commitment, signatory=companies[0])
        url = reverse("summits:declaration_compare")
        page = client.get(
            f"{url}?view=commitments&kind=all&d={declaration.slug}"
        ).content.decode()
        assert f"Commitments of {declaration.title}" in page
        assert "result--met" in page and "Publish a safety framework" in page

    def test_a_declaration_without_commitments_says_so(self, client):
        declaration = DeclarationFactory()
        url = reverse("summits:declaration_compare")
        response = client.get(f"{url}?view=commitments&d={declaration.slug}")
        assert response.status_code == 200
        assert "lists commitments" in response.content.decode()

    def test_a_draft_declaration_is_never_shown(self, client, seoul):
        declaration, commitment, companies = seoul
        declaration.status = "draft"
        declaration.save()
        url = reverse("summits:declaration_compare")
        page = client.get(f"{url}?view=commitments&d={declaration.slug}")
        assert "Publish a safety framework" not in page.content.decode()


class TestFeeds:
    def test_the_feeds_list_public_changes_and_no_drafts(self, client, seoul):
        declaration, commitment, companies = seoul
        AssessmentFactory(commitment=commitment, signatory=companies[0])
        AssessmentFactory(commitment=commitment, signatory=companies[1], draft=True)
        for name in ("assessments_feed", "assessments_atom"):
            feed = feedparser.parse(client.get(reverse(f"summits:{name}")).content)
            titles = [entry.title for entry in feed.entries]
            assert titles == ["Amazon: met — Publish a safety framework"]
        for name in ("declaration_assessments_feed", "declaration_assessments_atom"):
            url = reverse(f"summits:{name}", args=[declaration.slug])
            feed = feedparser.parse(client.get(url).content)
            assert [entry.title for entry in feed.entries] == [
                "Amazon: met — Publish a safety framework"
            ]
            assert "assessed 3 February 2025" in feed.entries[0].summary

    def test_a_draft_declarations_feed_is_not_found(self, client, seoul):
        declaration, commitment, companies = seoul
        AssessmentFactory(commitment=commitment, signatory=companies[0])
        declaration.status = "draft"
        declaration.save()
        url = reverse("summits:declaration_assessments_feed", args=[declaration.slug])
        assert client.get(url).status_code == 404
        site_wide = client.get(reverse("summits:assessments_feed")).content.decode()
        assert "Amazon" not in site_wide


class TestDataQuality:
    def test_overdue_commitments_list_the_signatories_not_assessed(self, seoul):
        declaration, commitment, companies = seoul
        AssessmentFactory(commitment=commitment, signatory=companies[0])
        AssessmentFactory(commitment=commitment, signatory=companies[1], draft=True)
        CommitmentFactory(declaration=declaration, deadline=datetime.date(2030, 1, 1))
        overdue = overdue_unassessed(today=datetime.date(2025, 3, 1))
        assert [o.commitment for o in overdue] == [commitment]
        assert [s.name for s in overdue[0].unassessed] == ["Mistral", "Zhipu"]

    def test_a_deadline_month_is_not_past_until_it_ends(self, seoul):
        assert overdue_unassessed(today=datetime.date(2025, 2, 28)) == []


def editor_in(django_user_model, group):
    user = django_user_model.objects.create_user(
        username=group.lower(), password="pw", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return user


class TestAssessmentGrid:
    def grid_url(self, commitment):
        return reverse("admin:summits_commitment_assess", args=[commitment.pk])

    def post(self, client, commitment, companies, rows, **grid):
        data = {f"grid-{k}": v for k, v in grid.items()}
        for signatory in companies:
            prefix = f"row-{signatory.pk}"
            data[f"{prefix}-signatory"] = signatory.pk
            for key, value in rows.get(signatory.name, {}).items():
                data[f"{prefix}-{key}"] = value
        return client.post(self.grid_url(commitment), data)

    def test_an_editor_assesses_and_marks_the_rest_no_information(
        self, client, django_user_model, seoul
    ):
        declaration, commitment, companies = seoul
        client.force_login(editor_in(django_user_model, "Editors"))
        page = client.get(self.grid_url(commitment)).content.decode()
        assert all(c.name in page for c in companies)
        rows = {
            "Amazon": {
                "result": "met",
                "assessed_on": "2025-02",
                "evidence_url": "https://example.com/amazon",
                "evidence_label": "Framework",
            }
        }
        response = self.post(
            client,
            commitment,
            companies,
            rows,
            rest_no_information="on",
            publish="on",
        )
        assert response.status_code == 302
        results = dict(Assessment.objects.values_list("signatory__name", "result"))
        assert results == {
            "Amazon": "met",
            "Anthropic": "no_information",
            "Mistral": "no_information",
            "Zhipu": "no_information",
        }
        amazon = Assessment.objects.get(signatory__name="Amazon")
        assert str(amazon.assessed) == "February 2025"
        assert amazon.is_public()
        assert amazon.evidence.get().source_url == "https://example.com/amazon"
        assert AssessmentChange.objects.count() == 4

    def test_a_non_web_link_or_a_verdict_without_source_saves_nothing(
        self, client, django_user_model, seoul
    ):
        declaration, commitment, companies = seoul
        client.force_login(editor_in(django_user_model, "Editors"))
        rows = {
            "Amazon": {"result": "met", "evidence_url": "ftp://example.com/x"},
            "Anthropic": {"result": "not_met"},
        }
        response = self.post(client, commitment, companies, rows)
        assert response.status_code == 200
        page = response.content.decode()
        assert "Enter a web address starting with http:// or https://." in page
        assert "needs an evidence link" in page
        assert not Assessment.objects.exists()

    def test_a_contributor_drafts_and_cannot_change_a_published_one(
        self, client, django_user_model, seoul
    ):
        declaration, commitment, companies = seoul
        AssessmentFactory(commitment=commitment, signatory=companies[1])
        client.force_login(editor_in(django_user_model, "Contributors"))
        rows = {
            "Amazon": {"result": "no_information"},
        }
        response = self.post(client, commitment, companies, rows, publish="on")
        assert response.status_code == 302
        assert Assessment.objects.get(signatory__name="Amazon").status == "draft"
        rows = {"Anthropic": {"result": "not_met"}}
        response = self.post(client, commitment, companies, rows)
        assert "only editors can change it" in response.content.decode()
        assert Assessment.objects.get(signatory__name="Anthropic").result == "met"

    def test_visitors_cannot_reach_the_grid(self, client, seoul):
        _, commitment, _ = seoul
        response = client.get(self.grid_url(commitment))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


class TestCommitmentInline:
    def post(self, client, deadline):
        from tests.test_admin import declaration_post, inline_management

        data = declaration_post(
            **inline_management(),
            **inline_management("commitments", total=1),
        )
        data.update(
            {
                "commitments-0-sequence": "1",
                "commitments-0-title": "Publish a safety framework",
                "commitments-0-slug": "",
                "commitments-0-applies_to": "company",
                "commitments-0-deadline": deadline,
                "commitments-0-text": "Before the *next* summit.",
            }
        )
        return client.post(reverse("admin:summits_declaration_add"), data)

    def test_an_editor_defines_commitments_on_the_declaration(self, client, staff_user):
        client.force_login(staff_user)
        response = self.post(client, "2025-02")
        assert response.status_code == 302
        commitment = Commitment.objects.get()
        assert str(commitment.due) == "February 2025"
        assert commitment.slug == "publish-a-safety-framework"
        assert commitment.text_html == "<p>Before the <em>next</em> summit.</p>"

    def test_a_deadline_before_adoption_is_refused_in_the_form(
        self, client, staff_user
    ):
        client.force_login(staff_user)
        response = self.post(client, "2023-10")
        assert response.status_code == 200
        assert "The deadline (October 2023) comes before" in response.content.decode()
        assert not Commitment.objects.exists()
