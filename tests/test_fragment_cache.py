"""Cached fragments (core/fragments.py): rendered once, and never stale.

Each story renders a small template with `{% cachedfragment %}` twice or
more, as two visitors' requests would, and checks what the second one saw
and what it cost. The pages that use fragments have their own stories in
tests/test_fresh_fragments.py. CI runs these again against a real Redis.
"""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import User
from django.template import (
    Context,
    RequestContext,
    Template,
    TemplateSyntaxError,
    engines,
)
from django.test import RequestFactory
from django.utils import timezone

from articles.models import Article
from core import cache as content_cache
from core import fragments
from summits.models import Signatory
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.cache, pytest.mark.django_db]

ARTICLE_TITLES = Template(
    "{% load fragment_cache %}"
    '{% cachedfragment "titles" kind %}'
    "{% for article in articles %}{{ article.title }};{% endfor %}"
    "{% endcachedfragment %}"
)


@pytest.fixture(autouse=True)
def fragments_on(settings):
    settings.FRAGMENT_CACHE_ENABLED = True


def visit(template=ARTICLE_TITLES, **context):
    """Render `template` as one request would, with lazy querysets by default."""
    request = RequestFactory().get("/")
    context.setdefault("articles", Article.objects.public().order_by("title"))
    context.setdefault("kind", "")
    return template.render(RequestContext(request, context))


def test_a_second_visitor_gets_the_fragment_without_a_query(
    django_assert_num_queries,
):
    ArticleFactory(title="Seoul commitments signed")
    first = visit()

    with django_assert_num_queries(0):
        second = visit()

    assert second == first
    assert "Seoul commitments signed" in second


def test_an_edited_row_shows_on_the_next_request():
    article = ArticleFactory(title="Draft headline")
    assert "Draft headline" in visit()

    article.title = "Corrected headline"
    article.save()

    assert "Corrected headline" in visit()


def test_a_deleted_row_leaves_the_fragment_at_once():
    article = ArticleFactory(title="Withdrawn story")
    assert "Withdrawn story" in visit()

    article.delete()

    assert "Withdrawn story" not in visit()


def test_an_edit_elsewhere_leaves_the_fragment_cached(django_assert_num_queries):
    ArticleFactory(title="Unchanged")
    visit()

    # Saved through the ORM, not a factory: factories batch their saves,
    # and a batch makes every table stale.
    Signatory.objects.create(name="Kenya", kind=Signatory.Kind.COUNTRY)

    with django_assert_num_queries(0):
        assert "Unchanged" in visit()


def test_each_vary_on_value_has_its_own_fragment():
    ArticleFactory(title="A post", kind=Article.Kind.POST)
    ArticleFactory(title="A report", kind=Article.Kind.PRESS)
    by_kind = Template(
        "{% load fragment_cache %}"
        '{% cachedfragment "by-kind" kind %}'
        "{% for a in articles %}{% if a.kind == kind %}{{ a.title }}{% endif %}"
        "{% endfor %}{% endcachedfragment %}"
    )

    assert visit(by_kind, kind="post") == "A post"
    assert visit(by_kind, kind="press") == "A report"
    assert visit(by_kind, kind="post") == "A post"


def test_an_instance_loaded_before_the_fragment_counts_by_its_values():
    """The view fetched it, so no recording saw that query: its values key
    the fragment, and an edit to it shows."""
    template = Template(
        "{% load fragment_cache %}"
        '{% cachedfragment "headline" article %}{{ article.title }}'
        "{% endcachedfragment %}"
    )
    article = ArticleFactory(title="First words")
    assert visit(template, article=Article.objects.get(pk=article.pk)) == "First words"

    Article.objects.filter(pk=article.pk).update(title="Second thoughts")

    again = Article.objects.get(pk=article.pk)
    assert visit(template, article=again) == "Second thoughts"


def test_a_scheduled_item_appears_by_the_clock_without_a_save():
    noon = datetime.datetime(2025, 2, 10, 12, 0, tzinfo=datetime.UTC)
    with time_machine.travel(noon, tick=False):
        ArticleFactory(title="Already out")
        ArticleFactory(
            title="Paris summit opens",
            published_at=noon + datetime.timedelta(minutes=2),
        )
        before = visit()
        assert "Already out" in before
        assert "Paris summit opens" not in before

    with time_machine.travel(noon + datetime.timedelta(minutes=2, seconds=1)):
        assert "Paris summit opens" in visit()


def test_a_fragment_is_kept_no_longer_than_until_the_next_publication():
    now = timezone.now().timestamp()
    snapshot = fragments.Snapshot({}, now + 90)
    assert snapshot.timeout(now=now) == 90
    assert fragments.Snapshot({}, content_cache.NOTHING_SCHEDULED).timeout() == 300


def test_a_hit_tells_an_enclosing_recording_what_it_read():
    ArticleFactory()
    visit()

    with content_cache.recording_tables() as page:
        visit()

    assert page == {"articles_article"}


def test_fragments_of_one_page_read_the_versions_once(monkeypatch):
    ArticleFactory()
    two = Template(
        "{% load fragment_cache %}"
        '{% cachedfragment "one" %}{{ articles|length }}{% endcachedfragment %}'
        '{% cachedfragment "two" %}{{ articles.0.title }}{% endcachedfragment %}'
    )
    snapshots = []
    real = fragments.take_snapshot
    monkeypatch.setattr(
        fragments, "take_snapshot", lambda: snapshots.append(1) or real()
    )

    visit(two)

    assert len(snapshots) == 1


def test_a_fragment_that_reads_a_table_without_a_version_is_never_stored(
    django_assert_num_queries,
):
    User.objects.create(username="ada")
    users = Template(
        "{% load fragment_cache %}"
        '{% cachedfragment "users" %}{% for u in users %}{{ u.username }}'
        "{% endfor %}{% endcachedfragment %}"
    )
    assert visit(users, users=User.objects.all()) == "ada"

    User.objects.create(username="grace")  # no content version moves

    with django_assert_num_queries(1):
        assert visit(users, users=User.objects.all()) == "adagrace"


def test_a_csrf_token_may_not_be_cached():
    with pytest.raises(TemplateSyntaxError, match="csrf_token"):
        Template(
            "{% load fragment_cache %}"
            '{% cachedfragment "form" %}{% csrf_token %}{% endcachedfragment %}'
        )


def test_output_with_a_nonce_is_never_stored(django_assert_num_queries):
    ArticleFactory(title="Scripted")
    scripted = Template(
        "{% load fragment_cache %}"
        '{% cachedfragment "script" %}<script nonce="{{ nonce }}"></script>'
        "{{ articles.0.title }}{% endcachedfragment %}"
    )
    visit(scripted, nonce="abc")

    with django_assert_num_queries(1):
        assert 'nonce="xyz"' in visit(scripted, nonce="xyz")


def test_a_staff_preview_renders_afresh_and_stores_nothing(
    django_assert_num_queries,
):
    ArticleFactory(title="Previewed")
    visit(is_preview=True)

    with django_assert_num_queries(1):
        visit()  # nothing was stored by the preview


def test_the_name_must_be_quoted():
    with pytest.raises(TemplateSyntaxError, match="quoted name"):
        Template(
            "{% load fragment_cache %}"
            "{% cachedfragment titles %}{% endcachedfragment %}"
        )


def test_a_value_without_a_stable_text_is_refused():
    with pytest.raises(TypeError, match="cannot vary on a object"):
        fragments.fingerprint(object())


def test_off_it_renders_every_time(settings, django_assert_num_queries):
    settings.FRAGMENT_CACHE_ENABLED = False
    ArticleFactory()
    visit()
    with django_assert_num_queries(1):
        visit()


def test_without_a_request_nothing_is_cached(django_assert_num_queries):
    """An error page or an email renders without the context processors, so
    its fragments may differ from a page's: they are neither read nor stored."""
    ArticleFactory(title="Emailed")
    context = {"articles": Article.objects.public(), "kind": ""}
    visit()  # a page stored the fragment
    with django_assert_num_queries(1):
        assert "Emailed" in ARTICLE_TITLES.render(Context(context))


def test_a_stale_hint_costs_a_render_never_a_stale_fragment():
    """The per-process note of which tables a fragment read is only a hint."""
    article = ArticleFactory(title="Old title")
    visit()
    for hint in list(fragments._table_hints):
        fragments._table_hints[hint] = []  # as if it had read nothing

    article.title = "New title"
    article.save()

    assert "New title" in visit()


def test_the_site_renders_when_the_cache_server_is_down(settings):
    settings.CACHES = {
        **settings.CACHES,
        "unreachable": {
            "BACKEND": "core.redis_cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 0.2},
        },
    }
    settings.PAGE_CACHE_ALIAS = "unreachable"
    ArticleFactory(title="Still readable")

    assert "Still readable" in visit()
    assert "Still readable" in visit()


SHARED = Template(
    "{% load fragment_cache %}"
    '{% cachedfragment "first" %}{% for a in shared.articles %}{{ a.title }}'
    "{% endfor %}{% endcachedfragment %}|"
    '{% cachedfragment "second" %}{{ shared.articles|length }}'
    "{% endcachedfragment %}"
)


@pytest.mark.parametrize(
    "lazy",
    [
        pytest.param(
            lambda: fragments.ReadLater(
                lambda: {"articles": list(Article.objects.public().order_by("title"))}
            ),
            id="ReadLater",
        ),
        pytest.param(
            lambda: Listing(),
            id="recorded_property",
        ),
    ],
)
def test_a_value_two_fragments_share_keys_both(lazy):
    """The first fragment runs the query; the second must still be keyed by
    the articles table, or a new article would never change its count."""
    ArticleFactory(title="One")
    assert visit(SHARED, shared=lazy()) == "One|1"

    Article.objects.create(
        title="Two", slug="two", status="published", published_at=timezone.now()
    )

    assert visit(SHARED, shared=lazy()) == "OneTwo|2"


class Listing:
    @fragments.recorded_property
    def articles(self):
        return list(Article.objects.public().order_by("title"))


def test_a_recorded_property_is_computed_once():
    listing = Listing()
    ArticleFactory()
    with content_cache.recording_tables() as first:
        assert len(listing.articles) == 1
    with content_cache.recording_tables() as second:
        assert len(listing.articles) == 1  # no query, but the table is noted
    assert first == second == {"articles_article"}


def respond(source, **context):
    """A FragmentTemplateResponse of `source`, rendered as a view's would be."""
    request = RequestFactory().get("/")
    context.setdefault("articles", Article.objects.public().order_by("title"))
    template = engines["django"].from_string(source)
    return fragments.FragmentTemplateResponse(request, template, context).render()


SPLICED = (
    "{% load fragment_cache %}<h1>Café — news</h1>"
    '{% cachedfragment "list" %}<ul>{% for a in articles %}<li>{{ a.title }}</li>'
    "{% endfor %}</ul>{% endcachedfragment %}<footer>·</footer>"
)


def test_a_response_splices_its_fragments_as_the_same_bytes(settings):
    ArticleFactory(title="Türkiye signs")
    settings.FRAGMENT_CACHE_ENABLED = False
    plain = respond(SPLICED).content
    settings.FRAGMENT_CACHE_ENABLED = True

    assert respond(SPLICED).content == plain  # a miss
    assert respond(SPLICED).content == plain  # a hit
    assert plain.decode() == (
        "<h1>Café — news</h1><ul><li>Türkiye signs</li></ul><footer>·</footer>"
    )


def test_a_fragment_changed_on_its_way_into_the_page_falls_back(caplog):
    ArticleFactory(title="Loud news")
    shouted = (
        "{% load fragment_cache %}{% filter upper %}"
        '{% cachedfragment "loud" %}{{ articles.0.title }}{% endcachedfragment %}'
        "{% endfilter %}"
    )

    assert respond(shouted).content == b"LOUD NEWS"
    assert respond(shouted).content == b"LOUD NEWS"
    assert "changed on its way" in caplog.text


def test_a_fragment_inside_a_fragment_is_stored_as_text():
    ArticleFactory(title="Nested")
    nested = (
        "{% load fragment_cache %}"
        '{% cachedfragment "outer" %}<div>{% cachedfragment "inner" %}'
        "{{ articles.0.title }}{% endcachedfragment %}</div>{% endcachedfragment %}"
    )

    assert respond(nested).content == b"<div>Nested</div>"
    assert respond(nested).content == b"<div>Nested</div>"
    assert visit(Template(nested)) == "<div>Nested</div>"


TITLES = (":titles", fragments.vary_digest([""]))  # ARTICLE_TITLES, as keyed


def titles_lock():
    """The lock another process would hold while rendering ARTICLE_TITLES."""
    return fragments.LOCK_KEY.format(name=TITLES[0], vary=TITLES[1])


def test_a_fragment_another_process_is_rendering_is_waited_for(
    monkeypatch, django_assert_num_queries
):
    """After an edit, the first request renders; the others wait for it."""
    ArticleFactory(title="Rendered once")
    cache = content_cache.page_cache()
    visit()  # what the other process will have stored, taken out of the cache
    index_key = fragments.INDEX_KEY.format(name=TITLES[0], vary=TITLES[1])
    tables = cache.get(index_key)
    key = fragments.take_snapshot().key(*TITLES, tables)
    stored = {index_key: tables, key: cache.get(key)}
    cache.delete_many(list(stored))
    fragments._table_hints.clear()
    fragments.local_copies.clear()
    cache.add(titles_lock(), 1)  # the other process is rendering

    def other_process_finishes(seconds):
        cache.set_many(stored)

    monkeypatch.setattr(fragments.time, "sleep", other_process_finishes)

    with django_assert_num_queries(0):
        assert "Rendered once" in visit()


def test_a_waiter_renders_itself_when_the_render_does_not_come(
    settings, django_assert_num_queries
):
    settings.FRAGMENT_CACHE_WAIT = 0.05
    ArticleFactory(title="Renderer died")
    content_cache.page_cache().add(titles_lock(), 1)

    with django_assert_num_queries(1):
        assert "Renderer died" in visit()


def test_a_fragment_never_stored_is_never_waited_for(
    settings, django_assert_num_queries
):
    settings.FRAGMENT_CACHE_WAIT = 30  # the test would hang if it waited
    ArticleFactory(title="Scripted")
    scripted = Template(
        "{% load fragment_cache %}"
        '{% cachedfragment "script" %}<script nonce="{{ nonce }}"></script>'
        "{{ articles.0.title }}{% endcachedfragment %}"
    )
    visit(scripted, nonce="abc")
    lock = fragments.LOCK_KEY.format(name=":script", vary=fragments.vary_digest([]))
    content_cache.page_cache().add(lock, 1)

    with django_assert_num_queries(1):
        assert "Scripted" in visit(scripted, nonce="xyz")
