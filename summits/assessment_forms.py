"""The assessment grid: one form to assess every signatory of a commitment.

One row per signatory that signed the declaration and is bound by the
commitment. A row left at "leave as it is" changes nothing; the rest can be
marked "no information" in bulk. A verdict (met, partly met, not met) needs
an evidence link, already recorded or typed in its row; links must be web
addresses (http or https).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import WebURLField
from core.partial_dates import PartialDate, PartialDateFormField
from summits.models import NEEDS_EVIDENCE, Assessment, AssessmentEvidence, Result

LEAVE = ""
WEB_ADDRESS = "Enter a web address starting with http:// or https://."


class WebURLFormField(forms.URLField):
    """A form's URL input that takes http and https only, as WebURLField."""

    default_validators = WebURLField.default_validators
    default_error_messages = {"invalid": WEB_ADDRESS}


class AssessmentRowForm(forms.Form):
    """One signatory's row: its finding, date, evidence and reasoning."""

    signatory = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.ChoiceField(
        label="finding",
        required=False,
        choices=[(LEAVE, "— leave as it is —"), *Result.choices],
    )
    assessed_on = PartialDateFormField(label="assessed", required=False)
    evidence_url = WebURLFormField(
        label="evidence link", required=False, assume_scheme="https"
    )
    evidence_label = forms.CharField(label="link label", required=False, max_length=200)
    note = forms.CharField(
        label="reasoning", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, signatory=None, assessment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.signatory_obj = signatory
        self.assessment = assessment
        self.fields["evidence_url"].widget.attrs["aria-label"] = (
            f"Evidence link for {signatory}"
        )

    def clean(self):
        data = super().clean()
        result = data.get("result")
        url = data.get("evidence_url")
        has_evidence = bool(self.assessment and self.assessment.evidence.all())
        if url and not result and not self.assessment:
            self.add_error("result", "Choose a finding to go with this link.")
        bad_url = "evidence_url" in self.errors
        if result in NEEDS_EVIDENCE and not (url or has_evidence or bad_url):
            label = Result(result).label.lower()
            self.add_error(
                "evidence_url",
                f"A finding of “{label}” needs an evidence link: the public "
                "source it rests on.",
            )
        if url and not data.get("evidence_label"):
            data["evidence_label"] = url
        return data


class AssessmentGridForm(forms.Form):
    """What applies to the whole grid."""

    rest_no_information = forms.BooleanField(
        label="Mark every signatory still not assessed as “no information”",
        required=False,
    )
    assessed_by = forms.CharField(max_length=200, required=False)
    publish = forms.BooleanField(
        label="Publish these assessments",
        required=False,
        help_text="Left unticked, new assessments are saved as drafts.",
    )


def save_grid(commitment, rows, grid, user, may_publish):
    """Save the grid's rows; returns (saved, errors by row index).

    Each assessment is validated by the model (`full_clean`) before anything
    is written; the caller wraps this in a transaction and rolls back on
    errors.
    """
    today = PartialDate(timezone.localdate())
    assessed_by = grid.cleaned_data.get("assessed_by") or (
        user.get_full_name() or user.get_username()
    )
    publish = may_publish and grid.cleaned_data.get("publish")
    saved, errors = [], {}
    for index, row in enumerate(rows):
        data = row.cleaned_data
        result = data["result"]
        if not result and grid.cleaned_data.get("rest_no_information"):
            if row.assessment is None:
                result = Result.NO_INFORMATION
        if not result:
            continue
        assessment = row.assessment or Assessment(
            commitment=commitment, signatory=row.signatory_obj
        )
        if assessment.pk and assessment.status == "published" and not may_publish:
            errors[index] = [
                "This assessment is published: only editors can change it."
            ]
            continue
        when = data.get("assessed_on") or today
        assessment.result = result
        assessment.assessed_on = when.date
        assessment.assessed_on_precision = when.precision
        if data.get("note"):
            assessment.note = data["note"]
        assessment.assessed_by = assessed_by
        assessment.assessed_by_user = user
        if publish:
            assessment.status = "published"
        try:
            assessment.full_clean(validate_unique=False)
        except ValidationError as error:
            errors[index] = [m for ms in error.message_dict.values() for m in ms]
            continue
        assessment.save()
        if data.get("evidence_url"):
            AssessmentEvidence.objects.get_or_create(
                assessment=assessment,
                source_url=data["evidence_url"],
                defaults={"source_name": data["evidence_label"][:200]},
            )
        saved.append(assessment)
    return saved, errors
