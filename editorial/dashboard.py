"""The editor's dashboard on the admin home: their work, and what waits.

Content models are found, not named: every Publishable model of an app that
says `holds_content = True` and has an admin. Other apps add panels of their
own (the press inbox, data quality) by giving their AppConfig a
`dashboard_panels(request)` method returning `DashboardPanel`s.

The page reads a fixed number of queries however much content there is: one
per content model for drafts and one for scheduled items, one for the review
list (plus one per kind of item in it), one for recent changes, and whatever
each app's panels ask (one each, by convention).
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse

from core.cache import CONTENT_APP_FLAG
from core.models import Publishable
from editorial.models import ReviewRequest

LISTED = 8  # rows per list: a dashboard points at work, the changelists hold it all
OWN_EDITS_READ = 300  # the editor's latest log entries searched for their drafts


@dataclass
class DashboardPanel:
    """A panel an app adds to the dashboard: a count, a link, a few lines."""

    title: str
    count: int
    url: str = ""
    description: str = ""
    items: list = field(default_factory=list)  # (label, url) pairs


def content_models(site=admin.site):
    """Publishable models of content apps that the admin site shows."""
    return [
        model
        for config in apps.get_app_configs()
        if getattr(config, CONTENT_APP_FLAG, False)
        for model in config.get_models()
        if issubclass(model, Publishable) and site.is_registered(model)
    ]


def admin_change_url(obj):
    meta = obj._meta
    try:
        return reverse(
            f"admin:{meta.app_label}_{meta.model_name}_change", args=[quote(obj.pk)]
        )
    except NoReverseMatch:
        return ""


def entry(obj, when=None):
    return {
        "obj": obj,
        "kind": obj._meta.verbose_name,
        "url": admin_change_url(obj),
        "when": when,
    }


def dashboard(request):
    """Everything the dashboard shows for the signed-in editor."""
    user = request.user
    models = [
        model
        for model in content_models()
        if user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
    ]
    types = ContentType.objects.get_for_models(*models)  # cached after the first
    type_ids = [types[model].pk for model in models]

    # The editor's drafts: items they edited last in the admin that are drafts.
    edited = {}
    for type_id, object_id in (
        LogEntry.objects.filter(user=user, content_type_id__in=type_ids)
        .order_by("-action_time")
        .values_list("content_type_id", "object_id")[:OWN_EDITS_READ]
    ):
        edited.setdefault(type_id, set()).add(object_id)
    drafts, scheduled = [], []
    for model in models:
        ids = edited.get(types[model].pk)
        if ids:
            drafts += [
                entry(obj, obj.updated_at)
                for obj in model.objects.drafts()
                .filter(pk__in=ids)
                .order_by("-updated_at")[:LISTED]
            ]
        scheduled += [
            entry(obj, obj.published_at)
            for obj in model.objects.scheduled().order_by("published_at")[:LISTED]
        ]
    drafts.sort(key=lambda item: item["when"], reverse=True)
    scheduled.sort(key=lambda item: item["when"])

    reviews = list(
        ReviewRequest.objects.open()
        .select_related("requested_by")
        .prefetch_related("content_object")
        .order_by("requested_at")[: LISTED + 1]
    )
    waiting = [
        {**entry(review.content_object, review.requested_at), "by": review.requested_by}
        for review in reviews[:LISTED]
        if review.content_object is not None
    ]
    recent = list(
        LogEntry.objects.exclude(user=user)
        .select_related("user", "content_type")
        .order_by("-action_time")[:LISTED]
    )
    panels = [
        panel
        for config in apps.get_app_configs()
        if hasattr(config, "dashboard_panels")
        for panel in config.dashboard_panels(request)
    ]
    return {
        "drafts": drafts[:LISTED],
        "waiting": waiting,
        "more_waiting": len(reviews) > LISTED,
        "scheduled": scheduled[:LISTED],
        "recent": recent,
        "panels": panels,
        "reviews_url": reverse("admin:editorial_reviewrequest_changelist"),
    }
