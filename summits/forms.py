"""Admin forms for summits: adding many signatures to a declaration at once."""

import difflib
import re

from django import forms
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.utils.text import slugify
from django_countries import countries

from core.models import WebURLField
from core.names import fold
from core.partial_dates import PartialDateFormField
from summits.models import Signatory, Signature, mark_declarations_changed

# "- France", "* France", "• France", "3. France", "3) France": list markers
# that come along when a list is copied from a web page or a document.
LIST_MARKER = re.compile(r"^(?:[-*•·–]|\d+[.)])\s+")


def clean_line(line):
    """The name on a pasted line, without list markers or trailing commas."""
    line = LIST_MARKER.sub("", line.strip())
    return " ".join(line.rstrip(",;").split())


class OtherNamesFormSet(BaseInlineFormSet):
    """A signatory's other names: the same name twice in one form is refused
    here, as the database's unique folded form would refuse it at save."""

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            key = fold(form.cleaned_data.get("name", ""))
            if key in seen:
                form.add_error("name", "This other name is listed twice.")
            seen.add(key)


class SignatoryMatcher:
    """Finds the signatory a pasted name means.

    In order: the signatory's name or one of its other names ("UK", "EU"),
    ignoring case, accents and spacing; its slug; an ISO country code, two or
    three letters ("GB", "GBR"); a country's English name as django-countries
    knows it ("Turkey" finds the signatory "Türkiye"). Names come first so
    that a company called "IBM" is never read as a code.
    """

    def __init__(self, signatories):
        self.by_name = {}
        self.by_slug = {}
        self.by_country = {}
        for signatory in signatories:
            self.by_name[signatory.folded_name or fold(signatory.name)] = signatory
            self.by_slug[signatory.slug] = signatory
            if signatory.country:
                self.by_country.setdefault(signatory.country.code, []).append(signatory)
        # Other names never shadow a name (the models keep the two apart).
        self.by_other_name = {}
        for signatory in signatories:
            for alias in signatory.aliases.all():
                self.by_other_name.setdefault(alias.folded, signatory)

    def find(self, name):
        """(signatory, None) when found, else (None, reason)."""
        key = fold(name)
        signatory = (
            self.by_name.get(key)
            or self.by_other_name.get(key)
            or self.by_slug.get(slugify(name))
        )
        if signatory:
            return signatory, None
        code = self._country_code(name)
        if code:
            candidates = self.by_country.get(code, [])
            if len(candidates) == 1:
                return candidates[0], None
            if len(candidates) > 1:
                names = ", ".join(c.name for c in candidates)
                return None, f"could be any of {names}; use the full name"
        return None, "not found"

    @staticmethod
    def _country_code(name):
        if name.isalpha() and len(name) in (2, 3):
            code = countries.alpha2(name.upper())
            if code:
                return code
        return countries.by_name(name)

    def suggestions(self, name, limit=3):
        """Up to `limit` recorded names closest to `name`, best first.

        Names and other names are both compared, so "Grate Britain" finds
        "United Kingdom" through its other name "Great Britain"; each
        signatory is offered once, under its recorded name.
        """
        keys = {**self.by_other_name, **self.by_name}
        offered = []
        for key in difflib.get_close_matches(fold(name), keys, n=limit * 2, cutoff=0.6):
            signatory_name = keys[key].name
            if signatory_name not in offered:
                offered.append(signatory_name)
        return offered[:limit]


# "New Name | company": the pasted line asks for a new signatory of that kind.
# Words an editor may type for each kind, folded.
KIND_WORDS = {
    **{fold(value): value for value in Signatory.Kind.values},
    **{fold(label): value for value, label in Signatory.Kind.choices},
    "organization": Signatory.Kind.ORGANISATION,
    "org": Signatory.Kind.ORGANISATION,
}


def _either(names):
    """“A”, “B” or “C”."""
    quoted = [f"“{name}”" for name in names]
    return " or ".join(filter(None, [", ".join(quoted[:-1]), quoted[-1]]))


class BulkAddSignaturesForm(forms.Form):
    """Paste many signatory names; one status, date and source apply to all.

    All or nothing: if any line names no known signatory, the form is invalid
    and nothing is saved; each such line lists the closest recorded names
    ("did you mean"). A line written `New Name | company` creates that
    signatory with its kind, in the same transaction as the positions.
    Signatories already recorded on the declaration are skipped, not changed:
    an editor who pastes an updated official list wants the new names added,
    and the rows already there may carry a more precise date or source that a
    bulk value must not overwrite. Names listed twice in the paste are added
    once.
    """

    names = forms.CharField(
        label="Signatories, one per line",
        widget=forms.Textarea(attrs={"rows": 16, "cols": 60}),
        help_text="A name as recorded or one of its other names (UK, EU), an "
        "ISO country code (GB or GBR) or a country's English name; case and "
        "accents do not matter. List markers and trailing commas are ignored. "
        "To add a signatory not recorded yet, write its kind after a bar: "
        "“Mistral AI | company” (country, organisation, company or other).",
    )
    status = forms.ChoiceField(
        choices=Signature.Status.choices, initial=Signature.Status.SIGNED
    )
    date = PartialDateFormField(
        required=False,
        help_text="When they signed, declined or withdrew: a day (2024-12-05), "
        "a month (2024-12) or a year (2024).",
    )
    source_url = forms.URLField(
        label="Source URL",
        max_length=500,
        assume_scheme="https",
        # The same rule as the stored field: http or https, nothing else.
        validators=WebURLField.default_validators,
        help_text="Where this list comes from. Every signature carries a source.",
    )
    note = forms.CharField(max_length=500, required=False)

    class Media:
        js = ["admin-extra/bulk-add.js"]

    def __init__(self, *args, declaration, may_create_signatories=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.declaration = declaration
        self.may_create_signatories = may_create_signatories
        self.to_add = []
        self.to_create = []
        self.created = []
        self.already_recorded = []
        self.repeated = []
        # One entry per refused line, for the template: its message and, for
        # an unknown name, the closest recorded names to choose from.
        self.line_problems = []

    def _refuse(self, number, name, message, suggestions=None):
        self.line_problems.append(
            {
                "line": number,
                "name": name,
                "message": message,
                "suggestions": suggestions,
            }
        )

    def clean_names(self):
        lines = [
            (number, clean_line(raw))
            for number, raw in enumerate(self.cleaned_data["names"].splitlines(), 1)
        ]
        lines = [(number, name) for number, name in lines if name]
        if not lines:
            raise forms.ValidationError("Paste at least one name.")

        matcher = SignatoryMatcher(
            Signatory.objects.only(
                "name", "slug", "country", "folded_name"
            ).prefetch_related("aliases")
        )
        recorded = set(
            self.declaration.signatures.values_list("signatory_id", flat=True)
        )
        seen = set()
        new_names = set()
        for number, line in lines:
            name, bar, kind_text = (part.strip() for part in line.partition("|"))
            where = f"Line {number}, “{name}”"
            signatory, reason = matcher.find(name) if name else (None, "no name")
            if bar:
                self._clean_new(number, name, kind_text, signatory, new_names)
            elif signatory is None:
                suggestions = matcher.suggestions(name)
                message = f"{where}: {reason}."
                if suggestions and reason == "not found":
                    message = (
                        f"{where}: not found; did you mean {_either(suggestions)}?"
                    )
                self._refuse(number, name, message, suggestions)
            elif signatory.pk in seen:
                self.repeated.append(signatory)
            elif signatory.pk in recorded:
                seen.add(signatory.pk)
                self.already_recorded.append(signatory)
            else:
                seen.add(signatory.pk)
                self.to_add.append(signatory)
        if self.line_problems:
            raise forms.ValidationError(
                [problem["message"] for problem in self.line_problems]
            )
        return self.cleaned_data["names"]

    def _clean_new(self, number, name, kind_text, existing, new_names):
        """A `New Name | kind` line: checked here, created by save()."""
        where = f"Line {number}, “{name}”"
        kind = KIND_WORDS.get(fold(kind_text))
        max_length = Signatory._meta.get_field("name").max_length
        if not name:
            self._refuse(number, name, f"Line {number}: give a name before the bar.")
        elif kind is None:
            self._refuse(
                number,
                name,
                f"{where}: “{kind_text}” is not a kind; write country, "
                "organisation, company or other after the bar.",
            )
        elif not self.may_create_signatories:
            self._refuse(
                number, name, f"{where}: you may not add signatories; ask an editor."
            )
        elif existing is not None:
            self._refuse(
                number,
                name,
                f"{where}: already recorded as “{existing.name}”; "
                "remove the bar and the kind to add it.",
            )
        elif len(name) > max_length:
            self._refuse(
                number, name, f"{where}: a name has at most {max_length} characters."
            )
        elif fold(name) in new_names:
            pass  # The same new name twice: created once.
        else:
            new_names.add(fold(name))
            self.to_create.append(Signatory(name=name, kind=kind))

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("status") not in STATUS_DATE_FIELDS:
            self.add_error(
                "date",
                "Only a signature, a refusal or a withdrawal has a date; leave "
                "it empty for this status.",
            )
        if data.get("status") == Signature.Status.WITHDRAWN and not data.get("date"):
            self.add_error("date", "Give the date of the withdrawal.")
        return data

    @transaction.atomic
    def save(self):
        """Create the new signatories and the positions together; return the
        positions. A failure anywhere rolls all of it back."""
        data = self.cleaned_data
        dated = {}
        if data["date"]:
            field = STATUS_DATE_FIELDS[data["status"]]
            dated = {
                field: data["date"].date,
                f"{field}_precision": data["date"].precision,
            }
        # One by one: save() gives each its slug and folded name.
        for signatory in self.to_create:
            signatory.save()
            self.created.append(signatory)
        mark_declarations_changed({self.declaration.pk})
        return Signature.objects.bulk_create(
            Signature(
                declaration=self.declaration,
                signatory=signatory,
                status=data["status"],
                source_url=data["source_url"],
                note=data["note"],
                **dated,
            )
            for signatory in [*self.to_add, *self.created]
        )


# Which stage a bulk-added status's date belongs to.
STATUS_DATE_FIELDS = {
    Signature.Status.SIGNED: "signed_on",
    Signature.Status.DECLINED: "declined_on",
    Signature.Status.WITHDRAWN: "withdrawn_on",
}
