"""What is missing from the record: the checks behind the editors' data-quality view.

Each check is a name, a label and a function narrowing a queryset to the
rows that fail it. The admin's "Data quality" filters (summits/admin.py) and
the data-quality view (home/data_quality.py) both read these, so the count
an editor sees and the list the link opens are the same rows.
"""

from django.db.models import F, Q

from summits.models import Declaration, Signatory, Signature, signature_counts

S = Signature.Status


def _positions_without_source(queryset):
    return queryset.filter(Signature.without_source())


def _undated_positions(queryset):
    # The date that goes with the status: a signature's, a refusal's…
    return queryset.filter(
        Q(status=S.SIGNED, signed_on__isnull=True)
        | Q(status=S.DECLINED, declined_on__isnull=True)
        | Q(status=S.WITHDRAWN, withdrawn_on__isnull=True)
    )


def _partial_declarations(queryset):
    # The admin's changelist counts already; annotating twice is an error.
    if "signed_count" not in queryset.query.annotations:
        queryset = queryset.annotate(**signature_counts())
    return queryset.filter(reported_signatory_count__gt=F("signed_count"))


def _undated_declarations(queryset):
    return queryset.filter(adopted_on__isnull=True)


def _declarations_without_words(queryset):
    return queryset.filter(Q(text="") | Q(summary=""))


def _countries_without_iso_code(queryset):
    return queryset.filter(kind=Signatory.Kind.COUNTRY, country="")


# {model: {check name: (label, narrowing function)}}, in the order shown.
CHECKS = {
    Signature: {
        "no-source": ("Positions without a source", _positions_without_source),
        "undated": ("Positions without a date for their status", _undated_positions),
    },
    Declaration: {
        "partial": ("Declarations whose list is partial", _partial_declarations),
        "undated": ("Declarations without an adoption date", _undated_declarations),
        "no-text": (
            "Declarations without text or summary",
            _declarations_without_words,
        ),
    },
    Signatory: {
        "no-iso": ("Countries without an ISO code", _countries_without_iso_code),
    },
}
