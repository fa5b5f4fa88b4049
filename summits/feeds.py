"""RSS and Atom feeds of new and changed public assessments.

One item per change of result (`AssessmentChange`): "Amazon: met — Publish a
safety framework". Only changes of public assessments are listed (published,
on a published declaration, of a signed position), so a draft never shows,
whatever its history. One feed per declaration and one for the whole site.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from summits.models import AssessmentChange, Declaration, Result

FEED_ITEMS = 30
FEED_MAX_AGE = 15 * 60


class AssessmentChangesFeed(Feed):
    """RSS 2.0: the site's latest changes of assessment."""

    description = (
        "New and changed assessments: whether each signatory kept the "
        "commitments of the declarations it signed, with sources."
    )

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=FEED_MAX_AGE)
        return response

    def title(self, obj=None):
        return f"{settings.SITE_NAME}: assessments of commitments"

    def link(self, obj=None):
        return reverse("summits:declaration_list")

    def changes(self):
        return AssessmentChange.objects.public().select_related(
            "assessment__signatory",
            "assessment__commitment__declaration",
        )

    def items(self, obj=None):
        return self.changes()[:FEED_ITEMS]

    def item_title(self, item):
        assessment = item.assessment
        return (
            f"{assessment.signatory.name}: {item.get_result_display().lower()} — "
            f"{assessment.commitment.title}"
        )

    def item_description(self, item):
        assessment = item.assessment
        commitment = assessment.commitment
        was = (
            f" (was {Result(item.previous_result).label.lower()})"
            if item.previous_result
            else ""
        )
        # Plain text written by editors: escaped, as feed readers read HTML.
        return escape(
            f"{assessment.signatory.name}: {item.get_result_display().lower()}{was}, "
            f"assessed {item.assessed}. Commitment: {commitment.title}, in "
            f"{commitment.declaration.title}."
        )

    def item_link(self, item):
        return item.assessment.get_absolute_url()

    def item_guid(self, item):
        return f"{settings.SITE_URL}/assessment-changes/{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.recorded_at

    def item_categories(self, item):
        return [item.get_result_display()]


class AssessmentChangesAtomFeed(AssessmentChangesFeed):
    feed_type = Atom1Feed
    subtitle = AssessmentChangesFeed.description


class DeclarationAssessmentsFeed(AssessmentChangesFeed):
    """RSS 2.0: the changes on one public declaration's commitments."""

    def get_object(self, request, slug):
        return get_object_or_404(Declaration.objects.public(), slug=slug)

    def title(self, obj=None):
        return f"{settings.SITE_NAME}: assessments on {obj.title}"

    def link(self, obj=None):
        return obj.get_absolute_url() + "#commitments"

    def items(self, obj=None):
        return self.changes().filter(assessment__commitment__declaration=obj)[
            :FEED_ITEMS
        ]


class DeclarationAssessmentsAtomFeed(DeclarationAssessmentsFeed):
    feed_type = Atom1Feed
    subtitle = AssessmentChangesFeed.description
