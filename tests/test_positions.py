"""Positions with stages, dates known to the day, month or year, treaty charts,
precedents apart, and export format 2."""

import datetime
import json

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.forms import modelform_factory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.cache import bump_content_version
from core.partial_dates import PartialDate, format_range
from core.templatetags.partial_dates import time_element
from exchange.format import SCHEMA_ID
from home.views import key_figures
from summits.admin import SummitForm
from summits.matrix import build_matrix
from summits.models import Declaration, Signature, Summit, signature_counts
from tests.exchange_helpers import export, import_file, write_document
from tests.factories import (
    DeclarationFactory,
    SignatoryFactory,
    SignatureFactory,
    SummitFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
SIGNED, DECLINED = Signature.Status.SIGNED, Signature.Status.DECLINED
WITHDRAWN = Signature.Status.WITHDRAWN
ATTENDED, UNKNOWN = Signature.Status.ATTENDED, Signature.Status.UNKNOWN


# -- partial dates --------------------------------------------------------


@pytest.mark.parametrize(
    "text, shown, iso",
    [
        ("2024-09-05", "5 September 2024", "2024-09-05"),
        ("2024-12", "December 2024", "2024-12"),
        ("2023", "2023", "2023"),
    ],
)
def test_a_partial_date_is_shown_and_written_at_its_precision(text, shown, iso):
    value = PartialDate.parse(text)
    assert value.display() == shown
    assert value.isoformat() == iso
    assert time_element(value) == f'<time datetime="{iso}">{shown}</time>'


@pytest.mark.parametrize(
    "text", ["2024-13", "2024-02-30", "24", "December", "", "٢٠٢٤", "2024\n-12"]
)
def test_a_date_that_is_not_one_is_refused_in_words(text):
    with pytest.raises(ValueError, match="2024-12"):
        PartialDate.parse(text)


@pytest.mark.parametrize(
    "start, end, text",
    [
        ("2023-11-01", "2023-11-02", "1–2 November 2023"),
        ("2024-12", "2024-12", "December 2024"),
        ("2023-10-30", "2023-11-01", "30 October – 1 November 2023"),
        ("2024-11", "2024-12", "November – December 2024"),
        ("2024-12-30", "2025-01", "30 December 2024 – January 2025"),
    ],
)
def test_a_summits_dates_read_as_one_range(start, end, text):
    assert format_range(PartialDate.parse(start), PartialDate.parse(end)) == text


def test_a_month_is_not_before_a_day_inside_it():
    month, day = PartialDate.parse("2024-09"), PartialDate.parse("2024-09-05")
    assert not month.certainly_before(day) and not day.certainly_before(month)
    assert PartialDate.parse("2024-08").certainly_before(day)


def summit_form(**dates):
    data = {"name": "AI Impact Summit", "slug": "delhi", "status": "draft"}
    form_class = modelform_factory(
        Summit,
        form=SummitForm,
        fields=["name", "slug", "status", "starts_on", "ends_on"],
    )
    return form_class(data={**data, **dates})


def test_the_summit_form_takes_a_month_and_a_year():
    form = summit_form(starts_on="2024-12", ends_on="2025")
    assert form.is_valid(), form.errors
    summit = form.save()
    summit.refresh_from_db()
    assert (summit.starts_on, summit.starts_on_precision) == (D(2024, 12, 1), "month")
    assert str(summit.ends) == "2025"


def test_the_summit_form_names_the_field_of_an_impossible_month():
    form = summit_form(starts_on="2024-13", ends_on="2024-12-05")
    assert not form.is_valid()
    assert list(form.errors) == ["starts_on"]
    assert "not a real date" in form.errors["starts_on"][0]


def test_undated_and_partial_dates_sort_last_and_within_their_period():
    """Newest first on SQLite and PostgreSQL alike: NULL last, a month at its start."""
    DeclarationFactory(title="Undated", adopted_on=None)
    DeclarationFactory(title="Early December", adopted_on=D(2024, 12, 5))
    DeclarationFactory(
        title="December", adopted_on=D(2024, 12, 1), adopted_on_precision="month"
    )
    DeclarationFactory(
        title="Year 2023", adopted_on=D(2023, 1, 1), adopted_on_precision="year"
    )
    titles = list(Declaration.objects.values_list("title", flat=True))
    assert titles == ["Early December", "December", "Year 2023", "Undated"]


def test_a_summit_known_to_the_month_is_shown_at_that_precision(client):
    SummitFactory(
        name="Delhi",
        slug="delhi",
        starts_on=D(2026, 2, 1),
        starts_on_precision="month",
        ends_on=D(2026, 2, 1),
        ends_on_precision="month",
    )
    html = client.get(reverse("summits:summit_detail", args=["delhi"])).content
    assert '<time datetime="2026-02">February 2026</time>' in html.decode()


# -- positions: the rules a real record obeys ----------------------------


def position(binding=True, **fields):
    declaration = DeclarationFactory(binding=binding, kind="treaty")
    values = {"status": SIGNED, "signed_on": None, **fields}
    return Signature(declaration=declaration, signatory=SignatoryFactory(), **values)


def errors_of(signature):
    with pytest.raises(ValidationError) as error:
        signature.full_clean()
    return error.value.message_dict


def test_a_ratification_before_the_signature_is_refused_in_words():
    errors = errors_of(
        position(signed_on=D(2024, 9, 5), ratified_on=D(2024, 1, 1),
                 ratification_act="ratification")
    )  # fmt: skip
    assert errors["ratified_on"] == [
        "The ratification (1 January 2024) comes before the signature "
        "(5 September 2024): a party ratifies what it has signed."
    ]


def test_a_ratification_in_the_month_of_the_signature_is_accepted():
    position(
        signed_on=D(2024, 9, 5),
        ratified_on=D(2024, 9, 1),
        ratified_on_precision="month",
        ratification_act="ratification",
    ).full_clean()


def test_a_withdrawal_needs_an_earlier_signature():
    errors = errors_of(position(status=DECLINED, withdrawn_on=D(2025, 1, 1)))
    assert "A withdrawal needs an earlier signature" in errors["withdrawn_on"][0]
    errors = errors_of(
        position(status=WITHDRAWN, signed_on=D(2025, 1, 1), withdrawn_on=D(2024, 1, 1))
    )
    assert "comes before the signature" in errors["withdrawn_on"][0]


def test_the_status_withdrawn_needs_a_withdrawal():
    errors = errors_of(position(status=WITHDRAWN, signed_on=D(2024, 1, 1)))
    assert "give the withdrawal's date or its source" in errors["withdrawn_on"][0]


def test_a_non_binding_text_does_not_enter_into_force():
    errors = errors_of(
        position(binding=False, signed_on=D(2024, 1, 1), in_force_on=D(2025, 1, 1))
    )
    assert errors["in_force_on"] == [
        "This text is not legally binding: it does not enter into force."
    ]


def test_entry_into_force_follows_a_ratification():
    errors = errors_of(position(signed_on=D(2024, 1, 1), in_force_on=D(2025, 1, 1)))
    assert "follows a ratification" in errors["in_force_on"][0]
    errors = errors_of(
        position(signed_on=D(2024, 1, 1), ratified_on=D(2025, 1, 1),
                 ratification_act="accession", in_force_on=D(2024, 6, 1))
    )  # fmt: skip
    assert "comes before the ratification" in errors["in_force_on"][0]


def test_a_ratification_says_which_act():
    errors = errors_of(position(signed_on=D(2024, 1, 1), ratified_on=D(2025, 1, 1)))
    assert "Say which act" in errors["ratification_act"][0]


def test_attended_and_unknown_positions_have_no_signature_date():
    errors = errors_of(position(status=ATTENDED, signed_on=D(2024, 1, 1)))
    assert "has no signature date" in errors["signed_on"][0]


def test_attended_and_unknown_are_never_counted_as_signed():
    declaration = DeclarationFactory()
    for status in (SIGNED, ATTENDED, UNKNOWN, DECLINED):
        SignatureFactory(declaration=declaration, status=status)
    counted = Declaration.objects.annotate(**signature_counts()).get()
    assert (counted.signed_count, counted.declined_count) == (1, 1)
    assert key_figures()["signed"] == 1
    from django.http import QueryDict

    matrix = build_matrix(QueryDict("kind=all&d=all"))
    (column,) = matrix.columns
    assert (column.signed, column.attended, column.unknown) == (1, 1, 1)


# -- precedents apart -----------------------------------------------------


def test_precedents_keep_their_page_but_leave_the_figures_and_default_matrix(client):
    ai = DeclarationFactory(title="Bletchley")
    precedent = DeclarationFactory(title="Montreal Protocol", topic="precedent")
    SignatureFactory(declaration=ai)
    SignatureFactory(declaration=precedent)
    figures = key_figures()
    assert (figures["declarations"], figures["signed"]) == (1, 1)
    from django.http import QueryDict

    default = build_matrix(QueryDict(""))
    assert [c.declaration.title for c in default.columns] == ["Bletchley"]
    page = client.get(reverse("summits:declaration_list")).content.decode()
    assert "Precedents from other fields" in page
    assert page.index("Bletchley") < page.index("Precedents") < page.index("Montreal")
    assert client.get(precedent.get_absolute_url()).status_code == 200


# -- the treaty chart -----------------------------------------------------


def treaty_with_positions(count, ratified_every=3):
    treaty = DeclarationFactory(
        title="Framework Convention", kind="treaty", binding=True
    )
    for i in range(count):
        fields = {}
        if i % ratified_every == 0:
            fields = {
                "ratified_on": D(2025, 3, 1),
                "ratified_on_precision": "month",
                "ratification_act": "acceptance" if i else "ratification",
                "ratified_source_url": f"https://example.org/ratified/{i}",
                "in_force_on": D(2025, 7, 1) if i == 0 else None,
            }
        SignatureFactory(
            declaration=treaty,
            signatory=SignatoryFactory(name=f"State {i:03}"),
            signed_on=D(2024, 9, 5),
            **fields,
        )
    return treaty


def test_the_treaty_chart_shows_each_stage_with_counts_and_sources(client):
    treaty = treaty_with_positions(4)
    SignatureFactory(declaration=treaty, status=UNKNOWN, signatory__name="Zed")
    response = client.get(treaty.get_absolute_url())
    chart = response.context["record"].treaty_chart
    assert (chart.signatures, chart.ratifications, chart.in_force) == (4, 2, 1)
    assert str(chart.in_force_since) == "1 July 2025"
    page = " ".join(response.content.decode().split())
    assert "4 signatures, 2 ratifications; in force since" in page
    assert '<time datetime="2025-07-01">1 July 2025</time>' in page
    assert "(acceptance)" in page  # an act other than ratification is named
    assert 'href="https://example.org/ratified/3"' in page
    assert "Not verified" in page  # listed, but not counted


def test_a_treaty_without_ratifications_says_so(client):
    treaty = treaty_with_positions(2, ratified_every=99)
    Signature.objects.update(ratified_on=None, ratification_act="", in_force_on=None)
    page = " ".join(client.get(treaty.get_absolute_url()).content.decode().split())
    assert "2 signatures, no ratifications recorded; not yet in force" in page


def test_the_treaty_page_query_count_stays_flat(client, django_assert_num_queries):
    treaty = treaty_with_positions(3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(treaty.get_absolute_url()).status_code == 200
    for i in range(3, 60):
        SignatureFactory(
            declaration=treaty,
            signatory=SignatoryFactory(name=f"More {i}"),
            ratified_on=D(2025, 1, 1),
            ratification_act="approval",
        )
    # Nothing of the page in the cache (its fragments, core/fragments.py):
    # both counts are of a page rendered in full, just after an edit.
    cache.clear()
    bump_content_version()
    with django_assert_num_queries(len(small)):
        assert client.get(treaty.get_absolute_url()).status_code == 200
    # The declaration, positions, articles, commitments, one for the menus of
    # editors' pages (base.html), one for the newest revision ("Cite this
    # record").
    assert len(small) == 6


# -- export format 2 ------------------------------------------------------


def test_a_month_date_imports_and_exports_as_written(tmp_path):
    document = json.loads(export())
    document["summits"] = [
        {
            "slug": "delhi",
            "name": "AI Impact Summit",
            "status": "published",
            "published_at": "2025-01-01T00:00:00Z",
            "starts_on": "2026-02",
            "ends_on": "2026",
            "city": "New Delhi",
            "venue": "",
            "host_country": "IN",
            "organiser": "",
            "summary": "",
            "body": "",
            "website": "",
        }
    ]
    import_file(write_document(tmp_path, document))
    summit = Summit.objects.get()
    assert (summit.starts_on, summit.starts_on_precision) == (D(2026, 2, 1), "month")
    again = json.loads(export())
    assert (again["summits"][0]["starts_on"], again["summits"][0]["ends_on"]) == (
        "2026-02",
        "2026",
    )


def test_an_impossible_month_names_its_path_kind_and_slug(tmp_path):
    from django.core.management.base import CommandError

    document = json.loads(export())
    treaty = treaty_with_positions(1)
    document = json.loads(export())
    document["declarations"][0]["signatures"][0]["ratified_on"] = "2025-13"
    Signature.objects.all().delete()
    treaty.delete()
    with pytest.raises(CommandError) as error:
        import_file(write_document(tmp_path, document))
    assert (
        "$.declarations[0].signatures[0].ratified_on (position of signatory "
        "'state-000' on declaration 'framework-convention'): '2025-13'"
    ) in str(error.value)
    assert not Declaration.objects.exists()


def test_a_version_1_document_imports_and_exports_as_version_2(tmp_path, settings):
    from pathlib import Path

    v1 = Path(__file__).parent / "data" / "demo" / "content.json"
    assert json.loads(v1.read_text())["schema"] == "summitwatch.export/1"
    import_file(v1)
    document = json.loads(export("--include-drafts"))
    assert document["schema"] == SCHEMA_ID == "summitwatch.export/2"
    old = json.loads(v1.read_text())
    old_positions = {
        (d["slug"], s["signatory"]): s
        for d in old["declarations"]
        for s in d["signatures"]
    }
    new_positions = {
        (d["slug"], s["signatory"]): s
        for d in document["declarations"]
        for s in d["signatures"]
    }
    assert old_positions.keys() == new_positions.keys()
    stage = {
        "signed": "signed_on",
        "declined": "declined_on",
        "withdrawn": "withdrawn_on",
    }
    for key, before in old_positions.items():
        after = new_positions[key]
        assert after["status"] == before["status"]
        assert after[stage[before["status"]]] == before["date"]
        assert after["ratified_on"] == before["ratified_on"]
        assert after["source_url"] == before["source_url"]
    assert {d["topic"] for d in document["declarations"]} == {"ai"}


def test_a_filled_reserved_iso3_is_refused_not_dropped(tmp_path):
    from django.core.management.base import CommandError

    SignatureFactory(signatory__name="United Kingdom", signatory__slug="uk")
    document = json.loads(export())
    document["signatories"][0]["iso3"] = "GBR"
    Signature.objects.all().delete()
    with pytest.raises(CommandError) as error:
        import_file(write_document(tmp_path, document))
    assert "$.signatories[0].iso3 (signatory 'uk'): this site does not store" in str(
        error.value
    )
