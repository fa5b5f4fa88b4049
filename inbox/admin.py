"""The press inbox in the admin: candidates to accept or dismiss, and the feeds."""

from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from core.admin import ADMIN_CSS, DefaultChoiceFilter
from editorial.dashboard import DashboardPanel
from inbox.importing import ImportRefused, add_from_link, fetch_feed
from inbox.models import Feed, PressCandidate
from inbox.relevance import THRESHOLD


def dashboard_panels(request):
    """The number of new candidates (one query)."""
    if not request.user.has_perm("inbox.view_presscandidate"):
        return []
    count = PressCandidate.objects.filter(decision=PressCandidate.Decision.NEW).count()
    return [
        DashboardPanel(
            title="Press inbox",
            count=count,
            url=reverse("admin:inbox_presscandidate_changelist"),
            description="Stories from feeds and links that name our records.",
        )
    ]


class CandidateStateFilter(DefaultChoiceFilter):
    """New candidates unless asked otherwise: the inbox opens on what waits."""

    title = "decision"
    parameter_name = "decision"
    field = "decision"
    default = PressCandidate.Decision.NEW
    options = PressCandidate.Decision.choices


@admin.register(PressCandidate)
class CandidateAdmin(admin.ModelAdmin):
    """The inbox: stories with their score and matched records, one click to act."""

    change_list_template = "inbox/admin/change_list.html"
    # The buttons next to the title: a 1280 px screen shows them unscrolled.
    list_display = ["story", "decide", "score", "matched_records"]
    list_filter = [CandidateStateFilter, "feed"]
    search_fields = ["title", "outlet", "story_url"]
    readonly_fields = [
        "title",
        "story_url",
        "outlet",
        "author",
        "published_on",
        "lede",
        "picture_url",
        "feed",
        "entry_id",
        "score",
        "matched",
        "summits",
        "declarations",
        "decision",
        "article",
        "decided_by",
    ]
    fields = readonly_fields

    class Media:
        css = ADMIN_CSS

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("summits", "declarations")

    def has_add_permission(self, request):
        return False  # stories come from feeds and "Add from a link"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "add-link/",
                view(self.add_link_view),
                name="inbox_presscandidate_add_link",
            ),
            path(
                "<int:pk>/accept/",
                view(self.accept_view),
                name="inbox_presscandidate_accept",
            ),
            path(
                "<int:pk>/dismiss/",
                view(self.dismiss_view),
                name="inbox_presscandidate_dismiss",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="story", ordering="title")
    def story(self, candidate):
        return format_html(
            '<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>'
            "<br><small>{}</small>",
            candidate.story_url,
            candidate.title,
            ", ".join(
                filter(None, [candidate.outlet, date_format(candidate.published_on)])
            )
            if candidate.published_on
            else candidate.outlet,
        )

    @admin.display(description="matched records")
    def matched_records(self, candidate):
        """The linked summits and declarations, then what else scored."""
        linked = [
            *(("summit", summit) for summit in candidate.summits.all()),
            *(("declaration", d) for d in candidate.declarations.all()),
        ]
        return format_html(
            "{}<br><small>{}</small>",
            format_html_join("; ", "{} “{}”", linked) or "—",
            candidate.matched,
        )

    @admin.display(description="decide")
    def decide(self, candidate):
        if (
            candidate.decision == PressCandidate.Decision.ACCEPTED
            and candidate.article_id
        ):
            url = reverse("admin:articles_article_change", args=[candidate.article_id])
            return format_html('<a href="{}">Press item</a>', url)
        if candidate.decision != PressCandidate.Decision.NEW:
            return ""
        # The buttons submit the one form outside the changelist's own
        # (forms cannot nest); each names its own target.
        button = (
            '<button type="submit" form="inbox-decide" class="button{}" '
            'formaction="{}">{}</button>'
        )
        return format_html(
            button + " " + button,
            " default",
            reverse("admin:inbox_presscandidate_accept", args=[candidate.pk]),
            "Accept",
            "",
            reverse("admin:inbox_presscandidate_dismiss", args=[candidate.pk]),
            "Dismiss",
        )

    def changelist_view(self, request, extra_context=None):
        context = {
            "add_link_url": reverse("admin:inbox_presscandidate_add_link"),
            "threshold": THRESHOLD,
            "may_decide": self.may_decide(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    def may_decide(self, request):
        return self.has_change_permission(request) and request.user.has_perm(
            "articles.add_article"
        )

    def add_link_view(self, request):
        """Fetch a pasted address and put the story in the inbox."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.may_decide(request):
            raise PermissionDenied
        changelist = reverse("admin:inbox_presscandidate_changelist")
        url = request.POST.get("url", "").replace("\x00", "").strip()
        if not url:
            messages.error(request, "Paste the address of an article first.")
            return HttpResponseRedirect(changelist)
        try:
            outcome = add_from_link(url)
        except ImportRefused as error:
            messages.error(request, f"Nothing was added: {error}")
            return HttpResponseRedirect(changelist)
        if not outcome.kept:
            messages.warning(request, f"Nothing was added: {outcome.line()}.")
            return HttpResponseRedirect(changelist)
        candidate = outcome.candidate
        message = f"Added “{candidate.title}” ({outcome.reason})."
        if candidate.score < THRESHOLD:
            message += " It names few of our records: check it is relevant."
        messages.success(request, message)
        return HttpResponseRedirect(changelist)

    def decided(self, request, pk):
        if request.method != "POST":
            return None, HttpResponseNotAllowed(["POST"])
        if not self.may_decide(request):
            raise PermissionDenied
        candidate = get_object_or_404(PressCandidate, pk=pk)
        if candidate.decision != PressCandidate.Decision.NEW:
            messages.warning(
                request,
                f"“{candidate.title}” was already "
                f"{candidate.get_decision_display().lower()}.",
            )
            return None, HttpResponseRedirect(
                reverse("admin:inbox_presscandidate_changelist")
            )
        return candidate, None

    def accept_view(self, request, pk):
        """Make a draft press item from the story and open it."""
        candidate, refused = self.decided(request, pk)
        if refused:
            return refused
        article = candidate.accept(request.user)
        self.log_change(request, candidate, "Accepted: made a draft press item.")
        messages.success(
            request,
            f"A draft press item is made from “{candidate.title}”. Summarise it in "
            "your own words, check the date and source, then publish.",
        )
        return HttpResponseRedirect(
            reverse("admin:articles_article_change", args=[quote(article.pk)])
        )

    def dismiss_view(self, request, pk):
        """Dismiss the story; its address is never suggested again."""
        candidate, refused = self.decided(request, pk)
        if refused:
            return refused
        candidate.dismiss(request.user)
        self.log_change(request, candidate, "Dismissed.")
        messages.success(
            request, f"Dismissed “{candidate.title}”: it will not come back."
        )
        return HttpResponseRedirect(reverse("admin:inbox_presscandidate_changelist"))


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    """The news feeds `fetch_feeds` reads."""

    list_display = [
        "name",
        "feed_url",
        "active",
        "last_fetched_at",
        "last_error",
        "stories",
    ]
    list_filter = ["active"]
    readonly_fields = ["last_fetched_at", "last_error"]
    actions = ["fetch_now"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(story_count=Count("entries"))

    @admin.display(description="stories in the inbox", ordering="story_count")
    def stories(self, feed):
        return feed.story_count

    @admin.action(description="Fetch the selected feeds now")
    def fetch_now(self, request, queryset):
        for feed in queryset:
            outcomes = fetch_feed(feed)
            if outcomes is None:
                messages.error(request, f"{feed}: {feed.last_error}")
                continue
            kept = sum(outcome.kept for outcome in outcomes)
            messages.success(
                request, f"{feed}: {kept} kept, {len(outcomes) - kept} skipped."
            )
