"""The scorecard: who kept which promise of a declaration, with sources.

Rows are the signatories that signed (only "signed" counts), columns the
declaration's commitments, each cell the public assessment (or "not
assessed", or "does not apply" when the commitment binds another kind of
signatory). Built from a fixed number of queries whatever the size: the
commitments, the public assessments with their evidence (two), and the
recent changes; the signed positions come from the caller, which has them
already for the page's other tables.

GET parameters are read leniently, like the compare matrix's: an unknown
status, commitment, sort or signatory is ignored and a page past the last
shows the last, so a stale or hand-edited link shows the scorecard rather
than an error.

The table is shown a page of `PAGE_SIZE` signatories at a time
(`?scorecard_page=N`): a declaration signed by hundreds would otherwise put
thousands of cells on its page, far more than anyone reads at once (the
summaries above the table count everyone). `?signatory=<slug>` keeps one
row; an assessment's own link uses it, so it finds its cell on any page.
"""

import math
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlencode

from django.db.models import Prefetch
from django.utils import timezone

from summits.models import (
    VERDICTS,
    Assessment,
    AssessmentChange,
    AssessmentEvidence,
    Commitment,
    Result,
    Signature,
)

# Not a Result: a bound signatory that nobody has assessed yet.
NOT_ASSESSED = "not_assessed"
STATUS_FILTERS = {**dict(Result.choices), NOT_ASSESSED: "Not assessed"}
SORTS = {
    "name": "Name (A–Z)",
    "kept": "Most commitments met",
    "kind": "Kind, then name",
}
DEFAULT_SORT = "name"
RECENT_CHANGES = 10
PAGE_SIZE = 25


@dataclass
class Cell:
    commitment: Commitment
    applies: bool
    assessment: Assessment | None = None

    @property
    def status(self):
        """The cell's word: a Result value, 'not_assessed', or None (n/a)."""
        if not self.applies:
            return None
        return self.assessment.result if self.assessment else NOT_ASSESSED


@dataclass
class Row:
    signatory: object
    cells: list

    @property
    def met(self):
        return sum(1 for cell in self.cells if cell.status == Result.MET)


@dataclass
class Summary:
    """One commitment's tally; `bound` (the denominator) is how many signed
    and are bound by it, so "9 of 16 met" says 16 of what."""

    commitment: Commitment
    bound: int = 0
    counts: dict = field(default_factory=dict)

    def count(self, status):
        return self.counts.get(status, 0)

    @property
    def met(self):
        return self.count(Result.MET)

    @property
    def parts(self):
        """(status, label, count) for every status with a count, in order."""
        return [
            (status, label, self.counts[status])
            for status, label in STATUS_FILTERS.items()
            if self.counts.get(status) and status != Result.MET
        ]

    @property
    def past_deadline(self):
        return self.commitment.is_past_deadline()


@dataclass
class Scorecard:
    declaration: object
    commitments: list
    rows: list
    summaries: list
    changes: list
    status: str | None
    chosen: Commitment | None
    sort: str
    total_rows: int
    # The rows matching the filters, of which `rows` is page `page`.
    matching_rows: int = 0
    page: int = 1
    pages: int = 1
    signatory: object = None
    # Parameters every link of the table keeps (the compare matrix's own).
    base_params: tuple = ()

    @property
    def filtered(self):
        return self.status is not None or self.signatory is not None

    @property
    def first_row(self):
        """The position of the page's first row among the matching rows."""
        return (self.page - 1) * PAGE_SIZE + 1

    @property
    def last_row(self):
        return self.first_row + len(self.rows) - 1

    def query(self, page=None, everyone=False):
        """The query string of this table as shown, on `page` (or every
        signatory, filters and page dropped with `everyone`). Built from the
        parameters as read, never from the request's own query string: the
        table is cached and shared by every request asking the same."""
        params = list(self.base_params)
        if not everyone:
            if self.status:
                params.append(("status", self.status))
            if self.chosen is not None:
                params.append(("commitment", self.chosen.slug))
            if self.signatory is not None:
                params.append(("signatory", self.signatory.slug))
        if self.sort != DEFAULT_SORT:
            params.append(("sort", self.sort))
        if page and page > 1:
            params.append(("scorecard_page", page))
        return "?" + urlencode(params)

    @property
    def page_links(self):
        """[(number, query string or None for this page)] when there are pages."""
        if self.pages < 2:
            return []
        return [
            (number, None if number == self.page else self.query(number))
            for number in range(1, self.pages + 1)
        ]

    @property
    def previous_query(self):
        return self.query(self.page - 1) if self.page > 1 else None

    @property
    def next_query(self):
        return self.query(self.page + 1) if self.page < self.pages else None

    @property
    def everyone_query(self):
        return self.query(everyone=True)

    @property
    def status_label(self):
        return STATUS_FILTERS.get(self.status, "")

    @cached_property
    def shared_assessed(self):
        """The date every assessment shown was made on, when there are two
        or more and they agree (one review pass): the caption says it once
        instead of every cell, as a declaration's tables do for positions."""
        dates = {
            cell.assessment.assessed
            for row in self.rows
            for cell in row.cells
            if cell.assessment
        }
        count = sum(1 for row in self.rows for cell in row.cells if cell.assessment)
        return dates.pop() if count > 1 and len(dates) == 1 else None


def public_assessments(commitments):
    """Public assessments of these commitments, their evidence prefetched into
    `evidence_links` (2 queries)."""
    return (
        Assessment.objects.public()
        .filter(commitment__in=commitments)
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=AssessmentEvidence.objects.only(
                    "assessment_id", "source_url", "source_name", "sequence"
                ),
                # A list, not a manager: a scorecard reads it in every cell,
                # and `.all()` would build a queryset each time.
                to_attr="evidence_links",
            )
        )
        # The cells print these alone; a couple of thousand rows on a large
        # declaration are made much faster without the other columns.
        .only(
            "commitment", "signatory", "result", "assessed_on", "assessed_on_precision"
        )
    )


def recent_changes(declaration, limit=RECENT_CHANGES):
    """The latest public changes of result on this declaration (one query)."""
    return list(
        AssessmentChange.objects.public()
        .filter(assessment__commitment__declaration=declaration)
        .select_related("assessment__signatory", "assessment__commitment")
        .only(
            "result",
            "assessed_on",
            "assessed_on_precision",
            "recorded_at",
            "previous_result",
            "assessment__signatory__name",
            "assessment__signatory__slug",
            "assessment__commitment__title",
            "assessment__commitment__slug",
        )[:limit]
    )


# Any page number from here on means "the last page".
PAST_THE_LAST = 999_999


def page_number(value):
    """A page number as asked: a positive whole number (a very long one is
    past the last page), else 1."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit()):
        return 1
    if len(value) > len(str(PAST_THE_LAST)):
        return PAST_THE_LAST
    return max(int(value), 1)


def scorecard_choice(params):
    """(status, commitment slug, sort, page, signatory slug) as asked,
    without a query: an unknown status is None, an unknown sort the default,
    a page that is not a number 1; the slugs are matched later."""
    status = params.get("status")
    sort = params.get("sort")
    return (
        status if status in STATUS_FILTERS else None,
        params.get("commitment", ""),
        sort if sort in SORTS else DEFAULT_SORT,
        page_number(params.get("scorecard_page")),
        params.get("signatory", ""),
    )


def build_scorecard(
    declaration, signed_positions, params, commitments=None, base_params=()
):
    """The scorecard of `declaration` for a QueryDict of `status`,
    `commitment`, `sort`, `signatory` and `scorecard_page`.
    `signed_positions` are its signed Signatures with signatories;
    `base_params` are (name, value) pairs its links keep."""
    if commitments is None:
        commitments = list(declaration.commitments.all())
    if not commitments:
        return None
    found = {
        (a.commitment_id, a.signatory_id): a for a in public_assessments(commitments)
    }
    signatories = [p.signatory for p in signed_positions]
    rows = [
        Row(
            signatory,
            [
                Cell(
                    commitment,
                    commitment.binds(signatory),
                    found.get((commitment.pk, signatory.pk)),
                )
                for commitment in commitments
            ],
        )
        for signatory in signatories
    ]
    summaries = []
    for index, commitment in enumerate(commitments):
        summary = Summary(commitment)
        for row in rows:
            status = row.cells[index].status
            if status is not None:
                summary.bound += 1
                summary.counts[status] = summary.counts.get(status, 0) + 1
        summaries.append(summary)

    status, commitment, sort, page, signatory_slug = scorecard_choice(params)
    chosen = {c.slug: c for c in commitments}.get(commitment)
    signatory = next(
        (s for s in signatories if signatory_slug and s.slug == signatory_slug), None
    )

    total = len(rows)
    if signatory is not None:
        rows = [row for row in rows if row.signatory is signatory]
    if status:
        rows = [row for row in rows if matches(row, status, chosen)]
    if sort == "kept":
        rows.sort(key=lambda row: (-row.met, row.signatory.name))
    elif sort == "kind":
        rows.sort(key=lambda row: (row.signatory.kind, row.signatory.name))
    pages = max(math.ceil(len(rows) / PAGE_SIZE), 1)
    page = min(page, pages)
    start = (page - 1) * PAGE_SIZE
    return Scorecard(
        matching_rows=len(rows),
        page=page,
        pages=pages,
        signatory=signatory,
        base_params=tuple(base_params),
        declaration=declaration,
        commitments=commitments,
        rows=rows[start : start + PAGE_SIZE],
        summaries=summaries,
        changes=recent_changes(declaration),
        status=status,
        chosen=chosen,
        sort=sort,
        total_rows=total,
    )


def matches(row, status, chosen):
    cells = row.cells
    if chosen is not None:
        cells = [cell for cell in cells if cell.commitment.pk == chosen.pk]
    return any(cell.status == status for cell in cells)


@dataclass
class RecordEntry:
    """A signatory's commitments under one declaration, for its record page."""

    declaration: object
    cells: list

    def count(self, status):
        return sum(1 for cell in self.cells if cell.status == status)

    @property
    def met(self):
        return self.count(Result.MET)

    @property
    def verdicts(self):
        """The denominator of "kept 3 of 4": met, partly met or not met."""
        return sum(1 for cell in self.cells if cell.status in VERDICTS)

    @property
    def others(self):
        """(label, count) for what is not a verdict: never counted as not met."""
        return [
            (label, n)
            for status, label in STATUS_FILTERS.items()
            if status not in VERDICTS and (n := self.count(status))
        ]


def signatory_record(signatory, positions):
    """Its commitments across the declarations it signed (2 queries + evidence).

    `positions` are its positions on public declarations, declaration loaded.
    """
    declarations = {
        p.declaration_id: p.declaration
        for p in positions
        if p.status == Signature.Status.SIGNED
    }
    if not declarations:
        return []
    commitments = [
        c
        for c in Commitment.objects.filter(declaration_id__in=declarations)
        if c.binds(signatory)
    ]
    if not commitments:
        return []
    found = {
        a.commitment_id: a
        for a in public_assessments(commitments).filter(signatory=signatory)
    }
    entries = {}
    for commitment in commitments:
        entry = entries.get(commitment.declaration_id)
        if entry is None:
            declaration = declarations[commitment.declaration_id]
            entry = entries[commitment.declaration_id] = RecordEntry(declaration, [])
        entry.cells.append(Cell(commitment, True, found.get(commitment.pk)))
    # In the order of the positions (newest declaration first).
    return [entries[pk] for pk in declarations if pk in entries]


@dataclass
class Overdue:
    commitment: Commitment
    unassessed: list


def overdue_unassessed(today=None):
    """Commitments past their deadline with bound signatories not assessed.

    For the editors' data-quality view. An assessment of any state (a draft
    included) counts as in hand: someone is on it. Three queries.
    """
    today = today or timezone.localdate()
    # The deadline is stored as its period's first day; past ones start
    # before today, and `is_past_deadline` checks the whole period.
    commitments = [
        c
        for c in Commitment.objects.filter(deadline__lt=today).select_related(
            "declaration"
        )
        if c.is_past_deadline(today)
    ]
    if not commitments:
        return []
    assessed = set(
        Assessment.objects.filter(commitment__in=commitments).values_list(
            "commitment_id", "signatory_id"
        )
    )
    positions = (
        Signature.objects.filter(
            declaration__in={c.declaration_id for c in commitments},
            status=Signature.Status.SIGNED,
        )
        .select_related("signatory")
        .order_by("signatory__name")
    )
    signed = {}
    for position in positions:
        signed.setdefault(position.declaration_id, []).append(position.signatory)
    overdue = []
    for commitment in commitments:
        missing = [
            s
            for s in signed.get(commitment.declaration_id, [])
            if commitment.binds(s) and (commitment.pk, s.pk) not in assessed
        ]
        if missing:
            overdue.append(Overdue(commitment, missing))
    return overdue
