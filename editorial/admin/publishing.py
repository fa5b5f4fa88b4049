"""Publishing with buttons, and review of contributors' drafts.

The change form of a publishable item offers its next steps as buttons instead
of a status drop-down: "Save draft", "Publish" (or "Schedule" when the
publication time is ahead), "Unpublish"; contributors get "Submit for review"
instead of "Publish", and an editor reviewing a submitted draft may "Send
back" with a comment. Each button is a submit named `_publish`, `_unpublish`,
… and the server decides, never the page: a crafted POST from a contributor
gets the same refusal as the form would show.
"""

import logging
import smtplib

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from core.admin import EDITORS_GROUP, publication_state, user_can_publish
from core.models import Status
from editorial.admin.change_form import EditorialChangeFormMixin
from editorial.models import ReviewRequest, ReviewState

logger = logging.getLogger(__name__)

SAVE = "_save"
SAVE_DRAFT = "_save_draft"
PUBLISH = "_publish"
UNPUBLISH = "_unpublish"
SUBMIT_FOR_REVIEW = "_submit_review"
SEND_BACK = "_send_back"
ACTIONS = (SAVE_DRAFT, PUBLISH, UNPUBLISH, SUBMIT_FOR_REVIEW, SEND_BACK)
# What each button makes of the item; None keeps its status.
NEW_STATUS = {
    SAVE_DRAFT: Status.DRAFT,
    PUBLISH: Status.PUBLISHED,
    UNPUBLISH: Status.DRAFT,
    SUBMIT_FOR_REVIEW: Status.DRAFT,
    SEND_BACK: Status.DRAFT,
}
EDITORS_ONLY = {PUBLISH, UNPUBLISH, SEND_BACK}
REVIEW_COMMENT = "review_comment"


def publishing_action(request):
    """The publishing button pressed, or None for a plain save."""
    if request.method != "POST":
        return None
    return next((name for name in ACTIONS if name in request.POST), None)


def editor_addresses():
    """Email addresses of the active members of the Editors group."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=EDITORS_GROUP)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def notify(request, subject, body, recipients):
    """Email `recipients`; a failing mail server is a warning, not a lost save."""
    if not recipients:
        return
    try:
        send_mail(subject, body, None, recipients)
    except (smtplib.SMTPException, OSError) as error:  # refused, timed out, DNS
        logger.warning("Review email not sent: %s", error)
        messages.warning(request, f"The email could not be sent ({error}).")


def person(user):
    if user is None:
        return "someone"
    return user.get_full_name() or user.get_username()


class PublishButtonsAdminMixin(EditorialChangeFormMixin):
    """Publishing buttons and review on the change form of a Publishable admin.

    Put it in the bases of a `PublishableAdmin` (see articles/admin.py). The
    status field leaves the form; the buttons set it, checked here on the
    server. Review requests are `editorial.models.ReviewRequest` rows.
    """

    def get_fieldsets(self, request, obj=None):
        fieldsets = []
        for title, options in super().get_fieldsets(request, obj):
            fields = list(options["fields"])
            if "status" in fields:
                # The state is shown as a badge; the buttons change it.
                fields[fields.index("status")] = "publication"
                options = {
                    **options,
                    "fields": fields,
                    "description": "Leave the date empty to publish now; a time "
                    "ahead schedules the item: it goes live then.",
                }
            fieldsets.append((title, {**options, "fields": fields}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if "publication" in fields else [*fields, "publication"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        action = publishing_action(request)
        may_publish = user_can_publish(request.user)
        comment = request.POST.get(REVIEW_COMMENT, "").replace("\x00", "").strip()
        was_published = obj is not None and obj.status == Status.PUBLISHED

        class PublishingForm(form):
            publishing_action = action
            review_comment = comment

            def clean(self):
                cleaned_data = super().clean()
                if action in EDITORS_ONLY and not may_publish:
                    raise forms.ValidationError(
                        "Only editors can publish or unpublish. Use “Submit for "
                        "review” and an editor will publish it.",
                        code="cannot_publish",
                    )
                if action == SAVE_DRAFT and was_published and not may_publish:
                    raise forms.ValidationError(
                        "Only editors can unpublish.", code="cannot_publish"
                    )
                if action == SEND_BACK and not comment:
                    raise forms.ValidationError(
                        "Say what should change before sending it back: write "
                        "a comment for the contributor.",
                        code="comment_required",
                    )
                # Set before the model's own validation (_post_clean) runs, so
                # it checks the item in the state it is about to have.
                if action in NEW_STATUS:
                    self.instance.status = NEW_STATUS[action]
                return cleaned_data

        return PublishingForm

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        if not add and getattr(form, "publishing_action", None) in NEW_STATUS:
            if (
                "status" in form.initial
                and form.initial["status"] != form.instance.status
            ):
                message.append({"changed": {"fields": ["Status"]}})
        return message

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        action = getattr(form, "publishing_action", None)
        change_url = request.build_absolute_uri(self.change_url(obj))
        if action == SUBMIT_FOR_REVIEW:
            self.open_review(request, obj, change_url)
        elif action in (PUBLISH, SEND_BACK):
            self.close_review(request, obj, action, form.review_comment, change_url)

    def open_review(self, request, obj, change_url):
        review = ReviewRequest.objects.for_object(obj).open().first()
        if review is None:
            review = ReviewRequest.objects.create(
                content_object=obj, requested_by=request.user
            )
        notify(
            request,
            f"For review: {obj}",
            f"{person(request.user)} asks an editor to review "
            f"the {obj._meta.verbose_name} “{obj}”.\n\n"
            f"Publish it or send it back with a comment:\n{change_url}\n",
            editor_addresses(),
        )

    def close_review(self, request, obj, action, comment, change_url):
        review = ReviewRequest.objects.for_object(obj).open().first()
        if review is None:
            return
        if action == PUBLISH:
            review.close(ReviewState.PUBLISHED, request.user)
            subject = f"Published: {obj}"
            body = f"{person(request.user)} published “{obj}”.\n\n{change_url}\n"
        else:
            review.close(ReviewState.SENT_BACK, request.user, comment)
            subject = f"Sent back: {obj}"
            body = (
                f"{person(request.user)} sent “{obj}” back to you:\n\n{comment}\n\n"
                f"Change it and submit it for review again:\n{change_url}\n"
            )
        requester = review.requested_by
        if requester is not None and requester.email:
            notify(request, subject, body, [requester.email])

    def change_url(self, obj):
        opts = self.opts
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
            args=[quote(obj.pk)],
        )

    def response_add(self, request, obj, post_url_continue=None):
        if publishing_action(request):
            return self.after_publishing_action(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if publishing_action(request):
            return self.after_publishing_action(request, obj)
        return super().response_change(request, obj)

    def after_publishing_action(self, request, obj):
        """Back to the item, saying what became of it."""
        action = publishing_action(request)
        name = f"The {obj._meta.verbose_name} “{obj}”"
        state, label = publication_state(obj)
        text = {
            SAVE_DRAFT: f"{name} is saved as a draft.",
            UNPUBLISH: f"{name} is unpublished: it is a draft again.",
            SUBMIT_FOR_REVIEW: f"{name} is saved and waits for an editor's review.",
            SEND_BACK: f"{name} is sent back to its contributor with your comment.",
        }.get(action)
        if action == PUBLISH:
            text = f"{name} is {label[0].lower()}{label[1:]}."
        messages.success(request, text)
        return HttpResponseRedirect(self.change_url(obj))

    def render_change_form(
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        may_edit = (
            self.has_change_permission(request, obj)
            if obj is not None
            else self.has_add_permission(request)
        )
        if may_edit:
            context["publishing"] = self.publishing_context(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def publishing_context(self, request, obj):
        """The buttons this person may press on this item, and its review."""
        may_publish = user_can_publish(request.user)
        state = publication_state(obj)[0] if obj is not None and obj.pk else "draft"
        latest = None
        if obj is not None and obj.pk:
            latest = (
                ReviewRequest.objects.for_object(obj)
                .select_related("requested_by", "decided_by")
                .first()
            )
        open_review = latest if latest and latest.outcome == ReviewState.OPEN else None
        buttons = []
        if state == "draft":
            buttons.append((SAVE_DRAFT, "Save draft", False))
            if may_publish:
                ahead = (
                    obj is not None
                    and obj.published_at
                    and (obj.published_at > timezone.now())
                )
                buttons.append((PUBLISH, "Schedule" if ahead else "Publish", True))
            elif open_review is None:
                buttons.append((SUBMIT_FOR_REVIEW, "Submit for review", True))
        else:
            label = "Save changes" if state == "published" else "Save (stays scheduled)"
            buttons.append((SAVE, label, True))
            if may_publish:
                buttons.append((UNPUBLISH, "Unpublish", False))
        return {
            "state": state,
            "buttons": buttons,
            "may_publish": may_publish,
            "open_review": open_review,
            "sent_back": latest
            if latest and latest.outcome == ReviewState.SENT_BACK and state == "draft"
            else None,
            "can_send_back": may_publish and open_review is not None,
            "comment_field": REVIEW_COMMENT,
            "send_back": SEND_BACK,
        }
