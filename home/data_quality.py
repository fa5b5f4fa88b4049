"""The editors' data-quality view: what is missing from the record, and where to fix it.

`data_quality_report()` gathers every check of `summits.quality.CHECKS` and
the link checker's dead links (`editorial.SourceLink`, written by
`check_sources`). Each problem has a count, its first few rows, and links
into the admin: each row to its change page, the whole list to the
changelist filtered to exactly those rows. The admin home page shows it
(templates/admin/includes/data_quality.html) and so does its own page,
/admin/data-quality/.

The number of queries does not depend on the data: one count and one short
list per check, one count and one list of dead links, one query per model
that has source fields to find where the dead links are cited, and three for
the commitments past their deadline that wait for assessments.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from editorial.models import SourceLink
from summits.models import Commitment, Declaration, Signature
from summits.quality import CHECKS
from summits.scorecard import overdue_unassessed

# Rows shown per problem; the rest are one "and N more" link away.
SHOWN = 10


@dataclass
class Row:
    label: str
    admin_url: str
    detail: str = ""


@dataclass
class Problem:
    name: str
    label: str
    count: int
    rows: list
    more_url: str

    @property
    def hidden(self):
        return max(0, self.count - len(self.rows))


@dataclass
class Report:
    problems: list = field(default_factory=list)

    @property
    def total(self):
        return sum(problem.count for problem in self.problems)


def _admin_url(model, action, *args, query=""):
    opts = model._meta
    try:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{action}", args=args)
    except NoReverseMatch:  # a model the admin does not show
        return ""
    return f"{url}?{query}" if query else url


def _check_rows(model, name, narrow, limit):
    queryset = narrow(model._default_manager.all())
    if model is Declaration and name == "partial":
        # "4 of about 60 recorded": the same words as the public pages.
        rows = [
            Row(str(d), _admin_url(model, "change", d.pk), d.signed_figure)
            for d in queryset.order_by("title")[:limit]
        ]
    else:
        if model is Signature:
            # A position's label names its signatory and its declaration.
            queryset = queryset.select_related("signatory", "declaration")
        rows = [
            Row(str(obj), _admin_url(model, "change", obj.pk))
            for obj in queryset[:limit]
        ]
    return queryset, rows


def _dead_link_problem(limit):
    dead = SourceLink.objects.dead()
    links = list(dead[:limit])
    rows = {link.url: Row(link.url, "", link.reason) for link in links}
    # Where each shown dead link is cited, so the editor lands on the record.
    for model in apps.get_models():
        fields = getattr(model, "source_url_fields", ())
        if not fields or not rows:
            continue
        cited = Q()
        for name in fields:
            cited |= Q(**{f"{name}__in": list(rows)})
        for obj in model._default_manager.filter(cited).only(*fields)[: limit * 2]:
            for name in fields:
                row = rows.get(getattr(obj, name))
                if row and not row.admin_url:
                    row.admin_url = _admin_url(model, "change", obj.pk)
    return Problem(
        name="dead-links",
        label="Dead source links",
        count=dead.count(),
        rows=list(rows.values()),
        more_url=_admin_url(SourceLink, "changelist", query="dead__exact=1"),
    )


def _overdue_problem(limit):
    """Commitments past their deadline with signatories nobody has assessed,
    each linked to its assessment grid (summits.scorecard, three queries)."""
    overdue = overdue_unassessed()
    rows = []
    for item in overdue[:limit]:
        commitment = item.commitment
        names = ", ".join(s.name for s in item.unassessed[:5])
        more = len(item.unassessed) - 5
        rows.append(
            Row(
                f"{commitment.declaration}: {commitment.title}",
                _admin_url(Commitment, "assess", commitment.pk),
                f"{len(item.unassessed)} not assessed ({names}"
                + (f" and {more} more" if more > 0 else "")
                + ")",
            )
        )
    return Problem(
        name="commitment-overdue",
        label="Commitments past their deadline with signatories not assessed",
        count=len(overdue),
        rows=rows,
        more_url=_admin_url(Commitment, "changelist"),
    )


def data_quality_report(limit=SHOWN):
    """Every data-quality problem, with its count and first `limit` rows."""
    report = Report()
    for model, checks in CHECKS.items():
        for name, (label, narrow) in checks.items():
            queryset, rows = _check_rows(model, name, narrow, limit)
            report.problems.append(
                Problem(
                    name=f"{model._meta.model_name}-{name}",
                    label=label,
                    count=queryset.count(),
                    rows=rows,
                    more_url=_admin_url(model, "changelist", query=f"quality={name}"),
                )
            )
    # Beside "positions without a source": both are about sources.
    report.problems.insert(2, _dead_link_problem(limit))
    report.problems.append(_overdue_problem(limit))
    return report
