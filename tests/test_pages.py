"""Editor-written pages at /<slug>/: addresses, menus, visibility everywhere."""

import datetime
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.contrib.admin.models import LogEntry
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from editorial.models import PreviewLink
from pages.addresses import site_addresses
from pages.models import Menu, Page
from tests.factories import PageFactory

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_locations(client):
    root = ET.fromstring(client.get(reverse("sitemap")).content)
    return {
        url.find("sm:loc", SITEMAP_NS).text
        for url in root.findall("sm:url", SITEMAP_NS)
    }


# --- addresses ----------------------------------------------------------------


def test_the_site_addresses_are_read_from_the_urlconf():
    addresses = site_addresses()
    for segment in ["summits", "declarations", "signatories", "articles", "search",
                    "admin", "markdownx", "media", "healthz", "sitemap.xml",
                    "robots.txt", "preview"]:  # fmt: skip
        assert segment in addresses
    # Planned second-wave addresses are reserved before they exist.
    assert {"series", "groups", "changes", "data", "embed"} <= addresses


def test_a_new_top_level_address_is_reserved_without_a_list():
    assert "newsroom" in site_addresses("tests.urls_with_extra_address")


@pytest.mark.parametrize(
    "slug", ["summits", "admin", "sitemap.xml", "series", "Search"]
)
def test_a_page_cannot_take_a_site_address(slug):
    page = Page(title="Clash", slug=slug, body="x")
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert "one of the site's own addresses" in str(error.value)


def test_a_slug_made_from_a_title_steps_around_site_addresses():
    page = Page.objects.create(title="Summits", body="x")
    assert page.slug == "summits-2"


def test_the_admin_refuses_a_reserved_slug_with_a_message(admin_client):
    response = admin_client.post(
        reverse("admin:pages_page_add"),
        {"title": "Search", "slug": "search", "body": "x", "menu": "none",
         "menu_order": 0, "status": "draft"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "one of the site&#x27;s own addresses" in response.content.decode()
    assert not Page.objects.exists()


def test_two_pages_cannot_share_a_slug():
    PageFactory(slug="about")
    with pytest.raises(ValidationError):
        Page(title="Another", slug="about").full_clean()


# --- the page and its visibility ---------------------------------------------


def test_a_published_page_is_served_at_its_slug(client):
    PageFactory(title="About us", slug="about", body="We **record** summits.")
    response = client.get("/about/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>About us</h1>" in html
    assert "<strong>record</strong>" in html


@pytest.mark.parametrize("trait", ["draft", "scheduled"])
def test_an_unpublished_page_is_not_found(client, trait):
    PageFactory(slug="secret", **{trait: True})
    assert client.get("/secret/").status_code == 404


def test_a_site_address_wins_over_a_page_stored_with_its_slug(client):
    # Stored behind validation's back (an old row, raw SQL): still shadowed.
    Page.objects.filter(pk=PageFactory(slug="x").pk).update(slug="search")
    response = client.get("/search/")
    assert response.status_code == 200
    assert response.context["nav_section"] == "search"


def test_a_preview_link_shows_a_draft_page_to_an_outsider(client, admin_user):
    page = PageFactory(slug="draft-page", title="Draft page", draft=True)
    _link, token = PreviewLink.create_for(
        page, PreviewLink.Lifetime.DAY, user=admin_user
    )
    response = client.get(reverse("editorial:preview", args=[token]))
    assert response.status_code == 200
    assert "Draft page" in response.content.decode()


def test_a_renamed_public_page_keeps_its_old_address(client):
    page = PageFactory(slug="how-we-work")
    page.slug = "methodology"
    page.save()
    response = client.get("/how-we-work/")
    assert response.status_code == 301
    assert response["Location"] == "/methodology/"


def test_a_renamed_draft_page_leaves_no_redirect(client):
    page = PageFactory(slug="old-draft", draft=True)
    page.slug = "new-draft"
    page.save()
    assert client.get("/old-draft/").status_code == 404


# --- menus --------------------------------------------------------------------


def test_menus_list_public_pages_in_the_editors_order(client):
    PageFactory(title="Methodology", menu=Menu.FOOTER, menu_order=2)
    PageFactory(title="About", menu=Menu.FOOTER, menu_order=1)
    PageFactory(title="Take action", menu=Menu.HEADER)
    PageFactory(title="Hidden draft", menu=Menu.HEADER, draft=True)
    PageFactory(title="Future page", menu=Menu.FOOTER, scheduled=True)
    PageFactory(title="Corrections", menu=Menu.NONE)
    html = client.get("/").content.decode()
    header, footer = html.split('class="site-footer"')
    assert "Take action" in header
    assert footer.index("About") < footer.index("Methodology")
    for absent in ["Hidden draft", "Future page", "Corrections"]:
        assert absent not in html


def test_both_menus_cost_one_query(client, django_assert_num_queries):
    PageFactory(menu=Menu.HEADER)
    PageFactory(menu=Menu.FOOTER)
    cache.clear()
    with django_assert_num_queries(1):
        menus = Page.objects.menus()
    assert len(menus["header"]) == len(menus["footer"]) == 1


def test_a_page_render_asks_for_the_menus_once_however_many_pages(
    client, django_assert_num_queries
):
    PageFactory(slug="about", menu=Menu.FOOTER)
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        client.get("/about/")
    PageFactory.create_batch(20, menu=Menu.HEADER)
    PageFactory.create_batch(20, menu=Menu.FOOTER)
    cache.clear()
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/about/")


# --- sitemap, search, export --------------------------------------------------


def test_only_public_pages_are_in_the_sitemap(client):
    PageFactory(slug="about")
    PageFactory(slug="unfinished", draft=True)
    PageFactory(slug="tomorrow", scheduled=True)
    paths = {loc.split("/", 3)[3] for loc in sitemap_locations(client)}
    assert "about/" in paths
    assert "unfinished/" not in paths
    assert "tomorrow/" not in paths


def test_site_search_finds_public_pages_only(client):
    PageFactory(
        title="Methodology", slug="methodology", body="How we record zebrafinch."
    )
    PageFactory(
        title="Draft method", slug="draft-method", body="zebrafinch", draft=True
    )
    response = client.get(reverse("home:search"), {"q": "zebrafinch"})
    html = response.content.decode()
    assert "/methodology/" in html
    assert "/draft-method/" not in html


def export(*args):
    out = io.StringIO()
    call_command("export_content", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_export_holds_public_pages_only():
    PageFactory(slug="about", title="About")
    PageFactory(slug="wip", draft=True)
    PageFactory(slug="soon", scheduled=True)
    assert [item["slug"] for item in export()["pages"]] == ["about"]
    assert [item["slug"] for item in export("--include-drafts")["pages"]] == [
        "about", "soon", "wip"
    ]  # fmt: skip


def test_pages_round_trip_through_the_export(tmp_path):
    PageFactory(
        slug="about", title="About", body="Hello", menu=Menu.FOOTER, menu_order=3
    )
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export()))
    Page.objects.all().delete()
    call_command("import_content", str(path), stdout=io.StringIO())
    page = Page.objects.get()
    assert (page.title, page.menu, page.menu_order, page.body_html) == (
        "About", "footer", 3, "<p>Hello</p>"
    )  # fmt: skip
    assert page.is_public()


def test_an_import_with_a_reserved_slug_writes_nothing(tmp_path):
    document = export()
    document["pages"] = [
        {"slug": "fine", "title": "Fine", "status": "draft", "published_at": None,
         "menu": "none", "menu_order": 0, "body": ""},
        {"slug": "admin", "title": "Bad", "status": "draft", "published_at": None,
         "menu": "none", "menu_order": 0, "body": ""},
    ]  # fmt: skip
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(CommandError) as error:
        call_command("import_content", str(path), stdout=io.StringIO())
    assert "$.pages[1].slug (page 'admin')" in str(error.value)
    assert "one of the site's own addresses" in str(error.value)
    assert not Page.objects.exists()


def test_a_document_without_pages_leaves_pages_alone(tmp_path):
    PageFactory(slug="about")
    document = export()
    del document["pages"]
    path = tmp_path / "no-pages.json"
    path.write_text(json.dumps(document))
    call_command("import_content", str(path), "--prune", "--no-input",
                 stdout=io.StringIO())  # fmt: skip
    assert Page.objects.filter(slug="about").exists()


def test_the_demo_content_brings_about_and_methodology(client):
    call_command("load_demo_content", verbosity=0)
    assert set(Page.objects.public().values_list("slug", flat=True)) >= {
        "about", "methodology"
    }  # fmt: skip
    assert "not recorded" in client.get("/methodology/").content.decode().lower()
    # Idempotent, like the rest of the demo content.
    call_command("load_demo_content", verbosity=0)
    assert Page.objects.count() == 2


def test_saving_a_page_in_the_admin_records_a_revision(admin_client):
    from reversion.models import Version

    admin_client.post(
        reverse("admin:pages_page_add"),
        {"title": "About", "slug": "about", "body": "Hi", "menu": "footer",
         "menu_order": 1, "_publish": "Publish",
         "published_at_0": "", "published_at_1": ""},
    )  # fmt: skip
    page = Page.objects.get(slug="about")
    assert Version.objects.get_for_object(page).count() == 1
    assert LogEntry.objects.filter(object_id=str(page.pk)).exists()
    assert page.published_at <= timezone.now() + datetime.timedelta(seconds=1)
    assert export()["pages"][0]["slug"] == "about"
