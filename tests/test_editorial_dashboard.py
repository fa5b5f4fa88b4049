"""The admin home is the editor's dashboard; login records are for superusers."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from editorial.dashboard import content_models
from editorial.models import ReviewRequest
from summits.models import Declaration, Summit
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    SignatureFactory,
    SummitFactory,
)

pytestmark = pytest.mark.django_db


def member(django_user_model, username, group, **extra):
    user = django_user_model.objects.create_user(
        username=username, password="pw", is_staff=True, **extra
    )
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(django_user_model):
    return member(django_user_model, "eda", "Editors", first_name="Eda")


@pytest.fixture
def other(django_user_model):
    return member(django_user_model, "otto", "Editors", first_name="Otto")


def logged(user, obj, flag=CHANGE):
    LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action_flag=flag,
    )


def fill(editor, other, n):
    """n of everything the dashboard lists."""
    for i in range(n):
        mine = ArticleFactory(draft=True, title=f"My draft {i}")
        logged(editor, mine, ADDITION)
        theirs = SummitFactory(draft=True, name=f"Their summit {i}")
        logged(other, theirs)
        ReviewRequest.objects.create(content_object=theirs, requested_by=other)
        DeclarationFactory(scheduled=True, title=f"Coming declaration {i}", summit=None)
        SignatureFactory(source_url="")


def test_content_models_are_found_not_named():
    assert {Article, Summit, Declaration} <= set(content_models())


def test_the_dashboard_shows_the_editors_work(client, editor, other):
    mine = ArticleFactory(draft=True, title="Seoul, one year on")
    logged(editor, mine, ADDITION)
    their_draft = ArticleFactory(draft=True, title="Not mine")
    logged(other, their_draft)
    waiting = SummitFactory(draft=True, name="Summit waiting")
    ReviewRequest.objects.create(content_object=waiting, requested_by=other)
    ArticleFactory(
        title="Launch post",
        published_at=timezone.make_aware(datetime.datetime(2099, 3, 4, 10, 0)),
    )
    SignatureFactory(source_url="")
    client.force_login(editor)

    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    drafts = html.split('id="dash-drafts"')[1].split("</section>")[0]
    assert "Seoul, one year on" in drafts and "Not mine" not in drafts
    review = html.split('id="dash-review"')[1].split("</section>")[0]
    assert "Summit waiting" in review and "from Otto" in review
    scheduled = html.split('id="dash-scheduled"')[1].split("</section>")[0]
    assert "Launch post" in scheduled and "4 Mar 2099, 10:00" in scheduled
    recent = html.split('id="dash-recent"')[1].split("</section>")[0]
    assert "Not mine" in recent and "by Otto" in recent
    assert "Seoul, one year on" not in recent  # the editor's own changes
    # The editors' data-quality list (home.data_quality) sits below.
    assert 'id="data-quality-heading"' in html
    # Django's list of apps is still there, below.
    assert 'id="content-main"' in html and "Articles" in html


@pytest.mark.parametrize("size", [1, 6])
def test_the_dashboard_reads_the_same_number_of_queries_at_any_size(
    client, editor, other, size, django_assert_num_queries
):
    client.force_login(editor)
    client.get(reverse("admin:index"))  # sessions, content types, permissions
    fill(editor, other, size)
    # Pinned: the same at 1 and at 6 of everything (and 6 > nothing shown);
    # one more for each Publishable content model with an admin; the
    # data-quality list's constant share (home.data_quality, here with no
    # commitment past its deadline: one query for those). 31 since
    # assessments (Publishable, with an admin) joined the dashboard.
    with django_assert_num_queries(31):
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200


class TestLockoutLogs:
    def test_staff_do_not_see_login_records(self, client, editor):
        AccessAttempt.objects.create(
            ip_address="203.0.113.9", username="x", failures_since_start=3
        )
        client.force_login(editor)
        html = client.get(reverse("admin:index")).content.decode()
        assert "Access attempts" not in html
        url = reverse("admin:axes_accessattempt_changelist")
        assert client.get(url).status_code == 403

    def test_superusers_do(self, client, django_user_model):
        client.force_login(
            django_user_model.objects.create_superuser("root", password="pw")
        )
        html = client.get(reverse("admin:index")).content.decode()
        assert "Access attempts" in html
        url = reverse("admin:axes_accessattempt_changelist")
        assert client.get(url).status_code == 200
