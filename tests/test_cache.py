"""The page cache: fast for a burst of visitors, fresh after every edit.

CI runs these again against a real Redis (`pytest -m cache` with REDIS_URL).
"""

import datetime

import pytest
import time_machine
from django.http import HttpResponse
from django.template import RequestContext, Template
from django.urls import include, path
from django.utils import timezone

from core import cache as page_cache
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    SignatoryFactory,
    SignatureFactory,
    SummitFactory,
)

pytestmark = [pytest.mark.cache, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    # DEBUG=1 in the environment turns the page cache off by default.
    settings.PAGE_CACHE_ENABLED = True


def get_twice(client, url):
    first = client.get(url)
    second = client.get(url)
    return first, second


def test_a_second_anonymous_visitor_is_served_from_the_cache(
    client, django_assert_max_num_queries
):
    ArticleFactory(title="Seoul commitments signed")
    first = client.get("/articles/")
    assert first.status_code == 200
    assert first["X-Cache"] == "MISS"

    with django_assert_max_num_queries(0):
        second = client.get("/articles/")

    assert second["X-Cache"] == "HIT"
    assert second.content == first.content
    assert "Seoul commitments signed" in second.content.decode()


def test_a_saved_article_shows_on_the_next_request(client):
    article = ArticleFactory(title="Draft headline")
    client.get("/articles/")
    assert client.get("/articles/")["X-Cache"] == "HIT"

    article.title = "Corrected headline"
    article.save()

    response = client.get("/articles/")
    assert response["X-Cache"] == "MISS"
    assert "Corrected headline" in response.content.decode()
    assert "Draft headline" not in response.content.decode()


def test_a_new_signature_shows_on_the_declaration_page_at_once(client):
    declaration = DeclarationFactory(title="Bletchley Declaration")
    SignatureFactory(declaration=declaration, signatory__name="France")
    url = declaration.get_absolute_url()
    assert "France" in client.get(url).content.decode()
    assert client.get(url)["X-Cache"] == "HIT"

    SignatureFactory(declaration=declaration, signatory__name="Kenya")

    assert "Kenya" in client.get(url).content.decode()


def test_an_unpublished_article_leaves_the_cached_list_at_once(client):
    article = ArticleFactory(title="Withdrawn story")
    assert "Withdrawn story" in client.get("/articles/").content.decode()

    article.delete()

    assert "Withdrawn story" not in client.get("/articles/").content.decode()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda a, s: a.save(), id="article saved"),
        pytest.param(lambda a, s: a.summits.add(s), id="related summit added"),
        pytest.param(lambda a, s: a.summits.clear(), id="related summits cleared"),
        pytest.param(lambda a, s: SignatoryFactory(), id="signatory created"),
        pytest.param(
            lambda a, s: SignatureFactory(declaration__summit=s), id="signature added"
        ),
        pytest.param(lambda a, s: s.save(), id="summit saved"),
        pytest.param(lambda a, s: a.delete(), id="article deleted"),
    ],
)
def test_every_kind_of_content_change_moves_the_content_version(change):
    summit = SummitFactory()
    article = ArticleFactory()
    article.summits.add(summit)
    before = page_cache.get_content_version()

    change(article, summit)

    assert page_cache.get_content_version() != before


def test_the_content_models_are_those_of_the_apps_that_declare_content():
    """Apps say `holds_content` in their AppConfig; core names none of them."""
    labels = {model._meta.label for model in page_cache.content_models()}

    assert {"summits.Signatory", "summits.Signature", "articles.Article"} <= labels
    assert "articles.Article_summits" in labels  # a many-to-many through table
    assert not labels & {"editorial.SlugRedirect", "auth.User", "reversion.Version"}


def table_version(model):
    table = model._meta.db_table
    return page_cache.table_versions([table])[table]


def test_an_edit_moves_the_version_of_its_own_table_only():
    """Output keyed by table versions survives edits to tables it did not read."""
    from articles.models import Article
    from summits.models import Signature

    article = ArticleFactory()
    signatures_before = table_version(Signature)
    articles_before = table_version(Article)

    article.title = "Corrected headline"
    article.save()

    assert table_version(Article) != articles_before
    assert table_version(Signature) == signatures_before


def test_a_many_to_many_change_moves_the_through_table_version():
    from articles.models import Article

    article, summit = ArticleFactory(), SummitFactory()
    through = Article.summits.through
    before = table_version(through)

    article.summits.add(summit)

    assert table_version(through) != before


def test_a_batch_and_a_direct_bump_move_every_table_version():
    """Batched writers may write behind the signals: every table goes stale."""
    tables = page_cache.content_tables()
    before = page_cache.table_versions(tables)
    with page_cache.content_changes_batched():
        pass
    after_batch = page_cache.table_versions(tables)
    page_cache.bump_content_version()
    after_bump = page_cache.table_versions(tables)

    assert all(after_batch[table] != before[table] for table in tables)
    assert all(after_bump[table] != after_batch[table] for table in tables)


def test_table_versions_are_none_when_the_cache_is_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("cache server down")

    monkeypatch.setattr(page_cache.page_cache(), "get_many", refuse)
    assert page_cache.table_versions(["articles_article"]) is None


def test_saving_a_staff_account_does_not_empty_the_cache(staff_user):
    before = page_cache.get_content_version()
    staff_user.first_name = "Ada"
    staff_user.save()
    assert page_cache.get_content_version() == before


def test_staff_pages_are_private_and_never_stored(client, staff_client):
    ArticleFactory()
    response = staff_client.get("/articles/")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "X-Cache" not in response

    client.logout()
    client.cookies.clear()
    anonymous = client.get("/articles/")
    assert anonymous["X-Cache"] == "MISS", "the staff page must not have been stored"


def test_a_staff_preview_of_a_draft_is_private_and_never_stored(staff_client):
    draft = ArticleFactory(draft=True, title="Not yet announced")
    url = f"{draft.get_absolute_url()}?preview=1"

    first, second = get_twice(staff_client, url)

    assert "Not yet announced" in first.content.decode()
    for response in (first, second):
        assert "private" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]
        assert "X-Cache" not in response


def test_an_anonymous_preview_request_is_not_stored_either(client):
    article = ArticleFactory()
    url = f"{article.get_absolute_url()}?preview=1"
    first, second = get_twice(client, url)
    assert first.status_code == 200
    assert "X-Cache" not in second
    assert "no-store" in second["Cache-Control"]


def test_search_with_a_query_is_public_and_stored_once_asked_again(client):
    # Most queries are one-offs; one asked again (its results came from the
    # cache of results, home/search.py) is likely to be asked a third time.
    ArticleFactory(title="Frontier AI safety commitments")
    first, second = get_twice(client, "/search/?q=frontier")
    assert first.status_code == second.status_code == 200
    assert "X-Cache" not in first
    assert "public" in first["Cache-Control"]
    assert second["X-Cache"] == "MISS"
    assert client.get("/search/?q=frontier")["X-Cache"] == "HIT"
    # The empty search page is the same for everyone: stored as usual.
    _, empty = get_twice(client, "/search/")
    assert empty["X-Cache"] == "HIT"


def form_with_csrf_token(request):
    """A stand-in for any public page with a POST form."""
    template = Template('<form method="post">{% csrf_token %}<button>Go</button>')
    return HttpResponse(template.render(RequestContext(request)))


urlpatterns = [
    path("contact/", form_with_csrf_token),
    path("", include("config.urls")),
]


@pytest.mark.urls(__name__)
def test_a_page_with_a_csrf_token_is_never_shared(client):
    first, second = get_twice(client, "/contact/")
    assert "csrfmiddlewaretoken" in first.content.decode()
    assert "csrftoken" in first.cookies
    for response in (first, second):
        assert "X-Cache" not in response
        assert "public" not in response.get("Cache-Control", "")
        assert "ETag" not in response


def test_a_visitor_with_a_session_cookie_is_not_served_from_the_cache(client):
    ArticleFactory()
    client.get("/articles/")
    client.cookies["sessionid"] = "someone-elses-or-stale"
    response = client.get("/articles/")
    assert response.status_code == 200
    assert "X-Cache" not in response


def test_a_scheduled_article_appears_on_time_though_the_page_was_cached():
    # A client created inside the fixed clock, so cookies and sessions agree.
    from django.test import Client

    noon = datetime.datetime(2025, 2, 10, 12, 0, tzinfo=datetime.UTC)
    with time_machine.travel(noon, tick=False):
        ArticleFactory(title="Already out")
        ArticleFactory(
            title="Paris summit opens",
            published_at=noon + datetime.timedelta(minutes=2),
        )
        client = Client()
        before = client.get("/articles/")
        assert "Already out" in before.content.decode()
        assert "Paris summit opens" not in before.content.decode()
        assert client.get("/articles/")["X-Cache"] == "HIT"

        # Redis keeps its own clock, so check the cap itself as well as the page.
        version = page_cache.get_content_version()
        next_at = page_cache.next_publication(version)
        assert next_at == (noon + datetime.timedelta(minutes=2)).timestamp()
        assert page_cache.page_timeout(next_at) == 120

    with time_machine.travel(noon + datetime.timedelta(minutes=2, seconds=1)):
        after = client.get("/articles/")
        assert "Paris summit opens" in after.content.decode()


def test_the_cache_timeout_is_capped_by_the_next_scheduled_item(settings):
    settings.PAGE_CACHE_TIMEOUT = 300
    now = timezone.now().timestamp()
    assert page_cache.page_timeout(now + 90, now=now) == 90
    assert page_cache.page_timeout(now + 3600, now=now) == 300
    assert page_cache.page_timeout(page_cache.NOTHING_SCHEDULED, now=now) == 300
    assert page_cache.page_timeout(now - 5, now=now) == 0


def test_the_next_publication_is_the_soonest_across_content_types():
    now = timezone.now()
    ArticleFactory(published_at=now + datetime.timedelta(hours=5))
    DeclarationFactory(published_at=now + datetime.timedelta(hours=2))
    SummitFactory(draft=True)  # A draft is not scheduled, whatever its date.
    version = page_cache.bump_content_version()
    expected = (now + datetime.timedelta(hours=2)).timestamp()
    assert page_cache.next_publication(version) == pytest.approx(expected)


def test_the_site_stays_up_when_the_cache_server_is_down(client, settings):
    settings.CACHES = {
        **settings.CACHES,
        "unreachable": {
            "BACKEND": "core.redis_cache.RedisCache",
            # Nothing listens on port 1.
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        },
    }
    settings.PAGE_CACHE_ALIAS = "unreachable"

    ArticleFactory(title="Still readable")  # The save survives a failed bump.
    response = client.get("/articles/")

    assert response.status_code == 200
    assert "Still readable" in response.content.decode()
    assert "X-Cache" not in response


def test_an_import_makes_pages_stale_once_not_once_per_row(tmp_path, monkeypatch):
    from tests.exchange_helpers import export, import_file

    for n in range(5):
        SignatureFactory(declaration=DeclarationFactory(title=f"Declaration {n}"))
    path = tmp_path / "site.json"
    path.write_text(export("--no-timestamp").replace("Declaration ", "Renamed "))
    before = page_cache.get_content_version()
    bumps = []
    real_bump = page_cache.bump_content_version
    monkeypatch.setattr(
        page_cache,
        "bump_content_version",
        lambda *args: bumps.append(1) or real_bump(*args),
    )

    import_file(path)

    # 5 declarations were saved: one bump for all of them (a test runs inside
    # a transaction, so the bump "now" is all that happens here).
    assert len(bumps) == 1
    assert page_cache.get_content_version() != before


def test_a_recording_names_the_tables_read_and_nests():
    from articles.models import Article
    from summits.models import Declaration

    ArticleFactory()
    with page_cache.recording_tables() as page:
        list(Article.objects.public())
        with page_cache.recording_tables() as fragment:
            list(Declaration.objects.public())
        page_cache.note_tables_read({"summits_signature"})  # a fragment's cache hit

    assert fragment == {"summits_declaration"}
    assert {"articles_article", "summits_declaration", "summits_signature"} <= page
    with page_cache.recording_tables() as after:
        pass
    assert after == set()


def test_tables_in_sql_over_counts_rather_than_misses():
    sql = 'SELECT "summits_signature"."id" FROM summits_signature JOIN x'
    assert page_cache.tables_in_sql(sql) == {"summits_signature"}
    assert page_cache.tables_in_sql("SELECT 1") == set()
